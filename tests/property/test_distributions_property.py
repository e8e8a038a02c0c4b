"""Property tests of the fast inverse CDFs of :mod:`mkba_mc.uncertainty.distributions`.

For random valid parameters of the distributions with non-trivial inverse
CDFs (PERT and beta: tabulated; triangular and truncated normal: closed forms
with two branches) the fast ``ppf`` must be monotone, accurate against
scipy, give the right moments and quantiles, and be elementwise (continued
draws equal one-shot draws).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mkba_mc.uncertainty.distributions import Distribution, parse_distribution

SETTINGS = settings(derandomize=True, max_examples=50, deadline=None)

N_DRAWS = 200_000


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(math.log(lo), math.log(hi)).map(math.exp)


@st.composite
def pert(draw: st.DrawFn) -> Distribution:
    low = draw(st.floats(-1e3, 1e3))
    width = draw(log_uniform(1e-3, 1e3))
    frac = draw(st.floats(0.0, 1.0))
    lamb = draw(st.floats(0.5, 20.0))
    high = low + width
    mode = min(max(low + frac * width, low), high)
    return parse_distribution({"dist": "pert", "low": low, "mode": mode, "high": high, "lamb": lamb}, "prop", "x")


@st.composite
def beta(draw: st.DrawFn, min_shape: float = 0.3) -> Distribution:
    a = draw(log_uniform(min_shape, 100.0))
    b = draw(log_uniform(min_shape, 100.0))
    low = draw(st.floats(-1e3, 1e3))
    width = draw(log_uniform(1e-3, 1e3))
    return parse_distribution({"dist": "beta", "a": a, "b": b, "low": low, "high": low + width}, "prop", "x")


@st.composite
def triangular(draw: st.DrawFn) -> Distribution:
    low = draw(st.floats(-1e3, 1e3))
    width = draw(log_uniform(1e-3, 1e3))
    frac = draw(st.floats(0.0, 1.0))
    high = low + width
    mode = min(max(low + frac * width, low), high)
    return parse_distribution({"dist": "triangular", "low": low, "mode": mode, "high": high}, "prop", "x")


@st.composite
def truncnormal(draw: st.DrawFn) -> Distribution:
    mean = draw(st.floats(-100.0, 100.0))
    sd = draw(log_uniform(1e-3, 100.0))
    za = draw(st.one_of(st.none(), st.floats(-6.0, 4.0)))
    if za is None:
        zb = draw(st.one_of(st.none(), st.floats(-4.0, 6.0)))
    else:
        zb = draw(st.one_of(st.none(), st.floats(0.05, 8.0).map(lambda dz: za + dz)))
    spec: dict = {"dist": "truncnormal", "mean": mean, "sd": sd}
    if za is not None:
        spec["low"] = mean + za * sd
    if zb is not None:
        spec["high"] = mean + zb * sd
    return parse_distribution(spec, "prop", "x")


ANY = st.one_of(pert(), beta(), triangular(), truncnormal())
MOMENTS = st.one_of(pert(), beta(min_shape=0.5), triangular(), truncnormal())

SEED = st.integers(0, 2**32 - 1)


def accuracy_grid(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([np.geomspace(1e-10, 0.5, 200), 1.0 - np.geomspace(1e-10, 0.5, 200), rng.random(400)])


def assert_accurate(d: Distribution, u: np.ndarray) -> None:
    """Fast ppf vs scipy: 1e-8 (high-low) for the tabulated, 1e-9 relative for closed forms."""
    x = d.ppf(u)
    sp = d.to_scipy()
    ref = sp.ppf(u)
    err = np.abs(x - ref)
    if d.name in ("pert", "beta"):
        lo, hi = d.support()
        assert err.max() <= 1e-8 * (hi - lo)
    elif d.name == "triangular":
        lo, hi = d.support()
        assert np.all(err <= 1e-9 * np.abs(ref) + 1e-12 * (hi - lo))
    else:
        # Relative 1e-9, or (in the far tails, where scipy's own log-space
        # formula loses digits) an error worth less than 1e-15 in u.
        sd = d.params["sd"]
        ok = (err <= 1e-9 * np.abs(ref) + 1e-12 * sd) | (err * sp.pdf(ref) <= 1e-15)
        assert np.all(ok), (u[~ok], x[~ok], ref[~ok])


@SETTINGS
@given(d=ANY, seed=SEED)
def test_ppf_monotone(d: Distribution, seed: int) -> None:
    rng = np.random.default_rng(seed)
    u = np.sort(np.concatenate([
        rng.random(20_000),
        np.linspace(0.0, 1.0, 5001)[:-1],
        np.geomspace(1e-16, 1e-3, 500),
        1.0 - np.geomspace(1e-16, 1e-3, 500),
    ]))
    x = d.ppf(u)
    if d.name == "truncnormal":
        # scipy.special.ndtri itself decreases by an ulp here and there on a
        # dense grid; allow a few ulps of x and of the standardised part sd*z.
        z = np.abs(x - d.params["mean"])
        tol = 4 * np.finfo(float).eps * (np.abs(x[1:]) + z[1:])
    else:
        tol = 0.0  # exactly non-decreasing
    assert np.all(np.diff(x) >= -tol)
    lo, hi = d.support()
    assert np.all((x >= lo) & (x <= hi))


@SETTINGS
@given(d=ANY, seed=SEED)
def test_ppf_accurate_vs_scipy(d: Distribution, seed: int) -> None:
    assert_accurate(d, accuracy_grid(seed))


@SETTINGS
@given(d=MOMENTS, seed=SEED)
def test_sample_moments_and_quantiles(d: Distribution, seed: int) -> None:
    x = d.ppf(np.random.default_rng(seed).random(N_DRAWS))
    sp = d.to_scipy()
    mean, var, kurt = (float(v) for v in sp.stats(moments="mvk"))
    se_mean = math.sqrt(var / N_DRAWS)
    se_var = var * math.sqrt((kurt + 2.0) / N_DRAWS)
    assert abs(x.mean() - mean) <= 5 * se_mean
    assert abs(x.var() - var) <= 5 * se_var
    assert abs(d.mean() - mean) <= 1e-9 * (abs(mean) + math.sqrt(var))
    p = np.array([0.05, 0.5, 0.95])
    q = np.quantile(x, p)
    ref = sp.ppf(p)
    # 0.01 (P95 - P5), or 5 standard errors of the sample quantile where that
    # is wider: for J-shaped betas (b < 1 < a) 0.01 (P95 - P5) is only 2-3 SE.
    se_q = np.sqrt(p * (1 - p) / N_DRAWS) / sp.pdf(ref)
    assert np.all(np.abs(q - ref) <= np.maximum(0.01 * (ref[2] - ref[0]), 5 * se_q))


@SETTINGS
@given(d=ANY, seed=SEED, k=st.integers(0, 50_000))
def test_continued_draws_equal_one_shot(d: Distribution, seed: int, k: int) -> None:
    u = np.random.default_rng(seed).random(50_000)
    one_shot = d.ppf(u)
    continued = np.concatenate([d.ppf(u[:k]), d.ppf(u[k:])])
    np.testing.assert_array_equal(continued, one_shot)
