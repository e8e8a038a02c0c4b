"""The Excel workbook of a Monte Carlo run (``summary.xlsx``).

Risk summary, probabilities, the point estimate as screens A and B of the
LPBL MKBA-tool (meta-analyse 2014, Bijlage 2) and per actor, and the run
settings.  Cells are written by :func:`mkba_mc.io.excel.write_sheets`, which
keeps user text (scenario names) as text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..io.excel import write_sheets
from ..io.provenance import provenance
from ..model.outputs import COST_KEYS, POINT_KEYS
from ..model.sets import ACTORS, BUDGET_COLUMNS
from .labels import LABELS
from .screens import realisation_of, realisation_text


def point_screens(point: Mapping[str, Any], params: Mapping[str, float],
                  lang: str = "nl") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Screens A (NCW of one year) and B (budget after 2 years) of the point
    estimate ``point`` (:func:`mkba_mc.model.point.point_summary`), with the
    LPBL labels; ``params`` are the scenario's point values (realisation)."""
    L = LABELS[lang]
    s = point
    rows = [(L["cost_total"], s["cost_total"])]
    rows += [(L[k].strip(), s[k]) for k in COST_KEYS]
    rows += [(L["benefit_total"], s["benefit_total"])]
    rows += [(L[k].strip(), s[k]) for k in ("benefit_new_for_old", "benefit_substitution", "benefit_effectiveness",
                                            "benefit_escalation", "benefit_children", "benefit_quality_of_life",
                                            "benefit_nuisance")]
    rows += [(L["balance"], s["balance"])] + [(L[k], s[k]) for k in ("ratio_financial", "ratio_social", "ratio_gemeente",
                                                                     "ratio_gemeente_realised")]
    screen_a = pd.DataFrame(rows, columns=["post", L["ncw"]])
    cols = {col: (sum(point["actors"][a]["budget_year2_cost"] for a in actors),
                  sum(point["actors"][a]["budget_year2_benefit"] for a in actors))
            for col, actors in BUDGET_COLUMNS.items()}
    screen_b = pd.DataFrame({L[c]: [cost, ben, ben - cost, None] for c, (cost, ben) in cols.items()},
                            index=[L["total_costs"], L["total_benefits"], L["saldo"],
                                   f"{L['screen_b_note']}; {realisation_text(realisation_of(params), lang)}"])
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
    """The number format of a value of model output ``output`` (a row of the
    summary or point sheet): a ratio, a year or count, else euros; counts of
    samples (``n``, ``n_nan``) are whole numbers."""
    if header in ("n", "n_nan"):
        return "#,##0"
    name = str(output)
    if name.startswith("ratio") or "K-B-verhouding" in name or "cost-benefit ratio" in name:
        return RATIO
    return PLAIN.get(name, EURO)


def write_summary_workbook(result: Any, summary: pd.DataFrame, probs: pd.DataFrame, point: Mapping[str, Any],
                           path: Path) -> None:
    """Workbook of a Monte Carlo run ``result``: risk summary, probabilities,
    the point estimate ``point`` as screens A and B and per actor, and the run
    settings (text stays text, see :mod:`mkba_mc.io.excel`: the scenario name
    is user input)."""
    actor_rows = [(a, *(point["actors"][a][k] for k in ("ncw_cost", "ncw_benefit", "budget_year2_cost",
                                                          "budget_year2_benefit")))
                  for a in (*ACTORS, "gemeente")]
    screen_a, screen_b = point_screens(point, result.scenario.params)
    prov = provenance(result)
    actors = pd.DataFrame(actor_rows, columns=["actor", "ncw_cost", "ncw_benefit", "budget_year2_cost",
                                               "budget_year2_benefit"])
    write_sheets(path, [
        ("samenvatting", summary, True, output_format),
        ("kansen", probs, True, lambda _row, col: "#,##0" if col == "n" else PERCENT),
        ("scherm A (NCW)", screen_a, False, output_format),
        ("scherm B (begroting)", screen_b, True, lambda _row, _col: EURO),
        ("puntschatting", pd.DataFrame([(k, point[k]) for k in POINT_KEYS], columns=["post", "puntschatting"]), False,
         output_format),
        ("actoren", actors, False, lambda _row, _col: EURO),
        ("run", pd.DataFrame([(k, json.dumps(v) if not isinstance(v, (str, int, float)) else v) for k, v in prov.items()],
                             columns=["key", "value"]), False),
    ])


__all__ = ["EURO", "PERCENT", "RATIO", "output_format", "point_screens", "write_summary_workbook"]
