"""The comparison across scenarios as an HTML page of its own (``comparison.html``).

``mkba-mc compare --out`` and ``mkba-mc batch`` write it beside
``comparison.csv``, ``.xlsx`` and ``.png``: the ranges (P5-P95 and median)
of the three cost-benefit ratios with P(ratio ≥ 1), the chance of a split
incentive, the median payback year and pre-financing need, and P(saldo ≥ 0)
per actor -- the headline figures of each scenario's report
(meta-analyse 2014, §4.5: who gains), formatted like the reports
(:mod:`mkba_mc.report.formats`: ``1,31``, ``87,4 %``, ``€ 1.234.567``) and
styled by the same page (:func:`mkba_mc.report.html.render_page`).  The
page opens offline (the figure as a ``data:`` URI) and names no machine
path: each scenario links to its own ``report.html`` by a path relative to
the comparison folder.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import pandas as pd

from ..model.sets import ACTORS
from .formats import MISSING, count, eur, finite, prob, ratio
from .html import Section, esc, html_table, key_figure, render_page
from .labels import ACTOR_LABELS, LABELS

#: The page's sentences, nl and en.
PAGE_TEXT: Final[dict[str, dict[str, str]]] = {
    "nl": {
        "title": "MKBA sociale wijkteams: scenario's vergeleken",
        "subtitle": "Vergelijking van de Monte Carlo-analyses per scenario, gemaakt {created}",
        "notes": "Let op",
        "overview": "Kosten-batenverhoudingen",
        "overview_text": "Per scenario de bandbreedte van de kosten-batenverhoudingen over de trekkingen: "
                         "P5 – P95 (90 % van de trekkingen ligt ertussen) met de mediaan, en de kans dat de "
                         "verhouding minstens 1 is (de baten zijn dan minstens zo groot als de kosten). "
                         "Elk scenario heeft zijn eigen run; het aantal trekkingen staat bij de technische gegevens.",
        "scenario": "Scenario", "range": "P5 – P95 (mediaan)", "p_ge_1": "P(≥ 1)",
        "figure": "Figuur", "figure_caption": "Bandbreedte P5 – P95 (balk) en mediaan (punt) van de "
                  "maatschappelijke en de gemeentelijke K-B-verhouding per scenario; rode lijn: verhouding 1.",
        "programme": "Wie wint, en wanneer is het terugverdiend?",
        "programme_text": "De kans op een gesplitste prikkel (de maatschappij wint, de gemeente verliest), het "
                          "mediane saldo voor de maatschappij en de gemeente, en voor het programma (een cohort per "
                          "jaar) het mediane terugverdienjaar en de mediane voorfinanciering.",
        "split": "P(gesplitste prikkel)", "balance": "Saldo maatschappij (mediaan)",
        "balance_gemeente": "Saldo gemeente (mediaan)", "p_gemeente": "P(saldo gemeente ≥ 0)",
        "payback": "Terugverdienjaar (mediaan)", "prefinancing": "Voorfinanciering (mediaan)",
        "never": "niet binnen het programma", "year": "jaar {y}",
        "actors": "Kans op een positief saldo per actor",
        "actors_text": "P(saldo ≥ 0): de kans dat de baten van een actor minstens zo groot zijn als zijn kosten "
                       "(netto contante waarde). \"geen stromen\": de actor betaalt en ontvangt in dit scenario niets.",
        "no_flows": "geen stromen", "actor": "Actor",
        "technical": "Technische gegevens",
        "technical_text": "Aantal trekkingen en startgetal (seed) van elke run, en het rapport van elk scenario "
                          "(een pad ten opzichte van deze map).",
        "n": "Aantal trekkingen", "seed": "Startgetal (seed)", "report": "Rapport", "no_report": "geen rapport",
    },
    "en": {
        "title": "MKBA social neighbourhood teams: scenarios compared",
        "subtitle": "Comparison of the Monte Carlo analyses per scenario, created {created}",
        "notes": "Note",
        "overview": "Cost-benefit ratios",
        "overview_text": "Per scenario the range of the cost-benefit ratios over the draws: P5 – P95 (90 % of "
                         "the draws lie between) with the median, and the probability that the ratio is at least "
                         "1 (benefits at least as large as costs). Each scenario has its own run; the number of "
                         "draws is listed under technical details.",
        "scenario": "Scenario", "range": "P5 – P95 (median)", "p_ge_1": "P(≥ 1)",
        "figure": "Figure", "figure_caption": "Range P5 – P95 (bar) and median (dot) of the social and the "
                  "municipal cost-benefit ratio per scenario; red line: ratio 1.",
        "programme": "Who gains, and when is it paid back?",
        "programme_text": "The probability of a split incentive (society gains, the municipality loses), the median "
                          "balance for society and the municipality, and for the programme (one cohort a year) the "
                          "median payback year and the median pre-financing need.",
        "split": "P(split incentive)", "balance": "Balance society (median)",
        "balance_gemeente": "Balance municipality (median)", "p_gemeente": "P(municipal balance ≥ 0)",
        "payback": "Payback year (median)", "prefinancing": "Pre-financing need (median)",
        "never": "not within the programme", "year": "year {y}",
        "actors": "Probability of a positive balance per actor",
        "actors_text": "P(balance ≥ 0): the probability that an actor's benefits are at least as large as its "
                       "costs (net present value). \"no flows\": the actor pays and receives nothing in this scenario.",
        "no_flows": "no flows", "actor": "Actor",
        "technical": "Technical details",
        "technical_text": "Number of draws and seed of each run, and each scenario's report (a path relative to "
                          "this folder).",
        "n": "Number of draws", "seed": "Seed", "report": "Report", "no_report": "no report",
    },
}

RATIOS: Final[tuple[str, ...]] = ("ratio_social", "ratio_financial", "ratio_gemeente")


def _get(row: Mapping[str, Any], key: str) -> float | None:
    v = row.get(key)
    return None if v is None or pd.isna(v) else float(v)


def ratio_range(row: Mapping[str, Any], key: str, lang: str) -> str:
    """``0,79 – 2,10 (1,26)``: P5 – P95 with the median of ratio ``key``."""
    p5, p50, p95 = (_get(row, f"{key}_{q}") for q in ("p5", "p50", "p95"))
    if p50 is None:
        return MISSING
    return f"{ratio(p5, lang)} – {ratio(p95, lang)} ({ratio(p50, lang)})"


def payback_text(v: float | None, T: Mapping[str, str]) -> str:
    """The median payback year: ``jaar 8``, "not within the programme" (inf) or ``–`` (not computed)."""
    if v is None:
        return MISSING
    return T["year"].format(y=int(v)) if finite(v) else T["never"]


def report_link(folder: str, page_dir: Path) -> str | None:
    """The scenario's ``report.html`` (in its run folder or the folder above,
    as ``batch`` writes it) relative to ``page_dir``, or None."""
    run = Path(folder)
    for cand in (run / "report.html", run.parent / "report.html"):
        if cand.is_file():
            return Path(os.path.relpath(cand.resolve(), page_dir.resolve())).as_posix()
    return None


def comparison_sections(table: pd.DataFrame, lang: str, png: bytes | None, page_dir: Path) -> list[Section]:
    """The sections of ``comparison.html`` (see the module notes)."""
    T = PAGE_TEXT[lang]
    L = LABELS[lang]
    rows = [dict(r) for _, r in table.iterrows()]
    names = [esc(r.get("scenario", "")) for r in rows]

    head = [esc(T["scenario"])]
    for key in RATIOS:
        head += [f"{esc(L[key])}<br>{esc(T['range'])}", esc(T["p_ge_1"])]
    body = []
    for i, (name, r) in enumerate(zip(names, rows)):
        cells = [name]
        for key in RATIOS:
            p = _get(r, f"P({key} >= 1)")
            cells += [esc(ratio_range(r, key, lang)),
                      key_figure(f"p_{key}_ge_1.{i}", prob(p, lang)) if p is not None else MISSING]
        body.append(cells)
    sections = [Section("ratios", T["overview"], f"<p>{esc(T['overview_text'])}</p>" + html_table(head, body))]

    if png:
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        sections.append(Section("figure", T["figure"],
                                f'<figure><img src="{uri}" alt="{esc(T["figure_caption"])}">'
                                f"<figcaption>{esc(T['figure_caption'])}</figcaption></figure>"))

    head = [esc(T[k]) for k in ("scenario", "split", "balance", "balance_gemeente", "p_gemeente", "payback",
                                 "prefinancing")]
    body = [[name, esc(prob(_get(r, "P(split incentive)"), lang)), esc(eur(_get(r, "balance_p50"), lang)),
             esc(eur(_get(r, "balance_gemeente_p50"), lang)), esc(prob(_get(r, "P(gemeente balance >= 0)"), lang)),
             esc(payback_text(_get(r, "payback_year_p50"), T)), esc(eur(_get(r, "prefinancing_p50"), lang))]
            for name, r in zip(names, rows)]
    sections.append(Section("programme", T["programme"], f"<p>{esc(T['programme_text'])}</p>" + html_table(head, body)))

    # one row per actor, one column per scenario: nine actors do not fit side by side
    actors = [a for a in ACTORS if any(f"P({a} balance >= 0)" in r for r in rows)]
    flat = [set(str(r.get("no_flows") or "").split()) for r in rows]  # actors € 0 in every draw
    head = [esc(T["actor"])] + names
    body = [[esc(ACTOR_LABELS[lang][a])] + [esc(T["no_flows"] if a in f else prob(_get(r, f"P({a} balance >= 0)"), lang))
                                             for f, r in zip(flat, rows)] for a in actors]
    sections.append(Section("actors", T["actors"], f"<p>{esc(T['actors_text'])}</p>" + html_table(head, body)))

    body = []
    for name, r in zip(names, rows):
        link = report_link(str(r.get("folder", "")), page_dir)
        n = _get(r, "n")
        body.append([name, esc(count(int(n), lang)) if n is not None else MISSING, esc(r.get("seed", MISSING)),
                     f'<a href="{esc(link)}">{esc(link)}</a>' if link else esc(T["no_report"])])
    sections.append(Section("technical", T["technical"], f"<p>{esc(T['technical_text'])}</p>"
                            + html_table([esc(T[k]) for k in ("scenario", "n", "seed", "report")], body,
                                         also_left=(3,))))
    return sections


#: The batch marker file (:data:`mkba_mc.batch.MARKER`; the report may not import batch).
BATCH_MARKER: Final[str] = "batch.json"
#: The line of a batch report that links to the comparison page.
LINK_TEXT: Final[dict[str, tuple[str, str]]] = {
    "nl": ("Dit scenario is doorgerekend in een batch met andere scenario's: ", "vergelijking van de scenario's"),
    "en": ("This scenario was run in a batch with other scenarios: ", "comparison of the scenarios"),
}


def comparison_link(report_dir: Path, lang: str) -> str:
    """The HTML line linking a batch report to ``../comparison/comparison.html``
    (a relative link, valid once the batch has written the comparison), or ``""``
    when ``report_dir`` is not a scenario folder of a batch."""
    if not (report_dir.parent / BATCH_MARKER).is_file():
        return ""
    lead, text = LINK_TEXT[lang]
    return f'<p class="sub" data-link="comparison">{esc(lead)}<a href="../comparison/comparison.html">{esc(text)}</a></p>'


def write_comparison_page(table: pd.DataFrame, path: Path, lang: str = "nl", *, page_dir: Path | None = None) -> None:
    """Write ``comparison.html``.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`mkba_mc.report.compare.comparison_table`.
    path : Path
        The file to write (a staged temporary; ``comparison.png`` beside it,
        when already written, is embedded).
    lang : {"nl", "en"}
    page_dir : Path, optional
        The folder the page ends up in (the links to the reports are relative
        to it); default ``path``'s folder.
    """
    png_path = path.with_name("comparison.png")
    png = png_path.read_bytes() if png_path.is_file() else None
    T = PAGE_TEXT[lang]
    page = render_page(lang, T, [], comparison_sections(table, lang, png, page_dir or path.parent), T["title"])
    path.write_text(page, encoding="utf-8")


__all__ = ["BATCH_MARKER", "LINK_TEXT", "PAGE_TEXT", "comparison_link", "comparison_sections", "payback_text", "ratio_range", "report_link", "write_comparison_page"]
