"""The MKBA model as an analyst would write it: one parameter set at a time,
plain Python floats and loops.

This is an *independent* implementation of the model described in MODEL.md
§3-5 and the README ("How the views relate", "Realisation"), written from
those texts and the meta-analysis ("Meta analyse MKBA's sociale (wijk)teams",
LPBL for BZK, January 2014), not from ``mkba_mc.model``: it imports nothing
from the package.  It serves two purposes:

* ``tests/unit/test_differential.py`` checks that the vectorised model equals
  it for every output and every view over random parameter sets;
* ``bench_montecarlo.py`` times it as the per-sample reference for the
  vectorisation speed-up.

The only shared contract is data: the index sets and the order of the payer
rows (:data:`PAYER_POSTS`, checked against ``mkba_mc.model.sets`` by the
differential test).
"""

from __future__ import annotations

import math

TYPES = ("families", "elderly", "other")
SEVERITIES = ("ev", "mv_zr", "mv_nzr", "top")
MV = ("mv_zr", "mv_nzr", "top")
ACTORS = ("gemeente_werk_inkomen", "gemeente_wmo_welzijn", "gemeente_jeugd", "gemeente_overig",
          "zorgverzekeraar", "rijk_wlz", "corporatie", "huishoudens", "overig")
GEMEENTE = (0, 1, 2, 3)
YEARS = 10  # effect years 0 .. 9 of one cohort
BUDGET_YEARS = 3  # screen B: cohorts aged 0, 1 and 2


def _typed(post: str) -> list[str]:
    return [f"{post}.{t}" for t in TYPES]


COST_POSTS = ["team", "one_off", *_typed("newly_found"), *_typed("extra_care")]
FINANCIAL_POSTS = ["new_for_old", *_typed("substitution"), *_typed("work_benefit"), *_typed("work_income"),
                   *_typed("first_line"), *_typed("second_line"), *_typed("escalation")]
IMMATERIAL_POSTS = ["children", "quality_of_life", "nuisance"]
#: The order of the rows of the payer matrix.
PAYER_POSTS = COST_POSTS + FINANCIAL_POSTS + IMMATERIAL_POSTS


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


def naive_model(p: dict, payer: list[list[float]], prof: dict[str, list[float]], ramp_years: int = 4,
                programme_years: int = 10, programme: bool = True, team_from_caseload: bool = False) -> dict:
    """Evaluate one parameter set.

    Parameters
    ----------
    p : dict
        Every parameter as a float (names as in the scenario files).
    payer : list of list of float
        One row of actor shares per post of :data:`PAYER_POSTS`.
    prof : dict
        Time profile (10 shares) of each post that has one in the files.
    ramp_years, programme_years : int
        Programme view: build-up of reach and its length.
    programme : bool
        Whether to compute the programme view (payback, pre-financing, cash flows).
    team_from_caseload : bool
        Use the caseload-based need as the team size.

    Returns
    -------
    dict
        Every output of the model: floats, lists over actors (``actor_*``)
        and lists over programme years (``cashflow_*``).
    """
    # ---- reach (MODEL.md §3A)
    hh = p["households"]
    n = {(t, s): hh * p[f"type_share.{t}"] * p[f"severity_share.{t}.{s}"] for t in TYPES for s in SEVERITIES}
    n_t = {t: sum(n[t, s] for s in SEVERITIES) for t in TYPES}
    n_mv = {t: sum(n[t, s] for s in MV) for t in TYPES}
    fte_need = sum(n[t, s] / p[f"caseload.{s}"] for t in TYPES for s in SEVERITIES)
    team_fte = fte_need if team_from_caseload else p["team_fte"]

    # ---- time profiles and discounting (§4: DF_p = sum_y w_p[y] / (1 + r)^y)
    W = p["work_years"]
    profile = dict(prof)
    profile["work"] = [min(1.0, max(0.0, W - y)) / W for y in range(YEARS)]
    disc = [1.0 / (1.0 + p["discount_rate"]) ** y for y in range(YEARS)]
    DF = {k: sum(w[y] * disc[y] for y in range(YEARS)) for k, w in profile.items()}

    # ---- undiscounted amounts of every post, and the profile it follows
    amount: dict[str, float] = {}
    follows: dict[str, str] = {}
    c_team = team_fte * p["cost_per_fte"] + p["other_team_costs"]
    one_off_cash = p["friction_share"] * c_team + p["one_off_costs"]
    amount["team"] = c_team
    amount["one_off"] = one_off_cash / p["amortisation_years"]  # README: friction included, amortised
    share_new = p["newly_found_share"] * p["new_care_fraction"]
    share_known = 1.0 - p["newly_found_share"]
    for t in TYPES:
        care = sum(n[t, s] * p[f"care_profile.{t}.{s}"] for s in SEVERITIES)
        amount[f"newly_found.{t}"] = share_new * care
        substitutable = care * p[f"substitutable_share.{t}"]
        shifts = (share_new * substitutable * p["substitution_new"],
                  share_known * substitutable * p["substitution_existing"])
        amount[f"substitution.{t}"] = sum(s for s in shifts if s > 0)
        amount[f"extra_care.{t}"] = sum(-s for s in shifts if s < 0)
        follows[f"substitution.{t}"] = follows[f"extra_care.{t}"] = "substitution"

    m_esc = p["attribution"] * (1.0 - p["relapse"])
    m_eff = m_esc * p["effectiveness_multiplier"]
    persons = {t: 0.0 if t == "elderly" else n_mv[t] * p[f"no_work_share.{t}"] * p["to_work_rate"] * m_eff
               for t in TYPES}
    prevented = {t: n_t[t] * p[f"escalation_rate.{t}"] * m_esc for t in TYPES}
    amount["new_for_old"] = ((1.0 - p["additional_share_team"]) * team_fte * p["cost_per_fte"]
                             + (1.0 - p["additional_share_other"]) * p["other_team_costs"]
                             + p["coordination_saving_per_household"] * hh)
    follows["new_for_old"] = "new_for_old"
    for t in TYPES:
        amount[f"work_benefit.{t}"] = persons[t] * W * p["benefit_saving_per_year"]
        amount[f"work_income.{t}"] = persons[t] * W * p["income_gain_per_year"]
        amount[f"first_line.{t}"] = n_mv[t] * m_eff * p["first_line_reduction"] * p["first_line_cost"]
        amount[f"second_line.{t}"] = n_mv[t] * m_eff * p["second_line_reduction"] * p["second_line_cost"]
        amount[f"escalation.{t}"] = prevented[t] * p[f"escalation_cost.{t}"]
        follows[f"work_benefit.{t}"] = follows[f"work_income.{t}"] = "work"
        for post in ("first_line", "second_line", "escalation"):
            follows[f"{post}.{t}"] = post

    # ---- NCW of every post (screen A)
    ncw = {post: amount[post] * DF[follows[post]] if post in follows else amount[post] for post in amount}
    debt_ok = p["debt_success_rate"] * m_eff * sum(n_mv[t] * p[f"debt_share.{t}"] for t in TYPES)
    ncw["children"] = (p["school_dropout_reduction"] * m_eff * p["kids_per_family"] * n_mv["families"]
                       * p["value_per_prevented_dropout"] * DF["children"])
    ncw["quality_of_life"] = p["qaly_value"] * (
        debt_ok * p["qaly_per_debt_success"] * DF["debt"]
        + sum(persons.values()) * p["qaly_per_work"] * DF["work"]
        + sum(prevented.values()) * p["qaly_per_escalation"] * DF["escalation"])
    nuisance_prevented = sum(n_mv[t] * p[f"nuisance_share.{t}"] * p[f"escalation_rate.{t}"] for t in TYPES) * m_esc
    ncw["nuisance"] = nuisance_prevented * p["nuisance_value"] * DF["escalation"]

    def total(posts: list[str], prefix: str = "") -> float:
        return sum(ncw[q] for q in posts if q.startswith(prefix))

    r: dict = {
        "cost_team": ncw["team"], "cost_one_off": ncw["one_off"], "cost_newly_found": total(COST_POSTS, "newly_found"),
        "cost_extra_care": total(COST_POSTS, "extra_care"), "cost_total": total(COST_POSTS),
        "benefit_new_for_old": ncw["new_for_old"], "benefit_substitution": total(FINANCIAL_POSTS, "substitution"),
        "benefit_effectiveness": sum(total(FINANCIAL_POSTS, k) for k in ("work", "first_line", "second_line")),
        "benefit_escalation": total(FINANCIAL_POSTS, "escalation"), "benefit_children": ncw["children"],
        "benefit_quality_of_life": ncw["quality_of_life"], "benefit_nuisance": ncw["nuisance"],
        "benefit_financial": total(FINANCIAL_POSTS), "fte_need": fte_need, "team_fte": team_fte,
        "persons_to_work": sum(persons.values()), "prevented_escalations": sum(prevented.values()),
    }
    r["benefit_total"] = r["benefit_financial"] + total(IMMATERIAL_POSTS)
    r["balance"] = r["benefit_total"] - r["cost_total"]
    r["ratio_financial"] = _ratio(r["benefit_financial"], r["cost_total"])
    r["ratio_social"] = _ratio(r["benefit_total"], r["cost_total"])

    # ---- per actor (views 2 and 3; §4.5)
    row = {post: payer[i] for i, post in enumerate(PAYER_POSTS)}
    real = [p[f"realisation_share.{a}"] for a in ACTORS]
    A = range(len(ACTORS))
    r["actor_ncw_cost"] = [sum(ncw[q] * row[q][a] for q in COST_POSTS) for a in A]
    r["actor_ncw_benefit_financial"] = [sum(ncw[q] * row[q][a] for q in FINANCIAL_POSTS) for a in A]
    r["actor_ncw_benefit"] = [r["actor_ncw_benefit_financial"][a] + sum(ncw[q] * row[q][a] for q in IMMATERIAL_POSTS)
                              for a in A]
    r["actor_balance"] = [r["actor_ncw_benefit"][a] - r["actor_ncw_cost"][a] for a in A]
    g_cost = sum(r["actor_ncw_cost"][a] for a in GEMEENTE)
    g_fin = sum(r["actor_ncw_benefit_financial"][a] for a in GEMEENTE)
    g_real = sum(ncw[q] * row[q][a] * real[a] for q in FINANCIAL_POSTS for a in GEMEENTE)
    r["ratio_gemeente"] = _ratio(g_fin, g_cost)
    r["ratio_gemeente_realised"] = _ratio(g_real, g_cost)
    r["balance_gemeente"] = g_fin - g_cost
    # screen B: one cohort's costs (extra care as far as it falls in years 0-2),
    # three cohorts' financial benefits (years 0-2 of each profile), undiscounted
    first3 = {k: sum(w[:BUDGET_YEARS]) for k, w in profile.items()}
    b_cost = {q: amount[q] * (first3["substitution"] if q.startswith("extra_care") else 1.0) for q in COST_POSTS}
    r["actor_budget_year2_cost"] = [sum(b_cost[q] * row[q][a] for q in COST_POSTS) for a in A]
    r["actor_budget_year2_benefit"] = [real[a] * sum(amount[q] * first3[follows[q]] * row[q][a]
                                                     for q in FINANCIAL_POSTS) for a in A]

    # ---- programme (view 4, Figuur 4.8): a cohort a year, reach ramping up
    if programme:
        ramp = [min(1.0, (c + 1.0) / ramp_years) for c in range(programme_years)]
        for label, actors in (("total", tuple(A)), ("gemeente", GEMEENTE)):
            cash = []
            for year in range(programme_years):
                c = c_team * sum(row["team"][a] for a in actors)  # the whole team from year 1
                if year == 0:
                    c += one_off_cash * sum(row["one_off"][a] for a in actors)
                flow = -c
                for cohort in range(year + 1):
                    age = year - cohort
                    if age >= YEARS:
                        continue
                    for t in TYPES:  # costs that scale with reach
                        flow -= amount[f"newly_found.{t}"] * ramp[cohort] * (age == 0) * sum(
                            row[f"newly_found.{t}"][a] for a in actors)
                        flow -= amount[f"extra_care.{t}"] * ramp[cohort] * profile["substitution"][age] * sum(
                            row[f"extra_care.{t}"][a] for a in actors)
                    for q in FINANCIAL_POSTS:  # benefits, as far as realised
                        flow += amount[q] * ramp[cohort] * profile[follows[q]][age] * sum(
                            row[q][a] * real[a] for a in actors)
                cash.append(flow)
            cum, low, payback = 0.0, math.inf, math.nan
            for year, flow in enumerate(cash):
                cum += flow
                low = min(low, cum)
                if math.isnan(payback) and cum >= 0:
                    payback = year + 1.0
            suffix = "" if label == "total" else "_gemeente"
            r[f"cashflow_{label}"] = cash
            r[f"payback_year{suffix}"] = payback
            r[f"prefinancing{suffix}"] = max(0.0, -low)
    return r
