"""The MKBA of one year of a social-team approach, vectorised over samples.

This module is pure: no I/O, no randomness, no logging.  :func:`evaluate`
takes every input of MODEL.md §3 as a scalar or an array over samples and
returns every output of MODEL.md §4–5 as an array over samples.  Scalars stay
scalars inside the computation, so fixed inputs cost nothing per sample.

Equations and their sources
---------------------------
Post names and structure follow the LPBL MKBA-tool ("Meta analyse MKBA's
sociale (wijk)teams", LPBL for BZK, January 2014; Bijlage 2 output screens A
and B; §3.2 and §4.2–4.5 for the posts):

* Costs (all in year 0 of the cohort, so NCW = nominal):
  ``C_team = team_fte * cost_per_fte + other_team_costs``;
  ``C_oneoff = friction_share * C_team + one_off_costs / amortisation_years``;
  ``C_found = newly_found_share * new_care_fraction * sum_ts n[t,s] * care_profile[t,s]``;
  ``C_extra = sum_{g,t} max(0, -S[g,t])``: the care added where substitution is
  negative (Tabel 4.5 observes -40 %), a cost post of its own as in §4.2 and
  Figuur 4.3 ("extra trajecten"), never a negative benefit.
* Substitution per household group ``g`` (newly found, known) and type ``t``
  (footnote 15, Tabel 4.5):
  ``S[new,t] = newly_found_share * new_care_fraction * care_t * substitutable_share[t] * substitution_new``,
  ``S[existing,t] = (1 - newly_found_share) * care_t * substitutable_share[t] * substitution_existing``;
  ``B_substitution = sum max(0, S)``.  Booking the negative part as a cost
  leaves the balance unchanged and keeps every ratio non-negative.
* Benefits, each an undiscounted amount ``A_p`` times a discount factor
  ``DF_p = sum_y w_p[y] (1 + r)^-y`` over its time profile ``w_p``:
  new-for-old (incl. the coordination saving), substitution of substitutable
  care (footnote 15, Tabel 4.5), more effective trajectories (work, first- and
  second-line care; §4.3), prevented escalation (Tabel 4.7) and the immaterial
  posts (children's development in year 9, quality of life valued with QALYs,
  footnote 21; less nuisance, §4.3).
* Net multipliers (Tabel 4.7): ``m_esc = attribution * (1 - relapse)`` and
  ``m_eff = m_esc * effectiveness_multiplier``; they act on effectiveness,
  escalation and the immaterial benefits derived from them, never on
  substitution or new-for-old.
* Payers (§4.5): every post is split over the actors by a payer-share
  vector; the posts whose financier depends on who is helped (extra care,
  substitution, work, first- and second-line care, escalation) carry one
  vector per household type.
* Views: NCW per actor (each post split by its payer shares), the budget
  after two years (screen B: a steady-state year -- one cohort's costs
  against the benefits of three equal cohorts aged 0, 1 and 2, undiscounted,
  financial posts only) and the programme over time (Figuur 4.8: cohorts
  each year with a linear build-up of reach and new-for-old share over
  ``ramp_years``, so its year 2 still contains the build-up).
* Realisation (verzilvering, §3.3.5 and §5.2): ``realisation_share[a]`` is
  the share of actor ``a``'s financial benefits that becomes budget.  It acts
  on the budget views (screen B, programme cash flows, payback and
  pre-financing) and on ``ratio_gemeente_realised``; the MKBA itself (every
  NCW post, the balance and the plain ratios) is never reduced by it.
* One-off costs (friction and other one-off costs) are cash in the first
  programme year and are spread over ``amortisation_years`` in the MKBA of
  one year of approach, so both views charge the same total.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .sets import (
    ACTORS,
    COST_POSTS,
    FINANCIAL_POSTS,
    GEMEENTE_ACTORS,
    HORIZON,
    MV,
    PAYER_POSTS,
    PROFILE_POSTS,
    SEVERITIES,
    TYPES,
)


Array = NDArray[np.float64]

N_YEARS: Final[int] = HORIZON + 1
#: Years counted in screen B ("begroting na 2 jaar"): cohorts aged 0, 1, 2.
BUDGET_YEARS: Final[int] = 3

#: Scalar outputs, one value per sample (the keys of ``point --json``).
SCALAR_OUTPUTS: Final[tuple[str, ...]] = (
    "cost_team",
    "cost_one_off",
    "cost_newly_found",
    "cost_extra_care",
    "cost_total",
    "benefit_new_for_old",
    "benefit_substitution",
    "benefit_effectiveness",
    "benefit_escalation",
    "benefit_children",
    "benefit_quality_of_life",
    "benefit_nuisance",
    "benefit_financial",
    "benefit_total",
    "balance",
    "ratio_financial",
    "ratio_social",
    "ratio_gemeente",
    "ratio_gemeente_realised",
    "fte_need",
    "team_fte",
    "payback_year",
    "prefinancing",
    "payback_year_gemeente",
    "prefinancing_gemeente",
    "balance_gemeente",
    "persons_to_work",
    "prevented_escalations",
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

_GEMEENTE_INDEX: Final[NDArray[np.intp]] = np.array([ACTORS.index(a) for a in GEMEENTE_ACTORS])


@dataclass(frozen=True)
class Structure:
    """Fixed (never sampled) inputs of the model.

    Parameters
    ----------
    payer : numpy.ndarray
        Payer shares, shape ``(len(PAYER_POSTS), len(ACTORS))``; each row
        sums to one (who pays a cost, who receives a benefit).
    profiles : Mapping[str, numpy.ndarray]
        Time profile over years ``0 .. 9`` for each post of
        :data:`~mkba_mc.model.sets.PROFILE_POSTS`; each sums to one.
    team_from_caseload : bool
        Use ``fte_need`` as the team size instead of ``team_fte``.
    ramp_years : int
        Years over which reach and new-for-old share build up linearly in
        the programme view (Figuur 4.8 shows four).
    programme_years : int
        Length of the programme view.
    """

    payer: Array
    profiles: Mapping[str, Array]
    team_from_caseload: bool = False
    ramp_years: int = 4
    programme_years: int = 10
    _conv: Array = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ramp = np.minimum(1.0, (np.arange(self.programme_years) + 1.0) / self.ramp_years)
        conv = np.zeros((N_YEARS, self.programme_years))
        for y in range(N_YEARS):
            for year in range(y, self.programme_years):
                conv[y, year] = ramp[year - y]
        object.__setattr__(self, "_conv", conv)
        object.__setattr__(self, "_ramp", ramp)

    @property
    def ramp(self) -> Array:
        """Reach of the cohort started in each programme year (0..1)."""
        return self._ramp  # type: ignore[attr-defined,no-any-return]

    @property
    def cohort_matrix(self) -> Array:
        """``M[y, Y]``: weight of a cohort's year-``y`` flow in programme year ``Y``."""
        return self._conv


def _row(structure: Structure, post: str) -> Array:
    return structure.payer[PAYER_POSTS.index(post)]


def _safe_ratio(num: ArrayLike, den: ArrayLike) -> Array:
    """``num / den`` where ``den > 0``, NaN elsewhere (never inf)."""
    num_a, den_a = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    out = np.full(num_a.shape, np.nan)
    np.divide(num_a, den_a, out=out, where=den_a > 0)
    return out


def _payback(cash: Array) -> tuple[Array, Array]:
    """Payback year (1-based, NaN if never) and pre-financing need of cash flows ``(years, n)``."""
    cum = cash[0].copy()
    low = cum.copy()
    payback = np.where(cum >= 0.0, 1.0, np.nan)
    for year in range(1, cash.shape[0]):
        cum += cash[year]
        np.minimum(low, cum, out=low)
        payback[np.isnan(payback) & (cum >= 0.0)] = year + 1.0
    return payback, np.maximum(0.0, -low)


def sample_count(params: Mapping[str, ArrayLike]) -> int:
    """Number of samples: the common length of the array inputs (1 if all scalar)."""
    n = 1
    for name, value in params.items():
        shape = np.shape(value)
        if len(shape) > 1:
            raise ValueError(f"parameter {name!r} must be a scalar or 1-D array, got shape {shape}")
        if shape:
            if n not in (1, shape[0]) and shape[0] != 1:
                raise ValueError(f"parameter {name!r} has {shape[0]} samples, others have {n}")
            n = max(n, shape[0])
    return n


def evaluate(
    params: Mapping[str, ArrayLike],
    structure: Structure,
    outputs: Collection[str] | None = None,
) -> dict[str, Array]:
    """Evaluate the MKBA of one year of approach for every sample.

    Parameters
    ----------
    params : Mapping[str, array_like]
        Every parameter of :data:`mkba_mc.model.parameters.PARAMETERS`, each a
        scalar or a 1-D array of a common length ``n``.
    structure : Structure
        Payer shares, time profiles and programme settings.
    outputs : collection of str, optional
        Names from :data:`ALL_OUTPUTS` to return; default all.  Actor and
        programme outputs are only computed when asked for.

    Returns
    -------
    dict of str to numpy.ndarray
        Scalar outputs have shape ``(n,)``, actor outputs ``(n, 9)`` in the
        order of :data:`mkba_mc.model.sets.ACTORS`, programme outputs
        ``(n, programme_years)``.  Ratios are NaN where the cost they divide
        by is not positive.
    """
    want = set(ALL_OUTPUTS if outputs is None else outputs)
    unknown = want - set(ALL_OUTPUTS)
    if unknown:
        raise KeyError(f"unknown outputs {sorted(unknown)}; valid: {', '.join(ALL_OUTPUTS)}")
    n = sample_count(params)

    def P(name: str) -> Array:
        return np.asarray(params[name], dtype=np.float64)

    # --- reach (MODEL.md §3A) -----------------------------------------
    households = P("households")
    n_ts: dict[tuple[str, str], Array] = {}
    for t in TYPES:
        nt = households * P(f"type_share.{t}")
        for s in SEVERITIES:
            n_ts[t, s] = nt * P(f"severity_share.{t}.{s}")
    n_t = {t: _sum(n_ts[t, s] for s in SEVERITIES) for t in TYPES}
    n_mv = {t: _sum(n_ts[t, s] for s in MV) for t in TYPES}
    fte_need = _sum(_sum(n_ts[t, s] for t in TYPES) / P(f"caseload.{s}") for s in SEVERITIES)

    # --- costs (§3B, §4; meta-analyse §3.2 and §4.2) ----------------------
    team_fte = fte_need if structure.team_from_caseload else P("team_fte")
    other_team = P("other_team_costs")
    c_team = team_fte * P("cost_per_fte") + other_team
    # one-off cash: friction (a share of one year's team cost) plus other
    # one-off costs; one year of approach carries 1 / amortisation_years of it
    oneoff_cash = P("friction_share") * c_team + P("one_off_costs")
    c_oneoff = oneoff_cash / P("amortisation_years")
    care_t = {t: _sum(n_ts[t, s] * P(f"care_profile.{t}.{s}") for s in SEVERITIES) for t in TYPES}
    nfs = P("newly_found_share")
    ncf = P("new_care_fraction")
    found_t = {t: nfs * ncf * care_t[t] for t in TYPES}
    c_found = _sum(found_t.values())

    # --- substitution and extra care (footnote 15, Tabel 4.5, §4.2) --------
    # S[g,t] = care[g,t] * substitutable_share[t] * substitution_g; the
    # positive parts are the benefit, the negative parts the cost post
    # "extra zorg" (care added in newly found / known households).
    sub_new, sub_existing = P("substitution_new"), P("substitution_existing")
    w_new, w_existing = nfs * ncf, 1.0 - nfs
    gain = w_new * np.maximum(sub_new, 0.0) + w_existing * np.maximum(sub_existing, 0.0)
    added = w_new * np.maximum(-sub_new, 0.0) + w_existing * np.maximum(-sub_existing, 0.0)
    substitutable_t = {t: care_t[t] * P(f"substitutable_share.{t}") for t in TYPES}
    a_sub_t = {t: substitutable_t[t] * gain for t in TYPES}
    a_extra_t = {t: substitutable_t[t] * added for t in TYPES}

    # --- discounting ------------------------------------------------------
    # disc[y] = (1 + r)^-y built by repeated multiplication, year-major, so
    # that scalar and array rates take the same arithmetic per sample.
    prof = structure.profiles
    v = 1.0 / (1.0 + P("discount_rate"))
    disc: list[ArrayLike] = [1.0]
    for _ in range(HORIZON):
        disc.append(disc[-1] * v)

    def df(w: Array) -> ArrayLike:
        """Discount factor sum_y w[y] disc[y] of a profile (10,) or (10, n)."""
        acc: ArrayLike = 0.0
        for y in range(N_YEARS):
            wy = w[y]
            if wy.ndim or wy != 0.0:
                acc = acc + disc[y] * wy
        return acc

    # work lasts work_years from year 0: w[y] = clip(W - y, 0, 1) / W
    work_years = P("work_years")
    years = np.arange(N_YEARS, dtype=np.float64)
    if work_years.ndim == 0:
        w_work = np.clip(work_years - years, 0.0, 1.0) / work_years
    else:
        w_work = np.clip(work_years[None, :] - years[:, None], 0.0, 1.0) / work_years
    df_p = {k: df(prof[k]) for k in PROFILE_POSTS}
    df_work = df(w_work)

    # extra care happens when the substituted care would have: it follows the
    # substitution profile (year 0 by default, so NCW = nominal), which keeps
    # the balance equal to the old booking as a negative benefit
    c_extra = _sum(a_extra_t.values()) * df_p["substitution"]
    cost = c_team + c_oneoff + c_found + c_extra

    # --- benefits (§4; meta-analyse §4.3) ---------------------------------
    a_nfo = (
        (1.0 - P("additional_share_team")) * (c_team - other_team)
        + (1.0 - P("additional_share_other")) * other_team
        + P("coordination_saving_per_household") * households
    )
    m_esc = P("attribution") * (1.0 - P("relapse"))
    m_eff = m_esc * P("effectiveness_multiplier")
    # work: mv households without work; the elderly are excluded (MODEL.md §3C)
    zero = np.float64(0.0)
    persons_t = {t: zero if t == "elderly" else P("to_work_rate") * m_eff * (n_mv[t] * P(f"no_work_share.{t}"))
                 for t in TYPES}
    persons_to_work = _sum(persons_t.values())
    saving_years = P("benefit_saving_per_year") * work_years
    income_years = P("income_gain_per_year") * work_years
    a_work_benefit_t = {t: persons_t[t] * saving_years for t in TYPES}
    a_work_income_t = {t: persons_t[t] * income_years for t in TYPES}
    first_per_mv = P("first_line_reduction") * m_eff * P("first_line_cost")
    second_per_mv = P("second_line_reduction") * m_eff * P("second_line_cost")
    a_first_t = {t: n_mv[t] * first_per_mv for t in TYPES}
    a_second_t = {t: n_mv[t] * second_per_mv for t in TYPES}
    debt_successes = P("debt_success_rate") * m_eff * _sum(n_mv[t] * P(f"debt_share.{t}") for t in TYPES)
    prevented = {t: n_t[t] * P(f"escalation_rate.{t}") * m_esc for t in TYPES}
    prevented_all = _sum(prevented.values())
    a_esc = {t: prevented[t] * P(f"escalation_cost.{t}") for t in TYPES}
    dropouts = P("school_dropout_reduction") * m_eff * P("kids_per_family") * n_mv["families"]
    a_children = dropouts * P("value_per_prevented_dropout")
    qaly_value = P("qaly_value")
    nuisance_prevented = _sum(n_mv[t] * P(f"nuisance_share.{t}") * P(f"escalation_rate.{t}") for t in TYPES) * m_esc

    b_nfo = a_nfo * df_p["new_for_old"]
    b_sub = _sum(a_sub_t.values()) * df_p["substitution"]
    b_eff = ((_sum(a_work_benefit_t.values()) + _sum(a_work_income_t.values())) * df_work
             + _sum(a_first_t.values()) * df_p["first_line"] + _sum(a_second_t.values()) * df_p["second_line"])
    b_esc = _sum(a_esc.values()) * df_p["escalation"]
    b_children = a_children * df_p["children"]
    b_qol = qaly_value * (
        debt_successes * P("qaly_per_debt_success") * df_p["debt"]
        + persons_to_work * P("qaly_per_work") * df_work
        + prevented_all * P("qaly_per_escalation") * df_p["escalation"]
    )
    b_nuisance = nuisance_prevented * P("nuisance_value") * df_p["escalation"]

    b_fin = b_nfo + b_sub + b_eff + b_esc
    benefit = b_fin + b_children + b_qol + b_nuisance

    out: dict[str, ArrayLike] = {
        "cost_team": c_team,
        "cost_one_off": c_oneoff,
        "cost_newly_found": c_found,
        "cost_extra_care": c_extra,
        "cost_total": cost,
        "benefit_new_for_old": b_nfo,
        "benefit_substitution": b_sub,
        "benefit_effectiveness": b_eff,
        "benefit_escalation": b_esc,
        "benefit_children": b_children,
        "benefit_quality_of_life": b_qol,
        "benefit_nuisance": b_nuisance,
        "benefit_financial": b_fin,
        "benefit_total": benefit,
        "balance": benefit - cost,
        "ratio_financial": _safe_ratio(b_fin, cost),
        "ratio_social": _safe_ratio(benefit, cost),
        "fte_need": fte_need,
        "team_fte": team_fte,
        "persons_to_work": persons_to_work,
        "prevented_escalations": prevented_all,
    }

    # --- per-actor split (§5 views 2 and 3; meta-analyse §4.5) -----------
    # Post order follows sets.PAYER_POSTS: cost posts, financial, immaterial.
    # Costs fall in year 0 except extra care, which follows substitution.
    df_sub = df_p["substitution"]
    cost_amounts = (c_team, c_oneoff, *(found_t[t] for t in TYPES), *(a_extra_t[t] * df_sub for t in TYPES))
    fin_amounts = (a_nfo, *(a_sub_t[t] for t in TYPES), *(a_work_benefit_t[t] for t in TYPES),
                   *(a_work_income_t[t] for t in TYPES), *(a_first_t[t] for t in TYPES),
                   *(a_second_t[t] for t in TYPES), *(a_esc[t] for t in TYPES))
    fin_profiles = budget_profiles(prof, w_work)
    payer = structure.payer
    n_cost, n_fin = len(COST_POSTS), len(FINANCIAL_POSTS)
    cost_rows, fin_rows = payer[:n_cost], payer[n_cost:n_cost + n_fin]
    imm_rows = payer[n_cost + n_fin:]
    g_share = payer[:, _GEMEENTE_INDEX].sum(axis=1)
    # realisation (verzilvering): per actor, scalars or arrays over samples
    real = [P(f"realisation_share.{a}") for a in ACTORS]
    all_real = all(r.ndim == 0 and r == 1.0 for r in real)

    def realised_weight(row: Array, actors: Sequence[int]) -> ArrayLike:
        """``sum_a row[a] * realisation_share[a]`` over ``actors``."""
        return _weighted_sum([real[a] for a in actors], row[list(actors)])

    need_ncw = want & {"ratio_gemeente", "ratio_gemeente_realised", "balance_gemeente", "actor_ncw_cost",
                       "actor_ncw_benefit", "actor_ncw_benefit_financial", "actor_balance"}
    if need_ncw:
        fin_df = tuple(df_work if w is w_work else df_p[k] for w, k in zip(fin_profiles, _FIN_PROFILE_KEYS))
        ncw_fin = [a * d for a, d in zip(fin_amounts, fin_df)]
        g_cost = _weighted_sum(cost_amounts, g_share[:n_cost])
        if "actor_balance" in want:
            # benefits minus costs per actor in one accumulation; the
            # municipality's balance is the sum of its four actors (the
            # immaterial posts have no municipal share)
            balance_actor = _split(n, (*ncw_fin, b_children, b_qol, b_nuisance, *cost_amounts),
                                   np.vstack([fin_rows, imm_rows, -cost_rows]))
            out["actor_balance"] = balance_actor
            g_bal = _sum(balance_actor[:, i] for i in _GEMEENTE_INDEX) - _weighted_sum(
                (b_children, b_qol, b_nuisance), g_share[n_cost + n_fin:])
            g_fin = g_bal + g_cost
        else:
            g_fin = _weighted_sum(ncw_fin, g_share[n_cost:n_cost + n_fin])
            g_bal = np.subtract(g_fin, g_cost)
        out["ratio_gemeente"] = _safe_ratio(g_fin, g_cost)
        out["balance_gemeente"] = g_bal
        if "ratio_gemeente_realised" in want:
            if all_real:
                out["ratio_gemeente_realised"] = out["ratio_gemeente"]
            else:
                g_real = _sum(a * realised_weight(row, _GEMEENTE_INDEX) for a, row in zip(ncw_fin, fin_rows))
                out["ratio_gemeente_realised"] = _safe_ratio(g_real, g_cost)
        if want & {"actor_ncw_cost", "actor_ncw_benefit", "actor_ncw_benefit_financial"}:
            actor_cost = _split(n, cost_amounts, cost_rows)
            actor_fin = _split(n, ncw_fin, fin_rows)
            out.update(actor_ncw_cost=actor_cost, actor_ncw_benefit_financial=actor_fin,
                       actor_ncw_benefit=actor_fin + _split(n, (b_children, b_qol, b_nuisance), imm_rows))
    if "actor_budget_year2_cost" in want:
        # screen B is a steady-state year: one cohort's costs (all in its
        # year 0; extra care as far as its profile falls in years 0-2)
        w_sub3 = prof["substitution"][:BUDGET_YEARS].sum(axis=0)
        budget_cost = (c_team, c_oneoff, *(found_t[t] for t in TYPES), *(a_extra_t[t] * w_sub3 for t in TYPES))
        out["actor_budget_year2_cost"] = _split(n, budget_cost, cost_rows)
    if "actor_budget_year2_benefit" in want:
        # three equal cohorts aged 0, 1 and 2: each post's years 0-2
        budget = [a * w[:BUDGET_YEARS].sum(axis=0) for a, w in zip(fin_amounts, fin_profiles)]
        actor_budget = _split(n, budget, fin_rows)
        if not all_real:
            for i, r in enumerate(real):
                if r.ndim or r != 1.0:
                    actor_budget[:, i] *= r
        out["actor_budget_year2_benefit"] = actor_budget

    # --- programme view (§5 view 4, Figuur 4.8) ---------------------------
    if want & set(PROGRAMME_OUTPUTS + ("payback_year", "prefinancing", "payback_year_gemeente",
                                        "prefinancing_gemeente")):
        M = structure.cohort_matrix
        n_prog = structure.programme_years
        first_year = np.zeros(n_prog)
        first_year[0] = 1.0
        # signed amounts and their per-programme-year weight (cash flows of
        # all cohorts alive in each year); posts that share a weight vector
        # are summed first, which keeps the per-sample work small.  Benefits
        # count as far as they are realised (verzilvering).
        conv_sub = _spread(prof["substitution"], M)
        cost_flows: list[tuple[ArrayLike, Array, int]] = [
            (-c_team, np.ones(n_prog), 0),
            (-oneoff_cash, first_year, 1),
        ]
        cost_flows += [(-found_t[t], structure.ramp, 2 + i) for i, t in enumerate(TYPES)]
        cost_flows += [(-a_extra_t[t], conv_sub, 2 + len(TYPES) + i) for i, t in enumerate(TYPES)]
        conv_work = _spread(w_work, M)
        conv = {k: _spread(prof[k], M) for k in set(_FIN_PROFILE_KEYS) - {"work"}}
        benefit_flows = [(amount, conv_work if w is w_work else conv[k], n_cost + j)
                         for j, (amount, w, k) in enumerate(zip(fin_amounts, fin_profiles, _FIN_PROFILE_KEYS))]
        all_actors = list(range(len(ACTORS)))
        series: dict[str, list[tuple[ArrayLike, Array]]] = {"total": [], "gemeente": []}
        for amount, w, i in cost_flows:
            series["total"].append((amount, w))
            if g_share[i] != 0.0:
                series["gemeente"].append((amount * float(g_share[i]), w))
        for amount, w, i in benefit_flows:
            if all_real:
                series["total"].append((amount, w))
                if g_share[i] != 0.0:
                    series["gemeente"].append((amount * float(g_share[i]), w))
            else:
                series["total"].append((amount * realised_weight(payer[i], all_actors), w))
                series["gemeente"].append((amount * realised_weight(payer[i], _GEMEENTE_INDEX), w))
        want_cash = want & set(PROGRAMME_OUTPUTS)
        for label, fl in series.items():
            if f"cashflow_{label}" in want_cash:
                out[f"cashflow_{label}"] = _cash(n, n_prog, fl).T
            suffix = "" if label == "total" else "_gemeente"
            if want & {f"payback_year{suffix}", f"prefinancing{suffix}"}:
                pb, pf = _payback_cumulative(n, n_prog, fl)
                out[f"payback_year{suffix}"] = pb
                out[f"prefinancing{suffix}"] = pf

    result: dict[str, Array] = {}
    for name in want:
        value = np.asarray(out[name], dtype=np.float64)
        if name in ACTOR_OUTPUTS or name in PROGRAMME_OUTPUTS:
            result[name] = value
        else:
            result[name] = np.full(n, value) if value.ndim == 0 else value
    return result


#: Which profile each financial post follows, in :data:`FINANCIAL_POSTS` order
#: (``work`` is derived from ``work_years``).
_FIN_PROFILE_KEYS: Final[tuple[str, ...]] = (
    "new_for_old", *(["substitution"] * len(TYPES)), *(["work"] * 2 * len(TYPES)),
    *(["first_line"] * len(TYPES)), *(["second_line"] * len(TYPES)), *(["escalation"] * len(TYPES)),
)


def budget_profiles(prof: Mapping[str, Array], w_work: Array) -> tuple[Array, ...]:
    """Time profiles of the financial posts, in :data:`FINANCIAL_POSTS` order."""
    return tuple(w_work if k == "work" else prof[k] for k in _FIN_PROFILE_KEYS)


def _sum(terms: Iterable[ArrayLike]) -> ArrayLike:
    """Sum starting from the first term (``sum()`` starts at 0: one array op more)."""
    it = iter(terms)
    acc = next(it)
    for t in it:
        acc = acc + t
    return acc


def _weighted_sum(amounts: Sequence[ArrayLike], weights: Array) -> ArrayLike:
    """``sum_j amounts[j] * weights[j]`` over non-zero weights, in a fixed order."""
    acc: ArrayLike = 0.0
    for a, w in zip(amounts, weights):
        if w != 0.0:
            acc = acc + (a if w == 1.0 else a * w)
    return acc


def _split(n: int, amounts: Sequence[ArrayLike], rows: Array) -> Array:
    """Split post amounts over actors: ``(n, actors)`` with ``out[:, a] =
    sum_p amounts[p] * rows[p, a]``.  Posts with equal payer rows (the same
    vector for every household type, say) are summed first; then each
    group is accumulated in post order (no BLAS, so every sample gets the
    same arithmetic whatever the chunk length)."""
    groups: list[tuple[ArrayLike, Array]] = []
    for amount, row in zip(amounts, rows):
        if not row.any():
            continue
        for i, (acc, r) in enumerate(groups):
            if np.array_equal(r, row):
                groups[i] = (np.add(acc, amount), r)
                break
        else:
            groups.append((amount, row))
    out = np.zeros((rows.shape[1], n))
    tmp = np.empty(n)
    for amount, row in groups:
        for a in np.flatnonzero(row):
            s = float(row[a])
            if s == 1.0:
                out[a] += amount
            elif s == -1.0:
                out[a] -= amount
            else:
                np.multiply(amount, s, out=tmp)
                out[a] += tmp
    return out.T


def _spread(w: Array, M: Array) -> Array:
    """Programme-year weights ``out[Y] = sum_y w[y] M[y, Y]`` of a profile ``w``.

    ``w`` is one profile ``(10,)`` (giving ``(years,)``) or per-sample
    profiles ``(10, n)`` (giving ``(years, n)``).  The sum runs over ``y`` in
    ascending order, elementwise (no BLAS, whose summation order depends on
    its thread count and the CPU), so the weights are bit-identical on every
    machine and a single profile gets the same numbers as a per-sample one.
    """
    if w.ndim == 1:
        return np.add.reduce(w[:, None] * M, axis=0)  # sequential over y (a non-contiguous axis)
    out = np.zeros((M.shape[1], w.shape[1]))
    for y, Y in zip(*np.nonzero(M)):
        out[Y] += w[y] * M[y, Y]
    return out


def _group(flows: Sequence[tuple[ArrayLike, Array]]) -> list[tuple[ArrayLike, Array]]:
    """Sum the amounts of flows whose weight vectors are equal."""
    groups: list[tuple[ArrayLike, Array]] = []
    for amount, weights in flows:
        for i, (acc, w) in enumerate(groups):
            if w.shape == weights.shape and np.array_equal(w, weights):
                groups[i] = (np.add(acc, amount), w)
                break
        else:
            groups.append((amount, weights))
    return groups


def _payback_cumulative(n: int, years: int, flows: Sequence[tuple[ArrayLike, Array]]) -> tuple[Array, Array]:
    """Payback year (1-based, NaN if never) and pre-financing need.

    The cash of year ``Y`` is ``sum_g A_g w_g[Y]`` over groups of flows that
    share a weight vector.  Years are accumulated one by one until every
    weight vector has become constant (year ``Y*``, after the build-up and
    the last effect year); from there the cumulative balance is linear in
    the year, so its minimum lies at ``Y*`` or at the last year, and the
    first non-negative year follows from ``ceil(-cum / cash)``.  The payback
    year counts the years whose cumulative balance stayed negative.
    """
    groups = [(np.asarray(a, dtype=np.float64), w) for a, w in _group(flows)]
    steady = 0
    for _, w in groups:
        if w.ndim > 1:
            steady = years - 1
            break
        changes = np.flatnonzero(w[1:] != w[:-1])
        if changes.size:
            steady = max(steady, int(changes[-1]) + 1)
    cum = np.zeros(n)
    cash = np.empty(n)
    tmp = np.empty(n)
    low = np.full(n, np.inf)
    pending = np.ones(n, dtype=bool)
    neg = np.empty(n, dtype=bool)
    count = np.zeros(n)
    for year in range(steady + 1):
        cash.fill(0.0)
        for a, w in groups:
            wy = w[year]
            if wy.ndim or wy != 0.0:
                np.multiply(a, wy, out=tmp)
                cash += tmp
        cum += cash
        np.minimum(low, cum, out=low)
        np.less(cum, 0.0, out=neg)
        np.logical_and(pending, neg, out=pending)
        count += pending
    rest = years - 1 - steady
    if rest > 0:  # cum + k * cash for k = 1 .. rest
        np.multiply(cash, float(rest), out=tmp)
        tmp += cum
        np.minimum(low, tmp, out=low)
        with np.errstate(divide="ignore", invalid="ignore"):
            first = np.ceil(-cum / cash)  # first k with cum + k cash >= 0 (cash > 0)
        extra = np.where(cash > 0.0, np.clip(first - 1.0, 0.0, rest), float(rest))
        count += np.where(pending, extra, 0.0)
    payback = np.where(count < years, count + 1.0, np.nan)
    return payback, np.maximum(0.0, -low)


def _cash(n: int, years: int, flows: Sequence[tuple[ArrayLike, Array]]) -> Array:
    """Cash flow ``(years, n)`` from signed amounts and weight vectors; flows
    whose weights are equal are summed before they are spread over years."""
    groups = _group(flows)
    cash = np.zeros((years, n))
    for amount, weights in groups:
        a = np.asarray(amount)
        if weights.ndim == 1:
            for y in np.flatnonzero(weights):
                cash[y] += a * weights[y]
        else:  # per-sample weights, shape (years, n)
            cash += a * weights
    return cash


__all__ = [
    "ACTOR_OUTPUTS",
    "ALL_OUTPUTS",
    "BUDGET_YEARS",
    "PROGRAMME_OUTPUTS",
    "SCALAR_OUTPUTS",
    "Structure",
    "evaluate",
    "sample_count",
]
