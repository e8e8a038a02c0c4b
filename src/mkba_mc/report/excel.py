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
        ("samenvatting", summary, True),
        ("kansen", probs, True),
        ("scherm A (NCW)", screen_a, False),
        ("scherm B (begroting)", screen_b, True),
        ("puntschatting", pd.DataFrame([(k, point[k]) for k in POINT_KEYS], columns=["post", "puntschatting"]), False),
        ("actoren", actors, False),
        ("run", pd.DataFrame([(k, json.dumps(v) if not isinstance(v, (str, int, float)) else v) for k, v in prov.items()],
                             columns=["key", "value"]), False),
    ])


__all__ = ["point_screens", "write_summary_workbook"]
