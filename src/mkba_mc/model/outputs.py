"""The names of the model's outputs and the order in which they are shown.

Every name is an output of :func:`mkba_mc.model.evaluate` (MODEL.md §4-5):
the posts of output screen A of the LPBL MKBA-tool (meta-analyse 2014,
Bijlage 2), the actor split of screen B and the programme view of Figuur 4.8.
"""

from __future__ import annotations

from typing import Final

#: Scalar outputs, one value per sample (the keys of ``point --json``).
SCALAR_OUTPUTS: Final[tuple[str, ...]] = (
    # screen A: the cost posts and their total
    "cost_team", "cost_one_off", "cost_newly_found", "cost_extra_care", "cost_total",
    # screen A: the benefit posts and their totals
    "benefit_new_for_old", "benefit_substitution", "benefit_effectiveness", "benefit_escalation",
    "benefit_children", "benefit_quality_of_life", "benefit_nuisance", "benefit_financial", "benefit_total",
    # balance and ratios (MODEL.md §4)
    "balance", "ratio_financial", "ratio_social", "ratio_gemeente", "ratio_gemeente_realised",
    # team, programme view, municipality, effect counts
    "fte_need", "team_fte", "payback_year", "prefinancing", "payback_year_gemeente", "prefinancing_gemeente",
    "balance_gemeente", "persons_to_work", "prevented_escalations",
)

#: Outputs with an actor dimension, shape ``(n, len(ACTORS))``.
ACTOR_OUTPUTS: Final[tuple[str, ...]] = (
    "actor_balance",
    "actor_ncw_cost",
    "actor_ncw_benefit",
    "actor_ncw_benefit_financial",
    "actor_budget_year2_cost",
    "actor_budget_year2_benefit",
)

#: Outputs with a programme-year dimension, shape ``(n, programme_years)``.
PROGRAMME_OUTPUTS: Final[tuple[str, ...]] = ("cashflow_total", "cashflow_gemeente")

ALL_OUTPUTS: Final[tuple[str, ...]] = SCALAR_OUTPUTS + ACTOR_OUTPUTS + PROGRAMME_OUTPUTS

#: Outputs of the payback view (programme cash flows, MODEL.md §5 view 4).
PAYBACK_OUTPUTS: Final[tuple[str, ...]] = tuple(f"{k}{suffix}" for suffix in ("", "_gemeente")
                                                for k in ("payback_year", "prefinancing"))

#: The cost posts of screen A, in the order of the screen.
COST_KEYS: Final[tuple[str, ...]] = ("cost_team", "cost_one_off", "cost_newly_found", "cost_extra_care")

#: Keys of ``point --json``, in order (the issue's contract).
POINT_KEYS: Final[tuple[str, ...]] = (
    "cost_team", "cost_one_off", "cost_newly_found", "cost_extra_care", "cost_total",
    "benefit_new_for_old", "benefit_substitution", "benefit_effectiveness", "benefit_escalation",
    "benefit_children", "benefit_quality_of_life", "benefit_nuisance", "benefit_financial",
    "benefit_total", "balance", "ratio_financial", "ratio_social", "ratio_gemeente",
    "ratio_gemeente_realised", "fte_need", "payback_year", "prefinancing",
)

__all__ = ["ACTOR_OUTPUTS", "ALL_OUTPUTS", "COST_KEYS", "PAYBACK_OUTPUTS", "POINT_KEYS", "PROGRAMME_OUTPUTS",
           "SCALAR_OUTPUTS"]
