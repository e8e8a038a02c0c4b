"""Sobol' indices: SALib agreement, analytic references, grouping, determinism (issue 4)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from SALib.analyze import sobol as salib_analyze
from SALib.sample import sobol as salib_sample

from mkba_mc.uncertainty.distributions import parse_distribution
from mkba_mc.sensitivity.analyses import in_space, model_for, problem_for, sobol
from mkba_mc.sensitivity.estimators import analyze_salib_layout
from mkba_mc.sensitivity.sobol import Problem, saltelli_matrix, sobol_indices
from mkba_mc.sensitivity.testfunctions import ishigami, ishigami_indices, sobol_g, sobol_g_indices

ROOT = Path(__file__).resolve().parents[2]
PI = np.pi


def ishigami_problem() -> Problem:
    u = parse_distribution({"dist": "uniform", "low": -PI, "high": PI}, "test", "x")
    return Problem(("x1", "x2", "x3"), (u, u, u))


def salib_ishigami(n: int, second_order: bool, seed: int, groups=None):
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-PI, PI]] * 3}
    if groups:
        problem["groups"] = list(groups)
    X = salib_sample.sample(problem, n, calc_second_order=second_order, seed=seed)
    Y = ishigami({"x1": X[:, 0], "x2": X[:, 1], "x3": X[:, 2]})["y"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        S = salib_analyze.analyze(problem, Y, calc_second_order=second_order, seed=seed)
    return X, Y, S


@pytest.mark.parametrize("second_order", [False, True])
def test_point_estimates_equal_salib_on_the_same_design(second_order) -> None:
    X, Y, S = salib_ishigami(1024, second_order, seed=3)
    ours = analyze_salib_layout(Y, 3, second_order)
    np.testing.assert_allclose(ours["S1"], S["S1"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours["ST"], S["ST"], rtol=0, atol=1e-10)
    if second_order:
        iu = np.triu_indices(3, 1)
        np.testing.assert_allclose(ours["S2"][iu], S["S2"][iu], rtol=0, atol=1e-10)


def test_design_equals_salib_sample() -> None:
    X, _, _ = salib_ishigami(256, True, seed=5)
    unit = saltelli_matrix(Problem(("x1", "x2", "x3"), (None, None, None)), 256, seed=5, second_order=True)
    np.testing.assert_allclose(X, -PI + 2 * PI * unit, rtol=0, atol=1e-12)


def test_grouped_design_and_estimates_equal_salib() -> None:
    groups = ("g1", "g1", "g2")
    X, Y, S = salib_ishigami(512, False, seed=4, groups=groups)
    problem = Problem(("x1", "x2", "x3"), (None, None, None), groups)
    np.testing.assert_allclose(X, -PI + 2 * PI * saltelli_matrix(problem, 512, seed=4), atol=1e-12)
    ours = analyze_salib_layout(Y, 2, False)
    np.testing.assert_allclose(ours["S1"], S["S1"], atol=1e-10)
    np.testing.assert_allclose(ours["ST"], S["ST"], atol=1e-10)


def test_streaming_engine_equals_salib_analysis_of_its_own_design() -> None:
    res = sobol_indices(ishigami, ishigami_problem(), 2048, outputs=["y"], seed=11)
    _, _, S = salib_ishigami(2048, False, seed=11)
    np.testing.assert_allclose(res.indices["y"]["S1"], S["S1"], atol=1e-10)
    np.testing.assert_allclose(res.indices["y"]["ST"], S["ST"], atol=1e-10)


def test_intervals_agree_with_salib_statistically() -> None:
    _, Y, S = salib_ishigami(4096, False, seed=2)
    ours = analyze_salib_layout(Y, 3, False, seed=2)
    # both are bootstrap standard deviations x 1.96 of the same estimators;
    # 100 resamples give about 7 % sampling error on each
    for key in ("S1_conf", "ST_conf"):
        ratio = ours[key] / S[key]
        assert np.all((ratio > 0.7) & (ratio < 1.4)), (key, ratio)


def test_ishigami_analytic_values() -> None:
    res = sobol_indices(ishigami, ishigami_problem(), 1 << 16, outputs=["y"], seed=1)
    s1, st = ishigami_indices()
    # the published values (a = 7, b = 0.1; Saltelli et al. 2008), not only the shipped formula
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=1e-4)
    ix = res.indices["y"]
    assert np.all(np.abs(ix["S1"] - s1) < 0.01) and np.all(np.abs(ix["ST"] - st) < 0.01)
    assert np.all(np.abs(ix["S1"] - s1) <= ix["S1_conf"])
    assert np.all(np.abs(ix["ST"] - st) <= ix["ST_conf"])


def test_sobol_g_analytic_values() -> None:
    a = [0, 1, 4.5, 9, 99, 99, 99, 99]
    names = tuple(f"x{i + 1}" for i in range(len(a)))
    problem = Problem(names, (None,) * len(a))
    res = sobol_indices(lambda x: sobol_g(x, a), problem, 1 << 16, outputs=["y"], seed=2)
    s1, st = sobol_g_indices(a)
    # by hand: V_i = 1 / (3 (1 + a_i)^2), V = prod(1 + V_i) - 1 = 0.46543; S1_1 = (1/3) / V
    np.testing.assert_allclose(s1[:5], [0.7162, 0.1790, 0.0237, 0.0072, 0.0001], atol=1e-4)
    np.testing.assert_allclose(st[:5], [0.7871, 0.2422, 0.0343, 0.0105, 0.0001], atol=1e-4)
    ix = res.indices["y"]
    assert np.all(np.abs(ix["S1"] - s1) < 0.01) and np.all(np.abs(ix["ST"] - st) < 0.01)
    assert np.all(np.abs(ix["S1"] - s1) <= ix["S1_conf"])
    assert np.all(np.abs(ix["ST"] - st) <= ix["ST_conf"])


def test_workers_do_not_change_the_numbers() -> None:
    one = sobol_indices(ishigami, ishigami_problem(), 1 << 14, outputs=["y"], seed=7, workers=1)
    two = sobol_indices(ishigami, ishigami_problem(), 1 << 14, outputs=["y"], seed=7, workers=2)
    for k, v in one.indices["y"].items():
        assert np.array_equal(v, two.indices["y"][k], equal_nan=True), k


def test_target_ci_doubles_n_until_met() -> None:
    res = sobol_indices(ishigami, ishigami_problem(), 1 << 10, outputs=["y"], seed=7, target_ci=0.03,
                        n_max=1 << 16)
    ns = [r["n"] for r in res.rounds]
    assert ns[0] == 1 << 10 and all(b == 2 * a for a, b in zip(ns, ns[1:]))
    assert res.max_half_width() <= 0.03 and res.n == ns[-1]
    wide = sobol_indices(ishigami, ishigami_problem(), 1 << 8, outputs=["y"], seed=7).wide_intervals()
    assert wide, "at n = 256 some interval must be wider than max(10 % of the index, 0.02)"


def test_knop_with_one_parameter_has_that_parameters_index(sc) -> None:
    by_par = sobol(sc, 1 << 12, outputs=["ratio_social"], group_by="parameter", seed=5)
    by_knop = sobol(sc, 1 << 12, outputs=["ratio_social"], group_by="knop", seed=5)
    knoppen = problem_for(in_space(sc), "knop")  # the space sobol() covers by default
    singles = [k for k, cols in zip(knoppen.factor_names, knoppen.factor_columns) if len(cols) == 1]
    assert "attributie" in singles and "voorkomen_terugval" in singles
    for knop in singles:
        (col,) = knoppen.factor_columns[knoppen.factor_names.index(knop)]
        par = knoppen.names[col]
        i_k = list(by_knop.problem.factor_names).index(knop)
        i_p = list(by_par.problem.factor_names).index(par)
        for kind in ("S1", "ST"):
            a = by_knop.indices["ratio_social"][kind][i_k]
            b = by_par.indices["ratio_social"][kind][i_p]
            # same A, B and AB column; only SALib's global standardisation differs
            assert a == pytest.approx(b, abs=2e-3), (knop, kind)


def test_mkba_indices_are_plausible(sc) -> None:
    res = sobol(sc, 1 << 12, seed=3, group_by="knop")
    ix = res.indices["ratio_social"]
    names = list(res.problem.factor_names)
    assert np.all(ix["ST"] >= ix["S1"] - 0.05)
    assert ix["S1"].sum() <= 1.1
    # the indicator output is analysed too and its indices are finite
    assert np.isfinite(res.indices["ratio_social_ge_1"]["ST"]).all()
    assert len(names) == len(set(names))


def test_model_for_returns_indicators(sc) -> None:
    f = model_for(sc, ["ratio_social", "ratio_social_ge_1", "balance_gemeente_ge_0"])
    out = f({"attribution": np.array([0.0, 0.5])})
    assert set(np.unique(out["ratio_social_ge_1"])) <= {0.0, 1.0}
    assert np.array_equal(out["ratio_social_ge_1"], (out["ratio_social"] >= 1).astype(float))
