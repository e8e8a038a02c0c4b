"""The benefit posts of one year of approach (baten; MODEL.md §3C-D and §4).

One function per post of output screen A of the LPBL MKBA-tool
(meta-analyse MKBA's sociale (wijk)teams, LPBL for BZK, January 2014,
Bijlage 2; the posts are explained in §4.2-4.4):

* :func:`net_multipliers` -- ``m_esc = attribution * (1 - relapse)``,
  ``m_eff = m_esc * effectiveness_multiplier`` (Tabel 4.7: attribution
  "vaak 50 %", relapse 20 %); they act on effectiveness, escalation and the
  immaterial benefits derived from them, never on substitution or
  new-for-old, which are process figures;
* :func:`new_for_old` -- team costs paid from existing budgets plus the
  coordination saving (nieuw-voor-oud, §4.2; Bijlage 2 shows EUR 7,600);
* :func:`substitution` -- ``S[g,t] = care[g,t] * substitutable_share[t] *
  substitution_g`` for newly found and known households (footnote 15, Tabel
  4.5); the positive parts are the benefit, the negative parts the cost post
  extra care (:func:`mkba_mc.model.costs.extra_care_cost`);
* :func:`work` -- multi-problem households without work that move to work
  (the elderly excluded), times the benefit saving and income gain over
  ``work_years`` (§4.3: about EUR 15,000 a year of benefits);
* :func:`care_avoided` -- first- and second-line care avoided per
  multi-problem household (§4.3);
* :func:`escalation` -- prevented escalations (eviction, OTS/out-of-home
  placement, intramural admission) times their cost (Tabel 4.7, §4.3);
* :func:`children` -- prevented school dropouts of children in multi-problem
  families, valued in year 9 (§4.4);
* :func:`quality_of_life` -- QALYs from debt help, work and prevented
  escalation times ``qaly_value`` (footnote 21: EUR 20,000 lower bound);
* :func:`nuisance` -- prevented escalations of nuisance-causing households
  times ``nuisance_value`` (house-price based, §4.3).

Each discounted benefit is an undiscounted amount times the discount factor
of its time profile (:mod:`mkba_mc.model.discounting`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .arith import fixed_sum, param
from .discounting import Factors
from .reach import Reach
from .sets import TYPES

PerType = dict[str, ArrayLike]


def net_multipliers(params: Mapping[str, ArrayLike]) -> tuple[ArrayLike, ArrayLike]:
    """``(m_esc, m_eff)``: attribution and relapse, and the integrality of the team (Tabel 4.7, §3.3.4)."""
    m_esc = param(params, "attribution") * (1.0 - param(params, "relapse"))
    return m_esc, m_esc * param(params, "effectiveness_multiplier")


def new_for_old(params: Mapping[str, ArrayLike], c_team: ArrayLike, other_team: ArrayLike,
                households: ArrayLike) -> ArrayLike:
    """Undiscounted new-for-old (§4.2): the non-additional part of the team's
    staff and other costs plus ``coordination_saving_per_household * households``."""
    return ((1.0 - param(params, "additional_share_team")) * (c_team - other_team)
            + (1.0 - param(params, "additional_share_other")) * other_team
            + param(params, "coordination_saving_per_household") * households)


def substitution(params: Mapping[str, ArrayLike], care_t: Mapping[str, ArrayLike]) -> tuple[PerType, PerType]:
    """Substituted and added care per household type (footnote 15, Tabel 4.5).

    ``S[g,t] = care[g,t] * substitutable_share[t] * substitution_g`` with
    ``care[new,t] = newly_found_share * new_care_fraction * care_t`` and
    ``care[existing,t] = (1 - newly_found_share) * care_t``.

    Returns
    -------
    tuple of dict
        ``sum_g max(0, S[g,t])`` (the benefit) and ``sum_g max(0, -S[g,t])``
        (the cost post extra care), undiscounted, per type.
    """
    nfs = param(params, "newly_found_share")
    sub_new, sub_existing = param(params, "substitution_new"), param(params, "substitution_existing")
    w_new, w_existing = nfs * param(params, "new_care_fraction"), 1.0 - nfs
    gain = w_new * np.maximum(sub_new, 0.0) + w_existing * np.maximum(sub_existing, 0.0)
    added = w_new * np.maximum(-sub_new, 0.0) + w_existing * np.maximum(-sub_existing, 0.0)
    substitutable_t = {t: care_t[t] * param(params, f"substitutable_share.{t}") for t in TYPES}
    return ({t: substitutable_t[t] * gain for t in TYPES}, {t: substitutable_t[t] * added for t in TYPES})


def work(params: Mapping[str, ArrayLike], r: Reach, m_eff: ArrayLike) -> tuple[PerType, PerType, PerType]:
    """Persons to work and their undiscounted benefit saving and income gain per type (§4.3).

    Multi-problem households without work move to work at ``to_work_rate``;
    the elderly are excluded (MODEL.md §3C).  Each lasts ``work_years``.
    """
    zero = np.float64(0.0)
    persons_t = {t: zero if t == "elderly"
                 else param(params, "to_work_rate") * m_eff * (r.multi_problem[t] * param(params, f"no_work_share.{t}"))
                 for t in TYPES}
    work_years = param(params, "work_years")
    saving_years = param(params, "benefit_saving_per_year") * work_years
    income_years = param(params, "income_gain_per_year") * work_years
    return persons_t, {t: persons_t[t] * saving_years for t in TYPES}, {t: persons_t[t] * income_years for t in TYPES}


def care_avoided(params: Mapping[str, ArrayLike], r: Reach, m_eff: ArrayLike) -> tuple[PerType, PerType]:
    """Undiscounted first- and second-line care avoided per type (§4.3):
    ``n_mv[t] * reduction * m_eff * cost``."""
    first_per_mv = param(params, "first_line_reduction") * m_eff * param(params, "first_line_cost")
    second_per_mv = param(params, "second_line_reduction") * m_eff * param(params, "second_line_cost")
    return ({t: r.multi_problem[t] * first_per_mv for t in TYPES},
            {t: r.multi_problem[t] * second_per_mv for t in TYPES})


def escalation(params: Mapping[str, ArrayLike], r: Reach, m_esc: ArrayLike) -> tuple[PerType, PerType]:
    """Prevented escalations ``n_t * escalation_rate[t] * m_esc`` and their
    undiscounted avoided cost ``* escalation_cost[t]`` per type (Tabel 4.7, §4.3)."""
    prevented = {t: r.by_type[t] * param(params, f"escalation_rate.{t}") * m_esc for t in TYPES}
    return prevented, {t: prevented[t] * param(params, f"escalation_cost.{t}") for t in TYPES}


def children(params: Mapping[str, ArrayLike], r: Reach, m_eff: ArrayLike) -> ArrayLike:
    """Undiscounted value of prevented school dropouts (startkwalificatie, §4.4):
    ``school_dropout_reduction * m_eff * kids_per_family * n_mv[families] * value``."""
    dropouts = (param(params, "school_dropout_reduction") * m_eff * param(params, "kids_per_family")
                * r.multi_problem["families"])
    return dropouts * param(params, "value_per_prevented_dropout")


def quality_of_life(params: Mapping[str, ArrayLike], r: Reach, m_eff: ArrayLike, persons_to_work: ArrayLike,
                    prevented_all: ArrayLike, f: Factors) -> ArrayLike:
    """Discounted quality of life: QALYs from debt help, work and prevented
    escalation times ``qaly_value`` (footnote 21)."""
    debt_successes = param(params, "debt_success_rate") * m_eff * fixed_sum(
        r.multi_problem[t] * param(params, f"debt_share.{t}") for t in TYPES)
    return param(params, "qaly_value") * (
        debt_successes * param(params, "qaly_per_debt_success") * f.profile["debt"]
        + persons_to_work * param(params, "qaly_per_work") * f.work
        + prevented_all * param(params, "qaly_per_escalation") * f.profile["escalation"]
    )


def nuisance(params: Mapping[str, ArrayLike], r: Reach, m_esc: ArrayLike, f: Factors) -> ArrayLike:
    """Discounted value of prevented escalations of nuisance-causing households (§4.3)."""
    prevented = fixed_sum(r.multi_problem[t] * param(params, f"nuisance_share.{t}")
                          * param(params, f"escalation_rate.{t}") for t in TYPES) * m_esc
    return prevented * param(params, "nuisance_value") * f.profile["escalation"]


@dataclass(frozen=True)
class Benefits:
    """The benefit posts: undiscounted amounts per type (for the actor split
    and the cash flows) and the discounted posts of screen A."""

    new_for_old_amount: ArrayLike
    substitution_by_type: PerType
    work_benefit_by_type: PerType
    work_income_by_type: PerType
    first_line_by_type: PerType
    second_line_by_type: PerType
    escalation_by_type: PerType
    persons_to_work: ArrayLike
    prevented_escalations: ArrayLike
    new_for_old: ArrayLike
    substitution: ArrayLike
    effectiveness: ArrayLike
    escalation: ArrayLike
    children: ArrayLike
    quality_of_life: ArrayLike
    nuisance: ArrayLike
    financial: ArrayLike
    total: ArrayLike

    def financial_amounts(self) -> tuple[ArrayLike, ...]:
        """Undiscounted financial posts in :data:`~mkba_mc.model.sets.FINANCIAL_POSTS` order."""
        return (self.new_for_old_amount, *(self.substitution_by_type[t] for t in TYPES),
                *(self.work_benefit_by_type[t] for t in TYPES), *(self.work_income_by_type[t] for t in TYPES),
                *(self.first_line_by_type[t] for t in TYPES), *(self.second_line_by_type[t] for t in TYPES),
                *(self.escalation_by_type[t] for t in TYPES))

    def immaterial(self) -> tuple[ArrayLike, ArrayLike, ArrayLike]:
        """Discounted immaterial posts in :data:`~mkba_mc.model.sets.IMMATERIAL_POSTS` order."""
        return (self.children, self.quality_of_life, self.nuisance)


def benefits(params: Mapping[str, ArrayLike], r: Reach, c_team: ArrayLike, other_team: ArrayLike,
             substitution_t: PerType, f: Factors) -> Benefits:
    """Every benefit post (:class:`Benefits`), discounted with ``f``."""
    a_nfo = new_for_old(params, c_team, other_team, r.households)
    m_esc, m_eff = net_multipliers(params)
    persons_t, work_benefit_t, work_income_t = work(params, r, m_eff)
    persons_to_work = fixed_sum(persons_t.values())
    first_t, second_t = care_avoided(params, r, m_eff)
    prevented, esc_t = escalation(params, r, m_esc)
    prevented_all = fixed_sum(prevented.values())
    a_children = children(params, r, m_eff)
    df_p = f.profile
    b_nfo = a_nfo * df_p["new_for_old"]
    b_sub = fixed_sum(substitution_t.values()) * df_p["substitution"]
    b_eff = ((fixed_sum(work_benefit_t.values()) + fixed_sum(work_income_t.values())) * f.work
             + fixed_sum(first_t.values()) * df_p["first_line"] + fixed_sum(second_t.values()) * df_p["second_line"])
    b_esc = fixed_sum(esc_t.values()) * df_p["escalation"]
    b_children = a_children * df_p["children"]
    b_qol = quality_of_life(params, r, m_eff, persons_to_work, prevented_all, f)
    b_nuisance = nuisance(params, r, m_esc, f)
    b_fin = b_nfo + b_sub + b_eff + b_esc
    return Benefits(a_nfo, substitution_t, work_benefit_t, work_income_t, first_t, second_t, esc_t,
                    persons_to_work, prevented_all, b_nfo, b_sub, b_eff, b_esc, b_children, b_qol, b_nuisance,
                    b_fin, b_fin + b_children + b_qol + b_nuisance)


__all__ = ["Benefits", "benefits", "care_avoided", "children", "escalation", "net_multipliers", "new_for_old",
           "nuisance", "quality_of_life", "substitution", "work"]
