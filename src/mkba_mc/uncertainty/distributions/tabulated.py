"""Beta and PERT with a tabulated inverse CDF.

A monotone cubic Hermite interpolant (Fritsch & Carlson 1980) by the binades
of ``u`` and ``1 - u`` (:class:`~.tables.BinadeTable`), built once per object
from :func:`scipy.special.betaincinv` with the exact slopes
``dx/du = 1 / pdf(x)``; for the Gaussian copula a second one of
``F^-1(Phi(z))`` on a grid of normal scores (:class:`~.tables.GridTable`).
See :mod:`mkba_mc.uncertainty.distributions` (Speed) for the grid and its
accuracy.  PERT: Malcolm et al. (1959); Vose (2008) §9.1.7.
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
from .. import libm
from .base import (
    MAX_LAMB,
    MAX_SHAPE,
    MIN_SHAPE,
    Distribution,
    _mode_problems,
    _range_problems,
    scipy_stats,
)
from .tables import BinadeTable, GridTable, build_binade_table, build_grid_table

#: Largest interpolation error of a table, as a fraction of ``high - low``
#: (the accuracy promised is 1e-8; the midpoint estimate is kept ten times below).
_TABLE_TOL = 1e-9


def _beta_log_pdf(a: float, b: float, log_x: np.ndarray, log_y: np.ndarray) -> np.ndarray:
    """Log density of the standard beta from ``log x`` and ``log (1 - x)``."""
    lp = -float(special.betaln(a, b)) + (0.0 if a == 1 else (a - 1) * log_x) + (0.0 if b == 1 else (b - 1) * log_y)
    return np.broadcast_to(lp, np.shape(log_x)).astype(np.float64)


def _beta_half(a: float, b: float, p: np.ndarray, upper: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standard beta quantile at ``u = p`` (lower half) or ``u = 1 - p`` (upper
    half): ``x``, ``1 - x`` (each accurate where it is small) and the log pdf."""
    if upper:
        y = _beta_lower(b, a, p)
        x = 1.0 - y
        with np.errstate(all="ignore"):
            log_pdf = _beta_log_pdf(a, b, libm.log1p(-y), libm.log(y))
    else:
        x = _beta_lower(a, b, p)
        y = 1.0 - x
        with np.errstate(all="ignore"):
            log_pdf = _beta_log_pdf(a, b, libm.log(x), libm.log1p(-x))
    return x, y, log_pdf


def _scaled_nodes(x: np.ndarray, y: np.ndarray, slope: np.ndarray, upper: bool, low: float,
                  high: float) -> tuple[np.ndarray, np.ndarray]:
    """Standard-unit nodes to ``[low, high]``: ``high - w y`` in the upper half
    (accurate near ``high``), ``low + w x`` in the lower; slopes times ``w``."""
    w = high - low
    v = high - w * y if upper else low + w * x
    slope = np.where(np.isfinite(slope), slope * w, 0.0)
    return np.clip(v, low, high), slope


def _build_beta_table(a: float, b: float, low: float, high: float) -> BinadeTable:
    """The :class:`~.tables.BinadeTable` of the beta(a, b) inverse CDF on
    [low, high], with the exact slopes ``dx/du = 1 / pdf(x)``."""

    def nodes(p: np.ndarray, upper: bool) -> tuple[np.ndarray, np.ndarray]:
        x, y, log_pdf = _beta_half(a, b, p, upper)
        with np.errstate(all="ignore"):
            slope = libm.exp(-log_pdf)
        return _scaled_nodes(x, y, -slope if upper else slope, upper, low, high)

    return build_binade_table(nodes, _TABLE_TOL * (high - low))


def _build_beta_grid(a: float, b: float, low: float, high: float) -> GridTable:
    """The :class:`~.tables.GridTable` of ``z -> F^-1(Phi(z))`` (the beta
    inverse CDF of a normal score, for the Gaussian copula), slopes
    ``phi(z) / pdf(x)``; ``Phi`` of ``-|z|`` keeps both tails accurate."""

    def fn(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        v = np.empty_like(z)
        d = np.empty_like(z)
        for upper, sel in ((False, z <= 0), (True, z > 0)):
            zs = z[sel]
            x, y, log_pdf = _beta_half(a, b, special.ndtr(-np.abs(zs)), upper)
            with np.errstate(all="ignore"):
                slope = libm.exp(-0.5 * zs * zs - 0.5 * math.log(2.0 * math.pi) - log_pdf)
            v[sel], d[sel] = _scaled_nodes(x, y, slope, upper, low, high)
        return v, d

    return build_grid_table(fn, _TABLE_TOL * (high - low))


def _beta_lower(a: float, b: float, u: np.ndarray) -> np.ndarray:
    """Standard beta inverse CDF for ``u <= 1/2``, robust for tiny ``u``.

    :func:`scipy.special.betaincinv` gives NaN or wrong values for very small
    ``u`` (e.g. ``u = 5e-17`` with ``a = 1.03, b = 0.37``; ``u < 1e-200``).
    Where ``w = (a B(a, b) u) ** (1/a)`` (computed in logs: no underflow) is
    below 1e-4 the expansion ``x = w (1 + (b-1)/(a+1) w)`` is used instead
    (its error is then below 1e-12), and also wherever ``betaincinv`` fails.
    """
    with np.errstate(divide="ignore"):
        w = libm.exp((math.log(a) + float(special.betaln(a, b)) + libm.log(u)) / a)
    x = w * (1.0 + (b - 1.0) / (a + 1.0) * w)
    exact = w >= 1e-4
    if exact.any():
        xe = special.betaincinv(a, b, u[exact])
        x[exact] = np.where(np.isfinite(xe), xe, x[exact])
    return x


class _TabulatedBeta(ABC):
    """Mixin: ``ppf`` of a (scaled) beta through a cached :class:`~.tables.BinadeTable`."""

    low: float
    high: float

    @property
    @abstractmethod
    def _shape(self) -> tuple[float, float]:
        """Shape parameters ``(a, b)`` of the standard beta."""

    @cached_property
    def _table(self) -> BinadeTable:
        a, b = self._shape
        return _build_beta_table(a, b, self.low, self.high)

    @cached_property
    def _grid(self) -> GridTable:
        """The inverse CDF of a normal score (built when the copula needs it)."""
        a, b = self._shape
        return _build_beta_grid(a, b, self.low, self.high)

    def _prepare(self) -> None:
        self._table

    @property
    def table_error(self) -> float:
        """Estimated max error of the tabulated ``ppf``, in the distribution's units."""
        return self._table.error

    def _exact(self, u: np.ndarray) -> np.ndarray:
        """The inverse CDF computed directly (the few draws outside a table)."""
        a, b = self._shape
        w = self.high - self.low
        x = np.empty_like(u)
        lower = u < 0.5
        x[lower] = self.low + w * _beta_lower(a, b, np.maximum(u[lower], 0.0))
        x[~lower] = self.high - w * _beta_lower(b, a, np.maximum(1.0 - u[~lower], 0.0))
        return np.clip(x, self.low, self.high)

    def _exact_z(self, z: np.ndarray) -> np.ndarray:
        """``F^-1(Phi(z))`` computed directly (normal scores outside the grid)."""
        return self._exact(special.ndtr(z))

    def _kernel(self, u, out, work):
        bad = self._table.evaluate(u, out)
        # Beyond the table (min(u, 1 - u) < 2^-32, about one draw in 2e9; u = 0):
        # computed one by one.
        if bad.size:
            out[bad] = self._exact(u[bad])


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
