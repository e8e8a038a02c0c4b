"""Fixed-order arithmetic shared by the stages of the model.

Every sum here runs in a fixed order, term by term, without BLAS: the
summation order of a BLAS kernel depends on its thread count and the CPU,
so its last bits would make a sample's result depend on the machine and on
the length of the chunk it was evaluated in.  These helpers keep every
sample's arithmetic the same whatever the chunk, which is what makes a run
bit-identical for a seed (MODEL.md §1: one evaluation is elementwise).
They take traced values (:mod:`mkba_mc.model.trace`) as well as arrays, and
record the same operations on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .trace import Traced, traced_ratio

Array = NDArray[np.float64]


def param(params: Mapping[str, ArrayLike], name: str) -> Array:
    """Parameter ``name`` as a float64 scalar array or 1-D array over samples
    (a traced value passes through)."""
    value = params[name]
    return value if isinstance(value, Traced) else np.asarray(value, dtype=np.float64)


def fixed_sum(terms: Iterable[ArrayLike]) -> ArrayLike:
    """Sum starting from the first term (``sum()`` starts at 0: one array op more)."""
    it = iter(terms)
    acc = next(it)
    for t in it:
        acc = acc + t
    return acc


def weighted_sum(amounts: Sequence[ArrayLike], weights: Array) -> ArrayLike:
    """``sum_j amounts[j] * weights[j]`` over non-zero weights, in a fixed order."""
    acc: ArrayLike = 0.0
    for a, w in zip(amounts, weights):
        if w != 0.0:
            acc = acc + (a if w == 1.0 else a * w)
    return acc


def safe_ratio(num: ArrayLike, den: ArrayLike) -> Array:
    """``num / den`` where ``den > 0``, NaN elsewhere (never inf; MODEL.md §4)."""
    if isinstance(num, Traced) or isinstance(den, Traced):
        return traced_ratio(num, den)  # type: ignore[return-value]
    num_a, den_a = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    out = np.full(num_a.shape, np.nan)
    np.divide(num_a, den_a, out=out, where=den_a > 0)
    return out


def split(amounts: Sequence[ArrayLike], rows: Array) -> list[ArrayLike]:
    """Split post amounts over actors: one value per actor (column ``a`` of the
    ``(n, actors)`` split), ``sum_p amounts[p] * rows[p, a]``.

    Posts with equal payer rows (the same vector for every household type,
    say) are summed first; then each group is accumulated in post order onto
    an actor's zero (no BLAS, so every sample gets the same arithmetic
    whatever the chunk length; ``0.0 + x`` makes a -0 sum +0).  An actor
    without posts keeps the scalar zero; :func:`stack_columns` makes the
    ``(n, actors)`` array.
    """
    groups: list[tuple[ArrayLike, Array]] = []
    for amount, row in zip(amounts, rows):
        if not row.any():
            continue
        for i, (acc, r) in enumerate(groups):
            if np.array_equal(r, row):
                groups[i] = (np.add(acc, amount), r)
                break
        else:
            groups.append((amount, row))
    cols: list[ArrayLike] = [np.float64(0.0)] * rows.shape[1]
    for amount, row in groups:
        for a in np.flatnonzero(row):
            s = float(row[a])
            # in place once cols[a] is an array of its own (the first step makes one)
            if s == 1.0:
                cols[a] += amount
            elif s == -1.0:
                cols[a] -= amount
            else:
                cols[a] += amount * s
    return cols


def stack_columns(n: int, cols: Sequence[ArrayLike]) -> Array:
    """The ``(n, len(cols))`` array of per-actor values (column-major, as the
    run's stores keep it; scalars broadcast)."""
    out = np.empty((len(cols), n))
    for a, col in enumerate(cols):
        out[a] = col
    return out.T

__all__ = ["Array", "fixed_sum", "param", "safe_ratio", "split", "stack_columns", "weighted_sum"]
