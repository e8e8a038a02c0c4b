"""The four archetypes reproduce the patterns the meta-analysis reports (par. 4.1, 4.5).

These are qualitative checks against the published text, not fitted numbers:
each scenario file's header cites where its inputs come from.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mkba_mc import load_scenario
from mkba_mc.model.sets import ACTORS, GEMEENTE_ACTORS

SCEN = Path(__file__).resolve().parents[2] / "scenarios"


def point(name: str) -> dict:
    out = load_scenario(SCEN / name).evaluate()
    return {k: float(v[0]) for k, v in out.items() if v.ndim == 1}


def test_elderly_team_municipality_hardly_benefits() -> None:
    # par. 4.1: approach 7 is socially profitable but not for the municipality;
    # par. 4.5: most benefits lie with the elderly, insurers and the Wlz.
    r = point("ouderenteam.toml")
    assert r["ratio_social"] > 1.0
    assert r["ratio_gemeente"] < 1.0
    assert r["ratio_gemeente"] < 0.5 * r["ratio_social"]


def test_elderly_team_payer_pattern_of_par_4_5() -> None:
    # par. 4.5 on approach 7: the municipality hardly benefits, insurers and
    # the Wlz a little, most benefits lie with the elderly themselves; care of
    # elderly is no youth care.
    out = load_scenario(SCEN / "ouderenteam.toml").evaluate()
    share = dict(zip(ACTORS, out["actor_ncw_benefit"][0] / out["benefit_total"][0]))
    gemeente = sum(share[a] for a in GEMEENTE_ACTORS)
    assert gemeente <= 0.20
    assert share["zorgverzekeraar"] + share["rijk_wlz"] + share["huishoudens"] > 0.5
    assert share["huishoudens"] > gemeente
    assert share["gemeente_jeugd"] < 0.005
    assert out["actor_ncw_cost"][0, ACTORS.index("gemeente_jeugd")] < 0.005 * out["cost_total"][0]


def test_family_team_benefits_lie_mostly_with_the_municipality() -> None:
    # par. 4.5: for families the avoided care (youth care, shelter, debt help)
    # is mostly municipal after the decentralisations.
    out = load_scenario(SCEN / "mpg_aanpak.toml").evaluate()
    fin = out["actor_ncw_benefit_financial"][0]
    g = [ACTORS.index(a) for a in GEMEENTE_ACTORS]
    assert fin[g].sum() > 0.5 * fin.sum()
    assert fin[ACTORS.index("gemeente_jeugd")] > fin[ACTORS.index("zorgverzekeraar")]


def test_mpg_only_socially_profitable() -> None:
    # par. 4.1: MPG approaches 11-13 are in this phase (only) socially profitable.
    r = point("mpg_aanpak.toml")
    assert r["ratio_social"] > 1.0
    assert r["ratio_financial"] < 1.0
    assert r["ratio_gemeente"] < 1.0
    # caseload near 10: fte per household far above a neighbourhood team's
    assert r["fte_need"] / 80 > 1 / 15


def test_city_wide_new_for_old_is_municipally_profitable() -> None:
    # par. 4.1: the city-wide approaches 8-10 are municipally profitable.
    r = point("stedelijk_nieuw_voor_oud.toml")
    assert r["ratio_gemeente"] > 1.0
    assert r["benefit_new_for_old"] > r["benefit_substitution"]


def test_area_team_socially_profitable_and_pays_back_later() -> None:
    r = point("wijkteam_achterstandswijk.toml")
    assert r["ratio_social"] > 1.0
    # an additionally financed area team is an investment: the first years are negative
    out = load_scenario(SCEN / "wijkteam_achterstandswijk.toml").evaluate()
    assert out["cashflow_total"][0, 0] < 0 and out["cashflow_total"][0, 1] < 0


@pytest.mark.parametrize("path", sorted(SCEN.glob("*.toml")), ids=lambda p: p.name)
def test_no_negative_ratio_in_a_monte_carlo_run(path: Path) -> None:
    """Every post is non-negative (negative substitution is the cost post extra
    care), so no sampled ratio can be negative; checked by hand at 1,000,000
    samples per shipped scenario, here at 100,000."""
    from mkba_mc.execution.montecarlo import run

    res = run(load_scenario(path), 100_000, seed=2014,
              outputs=["ratio_financial", "ratio_social", "ratio_gemeente", "cost_extra_care"])
    for ratio in ("ratio_financial", "ratio_social", "ratio_gemeente"):
        v = res.outputs[ratio]
        assert not (v < 0).any(), (ratio, float(np.nanmin(v)))
    assert (res.outputs["cost_extra_care"] >= 0).all()


@pytest.mark.parametrize("path", sorted(SCEN.glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_scenario_runs_with_finite_results(path: Path) -> None:
    r = point(path.name)
    for key in ("cost_total", "benefit_total", "ratio_social", "ratio_financial", "ratio_gemeente", "fte_need"):
        assert r[key] == r[key] and abs(r[key]) < 1e12, key
