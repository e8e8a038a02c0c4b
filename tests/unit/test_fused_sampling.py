"""The fused sampling transform (issue 14): tables, copula, compiled kernel.

References are independent of the code under test: :mod:`scipy.stats` /
:mod:`scipy.special` for the inverse CDFs and normal scores, and
:func:`mkba_mc.uncertainty.copula.correlate` (the copula written with
``special.ndtri`` / ``special.ndtr``) for the correlated rows.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import special, stats

from mkba_mc.uncertainty.copula import check_correlation, correlate
from mkba_mc.uncertainty.distributions import Beta, LogNormal, Pert, Scaled, Triangular
from mkba_mc.uncertainty.distributions.tables import LOW_EXP, Z_MAX, binade_nodes
from mkba_mc.uncertainty.fused import FusedPlan, normal_score_table

import numba  # noqa: E402,F401  (a dependency of the package: the compiled kernel is tested, never skipped)

HARD = [(1.05, 4.95), (1.0, 5.0), (5.0, 1.0), (0.5, 0.5), (30.0, 2.0), (2.0, 30.0), (1.0, 1.0), (0.3, 3.0),
        (200.0, 300.0), (1e-3, 2.0), (1e4, 1e4)]

#: Normal scores over the grid and just beyond it, and uniforms into both far tails.
Z_DENSE = np.concatenate([np.linspace(-Z_MAX, Z_MAX, 20001)[:-1], np.random.default_rng(5).normal(size=5000)])
U_TAILS = np.concatenate([np.geomspace(2.0 ** -LOW_EXP, 0.5, 4000), 1.0 - np.geomspace(2.0 ** -53, 0.5, 4000),
                          np.random.default_rng(6).random(4000)])


def test_binade_nodes_are_the_float_grid() -> None:
    # 2^m pieces per binade: within [2^-e-1, 2^-e) the nodes step by 2^(-e-1-m), from 2^-LOW_EXP to 1/2
    p, width = binade_nodes(3)
    assert p[0] == 2.0 ** -LOW_EXP and p[-1] == 0.5
    assert p.size == (LOW_EXP - 1) * 8 + 1
    np.testing.assert_array_equal(p[8::8], 2.0 ** np.arange(-LOW_EXP + 1, 0))
    np.testing.assert_array_equal(width[-8:], np.full(8, 0.25 / 8))


@pytest.mark.parametrize("a, b", HARD)
def test_grid_table_of_a_normal_score_accurate(a: float, b: float) -> None:
    # F^-1(Phi(z)) for the copula, against scipy (each tail through its own Phi)
    d = Beta(a, b, low=-1.0, high=3.0)
    out = np.empty_like(Z_DENSE)
    bad = d._grid.evaluate(Z_DENSE.copy(), out)
    assert bad.size == 0
    ref = np.where(Z_DENSE <= 0, stats.beta.ppf(special.ndtr(Z_DENSE), a, b, loc=-1.0, scale=4.0),
                   stats.beta.isf(special.ndtr(-Z_DENSE), a, b, loc=-1.0, scale=4.0))
    assert np.max(np.abs(out - ref)) <= 1e-8 * 4.0
    assert np.all(np.diff(out[:20000]) >= 0)


def test_normal_score_table_accurate() -> None:
    tab = normal_score_table()
    out = np.empty_like(U_TAILS)
    bad = tab.evaluate(U_TAILS, out)
    ok = np.setdiff1d(np.arange(U_TAILS.size), bad)
    assert np.all(np.minimum(U_TAILS[bad], 1 - U_TAILS[bad]) < 2.0 ** -LOW_EXP)
    np.testing.assert_allclose(out[ok], special.ndtri(U_TAILS[ok]), rtol=0, atol=1e-10)


def _mixed_plan(compiled: bool) -> tuple[FusedPlan, np.ndarray]:
    dists = [Pert(0.1, 0.3, 0.6), Scaled(Pert(0.5, 1.0, 1.2), -0.4), LogNormal(0.2, 0.5),
             Scaled(Pert(0.8, 1.0, 1.2), 600.0), Triangular(0.0, 1.0, 3.0), Beta(2.0, 5.0, low=10.0, high=20.0),
             Scaled(Beta(30.0, 2.0), -2.0), None]
    corr = check_correlation(["a", "b", "c", "d"], [[1.0, 0.4, -0.3, 0.2], [0.4, 1.0, 0.1, 0.0],
                                                    [-0.3, 0.1, 1.0, 0.5], [0.2, 0.0, 0.5, 1.0]], "t")
    rows = (0, 2, 1, 6)  # two tabulated, a lognormal (no grid table) and a mirrored scaled beta
    return FusedPlan(dists, rows, corr.normal_cholesky, compiled=compiled), np.asarray(rows)


def _uniforms(k: int) -> np.ndarray:
    u = np.random.default_rng(7).random((8, k))
    u[:, :6] = np.array([0.0, 2.0 ** -53, 2.0 ** -40, 0.5, 1.0 - 2.0 ** -53, 1.0 - 2.0 ** -40])  # beyond the tables
    return u


def test_compiled_kernel_equals_numpy_bit_for_bit() -> None:
    fast, _ = _mixed_plan(True)
    slow, _ = _mixed_plan(False)
    assert fast.compiled and not slow.compiled
    u = _uniforms(40_000)
    a, b = fast.transform(u), slow.transform(u)
    assert a.tobytes() == b.tobytes()
    # elementwise: any split of the samples gives the same bits
    parts = np.concatenate([fast.transform(u[:, s:e]) for s, e in ((0, 7), (7, 300), (300, 40_000))], axis=1)
    assert parts.tobytes() == a.tobytes()


def test_fused_copula_matches_the_plain_copula() -> None:
    # the copula with special.ndtri / ndtr and the marginals' own ppf, computed independently
    plan, rows = _mixed_plan(True)
    u = np.random.default_rng(8).random((8, 20_000))
    ref = u.copy()
    correlate(ref, rows, plan.chol)
    for j, d in enumerate(plan.dists):
        if isinstance(d, Scaled) and d.factor < 0:
            ref[j] = d.factor * d.base.to_scipy().isf(ref[j])
        elif d is not None:
            ref[j] = d.to_scipy().ppf(ref[j])
    got = plan.transform(u)
    width = np.array([0.5, 0.28, 20.0, 240.0, 3.0, 10.0, 2.0, 1.0])
    assert np.all(np.max(np.abs(got - ref), axis=1) <= 1e-8 * width)


def test_scaled_negative_factor_mirrors_u() -> None:
    # a negative scale maps u to 1 - u (the ppf stays non-decreasing)
    d = Scaled(Pert(0.5, 1.0, 1.2), -0.4)
    u = np.sort(np.random.default_rng(9).random(5000))
    x = d.ppf(u)
    assert np.all(np.diff(x) >= 0)
    ref = -0.4 * stats.beta.ppf(1 - u, *Pert(0.5, 1.0, 1.2)._shape, loc=0.5, scale=0.7)
    assert np.max(np.abs(x - ref)) <= 1e-8 * 0.28


@pytest.mark.parametrize("n, compiled", [(1000, False), (1 << 18, True)])
def test_numba_only_for_large_runs(n: int, compiled: bool) -> None:
    # a small run does not pay for importing numba (start-up); a large one loads the kernel in the parent
    code = ("import sys\nfrom mkba_mc import load_scenario\nfrom mkba_mc.uncertainty.plan import SamplingPlan\n"
            "sc = load_scenario('scenarios/bijlage2_voorbeeld.toml')\n"
            f"p = SamplingPlan.from_scenario(sc, {n}, seed=1)\nx = p.inputs(0, 100)\n"
            "print(p.use_compiled, 'numba' in sys.modules)")
    root = __file__.rsplit("/tests/", 1)[0]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.split() == [str(compiled), str(compiled)]


def test_default_scenario_same_bits_compiled_or_numpy_any_chunking() -> None:
    # the shipped default scenario (43 PERT inputs, 16 correlated): the compiled plan, chunked three ways,
    # gives the bits of the numpy plan, and survives pickling (a Dask worker gets the plan by pickle)
    import pickle

    from mkba_mc import load_scenario
    from mkba_mc.uncertainty.plan import SamplingPlan

    root = __file__.rsplit("/tests/", 1)[0]
    sc = load_scenario(root + "/scenarios/bijlage2_voorbeeld.toml")
    n = 70_000  # crosses a block boundary (65,536)
    ref = SamplingPlan.from_scenario(sc, n, seed=3, kernel="numpy")
    fast = pickle.loads(pickle.dumps(SamplingPlan.from_scenario(sc, n, seed=3, kernel="compiled")))
    assert fast.fused.compiled and not ref.fused.compiled
    want = np.concatenate([x for _, x in ref.chunks(0, n, 1 << 16)], axis=1)
    for chunk in (1000, 16_384, 1 << 16):
        got = np.concatenate([x for _, x in fast.chunks(0, n, chunk)], axis=1)
        assert got.tobytes() == want.tobytes()


def _block_plan(compiled: bool) -> FusedPlan:
    # two independent groups (rows 0, 2, 4 and 1, 3, 5, interleaved in the Cholesky order) with negative
    # correlations: the factor has structural zeros, and a zero score times a negative entry is -0
    dists = [Pert(0.1, 0.3, 0.6), Pert(2.0, 3.0, 9.0), Scaled(Pert(0.5, 1.0, 1.2), -2.0), LogNormal(0.2, 0.5),
             Beta(2.0, 5.0, low=10.0, high=20.0), Pert(-1.0, 0.0, 1.0)]
    a, b = -0.5, -0.3
    m = [[1.0, 0.0, a, 0.0, 0.2, 0.0], [0.0, 1.0, 0.0, b, 0.0, 0.4], [a, 0.0, 1.0, 0.0, -0.1, 0.0],
         [0.0, b, 0.0, 1.0, 0.0, -0.2], [0.2, 0.0, -0.1, 0.0, 1.0, 0.0], [0.0, 0.4, 0.0, -0.2, 0.0, 1.0]]
    corr = check_correlation([f"x{i}" for i in range(6)], m, "t")
    return FusedPlan(dists, range(6), corr.normal_cholesky, compiled=compiled)


def _half_uniforms() -> np.ndarray:
    # u = 1/2 (a normal score of exactly zero) in one group, the other, both, or scattered
    rng = np.random.default_rng(11)
    u = rng.random((6, 8000))
    u[0::2, :2000] = 0.5
    u[1::2, 2000:4000] = 0.5
    u[:, 4000:5000] = 0.5
    u[rng.random((6, 8000)) < 0.3] = 0.5
    return u


def test_mixing_keeps_every_nonzero_entry_of_the_factor() -> None:
    plan = _block_plan(False)
    mptr, mcol, mval = plan.mixing(plan.chol)
    dense = np.zeros_like(plan.chol)
    for i in range(plan.chol.shape[0]):
        cols = mcol[mptr[i]:mptr[i + 1]]
        assert np.all(np.diff(cols) > 0) and cols[-1] == i  # ascending, ending on the diagonal
        dense[i, cols] = mval[mptr[i]:mptr[i + 1]]
    assert dense.tobytes() == plan.chol.tobytes()
    assert mcol.size == 12 < 21  # 6 x 6 triangle: 21 terms, 9 of them structural zeros


def test_skipping_structural_zeros_keeps_the_bits() -> None:
    # the compiled kernel sums only the non-zero terms of the factor; the numpy path sums all of them
    fast, slow = _block_plan(True), _block_plan(False)
    assert fast.compiled and not slow.compiled
    for u in (_half_uniforms(), _uniforms(8000)[:6]):
        assert fast.transform(u).tobytes() == slow.transform(u).tobytes()
