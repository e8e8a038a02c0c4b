"""The point estimate as data: the object of ``mkba-mc point --json``.

Screen A of the LPBL MKBA-tool (NCW of one year of approach, meta-analyse
2014, Bijlage 2) and the actor split of screen B, read from one row of a
model result (:func:`mkba_mc.model.evaluate`).  Pure: no I/O, no formatting
(the labelled screens are in :mod:`mkba_mc.report.screens`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import numpy as np

from .outputs import POINT_KEYS
from .sets import ACTORS, BUDGET_COLUMNS, GEMEENTE_ACTORS

#: Per-actor entries of the point object: NCW and the budget after two years.
ACTOR_KEYS: Final[tuple[str, ...]] = ("ncw_cost", "ncw_benefit", "budget_year2_cost", "budget_year2_benefit")
#: Further scalars of the point object that the report shows: the team size
#: and the municipality's programme view (payback and pre-financing).
EXTRA_KEYS: Final[tuple[str, ...]] = ("team_fte", "payback_year_gemeente", "prefinancing_gemeente")
#: Per-year programme cash flows of the point object (Figuur 4.8).
CASHFLOW_KEYS: Final[tuple[str, ...]] = ("cashflow_total", "cashflow_gemeente")


def json_number(x: Any) -> float | None:
    """A float, or ``None`` for NaN (an undefined ratio, no payback)."""
    v = float(np.asarray(x).reshape(-1)[0])
    return None if math.isnan(v) else v


def point_summary(out: Mapping[str, np.ndarray], row: int = 0) -> dict[str, Any]:
    """The ``point --json`` object for sample ``row`` of a model result.

    Keys: :data:`~mkba_mc.model.outputs.POINT_KEYS` in order, then those of
    :data:`EXTRA_KEYS` and :data:`CASHFLOW_KEYS` (lists per programme year)
    that ``out`` holds, then ``actors`` (per actor and for the municipality
    as a whole: :data:`ACTOR_KEYS`).  NaN becomes ``None`` (JSON ``null``).
    """
    summary: dict[str, Any] = {k: json_number(out[k][row]) for k in POINT_KEYS}
    summary.update({k: json_number(out[k][row]) for k in EXTRA_KEYS if k in out})
    summary.update({k: [None if math.isnan(v) else float(v) for v in np.asarray(out[k][row], dtype=float)]
                    for k in CASHFLOW_KEYS if k in out})
    sources = {
        "ncw_cost": out["actor_ncw_cost"][row],
        "ncw_benefit": out["actor_ncw_benefit"][row],
        "budget_year2_cost": out["actor_budget_year2_cost"][row],
        "budget_year2_benefit": out["actor_budget_year2_benefit"][row],
    }
    actors: dict[str, dict[str, float | None]] = {}
    for i, actor in enumerate(ACTORS):
        actors[actor] = {k: json_number(v[i]) for k, v in sources.items()}
    g = [ACTORS.index(a) for a in GEMEENTE_ACTORS]
    actors["gemeente"] = {k: json_number(v[g].sum()) for k, v in sources.items()}
    summary["actors"] = actors
    return summary


def budget_columns(out: Mapping[str, np.ndarray], row: int = 0) -> dict[str, tuple[float, float]]:
    """Screen B: (costs, benefits) per printed column of the LPBL tool."""
    cost = out["actor_budget_year2_cost"][row]
    ben = out["actor_budget_year2_benefit"][row]
    return {
        col: (float(sum(cost[ACTORS.index(a)] for a in actors)), float(sum(ben[ACTORS.index(a)] for a in actors)))
        for col, actors in BUDGET_COLUMNS.items()
    }


__all__ = ["ACTOR_KEYS", "CASHFLOW_KEYS", "EXTRA_KEYS", "budget_columns", "json_number", "point_summary"]
