"""Monte Carlo engine: determinism, samplers, correlation, convergence (issue 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from scipy.stats import qmc

from mkba_mc import load_scenario
from mkba_mc.io.loading import build_scenario, read_toml
from mkba_mc.execution.montecarlo import run
from mkba_mc.uncertainty.plan import SamplingPlan
from mkba_mc.uncertainty.designs import BLOCK_SIZE, block_uniforms

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"


@pytest.fixture(scope="module")
def sc():
    return load_scenario(B2)


@pytest.mark.parametrize("sampler", ["random", "lhs", "sobol"])
def test_same_seed_same_numbers_whatever_chunks_and_workers(sc, sampler) -> None:
    n = 70_000  # more than one block, not a multiple of it
    ref = run(sc, n, seed=123, sampler=sampler, chunk_size=n, workers=1, keep_inputs=True)
    for chunk, workers in ((1_000, 1), (65_536, 2), (1_000, 2), (10**6, 2)):
        other = run(sc, n, seed=123, sampler=sampler, chunk_size=chunk, workers=workers, keep_inputs=True)
        for k, v in ref.outputs.items():
            assert np.array_equal(v, other.outputs[k], equal_nan=True), (k, chunk, workers)
        for k, v in ref.inputs.items():
            assert np.array_equal(v, other.inputs[k]), (k, chunk, workers)


def test_different_seeds_differ(sc) -> None:
    a = run(sc, 1000, seed=1).outputs["ratio_social"]
    b = run(sc, 1000, seed=2).outputs["ratio_social"]
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("sampler", ["random", "lhs", "sobol"])
def test_continued_draws_equal_one_shot(sc, sampler) -> None:
    plan = SamplingPlan.from_scenario(sc, 200_000, seed=9, sampler=sampler)
    whole = plan.inputs(0, 150_000)
    parts = [plan.inputs(a, b) for a, b in ((0, 1), (1, 65_536), (65_536, 100_000), (100_000, 150_000))]
    for k, v in whole.items():
        assert np.array_equal(v, np.concatenate([p[k] for p in parts]))


def test_first_n_samples_do_not_depend_on_n_for_random_and_sobol(sc) -> None:
    for sampler in ("random", "sobol"):
        small = run(sc, 5_000, seed=4, sampler=sampler).outputs["balance"]
        large = run(sc, 80_000, seed=4, sampler=sampler).outputs["balance"]
        assert np.array_equal(small, large[:5_000])


def test_random_uniforms_are_uniform() -> None:
    u = block_uniforms("random", 5, 3, 0, BLOCK_SIZE)
    assert u.shape == (3, BLOCK_SIZE)
    assert ((u >= 0) & (u < 1)).all()
    for row in u:
        assert stats.kstest(row, "uniform").pvalue > 1e-3
        assert abs(row.mean() - 0.5) < 4 * np.sqrt(1 / 12 / BLOCK_SIZE)


def test_lhs_has_one_point_per_stratum() -> None:
    size = 4096
    u = block_uniforms("lhs", 5, 4, 0, size)
    for row in u:
        strata = np.floor(row * size).astype(int)
        assert np.array_equal(np.sort(strata), np.arange(size))


def test_sobol_blocks_are_the_scrambled_sequence() -> None:
    d, size = 3, 1024
    engine = qmc.Sobol(d, scramble=True, seed=np.random.default_rng(np.random.SeedSequence(11)))
    ref = np.vstack([engine.random(size) for _ in range(3)])
    got = np.concatenate([block_uniforms("sobol", 11, d, b, size) for b in range(3)], axis=1)
    assert np.array_equal(ref.T, got)
    # a power-of-two Sobol' design has exactly balanced halves per dimension
    assert (np.sum(got < 0.5, axis=1) == 3 * size // 2).all()


@pytest.mark.parametrize("sampler", ["random", "lhs", "sobol"])
def test_sampled_inputs_follow_their_distributions(sc, sampler) -> None:
    n = 1 << 16
    res = run(sc, n, seed=2024, sampler=sampler, keep_inputs=True, outputs=["ratio_social"])
    for name in ("attribution", "nuisance_value", "substitution_new", "escalation_cost.families"):
        x = res.inputs[name]
        ref = sc.distributions[name].to_scipy()
        lo, hi = sc.distributions[name].support()
        assert x.min() >= lo and x.max() <= hi
        q = np.quantile(x, [0.05, 0.5, 0.95])
        spread = ref.ppf(0.95) - ref.ppf(0.05)
        np.testing.assert_allclose(q, ref.ppf([0.05, 0.5, 0.95]), atol=0.01 * spread)
        assert abs(x.mean() - ref.mean()) < 5 * ref.std() / np.sqrt(n)


def _with_correlation(matrix):
    data = read_toml(B2)
    data["correlation"] = {"parameters": ["attribution", "relapse", "substitution_new"], "matrix": matrix,
                           "source": "test"}
    return build_scenario(data, "inline")


def test_correlation_reaches_target_and_keeps_marginals(sc) -> None:
    target = [[1.0, -0.5, 0.3], [-0.5, 1.0, 0.0], [0.3, 0.0, 1.0]]
    corr_sc = _with_correlation(target)
    n = 100_000
    res = run(corr_sc, n, seed=77, keep_inputs=True, outputs=["ratio_social"])
    x = np.vstack([res.inputs[k] for k in ("attribution", "relapse", "substitution_new")])
    rho = stats.spearmanr(x, axis=1).statistic
    assert np.abs(rho - np.array(target)).max() < 0.02
    # marginals unchanged: same quantiles as the uncorrelated run within sampling error
    plain = run(sc, n, seed=77, keep_inputs=True, outputs=["ratio_social"])
    for k in ("attribution", "relapse", "substitution_new"):
        ref = sc.distributions[k].to_scipy()
        np.testing.assert_allclose(np.quantile(res.inputs[k], [0.1, 0.5, 0.9]), ref.ppf([0.1, 0.5, 0.9]),
                                   atol=0.01 * (ref.ppf(0.9) - ref.ppf(0.1)))
        assert stats.ks_2samp(res.inputs[k], plain.inputs[k]).pvalue > 1e-4


def test_target_se_doubles_until_reached(sc) -> None:
    # the municipal question is close to a coin flip: se = 0.5 / sqrt(n)
    res = run(sc, 1 << 20, seed=3, target_se=0.002, start_n=1 << 12, outputs=["ratio_social"],
              )
    c = res.convergence
    assert c["reached"] and c["se"] < 0.002
    ns = [r["n"] for r in c["rounds"]]
    assert ns[0] == 1 << 12 and all(b == 2 * a for a, b in zip(ns, ns[1:]))
    assert res.n == ns[-1] < 1 << 20
    # the run equals a plain run of the final n (continuation is exact)
    plain = run(sc, res.n, seed=3, outputs=["ratio_social"])
    assert np.array_equal(plain.outputs["ratio_social"], res.outputs["ratio_social"])


def test_target_se_not_reached_is_reported(sc) -> None:
    res = run(sc, 2_000, seed=3, target_se=1e-4, start_n=1_000, outputs=["ratio_social"])
    assert not res.convergence["reached"]
    assert any("not reached" in w for w in res.warnings)


def test_probabilities_are_computed_once_and_handed_out_as_copies(sc, monkeypatch: pytest.MonkeyPatch) -> None:
    """``run --out`` asks for them twice (its files, its table): one pass over the samples."""
    import mkba_mc.execution.summary as summary

    res = run(sc, 20_000, seed=8)
    passes = []
    real = summary.probabilities
    monkeypatch.setattr(summary, "probabilities", lambda outputs: passes.append(1) or real(outputs))
    first = res.probabilities()
    first["split_incentive"]["p"] = -1.0  # a caller's change stays the caller's
    second = res.probabilities()
    assert passes == [1]
    assert second == real(res.outputs) and second["split_incentive"]["p"] >= 0


def test_probabilities_have_binomial_standard_errors(sc) -> None:
    res = run(sc, 50_000, seed=8)
    probs = res.probabilities()
    p = np.mean(res.outputs["ratio_gemeente"] >= 1)
    assert probs["ratio_gemeente_ge_1"]["p"] == p
    assert probs["ratio_gemeente_ge_1"]["se"] == pytest.approx(np.sqrt(p * (1 - p) / 50_000))
    split = np.mean((res.outputs["balance"] >= 0) & (res.outputs["balance_gemeente"] < 0))
    assert probs["split_incentive"]["p"] == split
    from mkba_mc import ACTORS

    for j, actor in enumerate(ACTORS):
        assert probs[f"actor_balance_ge_0.{actor}"]["p"] == np.mean(res.outputs["actor_balance"][:, j] >= 0)


def test_summary_statistics_match_numpy(sc) -> None:
    res = run(sc, 20_000, seed=5)
    df = res.summary()
    x = res.outputs["ratio_social"]
    assert df.loc["ratio_social", "mean"] == pytest.approx(x.mean())
    assert df.loc["ratio_social", "sd"] == pytest.approx(x.std(ddof=1))
    assert df.loc["ratio_social", "p10"] == pytest.approx(np.quantile(x, 0.1))
    assert df.loc["actor_balance.zorgverzekeraar", "p50"] == pytest.approx(
        np.median(res.outputs["actor_balance"][:, 4]))


def test_all_kept_outputs_are_the_point_keys_then_the_rest() -> None:
    from mkba_mc.execution.montecarlo import ALL_KEPT_OUTPUTS
    from mkba_mc.model.outputs import POINT_KEYS

    assert ALL_KEPT_OUTPUTS == (*POINT_KEYS, "balance_gemeente", "payback_year_gemeente", "prefinancing_gemeente",
                                "persons_to_work", "prevented_escalations", "team_fte", "actor_balance")
