"""The four archetypes reproduce the patterns the meta-analysis reports (par. 4.1, 4.5).

These are qualitative checks against the published text, not fitted numbers:
each scenario file's header cites where its inputs come from.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mkba_mc import load_scenario

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
def test_every_shipped_scenario_runs_with_finite_results(path: Path) -> None:
    r = point(path.name)
    for key in ("cost_total", "benefit_total", "ratio_social", "ratio_financial", "ratio_gemeente", "fte_need"):
        assert r[key] == r[key] and abs(r[key]) < 1e12, key
