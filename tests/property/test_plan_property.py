"""Property tests of the sampling plan: designs, Gaussian copula and
Dirichlet share groups, chunked against one-shot.

Every design is defined block by block, and the copula and the Dirichlet
transform are row-wise, so the sampled inputs of a seed must not depend on
how the samples are cut into chunks (:mod:`mkba_mc.uncertainty.designs`).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mkba_mc.uncertainty.copula import Correlation, correlate
from mkba_mc.uncertainty.designs import BLOCK_SIZE, SAMPLERS, block_size_for
from mkba_mc.uncertainty.distributions import parse_distribution
from mkba_mc.uncertainty.plan import SamplingPlan
from mkba_mc.uncertainty.shares import ShareGroup, dirichlet_shares

SETTINGS = settings(derandomize=True, max_examples=25, deadline=None)

DISTS = (
    parse_distribution({"dist": "pert", "low": 0.1, "mode": 0.3, "high": 0.6}, "prop", "a"),
    parse_distribution({"dist": "normal", "mean": 2.0, "sd": 0.5}, "prop", "b"),
    parse_distribution({"dist": "uniform", "low": -1.0, "high": 1.0}, "prop", "c"),
    parse_distribution({"dist": "lognormal", "mu": 0.0, "sigma": 0.4}, "prop", "d"),
)
SPEARMAN = np.array([[1.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 1.0]])


def make_plan(sampler: str, seed: int, n: int, alpha: tuple[float, ...] = (4.0, 2.0, 1.0),
              correlated: bool = True) -> SamplingPlan:
    names = ("a", "b", "c", "d", *(f"s{i}" for i in range(len(alpha))))
    corr = Correlation(("a", "b", "c"), SPEARMAN)
    return SamplingPlan(names, (*DISTS, *([None] * len(alpha))), (ShareGroup(names[4:], alpha),),
                        (0, 1, 2) if correlated else (), corr.normal_cholesky if correlated else None,
                        sampler, seed, n, block_size_for(sampler, n))


@SETTINGS
@given(sampler=st.sampled_from(SAMPLERS), seed=st.integers(0, 2**63 - 1), n=st.integers(1, 3000),
       chunk=st.integers(1, 1500), alpha=st.lists(st.floats(0.05, 50.0), min_size=2, max_size=5).map(tuple))
def test_chunked_plan_equals_one_shot(sampler: str, seed: int, n: int, chunk: int, alpha: tuple) -> None:
    plan = make_plan(sampler, seed, n, alpha)
    one_shot = plan.inputs(0, n)
    parts = list(plan.chunks(0, n, chunk))
    x = np.concatenate([p for _, p in parts], axis=1)
    assert [r for r, _ in parts] == list(range(0, n, chunk))[:len(parts)]
    for j, name in enumerate(plan.names):
        np.testing.assert_array_equal(x[j], one_shot[name])
    # a window that starts inside the run gives the same rows as the whole
    lo = n // 3
    window = plan.inputs(lo, n)
    for name in plan.names:
        np.testing.assert_array_equal(window[name], one_shot[name][lo:])


@SETTINGS
@given(sampler=st.sampled_from(SAMPLERS), seed=st.integers(0, 2**32 - 1),
       alpha=st.lists(st.floats(0.05, 50.0), min_size=2, max_size=6).map(tuple))
def test_shares_sum_to_one(sampler: str, seed: int, alpha: tuple) -> None:
    plan = make_plan(sampler, seed, 2000, alpha, correlated=False)
    x = plan.inputs(0, 2000)
    shares = np.vstack([x[f"s{i}"] for i in range(len(alpha))])
    assert np.all((shares >= 0.0) & (shares <= 1.0))
    np.testing.assert_allclose(shares.sum(axis=0), 1.0, rtol=0, atol=1e-12)


def test_random_design_crosses_a_block_boundary_unchanged() -> None:
    n = BLOCK_SIZE + 500
    plan = make_plan("random", 7, n)
    whole = plan.inputs(BLOCK_SIZE - 700, n)
    parts = np.concatenate([p for _, p in plan.chunks(BLOCK_SIZE - 700, n, 333)], axis=1)
    for j, name in enumerate(plan.names):
        np.testing.assert_array_equal(parts[j], whole[name])


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_dirichlet_moments(sampler: str) -> None:
    alpha = np.array([4.0, 2.0, 1.0])
    n = 1 << 14
    x = make_plan(sampler, 11, n, tuple(alpha), correlated=False).inputs(0, n)
    shares = np.vstack([x[f"s{i}"] for i in range(3)])
    mean = alpha / alpha.sum()
    var = mean * (1 - mean) / (alpha.sum() + 1)
    np.testing.assert_allclose(shares.mean(axis=1), mean, atol=5 * np.sqrt(var / n).max())
    np.testing.assert_allclose(shares.var(axis=1), var, rtol=0.08)


def test_dirichlet_shares_in_place() -> None:
    u = np.random.default_rng(3).random((3, 1000))
    out = dirichlet_shares(u, (1.0, 2.0, 3.0))
    assert out is u
    np.testing.assert_allclose(u.sum(axis=0), 1.0, atol=1e-12)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_correlation_recovered_and_marginals_kept(sampler: str) -> None:
    n = 1 << 15
    x = make_plan(sampler, 5, n).inputs(0, n)
    rho = stats.spearmanr(np.vstack([x["a"], x["b"], x["c"]]).T).statistic
    np.testing.assert_allclose(rho, SPEARMAN, atol=0.02)
    # the copula leaves every marginal exact: normal "b" keeps its quantiles
    q = np.quantile(x["b"], [0.05, 0.5, 0.95])
    np.testing.assert_allclose(q, stats.norm(2.0, 0.5).ppf([0.05, 0.5, 0.95]), atol=0.02)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 2000))
def test_copula_is_row_wise(seed: int, k: int) -> None:
    u = np.random.default_rng(seed).random((4, 2000))
    chol = Correlation(("a", "b", "c"), SPEARMAN).normal_cholesky
    whole = u.copy()
    correlate(whole, (0, 2, 3), chol)
    left, right = u[:, :k].copy(), u[:, k:].copy()
    correlate(left, (0, 2, 3), chol)
    correlate(right, (0, 2, 3), chol)
    np.testing.assert_array_equal(np.concatenate([left, right], axis=1), whole)
    np.testing.assert_array_equal(whole[1], u[1])  # an uncorrelated row is untouched
