"""Tornado and switch values of the Bijlage 2 scenario (issue 4).

The expected values are derived by hand from the point estimate: the ratios
are affine in each of these parameters with the others fixed, so each switch
value (omslagpunt) solves a linear equation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mkba_mc.sensitivity.analyses import switch_value, tornado

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def point(sc):
    return {k: float(v[0]) for k, v in sc.evaluate().items() if v.ndim == 1}


@pytest.fixture(scope="module")
def table(sc):
    return tornado(sc).set_index("parameter")


def test_attribution_switch_value(sc, point, table) -> None:
    # Costs, substitution and new-for-old do not depend on attribution; every
    # other benefit is proportional to it (m = attribution x (1 - relapse)).
    # ratio(a) = (B_fixed + a * B_effect / 0.5) / C = 1  =>  a = 0.5 (C - B_fixed) / B_effect
    b_fixed = point["benefit_new_for_old"] + point["benefit_substitution"]
    b_effect = point["benefit_total"] - b_fixed
    expected = 0.5 * (point["cost_total"] - b_fixed) / b_effect
    assert expected == pytest.approx(0.3601, abs=1e-4)  # well below the 50 % assumption of tabel 4.7
    assert table.loc["attribution", "ratio_social_switch"] == pytest.approx(expected, rel=1e-6)
    assert switch_value(sc, "attribution").value == pytest.approx(expected, rel=1e-6)


def test_substitution_existing_switch_and_swing(sc, point, table) -> None:
    # benefit_substitution = K x ((1 - nfs) s_existing + nfs ncf s_new); the
    # example has s_existing = 0, s_new = 0.8, so K follows from the point value.
    p = sc.params
    k = point["benefit_substitution"] / (p["newly_found_share"] * p["new_care_fraction"] * p["substitution_new"])
    slope = k * (1 - p["newly_found_share"])  # d benefit / d s_existing
    expected = (point["cost_total"] - point["benefit_total"]) / slope
    assert table.loc["substitution_existing", "ratio_social_switch"] == pytest.approx(expected, rel=1e-6)
    lo, hi = table.loc["substitution_existing", ["low", "high"]]
    # above 0 the added substitution is a benefit; below 0 the added care is a
    # cost post (extra zorg), so the ratio is B / (C + slope |s|) there
    def ratio(s: float) -> float:
        return (point["benefit_total"] + slope * max(s, 0.0)) / (point["cost_total"] + slope * max(-s, 0.0))
    assert lo < 0 < hi
    swing = abs(ratio(hi) - ratio(lo))
    assert table.loc["substitution_existing", "ratio_social_swing"] == pytest.approx(swing, rel=1e-9)
    # it is the largest swing: "selectie" (care added in known households) decides the example
    assert table.index[0] == "substitution_existing"


def test_qaly_value_never_switches(sc, point, table) -> None:
    # quality of life is the only post proportional to the QALY value; with
    # EUR 20,000 the social ratio is already 1.31, so no value in the range
    # [20,000, 100,000] brings it down to 1.
    q = point["benefit_quality_of_life"] / 20_000
    lo, hi = table.loc["qaly_value", ["low", "high"]]
    other = point["benefit_total"] - point["benefit_quality_of_life"]
    assert table.loc["qaly_value", "ratio_social_at_low"] == pytest.approx((other + q * lo) / point["cost_total"])
    assert table.loc["qaly_value", "ratio_social_at_high"] == pytest.approx((other + q * hi) / point["cost_total"])
    assert np.isnan(table.loc["qaly_value", "ratio_social_switch"])
    assert table.loc["qaly_value", "ratio_gemeente_swing"] == 0.0  # QALYs are no municipal money
    assert switch_value(sc, "qaly_value").value is None


def test_p10_p90_are_the_distribution_quantiles(sc, table) -> None:
    for name in ("attribution", "escalation_rate.families", "cost_per_fte"):
        ref = sc.distributions[name].to_scipy()
        assert table.loc[name, "low"] == pytest.approx(ref.ppf(0.1), rel=1e-6)
        assert table.loc[name, "high"] == pytest.approx(ref.ppf(0.9), rel=1e-6)
