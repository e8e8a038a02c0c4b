"""Regression bases and streamed sums of the value-of-information analysis.

The EVPPI of a parameter (or of a knop, a group of parameters) is estimated
with the regression method of Strong, Oakley & Brennan (2014, *Med Decis
Making* 34:311-326, §2.2): the net benefit ``y`` of every sample is
regressed on a smooth basis of the parameter(s) of interest, and the fitted
values ``g(theta) ~= E[y | theta]`` take the place of the inner expectation.
This module holds the bases and the sums that stream over the samples.

Bases
    One parameter: a restricted (natural) cubic spline (Harrell 2015,
    *Regression Modeling Strategies*, §2.4.5: cubic between the knots,
    linear beyond the outer ones) with knots at fixed quantiles of the
    parameter's distribution (Harrell's Table 2.3), known before sampling
    through the distribution's inverse CDF.  A knop: the additive sum of
    its parameters' splines (fewer knots) plus pairwise products of the
    standardised parameters (low-order interactions).

Sums
    Every sum is made per *accumulation block* of :data:`ACC_BLOCK`
    samples counted from the start of a design block (whose size is a
    multiple of it, or the whole design), with an elementwise numpy
    reduction over the block's contiguous values; the blocks are then added
    one after the other in sample order.  No BLAS product is used, so the sums
    -- and with them the small solve made once in the calling process and
    the EVPPI -- are bit-identical whatever the chunk size or the number of
    workers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

#: Samples per accumulation block (a divisor of the design block, 65,536).
ACC_BLOCK: Final[int] = 4096
#: Knot quantiles by number of knots (Harrell 2015, Table 2.3).
KNOT_QUANTILES: Final[dict[int, tuple[float, ...]]] = {
    3: (0.10, 0.50, 0.90),
    4: (0.05, 0.35, 0.65, 0.95),
    5: (0.05, 0.275, 0.50, 0.725, 0.95),
    6: (0.05, 0.23, 0.41, 0.59, 0.77, 0.95),
    7: (0.025, 0.1833, 0.3417, 0.50, 0.6583, 0.8167, 0.975),
}


@dataclass(frozen=True)
class Spline:
    """Restricted cubic spline of one sampled input (row ``row`` of the design).

    The input is standardised, ``z = (x - centre) / scale`` (centre the middle
    knot, scale the outer knots' distance), and the columns are ``z`` and,
    for ``j = 1 .. K - 2``, Harrell's (2015, eq. 2.25) truncated-power terms

    ``(z-t_j)_+^3 - (z-t_{K-1})_+^3 (t_K-t_j)/(t_K-t_{K-1}) + (z-t_K)_+^3 (t_{K-1}-t_j)/(t_K-t_{K-1})``,

    which are linear beyond the outer knots.  Fewer than three distinct knots
    (a discrete input) leave the linear term only.
    """

    row: int
    centre: float
    scale: float
    knots: tuple[float, ...]

    @property
    def width(self) -> int:
        return 1 + max(0, len(self.knots) - 2)

    def columns(self, x: Array) -> list[Array]:
        """The spline's columns at the values ``x``."""
        z = (x - self.centre) / self.scale
        cols = [z]
        t = self.knots
        k = len(t)
        if k >= 3:
            d = t[-1] - t[-2]
            cube = [_cube_above(z, tj) for tj in t]
            for j in range(k - 2):
                h = cube[j]
                h -= cube[-2] * ((t[-1] - t[j]) / d)
                h += cube[-1] * ((t[-2] - t[j]) / d)
                cols.append(h)
        return cols


def _cube_above(z: Array, t: float) -> Array:
    """``max(z - t, 0)^3`` (products, not ``**``: a third of the time)."""
    u = np.subtract(z, t)
    np.maximum(u, 0.0, out=u)
    c = u * u
    c *= u
    return c


def spline_for(row: int, quantile: Any, knots: int) -> Spline:
    """The spline of an input whose inverse CDF is ``quantile(u)`` (arrays)."""
    t = np.unique(np.asarray(quantile(np.array(KNOT_QUANTILES[knots])), dtype=float))
    centre = float(t[len(t) // 2])
    scale = float(t[-1] - t[0]) if len(t) > 1 and t[-1] > t[0] else max(abs(centre), 1.0)
    return Spline(row, centre, scale, tuple(float(v) for v in (t - centre) / scale) if len(t) >= 3 else ())


@dataclass(frozen=True)
class Basis:
    """Regression basis of one factor: intercept, the members' splines and
    pairwise interactions ``z_a z_b`` of the members ``pairs``."""

    name: str
    kind: str  # "parameter" or "knop"
    splines: tuple[Spline, ...]
    pairs: tuple[tuple[int, int], ...] = ()

    @property
    def width(self) -> int:
        return 1 + sum(s.width for s in self.splines) + len(self.pairs)

    def design(self, x: Array) -> Array:
        """The ``(width, rows)`` design matrix (transposed: one row per column of
        the regression) at the design rows ``x`` (``(dims, rows)``)."""
        X = np.empty((self.width, x.shape[1]))
        X[0] = 1.0
        c = 1
        lin = []
        for s in self.splines:
            for col in s.columns(x[s.row]):
                X[c] = col
                c += 1
            lin.append(c - s.width)
        for a, b in self.pairs:
            np.multiply(X[lin[a]], X[lin[b]], out=X[c])
            c += 1
        return X


def block_sums(P: Array, out: Array, offset: int) -> None:
    """Add the row sums of ``P`` (``(w, rows)``) per accumulation block into
    ``out[:, offset:offset + w]`` (``out`` has one row per block of ``P``).

    Each sum runs over the :data:`ACC_BLOCK` contiguous values of one block
    (numpy's pairwise summation of a contiguous run), the same values in the
    same layout whatever the chunk the block came in."""
    w, m = P.shape
    full = m // ACC_BLOCK
    if full:
        out[:full, offset:offset + w] += P[:, :full * ACC_BLOCK].reshape(w, full, ACC_BLOCK).sum(axis=2).T
    if m > full * ACC_BLOCK:
        out[full, offset:offset + w] += P[:, full * ACC_BLOCK:].sum(axis=1)


def fit_width(basis: Basis, q: int) -> int:
    """Length of the normal-equation sums of a basis: ``X'X`` (upper) and ``X'Y``."""
    p = basis.width
    return p * (p + 1) // 2 + p * q


def fit_sums(X: Array, Y: Array, out: Array, offset: int) -> int:
    """Add the per-block sums of ``X'X`` (upper triangle, row by row) and
    ``X'Y`` (``X`` ``(p, rows)``, ``Y`` ``(q, rows)``) into ``out`` from
    ``offset``; return the next offset."""
    p = X.shape[0]
    for i in range(p):
        block_sums(X[i:] * X[i], out, offset)
        offset += p - i
    for i in range(p):
        block_sums(Y * X[i], out, offset)
        offset += Y.shape[0]
    return offset


def unpack_fit(v: Array, p: int, q: int) -> tuple[Array, Array]:
    """``X'X`` (symmetric, ``(p, p)``) and ``X'Y`` (``(p, q)``) from :func:`fit_sums`' layout."""
    XtX = np.zeros((p, p))
    o = 0
    for i in range(p):
        XtX[i, i:] = v[o:o + p - i]
        o += p - i
    XtX = XtX + np.triu(XtX, 1).T
    return XtX, v[o:o + p * q].reshape(p, q)


def gain_width(basis: Basis, q: int) -> int:
    """Length of the second-pass sums of a basis (see :func:`gain_sums`)."""
    return 5 * q + basis.width * q


def fitted(X: Array, beta: Array) -> Array:
    """``(X' beta)'`` (``(q, rows)``) summed term by term in a fixed order (no BLAS)."""
    g = beta[0][:, None] * X[0]
    for i in range(1, X.shape[0]):
        g += beta[i][:, None] * X[i]
    return g


def gain_sums(X: Array, Y: Array, beta: Array, sign: Array, out: Array, offset: int) -> int:
    """Add the second-pass sums of one basis: ``max(g, 0)``, ``z`` and ``z^2``
    with ``z = max(g, 0) - sign * g`` (the outer Monte Carlo term: with an
    intercept the mean of ``g`` is the mean of ``y``), the
    residual ``y - g`` and its square, and ``1{g > 0} X`` (the gradient of the
    EVPPI in the coefficients, for the delta-method standard error)."""
    g = fitted(X, beta)
    pos = np.maximum(g, 0.0)
    z = pos - sign[:, None] * g
    r = Y - g
    q = Y.shape[0]
    for part in (pos, z, z * z, r, r * r):
        block_sums(part, out, offset)
        offset += q
    ind = (g > 0.0).astype(np.float64)
    for i in range(X.shape[0]):
        block_sums(ind * X[i], out, offset)
        offset += q
    return offset


def evpi_sums(Y: Array, out: Array) -> None:
    """Add the per-block sums of ``y``, ``y^2``, ``max(y, 0)``, its square,
    ``y max(y, 0)`` and ``1{y > 0}`` (``Y`` ``(q, rows)``) into ``out[:, :6 q]``."""
    pos = np.maximum(Y, 0.0)
    q = Y.shape[0]
    for k, part in enumerate((Y, Y * Y, pos, pos * pos, Y * pos, (Y > 0.0).astype(np.float64))):
        block_sums(part, out, k * q)


def solve(XtX: Array, XtY: Array) -> tuple[Array, Array]:
    """Least-squares coefficients of the normal equations, equilibrated
    (``D X'X D``, ``D = diag(X'X)^-1/2``) and solved by SVD with a relative
    cut-off of 1e-12 (a column without variation gets coefficient 0).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``beta`` ``(p, q)`` and the pseudo-inverse of ``X'X`` ``(p, p)``.
    """
    d = np.sqrt(np.diag(XtX))
    d[d == 0] = 1.0
    A = XtX / d[:, None] / d[None, :]
    pinv = np.linalg.pinv(A, rcond=1e-12, hermitian=True)
    beta = pinv @ (XtY / d[:, None]) / d[:, None]
    return beta, pinv / d[:, None] / d[None, :]


def knop_pairs(members: Sequence[int], score: Sequence[float], most: int) -> tuple[tuple[int, int], ...]:
    """Pairs ``(a, b)`` (indices into ``members``) of the ``most`` members
    with the highest ``score`` (all pairs when there are at most ``most``)."""
    order = sorted(range(len(members)), key=lambda i: (-score[i], i))[:most]
    keep = sorted(order)
    return tuple((a, b) for i, a in enumerate(keep) for b in keep[i + 1:])


def finish(order: Sequence[Basis], fits: Mapping[str, tuple[Basis, Array, Array, Array]],
            gains: Mapping[str, Array], N: float, mean: Array, sign: Array, evpi: Array, evpi_se: Array,
            tss: Array) -> tuple[Array, Array, Array, Array, Array, list[list[str]], list[str]]:
    """EVPPI, its standard error and checks of every factor from the pass sums
    (the estimators and checks of :mod:`mkba_mc.sensitivity.voi`'s docstring).

    Returns
    -------
    tuple
        ``evppi`` (clipped to [0, EVPI]), ``raw``, ``se``, ``r2``, the mean
        residual (each ``(factors, perspectives)``), the flags per factor and
        perspective and the warnings.
    """
    q = len(mean)
    f = len(order)
    evppi, raw, se, r2, rmean = (np.zeros((f, q)) for _ in range(5))
    flags: list[list[str]] = []
    warns: list[str] = []
    sd_y = np.sqrt(np.maximum(tss, 0.0) / N)
    for i, b in enumerate(order):
        _, beta, inv, XtX = fits[b.name]
        v = gains[b.name]
        p = b.width
        pos, z, z2, r, rr = (v[k * q:(k + 1) * q] / N for k in range(5))
        G = v[5 * q:].reshape(p, q) / N - sign[None, :] * (XtX[0, :] / N)[:, None]
        sigma2 = rr * N / max(N - p, 1.0)
        se_reg = np.sqrt(np.maximum(sigma2 * np.einsum("pq,pr,rq->q", G, inv, G), 0.0))
        se_mc = np.sqrt(np.maximum(z2 - z ** 2, 0.0) / N)
        raw[i] = pos - np.maximum(mean, 0.0)
        se[i] = np.sqrt(se_mc ** 2 + se_reg ** 2)
        rmean[i] = r
        r2[i] = np.where(tss > 0, 1.0 - rr * N / np.where(tss > 0, tss, 1.0), np.nan)
        # a fit that never changes the decision gives E[max(g, 0)] = E[g] = E[y] up to rounding: below that
        # level (1e-9 of the net benefit's scale) the EVPPI is 0, not a few micro-euros of noise
        noise = 1e-9 * (sd_y + np.abs(mean))
        evppi[i] = np.where(raw[i] <= noise, 0.0, np.clip(raw[i], 0.0, evpi))
        row = []
        for k in range(q):
            fl = []
            if raw[i, k] < -2 * se[i, k] - 1e-9 * sd_y[k]:
                fl.append("below_zero")
            if raw[i, k] > evpi[k] + 2 * np.hypot(se[i, k], evpi_se[k]) + 1e-9 * sd_y[k]:
                fl.append("above_evpi")
            if abs(r[k]) > 1e-6 * sd_y[k] + 1e-9:
                fl.append("residual_mean")
            row.append(fl)
        flags.append(row)
    bad = [(b.name, k, fl) for b, row in zip(order, flags) for k, fl in enumerate(row) if fl]
    if bad:
        warns.append(f"{len(bad)} EVPPI estimates failed a regression check (0 <= EVPPI <= EVPI beyond two standard "
                     f"errors, or a mean residual not ~ 0) and were clipped; first: {bad[0][0]} ({', '.join(bad[0][2])})")
    return evppi, raw, se, r2, rmean, flags, warns


__all__ = ["ACC_BLOCK", "Basis", "KNOT_QUANTILES", "Spline", "block_sums", "evpi_sums", "finish", "fit_sums", "fit_width",
           "fitted", "gain_sums", "gain_width", "knop_pairs", "solve", "spline_for", "unpack_fit"]
