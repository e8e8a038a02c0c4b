"""Summaries of Monte Carlo outputs: statistics, decision probabilities and
their Monte Carlo standard errors.

Probabilities are shares of samples: a NaN (an undefined ratio because a cost
was not positive) counts as *not* meeting the condition.  The standard error
is the binomial one, ``sqrt(p (1 - p) / n)``; for Latin hypercube and Sobol'
designs it is an upper bound (those designs are at least as precise for
these smooth models).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import NDArray

from ..model.sets import ACTORS

if TYPE_CHECKING:
    import pandas as pd

#: Outputs whose NaN means "never" (no payback within the programme): counted
#: as later than any year (+inf) in the quantiles, see :func:`median_payback`.
PAYBACK_OUTPUTS: Final[tuple[str, ...]] = ("payback_year", "payback_year_gemeente")
#: Quantiles of the programme band (:func:`programme_band`).
BAND_QUANTILES: Final[tuple[float, ...]] = (0.1, 0.5, 0.9)
STATS: Final[tuple[str, ...]] = ("mean", "sd", "p5", "p10", "p50", "p90", "p95")
QUANTILES: Final[tuple[float, ...]] = (0.05, 0.10, 0.50, 0.90, 0.95)

#: Conditions reported as probabilities: name -> (output, threshold, direction).
RATIO_EVENTS: Final[dict[str, tuple[str, float]]] = {
    "ratio_social_ge_1": ("ratio_social", 1.0),
    "ratio_financial_ge_1": ("ratio_financial", 1.0),
    "ratio_gemeente_ge_1": ("ratio_gemeente", 1.0),
    "balance_ge_0": ("balance", 0.0),
    "balance_gemeente_ge_0": ("balance_gemeente", 0.0),
}


def columns(outputs: Mapping[str, NDArray[np.float64]]) -> dict[str, NDArray[np.float64]]:
    """Flatten outputs to 1-D columns (``actor_balance`` -> ``actor_balance.<actor>``)."""
    cols: dict[str, NDArray[np.float64]] = {}
    for name, arr in outputs.items():
        if arr.ndim == 1:
            cols[name] = arr
        else:
            for j, actor in enumerate(ACTORS):
                cols[f"{name}.{actor}"] = arr[:, j]
    return cols


def order_statistics(y: NDArray[np.float64], ranks: NDArray[np.intp]) -> None:
    """Put the elements of the given ranks at their sorted positions, in place.

    Same result as ``y.partition(ranks)`` for those positions, but each rank
    is selected only within the range left between the ranks already placed
    (median first), which is several times faster than numpy's multi-kth
    partition on millions of values.
    """
    stack = [(0, y.size, [int(r) for r in ranks])]
    while stack:
        lo, hi, ks = stack.pop()
        if not ks:
            continue
        mid = ks[len(ks) // 2]
        y[lo:hi].partition(mid - lo)
        stack.append((lo, mid, [k for k in ks if k < mid]))
        stack.append((mid + 1, hi, [k for k in ks if k > mid]))


def column_stats(x: NDArray[np.float64], name: str = "") -> dict[str, float]:
    """Statistics of one output column (NaN samples left out and counted;
    for the payback outputs, :data:`PAYBACK_OUTPUTS`, see :func:`payback_stats`)."""
    return payback_stats(x) if name in PAYBACK_OUTPUTS else _stats(x)


def median_payback(payback: NDArray[np.float64]) -> float:
    """The median payback year of a run: the one payback statistic of mkba_mc.

    The median over *all* draws, a draw that never pays back within the
    programme (NaN) counting as later than any year (+inf); the value is the
    draw at the median rank (``numpy.quantile(..., method="inverted_cdf")``,
    Hyndman & Fan 1996 definition 1), so it is always a programme year.

    Parameters
    ----------
    payback : numpy.ndarray
        Payback years (1-based) per draw, NaN for "never".

    Returns
    -------
    float
        The median year; ``inf`` when more than half of the draws never pay
        back; NaN for no draws.
    """
    return _never_quantiles(np.asarray(payback, dtype=np.float64), (0.5,))[0] if np.size(payback) else math.nan


def _never_quantiles(x: NDArray[np.float64], qs: tuple[float, ...]) -> list[float]:
    v = np.where(np.isnan(x), np.inf, x)
    return [float(q) for q in np.quantile(v, qs, method="inverted_cdf")]


def payback_stats(x: NDArray[np.float64]) -> dict[str, float]:
    """Statistics of a payback output: quantiles over all draws with "never"
    (NaN) as +inf (:func:`median_payback`; P50 is the median payback), so a
    quantile is ``inf`` where that share of draws never pays back; mean and
    sd over the draws that pay back; ``n_nan`` counts "never"."""
    if x.size == 0:
        return {**{s: math.nan for s in STATS}, "n_nan": 0.0}
    finite = _stats(x)
    q = _never_quantiles(x, QUANTILES)
    return {**finite, "p5": q[0], "p10": q[1], "p50": q[2], "p90": q[3], "p95": q[4]}


def summary_frame(stats: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Statistics by output as a DataFrame (index ``output``).

    pandas is imported here, not with this module: ``mkba-mc run`` prints
    the statistics from the mapping (:meth:`MonteCarloResult.summary_stats
    <mkba_mc.execution.montecarlo.MonteCarloResult.summary_stats>`) and
    does not pay pandas' 0.2-0.3 s import."""
    import pandas as pd

    df = pd.DataFrame(list(stats.values()), index=list(stats), columns=[*STATS, "n_nan"])
    df.index.name = "output"
    return df


#: Values per piece of :func:`sum_sq_dev` (a piece and its squares stay in L2).
SQ_LEAF: Final[int] = 1 << 15


def sum_sq_dev(y: NDArray[np.float64], mean: float, leaf: int = SQ_LEAF) -> float:
    """``numpy.sum((y - mean) ** 2)``, the same bits, without the temporary.

    numpy sums a contiguous float64 array pairwise: an array of more than 128
    values is split at ``n2 = n // 2 - (n // 2) % 8`` and the two halves'
    sums are added.  This follows that recursion down to pieces of at most
    ``leaf`` values -- each one a node of numpy's own tree, so
    ``numpy.sum`` of its squared deviations is that node's value -- and adds
    the pieces back up in numpy's order (tested bit for bit against
    ``numpy.sum``).  One pass over ``y``, squared in a buffer that stays in
    cache, instead of three passes over memory and a copy of the column.
    """
    buf = np.empty(min(leaf, y.size))

    def node(lo: int, hi: int) -> float:
        size = hi - lo
        if size <= leaf or size <= 128:
            d = np.subtract(y[lo:hi], mean, out=buf[:size])
            d *= d
            return np.sum(d)
        half = size // 2
        half -= half % 8
        return node(lo, lo + half) + node(lo + half, hi)

    return float(node(0, y.size))


def _order_values(y: NDArray[np.float64], ranks: NDArray[np.intp]) -> NDArray[np.float64]:
    """The values at ``ranks`` of ``y`` (no NaN) sorted; ``y`` is left unchanged.

    From :data:`~mkba_mc.uncertainty.fused.COMPILED_MIN_N` values on (where a
    run has loaded numba already) one compiled pass
    (:func:`mkba_mc.execution.selection.select`); else, or when that pass
    cannot settle a rank, a partition of a copy (:func:`order_statistics`).
    The values are the same either way, on every machine: the two zeros,
    which compare equal and so have no order between them (numpy's SIMD sort
    and a partition may place ``-0.0`` and ``0.0`` differently: a run's P50
    printed as "-0" on one machine and "0" on another), both come out as
    ``0.0``.
    """
    from ..uncertainty.fused import compiled_for

    if compiled_for(y.size):
        from .selection import select

        found = select(y, ranks)
        if found is not None:
            return found + 0.0  # -0.0 + 0.0 is 0.0 (IEEE 754, rounding to nearest)
    z = y.copy()
    order_statistics(z, ranks)
    return z[ranks] + 0.0


def prepare(n: int) -> None:
    """Load the compiled selection now if columns of ``n`` values will use it.

    A run calls this before its workers fork, so they inherit the machine
    code instead of each loading it from numba's cache (~15 ms a process
    once the sampling kernel has set numba up).
    """
    from ..uncertainty.fused import compiled_for

    if compiled_for(n):
        from .selection import load

        load()


def _stats(x: NDArray[np.float64]) -> dict[str, float]:
    """Mean, sd and quantiles (numpy's default "linear" method) in few passes
    and without a copy of the column unless it holds NaN.

    The mean and the sd are numpy's pairwise sums in sample order (the bits
    of ``np.mean`` and ``np.std(ddof=1)``).  They were once summed over the
    partitioned copy the quantiles came from, whose order numpy's SIMD
    quickselect makes depend on the CPU: the last bits of the mean then did
    too (tests/montecarlo/test_summary_exact.py).
    """
    total = float(np.sum(x))
    nan = math.isnan(total)
    y = x[~np.isnan(x)] if nan else np.ascontiguousarray(x)
    n = y.size
    n_nan = x.size - n
    if n == 0:
        return {**{s: math.nan for s in STATS}, "n_nan": float(n_nan)}
    h = (n - 1) * np.asarray(QUANTILES)
    lo = np.floor(h).astype(np.intp)
    hi = np.minimum(lo + 1, n - 1)
    ranks = np.unique(np.concatenate([lo, hi]))
    values = dict(zip(ranks.tolist(), _order_values(y, ranks)))
    ylo = np.array([values[r] for r in lo.tolist()])
    yhi = np.array([values[r] for r in hi.tolist()])
    q = ylo + (yhi - ylo) * (h - lo)
    mean = (total if y is x else float(np.sum(y))) / n  # np.sum(x) again would give the same bits
    # squared deviations summed pairwise as numpy does (fixed order; np.dot's BLAS order is not)
    sd = math.sqrt(sum_sq_dev(y, mean) / (n - 1)) if n > 1 else 0.0
    return {"mean": mean, "sd": sd, "p5": q[0], "p10": q[1], "p50": q[2], "p90": q[3], "p95": q[4],
            "n_nan": float(n_nan)}


def summary_stats(outputs: Mapping[str, NDArray[np.float64]], workers: int = 2) -> dict[str, dict[str, float]]:
    """Mean, sd, P5, P10, P50, P90, P95 and the NaN count of every output,
    as ``{output: {statistic: value}}`` (the rows of :func:`summarize`).

    NaN samples (undefined ratios; no payback within the programme) are left
    out of the mean and sd and counted in ``n_nan``; the quantiles of the
    payback outputs count "never" as later than any year (:func:`payback_stats`).
    """
    cols = columns(outputs)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        rows = list(pool.map(column_stats, cols.values(), cols))
    return dict(zip(cols, rows))


def summarize(outputs: Mapping[str, NDArray[np.float64]], workers: int = 2) -> pd.DataFrame:
    """:func:`summary_stats` as a DataFrame (index ``output``; :func:`summary_frame`)."""
    return summary_frame(summary_stats(outputs, workers))


def _prob(mask: NDArray[np.bool_]) -> dict[str, float]:
    n = mask.size
    p = float(np.count_nonzero(mask)) / n
    return {"p": p, "se": math.sqrt(p * (1.0 - p) / n), "n": n}


def probabilities(outputs: Mapping[str, NDArray[np.float64]]) -> dict[str, dict[str, float]]:
    """Decision probabilities with their Monte Carlo standard errors.

    Returns ``{name: {"p", "se", "n"}}`` for P(ratio >= 1) of the three
    ratios, P(balance >= 0) in total, for the municipality and per actor
    (``actor_balance_ge_0.<actor>``), and the split-incentive chance
    ``split_incentive``: P(society gains and the municipality loses), i.e.
    balance >= 0 and balance_gemeente < 0.
    """
    out: dict[str, dict[str, float]] = {}
    for name, (output, threshold) in RATIO_EVENTS.items():
        if output in outputs:
            out[name] = _prob(outputs[output] >= threshold)
    if "actor_balance" in outputs:
        ab = outputs["actor_balance"]
        for j, actor in enumerate(ACTORS):
            out[f"actor_balance_ge_0.{actor}"] = _prob(ab[:, j] >= 0.0)
    if "balance" in outputs and "balance_gemeente" in outputs:
        out["split_incentive"] = _prob((outputs["balance"] >= 0.0) & (outputs["balance_gemeente"] < 0.0))
    return out


def programme_band(cashflows: Mapping[str, NDArray[np.float64]]) -> dict[str, NDArray[np.float64]]:
    """Quantiles of the cumulative programme cash flow per programme year.

    Parameters
    ----------
    cashflows : mapping
        ``cashflow_total`` and ``cashflow_gemeente``, each ``(n, years)``:
        the programme view's cash flow per sample and programme year (§5
        view 4, Figuur 4.8 of the MKBA).

    Returns
    -------
    dict
        ``cumulative_<name>`` of shape ``(3, years)``: rows the quantiles
        :data:`BAND_QUANTILES` (numpy's default linear method) over all
        samples of the cumulative sum over the years.

    Notes
    -----
    Exact quantiles need every value: the run keeps the two cash flows
    ``(n, years)`` until it ends (counted by
    :func:`mkba_mc.checks.run_bytes_per_sample`), then only this band.
    """
    # per year a contiguous row: the same quantiles, a faster partition than along axis 0; "+ 0.0" gives
    # both zeros as 0.0, whose order a partition leaves open (see _order_values)
    return {f"cumulative_{k}": np.quantile(np.cumsum(v, axis=1).T.copy(), BAND_QUANTILES, axis=1) + 0.0
            for k, v in cashflows.items()}


__all__ = ["BAND_QUANTILES", "PAYBACK_OUTPUTS", "QUANTILES", "STATS", "column_stats", "median_payback",
           "payback_stats", "programme_band", "order_statistics", "columns", "prepare", "probabilities", "sum_sq_dev",
           "summarize", "summary_stats", "summary_frame"]
