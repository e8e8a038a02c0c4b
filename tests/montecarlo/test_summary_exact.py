"""The summary's statistics against numpy, bit for bit (issue 14).

The summary of a run takes the mean and the standard deviation in sample
order (numpy's pairwise sum, in cache-sized pieces: :func:`sum_sq_dev`) and
the quantiles' order statistics from one compiled pass
(:mod:`mkba_mc.execution.selection`) or a partition of a copy.  Each is
checked against an independent numpy computation: ``np.mean``, ``np.std``,
``np.sort``; and a run's summary must not depend on numpy's SIMD kernels
(its partition permutes differently on another CPU: the mean and sd used to
be summed over that permutation).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mkba_mc.execution import summary
from mkba_mc.execution.summary import QUANTILES, column_stats, sum_sq_dev
from mkba_mc.uncertainty import fused

pytest.importorskip("numba")
from mkba_mc.execution.selection import SUBSAMPLE, SUBSAMPLE_MIN, select, subsample_size  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _ranks(n: int) -> np.ndarray:
    h = (n - 1) * np.asarray(QUANTILES)
    lo = np.floor(h).astype(np.intp)
    return np.unique(np.concatenate([lo, np.minimum(lo + 1, n - 1)]))


@pytest.mark.parametrize("n", [1, 7, 8, 127, 128, 129, 1000, 4097, 65_536, 100_003])
@pytest.mark.parametrize("leaf", [128, 200, 4096, 1 << 15])
def test_sum_of_squared_deviations_is_numpys_sum_bit_for_bit(n: int, leaf: int) -> None:
    y = np.random.default_rng(n).standard_normal(n) * 1e3 + 5.0
    mean = float(np.sum(y)) / n
    assert sum_sq_dev(y, mean, leaf) == float(np.sum((y - mean) ** 2))


def _columns() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(4)
    n = 300_001
    normal = rng.standard_normal(n)
    return {
        "normal": normal,
        "heavy_tails": rng.standard_cauchy(n),
        "with_infinities": np.where(rng.random(n) < 0.06, np.inf, normal) * np.where(rng.random(n) < 0.5, 1, -1),
        "ties": np.round(normal, 1),  # many equal values: brackets overflow, the partition decides
        "sorted": np.sort(normal),
        "descending": np.sort(normal)[::-1].copy(),
        # both zeros, tied at the quantiles' ranks (a sum with 0.0 would turn every -0.0 into 0.0)
        "zeros_and_signs": np.where(rng.random(n) < 0.3, normal, np.where(normal > 0, 0.0, -0.0)),
    }


@pytest.mark.parametrize("name", sorted(_columns()))
def test_selected_order_statistics_are_those_of_the_sorted_column(name: str) -> None:
    y = _columns()[name]
    before = y.copy()
    ranks = _ranks(y.size)
    got = select(y, ranks)
    # the zeros compare equal: where -0.0 and 0.0 tie, the sorted order of their signs is the sort's choice
    # (x86-simd-sort on AVX-512 and a partition differ), so the values are compared with both zeros as 0.0
    want = np.sort(y)[ranks] + 0.0
    if got is not None:
        assert (got + 0.0).tobytes() == want.tobytes()
    values = summary._order_values(y, ranks)
    assert values.tobytes() == want.tobytes()  # bit for bit, both zeros as 0.0
    assert not np.signbit(values[values == 0]).any()
    assert y.tobytes() == before.tobytes()  # the column is not reordered


@pytest.mark.parametrize("n", [1 << 18, (1 << 20) + 3, 3 << 20, 1 << 22])
def test_selection_at_every_subsample_size(n: int) -> None:
    """The subsample grows with the column (2^14 values up to 2^20, 2^16 from
    2^22); the values found are the sorted column's at every size, and a
    column of an output of a run (skewed, with a long tail) needs no
    fallback."""
    assert SUBSAMPLE_MIN <= subsample_size(n) <= SUBSAMPLE
    rng = np.random.default_rng(n)
    y = rng.lognormal(10.0, 1.0, n) - 30_000.0
    ranks = _ranks(n)
    got = select(y, ranks)
    assert got is not None
    assert got.tobytes() == np.sort(y)[ranks].tobytes()


def test_a_misleading_subsample_falls_back_to_the_partition() -> None:
    """Every ``step``-th value of this column is far above the others: the
    subsample's brackets miss the ranks, ``select`` says so and the summary
    partitions the whole column instead."""
    n = 1 << 18
    y = np.random.default_rng(2).random(n)
    y[:: n // subsample_size(n)] += 10.0
    ranks = _ranks(n)
    assert select(y, ranks) is None
    assert summary._order_values(y, ranks).tobytes() == np.sort(y)[ranks].tobytes()


@pytest.mark.parametrize("n", [20_000, 1 << 18, (1 << 19) + 5])
def test_column_stats_are_numpys_mean_sd_and_sorted_values(n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(n)
    x = rng.lognormal(0.0, 1.0, n) - 1.5
    x[rng.random(n) < 0.01] = np.nan
    valid = x[~np.isnan(x)]
    got = column_stats(x)
    assert got["n_nan"] == n - valid.size
    assert got["mean"] == float(np.mean(valid))
    assert got["sd"] == float(np.std(valid, ddof=1))
    np.testing.assert_allclose([got[f"p{round(100 * q)}"] for q in QUANTILES], np.quantile(valid, QUANTILES),
                               rtol=1e-14)
    monkeypatch.setattr(fused, "compiled_for", lambda n: False)  # the partition of a copy instead
    assert column_stats(x) == got


SCRIPT = """
import sys
from mkba_mc import load_scenario
from mkba_mc.execution.montecarlo import run
res = run(load_scenario(sys.argv[1]), int(sys.argv[2]), seed=3, workers=1)
res.summary().to_pickle(sys.argv[3])
"""
#: Every SIMD target NumPy 2 can dispatch to above its x86-64 baseline (as in tests/unit/test_libm.py).
ALL_TARGETS = "X86_V3 X86_V4 AVX512_ICL AVX512_SPR AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX2 FMA3 AVX F16C"


@pytest.mark.slow
@pytest.mark.parametrize("n", [20_000, 1 << 18])
def test_the_summary_does_not_depend_on_numpys_simd_kernels(tmp_path: Path, n: int) -> None:
    import pandas as pd

    def summarise(name: str, env: dict[str, str]) -> pd.DataFrame:
        path = tmp_path / f"{name}.pkl"
        subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "scenarios" / "bijlage2_voorbeeld.toml"), str(n),
                        str(path)], check=True, env=env, cwd=ROOT, capture_output=True)
        return pd.read_pickle(path)

    base = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    default = summarise("default", base)
    plain = summarise("plain", {**base, "NPY_DISABLE_CPU_FEATURES": ALL_TARGETS})
    assert default.to_numpy().tobytes() == plain.to_numpy().tobytes()


@pytest.mark.parametrize("workers", [1, 2])
def test_console_statistics_are_the_summary_table(workers: int) -> None:
    """What ``mkba-mc run`` prints (``summary_stats``, no pandas) is the public
    ``summary()`` DataFrame cell for cell, and both are numpy's own statistics."""
    from mkba_mc import load_scenario
    from mkba_mc.execution.montecarlo import run

    sc = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "bijlage2_voorbeeld.toml")
    res = run(sc, 5000, seed=9, workers=workers)
    stats = res.summary_stats()
    df = res.summary()
    assert list(stats) == list(df.index)
    for name, row in stats.items():
        assert {k: float(v) for k, v in row.items()} == {k: float(v) for k, v in df.loc[name].items()}, name
    x = res.outputs["balance"]
    assert stats["balance"]["mean"] == pytest.approx(np.mean(x), rel=1e-14)
    assert [stats["balance"][q] for q in ("p5", "p50", "p95")] == \
        pytest.approx(np.quantile(x, [0.05, 0.5, 0.95]), rel=1e-14)  # numpy's default (linear) quantiles
    fresh = type(res)(res.scenario, res.plan, res.outputs, None, res.chunk_size, res.workers, res.elapsed)
    assert fresh.summary_stats() == {k: {c: float(v) for c, v in r.items()} for k, r in stats.items()}


def test_the_programme_band_gives_both_zeros_as_zero_whatever_the_sample_order() -> None:
    """A year whose cumulative cash flow is -0.0 in some draws and 0.0 in others: np.quantile's
    partition leaves the sign at a tied rank to the order of the draws (and the machine's sort); the
    band, written into samples.nc, is the same bytes for every order and has no -0.0."""
    rng = np.random.default_rng(8)
    n, years = 4002, 3  # h = (n - 1) q with a fraction >= 0.5 at P90: numpy interpolates from the upper value
    zeros = np.where(rng.random((n, 1)) < 0.5, -0.0, 0.0)
    flows = np.hstack([zeros, zeros * 0.0, rng.standard_normal((n, years - 2))])  # years 1-2: only zeros
    bands = []
    for _ in range(25):
        shuffled_flows = flows[rng.permutation(n)]
        band = summary.programme_band({"total": shuffled_flows})["cumulative_total"]
        assert not np.signbit(band[band == 0]).any()
        bands.append(band.tobytes())
    assert len(set(bands)) == 1
