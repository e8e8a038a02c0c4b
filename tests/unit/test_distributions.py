"""Unit tests of :mod:`mkba_mc.uncertainty.distributions`."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from mkba_mc.uncertainty.distributions import (
    DIST_NAMES,
    Beta,
    Discrete,
    Distribution,
    Pert,
    TruncNormal,
    parse_distribution,
    sample_block,
)
from mkba_mc.errors import ConfigError

SOURCE = "dists.toml"

#: One typical specification per distribution name.
SPECS: dict[str, dict] = {
    "fixed": {"dist": "fixed", "value": 2.5},
    "uniform": {"dist": "uniform", "low": 1.0, "high": 3.0},
    "triangular": {"dist": "triangular", "low": 0.1, "mode": 0.3, "high": 0.6},
    "pert": {"dist": "pert", "low": 0.1, "mode": 0.3, "high": 0.6},
    "normal": {"dist": "normal", "mean": 10.0, "sd": 2.0},
    "truncnormal": {"dist": "truncnormal", "mean": 1.0, "sd": 2.0, "low": 0.0, "high": 5.0},
    "lognormal": {"dist": "lognormal", "mu": 0.5, "sigma": 0.4},
    "beta": {"dist": "beta", "a": 2.0, "b": 5.0, "low": 10.0, "high": 20.0},
    "loguniform": {"dist": "loguniform", "low": 0.01, "high": 10.0},
    "discrete": {"dist": "discrete", "values": [1, 2, 5], "weights": [0.25, 0.45, 0.3]},
}

#: Scale for absolute tolerances (width of the support, or sd).
SCALE = {"fixed": 1.0, "uniform": 2.0, "triangular": 0.5, "pert": 0.5, "normal": 2.0, "truncnormal": 2.0,
         "lognormal": 1.0, "beta": 10.0, "loguniform": 10.0, "discrete": 4.0}

TABULATED = {"pert", "beta"}

U_GRID = np.array([1e-10, 1e-6, 1e-3, 0.05, 0.2, 0.5, 0.8, 0.95, 1 - 1e-3, 1 - 1e-6, 1 - 1e-10])

#: Dense grid reaching into both tails, for the tabulated inverse CDFs.
U_DENSE = np.concatenate([
    np.geomspace(1e-10, 0.5, 3000),
    1.0 - np.geomspace(1e-10, 0.5, 3000),
    np.random.default_rng(20240601).random(5000),
])


def make(name: str) -> Distribution:
    return parse_distribution(SPECS[name], SOURCE, "x")


def problems_of(spec: object) -> tuple:
    with pytest.raises(ConfigError) as info:
        parse_distribution(spec, SOURCE, "x")  # type: ignore[arg-type]
    return info.value.problems


# ------------------------------------------------------------------ names and objects
def test_dist_names() -> None:
    assert DIST_NAMES == ("fixed", "uniform", "triangular", "pert", "normal", "truncnormal",
                          "lognormal", "beta", "loguniform", "discrete")
    assert set(SPECS) == set(DIST_NAMES)


@pytest.mark.parametrize("name", DIST_NAMES)
def test_name_and_params(name: str) -> None:
    d = make(name)
    assert isinstance(d, Distribution)
    assert d.name == name
    assert d.params == {k: v for k, v in SPECS[name].items() if k != "dist"}


def test_params_do_not_alias_the_spec() -> None:
    spec = {"dist": "discrete", "values": [1, 2], "weights": [0.5, 0.5]}
    d = parse_distribution(spec, SOURCE, "x")
    spec["values"].append(3)
    assert d.params["values"] == [1, 2]


# ------------------------------------------------------------------ ppf vs scipy
@pytest.mark.parametrize("name", [n for n in DIST_NAMES if n not in TABULATED and n != "fixed"])
def test_closed_form_ppf_matches_scipy(name: str) -> None:
    d = make(name)
    ref = d.to_scipy().ppf(U_GRID)
    np.testing.assert_allclose(d.ppf(U_GRID), ref, rtol=1e-9, atol=1e-12 * SCALE[name])


@pytest.mark.parametrize("name", sorted(TABULATED))
def test_tabulated_ppf_matches_scipy(name: str) -> None:
    d = make(name)
    lo, hi = d.support()
    for u in (U_GRID, U_DENSE):
        err = np.max(np.abs(d.ppf(u) - d.to_scipy().ppf(u)))
        assert err <= 1e-8 * (hi - lo)


@pytest.mark.parametrize("a, b", [(1.05, 4.95), (1.0, 5.0), (5.0, 1.0), (0.5, 0.5), (30.0, 2.0), (2.0, 30.0),
                                  (1.0, 1.0), (0.3, 3.0), (200.0, 300.0)])
def test_tabulated_beta_accuracy_hard_shapes(a: float, b: float) -> None:
    d = Beta(a, b, low=-1.0, high=3.0)
    err = np.max(np.abs(d.ppf(U_DENSE) - stats.beta.ppf(U_DENSE, a, b, loc=-1.0, scale=4.0)))
    assert err <= 1e-8 * 4.0
    assert d.table_error <= 1e-8 * 4.0


@pytest.mark.parametrize("low, mode, high, lamb", [(0.0, 0.0, 1.0, 4.0), (0.0, 1.0, 1.0, 4.0), (2.0, 2.1, 12.0, 4.0),
                                                   (-5.0, 2.0, 100.0, 1.0), (0.0, 0.5, 1.0, 60.0)])
def test_tabulated_pert_accuracy(low: float, mode: float, high: float, lamb: float) -> None:
    d = Pert(low, mode, high, lamb)
    w = high - low
    a, b = 1 + lamb * (mode - low) / w, 1 + lamb * (high - mode) / w
    err = np.max(np.abs(d.ppf(U_DENSE) - stats.beta.ppf(U_DENSE, a, b, loc=low, scale=w)))
    assert err <= 1e-8 * w


def test_tabulated_beta_below_the_grid() -> None:
    # u beyond the table (min(u, 1 - u) < 2^-32) is computed exactly (or by the tail expansion).
    d = Beta(30.0, 2.0)
    u = np.geomspace(1e-150, 1e-16, 60)
    np.testing.assert_allclose(d.ppf(u), stats.beta.ppf(u, 30.0, 2.0), rtol=1e-9)
    d = Pert(0.0, 1.0, 3.0)
    u = np.geomspace(1e-300, 1e-17, 60)
    x = d.ppf(u)
    assert np.all(np.isfinite(x)) and np.all(np.diff(x) >= 0)


def test_fixed_ppf() -> None:
    d = make("fixed")
    assert d.to_scipy() is None
    assert np.all(d.ppf(U_GRID) == 2.5)


def test_discrete_non_integer_values_compared_with_numpy() -> None:
    d = parse_distribution({"dist": "discrete", "values": [2.5, -1.0, 0.75], "weights": [0.3, 0.5, 0.2]}, SOURCE, "x")
    assert d.to_scipy() is None
    u = np.array([0.0, 0.1, 0.49, 0.5, 0.69, 0.7, 0.99, 1 - 1e-12])
    # Sorted values -1.0, 0.75, 2.5 with cumulative weights 0.5, 0.7, 1.0.
    expected = np.array([-1.0, -1.0, -1.0, 0.75, 0.75, 2.5, 2.5, 2.5])
    np.testing.assert_array_equal(d.ppf(u), expected)
    edges = np.cumsum([0.5, 0.2])
    np.testing.assert_array_equal(d.ppf(U_DENSE), np.array([-1.0, 0.75, 2.5])[np.searchsorted(edges, U_DENSE, "right")])


def test_discrete_zero_weight_never_drawn() -> None:
    d = Discrete((1.0, 2.0, 3.0), (0.5, 0.0, 0.5))
    x = d.ppf(np.concatenate([U_DENSE, [0.0, 0.5, np.nextafter(0.5, 0), np.nextafter(1.0, 0)]]))
    assert not np.any(x == 2.0)
    assert d.support() == (1.0, 3.0)


# ------------------------------------------------------------------ bounds, moments
@pytest.mark.parametrize("name", DIST_NAMES)
def test_ppf_within_support(name: str) -> None:
    d = make(name)
    rng = np.random.default_rng(7)
    u = np.concatenate([[0.0, 2.0**-53, 1e-300, 1e-17, 0.5, np.nextafter(1.0, 0.0), 1 - 2.0**-40],
                        rng.random(20_000), U_DENSE])
    x = d.ppf(u)
    lo, hi = d.support()
    assert np.all((x >= lo) & (x <= hi))
    assert np.all(np.isfinite(x[u > 0]))
    if name not in ("discrete", "fixed"):  # u = 0 gives the lower end of the support (-inf if unbounded)
        assert d.ppf(np.array([0.0]))[0] == pytest.approx(lo, rel=1e-14)


@pytest.mark.parametrize("name, mean, central", [
    ("fixed", 2.5, 2.5),
    ("uniform", 2.0, 2.0),
    ("triangular", 1.0 / 3.0, 0.3),
    ("pert", (0.1 + 4 * 0.3 + 0.6) / 6, 0.3),
    ("normal", 10.0, 10.0),
    ("truncnormal", stats.truncnorm(-0.5, 2.0, loc=1.0, scale=2.0).mean(), None),
    ("lognormal", math.exp(0.5 + 0.4**2 / 2), math.exp(0.5)),
    ("beta", 10.0 + 10.0 * 2.0 / 7.0, None),
    ("loguniform", (10.0 - 0.01) / math.log(1000.0), None),
    ("discrete", 0.25 * 1 + 0.45 * 2 + 0.3 * 5, None),
])
def test_mean_and_central(name: str, mean: float, central: float | None) -> None:
    d = make(name)
    assert d.mean() == pytest.approx(mean, rel=1e-12)
    assert d.central() == pytest.approx(mean if central is None else central, rel=1e-12)
    sp = d.to_scipy()
    if sp is not None:
        assert d.mean() == pytest.approx(sp.mean(), rel=1e-9)


@pytest.mark.parametrize("name, support", [
    ("fixed", (2.5, 2.5)), ("uniform", (1.0, 3.0)), ("triangular", (0.1, 0.6)), ("pert", (0.1, 0.6)),
    ("normal", (-math.inf, math.inf)), ("truncnormal", (0.0, 5.0)), ("lognormal", (0.0, math.inf)),
    ("beta", (10.0, 20.0)), ("loguniform", (0.01, 10.0)), ("discrete", (1.0, 5.0)),
])
def test_support(name: str, support: tuple[float, float]) -> None:
    assert make(name).support() == support


def test_one_sided_truncnormal() -> None:
    d = parse_distribution({"dist": "truncnormal", "mean": 0.0, "sd": 1.0, "low": -2.0}, SOURCE, "x")
    assert d.support() == (-2.0, math.inf)
    assert d.params == {"mean": 0.0, "sd": 1.0, "low": -2.0}
    ref = stats.truncnorm(-2.0, np.inf).ppf(U_GRID)
    np.testing.assert_allclose(d.ppf(U_GRID), ref, rtol=1e-8)
    d = parse_distribution({"dist": "truncnormal", "mean": 0.0, "sd": 1.0, "high": 1.0}, SOURCE, "x")
    assert d.support() == (-math.inf, 1.0)
    np.testing.assert_allclose(d.ppf(U_GRID), stats.truncnorm(-np.inf, 1.0).ppf(U_GRID), rtol=1e-9)


@pytest.mark.parametrize("low, high", [(5.0, math.inf), (-math.inf, -5.0), (8.0, 9.0), (40.0, 41.0),
                                       (-41.0, -40.0), (-1e-3, 1e-3)])
def test_truncnormal_far_tails(low: float, high: float) -> None:
    d = TruncNormal(0.0, 1.0, low, high)
    x = d.ppf(U_GRID)
    ref = stats.truncnorm(low, high).ppf(U_GRID)
    np.testing.assert_allclose(x, ref, rtol=1e-9, atol=1e-15)
    assert np.all(np.diff(x) >= 0)


def test_closed_forms_exact_formulas() -> None:
    u = np.array([0.0, 0.25, 0.5, 0.75])
    np.testing.assert_allclose(make("uniform").ppf(u), 1.0 + 2.0 * u, rtol=1e-15)
    np.testing.assert_allclose(make("loguniform").ppf(u), 0.01 * 1000.0**u, rtol=1e-13)
    tri = make("triangular")  # c = 0.4
    np.testing.assert_allclose(tri.ppf(np.array([0.4])), [0.3], rtol=1e-14)


# ------------------------------------------------------------------ ppf interface
def test_ppf_out_and_in_place() -> None:
    d = make("pert")
    u = np.random.default_rng(3).random(40_000)
    expected = d.ppf(u)
    out = np.empty_like(u)
    assert d.ppf(u, out=out) is out
    np.testing.assert_array_equal(out, expected)
    v = u.copy()
    d.ppf(v, out=v)
    np.testing.assert_array_equal(v, expected)
    strided = np.empty((u.size, 2))[:, 1]
    d.ppf(u, out=strided)
    np.testing.assert_array_equal(strided, expected)
    np.testing.assert_array_equal(d.ppf(u.reshape(200, 200)), expected.reshape(200, 200))
    assert d.ppf(np.empty(0)).shape == (0,)
    with pytest.raises(ValueError):
        d.ppf(u, out=np.empty(3))
    with pytest.raises(ValueError):
        d.ppf(u, out=np.empty(u.size, dtype=np.float32))


@pytest.mark.parametrize("name", DIST_NAMES)
def test_ppf_is_elementwise(name: str) -> None:
    d = make(name)
    u = np.random.default_rng(11).random(40_000)
    full = d.ppf(u)
    parts = np.concatenate([d.ppf(u[:12_345]), d.ppf(u[12_345:])])
    np.testing.assert_array_equal(parts, full)
    single = np.array([d.ppf(np.array([x]))[0] for x in u[:50]])
    np.testing.assert_array_equal(single, full[:50])


def test_sample_block() -> None:
    dists = [make(n) for n in DIST_NAMES]
    u = np.random.default_rng(5).random((len(dists), 30_000))
    x = sample_block(dists, u)
    assert x.shape == u.shape
    for j, d in enumerate(dists):
        np.testing.assert_array_equal(x[j], d.ppf(u[j]))
    np.testing.assert_array_equal(sample_block(dists, u, workers=2), x)
    out = np.empty_like(u)
    assert sample_block(dists, u, out=out) is out
    with pytest.raises(ValueError):
        sample_block(dists[:3], u)
    with pytest.raises(ValueError):
        sample_block(dists, u[0])


def test_objects_compare_by_value() -> None:
    a = parse_distribution(SPECS["pert"], SOURCE, "x")
    b = Pert(0.1, 0.3, 0.6)
    assert a == b and hash(a) == hash(b)
    assert b.params == {"low": 0.1, "mode": 0.3, "high": 0.6, "lamb": 4.0}


def test_direct_construction_is_checked() -> None:
    with pytest.raises(ConfigError) as info:
        Pert(0.0, 2.0, 1.0)
    assert [p.key for p in info.value.problems] == ["pert.mode"]


# ------------------------------------------------------------------ bad specs
BAD_SPECS = [
    # (spec, key path, fragment of `expected`)
    ({"low": 1, "high": 2}, "x.dist", "uniform"),
    ({"dist": "gamma", "a": 1}, "x.dist", "one of"),
    ({"dist": 3}, "x.dist", "one of"),
    ({"dist": "uniform", "low": 0, "high": 1, "mode": 0.5}, "x.mode", "low, high"),
    ({"dist": "triangular", "low": 0, "high": 1}, "x.mode", "required"),
    ({"dist": "discrete", "values": [1, 2]}, "x.weights", "required"),
    ({"dist": "fixed", "value": "a"}, "x.value", "finite number"),
    ({"dist": "normal", "mean": "10", "sd": 1}, "x.mean", "finite number"),
    ({"dist": "normal", "mean": True, "sd": 1}, "x.mean", "finite number"),
    ({"dist": "normal", "mean": float("nan"), "sd": 1}, "x.mean", "finite number"),
    ({"dist": "normal", "mean": 0, "sd": float("inf")}, "x.sd", "finite number"),
    ({"dist": "uniform", "low": 2, "high": 1}, "x.low", "low < high"),
    ({"dist": "uniform", "low": 1, "high": 1}, "x.low", "low < high"),
    ({"dist": "triangular", "low": 0, "mode": 2, "high": 1}, "x.mode", "low <= mode <= high"),
    ({"dist": "triangular", "low": 0, "mode": 0.5, "high": 0}, "x.low", "low < high"),
    ({"dist": "pert", "low": 0, "mode": -1, "high": 1}, "x.mode", "low <= mode <= high"),
    ({"dist": "pert", "low": 0, "mode": 0.5, "high": 1, "lamb": 0}, "x.lamb", "lamb > 0"),
    ({"dist": "normal", "mean": 0, "sd": 0}, "x.sd", "sd > 0"),
    ({"dist": "normal", "mean": 0, "sd": -1}, "x.sd", "sd > 0"),
    ({"dist": "truncnormal", "mean": 0, "sd": 0, "low": 0}, "x.sd", "sd > 0"),
    ({"dist": "truncnormal", "mean": 0, "sd": 1, "low": 3, "high": 1}, "x.low", "low < high"),
    ({"dist": "truncnormal", "mean": 0, "sd": 1, "low": 3, "high": 3}, "x.low", "low < high"),
    ({"dist": "lognormal", "mu": 0, "sigma": 0}, "x.sigma", "sigma > 0"),
    ({"dist": "beta", "a": 0, "b": 1}, "x.a", "a > 0"),
    ({"dist": "beta", "a": 1, "b": -2}, "x.b", "b > 0"),
    ({"dist": "beta", "a": 1, "b": 2, "low": 1, "high": 0}, "x.low", "low < high"),
    ({"dist": "loguniform", "low": 0, "high": 1}, "x.low", "low > 0"),
    ({"dist": "loguniform", "low": -1, "high": 1}, "x.low", "low > 0"),
    ({"dist": "loguniform", "low": 2, "high": 1}, "x.low", "low < high"),
    ({"dist": "discrete", "values": [], "weights": []}, "x.values", "non-empty list"),
    ({"dist": "discrete", "values": "12", "weights": [1]}, "x.values", "non-empty list"),
    ({"dist": "discrete", "values": [1, "b"], "weights": [0.5, 0.5]}, "x.values[1]", "finite number"),
    ({"dist": "discrete", "values": [1, 2], "weights": [1.0]}, "x.weights", "one weight per value"),
    ({"dist": "discrete", "values": [1, 2], "weights": [1.5, -0.5]}, "x.weights[1]", "weight >= 0"),
    ({"dist": "discrete", "values": [1, 2], "weights": [0.5, 0.4]}, "x.weights", "sum to 0.9"),
    ({"dist": "discrete", "values": [1, 2], "weights": [0.5, 0.5 + 2e-6]}, "x.weights", "sum to 1"),
    ([1, 2], "x", "table"),
]


@pytest.mark.parametrize("spec, key, fragment", BAD_SPECS, ids=[f"{i}-{b[1]}" for i, b in enumerate(BAD_SPECS)])
def test_bad_spec(spec: object, key: str, fragment: str) -> None:
    problems = problems_of(spec)
    assert all(p.source == SOURCE for p in problems)
    assert any(p.key == key and fragment in p.expected for p in problems), problems


def test_weight_sum_within_tolerance_is_accepted() -> None:
    d = parse_distribution({"dist": "discrete", "values": [1, 2], "weights": [0.5, 0.5 + 5e-7]}, SOURCE, "x")
    assert d.mean() == pytest.approx(1.5, abs=1e-6)


def test_unknown_name_lists_all_names() -> None:
    with pytest.raises(ConfigError) as info:
        parse_distribution({"dist": "gamma"}, SOURCE, "params.x.distribution")
    (problem,) = info.value.problems
    assert problem.key == "params.x.distribution.dist"
    assert problem.value == "gamma"
    for name in DIST_NAMES:
        assert name in problem.expected
        assert name in str(info.value)


def test_missing_field_is_reported_as_missing() -> None:
    (problem,) = problems_of({"dist": "normal", "mean": 1.0})
    assert problem.key == "x.sd"
    assert problem.value == "<missing>"
    assert "dists.toml: x.sd = <missing>" in str(ConfigError([problem]))


def test_all_problems_reported_at_once() -> None:
    problems = problems_of({"dist": "normal", "sd": -1.0, "scale": 2.0})
    assert sorted(p.key for p in problems) == ["x.mean", "x.scale", "x.sd"]
    problems = problems_of({"dist": "pert", "low": 1.0, "mode": 0.5, "high": 0.0, "lamb": -1.0, "peak": 1})
    assert sorted(p.key for p in problems) == ["x.lamb", "x.low", "x.peak"]
    unknown = next(p for p in problems if p.key == "x.peak")
    assert unknown.expected.endswith("low, mode, high, lamb")
    problems = problems_of({"dist": "discrete", "values": [1, None], "weights": [0.5, -0.2, 0.7]})
    assert sorted(p.key for p in problems) == ["x.values[1]", "x.weights", "x.weights[1]"]
