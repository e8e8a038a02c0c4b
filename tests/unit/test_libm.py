"""The same seed gives the same numbers on another CPU (mkba_mc.uncertainty.libm).

NumPy picks SIMD kernels for ``exp``/``log``/``log1p``/``sin`` by the CPU it
runs on (AVX-512 here, AVX2 or the C library elsewhere) and they differ in the
last bit.  Sampling goes through :mod:`mkba_mc.uncertainty.libm` instead; these
tests check it against Python's :mod:`math` (the C library) and that switching
NumPy's SIMD targets off (``NPY_DISABLE_CPU_FEATURES``, as on a CPU without
them) leaves a run's sampled inputs and outputs bit-identical.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mkba_mc.uncertainty import libm

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("name", "low", "high"), [("exp", -700.0, 700.0), ("log", 1e-300, 1e6),
                                                    ("log", 0.0, 2.0), ("log1p", -0.999, 50.0)])
def test_equals_the_c_library(name: str, low: float, high: float) -> None:
    x = np.random.default_rng(7).uniform(low, high, 20_000)
    got = getattr(libm, name)(x)
    want = np.array([getattr(math, name)(v) for v in x])
    if name == "log1p":  # cephes' log1p, not glibc's: within two ulps of it
        np.testing.assert_array_max_ulp(got, want, maxulp=2)
    else:
        assert got.tobytes() == want.tobytes()
    out = np.empty_like(x)
    assert getattr(libm, name)(x, out=out) is out and out.tobytes() == got.tobytes()


def test_sin_equals_math_sin_and_keeps_the_shape() -> None:
    m = np.random.default_rng(3).uniform(-1, 1, (5, 5)) * math.pi / 6
    assert libm.sin(m).shape == (5, 5)
    assert libm.sin(m).tobytes() == np.array([[math.sin(v) for v in row] for row in m]).tobytes()


SCRIPT = """
import sys, numpy as np
from mkba_mc.api import run_monte_carlo
ds = run_monte_carlo(sys.argv[1], 3000, seed=5, keep_inputs=True, programme=True, workers=1)
np.savez(sys.argv[2], **{k: ds[k].values for k in ds.data_vars})
"""
#: Every SIMD target NumPy 2 can dispatch to above its x86-64 baseline (unknown names are ignored).
ALL_TARGETS = "X86_V3 X86_V4 AVX512_ICL AVX512_SPR AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX2 FMA3 AVX F16C"


@pytest.mark.parametrize("scenario", ["bijlage2_voorbeeld.toml", "ouderenteam.toml"])
def test_a_run_does_not_depend_on_numpys_simd_kernels(tmp_path: Path, scenario: str) -> None:
    def sample(name: str, env: dict[str, str]) -> dict[str, np.ndarray]:
        path = tmp_path / f"{name}.npz"
        subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "scenarios" / scenario), str(path)],
                       check=True, env=env, cwd=ROOT, capture_output=True)
        with np.load(path) as z:
            return dict(z)

    base = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    default = sample("default", base)
    plain = sample("plain", {**base, "NPY_DISABLE_CPU_FEATURES": ALL_TARGETS})
    assert set(default) == set(plain)
    changed = [k for k in default if default[k].tobytes() != plain[k].tobytes()]
    assert not changed, f"these arrays depend on NumPy's SIMD kernels: {changed}"
