"""PRIM after peeling: quasi-p-values, pruning and pasting of a box.

Steps 3 and 4 of the algorithm described in :mod:`mkba_mc.sensitivity.prim`
(Friedman & Fisher 1999, §4; Bryant & Lempert 2010, §3.2).  Deterministic:
no random numbers.
"""

from __future__ import annotations

import numpy as np

from .prim import MIN_GAIN, P_MAX, PASTE_ALPHA, Array, Mask, restricted


def quasi_p(X: Array, y: Mask, lower: Array, upper: Array, lo0: Array, hi0: Array) -> tuple[Array, Array]:
    """Quasi-p-value and density gain of each input's restriction.

    For a restricted input ``j``: with ``H`` events among the ``T`` samples
    of the box and density ``p_j`` of the box without ``j``'s limits, the
    quasi-p-value is ``P(Binomial(T, p_j) >= H)`` (Bryant & Lempert 2010,
    §3.2; EMA Workbench's ``calculate_qp``) and the gain is the box's
    density minus ``p_j``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``(d,)`` quasi-p-values and gains; NaN for unrestricted inputs.
    """
    from scipy.stats import binom

    res = np.flatnonzero(restricted(lower, upper, lo0, hi0))
    outside = {int(j): (X[j] < lower[j]) | (X[j] > upper[j]) for j in res}  # only restricted inputs exclude samples
    n_out = np.zeros(X.shape[1], dtype=np.int16)
    for o in outside.values():
        n_out += o
    inside = n_out == 0
    T = int(np.count_nonzero(inside))
    H = int(np.count_nonzero(inside & y))
    qp = np.full(X.shape[0], np.nan)
    gain = np.full(X.shape[0], np.nan)
    for j in res:
        without = (n_out - outside[int(j)]) == 0  # O(n) per input: the box without input j's limits
        p_j = np.count_nonzero(without & y) / max(1, np.count_nonzero(without))
        qp[j] = float(binom.sf(H - 1, T, p_j)) if T else 1.0
        gain[j] = (H / T if T else 0.0) - p_j
    return qp, gain


def prune(X: Array, y: Mask, lower: Array, upper: Array, lo0: Array, hi0: Array, p_max: float = P_MAX,
          min_gain: float = MIN_GAIN) -> tuple[Array, Array]:
    """Drop the restrictions that do not matter, the weakest first.

    A restriction stays when its quasi-p-value (:func:`quasi_p`) is at most
    ``p_max / k`` (``k`` restricted inputs: Bonferroni) and it raises the
    density by at least ``min_gain``.  After each drop the others are tested
    again on the larger box.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The new lower and upper limits.
    """
    lower, upper = lower.copy(), upper.copy()
    while True:
        qp, gain = quasi_p(X, y, lower, upper, lo0, hi0)
        res = np.flatnonzero(~np.isnan(qp))
        if not res.size:
            return lower, upper
        weak = [int(j) for j in res if qp[j] > p_max / res.size or gain[j] < min_gain]
        if not weak:
            return lower, upper
        j = max(weak, key=lambda i: (qp[i], -gain[i], -i))
        lower[j], upper[j] = lo0[j], hi0[j]


def paste(X: Array, y: Mask, lower: Array, upper: Array, alpha: float = PASTE_ALPHA,
          max_steps: int = 1000) -> tuple[Array, Array]:
    """Bottom-up pasting (Friedman & Fisher 1999, §4).

    At each step, for every restricted side, the candidates are the samples
    outside the box on that side only; the ``k = floor(alpha m)`` (at least
    1) nearest of them are added by moving the limit to the ``k``-th nearest
    value.  The paste that gives the highest density is made if it raises
    the density; else pasting stops.  Each step costs O(n d).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The new lower and upper limits.
    """
    lower, upper = lower.copy(), upper.copy()
    for _ in range(max_steps):
        below = X < lower[:, None]
        above = X > upper[:, None]
        outside = below.sum(axis=0, dtype=np.int16) + above.sum(axis=0, dtype=np.int16)
        inside = outside == 0
        m = int(np.count_nonzero(inside))
        e = int(np.count_nonzero(inside & y))
        if m == 0:
            break
        once = outside == 1
        k = max(1, int(alpha * m))
        best: tuple[float, int, int, float] | None = None
        for j in range(X.shape[0]):
            for side, where in ((0, below[j]), (1, above[j])):
                cand = once & where
                c = int(np.count_nonzero(cand))
                if c == 0:
                    continue
                vals = X[j][cand]
                if side == 0:
                    limit = vals.min() if c <= k else np.partition(vals, c - k)[c - k]
                    added = vals >= limit
                else:
                    limit = vals.max() if c <= k else np.partition(vals, k - 1)[k - 1]
                    added = vals <= limit
                ea = int(np.count_nonzero(y[cand][added]))
                key = (-(e + ea) / (m + int(np.count_nonzero(added))), j, side, float(limit))
                if best is None or key[:3] < best[:3]:
                    best = key
        if best is None or -best[0] <= e / m:
            break
        _, j, side, limit = best
        if side == 0:
            lower[j] = limit
        else:
            upper[j] = limit
    return lower, upper


__all__ = ["paste", "prune", "quasi_p"]
