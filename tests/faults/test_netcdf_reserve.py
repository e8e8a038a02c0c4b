"""samples.nc written through reserved disk space (issue 14): the same file
as the in-memory writer, and a full disk is a plain OSError before writing."""

from __future__ import annotations

import errno
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import mkba_mc.io.reserve
from mkba_mc import load_scenario
from mkba_mc.errors import WriteError
from mkba_mc.execution.montecarlo import run
from mkba_mc.io.netcdf import netcdf_bytes, write_netcdf
from mkba_mc.io.results import to_dataset, with_programme_band, write_run

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"


@pytest.fixture(scope="module")
def result():
    sc = load_scenario(B2)
    return run(sc, 3000, seed=7, workers=1, keep_inputs=True, outputs=None)


@pytest.fixture(scope="module")
def dataset(result) -> xr.Dataset:
    return with_programme_band(to_dataset(result, ["mkba-mc", "run"]), result)


def test_streamed_file_is_the_in_memory_file(tmp_path: Path, dataset: xr.Dataset) -> None:
    path = tmp_path / "samples.nc"
    write_netcdf(dataset, path)
    assert path.read_bytes() == netcdf_bytes(dataset)
    with xr.open_dataset(path) as back:
        back.load()
    assert set(back.data_vars) == set(dataset.data_vars) and "inputs" in back.data_vars
    for name, var in dataset.variables.items():
        assert back[name].dtype == var.dtype or var.dtype == object, name
        np.testing.assert_array_equal(back[name].values, var.values, err_msg=name)
    assert back.attrs["seed"] == 7 and back.attrs["seed"].dtype == np.uint64
    assert {k: v for k, v in back.attrs.items() if k != "seed"} == {k: v for k, v in dataset.attrs.items()
                                                                   if k != "seed"}
    enc = back["balance"].encoding
    assert enc.get("zlib") or enc.get("compression") == "gzip", enc  # compressed
    assert enc.get("shuffle"), enc


def test_without_reservation_the_file_is_built_in_memory(tmp_path: Path, dataset: xr.Dataset,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(mkba_mc.io.reserve, "reserve", lambda fd, n, p: calls.append(n) or False)
    path = tmp_path / "samples.nc"
    write_netcdf(dataset, path)
    assert calls and calls[0] > path.stat().st_size  # asked for more than the file needs
    assert path.read_bytes() == netcdf_bytes(dataset)


def test_full_disk_at_the_reservation_leaves_no_folder(tmp_path: Path, result,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int, nbytes: int, path) -> bool:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(mkba_mc.io.reserve, "reserve", full)
    out = tmp_path / "run"
    with pytest.raises(WriteError, match="No space left on device") as info:
        write_run(result, out)
    cause = info.value.__cause__
    assert isinstance(cause, OSError) and cause.errno == errno.ENOSPC and str(cause.filename).endswith("samples.nc")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []
