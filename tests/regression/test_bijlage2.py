"""Regression against the published worked example (meta-analyse 2014, Bijlage 2).

Every figure below is copied from ../shared/reference/bijlage2.md (output
screens A and B of the LPBL MKBA-tool). Acceptance (MODEL.md §6): every NCW
post within 2 %, both printed ratios within 0.02, the four budget columns of
screen B within 10 %. The tests hold the tighter tolerances the README claims
(the constants below). About twelve default values are *calibrated to* this
example (README, "Calibrated to Bijlage 2"), so matching it is a consistency
check of the model and the defaults, not a validation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mkba_mc import load_scenario
from mkba_mc.cli import app
from mkba_mc.model.point import budget_columns

ROOT = Path(__file__).resolve().parents[2]
#: Tolerances claimed in the README (all tighter than MODEL.md §6).
POST_REL = 0.003  # every NCW post and post group
BALANCE_REL = 0.004  # the balance, a difference of two totals
RATIO_ABS = 0.011  # the printed ratios (1.30 is printed for 595,000 / 454,400 = 1.309)
BUDGET_REL = 0.01  # costs and benefits of each screen-B column
SCENARIO = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"

# Screen A: NCW of one year of approach (EUR).
PUBLISHED_NCW = {
    "cost_total": 454_400,
    "cost_team": 225_200,
    "cost_one_off": 25_000,
    "cost_newly_found": 204_200,
    "benefit_total": 595_000,
    "benefit_new_for_old": 7_600,
    "benefit_substitution": 83_500,
    "benefit_effectiveness": 136_200,
    "benefit_escalation": 293_900,
    "benefit_children": 31_600,
    "benefit_quality_of_life": 24_000,
    "benefit_nuisance": 18_100,
    "balance": 140_600,
}
# "1 Besparing organisatiekosten" and "4 Immateriele baten" are sums of sub-posts.
PUBLISHED_GROUPS = {
    ("benefit_new_for_old", "benefit_substitution"): 91_100,
    ("benefit_children", "benefit_quality_of_life", "benefit_nuisance"): 73_700,
}
PUBLISHED_RATIOS = {"ratio_financial": 1.15, "ratio_social": 1.30}
# Screen B: budget after 2 years, (total costs, total benefits) per column.
PUBLISHED_BUDGET = {
    "gemeente": (438_309, 440_240),
    "zorgverzekeraar": (16_091, 13_440),
    "huishoudens": (0, 29_163),
    "overige_partijen": (0, 46_010),
}


@pytest.fixture(scope="module")
def point() -> dict:
    result = CliRunner().invoke(app, ["point", str(SCENARIO), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("post", sorted(PUBLISHED_NCW))
def test_ncw_post_within_tolerance(point: dict, post: str) -> None:
    rel = BALANCE_REL if post == "balance" else POST_REL
    assert point[post] == pytest.approx(PUBLISHED_NCW[post], rel=rel)


@pytest.mark.parametrize("posts", sorted(PUBLISHED_GROUPS))
def test_ncw_post_groups_within_tolerance(point: dict, posts: tuple[str, ...]) -> None:
    assert sum(point[p] for p in posts) == pytest.approx(PUBLISHED_GROUPS[posts], rel=POST_REL)


def test_no_extra_care_in_the_example(point: dict) -> None:
    # Bijlage 2 has substitution 0 % in known and 80 % in new cases: no extra care
    assert point["cost_extra_care"] == 0.0


@pytest.mark.parametrize("ratio", sorted(PUBLISHED_RATIOS))
def test_ratio_within_tolerance(point: dict, ratio: str) -> None:
    assert point[ratio] == pytest.approx(PUBLISHED_RATIOS[ratio], abs=RATIO_ABS)


@pytest.mark.parametrize("column", sorted(PUBLISHED_BUDGET))
def test_budget_column_within_tolerance(column: str) -> None:
    out = load_scenario(SCENARIO).evaluate()
    cost, benefit = budget_columns(out)[column]
    pub_cost, pub_benefit = PUBLISHED_BUDGET[column]
    assert cost == pytest.approx(pub_cost, rel=BUDGET_REL, abs=1.0)
    assert benefit == pytest.approx(pub_benefit, rel=BUDGET_REL)


def test_budget_columns_match_actor_json(point: dict) -> None:
    """The JSON actor split and screen B use the same numbers."""
    g = point["actors"]["gemeente"]
    assert g["budget_year2_cost"] == pytest.approx(PUBLISHED_BUDGET["gemeente"][0], rel=0.10)
    assert g["budget_year2_benefit"] == pytest.approx(PUBLISHED_BUDGET["gemeente"][1], rel=0.10)
    # costs per actor add up to the NCW total: all costs of a cohort fall in its first year
    assert sum(a["budget_year2_cost"] for k, a in point["actors"].items() if k != "gemeente") == pytest.approx(
        point["cost_total"])


def test_fte_need_matches_published(point: dict) -> None:
    # MODEL.md: Bijlage 2 caseload (600/150/75) gives 3.56 fte for the published 3.6.
    assert point["fte_need"] == pytest.approx(3.56, abs=0.005)


def test_json_has_exactly_the_contract_keys(point: dict) -> None:
    expected = {
        "cost_team", "cost_one_off", "cost_newly_found", "cost_extra_care", "cost_total", "benefit_new_for_old",
        "benefit_substitution", "benefit_effectiveness", "benefit_escalation", "benefit_children",
        "benefit_quality_of_life", "benefit_nuisance", "benefit_financial", "benefit_total", "balance",
        "ratio_financial", "ratio_social", "ratio_gemeente", "ratio_gemeente_realised", "fte_need", "payback_year",
        "prefinancing", "actors",
        # the municipality's programme view, the team size and the per-year cash flows (for the report)
        "team_fte", "payback_year_gemeente", "prefinancing_gemeente", "cashflow_total", "cashflow_gemeente",
    }
    assert set(point) == expected
    assert len(point["cashflow_total"]) == len(point["cashflow_gemeente"]) == 10  # programme years
    actors = {"gemeente_werk_inkomen", "gemeente_wmo_welzijn", "gemeente_jeugd", "gemeente_overig",
              "zorgverzekeraar", "rijk_wlz", "corporatie", "huishoudens", "overig", "gemeente"}
    assert set(point["actors"]) == actors
    for a in point["actors"].values():
        assert set(a) == {"ncw_cost", "ncw_benefit", "budget_year2_cost", "budget_year2_benefit"}
