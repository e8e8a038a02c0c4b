"""`mkba-mc run`: files, JSON, refusal rules and bad distribution input (issue 3)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from mkba_mc.cli import app

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_run_writes_the_four_files(run_dir: Path) -> None:
    assert sorted(p.name for p in run_dir.iterdir()) == ["manifest.json", "point.json", "samples.nc", "summary.csv", "summary.xlsx"]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["seed"] == 11 and manifest["n"] == 20000 and manifest["sampler"] == "random"
    assert str(B2) in manifest["input_hashes"]
    assert "run" in manifest["command"]
    assert set(manifest["files"]) == {"point.json", "samples.nc", "summary.csv", "summary.xlsx"}
    xl = pd.ExcelFile(run_dir / "summary.xlsx")
    assert {"samenvatting", "kansen", "scherm A (NCW)", "scherm B (begroting)", "puntschatting", "actoren", "run"} <= set(xl.sheet_names)
    screen_b = pd.read_excel(run_dir / "summary.xlsx", sheet_name="scherm B (begroting)", index_col=0)
    assert list(screen_b.columns) == ["Gemeente", "Zorgverzekeraar", "Huishoudens", "Overige partijen"]


def test_reported_probability_equals_share_in_stored_samples(run_dir: Path) -> None:
    ds = xr.open_dataset(run_dir / "samples.nc")
    summary = pd.read_csv(run_dir / "summary.csv").set_index("output")
    stored = float(np.mean(ds["ratio_social"].values >= 1.0))
    assert summary.loc["ratio_social_ge_1", "p"] == stored
    gem = float(np.mean(ds["ratio_gemeente"].values >= 1.0))
    assert summary.loc["ratio_gemeente_ge_1", "p"] == gem
    actor = float(np.mean(ds["actor_balance"].sel(actor="zorgverzekeraar").values >= 0.0))
    assert summary.loc["actor_balance_ge_0.zorgverzekeraar", "p"] == actor
    assert ds.attrs["seed"] == 11 and ds.sizes["sample"] == 20000
    ds.close()


def test_same_seed_cli_runs_are_identical(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert invoke("run", B2, "-n", "3000", "--seed", "5", "--out", a, "--chunk-size", "1000", "--workers", "1").exit_code == 0
    assert invoke("run", B2, "-n", "3000", "--seed", "5", "--out", b, "--chunk-size", "65536", "--workers", "2").exit_code == 0
    da, db = xr.open_dataset(a / "samples.nc"), xr.open_dataset(b / "samples.nc")
    for k in da.data_vars:
        assert np.array_equal(da[k].values, db[k].values, equal_nan=True), k
    da.close()
    db.close()


def test_run_json_has_point_keys_and_probabilities() -> None:
    r = invoke("run", B2, "-n", "5000", "--seed", "1", "--json")
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    for key in ("cost_total", "benefit_total", "balance", "ratio_social", "ratio_gemeente", "payback_year",
                "prefinancing", "fte_need", "actors", "probabilities"):
        assert key in obj
    assert set(obj["ratio_social"]) >= {"mean", "sd", "p5", "p10", "p50", "p90", "p95"}
    prob = obj["probabilities"]["ratio_social_ge_1"]
    assert 0 < prob["p"] < 1 and prob["n"] == 5000
    assert prob["se"] == pytest.approx(np.sqrt(prob["p"] * (1 - prob["p"]) / 5000))
    assert "p_balance_ge_0" in obj["actors"]["gemeente"]


def test_non_empty_dir_is_refused_without_force(run_dir: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in run_dir.iterdir()}
    r = invoke("run", B2, "-n", "1000", "--seed", "2", "--out", run_dir)
    assert r.exit_code == 2
    assert "not empty" in r.stderr and "--force" in r.stderr
    assert {p.name: p.stat().st_mtime_ns for p in run_dir.iterdir()} == before


def test_force_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert invoke("run", B2, "-n", "1000", "--seed", "2", "--out", out).exit_code == 0
    assert invoke("run", B2, "-n", "2000", "--seed", "3", "--out", out, "--force").exit_code == 0
    assert json.loads((out / "manifest.json").read_text())["n"] == 2000
    assert not [p for p in out.iterdir() if p.name.startswith(".mkba-tmp-")]


BAD_DISTRIBUTIONS = {
    "min_gt_max": ('attribution = { dist = "uniform", low = 0.7, high = 0.3 }', "effects.attribution"),
    "mode_outside": ('attribution = { dist = "pert", low = 0.3, mode = 0.9, high = 0.7 }', "effects.attribution.mode"),
    "negative_sd": ('qaly_value = { dist = "normal", mean = 50000, sd = -1 }', "prices.qaly_value.sd"),
    "weights_not_one": ('work_years = { dist = "discrete", values = [1, 2, 3], weights = [0.5, 0.3, 0.1] }',
                        "prices.work_years.weights"),
    "unknown_name": ('attribution = { dist = "gumbel", loc = 0.5 }', "effects.attribution.dist"),
    "support_outside_domain": ('attribution = { dist = "normal", mean = 0.5, sd = 0.1 }', "effects.attribution"),
}


def _scenario_with(tmp_path: Path, section: str, line: str) -> Path:
    text = B2.read_text()
    if section == "effects":
        text = text.replace("[effects]\n", f"[effects]\n{line}\n", 1)
    else:
        text += f"\n[{section}]\n{line}\n"
    p = tmp_path / "bad.toml"
    p.write_text(text)
    return p


@pytest.mark.parametrize("case", sorted(BAD_DISTRIBUTIONS))
def test_bad_distribution_exit_2_and_nothing_written(tmp_path: Path, case: str) -> None:
    line, key = BAD_DISTRIBUTIONS[case]
    section = "effects" if line.split(" ")[0] in ("attribution",) else "prices"
    path = _scenario_with(tmp_path, section, line)
    out = tmp_path / "out"
    r = invoke("run", path, "-n", "100", "--seed", "1", "--out", out)
    assert r.exit_code == 2, r.output
    assert key in r.stderr and str(path) in r.stderr
    assert "Traceback" not in r.output + r.stderr
    assert not out.exists()
    if case == "unknown_name":
        for name in ("uniform", "triangular", "pert", "normal", "truncnormal", "lognormal", "beta", "loguniform",
                     "discrete", "fixed"):
            assert name in r.stderr


BAD_CORRELATIONS = {
    "not_symmetric": ("[[1.0, 0.5], [0.2, 1.0]]", "symmetric"),
    "diagonal": ("[[0.9, 0.5], [0.5, 1.0]]", "diagonal"),
    "out_of_range": ("[[1.0, 1.5], [1.5, 1.0]]", "[-1, 1]"),
    "wrong_size": ("[[1.0, 0.5, 0.1], [0.5, 1.0, 0.1], [0.1, 0.1, 1.0]]", "2 x 2"),
}


@pytest.mark.parametrize("case", sorted(BAD_CORRELATIONS))
def test_bad_correlation_exit_2(tmp_path: Path, case: str) -> None:
    matrix, expected = BAD_CORRELATIONS[case]
    text = B2.read_text() + f'\n[correlation]\nparameters = ["attribution", "relapse"]\nmatrix = {matrix}\n'
    path = tmp_path / "corr.toml"
    path.write_text(text)
    out = tmp_path / "out"
    r = invoke("run", path, "-n", "100", "--out", out)
    assert r.exit_code == 2, r.output
    assert "correlation.matrix" in r.stderr and expected in r.stderr
    assert not out.exists()


def test_not_positive_definite_correlation(tmp_path: Path) -> None:
    m = "[[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]]"
    text = B2.read_text() + (f'\n[correlation]\nparameters = ["attribution", "relapse", "nuisance_value"]\n'
                             f"matrix = {m}\n")
    path = tmp_path / "pd.toml"
    path.write_text(text)
    r = invoke("run", path, "-n", "100")
    assert r.exit_code == 2
    assert "positive definite" in r.stderr


def test_correlating_a_fixed_parameter_is_an_error(tmp_path: Path) -> None:
    text = B2.read_text() + '\n[correlation]\nparameters = ["attribution", "households"]\nmatrix = [[1, 0.3], [0.3, 1]]\n'
    path = tmp_path / "fixed.toml"
    path.write_text(text)
    r = invoke("run", path, "-n", "100")
    assert r.exit_code == 2
    assert "households" in r.stderr and "distribution" in r.stderr


@pytest.mark.parametrize("args, key", [
    (("-n", "0"), "n"),
    (("--chunk-size", "0"), "chunk_size"),
    (("--target-se", "0.7"), "target_se"),
    (("--output", "nosuch"), "outputs"),
])
def test_bad_run_options(tmp_path: Path, args, key) -> None:
    out = tmp_path / "out"
    r = invoke("run", B2, *args, "--out", out)
    assert r.exit_code == 2
    assert key in r.stderr
    assert not out.exists()


def test_target_se_reports_what_was_reached() -> None:
    r = invoke("run", B2, "-n", "65536", "--seed", "1", "--target-se", "0.01", "--json")
    assert r.exit_code == 0, r.output
    conv = json.loads(r.stdout)["run"]["convergence"]
    assert conv["reached"] is True and conv["se"] < 0.01


def test_posts_are_kept_on_request_only() -> None:
    lean = json.loads(invoke("run", B2, "-n", "3000", "--seed", "1", "--json").stdout)
    assert lean["benefit_escalation"] is None and lean["cost_team"] is None
    assert "benefit_escalation" not in lean["run"]["kept_outputs"]
    full = json.loads(invoke("run", B2, "-n", "3000", "--seed", "1", "--json", "--all-outputs").stdout)
    assert full["benefit_escalation"]["p50"] > 0 and full["fte_need"]["mean"] > 0
    # keeping more outputs does not change the numbers of the ones kept anyway
    assert full["ratio_social"] == lean["ratio_social"]
    one = json.loads(invoke("run", B2, "-n", "3000", "--seed", "1", "--json", "--output", "cost_team").stdout)
    assert one["cost_team"]["mean"] == full["cost_team"]["mean"]


def test_programme_view_on_request() -> None:
    lean = json.loads(invoke("run", B2, "-n", "3000", "--seed", "1", "--json").stdout)
    assert lean["payback_year"] is None and lean["prefinancing"] is None
    prog = json.loads(invoke("run", B2, "-n", "3000", "--seed", "1", "--json", "--programme").stdout)
    # about half of the draws do not pay back within the programme (expected-value centring)
    assert prog["prefinancing"]["p50"] > 0 and 0 < prog["payback_year"]["n_nan"] < 3000
    assert "prefinancing_gemeente" in prog["run"]["kept_outputs"]
    assert prog["ratio_social"] == lean["ratio_social"]
