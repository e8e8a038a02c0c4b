"""Tabulated inverse CDFs with a direct index: no search, no logarithm.

Two kinds of table, both monotone piecewise-cubic Hermite interpolants
(Fritsch & Carlson 1980) with exact node slopes, refined until the error at
the interval midpoints is below a tolerance:

* :class:`BinadeTable` -- an inverse CDF ``x(u)`` on ``u`` in (0, 1). The
  lower half ``u < 1/2`` and the upper half (through ``v = 1 - u``, exact for
  ``u >= 1/2`` by Sterbenz's lemma) are each tabulated on a grid that is
  uniform *within every binade* ``[2^-e-1, 2^-e)``, with ``2^m`` pieces per
  binade.  The piece of ``u`` is read from the bits of the float itself:
  ``(bits(u) >> (52 - m)) - base`` (exponent and the top ``m`` mantissa bits),
  and the fraction within the piece is the remaining mantissa bits.  The
  float's bit pattern is a piecewise-linear logarithm (Blinn 1997, "Floating-
  point tricks"), so the grid is geometric towards both ends of the
  distribution, where an inverse CDF has an infinite slope, and uniform in
  the middle, at the cost of an integer shift instead of the ``log`` of the
  logit grid used before.  Draws with ``v < 2^-32`` (probability 4.7e-10 per
  draw) are computed exactly, one by one, by the caller.
* :class:`GridTable` -- a function of a normal score ``z`` (the inverse CDF
  of ``Phi(z)``, which the Gaussian copula needs) on a uniform grid of ``z``
  in ``[-Z, Z]``: index ``floor((z + Z) / h)``.  ``|z| > Z`` is left to the
  caller.

The evaluation is the same sequence of IEEE operations in numpy here and in
the compiled kernel of :mod:`mkba_mc.uncertainty.kernels` (Horner without
fused multiply-add, then the clamp to the piece's end values), so both give
the same bits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

#: Lowest binade of a :class:`BinadeTable`: ``v`` in [2^-32, 1/2] is tabulated.
LOW_EXP: Final[int] = 32
#: Pieces per binade: ``2^m`` for ``m`` from ``M_START`` up to ``M_MAX``.
M_START, M_MAX = 3, 12
#: Largest |z| of a :class:`GridTable` (Phi(-8.5) = 9.5e-18).
Z_MAX: Final[float] = 8.5
#: Pieces of a grid table: from ``G_START`` doubling up to ``G_MAX``.
G_START, G_MAX = 256, 1 << 17

NodeFn = Callable[[np.ndarray, bool], tuple[np.ndarray, np.ndarray]]
"""``nodes(p, upper) -> (x, dx/dp)``: the function at ``u = p`` (lower half) or
``u = 1 - p`` (upper half, ``upper=True``) and its derivative in ``p``."""


def _coefficients(x: np.ndarray, d: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Rows ``(c0, c1, c2, c3)`` of the Hermite pieces between nodes.

    ``x`` and ``d`` are node values and slopes (``n + 1``), ``width`` the piece
    widths in the variable of ``d`` (``n``).  The slopes are limited so that
    every cubic is monotone (Fritsch & Carlson 1980, the ``tau <= 9``
    condition), and each piece is clamped to its end values.
    """
    dx = np.diff(x)
    m0 = d[:-1] * width
    m1 = d[1:] * width
    with np.errstate(all="ignore"):
        a0 = np.where(dx != 0, m0 / dx, 0.0)
        a1 = np.where(dx != 0, m1 / dx, 0.0)
    a0 = np.where(np.isfinite(a0) & (a0 > 0), a0, 0.0)
    a1 = np.where(np.isfinite(a1) & (a1 > 0), a1, 0.0)
    tau = a0 * a0 + a1 * a1
    lim = np.where(tau > 9.0, 3.0 / np.sqrt(np.maximum(tau, 9.0)), 1.0)
    m0 = a0 * lim * dx
    m1 = a1 * lim * dx
    c = np.empty((dx.size, 4))
    c[:, 0] = x[:-1]
    c[:, 1] = m0
    c[:, 2] = 3.0 * dx - 2.0 * m0 - m1
    c[:, 3] = -2.0 * dx + m0 + m1
    return c


def _midpoint_error(x: np.ndarray, d: np.ndarray, width: np.ndarray, xm: np.ndarray) -> float:
    """Max error of the (unlimited) Hermite cubics at the piece midpoints:
    the cubic there is the mean of the ends plus ``width (d0 - d1) / 8``."""
    return float(np.max(np.abs(0.5 * (x[:-1] + x[1:]) + 0.125 * width * (d[:-1] - d[1:]) - xm)))


def _merge(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.empty(a.size + b.size)
    out[0::2], out[1::2] = a, b
    return out


def _horner_clamped(coef: np.ndarray, idx: np.ndarray, frac: np.ndarray, out: np.ndarray) -> None:
    """``((c3 f + c2) f + c1) f + c0`` of the pieces ``idx``, clamped between
    ``c0`` of the piece and of the next one (separate multiply and add, no
    fused multiply-add: the compiled kernel performs the same operations)."""
    cols = np.ascontiguousarray(coef.T)  # one contiguous column per coefficient: fast np.take
    tmp = np.empty_like(out)
    np.take(cols[3], idx, out=out)
    out *= frac
    out += np.take(cols[2], idx, out=tmp)
    out *= frac
    out += np.take(cols[1], idx, out=tmp)
    out *= frac
    c0 = np.take(cols[0], idx)
    out += c0
    idx += 1
    nxt = np.take(cols[0], idx, out=tmp)
    np.maximum(out, np.minimum(c0, nxt), out=out)
    np.minimum(out, np.maximum(c0, nxt, out=c0), out=out)


def _refine(nodes: np.ndarray, mids: np.ndarray) -> np.ndarray:
    """Node values with the midpoint values inserted between them."""
    return np.append(_merge(nodes[:-1], mids), nodes[-1])


# ------------------------------------------------------------------ binade table
@dataclass(frozen=True)
class BinadeTable:
    """A monotone inverse CDF ``x(u)`` tabulated by the binades of ``u`` and ``1 - u``.

    Attributes
    ----------
    coef : numpy.ndarray
        ``(2 (n + 1) + 1, 4)`` pieces ``(c0, c1, c2, c3)``: the ``n + 1``
        of the lower half (``u < 1/2``), then those of the upper half
        (``v = 1 - u``); the last piece of each half is the constant value at
        ``u = 1/2``; a last row holds only the ``c0`` that clamps the piece
        before it.  Piece ``i`` is clamped between its ``c0`` and that of
        piece ``i + 1``.
    m : int
        ``2^m`` pieces per binade.
    error : float
        Estimated largest interpolation error (the units of the nodes).
    """

    coef: np.ndarray
    m: int
    error: float

    @property
    def shift(self) -> int:
        return 52 - self.m

    @property
    def base(self) -> int:
        """``bits(2^-LOW_EXP) >> shift``: the index of the first piece."""
        return int(np.float64(2.0 ** -LOW_EXP).view(np.int64)) >> self.shift

    @property
    def half(self) -> int:
        """Pieces per half (``n + 1``)."""
        return (self.coef.shape[0] - 1) // 2

    def evaluate(self, u: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``x(u)`` into ``out``; returns the indices of ``u`` outside the table
        (``min(u, 1 - u) < 2^-32``, ``u >= 1``, NaN), whose ``out`` is
        unspecified.  The operations are those of
        :func:`mkba_mc.uncertainty.kernels.binade_row`."""
        lower = u < 0.5
        v = np.where(lower, u, 1.0 - u)
        bits = v.view(np.int64)
        idx = (bits >> self.shift) - self.base
        frac = (bits & ((1 << self.shift) - 1)).astype(np.float64)
        frac *= 2.0 ** -self.shift
        h = self.half
        bad = np.flatnonzero(~((idx >= 0) & (idx < h)))
        idx[bad] = 0
        idx += np.where(lower, 0, h)
        _horner_clamped(self.coef, idx, frac, out)
        return bad


def binade_nodes(m: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``p`` of the pieces of one half at ``2^m`` pieces per binade
    (``(LOW_EXP - 1) 2^m + 1`` exact floats from ``2^-LOW_EXP`` to ``1/2``) and the
    piece widths."""
    shift = 52 - m
    base = int(np.float64(2.0 ** -LOW_EXP).view(np.int64)) >> shift
    k = np.arange((LOW_EXP - 1) * (1 << m) + 1, dtype=np.int64)
    p = ((base + k) << shift).view(np.float64)
    return p, np.diff(p)


def build_binade_table(nodes: NodeFn, tol: float) -> BinadeTable:
    """Tabulate an inverse CDF by binades, refining ``m`` until the midpoint
    error of both halves is at most ``tol`` (or ``m = M_MAX``).

    Parameters
    ----------
    nodes : callable
        ``nodes(p, upper) -> (x, dx/dp)``, see :data:`NodeFn`; ``x`` must be
        non-decreasing in ``u``.
    tol : float
        Largest interpolation error, in the units of ``x``.
    """
    m = M_START
    p, width = binade_nodes(m)
    halves = [nodes(p, False), nodes(p, True)]
    while True:
        pm = p[:-1] + 0.5 * width  # exact: half a piece is a float of the same binade
        mids = [nodes(pm, False), nodes(pm, True)]
        err = max(_midpoint_error(x, d, width, xm) for (x, d), (xm, _) in zip(halves, mids))
        # the midpoints become nodes: 2^(m+1) pieces per binade, error about err / 16
        halves = [(_refine(x, xm), _refine(d, dm)) for (x, d), (xm, dm) in zip(halves, mids)]
        m += 1
        p, width = binade_nodes(m)
        if err <= tol * 16.0 or m > M_MAX:
            break
    (xl, dl), (xu, du) = halves
    if not (np.isfinite(xl).all() and np.isfinite(xu).all()):
        raise FloatingPointError("inverse CDF table is not finite")
    xl = np.maximum.accumulate(xl)  # non-decreasing in u after rounding
    xu[-1] = xl[-1]  # one value at u = 1/2 for both halves
    xu = np.minimum.accumulate(xu)  # non-increasing in v = 1 - u
    mid = xu[-1]
    xl = np.minimum(xl, mid)
    coef = []
    for x, d in ((xl, dl), (xu, du)):
        d = np.where(np.isfinite(d), d, 0.0)
        c = _coefficients(x, d, width)
        coef.append(np.vstack([c, [[mid, 0.0, 0.0, 0.0]]]))
    coef.append(np.array([[mid, 0.0, 0.0, 0.0]]))  # the clamp of the upper half's last piece
    return BinadeTable(np.ascontiguousarray(np.vstack(coef)), m, err / 16.0)


# ------------------------------------------------------------------ grid table
@dataclass(frozen=True)
class GridTable:
    """A monotone function of ``z`` on the uniform grid ``-Z_MAX + i h``.

    ``s = z * invh + off``, piece ``i = floor(s)``, ``f = s - i``; the rows of
    ``coef`` are as in :class:`BinadeTable` (``n`` pieces and the clamp row).
    """

    coef: np.ndarray
    invh: float
    off: float
    error: float

    def evaluate(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``g(z)`` into ``out``; returns the indices outside ``[-Z_MAX, Z_MAX)``
        (and NaN).  The operations are those of
        :func:`mkba_mc.uncertainty.kernels.grid_row`."""
        s = z * self.invh
        s += self.off
        n = self.coef.shape[0] - 1
        bad = np.flatnonzero(~((s >= 0.0) & (s < n)))
        s[bad] = 0.0
        idx = s.astype(np.int64)
        frac = s - idx
        _horner_clamped(self.coef, idx, frac, out)
        return bad


def build_grid_table(fn: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], tol: float) -> GridTable:
    """Tabulate ``g(z)`` on ``[-Z_MAX, Z_MAX]`` with ``fn(z) -> (g, dg/dz)``,
    doubling the pieces until the midpoint error is at most ``tol``."""
    n = G_START
    z = np.linspace(-Z_MAX, Z_MAX, n + 1)
    x, d = fn(z)
    while True:
        h = z[1] - z[0]
        zm = 0.5 * (z[:-1] + z[1:])
        xm, dm = fn(zm)
        err = _midpoint_error(x, d, np.full(n, h), xm)
        z, x, d = _refine(z, zm), _refine(x, xm), _refine(d, dm)
        n *= 2
        if err <= tol * 16.0 or n >= G_MAX:
            break
    if not np.isfinite(x).all():
        raise FloatingPointError("grid table is not finite")
    h = 2.0 * Z_MAX / n
    z = -Z_MAX + h * np.arange(n + 1)
    x = np.maximum.accumulate(x)
    d = np.where(np.isfinite(d), d, 0.0)
    coef = np.vstack([_coefficients(x, d, np.full(n, h)), [[x[-1], 0.0, 0.0, 0.0]]])  # + the last clamp
    return GridTable(np.ascontiguousarray(coef), 1.0 / h, Z_MAX / h, err / 16.0)


__all__ = ["BinadeTable", "GridTable", "LOW_EXP", "Z_MAX", "binade_nodes", "build_binade_table", "build_grid_table"]
