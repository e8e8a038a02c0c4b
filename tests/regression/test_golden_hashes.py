"""Same seed, same numbers across the restructuring of issue 11.

``tests/data/golden/sha256_before_issue11.json`` holds the SHA-256 of every
data variable of three result files written by the code *before* the
restructuring into model/uncertainty/execution/sensitivity/io/report
(commit 4813bb3, the little-endian bytes of each array):

* ``run``: Bijlage 2, 4,096 samples, seed 11, ``--programme --keep-inputs``;
* ``run2``: the elderly team, 4,096 samples, seed 12, Latin hypercube,
  ``--all-outputs``;
* ``sobol``: Bijlage 2, n = 256, seed 3 (indices and bootstrap intervals).

The files written today must give the same hashes: bit-identical numbers.
Regenerated (by running these commands and hashing as :func:`digests` does) when issue 14 replaced the
inverse-CDF tables (each input moved by at most 2.2e-9 of its range) and sampling stopped using NumPy's
CPU-dispatched ``exp``/``log`` (:mod:`mkba_mc.uncertainty.libm`): the hashes were then the same with and
without NumPy's AVX-512 kernels (``NPY_DISABLE_CPU_FEATURES``), which those of 4813bb3 were not.
Since issue 13 a plain ``sobol`` of Bijlage 2 (whose inputs are correlated)
groups the correlated sets and samples them jointly, which changes its
numbers; the old computation is ``sobol --ignore-dependence``, and that must
still give the hashes from before the restructuring.  The grouped analysis
has its own entry, ``sobol_grouped`` (written by issue 13's code).
A deliberate change of the numbers (a model correction, new defaults) must
regenerate the file and say so in its commit.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import xarray as xr

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "data" / "golden" / "sha256_before_issue11.json").read_text())
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
ELDERLY = ROOT / "scenarios" / "ouderenteam.toml"

COMMANDS = {
    "run/samples.nc": ["run", B2, "-n", 4096, "--seed", 11, "--programme", "--keep-inputs"],
    "run2/samples.nc": ["run", ELDERLY, "-n", 4096, "--seed", 12, "--sampler", "lhs", "--all-outputs"],
    "sobol/sobol.nc": ["sobol", B2, "-n", 256, "--seed", 3, "--ignore-dependence"],
    "sobol_grouped/sobol.nc": ["sobol", B2, "-n", 256, "--seed", 3],
}


def digests(path: Path) -> dict[str, str]:
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return {name: hashlib.sha256(ds[name].values.astype(ds[name].dtype.newbyteorder("<")).tobytes()).hexdigest()
                for name in ds.data_vars}


@pytest.mark.parametrize("result", sorted(COMMANDS))
def test_numbers_unchanged_by_the_restructuring(result: str, tmp_path: Path, cli_ok) -> None:
    folder = tmp_path / result.split("/")[0]
    cli_ok(*COMMANDS[result], "--workers", 1, "--out", folder)
    now = digests(tmp_path / result)
    before = GOLDEN[result]
    # every variable written before is written now, with the same bytes (new variables may be added,
    # e.g. the programme band of issue 11)
    assert set(before) <= set(now), sorted(set(before) - set(now))
    changed = sorted(name for name in before if now[name] != before[name])
    assert not changed, f"{result}: these variables changed: {changed}"
