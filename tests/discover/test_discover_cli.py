"""``mkba-mc discover`` end to end: every shipped scenario, the run's samples,
bit-identity, clean errors (exit 2), the files and the report section."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from mkba_mc.cli import app

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
runner = CliRunner()


def _invoke(*args: object) -> Result:
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_shipped_scenario_gets_boxes_in_dutch_or_an_honest_no(scenario: Path) -> None:
    res = _invoke("discover", scenario, "-n", 4000, "--seed", 3, "--workers", 1)
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.replace("\n ", " ").split(".\n") if ln.strip()]
    text = " ".join(res.output.split())
    assert text.count("vooral als") + text.count("Geen gebied voor") == 3  # one sentence per event
    for sentence in text.split("%). "):
        if "vooral als" in sentence:
            assert "dekking" in sentence and "dichtheid" in sentence
    assert "_" not in text  # no code names in the Dutch text
    assert lines


def test_stedelijk_never_loses_and_says_so() -> None:
    res = _invoke("discover", ROOT / "scenarios" / "stedelijk_nieuw_voor_oud.toml", "-n", 2000, "--workers", 1)
    assert res.exit_code == 0, res.output
    assert " ".join(res.output.split()).count("komt in geen van de 2.000 trekkingen voor") == 3


def test_the_boxes_are_found_in_the_run_samples(tmp_path: Path) -> None:
    """Same seed and n as ``run``: the number of samples where the municipality
    loses equals n (1 - P(ratio_gemeente >= 1)) of the run."""
    run = _invoke("run", B2, "-n", 5000, "--seed", 9, "--workers", 1, "--json")
    assert run.exit_code == 0, run.output
    p = json.loads(run.output)["probabilities"]["ratio_gemeente_ge_1"]["p"]
    res = _invoke("discover", B2, "-n", 5000, "--seed", 9, "--workers", 1, "--json", "--event", "ratio_gemeente_lt_1")
    assert res.exit_code == 0, res.output
    ev = json.loads(res.output)["events"]["ratio_gemeente_lt_1"]
    assert ev["samples_with_event"] == round(5000 * (1 - p))
    assert ev["status"] == "box" and ev["box"] and "De gemeente verliest vooral als" in ev["text"]["nl"]
    assert "The municipality loses mainly when" in ev["text"]["en"]
    assert 0.5 <= ev["coverage"] <= 1 and ev["density"] > 1 - p


def test_same_seed_same_boxes_whatever_the_workers() -> None:
    from mkba_mc import discover

    a = discover(B2, n=6000, seed=4, workers=1)
    b = discover(B2, n=6000, seed=4, workers=2)
    for v in a.data_vars:
        if a[v].dtype.kind == "f":
            np.testing.assert_array_equal(a[v].values, b[v].values)
        else:
            assert list(a[v].values.ravel()) == list(b[v].values.ravel())
    c = discover(B2, n=6000, seed=5, workers=1)
    assert not np.array_equal(a["traj_density"].values, c["traj_density"].values, equal_nan=True)


def test_sample_levers_names_lever_settings() -> None:
    from mkba_mc import discover

    ds = discover(B2, ["ratio_social_lt_1"], n=6000, seed=2, sample_levers=True, workers=1)
    assert ds.attrs["input_space"] == "levers"
    restricted = [str(p) for p in ds["parameter"].values
                  if np.isfinite(ds["lower"].sel(event="ratio_social_lt_1", parameter=p))]
    # the what-if samples substitution in known households over Tabel 4.5's range: it decides
    assert "substitution_existing" in restricted


@pytest.mark.parametrize("args, needle", [
    (("--event", "society_wins"), "one of ratio_social_lt_1, ratio_gemeente_lt_1, split_incentive"),
    (("-n", 50), "at least 1,000 samples"),
    (("--box", 2), "one --event with --box"),
    (("--event", "ratio_gemeente_lt_1", "--box", 9999), "a box of the peeling trajectory, 0 to"),
    (("--peel-alpha", 0.7), "--peel-alpha"),
])
def test_bad_options_are_clean_errors(args: tuple, needle: str) -> None:
    res = _invoke("discover", B2, "-n", 2000, "--workers", 1, *args)
    assert res.exit_code == 2, res.output
    assert needle in " ".join(res.output.split())
    assert "Traceback" not in res.output


def test_an_event_that_never_happens_is_a_clean_error_when_asked_for() -> None:
    res = _invoke("discover", ROOT / "scenarios" / "stedelijk_nieuw_voor_oud.toml", "-n", 2000, "--workers", 1,
                  "--event", "ratio_social_lt_1")
    assert res.exit_code == 2, res.output
    assert "it occurs in 0 of 2,000" in " ".join(res.output.split())


def test_out_files_and_report_section(run_dir: Path, fresh_copy: Callable[..., Path]) -> None:
    from mkba_mc import build_report

    root = fresh_copy(run_dir, "disc")
    out = root / "discover"
    res = _invoke("discover", B2, "-n", 4000, "--seed", 11, "--workers", 1, "--out", out)
    assert res.exit_code == 0, res.output
    assert {p.name for p in out.iterdir()} >= {"discover.nc", "discover.csv", "trajectory.csv", "manifest.json"}
    man = json.loads((out / "manifest.json").read_text())
    assert man["analysis"] == "discover" and man["seed"] == 11 and man["n"] == 4000 and man["input_hashes"]
    again = _invoke("discover", B2, "-n", 4000, "--seed", 11, "--workers", 1, "--out", out)
    assert again.exit_code == 2  # never silently overwritten
    html = build_report(root).read_text(encoding="utf-8")
    assert "Wanneer slaat de conclusie om?" in html and "vooral als" in html and "dekking" in html
    assert (root / "figures" / "discover.png").is_file()
    summary = html[html.index('id="summary"'):html.index('id="point"')]
    assert "De gemeente verliest vooral als" in summary  # the municipality's box heads the summary
    html_en = build_report(root, "en").read_text(encoding="utf-8")
    assert "mainly when" in html_en
    assert _invoke("voi", B2, "-n", 4000, "--seed", 11, "--workers", 1, "--out", root / "voi").exit_code == 0
    html = build_report(root).read_text(encoding="utf-8")
    summary = html[html.index('id="summary"'):html.index('id="point"')]
    assert "Waarde van extra onderzoek (EVPI per cohort): Maatschappij" in summary and "het meest door" in summary


def test_report_without_discovery_says_so(run_dir: Path, fresh_copy: Callable[..., Path]) -> None:
    from mkba_mc import build_report

    root = fresh_copy(run_dir, "nodisc")
    html = build_report(root).read_text(encoding="utf-8")
    main, _, appendix = html.partition('id="appendix"')
    assert "Deze resultatenmap bevat geen scenario-ontdekking" in main
    assert "discover.nc" not in main and "vooral als" not in main
    contains = next(line for line in main.split("<li>") if "Dit rapport bevat:" in line)
    assert "Puntschatting" in contains and "scenario-ontdekking" not in contains  # not claimed as contained


@pytest.mark.parametrize("command", ["discover", "voi"])
def test_force_replaces_a_folder_of_its_own_files(tmp_path: Path, command: str) -> None:
    """discover.* / trajectory.csv and voi.* are mkba-mc's own result files: without --force a second
    write is refused, with --force it replaces them (a batch rerun with other settings does the same)."""
    out = tmp_path / command
    args = [command, B2, "-n", 2000, "--seed", 5, "--workers", 1, "--out", out]
    assert _invoke(*args).exit_code == 0
    again = _invoke(*args)
    assert again.exit_code == 2 and "--force" in again.output
    assert _invoke(*args, "--force").exit_code == 0


def test_bad_options_of_both_checks_are_reported_at_once() -> None:
    # a bad --seed (common check) and a bad --event (discovery check) in one message, not one run after the other
    res = _invoke("discover", B2, "-n", 50, "--workers", 1, "--seed", -1, "--event", "society_wins")
    assert res.exit_code == 2, res.output
    out = " ".join(res.output.split())
    assert "--seed" in out and "--event" in out and "at least 1,000 samples" in out
    assert out.count("-n: n = 50") == 1  # the -n problem of both checks once
    assert "Traceback" not in res.output


@pytest.mark.parametrize("command", [("discover", "-n", 2000), ("sobol", "--method", "shapley", "-n", 16)],
                         ids=["discover", "shapley"])
def test_report_refuses_a_discovery_or_shapley_of_another_scenario(tmp_path: Path, command: tuple) -> None:
    # a discover/ or shapley folder of the elderly team beside a run of Bijlage 2 is refused like a voi/ of
    # another scenario: its boxes or effects would otherwise appear under Bijlage 2's title
    from mkba_mc import build_report
    from mkba_mc.errors import OutputError

    assert _invoke("run", B2, "-n", 2000, "--seed", 1, "--out", tmp_path / "run", "--workers", 1).exit_code == 0
    res = _invoke(command[0], ROOT / "scenarios" / "ouderenteam.toml", *command[1:], "--workers", 1,
                  "--out", tmp_path / "other")
    assert res.exit_code == 0, res.output
    with pytest.raises(OutputError, match="different scenarios") as err:
        build_report(tmp_path)
    assert "other" in str(err.value) and "run" in str(err.value)
    assert build_report(tmp_path, run="run").is_file()  # naming the run leaves the other scenario out


def test_an_explicit_box_is_the_trajectorys_box_exactly() -> None:
    """--box i is box i of the peeling trajectory as it stands (not pruned or pasted, as EMA's inspect(i))."""
    from mkba_mc import discover

    ds = discover(B2, ["ratio_gemeente_lt_1"], n=2000, seed=0, box=30, workers=1).sel(event="ratio_gemeente_lt_1")
    assert int(ds["chosen"]) == 30
    assert float(ds["coverage"]) == pytest.approx(float(ds["traj_coverage"].isel(step=30)))
    assert float(ds["density"]) == pytest.approx(float(ds["traj_density"].isel(step=30)))


def test_without_seed_a_fresh_seed_is_drawn_and_recorded() -> None:
    a, b = (_invoke("discover", B2, "-n", 2000, "--workers", 1, "--json") for _ in range(2))
    assert a.exit_code == 0 and b.exit_code == 0, a.output
    seeds = [json.loads(r.output)["seed"] for r in (a, b)]
    assert all(isinstance(s, int) for s in seeds) and seeds[0] != seeds[1]
