"""The Excel workbook of a Monte Carlo run (``summary.xlsx``), for a policy officer.

Risk summary, probabilities, the point estimate as screens A and B of the
LPBL MKBA-tool (meta-analyse 2014, Bijlage 2: KOSTEN and BATEN headings,
subtotals, saldo and ratios) and per actor, and the run settings.  Every
header and row label is a plain Dutch label (:mod:`mkba_mc.report.labels`,
plus the column names below), never a code name such as ``ncw_cost`` or
``p5``; ``summary.csv`` keeps the machine-readable names.  Cells are written
by :func:`mkba_mc.io.excel.write_sheets`, which keeps user text (scenario
names) as text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..io.excel import write_sheets
from ..io.provenance import provenance
from ..model.outputs import COST_KEYS, POINT_KEYS
from ..model.sets import ACTORS, BUDGET_COLUMNS
from .labels import ACTOR_LABELS, LABELS
from .screens import realisation_of, realisation_text

#: Column headers of the sheets (Dutch): statistics, probabilities, actors, settings.
HEADERS: dict[str, str] = {
    "output": "Uitkomst", "mean": "Gemiddelde", "sd": "Standaardafwijking", "p5": "5e percentiel (P5)",
    "p10": "10e percentiel (P10)", "p50": "Mediaan (P50)", "p90": "90e percentiel (P90)",
    "p95": "95e percentiel (P95)", "n_nan": "Aantal ongeldige trekkingen",
    "event": "Gebeurtenis", "p": "Kans", "se": "Standaardfout", "n": "Aantal trekkingen",
    "actor": "Actor", "ncw_cost": "Kosten, NCW (€)", "ncw_benefit": "Baten, NCW (€)",
    "budget_year2_cost": "Kosten, begroting na 2 jaar (€)", "budget_year2_benefit": "Baten, begroting na 2 jaar (€)",
    "post": "Post", "point": "Puntschatting", "key": "Instelling", "value": "Waarde",
    "budget": "Begroting na 2 jaar",
}
#: The same headers in English (``run --lang en``, ``batch --lang en``).
HEADERS_EN: dict[str, str] = {
    "output": "Output", "mean": "Mean", "sd": "Standard deviation", "p5": "5th percentile (P5)",
    "p10": "10th percentile (P10)", "p50": "Median (P50)", "p90": "90th percentile (P90)",
    "p95": "95th percentile (P95)", "n_nan": "Number of invalid draws",
    "event": "Event", "p": "Probability", "se": "Standard error", "n": "Number of draws",
    "actor": "Actor", "ncw_cost": "Costs, NPV (€)", "ncw_benefit": "Benefits, NPV (€)",
    "budget_year2_cost": "Costs, budget after 2 years (€)", "budget_year2_benefit": "Benefits, budget after 2 years (€)",
    "post": "Item", "point": "Point estimate", "key": "Setting", "value": "Value",
    "budget": "Budget after 2 years",
}

#: Names of the outputs that screens A and B do not name (Dutch).
OUTPUT_NAMES: dict[str, str] = {
    "benefit_financial": "Financiële baten", "fte_need": "Benodigde formatie volgens caseload (fte)",
    "team_fte": "Omvang team (fte)", "payback_year": "Terugverdiend in jaar (programma)",
    "prefinancing": "Voorfinanciering (programma)", "payback_year_gemeente": "Terugverdiend in jaar, gemeente",
    "prefinancing_gemeente": "Voorfinanciering, gemeente", "balance_gemeente": "Saldo gemeente",
    "persons_to_work": "Personen naar werk", "prevented_escalations": "Voorkomen escalaties",
    "split_incentive": "Gesplitste prikkel (maatschappij wint, gemeente verliest)",
}
#: The same in English.
OUTPUT_NAMES_EN: dict[str, str] = {
    "benefit_financial": "Financial benefits", "fte_need": "Team size needed by caseload (fte)",
    "team_fte": "Team size (fte)", "payback_year": "Paid back in year (programme)",
    "prefinancing": "Pre-financing need (programme)", "payback_year_gemeente": "Paid back in year, municipality",
    "prefinancing_gemeente": "Pre-financing need, municipality", "balance_gemeente": "Balance municipality",
    "persons_to_work": "Persons to work", "prevented_escalations": "Prevented escalations",
    "split_incentive": "Split incentive (society gains, municipality loses)",
}
#: Sheet names per language.
SHEETS: dict[str, tuple[str, ...]] = {
    "nl": ("samenvatting", "kansen", "scherm A (NCW)", "scherm B (begroting)", "puntschatting", "actoren", "run"),
    "en": ("summary", "probabilities", "screen A (NPV)", "screen B (budget)", "point estimate", "actors", "run"),
}


def headers(lang: str = "nl") -> dict[str, str]:
    """The column headers of the workbook in ``lang``."""
    return HEADERS if lang == "nl" else HEADERS_EN


def output_name(output: str, lang: str = "nl") -> str:
    """The name of an output or event of ``summary.csv`` in ``lang``
    (``actor_balance.corporatie`` -> ``Saldo Woningcorporatie``,
    ``ratio_social_ge_1`` -> ``Maatschappelijke K-B-verhouding ≥ 1``); the
    code name itself when it has none."""
    L = LABELS[lang]
    base, _, actor = output.partition(".")
    if base in ("actor_balance", "actor_balance_ge_0") and actor in ACTOR_LABELS[lang]:
        word = "Saldo" if lang == "nl" else "Balance"
        return f"{word} {ACTOR_LABELS[lang][actor]}" + (" ≥ 0" if base.endswith("_ge_0") else "")
    for suffix, text in (("_ge_1", " ≥ 1"), ("_ge_0", " ≥ 0")):
        if output.endswith(suffix):
            return output_name(output[:-len(suffix)], lang) + text
    names = OUTPUT_NAMES if lang == "nl" else OUTPUT_NAMES_EN
    if output in names:
        return names[output]
    return L[output].strip() if output in L else output


def point_screens(point: Mapping[str, Any], params: Mapping[str, float],
                  lang: str = "nl") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Screens A and B of the LPBL MKBA-tool (Bijlage 2) as frames.

    Parameters
    ----------
    point : mapping
        The point estimate (:func:`mkba_mc.model.point.point_summary`).
    params : mapping
        The scenario's point values (for the verzilvering line of screen B).
    lang : {"nl", "en"}

    Returns
    -------
    screen_a, screen_b : pandas.DataFrame
        Screen A, the NCW of one year: a KOSTEN heading, the total and the
        cost posts, a BATEN heading, the total, the subtotals *1 Besparing
        organisatiekosten* (a, b) and *4 Immateriële baten* (a, b, c), the
        saldo and the ratios (a heading has no value).  Screen B, the budget
        after 2 years: costs, benefits and saldo per budget column, and a note.
    """
    L = LABELS[lang]
    s = point

    def total(keys: tuple[str, ...]) -> float:
        return sum(s[k] or 0 for k in keys)

    organisation = ("benefit_new_for_old", "benefit_substitution")
    immaterial = ("benefit_children", "benefit_quality_of_life", "benefit_nuisance")
    rows: list[tuple[str, Any]] = [(L["costs"], None), (L["cost_total"], s["cost_total"])]
    rows += [(L[k], s[k]) for k in COST_KEYS]
    rows += [(L["benefits"], None), (L["benefit_total"], s["benefit_total"]), (L["organisation"], total(organisation))]
    rows += [(L[k], s[k]) for k in organisation]
    rows += [(L[k], s[k]) for k in ("benefit_effectiveness", "benefit_escalation")]
    rows += [(L["immaterial"], total(immaterial))] + [(L[k], s[k]) for k in immaterial]
    rows += [(L["balance"], s["balance"])]
    rows += [(L[k], s[k]) for k in ("ratio_financial", "ratio_social", "ratio_gemeente", "ratio_gemeente_realised")]
    screen_a = pd.DataFrame([(label.strip(), v) for label, v in rows], columns=[headers(lang)["post"], L["ncw"]])
    cols = {col: (sum(point["actors"][a]["budget_year2_cost"] for a in actors),
                  sum(point["actors"][a]["budget_year2_benefit"] for a in actors))
            for col, actors in BUDGET_COLUMNS.items()}
    screen_b = pd.DataFrame({L[c]: [cost, ben, ben - cost, None] for c, (cost, ben) in cols.items()},
                            index=[L["total_costs"], L["total_benefits"], L["saldo"],
                                   f"{L['screen_b_note'][0].upper()}{L['screen_b_note'][1:]}; "
                                   f"{realisation_text(realisation_of(params), lang)}"])
    screen_b.index.name = headers(lang)["budget"]
    return screen_a, screen_b


#: Excel number formats: euros without decimals, ratios with two decimals,
#: shares as a percentage with one (Excel shows them in the reader's locale:
#: ``€ 1.234.567``, ``1,31``, ``87,4%`` in a Dutch Excel).
EURO = '"€" #,##0;"€" -#,##0'
RATIO = "0.00"
PERCENT = "0.0%"
#: Outputs that are neither euros nor ratios.
PLAIN = {"fte_need": "0.00", "team_fte": "0.00", "payback_year": "0.0", "payback_year_gemeente": "0.0",
         "persons_to_work": "#,##0.0", "prevented_escalations": "#,##0.0"}


def output_format(output: Any, header: Any = None) -> str:
    """The number format of a value of model output ``output`` (its code name
    or label) in column ``header``: a ratio, a year or count, else euros;
    counts of samples (``n``, ``n_nan``) are whole numbers."""
    if header in ("n", "n_nan"):
        return "#,##0"
    name = str(output)
    if name.startswith("ratio") or "K-B-verhouding" in name or "cost-benefit ratio" in name:
        return RATIO
    return PLAIN.get(name, EURO)


def labelled(frame: pd.DataFrame, key: str, fmt: Callable[[Any, Any], str],
             lang: str = "nl") -> tuple[pd.DataFrame, Callable]:
    """``frame`` with its ``key`` column (or index) and headers as labels in
    ``lang``, and ``fmt`` (a number format by code name and code header) turned
    into a format by label and header for :func:`write_sheets`."""
    H = headers(lang)

    def name(c: Any) -> str:
        return output_name(str(c), lang)

    codes = {name(c): c for c in (frame.index if key == frame.index.name else frame[key])}
    heads = {H.get(str(h), str(h)): h for h in (key, *frame.columns)}
    out = frame.rename(index=name) if key == frame.index.name else frame.assign(**{key: frame[key].map(name)})
    out = out.rename(columns=lambda h: H.get(str(h), h))
    out.index.name = H.get(str(out.index.name), out.index.name)
    return out, lambda row, col: fmt(codes.get(row, row), heads.get(col, col))


def screen_a_styles(lang: str = "nl") -> dict[str, tuple[bool, int]]:
    """Row label of screen A -> (bold, indent), as the LPBL MKBA-tool lays it
    out (meta-analyse 2014, Bijlage 2): the KOSTEN and BATEN headings, the
    totals, the subtotals and the saldo bold; posts indented once, their
    parts (a, b, c) twice."""
    L = LABELS[lang]
    style = {L[k]: (True, 0) for k in ("costs", "benefits", "cost_total", "benefit_total", "balance")}
    style |= {L[k]: (True, 1) for k in ("organisation", "immaterial")}
    style |= {L[k]: (False, 1) for k in (*COST_KEYS, "benefit_effectiveness", "benefit_escalation")}
    style |= {L[k].strip(): (False, 2) for k in ("benefit_new_for_old", "benefit_substitution", "benefit_children",
                                                 "benefit_quality_of_life", "benefit_nuisance")}
    return style


def screen_b_styles(lang: str = "nl") -> dict[str, tuple[bool, int]]:
    """Row label of screen B -> (bold, indent): the saldo bold, as in Bijlage 2."""
    return {LABELS[lang]["saldo"]: (True, 0)}


def write_summary_workbook(result: Any, summary: pd.DataFrame, probs: pd.DataFrame, point: Mapping[str, Any],
                           path: Path, lang: str = "nl") -> None:
    """Write the workbook of a Monte Carlo run.

    Parameters
    ----------
    result : MonteCarloResult
        The run (its scenario and provenance).
    summary, probs : pandas.DataFrame
        The statistics (index ``output``) and probabilities (index ``event``)
        of ``summary.csv``.
    point : mapping
        The point estimate, shown as screens A and B and per actor.
    path : Path
        The ``.xlsx`` file (text stays text, see :mod:`mkba_mc.io.excel`:
        the scenario name is user input).
    lang : {"nl", "en"}
        Language of the sheet names, headers and row labels (Dutch by default).
    """
    H = headers(lang)
    actor_rows = [(ACTOR_LABELS[lang][a], *(point["actors"][a][k] for k in ("ncw_cost", "ncw_benefit",
                                                                           "budget_year2_cost",
                                                                           "budget_year2_benefit")))
                  for a in (*ACTORS, "gemeente")]
    screen_a, screen_b = point_screens(point, result.scenario.params, lang)
    prov = provenance(result)
    actors = pd.DataFrame(actor_rows, columns=[H[k] for k in ("actor", "ncw_cost", "ncw_benefit",
                                                              "budget_year2_cost", "budget_year2_benefit")])
    stats, stats_fmt = labelled(summary, "output", output_format, lang)
    chances, chances_fmt = labelled(probs, "event", lambda _row, col: "#,##0" if col == "n" else PERCENT, lang)
    points, points_fmt = labelled(pd.DataFrame([(k, point[k]) for k in POINT_KEYS], columns=["post", "point"]),
                                  "post", output_format, lang)
    settings = pd.DataFrame([(k, json.dumps(v) if not isinstance(v, (str, int, float)) else v) for k, v in prov.items()],
                            columns=[H["key"], H["value"]])
    names = SHEETS[lang]
    write_sheets(path, [
        (names[0], stats, True, stats_fmt),
        (names[1], chances, True, chances_fmt),
        (names[2], screen_a, False, output_format, screen_a_styles(lang)),
        (names[3], screen_b, True, lambda _row, _col: EURO, screen_b_styles(lang)),
        (names[4], points, False, points_fmt),
        (names[5], actors, False, lambda _row, _col: EURO, {ACTOR_LABELS[lang]["gemeente"]: (True, 0)}),
        (names[6], settings, False),
    ])


__all__ = ["EURO", "HEADERS", "HEADERS_EN", "OUTPUT_NAMES", "OUTPUT_NAMES_EN", "PERCENT", "RATIO", "SHEETS", "headers",
           "labelled", "output_format", "output_name", "point_screens", "screen_a_styles", "screen_b_styles",
           "write_summary_workbook"]
