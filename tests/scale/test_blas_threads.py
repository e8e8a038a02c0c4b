"""Bit-identical results whatever the BLAS thread count (issue "Trustworthy runs").

Each run is a fresh subprocess, because OpenBLAS reads its thread count when
it is loaded.  ``OPENBLAS_CORETYPE`` is inherited unchanged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr

from mkba_mc.sensitivity.estimators import bootstrap_weights, weighted_column_sums

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
COMMANDS = {
    # 2 tasks of 8,192 base rows: the bootstrap sums and their merge
    "sobol": ["sobol", str(B2), "-n", "16384", "--seed", "3", "--json"],
    "sobol_second_order": ["sobol", str(B2), "-n", "1024", "--seed", "3", "--second-order", "--json"],
    # the programme view (cohort weights) and the summary statistics (sd)
    "run_programme": ["run", str(B2), "-n", "20000", "--seed", "3", "--programme", "--json"],
}


def _cli_json(args: list[str], threads: int, out: Path) -> Any:
    """``--json`` result of a CLI run with ``threads`` BLAS threads; with
    second order also the S2 arrays of its ``sobol.nc`` (not in the JSON)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads),
           "MKL_NUM_THREADS": str(threads)}
    extra = ["--out", str(out)] if "--second-order" in args else []
    proc = subprocess.run([sys.executable, "-m", "mkba_mc", *args, *extra], env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    if "run" in obj:
        obj["run"].pop("elapsed_seconds")
    if extra:
        with xr.open_dataset(out / "sobol.nc") as ds:
            obj["S2"] = ds["S2"].values.ravel().tolist()
            obj["S2_conf"] = ds["S2_conf"].values.ravel().tolist()
    return obj


def _leaves(obj: Any, path: str = "") -> dict[str, Any]:
    if isinstance(obj, dict):
        return {k: v for key, val in obj.items() for k, v in _leaves(val, f"{path}/{key}").items()}
    if isinstance(obj, list):
        return {k: v for i, val in enumerate(obj) for k, v in _leaves(val, f"{path}[{i}]").items()}
    return {path: obj}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_results_do_not_depend_on_blas_threads(name: str, tmp_path: Path) -> None:
    one, two = (_cli_json(COMMANDS[name], t, tmp_path / f"threads{t}") for t in (1, 2))
    a, b = _leaves(one), _leaves(two)
    assert a.keys() == b.keys()
    differ = [k for k in a if a[k] != b[k] and not (isinstance(a[k], float) and np.isnan(a[k]) and np.isnan(b[k]))]
    assert differ == [], differ[:5]
    if name.startswith("sobol"):  # the intervals were among the compared numbers
        assert sum(1 for k, v in a.items() if k.endswith("_conf") and v > 0) >= 10
    else:  # the programme view was computed
        assert isinstance(a["/payback_year/mean"], float) and isinstance(a["/prefinancing/sd"], float)
    if name == "sobol_second_order":
        assert np.isfinite(one["S2_conf"]).sum() > 0


def test_weighted_column_sums_is_the_exact_sum_rounded_once() -> None:
    """Against exact rational arithmetic: the split product of Poisson weights
    and values of very different sizes per column is the exact sum rounded
    to float64 (where the bits dropped are far below the rounding)."""
    rng = np.random.default_rng(7)
    rows = 8192
    w = bootstrap_weights(11, 0, rows, 4)
    F = rng.normal(size=(rows, 5)) * np.array([1e-12, 1.0, 1e6, 1e15, 3.0])
    F[:, 4] = 0.0
    got = weighted_column_sums(w, F)
    for q in range(w.shape[1]):
        for j in range(F.shape[1]):
            exact = sum(Fraction(float(w[i, q])) * Fraction(float(F[i, j])) for i in range(rows))
            assert got[q, j] == float(exact), (q, j)


def test_weighted_column_sums_refuses_non_integer_weights() -> None:
    with pytest.raises(ValueError, match="integer weights"):
        weighted_column_sums(np.full((4, 2), 0.5), np.ones((4, 3)))
