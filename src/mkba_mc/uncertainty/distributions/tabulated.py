"""Beta and PERT with a tabulated inverse CDF.

A cubic Hermite interpolant of ``x`` in the logit ``t = log(u / (1 - u))``,
built once per object from :func:`scipy.special.betaincinv` with the exact
slopes ``dx/dt = u (1 - u) / pdf(x)`` (Fritsch & Carlson 1980 monotone
pieces); see :mod:`mkba_mc.uncertainty.distributions` (Speed) for the grid
and its accuracy.  PERT: Malcolm et al. (1959); Vose (2008) §9.1.7.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import numpy as np
from scipy import special

from ...errors import Problem
from .base import (
    MAX_LAMB,
    MAX_SHAPE,
    MIN_SHAPE,
    Distribution,
    _clip,
    _mode_problems,
    _range_problems,
    scipy_stats,
)

#: Half-width of the logit grid: covers u in [expit(-37.5), expit(37.5)] ~ [5e-17, 1 - 5e-17].
_T_MAX = 37.5
_N_START = 513
_TABLE_TOL = 1e-8
_N_MAX = (1 << 17) + 1


def _beta_nodes(a: float, b: float, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standard beta inverse CDF ``x(t)`` and slope ``dx/dt`` at logits ``t``."""
    lower = t <= 0
    upper = ~lower
    u_lo = special.expit(t[lower])
    v_up = special.expit(-t[upper])
    x = np.empty_like(t)
    y = np.empty_like(t)
    x[lower] = _beta_lower(a, b, u_lo)
    y[lower] = 1.0 - x[lower]
    y[upper] = _beta_lower(b, a, v_up)  # 1 - x, accurate near x = 1
    x[upper] = 1.0 - y[upper]
    with np.errstate(all="ignore"):
        log_x = np.where(lower, np.log(x), np.log1p(-y))
        log_y = np.where(lower, np.log1p(-x), np.log(y))
        log_pdf = -special.betaln(a, b) + (0.0 if a == 1 else (a - 1) * log_x) + (0.0 if b == 1 else (b - 1) * log_y)
        slope = np.exp(special.log_expit(t) + special.log_expit(-t) - log_pdf)
    slope[~np.isfinite(slope)] = 0.0
    return x, slope


@dataclass(frozen=True)
class _HermiteTable:
    """Cubic Hermite interpolant of a beta inverse CDF in the logit ``t``.

    ``x = c0[i] + f (c1[i] + f (c2[i] + f c3[i]))``, clamped to
    ``[c0[i], c0[i+1]]``, with ``s = t / h + off``, ``i = floor(s)``,
    ``f = s - i``; coefficients are in the units of the
    distribution (``low + (high-low) x_standard``). The last row is the
    constant end value.
    """

    c0: np.ndarray
    c1: np.ndarray
    c2: np.ndarray
    c3: np.ndarray
    c0_next: np.ndarray  # c0[i + 1]: upper clamp of piece i
    invh: float
    off: float
    h: float
    error: float  # estimated max interpolation error, standard units

    @property
    def nodes(self) -> int:
        return self.c0.size


def _build_beta_table(a: float, b: float, low: float, high: float) -> _HermiteTable:
    t = np.linspace(-_T_MAX, _T_MAX, _N_START)
    x, d = _beta_nodes(a, b, t)
    while True:
        h = t[1] - t[0]
        tm = 0.5 * (t[:-1] + t[1:])
        xm, dm = _beta_nodes(a, b, tm)
        # Hermite cubic at the midpoints: mean of the ends + h/8 (d0 - d1).
        err = float(np.max(np.abs(0.5 * (x[:-1] + x[1:]) + 0.125 * h * (d[:-1] - d[1:]) - xm)))
        n = 2 * t.size - 1
        t2, x2, d2 = np.empty(n), np.empty(n), np.empty(n)
        t2[0::2], t2[1::2] = t, tm
        x2[0::2], x2[1::2] = x, xm
        d2[0::2], d2[1::2] = d, dm
        t, x, d = t2, x2, d2
        # Halving h divides the error of a cubic Hermite interpolant by 16.
        if err / 16.0 <= _TABLE_TOL or n >= _N_MAX:
            break
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(d))):
        raise FloatingPointError(f"beta({a}, {b}): inverse CDF table is not finite")
    h = float(t[1] - t[0])
    w = high - low
    # Node values in the distribution's units, non-decreasing after rounding;
    # the cubics are built on these rounded values so that neighbouring
    # pieces meet.
    c0 = low + w * x
    np.maximum.accumulate(c0, out=c0)
    dx = np.diff(c0)
    m0 = w * h * d[:-1]
    m1 = w * h * d[1:]
    # Fritsch-Carlson: keep each cubic monotone (rarely active with exact slopes).
    with np.errstate(all="ignore"):
        tau = np.where(dx > 0, (m0**2 + m1**2) / dx**2, 0.0)
        limit = np.where(tau > 9.0, 3.0 / np.sqrt(tau), 1.0)
    limit = np.where(dx > 0, limit, 0.0)
    m0 = m0 * limit
    m1 = m1 * limit
    c1 = np.zeros(t.size)
    c2 = np.zeros(t.size)
    c3 = np.zeros(t.size)
    c1[:-1] = m0
    c2[:-1] = 3.0 * dx - 2.0 * m0 - m1
    c3[:-1] = -2.0 * dx + m0 + m1
    c0_next = np.append(c0[1:], c0[-1])
    return _HermiteTable(c0, c1, c2, c3, c0_next, invh=1.0 / h, off=_T_MAX / h, h=h, error=err / 16.0)


def _beta_lower(a: float, b: float, u: np.ndarray) -> np.ndarray:
    """Standard beta inverse CDF for ``u <= 1/2``, robust for tiny ``u``.

    :func:`scipy.special.betaincinv` gives NaN or wrong values for very small
    ``u`` (e.g. ``u = 5e-17`` with ``a = 1.03, b = 0.37``; ``u < 1e-200``).
    Where ``w = (a B(a, b) u) ** (1/a)`` (computed in logs: no underflow) is
    below 1e-4 the expansion ``x = w (1 + (b-1)/(a+1) w)`` is used instead
    (its error is then below 1e-12), and also wherever ``betaincinv`` fails.
    """
    with np.errstate(divide="ignore"):
        w = np.exp((math.log(a) + float(special.betaln(a, b)) + np.log(u)) / a)
    x = w * (1.0 + (b - 1.0) / (a + 1.0) * w)
    exact = w >= 1e-4
    if exact.any():
        xe = special.betaincinv(a, b, u[exact])
        x[exact] = np.where(np.isfinite(xe), xe, x[exact])
    return x


class _TabulatedBeta(ABC):
    """Mixin: ``ppf`` of a (scaled) beta through a cached :class:`_HermiteTable`."""

    low: float
    high: float

    @property
    @abstractmethod
    def _shape(self) -> tuple[float, float]:
        """Shape parameters ``(a, b)`` of the standard beta."""

    @cached_property
    def _table(self) -> _HermiteTable:
        a, b = self._shape
        return _build_beta_table(a, b, self.low, self.high)

    def _prepare(self) -> None:
        self._table

    @property
    def table_error(self) -> float:
        """Estimated max error of the tabulated ``ppf``, in the distribution's units."""
        return self._table.error * (self.high - self.low)

    def _kernel(self, u, out, work):
        tab = self._table
        k = u.size
        s = work.get("f1", k)
        frac = work.get("f2", k)
        tmp = work.get("f3", k)
        idx = work.get("i1", k, np.intp)
        # s = logit(u) / h + off: node index plus fraction.
        np.subtract(1.0, u, out=s)
        np.divide(u, s, out=s)
        np.log(s, out=s)
        s *= tab.invh
        s += tab.off
        np.modf(s, out=(frac, tmp))
        np.copyto(idx, tmp, casting="unsafe")
        np.take(tab.c3, idx, out=out, mode="clip")
        out *= frac
        np.take(tab.c2, idx, out=tmp, mode="clip")
        out += tmp
        out *= frac
        np.take(tab.c1, idx, out=tmp, mode="clip")
        out += tmp
        out *= frac
        np.take(tab.c0, idx, out=tmp, mode="clip")
        out += tmp
        # Clamp each piece to its end nodes: rounding cannot make ppf decrease.
        np.maximum(out, tmp, out=out)
        np.take(tab.c0_next, idx, out=tmp, mode="clip")
        np.minimum(out, tmp, out=out)
        # Beyond the grid (u < expit(-37.5) = 5e-17, i.e. only u = 0 for
        # 53-bit uniforms; or u >= 1): probability < 1e-16 per draw, so these
        # few are computed one by one in :func:`_beta_lower` (a leading-order
        # tail matched to the end node would be off by a relative
        # (b-1)/(a+1) x, up to 1e-3 for a = 30).
        last = tab.nodes - 1
        a, b = self._shape
        if s.min() < 0.0:
            j = np.flatnonzero(s < 0.0)
            out[j] = self.low + (self.high - self.low) * _beta_lower(a, b, u[j])
        if s.max() > last:
            j = np.flatnonzero(s > last)
            out[j] = self.high - (self.high - self.low) * _beta_lower(b, a, np.maximum(1.0 - u[j], 0.0))
        _clip(out, self.low, self.high)


@dataclass(frozen=True, eq=True)
class Beta(_TabulatedBeta, Distribution):
    """Beta(a, b) scaled to [low, high] (default [0, 1]); tabulated ``ppf``."""

    a: float
    b: float
    low: float = 0.0
    high: float = 1.0
    name: ClassVar[str] = "beta"
    _REQUIRED = ("a", "b")
    _OPTIONAL = ("low", "high")

    @classmethod
    def _cross_check(cls, v, source, key):
        problems = [Problem(source, f"{key}.{p}", v[p], f"{p} > 0, between {MIN_SHAPE:g} and {MAX_SHAPE:g}") for p in ("a", "b")
                    if p in v and not MIN_SHAPE <= v[p] <= MAX_SHAPE]
        return problems + _range_problems(v, source, key)

    @property
    def _shape(self) -> tuple[float, float]:
        return (self.a, self.b)

    def to_scipy(self):
        return scipy_stats().beta(self.a, self.b, loc=self.low, scale=self.high - self.low)

    def mean(self) -> float:
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


@dataclass(frozen=True, eq=True)
class Pert(_TabulatedBeta, Distribution):
    """Beta-PERT on [low, high] with mode ``mode`` and weight ``lamb`` (default 4).

    A beta with ``a = 1 + lamb (mode-low)/(high-low)``,
    ``b = 1 + lamb (high-mode)/(high-low)``; mean
    ``(low + lamb mode + high) / (lamb + 2)``. Tabulated ``ppf``.
    """

    low: float
    mode: float
    high: float
    lamb: float = 4.0
    name: ClassVar[str] = "pert"
    _REQUIRED = ("low", "mode", "high")
    _OPTIONAL = ("lamb",)

    @classmethod
    def _cross_check(cls, v, source, key):
        problems = _mode_problems(v, source, key)
        if "lamb" in v and not 0 < v["lamb"] <= MAX_LAMB:
            problems.append(Problem(source, f"{key}.lamb", v["lamb"], f"lamb > 0 and <= {MAX_LAMB:g} (4 is usual)"))
        return problems

    @property
    def _shape(self) -> tuple[float, float]:
        w = self.high - self.low
        return (1.0 + self.lamb * (self.mode - self.low) / w, 1.0 + self.lamb * (self.high - self.mode) / w)

    def to_scipy(self):
        a, b = self._shape
        return scipy_stats().beta(a, b, loc=self.low, scale=self.high - self.low)

    def mean(self) -> float:
        return (self.low + self.lamb * self.mode + self.high) / (self.lamb + 2.0)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def central(self) -> float:
        return self.mode
