"""PRIM: the Patient Rule Induction Method for scenario discovery.

Friedman & Fisher (1999), "Bump hunting in high-dimensional data",
*Statistics and Computing* 9, 123-143; used for scenario discovery by Bryant
& Lempert (2010), "Thinking inside the box", *Technological Forecasting and
Social Change* 77, 34-49 (the coverage-density trade-off), and by EMA
Workbench (``ema_workbench.analysis.prim``, Kwakkel 2017).

The inputs are ``X`` of shape ``(d, n)`` (one contiguous row per input, the
layout numpy is fastest on) and a boolean event ``y`` of shape ``(n,)``.  A
*box* is a lower and an upper limit per input; a sample is in the box when
``lower <= x <= upper`` in every input.  Of a box (Bryant & Lempert 2010, §2):

* coverage = events in the box / all events,
* density  = events in the box / samples in the box,
* mass     = samples in the box / all samples.

Algorithm (Friedman & Fisher 1999, §2-§4):

1. **Peeling** (§2, "top-down peeling"): start from the box of all samples;
   at each step, for every input and each of its two sides, consider peeling
   off the share ``alpha`` of the box's samples with the smallest (largest)
   values, and take the peel that leaves the highest density (their
   criterion: the largest mean of the output in the remaining box).  Stop
   when the next box would hold less than ``mass_min`` of the samples (their
   minimum support beta_0).  The sequence of boxes is the *peeling
   trajectory*.  Each input is sorted once (shared by every event); a step
   scans, per side of each input, inwards from the box's limit in that
   order until it has seen ``k + 1`` samples of the box: about ``alpha n``
   positions whatever the box's size, so a trajectory costs about ``2 d n``
   element operations after the ``d`` sorts (the first version, one
   :func:`numpy.partition` of the box per input and step, cost about
   ``3 d n / alpha`` and was 8 times slower at 10^6 samples).
2. **Choosing a box** on the trajectory (:func:`select_box`): the user's, or
   the default rule below.
3. **Pruning** (:func:`~mkba_mc.sensitivity.prim_refine.prune`): each restricted input's limits are tested
   with the quasi-p-value of Bryant & Lempert (2010, §3.2) and EMA Workbench:
   a one-sided binomial test of whether the box's density exceeds the
   density of the same box with that input unrestricted.  A restriction is
   dropped, the weakest first, while its quasi-p-value exceeds ``p_max``
   divided by the number of restrictions (Bonferroni) or it raises the
   density by less than ``min_gain``: with 10^6 samples every restriction is
   "significant", so the second condition keeps only limits that matter.
4. **Pasting** (§4, "bottom-up pasting"; :func:`~mkba_mc.sensitivity.prim_refine.paste`): enlarge the box, one side at a
   time, by the share ``paste_alpha`` of its samples among those outside it
   on that side only, while this raises the density.

Every step is deterministic (no random numbers): the same ``X`` and ``y``
give the same boxes, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]

#: Share peeled per step (Friedman & Fisher 1999 recommend 0.05-0.10).
PEEL_ALPHA: Final[float] = 0.05
#: Share pasted per step.
PASTE_ALPHA: Final[float] = 0.05
#: Smallest share of the samples a box may hold (Friedman & Fisher's beta_0).
MASS_MIN: Final[float] = 0.05
#: The default rule considers boxes covering at least this share of the events.
COVERAGE_MIN: Final[float] = 0.5
#: Largest quasi-p-value of a kept restriction (before the Bonferroni division).
P_MAX: Final[float] = 0.05
#: Smallest density gain of a kept restriction (absolute: 0.01 = one percentage point).
MIN_GAIN: Final[float] = 0.01


@dataclass(frozen=True)
class Trajectory:
    """The peeling trajectory: one row per box, box 0 the box of all samples.

    Attributes
    ----------
    lower, upper : numpy.ndarray
        ``(steps, d)`` limits of each box.
    coverage, density, mass : numpy.ndarray
        ``(steps,)`` statistics of each box.
    res_dim : numpy.ndarray
        ``(steps,)`` number of restricted inputs.
    n_box : numpy.ndarray
        ``(steps,)`` samples in each box.
    """

    lower: Array
    upper: Array
    coverage: Array
    density: Array
    mass: Array
    res_dim: NDArray[np.int64]
    n_box: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.coverage)


@dataclass(frozen=True)
class BoxStats:
    """Coverage, density, mass and size of one box."""

    coverage: float
    density: float
    mass: float
    n_box: int
    events: int


def _check(X: Array, y: Mask) -> None:
    if X.ndim != 2 or y.ndim != 1 or X.shape[1] != y.shape[0]:
        raise ValueError(f"PRIM needs X of shape (d, n) and y of shape (n,), got {X.shape} and {y.shape}")


def in_box(X: Array, lower: Array, upper: Array, skip: int | None = None) -> Mask:
    """Samples inside the box (``lower <= x <= upper`` in every input, except input ``skip``)."""
    inside = np.ones(X.shape[1], dtype=bool)
    for j in range(X.shape[0]):
        if j == skip:
            continue
        inside &= X[j] >= lower[j]
        inside &= X[j] <= upper[j]
    return inside


def box_stats(X: Array, y: Mask, lower: Array, upper: Array) -> BoxStats:
    """Coverage, density and mass of a box (Bryant & Lempert 2010, §2)."""
    inside = in_box(X, lower, upper)
    m = int(np.count_nonzero(inside))
    e = int(np.count_nonzero(inside & y))
    total = int(np.count_nonzero(y))
    return BoxStats(e / total if total else float("nan"), e / m if m else float("nan"), m / len(y), m, e)


def restricted(lower: Array, upper: Array, lo0: Array, hi0: Array) -> Mask:
    """Inputs whose limits are narrower than those of the box of all samples."""
    return (lower > lo0) | (upper < hi0)


def sorted_orders(X: Array) -> NDArray[np.int32] | NDArray[np.int64]:
    """Per input, the samples in ascending order (a stable sort, so ties keep the sample order)."""
    order = np.empty(X.shape, dtype=np.int32 if X.shape[1] < 2**31 else np.int64)
    for j in range(X.shape[0]):
        order[j] = np.argsort(X[j], kind="stable")
    return order


def _kth_alive(alive_w: Mask, k: int) -> int:
    """Position in a window of its ``k``-th (0-based) alive sample, or -1 when it holds fewer."""
    pos = np.flatnonzero(alive_w)
    return int(pos[k]) if len(pos) > k else -1


def _side(col: Array, idx: NDArray[np.integer], alive: Mask, y: Mask, start: int, stop: int, k: int,
          lower_side: bool, guess: int) -> tuple[int, int, int, float] | None:
    """The candidate peel of one side of one input.

    ``idx[start:stop]`` are the samples not yet below (above) the box's limit
    in this input, in ascending order of the input.  The window from the
    limit inwards grows until it holds ``k + 1`` samples of the box; the new
    limit is the value of the ``k``-th of them, and the samples peeled are
    those of the box strictly beyond it.  Returns (samples peeled, events
    peeled, positions to advance the limit by, new limit) or None.
    """
    span = stop - start
    w = min(span, max(guess, 2 * (k + 1)))
    while True:
        win = idx[start:start + w] if lower_side else idx[stop - w:stop][::-1]
        aw = alive[win]
        pos = _kth_alive(aw, k)
        if pos >= 0 or w == span:
            break
        w = min(span, 2 * w)
    if pos < 0:
        return None
    vals = col[win[:pos + 1]]
    v = float(vals[pos])
    cut = int(np.searchsorted(vals, v, "left")) if lower_side else int(np.searchsorted(-vals, -v, "left"))
    gone = aw[:cut]
    nr = int(np.count_nonzero(gone))
    return nr, int(np.count_nonzero(gone & y[win[:cut]])), cut, v


def peel(X: Array, y: Mask, alpha: float = PEEL_ALPHA, mass_min: float = MASS_MIN,
         order: NDArray[np.integer] | None = None) -> Trajectory:
    """Top-down peeling (Friedman & Fisher 1999, §2).

    Parameters
    ----------
    X : numpy.ndarray
        ``(d, n)`` inputs, one row per input.
    y : numpy.ndarray of bool
        ``(n,)`` the event.
    alpha : float
        Share of the box peeled per step.
    mass_min : float
        Peeling stops before a box would hold less than this share of the samples.
    order : numpy.ndarray, optional
        :func:`sorted_orders` of ``X`` (computed when omitted; pass it to
        peel several events over the same inputs).

    Returns
    -------
    Trajectory
        Box 0 is the box of all samples (limits: the inputs' minimum and maximum).

    Notes
    -----
    The candidate peel of input ``j``'s lower side removes the samples of the
    box below the ``k``-th smallest value of ``j`` in the box (0-based),
    ``k = floor(alpha m)`` (at least 1), so that the new limit is a sample
    value; ties at that value stay in.  Of all ``2 d`` candidates the one
    leaving the highest density is taken; equal densities go to the one
    removing fewer samples, then to the lower input index and the lower side
    (deterministic).

    Each input is sorted once; a sample leaves the box by being marked, and
    each side of each input keeps a pointer to its limit in the sorted
    order.  The ``k``-th value of the box is found by scanning inwards from
    the pointer: about ``alpha n`` positions per step whatever the box's
    size (the box's samples are spread over the sorted order), so a
    trajectory costs about ``2 d n`` element operations after the sorts
    (``d n log n``).
    """
    _check(X, y)
    d, n = X.shape
    total = int(np.count_nonzero(y))
    order = sorted_orders(X) if order is None else order
    lo0 = X[np.arange(d), order[:, 0]]
    hi0 = X[np.arange(d), order[:, -1]]
    lower, upper = lo0.copy(), hi0.copy()
    start, stop = np.zeros(d, dtype=np.int64), np.full(d, n, dtype=np.int64)
    alive = np.ones(n, dtype=bool)
    m, events = n, total
    rows: list[tuple[Array, Array, int, int]] = [(lower.copy(), upper.copy(), n, total)]
    while True:
        k = max(1, int(alpha * m))
        if m - k < mass_min * n:
            break
        guess = int(1.25 * (k + 1) * n / m) + 16
        best: tuple[float, int, int, int] | None = None  # (-density, removed, j, side)
        best_move: tuple[int, float] = (0, 0.0)
        for j in range(d):
            if lower[j] == upper[j]:
                continue
            for side in (0, 1):
                c = _side(X[j], order[j], alive, y, int(start[j]), int(stop[j]), k, side == 0, guess)
                if c is None or c[0] == 0 or c[0] == m:
                    continue
                nr, er, cut, v = c
                key = (-(events - er) / (m - nr), nr, j, side)
                if best is None or key < best:
                    best, best_move = key, (cut, v)
        if best is None:
            break
        _, nr, j, side = best
        cut, v = best_move
        if side == 0:
            gone = order[j][start[j]:start[j] + cut]
            start[j] += cut
            lower[j] = v
        else:
            gone = order[j][stop[j] - cut:stop[j]]
            stop[j] -= cut
            upper[j] = v
        events -= int(np.count_nonzero(alive[gone] & y[gone]))
        alive[gone] = False
        m -= nr
        rows.append((lower.copy(), upper.copy(), m, events))
    lows = np.array([r[0] for r in rows])
    ups = np.array([r[1] for r in rows])
    n_box = np.array([r[2] for r in rows], dtype=np.int64)
    ev = np.array([r[3] for r in rows], dtype=np.float64)
    res_dim = np.array([int(np.count_nonzero(restricted(lo, hi, lo0, hi0))) for lo, hi in zip(lows, ups)],
                       dtype=np.int64)
    return Trajectory(lows, ups, ev / total if total else np.full(len(rows), np.nan), ev / n_box, n_box / n,
                      res_dim, n_box)


def select_box(traj: Trajectory, coverage_min: float = COVERAGE_MIN) -> int:
    """The default box on a peeling trajectory.

    Among the boxes covering at least ``coverage_min`` of the events, take
    the highest density ``d*``; then the box of greatest coverage whose
    density is within ``max(0.01, 2 se)`` of ``d*`` (``se`` the binomial
    standard error of ``d*``).  This is Breiman et al.'s (1984) one-standard-
    error rule applied to Bryant & Lempert's (2010, §3) coverage-density
    trade-off: once the density stops rising, further peeling only loses
    coverage (and restricts inputs by chance).

    Returns
    -------
    int
        Index on the trajectory (0: no restriction helps).
    """
    ok = np.flatnonzero(traj.coverage >= coverage_min)
    if not ok.size:
        return 0
    i_best = int(ok[np.argmax(traj.density[ok])])
    d_best = float(traj.density[i_best])
    tol = max(0.01, 2.0 * float(np.sqrt(d_best * (1.0 - d_best) / traj.n_box[i_best])))
    near = ok[traj.density[ok] >= d_best - tol]
    return int(near[np.argmax(traj.coverage[near])])


__all__ = ["COVERAGE_MIN", "MASS_MIN", "MIN_GAIN", "PASTE_ALPHA", "PEEL_ALPHA", "P_MAX", "BoxStats", "Trajectory",
           "box_stats", "in_box", "peel", "restricted", "select_box", "sorted_orders"]
