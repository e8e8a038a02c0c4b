"""`mkba-mc sobol | morris | tornado | breakeven` (issue 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from mkba_mc.cli import app

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_sobol_writes_netcdf_csv_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "s"
    r = invoke("sobol", B2, "-n", "1024", "--seed", "1", "--output", "ratio_social", "--output",
               "ratio_social_ge_1", "--out", out, "--workers", "1")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "sobol.csv", "sobol.nc"]
    ds = xr.open_dataset(out / "sobol.nc")
    assert set(ds["output"].values) == {"ratio_social", "ratio_social_ge_1"}
    assert "knop" in ds.dims and ds.attrs["n"] == 1024
    ds.close()
    assert "Sobol' ratio_social" in r.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["analysis"] == "sobol" and manifest["group_by"] == "knop"


def test_sobol_json_per_parameter() -> None:
    r = invoke("sobol", B2, "-n", "512", "--group-by", "parameter", "--output", "ratio_gemeente", "--json",
               "--workers", "1")
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    idx = obj["indices"]["ratio_gemeente"]
    assert "attribution" in idx and set(idx["attribution"]) == {"S1", "S1_conf", "ST", "ST_conf"}


@pytest.mark.parametrize("args, needle", [
    (("-n", "1000"), "power of 2"),
    (("-n", "1024", "--output", "nosuch"), "nosuch"),
    (("-n", "1024", "--group-by", "colour"), "colour"),
    (("-n", "1024", "--target-ci", "2"), "target_ci"),
])
def test_sobol_bad_options_exit_2(tmp_path: Path, args, needle) -> None:
    out = tmp_path / "o"
    r = invoke("sobol", B2, *args, "--out", out)
    assert r.exit_code == 2
    assert needle in (r.stderr or r.output)
    assert not out.exists()


def test_morris_ranks_parameters(tmp_path: Path) -> None:
    out = tmp_path / "m"
    r = invoke("morris", B2, "-n", "20", "--out", out)
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out / "morris.csv")
    assert {"mu_star", "sigma", "mu_star_conf", "parameter"} <= set(df.columns)
    assert "Morris ratio_social" in r.stdout


def test_tornado_and_switch_values(tmp_path: Path) -> None:
    out = tmp_path / "t"
    r = invoke("tornado", B2, "--out", out)
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out / "tornado.csv")
    swings = df["ratio_social_swing"].to_numpy()
    assert (swings[:-1] >= swings[1:]).all()  # ranked
    assert (out / "spider.csv").exists() and (out / "tornado.nc").exists()


def test_breakeven_lever_without_range_exit_2(tmp_path: Path) -> None:
    r = invoke("breakeven", B2, "--lever", "households", "-n", "200")
    assert r.exit_code == 2
    assert "households" in r.stderr and "range" in r.stderr


def test_breakeven_writes_tables(tmp_path: Path) -> None:
    out = tmp_path / "b"
    r = invoke("breakeven", B2, "--lever", "substitution_new", "--lever", "additional_share_team", "-n", "2000",
               "--grid", "5", "--out", out)
    assert r.exit_code == 0, r.output
    summary = pd.read_csv(out / "breakeven.csv")
    table = pd.read_csv(out / "robustness.csv")
    assert list(summary["lever"]) == ["substitution_new", "additional_share_team"]
    assert len(table) == 10
    assert table["p_ratio_social_ge_1"].between(0, 1).all()


def test_unknown_lever_exit_2() -> None:
    r = invoke("breakeven", B2, "--lever", "nosuch", "-n", "200")
    assert r.exit_code == 2 and "nosuch" in r.stderr


def test_breakeven_default_levers_work_on_shipped_scenarios() -> None:
    # caseload.mv_nzr is fixed in the example (75); the range of its default
    # kengetal (PERT 30-75) is used for the search
    r = invoke("breakeven", B2, "-n", "500", "--grid", "3", "--json")
    assert r.exit_code == 0, r.output
    levers = [row["lever"] for row in json.loads(r.stdout)["breakeven"]]
    assert "caseload.mv_nzr" in levers and "substitution_new" in levers
