"""Invariants of the model that hold whatever the calibration (issue 2 acceptance)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from mkba_mc import load_scenario
from mkba_mc.model.diagnostics import result_warnings
from mkba_mc.model.core import SCALAR_OUTPUTS, evaluate
from mkba_mc.model.sets import ACTORS, TYPES

ROOT = Path(__file__).resolve().parents[2]
POSTS = (
    "cost_team", "cost_one_off", "cost_newly_found", "cost_extra_care", "benefit_new_for_old", "benefit_substitution",
    "benefit_effectiveness", "benefit_escalation", "benefit_children", "benefit_quality_of_life", "benefit_nuisance",
)
EFFECT_POSTS = ("benefit_effectiveness", "benefit_escalation", "benefit_children", "benefit_quality_of_life",
                "benefit_nuisance")


def test_qaly_value_scales_quality_of_life_only(sc) -> None:
    out = sc.evaluate({"qaly_value": np.array([20_000.0, 100_000.0])})
    assert out["benefit_quality_of_life"][1] == pytest.approx(5 * out["benefit_quality_of_life"][0], rel=1e-12)
    assert out["benefit_quality_of_life"][0] > 0
    for post in POSTS:
        if post != "benefit_quality_of_life":
            assert out[post][1] == out[post][0], post


def test_zero_attribution_zeroes_effect_benefits_only(sc) -> None:
    base = sc.evaluate()
    zero = sc.evaluate({"attribution": 0.0})
    for post in EFFECT_POSTS:
        assert base[post][0] > 0
        assert zero[post][0] == 0.0, post
    for post in ("cost_team", "cost_one_off", "cost_newly_found", "cost_total",
                 "benefit_substitution", "benefit_new_for_old"):
        assert zero[post][0] == base[post][0], post


def test_zero_discount_rate_gives_undiscounted_sums(sc) -> None:
    out = sc.evaluate({"discount_rate": 0.0})
    # MODEL.md §4: B_p = (undiscounted flow) x DF_p, DF_p = sum_y w_p[y] / (1 + r)^y, so at r = 0 a post is
    # its discounted value over DF_p(r) -- exactly; and Bijlage 2's published screen-A figures (at 5.5 %),
    # undiscounted with the scenario's profiles, give the same within the calibration tolerance.
    published = {"benefit_escalation": ("escalation", 293_900), "benefit_children": ("children", 31_600)}
    at_rate = sc.evaluate()
    rate = sc.params["discount_rate"]
    assert rate == 0.055
    for post, (profile, figure) in published.items():
        w = np.asarray(sc.structure.profiles[profile], dtype=float)
        df = float(np.sum(w / (1 + rate) ** np.arange(w.size)))
        assert 0 < df < 1, post
        assert out[post][0] == pytest.approx(at_rate[post][0] / df, rel=1e-12), post
        assert out[post][0] == pytest.approx(figure / df, rel=0.003), post  # POST_REL of test_bijlage2
    # every NCW post equals the undiscounted sum of its flows: with r = 0 the
    # programme's steady-state year (ramp 1) equals the financial benefits of one
    # cohort minus its yearly costs
    from mkba_mc.model.core import Structure
    st = Structure(sc.structure.payer, sc.structure.profiles, ramp_years=1, programme_years=12)
    prog = evaluate({**sc.params, "discount_rate": 0.0}, st)
    steady = prog["benefit_financial"][0] - prog["cost_team"][0] - prog["cost_newly_found"][0]
    assert prog["cashflow_total"][0, -1] == pytest.approx(steady, rel=1e-12)
    # and a positive discount rate lowers every post that lies after year 0
    disc = sc.evaluate({"discount_rate": 0.055})
    for post in ("benefit_escalation", "benefit_children", "benefit_effectiveness"):
        assert disc[post][0] < out[post][0]
    for post in ("benefit_substitution", "benefit_new_for_old", "cost_total"):
        assert disc[post][0] == out[post][0]


def test_actor_values_add_up_to_totals(sc) -> None:
    rng = np.random.default_rng(7)
    n = 1000
    out = sc.evaluate({
        "attribution": rng.uniform(0.2, 0.8, n),
        "substitution_new": rng.uniform(-0.4, 0.8, n),
        "qaly_value": rng.uniform(20_000, 100_000, n),
        "discount_rate": rng.uniform(0.0, 0.06, n),
    })
    np.testing.assert_allclose(out["actor_ncw_cost"].sum(axis=1), out["cost_total"], rtol=1e-12)
    np.testing.assert_allclose(out["actor_ncw_benefit"].sum(axis=1), out["benefit_total"], rtol=1e-12)
    np.testing.assert_allclose(out["actor_ncw_benefit_financial"].sum(axis=1), out["benefit_financial"], rtol=1e-12)
    np.testing.assert_allclose(out["actor_budget_year2_cost"].sum(axis=1), out["cost_total"], rtol=1e-12)
    g = [ACTORS.index(a) for a in ACTORS[:4]]
    np.testing.assert_allclose(
        out["ratio_gemeente"],
        out["actor_ncw_benefit_financial"][:, g].sum(1) / out["actor_ncw_cost"][:, g].sum(1), rtol=1e-12)
    np.testing.assert_allclose(out["balance"], out["benefit_total"] - out["cost_total"], rtol=1e-12)


def test_single_row_equals_array_row(sc) -> None:
    rng = np.random.default_rng(11)
    n = 100_000
    draws = {
        "attribution": rng.uniform(0.2, 0.8, n),
        "relapse": rng.uniform(0.0, 0.4, n),
        "substitution_new": rng.uniform(-0.4, 0.8, n),
        "substitution_existing": rng.uniform(-0.4, 0.5, n),
        "qaly_value": rng.uniform(20_000, 100_000, n),
        "escalation_rate.families": rng.uniform(0.0, 0.2, n),
        "escalation_cost.elderly": rng.uniform(5_000, 50_000, n),
        "newly_found_share": rng.uniform(0.0, 0.5, n),
        "work_years": rng.uniform(0.5, 5.0, n),
        "discount_rate": rng.uniform(0.0, 0.06, n),
        "cost_per_fte": rng.uniform(50_000, 80_000, n),
    }
    full = sc.evaluate(draws)
    for i in (0, 4_321, n - 1):
        one = sc.evaluate({k: v[i] for k, v in draws.items()})
        for name in SCALAR_OUTPUTS:
            np.testing.assert_allclose(one[name][0], full[name][i], rtol=1e-13, atol=1e-9, err_msg=name)
        for name in ("actor_ncw_cost", "actor_ncw_benefit", "actor_budget_year2_benefit", "cashflow_total"):
            np.testing.assert_allclose(one[name][0], full[name][i], rtol=1e-13, atol=1e-9, err_msg=name)


def test_negative_substitution_is_extra_care_cost(sc) -> None:
    """More care than taken over (Tabel 4.5: -40 %) is the cost post extra
    care, the mirror of the substitution benefit at +40 % (§4.2, Figuur 4.3)."""
    out = sc.evaluate({"substitution_new": -0.4, "substitution_existing": -0.4})
    assert out["benefit_substitution"][0] == 0.0
    pos = sc.evaluate({"substitution_new": 0.4, "substitution_existing": 0.4})
    assert out["cost_extra_care"][0] == pytest.approx(pos["benefit_substitution"][0], rel=1e-12)
    assert pos["cost_extra_care"][0] == 0.0
    # the balance is what the old booking (a negative benefit) gave
    assert out["balance"][0] - pos["balance"][0] == pytest.approx(-2 * pos["benefit_substitution"][0], rel=1e-9)


def test_nonpositive_cost_gives_nan_ratios_and_counted_warning(sc) -> None:
    params = {**sc.params, "team_fte": np.array([3.6, 0.0]), "one_off_costs": 0.0, "newly_found_share": 0.0,
              "other_team_costs": 0.0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no divide-by-zero RuntimeWarning may escape
        out = evaluate(params, sc.structure)
    assert np.isfinite(out["ratio_social"][0])
    assert np.isnan(out["ratio_social"][1]) and np.isnan(out["ratio_financial"][1])
    assert np.isnan(out["ratio_gemeente"][1])
    assert not np.isinf(out["ratio_social"]).any()
    msgs = result_warnings(out)
    assert any("1 of 2 samples" in m and "total cost" in m for m in msgs)


def test_team_from_caseload_uses_fte_need(sc) -> None:
    from mkba_mc.io.loading import build_scenario, read_toml
    data = read_toml(ROOT / "scenarios" / "bijlage2_voorbeeld.toml")
    data["team"]["team_fte"] = "from_caseload"
    sc2 = build_scenario(data, "inline")
    out = sc2.evaluate()
    assert out["team_fte"][0] == out["fte_need"][0]
    assert out["cost_team"][0] == pytest.approx(out["fte_need"][0] * sc2.params["cost_per_fte"])


def test_team_deviation_warning() -> None:
    sc = load_scenario(ROOT / "scenarios" / "bijlage2_voorbeeld.toml", overrides={"team_fte": 2.0})
    msgs = result_warnings(sc.evaluate())
    assert any("deviates" in m and "extra layer" in m for m in msgs)
    sc_ok = load_scenario(ROOT / "scenarios" / "bijlage2_voorbeeld.toml")
    assert not any("deviates" in m for m in result_warnings(sc_ok.evaluate()))


def test_programme_payback_and_prefinancing_analytic(sc) -> None:
    """One cohort per year, ramp over R years: check payback and pre-financing
    against a hand-built cash-flow series."""
    out = sc.evaluate()
    cash = out["cashflow_total"][0]
    cum = np.cumsum(cash)
    expected_payback = int(np.argmax(cum >= 0)) + 1 if (cum >= 0).any() else None
    assert (out["payback_year"][0] == expected_payback) or (expected_payback is None and np.isnan(out["payback_year"][0]))
    assert out["prefinancing"][0] == pytest.approx(-cum.min())
    # year 1: full team cost, full one-off cash (not amortised), a quarter of the
    # extra care and the year-0 benefits of a quarter cohort
    p = sc.params
    first_year_costs = out["cost_team"][0] + p["one_off_costs"] + 0.25 * out["cost_newly_found"][0]
    first_year_benefits = 0.25 * (out["benefit_new_for_old"][0] + out["benefit_substitution"][0])
    persons = out["persons_to_work"][0]
    work_y0 = 0.25 * persons * (p["benefit_saving_per_year"] + p["income_gain_per_year"]) * min(1.0, p["work_years"])
    n_mv = p["households"] * sum(p[f"type_share.{t}"] * sum(p[f"severity_share.{t}.{s}"] for s in ("mv_zr", "mv_nzr", "top"))
                                 for t in TYPES)
    m = p["attribution"] * (1 - p["relapse"]) * p["effectiveness_multiplier"]
    lines_y0 = 0.25 * m * n_mv * (p["first_line_reduction"] * p["first_line_cost"]
                                  + p["second_line_reduction"] * p["second_line_cost"])
    assert cash[0] == pytest.approx(first_year_benefits + work_y0 + lines_y0 - first_year_costs, rel=1e-9)


def test_payback_closed_form_matches_explicit_cumulative_cash(sc) -> None:
    """The steady-state shortcut of the payback computation equals a plain
    cumulative sum of the yearly cash flows, sample by sample (including
    samples that never pay back and ones whose steady cash is negative)."""
    rng = np.random.default_rng(3)
    n = 20_000
    out = sc.evaluate({
        "attribution": rng.uniform(0.0, 1.0, n),
        "substitution_new": rng.uniform(-1.0, 1.0, n),
        "cost_per_fte": rng.uniform(20_000, 150_000, n),
        "one_off_costs": rng.uniform(0, 2_000_000, n),
        "escalation_rate.families": rng.uniform(0.0, 0.3, n),
    })
    for series, suffix in (("cashflow_total", ""), ("cashflow_gemeente", "_gemeente")):
        cum = np.cumsum(out[series], axis=1)
        ok = cum >= 0
        expected = np.where(ok.any(axis=1), ok.argmax(axis=1) + 1.0, np.nan)
        np.testing.assert_array_equal(out[f"payback_year{suffix}"], expected)
        np.testing.assert_allclose(out[f"prefinancing{suffix}"], np.maximum(0, -cum.min(axis=1)), rtol=1e-9, atol=1e-6)
    assert np.isnan(out["payback_year"]).any() and (~np.isnan(out["payback_year"])).any()
