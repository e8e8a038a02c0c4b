"""The value-of-information engine on the MKBA: same samples as ``run``,
bit-identical across chunk sizes and workers, clean errors, the report section."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mkba_mc.execution.evaluators import local_evaluator
from mkba_mc.sensitivity.voi import voi

N = 12_000


@pytest.fixture(scope="module")
def reference(sc):
    return voi(sc, N, seed=21, perspectives=["society", "gemeente"], chunk_size=1 << 14)


def _same(a, b):
    for f in ("evpi", "evpi_se", "mean", "evppi", "evppi_raw", "evppi_se", "r2", "residual_mean"):
        assert np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True), f


def test_bit_identical_across_chunk_sizes_and_workers(sc, reference):
    small = voi(sc, N, seed=21, perspectives=["society", "gemeente"], chunk_size=5000)  # -> 4096
    _same(reference, small)
    with local_evaluator(2) as ev:
        two = voi(sc, N, seed=21, perspectives=["society", "gemeente"], chunk_size=1 << 16, evaluator=ev)
    _same(reference, two)


def test_same_samples_as_run(sc, reference):
    from mkba_mc import run_monte_carlo

    ds = run_monte_carlo(sc, N, seed=21, workers=1)
    assert reference.mean[0] == pytest.approx(float(ds["balance"].mean()), rel=1e-12)
    assert reference.mean[1] == pytest.approx(float(ds["balance_gemeente"].mean()), rel=1e-12)
    assert reference.p_positive[1] == float((ds["balance_gemeente"] > 0).mean())
    bal = ds["balance"].values  # the EVPI straight from run's samples
    assert reference.evpi[0] == pytest.approx(np.mean(np.maximum(bal, 0)) - max(bal.mean(), 0), rel=1e-9, abs=1e-6)


def test_bounds_and_knops(reference, sc):
    assert np.all(reference.evppi >= 0) and np.all(reference.evppi <= reference.evpi[None, :])
    knops = {f for f, k in zip(reference.factors, reference.kinds) if k == "knop"}
    assert knops == {sc.info[nm].knop for nm in sc.sampled}
    # a knop holds at least as much information as each of its parameters (up to the estimation error)
    i = {f: j for j, f in enumerate(reference.factors)}
    for nm in sc.sampled:
        kn = sc.info[nm].knop
        assert np.all(reference.evppi[i[kn]] >= reference.evppi[i[nm]] - 3 * reference.evppi_se[i[nm]] - 1.0)


@pytest.mark.parametrize("args, needle", [
    (["--actor", "wethouder"], "wethouder"),
    (["--population", "0"], "--population"),
    (["--population", "-3"], "--population"),
    (["-n", "10"], "-n"),
    (["--seed", "-1"], "seed"),
])
def test_cli_bad_options_exit_2(cli_runner, b2_path, args, needle):
    from mkba_mc.cli import app

    r = cli_runner.invoke(app, ["voi", str(b2_path), *args])
    assert r.exit_code == 2, r.output
    assert needle in (r.output + (r.stderr or "")) and "Traceback" not in r.output


def test_cli_writes_folder_json_and_report(cli_ok, b2_path, tmp_path):
    run_dir, voi_dir = tmp_path / "run", tmp_path / "voi"
    cli_ok("run", b2_path, "-n", 4000, "--seed", 3, "--out", run_dir, "--workers", 1)
    r = cli_ok("voi", b2_path, "-n", 4000, "--seed", 3, "--population", 100, "--out", voi_dir, "--json",
               "--workers", 1, "--actor", "gemeente", "--actor", "society")
    data = json.loads(r.stdout)
    assert list(data["perspectives"]) == ["gemeente", "society"] and data["population"] == 100
    g = data["perspectives"]["gemeente"]
    assert g["evpi_population"] == pytest.approx(100 * g["evpi"])
    man = json.loads((voi_dir / "manifest.json").read_text())
    assert man["analysis"] == "voi" and man["seed"] == 3 and man["n"] == 4000 and man["input_space"] == "run"
    assert man["input_hashes"] and (voi_dir / "voi.nc").is_file() and (voi_dir / "voi.csv").is_file()
    again = cli_runner_invoke(["voi", str(b2_path), "-n", "4000", "--seed", "3", "--out", str(voi_dir)])
    assert again.exit_code == 2  # never silently overwritten
    # the report of the folder holding both shows the section, its table and figure
    from mkba_mc import build_report

    (tmp_path / "voi").rename(run_dir / "voi")
    html = build_report(run_dir).read_text(encoding="utf-8")
    assert "Welk onderzoek loont?" in html and "figures/voi.png" in html and "EVPPI per cohort" in html
    assert "Gemeente (totaal)" in html


def cli_runner_invoke(args):
    from typer.testing import CliRunner

    from mkba_mc.cli import app

    return CliRunner().invoke(app, args)


def test_report_says_when_not_computed(cli_ok, b2_path, tmp_path):
    from mkba_mc import build_report

    cli_ok("run", b2_path, "-n", 2000, "--seed", 1, "--out", tmp_path / "run", "--workers", 1)
    html = build_report(tmp_path / "run").read_text(encoding="utf-8")
    assert "Welk onderzoek loont?" in html and "figures/voi.png" not in html


def test_api_returns_dataset_with_provenance_and_checks_options(b2_path, reference):
    from mkba_mc import ConfigError
    from mkba_mc import voi as api_voi

    ds = api_voi(b2_path, N, seed=21, actors=["society", "gemeente"], population=50, workers=1)
    assert np.array_equal(ds["evppi"].values, reference.evppi)  # the same numbers as the engine
    assert np.array_equal(ds["evppi_population"].values, 50 * reference.evppi)
    assert ds.attrs["seed"] == 21 and ds.attrs["input_space"] == "run" and "input_hashes" in ds.attrs
    with pytest.raises(ConfigError) as err:
        api_voi(b2_path, 10, actors=["nobody"], population=-1)
    assert len(err.value.problems) == 3


def test_cli_reports_every_bad_option_at_once(cli_runner, b2_path):
    from mkba_mc.cli import app

    r = cli_runner.invoke(app, ["voi", str(b2_path), "-n", "5", "--actor", "foo", "--population", "0",
                                "--chunk-size", "0", "--seed", "-4"])
    assert r.exit_code == 2
    text = r.output + (r.stderr or "")
    assert "5 problem(s)" in text and all(k in text for k in ("--seed", "--chunk-size", "--actor", "-n", "--population"))


def test_report_refuses_a_voi_of_another_scenario(cli_ok, b2_path, scenarios_dir, tmp_path):
    from mkba_mc import build_report
    from mkba_mc.errors import OutputError

    cli_ok("run", b2_path, "-n", 2000, "--seed", 1, "--out", tmp_path / "run", "--workers", 1)
    cli_ok("voi", scenarios_dir / "ouderenteam.toml", "-n", 2000, "--seed", 1, "--workers", 1,
           "--actor", "society", "--out", tmp_path / "voi")
    with pytest.raises(OutputError, match="different scenarios") as err:
        build_report(tmp_path)
    assert "voi" in str(err.value) and "run" in str(err.value)


def test_population_in_words_singular_and_plural():
    from mkba_mc.report.section_voi import TEXTS, cohorts

    assert cohorts(1.0, "nl") == "1 cohort" and cohorts(1.0, "en") == "1 cohort"
    assert cohorts(12.0, "nl") == "12 cohorten" and cohorts(12.0, "en") == "12 cohorts"
    for lang in ("nl", "en"):  # no "1 cohorten" / "× 1 cohorts" in the console title or the report's intro
        title = TEXTS[lang]["console"].format(n="5.000", population=cohorts(1.0, lang))
        intro = TEXTS[lang]["intro"].format(population=cohorts(1.0, lang))
        assert "1 cohorten" not in title + intro and "1 cohorts" not in title + intro
        assert "× 1" not in title


def test_report_ranking_leaves_out_questions_worth_nothing():
    import pandas as pd

    from mkba_mc.report.section_voi import ranked

    df = pd.DataFrame({"perspective": ["society"] * 4 + ["gemeente"], "factor": ["a", "b", "c", "knop:x", "a"],
                       "kind": ["parameter", "parameter", "parameter", "knop", "parameter"],
                       "members": ["a", "b", "c", "a,b", "a"], "evppi": [0.0, 120.0, 5.0, 130.0, 0.0]})
    assert list(ranked(df, "society")["factor"]) == ["knop:x", "b", "c"]  # "a" (EVPPI 0) is no research question
    assert ranked(df, "gemeente").empty


def test_evpi_table_header_says_what_p_positive_is():
    from mkba_mc.report.section_voi import TEXTS
    from mkba_mc.sensitivity.voi_basis import evpi_sums

    # p_net_benefit_positive is the share with y > 0 (column 6 of the EVPI sums): an actor without flows (y = 0 in
    # every draw) has 0 %, so the header must say "> 0", not "≥ 0" (which the run's tables give as 100 %)
    out = np.zeros((1, 6))
    evpi_sums(np.zeros((1, 8)), out)
    assert out[0, 5] == 0.0
    assert TEXTS["nl"]["p_pos"] == "Kans saldo > 0" and TEXTS["en"]["p_pos"] == "Chance balance > 0"


def test_report_when_no_single_question_changes_the_decision(tmp_path):
    # EVPI > 0 for society but every EVPPI 0 (only joint certainty helps): the summary names the EVPI without a
    # top question (it raised IndexError), the section says so in a sentence instead of an empty table
    from types import SimpleNamespace

    import pandas as pd

    from mkba_mc.report.section_voi import section_voi, voi_summary

    pd.DataFrame({"perspective": ["society", "society", "gemeente"], "factor": ["a", "b", "a"],
                  "kind": ["parameter"] * 3, "members": ["a", "b", "a"], "evppi": [0.0, 0.0, 40.0],
                  "evppi_se": [0.0, 0.0, 3.0], "evppi_population": [0.0, 0.0, 40.0], "evpi": [500.0, 500.0, 90.0],
                  "evpi_se": [9.0, 9.0, 4.0], "evpi_population": [500.0, 500.0, 90.0], "flag": ["", "", ""]}
                 ).to_csv(tmp_path / "voi.csv", index=False)
    figures = []
    ctx = SimpleNamespace(art=SimpleNamespace(voi=tmp_path), lang="nl", code_names=set(),
                          figure=lambda *a, **k: figures.append(a[0]) or "")
    line = voi_summary(ctx)
    assert "Maatschappij (saldo) € 500; Gemeente (totaal) € 90, het meest door a (€ 40)" in line
    section = section_voi(ctx)
    body = section.body
    assert "zekerheid over één onderwerp of knop alleen verandert de beslissing niet" in body
