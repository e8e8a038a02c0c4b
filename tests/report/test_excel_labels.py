"""summary.xlsx and comparison.xlsx speak to a policy officer: Dutch headers
and row labels instead of code names, screens A and B laid out as the LPBL
MKBA-tool (Bijlage 2), and no machine path in the comparison workbook."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd

from mkba_mc.model.outputs import ALL_OUTPUTS
from mkba_mc.report.compare import comparison_table, relative_folders, write_comparison

#: A code name: lower-case words joined by underscores or dots (``ncw_cost``,
#: ``ratio_social``, ``actor_balance.huishoudens``), or a bare statistic (``p5``, ``sd``).
CODE = re.compile(r"^([a-z0-9]+([_.][a-z0-9]+)+|p\d+|sd|se|n|p|mean)$")


def header_rows(path: Path) -> dict[str, list[object]]:
    return {ws.title: [c.value for c in ws[1]] for ws in openpyxl.load_workbook(path).worksheets}


def first_column(path: Path, sheet: str) -> list[object]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [row[0].value for row in ws.iter_rows(min_row=2)]


def test_every_header_of_summary_xlsx_is_a_dutch_label(run_dir: Path) -> None:
    headers = header_rows(run_dir / "summary.xlsx")
    assert len(headers) == 7
    for sheet, row in headers.items():
        assert row and all(isinstance(h, str) and h for h in row), (sheet, row)
        assert [h for h in row if CODE.match(h) or h in ALL_OUTPUTS] == [], sheet
    assert headers["samenvatting"] == ["Uitkomst", "Gemiddelde", "Standaardafwijking", "5e percentiel (P5)",
                                       "10e percentiel (P10)", "Mediaan (P50)", "90e percentiel (P90)",
                                       "95e percentiel (P95)", "Aantal ongeldige trekkingen"]
    assert headers["kansen"] == ["Gebeurtenis", "Kans", "Standaardfout", "Aantal trekkingen"]
    assert headers["actoren"] == ["Actor", "Kosten, NCW (€)", "Baten, NCW (€)", "Kosten, begroting na 2 jaar (€)",
                                  "Baten, begroting na 2 jaar (€)"]


def test_row_labels_of_summary_xlsx_are_dutch(run_dir: Path) -> None:
    path = run_dir / "summary.xlsx"
    for sheet in ("samenvatting", "kansen", "puntschatting", "actoren"):
        labels = first_column(path, sheet)
        assert labels and [v for v in labels if CODE.match(str(v))] == [], sheet
    assert "Saldo Woningcorporatie" in first_column(path, "samenvatting")
    assert "Maatschappelijke K-B-verhouding ≥ 1" in first_column(path, "kansen")
    assert first_column(path, "actoren")[-1] == "Gemeente (totaal)"


def test_screen_a_is_laid_out_as_the_lpbl_tool(run_dir: Path) -> None:
    ws = openpyxl.load_workbook(run_dir / "summary.xlsx")["scherm A (NCW)"]
    rows = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2)}
    assert [r[0].value.strip() for r in ws.iter_rows(min_row=2)] == [
        "KOSTEN", "Totale kosten", "1 Kosten nieuwe aanpak", "2 Eenmalige (frictie)kosten",
        "3 Kosten a.g.v. meer gevonden huishoudens", "4 Extra zorg in bekende en nieuw gevonden huishoudens",
        "BATEN", "Totale baten", "1 Besparing organisatiekosten", "a Nieuw voor oud",
        "b Minder trajecten a.g.v. substitutie", "2 Toename effectiviteit trajecten",
        "3 Voorkomen (escalatie)kosten", "4 Immateriële baten", "a Ontwikkelingskansen kinderen",
        "b Toename kwaliteit van leven", "c Reductie overlast en onveiligheid", "Saldo (baten minus kosten)",
        "Financiële K-B-verhouding", "Maatschappelijke K-B-verhouding", "Gemeentelijke K-B-verhouding",
        "Gemeentelijke K-B-verhouding, verzilverd"]
    assert rows["KOSTEN"] is None and rows["BATEN"] is None  # headings, as in the tool
    # subtotals against the published screen A of Bijlage 2 (€ 91,100 and € 73,700, rounded to hundreds)
    assert abs(rows["1 Besparing organisatiekosten"] - 91_100) < 100
    assert abs(rows["4 Immateriële baten"] - 73_700) < 150
    assert abs(rows["Saldo (baten minus kosten)"] - 140_600) < 1_000
    assert ws.freeze_panes == "A2"


def test_screen_b_has_a_dutch_corner_header(run_dir: Path) -> None:
    headers = header_rows(run_dir / "summary.xlsx")["scherm B (begroting)"]
    assert headers == ["Begroting na 2 jaar", "Gemeente", "Zorgverzekeraar", "Huishoudens", "Overige partijen"]


def test_relative_folders_name_folders_below_their_common_root(tmp_path: Path) -> None:
    root = tmp_path / "batch"
    assert relative_folders(pd.Series([str(root / "a" / "run"), str(root / "b" / "run")])) == ["a/run", "b/run"]
    assert relative_folders(pd.Series([str(root / "a")])) == ["a"]
    assert relative_folders(pd.Series([str(root / "a"), str(root / "a")])) == ["a", "a"]


def test_comparison_xlsx_has_dutch_headers_and_no_machine_path(run_dir: Path, tmp_path: Path) -> None:
    table = comparison_table([run_dir, run_dir])
    write_comparison(table, tmp_path / "cmp")
    wb = openpyxl.load_workbook(tmp_path / "cmp" / "comparison.xlsx")
    ws = wb["vergelijking"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["Scenario", "Map", "Aantal trekkingen", "Startgetal (seed)"]
    assert "Kans Maatschappelijke K-B-verhouding ≥ 1" in headers and "Kans saldo Zorgverzekeraar ≥ 0" in headers
    assert [h for h in headers if CODE.match(h) or "_" in h or ">=" in h] == []
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert [t for t in texts if str(tmp_path) in t or str(run_dir) in t or t.startswith("/")] == []
    assert [ws.cell(r, 2).value for r in (2, 3)] == [run_dir.name, run_dir.name]
    csv = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    assert list(csv["folder"]) == [str(run_dir), str(run_dir)]  # the CSV keeps the machine-readable column
    assert "ratio_social_p50" in csv.columns


def test_comparison_workbook_says_no_flows_and_never_instead_of_1_and_inf() -> None:
    from mkba_mc.report.compare import workbook_table

    # scenario a: rijk_wlz without flows (balance 0 in every draw, so P(balance >= 0) = 1 by construction) and a
    # median payback year of inf (more than half of the draws never pay back), as mpg_aanpak / ouderenteam give
    table = pd.DataFrame({"scenario": ["a", "b"], "folder": ["/x/a/run", "/x/b/run"],
                          "P(rijk_wlz balance >= 0)": [1.0, 0.42], "P(huishoudens balance >= 0)": [1.0, 1.0],
                          "no_flows": ["rijk_wlz corporatie", ""], "payback_year_p50": [float("inf"), 8.0]})
    for lang, none, never in (("nl", "geen stromen", "niet binnen het programma"),
                              ("en", "no flows", "not within the programme")):
        frame, _ = workbook_table(table, lang)
        wlz = [c for c in frame.columns if "Wlz" in c][0]
        households = [c for c in frame.columns if ("Huishoudens" if lang == "nl" else "Households") in c][0]
        assert list(frame[wlz]) == [none, 0.42]
        assert list(frame[households]) == [1.0, 1.0]  # an actor with flows keeps its probability
        assert list(frame.iloc[:, -1]) == [never, 8.0]
