"""The smaller items of issue 12: actors without flows, the S2 pairs, the
severity glossary, legends outside the data, the console tables (≥, standard
error, compare headers), the municipal payback in ``run --json`` and the
batch progress bar."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from mkba_mc.report import build_report
from mkba_mc.report.compare import row_for
from report_helpers import ROOT, B2

ELDERLY = ROOT / "scenarios" / "ouderenteam.toml"


@pytest.fixture(scope="module")
def elderly(tmp_path_factory: pytest.TempPathFactory, cli_ok) -> tuple[Path, str]:
    """A run of the elderly team (meta-analysis §4.5: youth care gains nothing) and its Dutch report."""
    root = tmp_path_factory.mktemp("elderly")
    cli_ok("run", ELDERLY, "-n", 2000, "--seed", 5, "--all-outputs", "--workers", 1, "--out", root / "run")
    return root, build_report(root).read_text(encoding="utf-8")


def test_actor_without_flows_shows_no_probability(elderly: tuple[Path, str]) -> None:
    root, page = elderly
    stats = pd.read_csv(root / "run" / "summary.csv").set_index("output")
    jeugd = stats.loc["actor_balance.gemeente_jeugd"]
    assert (jeugd[["p5", "p50", "p95", "mean", "sd"]].astype(float) == 0).all()  # every draw € 0
    assert float(stats.loc["actor_balance_ge_0.gemeente_jeugd", "p"]) == 1.0  # what the report used to print
    assert 'data-key="p_balance_ge_0.gemeente_jeugd">geen stromen<' in page
    insurer = re.search(r'data-key="p_balance_ge_0.zorgverzekeraar">([^<]*)<', page)[1]
    assert re.fullmatch(r"\d+,\d %", insurer)  # an actor with flows keeps its probability
    assert "gemeente_jeugd" in row_for(root / "run")["no_flows"].split()
    assert "zorgverzekeraar" not in row_for(root / "run")["no_flows"].split()


def test_severity_codes_are_explained_in_the_appendix(elderly: tuple[Path, str]) -> None:
    _, page = elderly
    main, appendix = page.split('<section id="appendix">')
    glossary = appendix.split('id="glossary"')[1]
    for code, words in (("ev", "enkelvoudige"), ("mv_zr", "zelfredzaam"), ("mv_nzr", "niet zelfredzaam"),
                        ("top", "intramuraal")):
        assert re.search(rf"<code>{code}</code></td><td[^>]*>[^<]*{words}", glossary), code
    assert "mv_zr" not in re.sub(r"<[^>]+>", " ", main) and "mv_nzr" not in re.sub(r"<[^>]+>", " ", main)


def test_evidence_notes_are_marked_english_without_code_names(elderly: tuple[Path, str]) -> None:
    from mkba_mc.report.assumptions import evidence_html, named
    from mkba_mc.report.text import texts

    cell = evidence_html("assumption: only its sum with qaly_per_escalation is calibrated", "nl", texts("nl"))
    assert cell == ('<span class="ev">aanname: <i lang="en">only its sum with ‘QALY per voorkomen escalatie’ '
                    "is calibrated</i></span>")
    assert named("care_profile.elderly.top and x_y", "en") == "‘Care used per year: elderly, top / intramural’ and x_y"


def test_s2_pairs_are_the_largest_of_the_upper_triangle() -> None:
    from mkba_mc.report.section_s2 import largest_pairs, section_sobol_pairs

    names = ["a", "b", "c", "d"]
    s2 = np.full((4, 4), np.nan)
    s2[0, 1], s2[0, 2], s2[0, 3], s2[1, 2], s2[1, 3], s2[2, 3] = 0.01, 0.20, -0.02, 0.05, np.nan, 0.11
    conf = np.full((4, 4), 0.03)
    assert [(a, b) for a, b, _, _ in largest_pairs(s2, conf, names, top=3)] == [("a", "c"), ("c", "d"), ("b", "c")]
    ds = xr.Dataset({k: (("output", "knop", "knop_2"), np.stack([v, v])) for k, v in (("S2", s2), ("S2_conf", conf))},
                    coords={"output": ["ratio_social", "ratio_gemeente"], "knop": ["selectie", "prijzen", "escalatie",
                                                                                   "waardering"],
                            "knop_2": ["selectie", "prijzen", "escalatie", "waardering"]})
    ctx = SimpleNamespace(sobol=(ds, "knop"), lang="nl", code_names=set())
    sec = section_sobol_pairs(ctx)
    assert sec is not None and sec.body.count("<table>") == 2
    first = re.findall(r"<tr><td class=\"l\">([^<]+)</td><td class=\"l\">([^<]+)</td><td>([^<]+)</td>", sec.body)[0]
    assert first == ("Selectie", "Escalatie", "0,200")
    assert section_sobol_pairs(SimpleNamespace(sobol=(ds.drop_vars(["S2", "S2_conf"]), "knop"), lang="nl",
                                               code_names=set())) is None


def test_report_shows_s2_when_sobol_computed_it(results_with_s2: Path) -> None:
    page = build_report(results_with_s2).read_text(encoding="utf-8")
    assert 'id="sobol_pairs"' in page and "Samenspel van twee knoppen" in page


@pytest.fixture
def results_with_s2(tmp_path: Path, run_dir: Path, cli_ok) -> Path:
    import shutil

    shutil.copytree(run_dir, tmp_path / "run")
    cli_ok("sobol", B2, "-n", 64, "--second-order", "--workers", 1, "--out", tmp_path / "sobol")
    return tmp_path


def legend_below_axes(fig) -> bool:
    """Every legend of ``fig`` lies wholly below its axes (so it covers no data)."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    return bool(legends) and all(leg.get_window_extent(r).y1 <= leg.axes.get_window_extent(r).y0 + 1
                                 for leg in legends)


def test_legends_of_posts_cashflow_and_tornado_are_below_the_plots() -> None:
    from mkba_mc.report.figures import fig_cashflow, fig_posts, fig_tornado

    posts = [("cost_team", 1e5, 2e5, 3e5, 2e5), ("benefit_escalation", 1e5, 5e5, 9e5, 4e5),
             ("benefit_nuisance", 0.0, 1e4, 2e4, 1e4)]
    assert legend_below_axes(fig_posts(posts, "nl"))
    t = np.arange(1.0, 11.0)
    band = {"total": (-5e5 + 1e5 * t, -3e5 + 1e5 * t, -1e5 + 1e5 * t), "gemeente": (-6e5 + 0 * t, -4e5 + 0 * t, -2e5 + 0 * t)}
    assert legend_below_axes(fig_cashflow(band, 1000, {"total": (4.0, 2e5)}, {"total": 5.0, "gemeente": None}, "nl"))
    tornado = pd.DataFrame({"parameter": ["attribution", "relapse"], "ratio_social_swing": [0.5, 0.2],
                            "ratio_social_base": [1.3, 1.3], "ratio_social_at_low": [1.0, 1.2],
                            "ratio_social_at_high": [1.5, 1.4]})
    assert legend_below_axes(fig_tornado(tornado, "nl"))


def test_run_table_writes_the_symbol_and_one_decimal_standard_errors(cli_ok) -> None:
    out = cli_ok("run", B2, "-n", 1000, "--seed", 2, "--workers", 1).stdout
    assert ">=" not in out and "P(maatschappelijke K-B-verhouding ≥ 1)" in out
    row = next(line for line in out.splitlines() if "P(maatschappelijke K-B-verhouding ≥ 1)" in line)
    assert re.search(r"\d+,\d %\s*\S?\s*\d+,\d %", row), row  # probability and its standard error, one decimal each


def test_compare_headers_are_whole_at_80_columns(run_dir: Path) -> None:
    from rich.console import Console

    from mkba_mc.report.compare import comparison_table
    from mkba_mc.report.console import TABLE_WORDS, render_comparison

    table = comparison_table([run_dir, run_dir])
    for lang in ("nl", "en"):
        console = Console(width=80, record=True)
        console.print(render_comparison(table, lang))
        text = console.export_text()
        assert "…" not in text and max(map(len, text.splitlines())) <= 80
        for head in TABLE_WORDS[lang]["compare_cols"]:
            for word in head.split("\n"):
                assert word in text, (lang, word)


def test_run_json_has_the_municipal_payback(tmp_path: Path, cli_ok) -> None:
    obj = json.loads(cli_ok("run", B2, "-n", 2000, "--seed", 4, "--programme", "--workers", 1, "--json",
                            "--out", tmp_path / "r").stdout)
    stats = pd.read_csv(tmp_path / "r" / "summary.csv").set_index("output")
    for key in ("payback_year_gemeente", "prefinancing_gemeente"):
        p50 = float(stats.loc[key, "p50"])
        assert obj[key]["p50"] == (None if not np.isfinite(p50) else p50), key
    plain = json.loads(cli_ok("run", B2, "-n", 1000, "--workers", 1, "--json").stdout)
    assert plain["payback_year_gemeente"] is None  # not kept without --programme


def test_batch_progress_names_every_step() -> None:
    from mkba_mc.batch import STEPS
    from mkba_mc.cli.folders import STEP_NAMES

    assert set(STEP_NAMES) == set(STEPS)
    assert len(set(STEP_NAMES.values())) == len(STEPS) and "samples" not in STEP_NAMES["report"]


def test_appendix_paths_outside_the_results_folder_show_folder_and_name_only(tmp_path) -> None:
    from mkba_mc.report.appendix import command_text, relative

    root = tmp_path / "results" / "scenario"
    assert relative(str(root / "run" / "samples.nc"), root) == "run/samples.nc"
    assert relative("/home/someone/projects/mkba/scenarios/x.toml", root) == "…/scenarios/x.toml"
    assert relative("--seed", root) == "--seed"
    assert command_text(["mkba-mc", "run", "/srv/data/scenarios/y.toml", "--out", str(root)], root) == \
        "mkba-mc run …/scenarios/y.toml --out ."


def test_tiny_p_values_and_shares_are_written_for_a_reader() -> None:
    from mkba_mc.report.formats import p_value, small_percent

    assert p_value(2.2e-10, "nl") == "< 0,001" and p_value(0.0, "en") == "< 0.001"
    assert p_value(0.0312, "nl") == "0,031"
    assert small_percent(2.9e-11, "nl") == "< 0,1 %" and small_percent(0.0, "nl") == "0,0 %"
    assert small_percent(0.7302, "nl") == "73,0 %" and small_percent(0.125, "en") == "12.5 %"


def test_run_table_says_no_flows_for_an_actor_with_none() -> None:
    """ouderenteam books nothing on youth or the housing corporation: the run table says so, not "100,0 %"."""
    from pathlib import Path

    from typer.testing import CliRunner

    from mkba_mc.cli import app

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "ouderenteam.toml"
    r = CliRunner().invoke(app, ["run", str(scenario), "-n", "2000", "--seed", "1", "--workers", "1"])
    assert r.exit_code == 0, r.output
    line = next(ln for ln in r.output.splitlines() if "Gemeente: jeugd" in ln)
    assert "geen stromen" in line and "100,0 %" not in line
    line = next(ln for ln in r.output.splitlines() if "Wmo en welzijn" in ln)
    assert "geen stromen" not in line and "%" in line


def test_sobol_labels_stay_inside_their_own_panel() -> None:
    """With ``--group-by parameter`` the factor labels are long (a group such as
    ``new_care_fraction + care_profile.*`` reads as a sentence): every tick label
    must lie inside the figure and left of its own axes, clear of the panel to its
    left, and the layout engine must not give up (it used to: the labels of the
    right column ran over the bars of the left one)."""
    import warnings

    from mkba_mc.report.figures import SOBOL_TOP, fig_sobol

    factors = ["new_care_fraction + care_profile.*", "substitution_existing", "substitution_new",
               "newly_found_share", "escalation_rate.families", "escalation_rate.other", "qaly_value",
               "realisation_share.gemeente_werk_inkomen", "school_dropout_reduction", "attribution", "relapse",
               "benefit_saving_per_year", "one_off_costs", "cost_per_fte", "other_team_costs", "work_years"]
    outputs = ["ratio_social", "ratio_gemeente", "ratio_social_ge_1", "balance_gemeente_ge_0"]
    rng = np.random.default_rng(3)
    st = rng.uniform(0, 0.8, (len(outputs), len(factors)))
    ds = xr.Dataset({"S1": (("output", "parameter"), st * 0.7), "S1_conf": (("output", "parameter"), st * 0 + 0.05),
                     "ST": (("output", "parameter"), st), "ST_conf": (("output", "parameter"), st * 0 + 0.05)},
                    coords={"output": outputs, "parameter": factors})
    for lang in ("nl", "en"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "constrained_layout not applied" is a UserWarning
            fig = fig_sobol(ds, "parameter", lang)
            fig.canvas.draw()
        r = fig.canvas.get_renderer()
        page = fig.bbox
        axes = [ax for ax in fig.axes if ax.get_visible()]
        assert len(axes) == 4
        for ax in axes:
            box = ax.get_window_extent(r)
            labels = [t for t in ax.get_yticklabels() if t.get_text()]
            assert len(labels) == SOBOL_TOP
            neighbours = [o.get_window_extent(r) for o in axes
                          if o is not ax and o.get_window_extent(r).x1 <= box.x0 and
                          o.get_window_extent(r).y0 < box.y1 and o.get_window_extent(r).y1 > box.y0]
            for t in labels:
                e = t.get_window_extent(r)
                assert e.x0 >= page.x0 - 1 and e.x1 <= box.x0 + 1, (lang, t.get_text())
                assert all(e.x0 >= nb.x1 for nb in neighbours), (lang, t.get_text())
            assert max(len(line) for t in labels for line in t.get_text().split("\n")) <= 30
