"""``sobol --json`` is bit-identical whatever runs it (issue "Trustworthy runs").

One reference (``--workers 1``) against every way of running: worker
processes, the threads, processes and local-cluster schedulers, and the BLAS
thread count.  Each run is a fresh ``mkba-mc`` process (OpenBLAS reads its
thread count when it is loaded).  ``-n 16384`` is two tasks of 8,192 base
rows, so the merge of the bootstrap sums is part of what is compared; the
JSON holds every index and its 95 % interval half-width.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
BASE = ["sobol", str(B2), "-n", "16384", "--seed", "2147483651", "--json"]
VARIANTS: dict[str, tuple[list[str], dict[str, str]]] = {
    "workers-2": (["--workers", "2"], {}),
    "scheduler-threads": (["--scheduler", "threads"], {}),
    "scheduler-threads-workers-2": (["--scheduler", "threads", "--workers", "2"], {}),
    "scheduler-processes": (["--scheduler", "processes", "--workers", "2"], {}),
    "local-cluster-2": (["--scheduler", "local-cluster:2"], {}),
    "openblas-1": (["--workers", "2"], {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}),
    "openblas-2": (["--workers", "2"], {"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}),
}


def _sobol_json(extra: list[str], env: dict[str, str]) -> tuple[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "mkba_mc", *BASE, *extra], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, json.loads(proc.stdout)


@pytest.fixture(scope="module")
def reference() -> tuple[str, Any]:
    return _sobol_json(["--workers", "1"], {})


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_sobol_json_is_bit_identical(reference: tuple[str, Any], variant: str) -> None:
    if variant.startswith("local-cluster"):
        pytest.importorskip("distributed")
    text, obj = _sobol_json(*VARIANTS[variant])
    ref_text, ref = reference
    assert obj["n"] == ref["n"] == 16384 and obj["evaluations"] == ref["evaluations"]
    confs = [v for o in ref["indices"].values() for ix in o.values() for k, v in ix.items() if k.endswith("_conf")]
    assert sum(1 for v in confs if v > 0) >= 10  # the intervals are among the numbers compared
    assert text == ref_text  # every digit of every index and interval (json repr round-trips floats)
