"""The MKBA model as an analyst would write it: one parameter set at a time,
plain Python floats and loops (the reference for the vectorisation speed-up).

It computes the same default outputs as ``mkba_mc.model.core.evaluate`` (posts,
totals, ratios, per-actor balances, programme payback and pre-financing);
``bench_montecarlo.py`` checks that both agree before it times them.
"""

from __future__ import annotations

from mkba_mc.model.sets import ACTORS, COST_POSTS, FINANCIAL_POSTS, GEMEENTE_ACTORS, IMMATERIAL_POSTS, MV, SEVERITIES, TYPES

YEARS = 10


def naive_model(p: dict, payer: list[list[float]], prof: dict[str, list[float]], ramp_years: int = 4,
                programme_years: int = 10, programme: bool = True) -> dict:
    """Evaluate one parameter set ``p`` (a dict of floats); ``programme=False``
    leaves out the programme view (payback, pre-financing), as a default
    Monte Carlo run does."""
    n = {}
    for t in TYPES:
        for s in SEVERITIES:
            n[t, s] = p["households"] * p[f"type_share.{t}"] * p[f"severity_share.{t}.{s}"]
    n_t = {t: sum(n[t, s] for s in SEVERITIES) for t in TYPES}
    n_mv = {t: sum(n[t, s] for s in MV) for t in TYPES}
    fte_need = 0.0
    for s in SEVERITIES:
        fte_need += sum(n[t, s] for t in TYPES) / p[f"caseload.{s}"]
    c_team = p["team_fte"] * p["cost_per_fte"] + p["other_team_costs"]
    c_oneoff = p["friction_share"] * c_team + p["one_off_costs"] / p["amortisation_years"]
    care = {t: sum(n[t, s] * p[f"care_profile.{t}.{s}"] for s in SEVERITIES) for t in TYPES}
    c_found = p["newly_found_share"] * p["new_care_fraction"] * sum(care.values())
    cost = c_team + c_oneoff + c_found

    disc = [(1.0 + p["discount_rate"]) ** -y for y in range(YEARS)]
    w_work = [min(max(p["work_years"] - y, 0.0), 1.0) / p["work_years"] for y in range(YEARS)]

    def df(w):
        return sum(w[y] * disc[y] for y in range(YEARS))

    df_p = {k: df(v) for k, v in prof.items()}
    df_work = df(w_work)
    a_nfo = ((1 - p["additional_share_team"]) * (c_team - p["other_team_costs"])
             + (1 - p["additional_share_other"]) * p["other_team_costs"]
             + p["coordination_saving_per_household"] * p["households"])
    a_sub = sum(care[t] * p[f"substitutable_share.{t}"] for t in TYPES) * (
        p["newly_found_share"] * p["new_care_fraction"] * p["substitution_new"]
        + (1 - p["newly_found_share"]) * p["substitution_existing"])
    m_esc = p["attribution"] * (1 - p["relapse"])
    m_eff = m_esc * p["effectiveness_multiplier"]
    persons = p["to_work_rate"] * m_eff * sum(n_mv[t] * p[f"no_work_share.{t}"] for t in TYPES if t != "elderly")
    a_wb = persons * p["benefit_saving_per_year"] * p["work_years"]
    a_wi = persons * p["income_gain_per_year"] * p["work_years"]
    n_mv_all = sum(n_mv.values())
    a_fl = p["first_line_reduction"] * m_eff * n_mv_all * p["first_line_cost"]
    a_sl = p["second_line_reduction"] * m_eff * n_mv_all * p["second_line_cost"]
    debt = p["debt_success_rate"] * m_eff * sum(n_mv[t] * p[f"debt_share.{t}"] for t in TYPES)
    prevented = {t: n_t[t] * p[f"escalation_rate.{t}"] * m_esc for t in TYPES}
    a_esc = {t: prevented[t] * p[f"escalation_cost.{t}"] for t in TYPES}
    dropouts = p["school_dropout_reduction"] * m_eff * p["kids_per_family"] * n_mv["families"]
    nuis = sum(n_mv[t] * p[f"nuisance_share.{t}"] * p[f"escalation_rate.{t}"] for t in TYPES) * m_esc

    b = {
        "new_for_old": a_nfo * df_p["new_for_old"],
        "substitution": a_sub * df_p["substitution"],
        "work_benefit": a_wb * df_work,
        "work_income": a_wi * df_work,
        "first_line": a_fl * df_p["first_line"],
        "second_line": a_sl * df_p["second_line"],
        "escalation.families": a_esc["families"] * df_p["escalation"],
        "escalation.elderly": a_esc["elderly"] * df_p["escalation"],
        "escalation.other": a_esc["other"] * df_p["escalation"],
        "children": dropouts * p["value_per_prevented_dropout"] * df_p["children"],
        "quality_of_life": p["qaly_value"] * (debt * p["qaly_per_debt_success"] * df_p["debt"]
                                              + persons * p["qaly_per_work"] * df_work
                                              + sum(prevented.values()) * p["qaly_per_escalation"] * df_p["escalation"]),
        "nuisance": nuis * p["nuisance_value"] * df_p["escalation"],
    }
    fin = sum(b[k] for k in FINANCIAL_POSTS)
    benefit = fin + sum(b[k] for k in IMMATERIAL_POSTS)
    costs = {"team": c_team, "one_off": c_oneoff, "newly_found": c_found}
    posts = list(COST_POSTS) + list(FINANCIAL_POSTS) + list(IMMATERIAL_POSTS)
    actor_balance = []
    for a in range(len(ACTORS)):
        bal = 0.0
        for i, post in enumerate(posts):
            share = payer[i][a]
            if share:
                bal += -costs[post] * share if post in costs else b[post] * share
        actor_balance.append(bal)
    g = [ACTORS.index(x) for x in GEMEENTE_ACTORS]
    g_cost = sum(costs[post] * payer[i][a] for i, post in enumerate(posts) if post in costs for a in g)
    g_bal = sum(actor_balance[a] for a in g)

    # programme: cohorts each year, ramp over ramp_years, undiscounted cash
    amounts = {"new_for_old": a_nfo, "substitution": a_sub, "work_benefit": a_wb, "work_income": a_wi,
               "first_line": a_fl, "second_line": a_sl, "escalation.families": a_esc["families"],
               "escalation.elderly": a_esc["elderly"], "escalation.other": a_esc["other"]}
    profile_of = {"new_for_old": prof["new_for_old"], "substitution": prof["substitution"], "work_benefit": w_work,
                  "work_income": w_work, "first_line": prof["first_line"], "second_line": prof["second_line"],
                  "escalation.families": prof["escalation"], "escalation.elderly": prof["escalation"],
                  "escalation.other": prof["escalation"]}
    ramp = [min(1.0, (c + 1) / ramp_years) for c in range(programme_years)]
    result = {}
    for label, actors in ((("", list(range(len(ACTORS)))), ("_gemeente", g)) if programme else ()):
        def share(post):
            return sum(payer[posts.index(post)][a] for a in actors)
        cum, low, payback = 0.0, float("inf"), float("nan")
        for year in range(programme_years):
            cash = -c_team * share("team") - (p["friction_share"] * c_team + p["one_off_costs"]) * share("one_off") * (year == 0)
            cash -= c_found * ramp[year] * share("newly_found")
            for post, amount in amounts.items():
                w = profile_of[post]
                for cohort in range(year + 1):
                    age = year - cohort
                    if age < YEARS:
                        cash += amount * share(post) * ramp[cohort] * w[age]
            cum += cash
            low = min(low, cum)
            if payback != payback and cum >= 0:
                payback = year + 1.0
        result["payback_year" + label] = payback
        result["prefinancing" + label] = max(0.0, -low)
    result.update(
        cost_total=cost, benefit_financial=fin, benefit_total=benefit, balance=benefit - cost,
        ratio_social=benefit / cost if cost > 0 else float("nan"),
        ratio_financial=fin / cost if cost > 0 else float("nan"),
        ratio_gemeente=(g_bal + g_cost) / g_cost if g_cost > 0 else float("nan"),
        balance_gemeente=g_bal, fte_need=fte_need, actor_balance=actor_balance,
    )
    return result
