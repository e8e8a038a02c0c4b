"""summary.xlsx laid out as the LPBL MKBA-tool (Bijlage 2): screen A with bold
KOSTEN/BATEN headings, totals, subtotals and saldo, indented posts; Dutch
workbooks in Dutch and English ones (``run --lang en``) in English."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from report_helpers import B2

#: Screen A of Bijlage 2 (meta-analyse 2014): the rows printed bold there, and the indent of each row.
BOLD_NL = {"KOSTEN", "Totale kosten", "BATEN", "Totale baten", "1 Besparing organisatiekosten", "4 Immateriële baten",
           "Saldo (baten minus kosten)"}
INDENT_NL = {"1 Kosten nieuwe aanpak": 1, "4 Extra zorg in bekende en nieuw gevonden huishoudens": 1,
             "1 Besparing organisatiekosten": 1, "a Nieuw voor oud": 2, "b Minder trajecten a.g.v. substitutie": 2,
             "2 Toename effectiviteit trajecten": 1, "c Reductie overlast en onveiligheid": 2, "KOSTEN": 0,
             "Totale baten": 0, "Maatschappelijke K-B-verhouding": 0}


def rows_of(ws) -> dict[str, tuple[bool, int, object]]:
    """Label -> (bold, indent of the label, value) of every row below the header."""
    return {r[0].value: (bool(r[0].font.bold), int(r[0].alignment.indent or 0), r[1].value)
            for r in ws.iter_rows(min_row=2)}


def test_screen_a_headings_totals_bold_and_posts_indented(run_dir: Path) -> None:
    rows = rows_of(openpyxl.load_workbook(run_dir / "summary.xlsx")["scherm A (NCW)"])
    assert {k for k, (bold, _, _) in rows.items() if bold} == BOLD_NL
    assert {k: rows[k][1] for k in INDENT_NL} == INDENT_NL
    assert all(not k.startswith(" ") for k in rows)  # indented by the cell's alignment, not by spaces
    ws = openpyxl.load_workbook(run_dir / "summary.xlsx")["scherm A (NCW)"]
    saldo = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "Saldo (baten minus kosten)")
    assert saldo[1].font.bold  # the value of a bold row is bold too


def test_screen_b_saldo_bold(run_dir: Path) -> None:
    ws = openpyxl.load_workbook(run_dir / "summary.xlsx")["scherm B (begroting)"]
    bold = [r[0].value for r in ws.iter_rows(min_row=2) if r[0].font.bold]
    assert bold == ["Saldo"]


@pytest.fixture(scope="module")
def run_en(tmp_path_factory: pytest.TempPathFactory, cli_ok) -> Path:
    out = tmp_path_factory.mktemp("run_en") / "result"
    cli_ok("run", B2, "-n", 2000, "--seed", 3, "--lang", "en", "--workers", 1, "--out", out)
    return out


def test_english_run_writes_an_english_workbook(run_en: Path) -> None:
    wb = openpyxl.load_workbook(run_en / "summary.xlsx")
    assert wb.sheetnames == ["summary", "probabilities", "screen A (NPV)", "screen B (budget)", "point estimate",
                             "actors", "run"]
    assert [c.value for c in wb["summary"][1]][:3] == ["Output", "Mean", "Standard deviation"]
    assert [c.value for c in wb["probabilities"][1]] == ["Event", "Probability", "Standard error", "Number of draws"]
    labels = [r[0].value for r in wb["probabilities"].iter_rows(min_row=2)]
    assert "Social cost-benefit ratio ≥ 1" in labels and "Balance Health insurer ≥ 0" in labels
    rows = rows_of(wb["screen A (NPV)"])
    assert [k for k, (bold, _, _) in rows.items() if bold] == [
        "COSTS", "Total costs", "BENEFITS", "Total benefits", "1 Savings in organisation costs",
        "4 Immaterial benefits", "Balance (benefits minus costs)"]
    assert [c.value for c in wb["screen B (budget)"][1]][0] == "Budget after 2 years"
    assert [c.value for c in wb["actors"][1]][1] == "Costs, NPV (€)"
    # the same numbers as the Dutch workbook's layout: every numeric cell formatted
    formats = [c.number_format for ws in wb.worksheets for row in ws.iter_rows(min_row=2) for c in row
               if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)]
    assert formats and "General" not in formats
    ratio = next(r for r in wb["screen A (NPV)"].iter_rows(min_row=2) if r[0].value == "Social cost-benefit ratio")
    assert ratio[1].number_format == "0.00"


def test_english_comparison_workbook_has_english_headers(run_dir: Path, tmp_path: Path) -> None:
    import re

    from mkba_mc.report.compare import comparison_table, write_comparison

    write_comparison(comparison_table([run_dir, run_dir]), tmp_path / "cmp", lang="en")
    ws = openpyxl.load_workbook(tmp_path / "cmp" / "comparison.xlsx")["comparison"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["Scenario", "Folder", "Number of draws", "Seed"]
    assert "Social cost-benefit ratio, median (P50)" in headers
    assert "Probability balance Health insurer ≥ 0" in headers and "Actors without flows" in headers
    assert [h for h in headers if re.search(r"_|>=|^P\(", h)] == []
    assert [c.number_format for row in ws.iter_rows(min_row=2) for c in row
            if isinstance(c.value, (int, float)) and c.number_format == "General"] == []
