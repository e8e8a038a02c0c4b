"""Extra care as a cost post, payer shares per household type, realisation of
savings (verzilvering) and the one-off costs of the two views.

References are published figures (Bijlage 2 of the meta-analysis 2014),
analytic identities of the booking (balance = benefits - costs does not depend
on where a negative amount is booked) or numbers captured from the previous
model, stated as literals below.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from mkba_mc import load_scenario
from mkba_mc.cli import app
from mkba_mc.io.loading import build_scenario, load_distributions, read_toml
from mkba_mc.model.point import budget_columns
from mkba_mc.model.sets import ACTORS, GEMEENTE_ACTORS, PAYER_POSTS, TYPES

ROOT = Path(__file__).resolve().parents[2]
BIJLAGE2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
NCW_POSTS = ("cost_team", "cost_one_off", "cost_newly_found", "cost_extra_care", "benefit_new_for_old",
             "benefit_substitution", "benefit_effectiveness", "benefit_escalation", "benefit_children",
             "benefit_quality_of_life", "benefit_nuisance", "cost_total", "benefit_total", "balance",
             "ratio_financial", "ratio_social", "ratio_gemeente", "balance_gemeente")

# Balance and last programme-year cash flow of Bijlage 2 under the previous
# booking (negative substitution as a negative benefit), captured with
#   git stash; python -c "load_scenario(BIJLAGE2, overrides={...}).evaluate()"
# on commit c3b23a0 (before this change): the relabelling must not move them.
OLD_BOOKING = {
    (0.8, -0.4): (-782138.5599661479, -803793.0622374401),
    (-0.4, -0.4): (-907381.8534099881, -929036.3556812804),
    (-0.25, 0.0): (31498.123390492343, 9843.621119200077),
    (0.3, -0.1): (-141904.84172774776, -163559.34399903996),
}


@pytest.mark.parametrize("setting", sorted(OLD_BOOKING), ids=str)
def test_relabelling_changes_no_balance(setting: tuple[float, float]) -> None:
    s_new, s_existing = setting
    out = load_scenario(BIJLAGE2, overrides={"substitution_new": s_new,
                                             "substitution_existing": s_existing}).evaluate()
    balance, last_cash = OLD_BOOKING[setting]
    assert out["balance"][0] == pytest.approx(balance, rel=1e-12)
    assert out["cashflow_total"][0, -1] == pytest.approx(last_cash, rel=1e-12)
    assert out["cost_extra_care"][0] > 0
    assert out["benefit_substitution"][0] >= 0
    for ratio in ("ratio_financial", "ratio_social", "ratio_gemeente", "ratio_gemeente_realised"):
        assert out[ratio][0] >= 0, ratio
    # and the identity with the old booking: B_old - C_old = B - C
    old_benefit = out["benefit_total"][0] - out["cost_extra_care"][0]
    old_cost = out["cost_total"][0] - out["cost_extra_care"][0]
    assert old_benefit - old_cost == pytest.approx(balance, rel=1e-12)


def test_extra_care_against_published_substitution() -> None:
    """Bijlage 2 publishes substitution EUR 83,500 at 80 % in newly found cases
    (18 % newly found, new_care_fraction 0.206).  That fixes the substitutable
    care per unit of substitution, K = 83,500 / (0.18 x 0.206 x 0.8); 40 % more
    care in the known households (82 %) then costs 0.4 x 0.82 x K."""
    k = 83_500 / (0.18 * 0.206 * 0.8)
    out = load_scenario(BIJLAGE2, overrides={"substitution_existing": -0.4}).evaluate()
    assert out["cost_extra_care"][0] == pytest.approx(0.4 * 0.82 * k, rel=0.02)
    assert out["benefit_substitution"][0] == pytest.approx(83_500, rel=0.02)
    # extra care in newly found households: -40 % in new cases, nothing in known ones
    out = load_scenario(BIJLAGE2, overrides={"substitution_new": -0.4}).evaluate()
    assert out["cost_extra_care"][0] == pytest.approx(0.4 / 0.8 * 83_500, rel=0.02)
    assert out["benefit_substitution"][0] == 0.0


def test_point_json_books_extra_care_as_cost() -> None:
    result = CliRunner().invoke(app, ["point", str(BIJLAGE2), "--json", "--set", "substitution_existing=-0.4"])
    assert result.exit_code == 0, result.output
    s = json.loads(result.stdout)
    assert s["cost_extra_care"] > 0
    assert s["benefit_substitution"] >= 0
    assert s["ratio_social"] >= 0
    assert s["balance"] == pytest.approx(OLD_BOOKING[(0.8, -0.4)][0], rel=1e-12)
    assert s["cost_total"] == pytest.approx(s["cost_team"] + s["cost_one_off"] + s["cost_newly_found"]
                                            + s["cost_extra_care"], rel=1e-12)
    # the actor split carries the new post: NCW costs add up to the total
    assert sum(a["ncw_cost"] for k, a in s["actors"].items() if k != "gemeente") == pytest.approx(s["cost_total"])
    plain = json.loads(CliRunner().invoke(app, ["point", str(BIJLAGE2), "--json"]).stdout)
    assert plain["cost_extra_care"] == 0.0


def test_ratios_never_negative_over_sampled_substitution(sc) -> None:
    rng = np.random.default_rng(5)
    n = 50_000
    out = sc.evaluate({"substitution_new": rng.uniform(-1, 1, n), "substitution_existing": rng.uniform(-1, 1, n),
                       "attribution": rng.uniform(0, 1, n)})
    for ratio in ("ratio_financial", "ratio_social", "ratio_gemeente", "ratio_gemeente_realised"):
        assert (out[ratio] >= 0).all(), ratio
    for post in NCW_POSTS[:11]:
        assert (out[post] >= 0).all(), post
    np.testing.assert_allclose(out["actor_ncw_cost"].sum(axis=1), out["cost_total"], rtol=1e-12)
    np.testing.assert_allclose(out["balance"], out["benefit_total"] - out["cost_total"], rtol=1e-12)


# ------------------------------------------------------- payers per type
def test_typed_payer_defaults_follow_par_4_5(sc) -> None:
    payer = sc.structure.payer
    row = {post: dict(zip(ACTORS, payer[i])) for i, post in enumerate(PAYER_POSTS)}
    # youth care only for families
    for post in ("newly_found", "extra_care", "substitution"):
        assert row[f"{post}.families"]["gemeente_jeugd"] > 0
        assert row[f"{post}.elderly"]["gemeente_jeugd"] == 0
        assert row[f"{post}.other"]["gemeente_jeugd"] == 0
    # the insurer's share of the care for newly found households is the
    # elderly's: Bijlage 2 screen B, EUR 16,091 of the costs
    assert row["newly_found.elderly"]["zorgverzekeraar"] > 0
    assert row["newly_found.families"]["zorgverzekeraar"] == 0


def test_bare_payer_vector_applies_to_every_type() -> None:
    data = read_toml(BIJLAGE2)
    data["payers"] = {"substitution": {"gemeente_wmo_welzijn": 1.0}}
    sc = build_scenario(data, "inline")
    for t in TYPES:
        r = sc.structure.payer[PAYER_POSTS.index(f"substitution.{t}")]
        assert r[ACTORS.index("gemeente_wmo_welzijn")] == 1.0 and r.sum() == 1.0
    # a per-type vector overrides only that type
    data["payers"] = {"substitution.elderly": {"rijk_wlz": 1.0}}
    sc2 = build_scenario(data, "inline")
    assert sc2.structure.payer[PAYER_POSTS.index("substitution.elderly")][ACTORS.index("rijk_wlz")] == 1.0
    base = load_scenario(BIJLAGE2).structure.payer
    i = PAYER_POSTS.index("substitution.families")
    np.testing.assert_array_equal(sc2.structure.payer[i], base[i])


def test_old_distribution_file_with_one_vector_per_post(tmp_path: Path) -> None:
    """A later distribution file in the old format (one vector per post)
    replaces the per-type vectors of the shipped file for every type."""
    old = tmp_path / "old.toml"
    old.write_text('[meta]\nname = "old format"\n\n[payers.substitution]\n'
                   'shares = { gemeente_werk_inkomen = 0.3, gemeente_wmo_welzijn = 0.4, gemeente_jeugd = 0.3 }\n'
                   'source = "the single vector of the previous default file"\n', encoding="utf-8")
    shipped = sorted((ROOT / "distributions").glob("*.toml"))
    sc = load_scenario(BIJLAGE2, distributions=[*shipped, old])
    for t in TYPES:
        r = dict(zip(ACTORS, sc.structure.payer[PAYER_POSTS.index(f"substitution.{t}")]))
        assert (r["gemeente_werk_inkomen"], r["gemeente_wmo_welzijn"], r["gemeente_jeugd"]) == (0.3, 0.4, 0.3)
    assert "substitution.elderly" not in load_distributions([*shipped, old]).payers


# ------------------------------------------------------------ realisation
def _gemeente_realisation(share: float) -> dict[str, float]:
    return {f"realisation_share.{a}": share for a in GEMEENTE_ACTORS}


def test_realisation_halves_municipal_budget_benefits_not_the_ncw(sc) -> None:
    base = sc.evaluate()
    half = sc.evaluate(_gemeente_realisation(0.5))
    g = [ACTORS.index(a) for a in GEMEENTE_ACTORS]
    others = [i for i in range(len(ACTORS)) if i not in g]
    # screen B: the municipality's benefits halve, its costs and every other actor stay
    np.testing.assert_allclose(half["actor_budget_year2_benefit"][0, g],
                               0.5 * base["actor_budget_year2_benefit"][0, g], rtol=1e-15)
    np.testing.assert_array_equal(half["actor_budget_year2_benefit"][0, others],
                                  base["actor_budget_year2_benefit"][0, others])
    np.testing.assert_array_equal(half["actor_budget_year2_cost"], base["actor_budget_year2_cost"])
    assert budget_columns(half)["gemeente"][1] == pytest.approx(0.5 * budget_columns(base)["gemeente"][1])
    # the MKBA itself is not reduced
    for post in NCW_POSTS:
        assert half[post][0] == base[post][0], post
    for name in ("actor_ncw_cost", "actor_ncw_benefit", "actor_balance"):
        np.testing.assert_array_equal(half[name], base[name])
    # the verzilverd municipal ratio: half of the municipal financial benefit
    assert base["ratio_gemeente_realised"][0] == base["ratio_gemeente"][0]
    assert half["ratio_gemeente_realised"][0] == pytest.approx(0.5 * base["ratio_gemeente"][0], rel=1e-12)


def test_realisation_is_linear_in_the_programme_view(sc) -> None:
    """Cash flows are costs plus realised benefits, so share 0.5 lies halfway
    between shares 1 and 0 -- in total and for the municipality."""
    runs = {r: sc.evaluate({f"realisation_share.{a}": r for a in ACTORS}) for r in (0.0, 0.5, 1.0)}
    for series in ("cashflow_total", "cashflow_gemeente"):
        np.testing.assert_allclose(runs[0.5][series], 0.5 * (runs[0.0][series] + runs[1.0][series]),
                                   rtol=1e-12, atol=1e-6)
        # with nothing realised only the costs remain: every year is negative
        assert (runs[0.0][series] < 0).all()
    assert runs[0.0]["prefinancing"][0] > runs[1.0]["prefinancing"][0]
    assert np.isnan(runs[0.0]["payback_year"][0])


def test_realisation_per_sample_equals_rows(sc) -> None:
    shares = np.array([1.0, 0.5, 0.0, 0.8])
    full = sc.evaluate({"realisation_share.gemeente_jeugd": shares})
    for i, r in enumerate(shares):
        one = sc.evaluate({"realisation_share.gemeente_jeugd": float(r)})
        for name in ("actor_budget_year2_benefit", "cashflow_gemeente", "ratio_gemeente_realised", "prefinancing"):
            np.testing.assert_allclose(one[name][0], full[name][i], rtol=1e-13, err_msg=name)


# ------------------------------------------------- one-off costs, work years
def test_friction_is_charged_the_same_in_both_views(sc) -> None:
    """README: one-off costs (friction and other) are cash in programme year
    1 and spread over amortisation_years in the MKBA of one year, so over
    amortisation_years both views charge the same total."""
    f = 0.1
    base = sc.evaluate({"friction_share": 0.0})
    fric = sc.evaluate({"friction_share": f})
    extra_cash = f * base["cost_team"][0]
    years = sc.params["amortisation_years"]
    assert (fric["cost_one_off"][0] - base["cost_one_off"][0]) * years == pytest.approx(extra_cash, rel=1e-12)
    diff = fric["cashflow_total"][0] - base["cashflow_total"][0]
    assert diff[0] == pytest.approx(-extra_cash, rel=1e-12)
    np.testing.assert_allclose(diff[1:], 0.0, atol=1e-6)
    # and the other one-off costs the same way: Bijlage 2's EUR 100,000 is EUR 25,000 a year
    assert base["cost_one_off"][0] * years == pytest.approx(100_000)


def test_work_years_is_a_sampled_uncertainty_with_mean_at_the_point(sc) -> None:
    info = sc.info["work_years"]
    assert "work_years" in sc.distributions
    assert sc.distributions["work_years"].to_scipy().mean() == pytest.approx(info.value)
    assert "voetnoot 19" in info.source
    ratios = [sc.evaluate({"work_years": w})["ratio_gemeente"][0] for w in (1.0, 2.0, 3.0, 5.0)]
    assert ratios == sorted(ratios)  # a longer stay in work only adds benefits
