"""One payback definition: the median over all draws, "never" later than any
year; and the programme band of the cumulative cash flow."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from mkba_mc import load_scenario
from mkba_mc.execution.montecarlo import PROGRAMME_KEPT, run
from mkba_mc.execution.summary import median_payback, payback_stats
from mkba_mc.model.core import evaluate

ROOT = Path(__file__).resolve().parents[2]
NEVER = math.nan


def test_median_payback_counts_never_as_later_than_any_year() -> None:
    assert median_payback(np.array([3.0, 4.0, 5.0])) == 4.0
    # finite draws only would give 3.5; with "never" as +inf the median is 5
    assert median_payback(np.array([3.0, 4.0, 5.0, NEVER, NEVER])) == 5.0
    assert median_payback(np.array([3.0, NEVER, NEVER])) == math.inf  # more than half never pay back
    assert median_payback(np.array([2.0, 6.0, NEVER, NEVER])) == 6.0  # half: the draw at the median rank
    assert math.isnan(median_payback(np.array([])))


def test_payback_statistics_keep_mean_of_the_draws_that_pay_back() -> None:
    x = np.array([1.0, 2.0, 3.0, NEVER])
    st = payback_stats(x)
    assert st["mean"] == 2.0 and st["n_nan"] == 1.0
    assert (st["p5"], st["p50"], st["p95"]) == (1.0, 2.0, math.inf)


def test_run_summary_uses_the_median_payback() -> None:
    sc = load_scenario(ROOT / "scenarios" / "bijlage2_voorbeeld.toml")
    res = run(sc, 30_000, seed=11, outputs=list(PROGRAMME_KEPT), workers=1)
    df = res.summary()
    for name in ("payback_year", "payback_year_gemeente"):
        assert df.loc[name, "p50"] == median_payback(res.outputs[name])
        assert df.loc[name, "n_nan"] == np.isnan(res.outputs[name]).sum()


def test_programme_band_equals_quantiles_of_the_cumulative_cash_flow() -> None:
    sc = load_scenario(ROOT / "scenarios" / "bijlage2_voorbeeld.toml")
    res = run(sc, 70_000, seed=2, outputs=["payback_year"], workers=2, chunk_size=5_000)
    band = res.programme_band()
    x = res.plan.inputs(0, res.n)
    out = evaluate({**sc.params, **x}, sc.structure, ["cashflow_total", "cashflow_gemeente"])
    years = sc.structure.programme_years
    for key in ("total", "gemeente"):
        expected = np.quantile(np.cumsum(out[f"cashflow_{key}"], axis=1), [0.1, 0.5, 0.9], axis=0)
        assert band[f"cumulative_cashflow_{key}"].shape == (3, years)
        assert np.array_equal(band[f"cumulative_cashflow_{key}"], expected)
    assert "cashflow_total" not in res.outputs  # the band, not the n x years flows, is kept
    assert run(sc, 1_000, seed=2, workers=1).programme_band() is None
