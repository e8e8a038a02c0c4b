"""Sobol' estimators on running sums, and the exact bootstrap sums.

The estimators are SALib's (``analyze.sobol``), so point estimates agree with
SALib on the same design to rounding, written on sums over base samples of
the outputs ``A``, ``B``, ``AB_j`` (``A`` with the columns of factor ``j``
from ``B``) and ``BA_j``:

* :func:`first_order_saltelli2010` -- Saltelli et al. (2010), Computer
  Physics Communications 181(2), 259-270, Table 2 (b):
  ``S1_j = mean(B (AB_j - A)) / var(A, B)``;
* :func:`total_order_jansen1999` -- Jansen (1999), Computer Physics
  Communications 117(1-2), 35-43, as recommended by Saltelli et al. (2010),
  Table 2 (f): ``ST_j = mean((A - AB_j)^2) / (2 var(A, B))``;
* :func:`second_order_saltelli2002` -- Saltelli (2002), Computer Physics
  Communications 145(2), 280-297:
  ``S2_jk = mean(BA_j AB_k - A B) / var(A, B) - S1_j - S1_k``;

with ``Y`` standardised by the mean of all model outputs first, as SALib
does (:meth:`SobolSums.indices`).  The standardisation is applied
algebraically to running sums, so the outputs ``Y`` never need to be kept:
memory does not grow with ``N``.

Confidence intervals come from a Poisson bootstrap (Hanley & MacGibbon 2006;
Chamandy et al. 2012): every base sample gets an independent Poisson(1)
weight per replicate (:func:`bootstrap_weights`), which is asymptotically
the same as SALib's multinomial resampling of rows but can be computed chunk
by chunk as small matrix products (:func:`weighted_column_sums`, exact, so
independent of the BLAS library).  The interval is ``Z * sd(replicates)``
with ``Z`` the normal quantile of the confidence level (SALib's rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from ..uncertainty.streams import bootstrap_stream

Array = NDArray[np.float64]

#: Base rows per task: fixed, so the bootstrap weights and the order of the
#: sums do not depend on the number of workers.
TASK_ROWS: Final[int] = 1 << 13
RESAMPLES: Final[int] = 100
CONF_LEVEL: Final[float] = 0.95
#: Variance below which an output counts as constant (its indices are 0).
_TINY: Final[float] = float(np.finfo(float).eps)


def bootstrap_weights(seed: int, task: int, rows: int, resamples: int) -> Array:
    """Poisson(1) bootstrap weights ``(rows, resamples)`` of one task
    (Hanley & MacGibbon 2006), from the seed stream of :func:`~mkba_mc.uncertainty.streams.bootstrap_stream`."""
    rng = np.random.default_rng(bootstrap_stream(seed, task))
    return rng.poisson(1.0, size=(rows, resamples)).astype(np.float64)


#: Rows per block of the second-order cross products (bounds their
#: ``(rows, k * k)`` temporaries; fixed, so the order of the sums is too).
CROSS_ROWS: Final[int] = 1 << 10
_SPLIT_PIECES: Final[int] = 2


def weighted_column_sums(weights: Array, F: Array) -> Array:
    """``weights.T @ F`` for non-negative integer ``weights``, computed so
    that the result does not depend on the BLAS library, its thread count or
    the CPU.

    A BLAS matrix product sums in an order that depends on the thread count
    and on the CPU kernel, which changes the last bits of the result.  Here
    every column ``j`` of ``F`` is split into :data:`_SPLIT_PIECES` pieces of
    ``p`` bits, each an integer after scaling by a power of two: the first
    holds the bits of ``F_ij`` down to ``2^(e_j - p)`` (``e_j`` the binary
    exponent of ``max_i |F_ij|``), the next the following ``p`` bits.  With
    ``p`` chosen so that ``max_q sum_i weights[i, q] * 2^p < 2^51``, the
    product of the weights with one piece is a sum of integers whose every
    partial sum is below ``2^51``: exact in float64, so BLAS returns the same
    exact value whatever order (or fused multiply-add) it uses.  The pieces'
    products are then combined elementwise in a fixed order.  The bits of
    ``F`` more than ``2 p`` below a column's maximum (``p = 37`` for 8,192
    rows of Poisson(1) weights) are dropped: an error of at most about one
    unit in the last place of the column's largest term, the size of the
    rounding error of an ordinary sum.

    Parameters
    ----------
    weights : numpy.ndarray
        ``(rows, r)`` non-negative integers stored as float64 (Poisson
        bootstrap weights).
    F : numpy.ndarray
        ``(rows, m)`` values; a column with a NaN or infinity gives NaN.

    Returns
    -------
    numpy.ndarray
        ``(r, m)``: ``out[q, j] = sum_i weights[i, q] F[i, j]``, to rounding.

    Raises
    ------
    ValueError
        If a weight is negative or not an integer, or if the weights are so
        large that no exact split exists.
    """
    if F.shape[0] == 0:
        return np.zeros((weights.shape[1], F.shape[1]))
    if weights.min() < 0 or not np.array_equal(weights, np.rint(weights)):
        raise ValueError("weighted_column_sums needs non-negative integer weights")
    bits = 51 - int(weights.sum(axis=0).max()).bit_length()  # the column sums of integers are exact
    if bits < 20:
        raise ValueError(f"bootstrap weights summing to {weights.sum(axis=0).max():g} leave no exact split")
    with np.errstate(invalid="ignore", over="ignore"):
        _, e = np.frexp(np.max(np.abs(F), axis=0))  # |F_ij| < 2^e_j
        x = F * np.ldexp(1.0, bits - e)  # exact (a power-of-two scaling), |x| < 2^bits
        parts = []
        for _ in range(_SPLIT_PIECES):
            piece = np.rint(x)
            parts.append(weights.T @ piece)  # exact: integers, every partial sum < 2^51
            x -= piece  # exact, |x| <= 1/2
            x *= 2.0**bits
        total = parts[-1]
        for part in reversed(parts[:-1]):  # smallest first, a fixed order
            total *= 2.0**-bits
            total += part
        total *= np.ldexp(1.0, e - bits)
    return total


@dataclass
class SobolSums:
    """Running sums of one output (shifted by ``shift``), plain and per
    bootstrap replicate."""

    k: int
    resamples: int
    second_order: bool
    shift: float
    plain: Array = field(init=False)
    boot: Array = field(init=False)
    cross: Array | None = field(init=False, default=None)
    cross_boot: Array | None = field(init=False, default=None)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        width = 6 + 3 * self.k + (2 * self.k if self.second_order else 0)
        self.plain = np.zeros(width)
        self.boot = np.zeros((self.resamples, width))
        if self.second_order:
            self.cross = np.zeros((self.k, self.k))
            self.cross_boot = np.zeros((self.resamples, self.k, self.k))

    def add(self, ya: Array, yb: Array, yab: Array, yba: Array | None, weights: Array) -> None:
        """Add a chunk: outputs ``A``, ``B`` ``(c,)``, ``AB`` ``(c, k)``, ``BA``
        ``(c, k)`` or None, and bootstrap weights ``(c, resamples)``."""
        c = self.shift
        a = ya - c
        b = yb - c
        ab = yab - c
        diff = ab - a[:, None]
        cols = [np.ones_like(a), a, b, a * a, b * b, a * b, diff, b[:, None] * diff, diff * diff]
        ba = None
        if self.second_order:
            assert yba is not None
            ba = yba - c
            cols += [ba, ab]
        F = np.column_stack(cols)
        self.plain += F.sum(axis=0)
        self.boot += weighted_column_sums(weights, F)
        self.total += float(ya.sum() + yb.sum() + yab.sum() + (yba.sum() if yba is not None else 0.0))
        self.count += ya.size + yb.size + yab.size + (yba.size if yba is not None else 0)
        if self.second_order:
            assert ba is not None and self.cross is not None and self.cross_boot is not None
            k = self.k
            for lo in range(0, ba.shape[0], CROSS_ROWS):  # row blocks bound the (rows, k * k) temporaries
                G = (ba[lo:lo + CROSS_ROWS, :, None] * ab[lo:lo + CROSS_ROWS, None, :]).reshape(-1, k * k)
                self.cross += G.sum(axis=0).reshape(k, k)
                self.cross_boot += weighted_column_sums(weights[lo:lo + CROSS_ROWS], G).reshape(-1, k, k)

    def merge(self, other: SobolSums) -> None:
        self.plain += other.plain
        self.boot += other.boot
        self.total += other.total
        self.count += other.count
        if self.second_order:
            self.cross += other.cross  # type: ignore[operator]
            self.cross_boot += other.cross_boot  # type: ignore[operator]

    def indices(self, conf_level: float = CONF_LEVEL) -> dict[str, Array]:
        """S1, ST (and S2) with their confidence half-widths."""
        mu = self.total / self.count - self.shift  # global mean of the shifted outputs
        point = _indices(self.plain[None, :], mu, self.k, self.cross[None] if self.cross is not None else None)
        reps = _indices(self.boot, mu, self.k, self.cross_boot)
        z = float(stats.norm.ppf(0.5 + conf_level / 2))
        out = {"S1": point["S1"][0], "ST": point["ST"][0],
               "S1_conf": z * reps["S1"].std(axis=0, ddof=1), "ST_conf": z * reps["ST"].std(axis=0, ddof=1)}
        if self.second_order:
            out["S2"] = point["S2"][0]
            out["S2_conf"] = z * reps["S2"].std(axis=0, ddof=1)
        return out


def total_variance(n: Array, sum_a: Array, sum_b: Array, sum_aa: Array, sum_bb: Array) -> Array:
    """``var(A, B)``: the variance of the outputs of ``A`` and ``B`` together
    (SALib's denominator), from sums over ``n`` base samples."""
    return (sum_aa + sum_bb) / (2 * n) - ((sum_a + sum_b) / (2 * n)) ** 2


def _safe(var: Array) -> tuple[Array, Array]:
    ok = var > _TINY
    return ok, np.where(ok, var, 1.0)


def first_order_saltelli2010(n: Array, sum_diff: Array, sum_b_diff: Array, mu: float, var: Array) -> Array:
    """First-order indices, Saltelli et al. (2010) Table 2 (b).

    ``S1_j = mean(B (AB_j - A)) / var(A, B)`` on outputs shifted by ``c``,
    with the shift ``mu`` (mean of all shifted outputs) taken out:
    ``mean((B - mu) (AB_j - A)) = (sum_b_diff - mu sum_diff) / n``.

    Parameters
    ----------
    n : numpy.ndarray
        ``(r,)`` (weighted) counts of base samples.
    sum_diff, sum_b_diff : numpy.ndarray
        ``(r, k)`` sums of ``AB_j - A`` and of ``B (AB_j - A)``.
    mu : float
        Mean of all shifted outputs.
    var : numpy.ndarray
        ``(r,)`` :func:`total_variance`; a constant output gives 0.
    """
    ok, safe = _safe(var)
    return np.where(ok[:, None], (sum_b_diff / n[:, None] - mu * sum_diff / n[:, None]) / safe[:, None], 0.0)


def total_order_jansen1999(n: Array, sum_diff_sq: Array, var: Array) -> Array:
    """Total-order indices, Jansen (1999), Saltelli et al. (2010) Table 2 (f).

    ``ST_j = mean((A - AB_j)^2) / (2 var(A, B))`` from the ``(r, k)`` sums
    ``sum_diff_sq`` of ``(AB_j - A)^2``; a constant output gives 0.
    """
    ok, safe = _safe(var)
    return np.where(ok[:, None], 0.5 * sum_diff_sq / n[:, None] / safe[:, None], 0.0)


def second_order_saltelli2002(n: Array, cross: Array, sum_ab: Array, sum_ba: Array, sum_ab_k: Array,
                              sum_a_plus_b: Array, mu: float, var: Array, s1: Array) -> Array:
    """Second-order indices, Saltelli (2002).

    ``S2_jk = mean(BA_j AB_k - A B) / var(A, B) - S1_j - S1_k`` with the shift
    ``mu`` taken out of the cross products.

    Parameters
    ----------
    n : numpy.ndarray
        ``(r,)`` (weighted) counts.
    cross : numpy.ndarray
        ``(r, k, k)`` sums of ``BA_j AB_k``.
    sum_ab : numpy.ndarray
        ``(r,)`` sums of ``A B``.
    sum_ba, sum_ab_k : numpy.ndarray
        ``(r, k)`` sums of ``BA_j`` and of ``AB_k``.
    sum_a_plus_b : numpy.ndarray
        ``(r,)`` sums of ``A`` plus sums of ``B``.
    mu : float
        Mean of all shifted outputs.
    var : numpy.ndarray
        ``(r,)`` :func:`total_variance`.
    s1 : numpy.ndarray
        ``(r, k)`` :func:`first_order_saltelli2010`.

    Returns
    -------
    numpy.ndarray
        ``(r, k, k)``, NaN on and below the diagonal.
    """
    ok, safe = _safe(var)
    k = s1.shape[1]
    mean_cross = cross / n[:, None, None]
    v = (mean_cross - (sum_ab / n)[:, None, None]
         - mu * ((sum_ba / n[:, None])[:, :, None] + (sum_ab_k / n[:, None])[:, None, :]
                 - (sum_a_plus_b / n)[:, None, None]))
    v = np.where(ok[:, None, None], v / safe[:, None, None], 0.0)
    s2 = v - s1[:, :, None] - s1[:, None, :]
    iu = np.triu_indices(k, 1)
    full = np.full_like(s2, np.nan)
    full[:, iu[0], iu[1]] = s2[:, iu[0], iu[1]]
    return full


def _indices(s: Array, mu: float, k: int, cross: Array | None) -> dict[str, Array]:
    """Indices from (weighted) sums ``s`` of shape ``(r, width)`` (the
    columns of :meth:`SobolSums.add`)."""
    n = s[:, 0]
    sa, sb, saa, sbb, sab = s[:, 1], s[:, 2], s[:, 3], s[:, 4], s[:, 5]
    var = total_variance(n, sa, sb, saa, sbb)
    s1 = first_order_saltelli2010(n, s[:, 6:6 + k], s[:, 6 + k:6 + 2 * k], mu, var)
    out = {"S1": s1, "ST": total_order_jansen1999(n, s[:, 6 + 2 * k:6 + 3 * k], var)}
    if cross is not None:
        out["S2"] = second_order_saltelli2002(n, cross, sab, s[:, 6 + 3 * k:6 + 4 * k], s[:, 6 + 4 * k:6 + 5 * k],
                                              sa + sb, mu, var, s1)
    return out


def analyze_salib_layout(Y: Array, k: int, second_order: bool = False, *, resamples: int = RESAMPLES,
                         conf_level: float = CONF_LEVEL, seed: int = 0) -> dict[str, Array]:
    """Indices of outputs ``Y`` laid out as SALib's ``sample.sobol`` rows.

    Point estimates equal ``SALib.analyze.sobol.analyze`` on the same ``Y``
    (to rounding); intervals come from the Poisson bootstrap.
    """
    step = 2 * k + 2 if second_order else k + 2
    Y = np.asarray(Y, dtype=np.float64).reshape(-1, step)
    sums = SobolSums(k, resamples, second_order, shift=float(Y[:, 0].mean()))
    for lo in range(0, Y.shape[0], TASK_ROWS):
        part = Y[lo:lo + TASK_ROWS]
        sums.add(part[:, 0], part[:, -1], part[:, 1:k + 1], part[:, k + 1:2 * k + 1] if second_order else None,
                 bootstrap_weights(seed, lo // TASK_ROWS, part.shape[0], resamples))
    return sums.indices(conf_level)


__all__ = [
    "CONF_LEVEL",
    "RESAMPLES",
    "TASK_ROWS",
    "SobolSums",
    "analyze_salib_layout",
    "bootstrap_weights",
    "first_order_saltelli2010",
    "second_order_saltelli2002",
    "total_order_jansen1999",
    "total_variance",
    "weighted_column_sums",
]
