"""Three kinds of input, their input spaces, expected-value centring and
acceptability curves (reference/uncertainty.md).

Means are checked against closed forms and scipy.stats, not against the
code's own ``mean()``; the curve is checked against ``run --set`` exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from mkba_mc import load_scenario
from mkba_mc.cli import app
from mkba_mc.uncertainty.distributions import Scaled, parse_distribution
from mkba_mc.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
BIJLAGE2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
runner = CliRunner()


def invoke(*args: object) -> dict | list:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ---------------------------------------------------------------- centring
@pytest.mark.parametrize("low, mean, high", [(0.0, 0.3, 1.0), (0.025, 0.075, 0.3), (-0.4, 0.3, 0.8)])
def test_pert_given_by_mean_has_that_mean(low: float, mean: float, high: float) -> None:
    d = parse_distribution({"dist": "pert", "low": low, "mean": mean, "high": high}, "t", "k")
    # closed form: mean = (low + 4 mode + high) / 6  =>  mode = (6 mean - low - high) / 4
    assert d.mode == pytest.approx((6 * mean - low - high) / 4, rel=1e-12)
    w = high - low
    a, b = 1 + 4 * (d.mode - low) / w, 1 + 4 * (high - d.mode) / w
    assert stats.beta(a, b, loc=low, scale=w).mean() == pytest.approx(mean, rel=1e-12)
    x = d.ppf(np.random.default_rng(1).random(400_000))
    assert x.mean() == pytest.approx(mean, abs=4 * x.std() / np.sqrt(x.size))


def test_triangular_given_by_mean_has_that_mean() -> None:
    d = parse_distribution({"dist": "triangular", "low": 0.0, "mean": 1.5, "high": 3.5}, "t", "k")
    assert d.mode == pytest.approx(3 * 1.5 - 0.0 - 3.5)
    assert stats.triang(d.mode / 3.5, loc=0.0, scale=3.5).mean() == pytest.approx(1.5)


def test_impossible_mean_is_a_clean_error() -> None:
    with pytest.raises(ConfigError) as exc:
        parse_distribution({"dist": "pert", "low": 0.0, "mean": 0.95, "high": 1.0}, "t", "k")
    assert exc.value.problems[0].key == "k.mean"


def test_scaled_negative_factor_is_monotone_with_scaled_mean() -> None:
    base = parse_distribution({"dist": "pert", "low": 0.5, "mean": 1.0, "high": 1.2}, "t", "k")
    d = Scaled(base, -0.4)
    u = np.linspace(0, 1 - 1e-12, 1001)
    x = d.ppf(u)
    assert np.all(np.diff(x) >= 0)
    assert d.mean() == pytest.approx(-0.4)
    assert d.support() == pytest.approx((-0.48, -0.2))


def test_defaults_listing_kind_evidence_and_mean_equals_point() -> None:
    rows = invoke("validate", "--list", "--json")
    with_dist = [r for r in rows if r["distribution"] is not None]
    assert len(with_dist) >= 40
    for r in rows:
        if r["distribution"] is None and r["range"] is None:
            continue
        assert r["kind"] in ("uncertainty", "lever", "normative"), r["name"]
        assert r["evidence"].strip(), r["name"]
    for r in with_dist:
        assert r["kind"] != "normative", r["name"]
        assert abs(r["mean"] - r["value"]) <= 0.05 * (r["p95"] - r["p5"]), r["name"]
    by = {r["name"]: r for r in rows}
    assert by["qaly_value"]["kind"] == "normative" and by["qaly_value"]["distribution"] is None
    assert by["qaly_value"]["range"]["low"] == 20000 and by["qaly_value"]["range"]["high"] == 100000
    assert by["discount_rate"]["kind"] == "normative"
    assert by["substitution_new"]["kind"] == "lever" and by["substitution_new"]["sampled_from"] == "implementation"
    # the observed new-case values of tabel 4.5 (-40 % .. 80 %), not the existing-case research figures
    assert (by["substitution_new"]["range"]["low"], by["substitution_new"]["range"]["high"]) == (-0.4, 0.8)


def test_scenario_listing_applies_the_scenario() -> None:
    rows = {r["name"]: r for r in invoke("validate", BIJLAGE2, "--list", "--json")}
    s = rows["substitution_new"]
    assert s["value"] == pytest.approx(0.8)
    assert s["mean"] == pytest.approx(0.8)  # implementation uncertainty centred on the plan's value
    assert s["distribution"]["times"] == pytest.approx(0.8)


def test_lever_value_in_scenario_gets_implementation_uncertainty_around_it() -> None:
    sc = load_scenario(BIJLAGE2)
    d = sc.distributions["substitution_new"]
    assert sc.sampled_from["substitution_new"] == "implementation"
    assert d.mean() == pytest.approx(0.8)
    assert d.support() == pytest.approx((0.4, 0.96))  # 0.8 x [0.5, 1.2]: TU Delft, half realised
    assert "qaly_value" not in sc.distributions and "discount_rate" not in sc.distributions
    sc2 = load_scenario(BIJLAGE2, overrides={"substitution_new": 0.6})
    assert sc2.distributions["substitution_new"].mean() == pytest.approx(0.6)


def test_spaces_and_restricted_correlation() -> None:
    sc = load_scenario(BIJLAGE2)
    assert "new_care_fraction" in sc.correlation.names
    unc = sc.in_space("uncertainties")
    assert all(sc.kind(n) == "uncertainty" for n in unc.distributions)
    assert "new_care_fraction" not in unc.correlation.names
    every = sc.in_space("all")
    assert every.sampled_from["qaly_value"] == "range" and every.sampled_from["substitution_new"] == "range"
    assert every.params == sc.params


# --------------------------------------------------------------- the run
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_point_sits_near_the_middle_of_its_own_monte_carlo(path: Path) -> None:
    obj = invoke("run", path, "-n", 20000, "--seed", 11, "--json")
    r = obj["ratio_social"]
    assert 35 <= r["point_percentile"] <= 65, r
    assert r["point"] == pytest.approx(load_scenario(path).evaluate()["ratio_social"][0])
    assert obj["run"]["input_space"] == "run"


def test_manifest_samples_no_normative_input_and_levers_only_with_implementation(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", str(BIJLAGE2), "-n", "2000", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    sc = load_scenario(BIJLAGE2)
    sampled = manifest["sampled_parameters"]
    assert sampled
    assert not [n for n in sampled if sc.kind(n) == "normative"]
    for n in sampled:
        expected = "implementation" if sc.kind(n) == "lever" else ("distribution", "scenario")
        assert manifest["sampled_from"][n] in (expected if isinstance(expected, tuple) else (expected,)), n
    assert manifest["input_space"] == "run"
    assert manifest["fixed_normative"]["qaly_value"] == 20000


def test_sample_levers_uses_the_plausible_ranges() -> None:
    obj = invoke("run", BIJLAGE2, "-n", 2000, "--seed", 3, "--json", "--sample-levers")
    assert obj["run"]["input_space"] == "levers"
    assert obj["run"]["sampled_from"]["substitution_new"] == "range"
    assert "qaly_value" not in obj["run"]["sampled_from"]


# ----------------------------------------------------------- which knob
def test_sobol_per_knop_covers_levers_uncertainties_and_valuation() -> None:
    obj = invoke("sobol", BIJLAGE2, "--group-by", "knop", "-n", 256, "--output", "ratio_social", "--json",
                 "--workers", 1)
    assert obj["input_space"] == "all" and "normative" in obj["input_space_text"]
    # knoppen linked by a correlation are one factor since issue 13 ("selectie + prijzen (samenhangend)")
    knoppen = {k for f in obj["indices"]["ratio_social"] for k in f.removesuffix(" (samenhangend)").split(" + ")}
    assert {"inzet_netwerk", "selectie", "vindstrategie", "voorkomen_terugval", "caseload"} <= knoppen  # levers
    assert {"escalatie", "prijzen", "attributie"} <= knoppen  # uncertainties
    assert {"waardering", "discontering"} <= knoppen  # normative
    plan = invoke("sobol", BIJLAGE2, "--group-by", "knop", "-n", 256, "--output", "ratio_social", "--json",
                  "--workers", 1, "--inputs", "plan")
    assert plan["input_space"] == "plan" and "discontering" not in plan["indices"]["ratio_social"]


# ---------------------------------------------------------------- curve
def test_curve_is_monotone_and_equals_run_at_20000() -> None:
    n, seed = 4000, 7
    obj = invoke("curve", BIJLAGE2, "--over", "qaly_value", "-n", n, "--seed", seed, "--json")
    assert obj["parameter"] == "qaly_value"
    assert obj["values"][0] == 20000 and {50000, 80000, 100000} <= set(obj["values"])
    p = obj["probabilities"]["ratio_social_ge_1"]
    assert len(p) == len(obj["values"]) and all(b >= a for a, b in zip(p, p[1:]))
    assert set(obj["median"]) >= {"ratio_social", "ratio_gemeente"}
    assert "ratio_social_ge_1" in obj["switch_values"]
    run = invoke("run", BIJLAGE2, "-n", n, "--seed", seed, "--json", "--set", "qaly_value=20000")
    assert p[0] == run["probabilities"]["ratio_social_ge_1"]["p"]
    assert obj["probabilities"]["ratio_gemeente_ge_1"][0] == run["probabilities"]["ratio_gemeente_ge_1"]["p"]


def test_curve_over_discount_rate_writes_a_bundle(tmp_path: Path) -> None:
    out = tmp_path / "curve"
    result = runner.invoke(app, ["curve", str(BIJLAGE2), "--over", "discount_rate", "--values", "0.0225,0.03,0.055",
                                 "-n", "2000", "--seed", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["analysis"] == "curve" and manifest["parameter"] == "discount_rate"
    assert {"curve.nc", "curve.csv"} <= set(manifest["files"])


@pytest.mark.parametrize("args, needle", [
    (["--values", "20000"], "at least two distinct grid values"),
    (["--values", "20000,abc"], "comma-separated numbers"),
    (["--over", "nosuch"], "known parameter"),
])
def test_curve_bad_grid_is_a_clean_error(args: list[str], needle: str) -> None:
    result = runner.invoke(app, ["curve", str(BIJLAGE2), "-n", "100", "--seed", "1", *args])
    assert result.exit_code == 2, result.output
    err = result.stderr if hasattr(result, "stderr") else result.output
    assert needle in err and "Traceback" not in err


def test_point_percentile_is_the_mid_rank_over_valid_samples() -> None:
    """Ties count half and NaN samples (a ratio whose cost is not positive) not
    at all: ``scipy.stats.percentileofscore(kind="mean")`` over the valid ones."""
    from scipy.stats import percentileofscore

    from mkba_mc.execution.montecarlo import run
    from mkba_mc.io.results import point_percentiles

    sc = load_scenario(BIJLAGE2)
    res = run(sc, 5000, seed=3, workers=1)
    y = res.outputs["ratio_social"]
    point = float(sc.evaluate()["ratio_social"][0])
    y[::7] = np.nan
    y[3::11] = point  # ties with the point estimate
    got_point, got = point_percentiles(res)["ratio_social"]
    assert got_point == point
    valid = y[~np.isnan(y)]
    assert got == pytest.approx(percentileofscore(valid, point, kind="mean"), abs=1e-12)
    y[:] = np.nan
    assert np.isnan(point_percentiles(res)["ratio_social"][1])
