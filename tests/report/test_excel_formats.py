"""Every numeric cell of summary.xlsx and comparison.xlsx has an explicit
number format (euros, ratios with two decimals, percentages); header rows
are frozen and columns sized."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from mkba_mc.report.compare import comparison_table, write_comparison

EURO = '"€" #,##0;"€" -#,##0'


def numeric_cells(path: Path) -> list[tuple[str, object, object, str]]:
    """(sheet, row label, header, number format) of every numeric cell."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        headers = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    out.append((ws.title, row[0].value, headers[cell.column - 1], cell.number_format))
    return out


def test_every_numeric_cell_of_summary_xlsx_has_a_format(run_dir: Path) -> None:
    cells = numeric_cells(run_dir / "summary.xlsx")
    assert len(cells) > 200  # every sheet of a default run
    assert [c for c in cells if c[3] == "General"] == []
    fmt = {(s, r, h): f for s, r, h, f in cells}
    assert fmt[("samenvatting", "Maatschappelijke K-B-verhouding", "Mediaan (P50)")] == "0.00"
    assert fmt[("samenvatting", "Saldo (baten minus kosten)", "Mediaan (P50)")] == EURO
    assert fmt[("samenvatting", "Maatschappelijke K-B-verhouding", "Aantal ongeldige trekkingen")] == "#,##0"
    assert fmt[("kansen", "Maatschappelijke K-B-verhouding ≥ 1", "Kans")] == "0.0%"
    assert fmt[("kansen", "Maatschappelijke K-B-verhouding ≥ 1", "Aantal trekkingen")] == "#,##0"
    assert fmt[("puntschatting", "Benodigde formatie volgens caseload (fte)", "Puntschatting")] == "0.00"
    assert fmt[("scherm A (NCW)", "Maatschappelijke K-B-verhouding", "NCW (€)")] == "0.00"
    assert fmt[("scherm A (NCW)", "Totale kosten", "NCW (€)")] == EURO
    assert fmt[("scherm B (begroting)", "Saldo", "Gemeente")] == EURO


def test_summary_xlsx_freezes_headers_and_sizes_columns(run_dir: Path) -> None:
    wb = openpyxl.load_workbook(run_dir / "summary.xlsx")
    assert wb["samenvatting"].freeze_panes == "B2"  # header row and the output column
    assert wb["scherm A (NCW)"].freeze_panes == "A2"
    widths = wb["scherm A (NCW)"].column_dimensions
    assert widths["A"].width >= len("4 Extra zorg in bekende en nieuw gevonden huishoudens")


@pytest.fixture
def comparison(run_dir: Path, tmp_path: Path) -> Path:
    write_comparison(comparison_table([run_dir, run_dir]), tmp_path / "cmp")
    return tmp_path / "cmp" / "comparison.xlsx"


def test_every_numeric_cell_of_comparison_xlsx_has_a_format(comparison: Path) -> None:
    cells = numeric_cells(comparison)
    assert cells and [c for c in cells if c[3] == "General"] == []
    fmt = {h: f for _, _, h, f in cells}
    assert fmt["Kans Maatschappelijke K-B-verhouding ≥ 1"] == "0.0%"
    assert fmt["Maatschappelijke K-B-verhouding, mediaan (P50)"] == "0.00"
    assert fmt["Saldo (baten minus kosten), mediaan (P50)"] == EURO
    assert fmt["Aantal trekkingen"] == "0"
