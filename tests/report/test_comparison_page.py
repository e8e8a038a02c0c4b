"""comparison.html: the comparison across scenarios as a page of its own,
formatted like the reports (Dutch decimal comma, € 1.234.567), with relative
links to each scenario's report and no machine path."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from mkba_mc.report.compare import comparison_table, write_comparison
from mkba_mc.report.comparison_page import comparison_link, comparison_sections, write_comparison_page

#: One hand-written comparison row (the columns of comparison.csv).
ROW = {"scenario": "Wijk =A", "folder": "/somewhere/a/run", "n": 200000, "seed": 2014,
       "ratio_social_p5": 0.79, "ratio_social_p50": 1.26, "ratio_social_p95": 2.1, "P(ratio_social >= 1)": 0.7826,
       "ratio_financial_p50": 1.15, "ratio_financial_p5": 0.5, "ratio_financial_p95": 1.9,
       "P(ratio_financial >= 1)": 0.621, "ratio_gemeente_p5": 0.5, "ratio_gemeente_p50": 0.99,
       "ratio_gemeente_p95": 1.5, "P(ratio_gemeente >= 1)": 0.425, "balance_p50": 140600.4,
       "balance_gemeente_p50": -1234567.0, "P(gemeente balance >= 0)": 0.4, "P(gemeente_jeugd balance >= 0)": 1.0,
       "P(zorgverzekeraar balance >= 0)": 0.318, "P(split incentive)": 0.358, "payback_year_p50": float("inf"),
       "prefinancing_p50": 662128.0, "no_flows": "gemeente_jeugd"}


def page_of(rows: list[dict], tmp_path: Path, lang: str = "nl") -> str:
    path = tmp_path / "comparison.html"
    write_comparison_page(pd.DataFrame(rows), path, lang)
    return path.read_text(encoding="utf-8")


def test_numbers_are_written_in_the_report_style(tmp_path: Path) -> None:
    page = page_of([ROW], tmp_path)
    assert "0,79 – 2,10 (1,26)" in page and 'data-key="p_ratio_social_ge_1.0">78,3 %<' in page
    assert "€ 140.600" in page and "€ -1.234.567" in page and "€ 662.128" in page
    assert "35,8 %" in page and "niet binnen het programma" in page  # inf: never paid back
    assert "Wijk =A" in page and "<td>200.000</td>" in page
    en = page_of([ROW], tmp_path, "en")
    assert "0.79 – 2.10 (1.26)" in en and "€140,600" in en and "not within the programme" in en


def test_actor_without_flows_says_so(tmp_path: Path) -> None:
    page = page_of([ROW], tmp_path)
    row = re.search(r"<tr><td class=\"l\">Gemeente: jeugd</td>(.*?)</tr>", page)
    assert row and "geen stromen" in row[1] and "100,0 %" not in row[1]
    assert re.search(r"Zorgverzekeraar</td><td>31,8 %</td>", page)


def test_no_machine_path_and_links_are_relative(tmp_path: Path) -> None:
    scen = tmp_path / "batch" / "x"
    (scen / "run").mkdir(parents=True)
    (scen / "report.html").write_text("<html></html>")
    rows = [dict(ROW, folder=str(scen / "run"))]
    sections = comparison_sections(pd.DataFrame(rows), "nl", None, tmp_path / "batch" / "comparison")
    body = "".join(s.body for s in sections)
    assert '<a href="../x/report.html">' in body
    assert str(tmp_path) not in body and "/somewhere" not in body


def test_compare_writes_the_page_with_the_figure(run_dir: Path, tmp_path: Path) -> None:
    write_comparison(comparison_table([run_dir, run_dir]), tmp_path / "cmp")
    page = (tmp_path / "cmp" / "comparison.html").read_text(encoding="utf-8")
    assert page.count('<img src="data:image/png;base64,') == 1
    summary = pd.read_csv(run_dir / "summary.csv").set_index("output")
    p = float(summary.loc["ratio_social_ge_1", "p"])
    assert 'data-key="p_ratio_social_ge_1.1">' + f"{100 * p:.1f} %<".replace(".", ",") in page
    assert str(run_dir) not in page and str(tmp_path) not in page


def test_batch_reports_link_to_the_comparison(tmp_path: Path) -> None:
    (tmp_path / "scen").mkdir()
    assert comparison_link(tmp_path / "scen", "nl") == ""  # not a batch
    (tmp_path / "batch.json").write_text("{}")
    link = comparison_link(tmp_path / "scen", "nl")
    assert 'href="../comparison/comparison.html"' in link and "vergelijking" in link


def test_comparison_figure_keeps_names_and_notes_readable() -> None:
    """A name with control characters shows them as \\xNN (as the workbooks do),
    long names wrap onto two lines, and every "P(>= 1)" note ends inside its own
    panel, also for a scenario whose whole range lies far right of 1."""
    import warnings

    from mkba_mc.report.compare import comparison_plot

    rows = [dict(ROW, scenario="bell\x07and\x1bescape"),
            dict(ROW, scenario="Stedelijk netwerk van sociale teams, nieuw-voor-oud, met een lange naam",
                 ratio_social_p5=1.7, ratio_social_p50=2.2, ratio_social_p95=2.9, **{"P(ratio_social >= 1)": 1.0})]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning of matplotlib
        fig = comparison_plot(pd.DataFrame(rows), "nl")
        fig.canvas.draw()
    r = fig.canvas.get_renderer()
    left, right = fig.axes[:2]
    names = [t.get_text() for t in left.get_yticklabels()]
    assert names[0] == "bell\\x07and\\x1bescape"
    assert names[1].count("\n") == 1 and all(len(line) <= 36 for line in names[1].split("\n"))
    for ax in (left, right):
        box = ax.get_window_extent(r)
        notes = [t for t in ax.texts if t.get_text().startswith("P(")]
        assert len(notes) == 2
        assert all(box.x0 <= t.get_window_extent(r).x0 and t.get_window_extent(r).x1 <= box.x1 for t in notes)
    assert [t.get_text() for t in left.texts if t.get_text().startswith("P(")][1] == "P(≥ 1) 100,0 %"
