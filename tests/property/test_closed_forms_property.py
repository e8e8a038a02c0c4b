"""Property tests for the distributions not covered by
``test_distributions_property.py``: fixed, uniform, normal, lognormal,
loguniform, discrete and scaled (``factor * X``, both signs).

For random valid parameters, ``ppf`` must be non-decreasing, stay within the
support, reproduce the mean and quantiles of the reference distribution
(scipy.stats where there is one, the weights themselves for discrete), and be
elementwise: continued draws equal one-shot draws.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mkba_mc.uncertainty.distributions import Distribution, Scaled, parse_distribution

SETTINGS = settings(derandomize=True, max_examples=40, deadline=None)
N_DRAWS = 100_000
SEED = st.integers(0, 2**32 - 1)


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(math.log(lo), math.log(hi)).map(math.exp)


def spec(**kw: object) -> Distribution:
    return parse_distribution(kw, "prop", "x")


@st.composite
def uniform(draw: st.DrawFn) -> Distribution:
    low = draw(st.floats(-1e4, 1e4))
    return spec(dist="uniform", low=low, high=low + draw(log_uniform(1e-3, 1e4)))


@st.composite
def normal(draw: st.DrawFn) -> Distribution:
    return spec(dist="normal", mean=draw(st.floats(-1e3, 1e3)), sd=draw(log_uniform(1e-3, 1e3)))


@st.composite
def lognormal(draw: st.DrawFn) -> Distribution:
    return spec(dist="lognormal", mu=draw(st.floats(-5.0, 12.0)), sigma=draw(log_uniform(1e-2, 1.5)))


@st.composite
def loguniform(draw: st.DrawFn) -> Distribution:
    low = draw(log_uniform(1e-4, 1e4))
    return spec(dist="loguniform", low=low, high=low * draw(log_uniform(1.01, 1e4)))


@st.composite
def discrete(draw: st.DrawFn) -> Distribution:
    k = draw(st.integers(1, 6))
    values = sorted(set(draw(st.lists(st.floats(-1e3, 1e3), min_size=k, max_size=k))))
    w = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=len(values), max_size=len(values))))
    return spec(dist="discrete", values=values, weights=(w / w.sum()).tolist())


@st.composite
def scaled(draw: st.DrawFn) -> Distribution:
    base = draw(st.one_of(uniform(), normal(), lognormal()))
    factor = draw(st.one_of(st.floats(0.1, 10.0), st.floats(-10.0, -0.1)))
    return Scaled(base, factor)


FIXED = st.floats(-1e6, 1e6).map(lambda v: spec(dist="fixed", value=v))
ANY = st.one_of(FIXED, uniform(), normal(), lognormal(), loguniform(), discrete(), scaled())
WITH_SCIPY = st.one_of(uniform(), normal(), lognormal(), loguniform(),
                       scaled().filter(lambda d: d.factor > 0))


def dense_u(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.sort(np.concatenate([rng.random(20_000), np.linspace(0.0, 1.0, 2001)[1:-1],
                                   np.geomspace(1e-15, 1e-3, 200), 1.0 - np.geomspace(1e-15, 1e-3, 200)]))


@SETTINGS
@given(d=ANY, seed=SEED)
def test_ppf_monotone_and_within_support(d: Distribution, seed: int) -> None:
    x = d.ppf(dense_u(seed))
    # closed forms through ndtri/exp wobble by an ulp or so; allow 4 ulps
    tol = 4 * np.finfo(float).eps * np.abs(x[1:])
    assert np.all(np.diff(x) >= -tol)
    lo, hi = d.support()
    assert np.all((x >= lo) & (x <= hi))


@SETTINGS
@given(d=WITH_SCIPY, seed=SEED)
def test_mean_and_quantiles_match_scipy(d: Distribution, seed: int) -> None:
    sp = d.to_scipy()
    mean, var = (float(v) for v in sp.stats(moments="mv"))
    assert abs(d.mean() - mean) <= 1e-9 * (abs(mean) + math.sqrt(var))
    p = np.array([0.01, 0.05, 0.5, 0.95, 0.99])
    np.testing.assert_allclose(d.ppf(p), sp.ppf(p), rtol=1e-9, atol=1e-12 * math.sqrt(var))
    x = d.ppf(np.random.default_rng(seed).random(N_DRAWS))
    assert abs(x.mean() - mean) <= 5 * math.sqrt(var / N_DRAWS) * (3.0 if d.name == "lognormal" else 1.0) + 1e-12


@SETTINGS
@given(d=discrete(), seed=SEED)
def test_discrete_frequencies_and_quantiles(d: Distribution, seed: int) -> None:
    values = np.asarray(d.params["values"], dtype=float)
    weights = np.asarray(d.params["weights"], dtype=float)
    weights = weights / weights.sum()
    assert abs(d.mean() - float(values @ weights)) <= 1e-9 * (1.0 + np.abs(values).max())
    x = d.ppf(np.random.default_rng(seed).random(N_DRAWS))
    freq = np.array([np.mean(x == v) for v in values])
    np.testing.assert_allclose(freq, weights, atol=5 * np.sqrt(0.25 / N_DRAWS))
    # quantile q is the smallest value whose cumulative weight exceeds q
    cum = np.cumsum(weights)
    for q in (0.1, 0.5, 0.9):
        expected = values[min(int(np.searchsorted(cum, q, side="right")), len(values) - 1)]
        assert d.ppf(np.array([q]))[0] == expected


@SETTINGS
@given(d=scaled().filter(lambda d: d.factor < 0), seed=SEED)
def test_negative_factor_mirrors_the_base(d: Distribution, seed: int) -> None:
    u = np.random.default_rng(seed).random(10_000)
    np.testing.assert_array_equal(d.ppf(u), d.factor * d.base.ppf(np.minimum(1.0 - u, 1.0 - 2.0**-53)))


@SETTINGS
@given(d=ANY, seed=SEED, k=st.integers(0, 30_000))
def test_continued_draws_equal_one_shot(d: Distribution, seed: int, k: int) -> None:
    u = np.random.default_rng(seed).random(30_000)
    np.testing.assert_array_equal(np.concatenate([d.ppf(u[:k]), d.ppf(u[k:])]), d.ppf(u))


def test_fixed_is_a_point_mass() -> None:
    d = spec(dist="fixed", value=3.5)
    assert d.support() == (3.5, 3.5) and d.mean() == 3.5
    assert np.all(d.ppf(np.linspace(0, 1, 11)[:-1]) == 3.5)


def test_lognormal_median_is_exp_mu() -> None:
    d = spec(dist="lognormal", mu=1.0, sigma=0.5)
    assert d.central() == math.exp(1.0)
    np.testing.assert_allclose(d.ppf(np.array([0.5])), stats.lognorm(s=0.5, scale=math.e).median(), rtol=1e-12)
