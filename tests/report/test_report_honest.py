"""A report honest about itself: it names the analyses it holds and those not
run, keeps files and commands out of the main text, refuses to mix
scenarios, and names parameters in plain language outside its appendix."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from report_helpers import B2, ROOT, runner, write_point_json
from test_number_style import visible_text

from mkba_mc.cli import app
from mkba_mc.model.parameters import PARAMETERS
from mkba_mc.report import build_report
from mkba_mc.report.labels import KNOP_LABELS, PARAMETER_LABELS, param_label

OTHER = ROOT / "scenarios" / "ouderenteam.toml"
COMPLETE = "alle gevoeligheidsanalyses staan in dit rapport samen"


def section(page: str, anchor: str) -> str:
    m = re.search(rf'<section id="{anchor}">(.*?)</section>', page, flags=re.S)
    assert m, f"no section {anchor}"
    return m.group(1)


def test_every_registry_parameter_has_a_label_in_both_languages() -> None:
    for name in PARAMETERS:
        nl, en = param_label(name, "nl"), param_label(name, "en")
        assert nl != name and en != name and "_" not in nl and "_" not in en, name
    assert param_label("escalation_rate.elderly", "nl") == "Voorkomen escalaties: ouderen"
    assert param_label("escalation_rate.elderly", "en") == "Prevented escalations: elderly"
    assert set(KNOP_LABELS) >= set(re.findall(r'knop = "(\w+)"', (ROOT / "distributions" / "kengetallen.toml")
                                              .read_text(encoding="utf-8")))
    assert "escalation_rate" in PARAMETER_LABELS


@pytest.fixture(scope="module")
def full_report(analyses_dir: Path, fresh_copy) -> tuple[Path, str]:
    root = fresh_copy(analyses_dir, "honest")
    write_point_json(root / "run")
    return root, build_report(root).read_text(encoding="utf-8")


def test_dutch_report_names_no_code_name_outside_the_appendix(full_report: tuple[Path, str]) -> None:
    root, page = full_report
    text = visible_text(page)
    assert re.findall(r"\b\w+_\w+\b", text) == []  # no snake_case code name (substitution_existing, ...)
    for code in ("substitution_existing", "escalation_rate.elderly", "diagnose_integraliteit"):
        assert code not in text
    appendix = section(page, "appendix")
    assert "<code>substitution_existing</code>" in appendix and "<code>diagnose_integraliteit</code>" in appendix
    assert "Substitutie van zorg bij bekende huishoudens" in html.unescape(section(page, "tornado"))


def test_main_text_has_no_paths_or_commands(full_report: tuple[Path, str]) -> None:
    root, page = full_report
    text = visible_text(page)
    assert str(root) not in text and "/tmp" not in text and "mkba-mc " not in text
    assert not re.search(r"\b\w+\.(csv|nc|json|toml)\b", text), re.search(r".{40}\b\w+\.(csv|nc|json|toml)\b.{20}", text)
    appendix = html.unescape(section(page, "appendix"))
    assert str(root) not in appendix  # paths relative to the results folder
    assert "<code>run</code>" in appendix and "…/scenarios/" in appendix  # the run folder; the scenario outside it by folder and name


def test_complete_report_says_so(full_report: tuple[Path, str]) -> None:
    _, page = full_report
    summary = html.unescape(section(page, "summary"))
    assert COMPLETE in summary and "Niet berekend en dus niet in dit rapport" not in summary
    for title in ("Tornado en omslagpunten", "Puntschatting (basisvariant)"):
        assert title in summary


def test_incomplete_report_lists_what_is_missing(run_dir: Path, fresh_copy) -> None:
    root = fresh_copy(run_dir, "honest-run")
    page = html.unescape(build_report(root).read_text(encoding="utf-8"))
    summary = section(page, "summary")
    assert COMPLETE not in page
    m = re.search(r"Niet berekend en dus niet in dit rapport: ([^<]+)\.", summary)
    assert m, summary
    for title in ("Tornado en omslagpunten", "Break-even"):
        assert title in m.group(1)
    assert "?." not in summary  # a title ending in "?" is quoted before the full stop
    assert "mkba-mc tornado SCENARIO --out DIR" in section(page, "appendix")
    assert "mkba-mc tornado" not in visible_text(page)


def test_two_scenarios_in_one_folder_are_refused(run_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(run_dir, tmp_path / "a")
    r = runner.invoke(app, ["run", str(OTHER), "-n", "500", "--seed", "1", "--workers", "1", "--out",
                            str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["report", str(tmp_path)])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    message = " ".join(r.output.split())
    assert "'Bijlage 2 voorbeeld (LPBL MKBA-tool, 2014)'" in message and "'Team voor kwetsbare ouderen'" in message
    assert "--run" in message
    assert not (tmp_path / "report.html").exists()
    r = runner.invoke(app, ["report", str(tmp_path), "--run", "b"])
    assert r.exit_code == 0, r.output
    page = html.unescape((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert "Niet gebruikt (ander scenario of andere invoer): a." in page
    r = runner.invoke(app, ["report", str(tmp_path), "--run", "nosuch"])
    assert r.exit_code == 2 and "not a run folder" in r.output


def test_english_report_has_the_same_honesty(run_dir: Path, fresh_copy) -> None:
    root = fresh_copy(run_dir, "honest-en")
    page = html.unescape(build_report(root, lang="en").read_text(encoding="utf-8"))
    assert "Not computed, so not in this report:" in section(page, "summary")
    assert "no variant or parameter has been dropped" not in page
    assert B2.name not in visible_text(page)


def test_cli_tables_and_validate_list_name_parameters_in_plain_language() -> None:
    tornado = runner.invoke(app, ["tornado", str(B2)])
    assert tornado.exit_code == 0, tornado.output
    assert "Substitutie van zorg" in tornado.stdout  # the label (its cell may wrap)
    assert "substitution_existing" not in tornado.stdout
    english = runner.invoke(app, ["tornado", str(B2), "--lang", "en"])
    assert "Substitution of care" in english.stdout
    listing = runner.invoke(app, ["validate", "--list"])
    assert listing.exit_code == 0
    assert "escalation_rate.elderly (Voorkomen escalaties: ouderen):" in listing.stdout  # the name to type, and what it is
