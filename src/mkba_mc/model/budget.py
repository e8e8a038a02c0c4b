"""View 3 of MODEL.md §5: output screen B of the LPBL MKBA-tool, "begroting
na 2 jaar" (meta-analyse 2014, Bijlage 2).

Screen B is a steady-state year: one cohort's costs (all in its year 0;
extra care as far as its profile falls in years 0-2) against the benefits of
three equal cohorts aged 0, 1 and 2 -- each financial post's years 0-2,
undiscounted -- split over the actors, with each actor's benefit multiplied
by its realisation share (verzilvering, §3.3.5 and §5.2).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from numpy.typing import ArrayLike

from .arith import Array, split
from .costs import Costs
from .payers import Payers
from .sets import TYPES
from .structure import BUDGET_YEARS


def budget_year2(want: Collection[str], payers: Payers, costs: Costs, profiles: Mapping[str, Array],
                 fin_amounts: Sequence[ArrayLike], fin_profiles: Sequence[Array]) -> dict[str, list[ArrayLike]]:
    """``actor_budget_year2_cost`` and ``actor_budget_year2_benefit`` (as far as
    asked for in ``want``), one value per actor (:func:`~mkba_mc.model.arith.split`)."""
    out: dict[str, list[ArrayLike]] = {}
    if "actor_budget_year2_cost" in want:
        w_sub3 = profiles["substitution"][:BUDGET_YEARS].sum(axis=0)
        budget_cost = (costs.team, costs.one_off, *(costs.newly_found_by_type[t] for t in TYPES),
                       *(costs.extra_care_by_type[t] * w_sub3 for t in TYPES))
        out["actor_budget_year2_cost"] = split(budget_cost, payers.cost)
    if "actor_budget_year2_benefit" in want:
        budget = [a * w[:BUDGET_YEARS].sum(axis=0) for a, w in zip(fin_amounts, fin_profiles)]
        actor_budget = split(budget, payers.financial)
        if not payers.all_realised:
            for i, r in enumerate(payers.realisation):
                if r.ndim or r != 1.0:
                    actor_budget[i] = actor_budget[i] * r
        out["actor_budget_year2_benefit"] = actor_budget
    return out


__all__ = ["budget_year2"]
