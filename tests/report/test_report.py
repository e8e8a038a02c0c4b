"""`mkba_mc.report.build_report`: the HTML report of a results folder, read from result files only."""

from __future__ import annotations

import ast
import base64
import html
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from report_helpers import (B2, PNG_MAGIC, ROOT, add_programme_band, invoke, key_value, runner, styled,
                            summary_row, write_point_json)

from mkba_mc import load_scenario
from mkba_mc.report.labels import param_label
from mkba_mc.cli import app
from mkba_mc.errors import ConfigError, OutputError
from mkba_mc.report import build_report, find_artefacts
from mkba_mc.model.point import point_summary
from mkba_mc.report.wording import classify_balance, uncertainty_wording

REPORT_SRC = ROOT / "src" / "mkba_mc" / "report"
ALL_FIGURES = ("ratios.png", "posts.png", "actors.png", "cashflow.png", "tornado.png", "sobol.png",
               "curve_qaly_value.png", "voi.png")
RUN_FIGURES = ("ratios.png", "posts.png", "actors.png", "cashflow.png")
PHRASES = {
    "uncertain": ("onzeker of baten de kosten overtreffen", "uncertain whether benefits exceed costs"),
    "roughly_equal": ("baten ongeveer gelijk aan kosten", "benefits roughly equal to costs"),
    "exceeds": ("baten overtreffen de kosten in meer dan 95 % van de trekkingen",
                "benefits exceed costs in more than 95 % of the samples"),
    "falls_short": ("baten blijven in meer dan 95 % van de trekkingen achter bij de kosten",
                    "benefits fall short of costs in more than 95 % of the samples"),
}


@pytest.fixture(scope="module")
def results(analyses_dir: Path, fresh_copy) -> Path:
    """A copy of the folder with a run, Sobol' indices, a tornado, a break-even and a curve (tests/conftest.py)."""
    root = fresh_copy(analyses_dir, "results")
    add_programme_band(root / "run")  # what run --programme writes for the report
    write_point_json(root)
    return root


@pytest.fixture(scope="module")
def report_nl(results: Path) -> str:
    return build_report(results).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report_en(results: Path, fresh_copy) -> str:
    return build_report(fresh_copy(results, "results_en"), lang="en").read_text(encoding="utf-8")


def summary_probability(run_dir: Path, event: str) -> float:
    df = pd.read_csv(run_dir / "summary.csv")
    return float(df[(df["kind"] == "probability") & (df["output"] == event)]["p"].iloc[0])


def summary_statistic(run_dir: Path, output: str, stat: str) -> float:
    df = pd.read_csv(run_dir / "summary.csv")
    return float(df[(df["kind"] == "statistic") & (df["output"] == output)][stat].iloc[0])


def test_report_is_self_contained(results: Path, report_nl: str) -> None:
    assert (results / "report.html").is_file()
    srcs = re.findall(r'\ssrc="([^"]*)"', report_nl)
    assert srcs, "no images"
    assert all(s.startswith("data:image/png;base64,") for s in srcs)
    assert not re.search(r'(src|href)="https?://', report_nl)
    assert "<link" not in report_nl and "<script src" not in report_nl
    assert report_nl.count("<img ") == len(ALL_FIGURES)
    assert "document.body.dataset.imagesOk" in report_nl


def test_every_figure_is_a_png_and_embedded(results: Path, report_nl: str) -> None:
    embedded = [base64.b64decode(s) for s in re.findall(r'src="data:image/png;base64,([^"]+)"', report_nl)]
    for name in ALL_FIGURES:
        data = (results / "figures" / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        assert len(data) > 20_000, name
        assert data in embedded, f"{name} is not the embedded image"


def test_probabilities_match_summary_and_samples(results: Path, report_nl: str) -> None:
    run = results / "run"
    with xr.open_dataset(run / "samples.nc") as ds:
        social = ds["ratio_social"].values
        gemeente = ds["ratio_gemeente"].values
    p_social = summary_probability(run, "ratio_social_ge_1")
    p_gemeente = summary_probability(run, "ratio_gemeente_ge_1")
    assert p_social == np.count_nonzero(social >= 1.0) / social.size
    assert p_gemeente == np.count_nonzero(gemeente >= 1.0) / gemeente.size
    assert key_value(report_nl, "p_ratio_social_ge_1") == styled(p_social, digits=1, pct=True)
    assert key_value(report_nl, "p_ratio_gemeente_ge_1") == styled(p_gemeente, digits=1, pct=True)
    split = summary_probability(run, "split_incentive")
    assert key_value(report_nl, "p_split_incentive") == styled(split, digits=1, pct=True)
    assert "Sobol" in report_nl and "data-key=\"top_ratio_social_1\"" in report_nl


def test_point_ratios_and_payback_year(report_nl: str) -> None:
    point = point_summary(load_scenario(B2).evaluate())
    for key in ("ratio_social", "ratio_financial", "ratio_gemeente"):
        assert key_value(report_nl, key) == styled(point[key])
    assert point["payback_year"] is not None
    assert key_value(report_nl, "payback_year") == str(int(point["payback_year"]))
    assert "Voorfinanciering" in report_nl and key_value(report_nl, "prefinancing").startswith("€ ")


def test_dutch_by_default_english_on_request(results: Path, report_nl: str, report_en: str) -> None:
    assert '<html lang="nl">' in report_nl
    for word in ("Samenvatting", "Puntschatting (basisvariant)", "Resultaat MKBA", "Maatschappelijke K-B-verhouding",
                 "Verantwoording van de run", "trekkingen"):
        assert word in report_nl
    assert '<html lang="en">' in report_en
    for word in ("Summary", "Point estimate (base case)", "MKBA result", "Social cost-benefit ratio", "Run provenance"):
        assert word in report_en
    assert "Samenvatting" not in report_en
    run = results / "run"
    verdict = classify_balance(summary_statistic(run, "balance", "p5"), summary_statistic(run, "balance", "p95"),
                               summary_statistic(run, "cost_total", "mean"))
    nl, en = PHRASES[verdict]
    assert nl in report_nl and en in report_en
    assert f'data-verdict="{verdict}"' in report_nl
    # the same key figures in both languages
    for key in ("p_ratio_social_ge_1", "ratio_social", "payback_year"):
        assert key_value(report_nl, key) == key_value(report_en, key).replace(".", ",")


def test_sections_and_provenance(results: Path, report_nl: str) -> None:
    manifest = json.loads((results / "run" / "manifest.json").read_text())
    for h in manifest["input_hashes"].values():
        assert h in report_nl
    assert manifest["versions"]["numpy"] in report_nl
    assert "Niet berekend" not in report_nl
    assert "Omslagpunten (alle parameters)" in report_nl
    tornado = pd.read_csv(results / "tornado" / "tornado.csv")
    assert all(f"<td class=\"l\">{html.escape(param_label(p, 'nl'))}</td>" in report_nl
               for p in tornado["parameter"])  # none dropped, each by its plain-language name
    assert all(f"<code>{p}</code>" in report_nl for p in tornado["parameter"])  # code names in the appendix
    for lever in ("substitution_existing", "newly_found_share"):  # break-even levers
        assert f"<td class=\"l\">{html.escape(param_label(lever, 'nl'))}</td>" in section_of(report_nl, "breakeven")
    assert "de trekkingen van de run (5.000 trekkingen" in report_nl  # the cash-flow band is the run's own


def test_only_a_run_marks_the_rest_not_computed(results: Path, tmp_path: Path) -> None:
    shutil.copytree(results / "run", tmp_path / "mc")
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "sobol.png").write_bytes(PNG_MAGIC)  # stale figure of an earlier report
    r = runner.invoke(app, ["point", str(B2), "--json"])
    assert r.exit_code == 0
    (tmp_path / "point.json").write_text(r.stdout)
    page = build_report(tmp_path).read_text(encoding="utf-8")
    assert page.count('class="missing">Niet berekend') == 6  # tornado, Sobol', assumptions, curve, break-even, voi
    appendix = section_of(page, "appendix")  # the files looked for, and how to make them
    assert "sobol.nc" in appendix and "tornado.csv" in appendix and "breakeven.csv" in appendix
    assert "curve.csv" in appendix and "point.json" in appendix  # the point estimate came from point.json
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == sorted(RUN_FIGURES)
    assert page.count("<img ") == len(RUN_FIGURES)


def test_a_default_run_says_how_to_get_posts_and_cash_flow(tmp_path: Path) -> None:
    invoke("run", B2, "-n", 3000, "--seed", 7, "--sampler", "lhs", "--workers", 1, "--out", tmp_path / "run")
    page = html.unescape(build_report(tmp_path, lang="en").read_text(encoding="utf-8"))
    assert "Not computed: NPV per post is not in this results folder" in page
    appendix = section_of(page, "appendix")
    assert "cost_team … benefit_nuisance (summary.csv)" in appendix
    assert "mkba-mc run SCENARIO --all-outputs --out DIR" in appendix
    assert "the run holds no programme cash flow" in page and "mkba-mc run SCENARIO --programme" in appendix
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["actors.png", "ratios.png"]


def test_relative_scenario_and_overrides_from_another_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    monkeypatch.chdir(ROOT)
    invoke("run", "scenarios/bijlage2_voorbeeld.toml", "-n", 1000, "--seed", 2, "--set", "attribution=0.4",
           "--workers", 1, "--out", tmp_path / "run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["scenario_file"] == str(B2.resolve())  # absolute: the report finds it from anywhere
    write_point_json(tmp_path, "attribution=0.4")
    monkeypatch.chdir(tmp_path)
    page = build_report(tmp_path).read_text(encoding="utf-8")
    assert 'class="notes"' not in page  # found through the run's other input files, hashes match
    assert "Verzilvering (aandeel financiële baten" in page  # read from the run's scenario
    point = point_summary(load_scenario(B2, overrides=["attribution=0.4"]).evaluate())
    assert key_value(page, "ratio_social") == styled(point["ratio_social"])


def test_missing_scenario_leaves_the_rest(results: Path, tmp_path: Path) -> None:
    shutil.copytree(results / "run", tmp_path / "run")
    (tmp_path / "run" / "point.json").unlink()  # a run folder written before runs carried their point estimate
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    manifest["scenario_file"] = "nosuch/scenario.toml"
    (tmp_path / "run" / "manifest.json").write_text(json.dumps(manifest))
    page = build_report(tmp_path, lang="en").read_text(encoding="utf-8")
    assert 'class="notes"' in page and "nosuch/scenario.toml" in page
    assert "Not computed: the point estimate is not in this results folder" in page
    assert "point.json" in section_of(page, "appendix")
    assert "realisation, the calibration note and the table of assumptions are therefore missing" in page
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["actors.png", "cashflow.png", "posts.png",
                                                                         "ratios.png"]
    assert key_value(page, "p_ratio_social_ge_1") == styled(summary_probability(tmp_path / "run", "ratio_social_ge_1"), "en", 1, pct=True)


def test_minimal_run_draws_no_conclusion_it_cannot_read(tmp_path: Path) -> None:
    invoke("run", B2, "-n", 1000, "--seed", 4, "--output", "ratio_social", "--workers", 1, "--out", tmp_path / "run")
    page = html.unescape(build_report(tmp_path, lang="en").read_text(encoding="utf-8"))
    assert 'data-verdict="' not in page  # no balance in summary.csv: no conclusion, and no balance recomputed
    assert "The run kept neither balance nor costs: no conclusion on benefits and costs" in page
    assert "P(municipal cost-benefit ratio ≥ 1) = not kept in the run" in page
    assert "Not computed: Balance per actor" in page and "actor_balance" in section_of(page, "appendix")
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["ratios.png"]


def test_no_run_raises(tmp_path: Path, results: Path) -> None:
    shutil.copytree(results / "sobol", tmp_path / "sobol")
    with pytest.raises(OutputError, match="no Monte Carlo run found") as info:
        build_report(tmp_path)
    assert str(tmp_path) in str(info.value) and "samples.nc" in str(info.value)
    assert not (tmp_path / "report.html").exists()
    with pytest.raises(OutputError, match="not a folder"):
        build_report(tmp_path / "nosuch")
    assert find_artefacts(tmp_path).sobol == tmp_path / "sobol" / "sobol.nc"


def test_unknown_language(results: Path) -> None:
    with pytest.raises(ConfigError, match="lang"):
        build_report(results, lang="de")


@pytest.mark.parametrize("p5, p95, cost, verdict", [
    (-50_000.0, 300_000.0, 500_000.0, "uncertain"),      # sign flips, by large amounts
    (-20_000.0, 30_000.0, 500_000.0, "roughly_equal"),   # flips, both below 10 % of the cost
    (-50_000.0, 30_000.0, 500_000.0, "uncertain"),       # |P5| exactly 10 %: not small
    (-20_000.0, 60_000.0, 500_000.0, "uncertain"),       # only one side small
    (10_000.0, 300_000.0, 500_000.0, "exceeds"),
    (0.0, 300_000.0, 500_000.0, "exceeds"),
    (-300_000.0, -10_000.0, 500_000.0, "falls_short"),
    (-300_000.0, 0.0, 500_000.0, "falls_short"),
])
def test_wording_rules(p5: float, p95: float, cost: float, verdict: str) -> None:
    assert classify_balance(p5, p95, cost) == verdict
    nl, en = PHRASES[verdict]
    assert nl in uncertainty_wording(p5, p95, cost)
    assert en in uncertainty_wording(p5, p95, cost, lang="en")
    others = [p for v, pair in PHRASES.items() if v != verdict for p in pair]
    assert not any(o in uncertainty_wording(p5, p95, cost, lang=lang) for o in others for lang in ("nl", "en"))


def test_wording_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        classify_balance(float("nan"), 1.0, 1.0)
    with pytest.raises(ValueError):
        classify_balance(5.0, 1.0, 1.0)


def test_the_report_never_evaluates_the_model(results: Path, tmp_path: Path, no_model: None) -> None:
    shutil.copytree(results, tmp_path / "r", ignore=shutil.ignore_patterns("figures", "report.html"))
    page = build_report(tmp_path / "r").read_text(encoding="utf-8")  # evaluate() raises (fixture no_model)
    assert page.count("<img ") == len(ALL_FIGURES)
    assert "Niet berekend" not in page


def test_no_report_module_reaches_the_model_or_the_engine() -> None:
    """Static: no module of mkba_mc.report imports the model core, the samplers or the execution layer,
    and none calls evaluate() or builds a SamplingPlan."""
    forbidden = ("mkba_mc.model.core", "mkba_mc.uncertainty.plan", "mkba_mc.uncertainty.designs",
                 "mkba_mc.uncertainty.distributions", "mkba_mc.execution", "mkba_mc.cli", "mkba_mc.batch")
    for path in sorted(REPORT_SRC.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = "mkba_mc." * (node.level > 0) + ("report." * (node.level == 1)) + (node.module or "")
                names = [module] + [f"{module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                names = []
            for name in names:
                assert not name.startswith(forbidden), f"{path.name} imports {name}"
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                assert called not in ("evaluate", "SamplingPlan", "run_monte_carlo"), f"{path.name} calls {called}"


def test_median_payback_is_summary_p50(results: Path, report_nl: str, tmp_path: Path) -> None:
    p50 = float(summary_row(results / "run", "payback_year")["p50"])
    if np.isfinite(p50):
        assert key_value(report_nl, "payback_year_median") == f"jaar {int(p50)}"
    else:
        assert 'data-key="payback_year_median"' not in report_nl and "niet binnen 10 jaar" in report_nl
    with xr.open_dataset(results / "run" / "samples.nc") as ds:
        pay = ds["payback_year"].values
    assert key_value(report_nl, "p_payback") == styled(np.count_nonzero(np.isfinite(pay)) / pay.size, digits=1, pct=True)
    # the report reads the figure, it does not compute it: change it in summary.csv and it follows
    shutil.copytree(results / "run", tmp_path / "run")
    summary = pd.read_csv(tmp_path / "run" / "summary.csv")
    row = (summary["kind"] == "statistic") & (summary["output"] == "payback_year")
    for value, expected in ((3.0, "year 3"), (np.inf, None)):
        summary.loc[row, "p50"] = value
        summary.to_csv(tmp_path / "run" / "summary.csv", index=False)
        page = html.unescape(build_report(tmp_path, lang="en").read_text(encoding="utf-8"))
        if expected is not None:
            assert key_value(page, "payback_year_median") == expected
        else:  # inf: more than half of the draws never pay back within the programme
            assert 'data-key="payback_year_median"' not in page
            assert "median payback year over the samples: not within 10 years" in page


def test_cash_flow_band_is_read_from_samples_nc(results: Path, tmp_path: Path) -> None:
    shutil.copytree(results / "run", tmp_path / "run")
    page = build_report(tmp_path).read_text(encoding="utf-8")
    assert (tmp_path / "figures" / "cashflow.png").read_bytes().startswith(PNG_MAGIC)
    assert "de trekkingen van de run" in section_of(page, "cashflow")
    with xr.open_dataset(tmp_path / "run" / "samples.nc") as ds:
        ds = ds.drop_vars("programme_band").load()
    ds.to_netcdf(tmp_path / "run" / "samples.tmp.nc")
    (tmp_path / "run" / "samples.tmp.nc").replace(tmp_path / "run" / "samples.nc")
    page = html.unescape(build_report(tmp_path, lang="en").read_text(encoding="utf-8"))
    assert "the run holds no programme cash flow" in page
    assert "mkba-mc run SCENARIO --programme" in section_of(page, "appendix")
    assert not (tmp_path / "figures" / "cashflow.png").exists()  # the stale figure is removed


def section_of(page: str, anchor: str) -> str:
    """The HTML of one section of a report page."""
    m = re.search(rf'<section id="{anchor}">(.*?)</section>', page, flags=re.S)
    assert m, f"no section {anchor}"
    return m.group(1)
