"""Exact order statistics of millions of values in one compiled pass.

The summary of a run needs a few order statistics of every kept output (the
two neighbours of each of the quantiles P5 .. P95).  A multi-rank
``numpy.partition`` of a copy costs about ten passes over the column; this
module finds the same values with one pass (Floyd & Rivest 1975, "Expected
time bounds for selection", the sampling idea of their algorithm SELECT):

1. sort a systematic subsample (every ``step``-th value, about
   :func:`subsample_size` of them) and take, around the subsample position of each
   wanted rank, a bracket ``[low, high]`` of values wide enough
   (:data:`MARGIN` binomial standard deviations) to contain that rank's value
   in all but a negligible share of columns;
2. one compiled pass counts the values below every bracket and copies the
   values inside the brackets (a few per cent of the column);
3. each wanted value is selected among its bracket's values with
   :func:`~mkba_mc.execution.summary.order_statistics`.

The result is the *value* at each rank of the sorted column, which does not
depend on how it was found: the same as ``numpy.sort(y)[ranks]`` (tested bit
for bit).  When a bracket misses its rank or holds more values than its
buffer (a column of many equal values, or an order that defeats the
subsample), :func:`select` says so and the caller partitions the whole
column instead -- slower, never different.

This module imports numba at its top (``cache=True``: a process after the
first loads the machine code); :mod:`mkba_mc.execution.summary` imports it
only for columns of at least :data:`~mkba_mc.uncertainty.fused.COMPILED_MIN_N`
values, where the plan has loaded numba already.
"""

from __future__ import annotations

import math
from typing import Final

import numba as nb
import numpy as np
from numpy.typing import NDArray

#: Fewest and most values in the sorted subsample (:func:`subsample_size`).
SUBSAMPLE_MIN: Final[int] = 1 << 14
SUBSAMPLE: Final[int] = 1 << 16
#: Half-width of a bracket in binomial standard deviations of the subsample
#: rank (a miss, which costs a full partition, has probability ~1e-6).
MARGIN: Final[float] = 5.0


#: Values per block of :func:`_bracket_pass` (its bracket indices stay in L1).
_BLOCK = 2048


@nb.njit(cache=True, nogil=True)
def _bracket_pass(y: np.ndarray, bounds: np.ndarray, cand: np.ndarray, above: np.ndarray) -> None:
    """Count ``y`` against ``bounds``; copy the values inside the brackets.

    ``bounds`` is ``low_0, high_0, low_1, high_1, ...`` with ``high_j <
    low_{j+1}``.  Adds ``#(y >= low_j)`` to ``above[2j]`` and ``#(y >
    high_j)`` to ``above[2j + 1]``; the first ``cand.shape[1]`` values with
    ``low_j <= y <= high_j`` land in ``cand[j]`` (in column order).  Block by
    block: the comparisons with each bound are one vectorised loop over the
    block (a per-value loop over the bounds runs 2-3x slower), summed into
    ``k``, the number of bounds a value is past (odd: inside bracket
    ``k // 2``).  No NaN in ``y``.
    """
    nb_bounds = bounds.size
    cap = cand.shape[1]
    k = np.zeros(_BLOCK, np.uint8)
    filled = np.zeros(nb_bounds // 2, np.int64)
    for start in range(0, y.size, _BLOCK):
        blk = y[start:start + _BLOCK]
        m = blk.size
        k[:m] = 0
        for t in range(nb_bounds):
            b = bounds[t]
            c = 0
            if t % 2 == 0:
                for i in range(m):
                    w = blk[i] >= b
                    k[i] += w
                    c += w
            else:
                for i in range(m):
                    w = blk[i] > b
                    k[i] += w
                    c += w
            above[t] += c
        for i in range(m):
            if k[i] & 1:
                j = k[i] >> 1
                f = filled[j]
                if f < cap:
                    cand[j, f] = blk[i]
                filled[j] = f + 1


def subsample_size(n: int) -> int:
    """Values in the sorted subsample of a column of ``n``: ``n / 64``, within
    [:data:`SUBSAMPLE_MIN`, :data:`SUBSAMPLE`].

    A larger subsample costs more to sort (``numpy.sort`` of 2^16 values took
    2.4 ms on the benchmark machine, 2026-12-07) and gives narrower brackets,
    so fewer values to copy and select from (a bracket holds about ``10 *
    sqrt(p (1 - p) / m)`` of the column).  Best of 2^11 .. 2^16 for one
    column (ms, same machine and day): 2^14 at 2^18 values (1.57 against 3.13
    with 2^16) and at 2^20 (4.90 against 5.75); 2^16 at 2^22 (14.9 against
    17.0 with 2^14) and 2^24 (55 against 71).  The values found do not depend
    on it.
    """
    return min(SUBSAMPLE, max(SUBSAMPLE_MIN, n >> 6))


def _brackets(s: NDArray[np.float64], n: int, ranks: NDArray[np.intp]) -> list[tuple[float, float, int, list[int]]]:
    """Brackets ``(low, high, subsample values spanned, ranks)`` around the
    ranks of a column of ``n`` values with sorted subsample ``s``; brackets
    whose values touch are merged (so a value belongs to at most one)."""
    m = s.size
    spans = []
    for r in ranks:
        p = (int(r) + 0.5) / n
        t = p * m
        w = MARGIN * math.sqrt(m * p * (1.0 - p)) + 2.0
        spans.append((max(math.floor(t - w), -1), min(math.ceil(t + w), m), int(r)))
    spans.sort()
    merged: list[tuple[int, int, list[int]]] = []
    value = (lambda i: -math.inf if i < 0 else math.inf if i >= m else float(s[i]))
    for a, b, r in spans:
        if merged and value(a) <= value(merged[-1][1]):
            lo, hi, rs = merged[-1]
            merged[-1] = (lo, max(hi, b), [*rs, r])
        else:
            merged.append((a, b, [r]))
    return [(value(a), value(b), min(b, m - 1) - max(a, 0) + 1, rs) for a, b, rs in merged]


def select(y: NDArray[np.float64], ranks: NDArray[np.intp]) -> NDArray[np.float64] | None:
    """The values at ``ranks`` of ``y`` sorted, or None where a full partition is needed.

    Parameters
    ----------
    y : numpy.ndarray
        One column, without NaN (left unchanged).
    ranks : numpy.ndarray
        Sorted distinct 0-based ranks, each in ``[0, y.size)``.

    Returns
    -------
    numpy.ndarray or None
        ``numpy.sort(y)[ranks]``; None when a bracket missed its rank or
        overflowed its buffer (see the module text).
    """
    from .summary import order_statistics

    n = y.size
    step = max(1, n // subsample_size(n))
    s = np.sort(y[::step])
    groups = _brackets(s, n, ranks)
    bounds = np.array([v for low, high, _, _ in groups for v in (low, high)])
    widest = max(span for _, _, span, _ in groups)
    cand = np.empty((len(groups), int(1.5 * widest * step) + 1024))
    above = np.zeros(len(bounds), dtype=np.int64)
    _bracket_pass(np.ascontiguousarray(y), bounds, cand, above)
    out = np.empty(len(ranks))
    where = {int(r): i for i, r in enumerate(ranks)}
    for j, (_, _, _, rs) in enumerate(groups):
        below = n - int(above[2 * j])
        inside = int(above[2 * j] - above[2 * j + 1])
        if inside > cand.shape[1] or any(not (below <= r < below + inside) for r in rs):
            return None
        vals = cand[j, :inside]
        order_statistics(vals, np.array([r - below for r in rs], dtype=np.intp))
        for r in rs:
            out[where[r]] = vals[r - below]
    return out


def load() -> None:
    """Compile or load the kernel now (a call on four values)."""
    _bracket_pass(np.zeros(4), np.array([0.0, 1.0]), np.empty((1, 4)), np.zeros(2, dtype=np.int64))


__all__ = ["MARGIN", "SUBSAMPLE", "SUBSAMPLE_MIN", "load", "select", "subsample_size"]
