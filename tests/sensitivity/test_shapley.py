"""Shapley effects for dependent inputs (issue 13, item 3): closed forms,
exact conditional sampling, sum to one, bit-identity across evaluators."""

from __future__ import annotations

import numpy as np
import pytest

from mkba_mc.execution.evaluators import ProcessEvaluator, SerialEvaluator, ThreadEvaluator
from mkba_mc.sensitivity.dependence import dependence_for
from mkba_mc.sensitivity.shapley import ShapleyJob, shapley_effects
from mkba_mc.sensitivity.sobol import Problem
from mkba_mc.uncertainty.copula import Correlation
from mkba_mc.uncertainty.distributions import parse_distribution

NAMES = ("x1", "x2", "x3")


def spearman_for(rho: float) -> float:
    """The Spearman rank correlation whose Gaussian copula has normal
    correlation ``rho`` (Pearson 1907: rho = 2 sin(pi rho_s / 6))."""
    return 6.0 / np.pi * np.arcsin(rho / 2.0)


def linear_problem(sds, rho: float, groups=None) -> Problem:
    dists = tuple(parse_distribution({"dist": "normal", "mean": 1.0, "sd": s}, "test", n) for s, n in zip(sds, NAMES))
    rs = spearman_for(rho)
    corr = Correlation(("x1", "x2"), np.array([[1.0, rs], [rs, 1.0]]))
    return Problem(NAMES, dists, groups, dependence_for(NAMES, corr, {}))


def shapley_closed_form(b, s, rho):
    """Y = b1 X1 + b2 X2 + b3 X3, (X1, X2) normal with correlation rho, X3
    independent: the Shapley value of the game v(J) = Var E[Y | X_J]
    (Owen & Prieur 2017; Iooss & Prieur 2019, §3), written out by hand."""
    v1 = (b[0] * s[0] + rho * b[1] * s[1]) ** 2          # Var E[Y | X1] (without X3)
    v2 = (b[1] * s[1] + rho * b[0] * s[0]) ** 2
    v12 = b[0] ** 2 * s[0] ** 2 + b[1] ** 2 * s[1] ** 2 + 2 * rho * b[0] * b[1] * s[0] * s[1]
    v3 = b[2] ** 2 * s[2] ** 2
    var = v12 + v3
    sh1 = 0.5 * (v1 + v12 - v2)
    sh2 = 0.5 * (v2 + v12 - v1)
    # the formula of the issue: Sh_1 V = b1^2 s1^2 (1 - rho^2/2) + rho b1 b2 s1 s2 + b2^2 s2^2 rho^2 / 2
    assert sh1 == pytest.approx(b[0] ** 2 * s[0] ** 2 * (1 - rho ** 2 / 2) + rho * b[0] * b[1] * s[0] * s[1]
                                + b[1] ** 2 * s[1] ** 2 * rho ** 2 / 2)
    return np.array([sh1, sh2, v3]) / var


@pytest.mark.parametrize("rho", [0.0, 0.6, -0.5, 0.9])
def test_linear_gaussian_matches_the_closed_form(rho: float) -> None:
    b, s = (1.0, 2.0, 1.5), (1.0, 0.7, 1.2)
    res = shapley_effects(lambda x: {"y": b[0] * x["x1"] + b[1] * x["x2"] + b[2] * x["x3"]},
                          linear_problem(s, rho), 3000, outputs=["y"], seed=11)
    ix = res.indices["y"]
    expected = shapley_closed_form(b, s, rho)
    assert np.abs(ix["Sh"] - expected).max() < 0.03, (ix["Sh"], expected)
    assert ix["Sh"].sum() == pytest.approx(1.0, abs=1e-12)   # the increments telescope to Var Y
    assert np.all(ix["Sh_conf"] > 0.0) and np.all(ix["Sh_conf"] < 0.05)
    assert np.all(np.abs(ix["Sh"] - expected) <= 2 * ix["Sh_conf"])


def test_effects_sum_to_one_and_are_fair_for_a_nonlinear_dependent_model() -> None:
    # Y = X1 X2 + X3 with X1, X2 correlated: symmetric in X1, X2 (equal sds), so Sh_1 = Sh_2
    prob = linear_problem((1.0, 1.0, 0.5), 0.7)
    res = shapley_effects(lambda x: {"y": x["x1"] * x["x2"] + x["x3"]}, prob, 4000, outputs=["y"], seed=0)
    sh, conf = res.indices["y"]["Sh"], res.indices["y"]["Sh_conf"]
    assert sh.sum() == pytest.approx(1.0, abs=1e-12)
    assert abs(sh[0] - sh[1]) < 0.04
    # the product's heavy tails make this estimator noisy (about +/- 0.03 at 4,000 permutations):
    # the closed form must lie within the 95 % interval (twice it, for the test's own error rate)
    # X3 is independent and additive: its Shapley effect is its variance share,
    # Var Y = E[(X1 X2)^2] - E[X1 X2]^2 + 0.25 with means 1, rho 0.7:
    # Var(X1 X2) = mu^2 (s1^2 + s2^2) + 2 mu^2 rho s1 s2 + s1^2 s2^2 (1 + rho^2) = 2 + 1.4 + 1.49
    var = 2 + 1.4 + 1.49 + 0.25
    assert conf[2] < 0.05 and abs(sh[2] - 0.25 / var) <= 2 * conf[2]


def test_conditional_sampling_is_the_gaussian_conditional() -> None:
    """The fixed-first Cholesky redraw equals the textbook conditional normal
    (mean R_fg R_gg^-1 z_g, covariance R_ff - R_fg R_gg^-1 R_gf), checked with
    numpy.linalg, an independent implementation."""
    r = np.array([[1.0, 0.5, -0.3], [0.5, 1.0, 0.2], [-0.3, 0.2, 1.0]])
    rs = 6.0 / np.pi * np.arcsin(r / 2.0)
    np.fill_diagonal(rs, 1.0)
    dist = parse_distribution({"dist": "normal", "mean": 0.0, "sd": 1.0}, "test", "x")
    prob = Problem(NAMES, (dist,) * 3, None, dependence_for(NAMES, Correlation(NAMES, rs), {}))
    job = ShapleyJob(prob, lambda x: x, ("y",), 0)
    R = 200_000
    rng = np.random.default_rng(5)
    z = np.zeros((3, R))
    z[1] = 1.5                                           # fixed: x2 = 1.5; free: x1 and x3
    free = np.zeros((R, 3), dtype=bool)
    free[:, [0, 2]] = True
    new = job.conditional(0, z, free, rng.standard_normal((3, R)))
    assert np.array_equal(new[1], z[1])                  # the fixed member is kept exactly
    g, f = [1], [0, 2]
    mean = r[np.ix_(f, g)] @ np.linalg.solve(r[np.ix_(g, g)], np.array([1.5]))
    cov = r[np.ix_(f, f)] - r[np.ix_(f, g)] @ np.linalg.solve(r[np.ix_(g, g)], r[np.ix_(g, f)])
    np.testing.assert_allclose(new[f].mean(axis=1), mean, atol=0.01)
    np.testing.assert_allclose(np.cov(new[f]), cov, atol=0.01)


def test_a_share_vector_is_one_player_with_its_dirichlet_variance() -> None:
    """Y = w . s + X with s ~ Dirichlet(alpha) and X independent: the share
    vector's effect is w' Cov(s) w / Var Y (Dirichlet covariance, Kotz et al. 2000 ch. 49)."""
    alpha, w, sd = (2.0, 3.0, 5.0), np.array([1.0, 4.0, -2.0]), 0.3
    names = ("s.a", "s.b", "s.c", "x")
    dep = dependence_for(names, None, {"s": (("s.a", "s.b", "s.c"), alpha)})
    normal = parse_distribution({"dist": "normal", "mean": 0.0, "sd": sd}, "test", "x")
    prob = Problem(names, (None, None, None, normal), ("s", "s", "s", "x"), dep)
    a = np.array(alpha)
    a0 = a.sum()
    cov = (np.diag(a * a0) - np.outer(a, a)) / (a0 ** 2 * (a0 + 1))
    vs = w @ cov @ w
    res = shapley_effects(lambda x: {"y": w[0] * x["s.a"] + w[1] * x["s.b"] + w[2] * x["s.c"] + x["x"]},
                          prob, 2000, outputs=["y"], seed=2)
    assert res.problem.factor_names == ("s", "x")
    assert res.indices["y"]["Sh"][0] == pytest.approx(vs / (vs + sd ** 2), abs=0.03)


def test_same_seed_same_numbers_whatever_the_evaluator() -> None:
    prob = linear_problem((1.0, 0.7, 1.2), 0.6)

    def f(x):
        return {"y": x["x1"] + 2 * x["x2"] * x["x3"]}

    runs = []
    for ev in (SerialEvaluator(), ThreadEvaluator(2), ProcessEvaluator(2)):
        with ev:
            runs.append(shapley_effects(f, prob, 200, outputs=["y"], seed=9, evaluator=ev).indices["y"])
    for other in runs[1:]:
        for k in ("Sh", "Sh_conf"):
            assert np.array_equal(runs[0][k], other[k]), k
    again = shapley_effects(f, prob, 200, outputs=["y"], seed=10).indices["y"]
    assert not np.array_equal(again["Sh"], runs[0]["Sh"])
