"""netCDF4 outputs and 64-bit seeds (issue "Trustworthy runs").

netCDF3 cannot hold a 64-bit attribute: a run without ``--seed`` (a drawn
63-bit seed) or with ``--seed >= 2^31`` used to crash after the whole
computation.  Seeds are stored as ``uint64`` attributes equal to the
manifest's ``seed``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from mkba_mc.cli import app
from mkba_mc.io.output import write_netcdf

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
BIG_SEED = 2**63 + 5  # does not fit int64
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _seeds(folder: Path, nc: str) -> tuple[object, object]:
    manifest = json.loads((folder / "manifest.json").read_text())
    with xr.open_dataset(folder / nc) as ds:
        return manifest["seed"], ds.attrs["seed"]


def test_run_without_seed_records_it_and_the_rerun_is_bit_identical(tmp_path: Path) -> None:
    first, again = tmp_path / "first", tmp_path / "again"
    r = invoke("run", B2, "-n", "2000", "--out", first)
    assert r.exit_code == 0, r.output
    assert (first / "samples.nc").read_bytes()[:8] == HDF5_SIGNATURE  # netCDF4
    seed, attr = _seeds(first, "samples.nc")
    assert isinstance(seed, int) and 0 <= seed < 2**64
    assert isinstance(attr, np.uint64) and int(attr) == seed
    r = invoke("run", B2, "-n", "2000", "--seed", seed, "--out", again)
    assert r.exit_code == 0, r.output
    with xr.open_dataset(first / "samples.nc") as a, xr.open_dataset(again / "samples.nc") as b:
        assert set(a.data_vars) == set(b.data_vars) and a.sizes["sample"] == 2000
        for name in a.data_vars:
            assert a[name].encoding["zlib"], name  # compressed
            assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name
        assert int(b.attrs["seed"]) == seed


@pytest.mark.parametrize("command, nc", [
    (["run", B2, "-n", "1000"], "samples.nc"),
    (["sobol", B2, "-n", "256", "--output", "ratio_social", "--workers", "1"], "sobol.nc"),
    (["morris", B2, "-n", "4", "--output", "ratio_social"], "morris.nc"),
])
def test_seed_above_2_63_round_trips(command: list[object], nc: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = invoke(*command, "--seed", BIG_SEED, "--out", out)
    assert r.exit_code == 0, r.output
    seed, attr = _seeds(out, nc)
    assert seed == BIG_SEED
    assert isinstance(attr, np.uint64) and int(attr) == BIG_SEED


def test_a_seed_outside_uint64_is_refused_before_writing(tmp_path: Path) -> None:
    ds = xr.Dataset({"y": ("sample", np.arange(3.0))}, attrs={"seed": -1})
    with pytest.raises(ValueError, match=r"\[0, 2\^64\)"):
        write_netcdf(ds, tmp_path / "x.nc")
    assert not (tmp_path / "x.nc").exists()
