"""Distributions with closed-form inverse CDFs: fixed, uniform, triangular,
and loguniform (the normal family is in :mod:`.normal`).

The closed forms and their numerical care are described in
:mod:`mkba_mc.uncertainty.distributions` (Speed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ...errors import Problem
from .. import libm
from .base import (
    Distribution,
    _clip,
    _mode_problems,
    _range_problems,
    _Work,
    scipy_stats,
)


@dataclass(frozen=True)
class Fixed(Distribution):
    """A point mass at ``value``.

    :meth:`to_scipy` returns None: scipy has no degenerate continuous
    distribution (``scale=0`` is invalid).
    """

    value: float
    name: ClassVar[str] = "fixed"
    _REQUIRED = ("value",)

    def _kernel(self, u: np.ndarray, out: np.ndarray, work: _Work) -> None:
        out.fill(self.value)

    def to_scipy(self) -> None:
        return None

    def mean(self) -> float:
        return self.value

    def support(self) -> tuple[float, float]:
        return (self.value, self.value)

    def central(self) -> float:
        return self.value


def _branch_masks(work: _Work, u: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """0/1 masks ``u < threshold`` and its complement, and a float scratch
    array, from ``work``: a two-branch inverse CDF multiplies each branch by
    its mask (exact, and much faster than ufuncs with ``where=``)."""
    k = u.size
    lower = work.get("m1", k, np.bool_)
    upper = work.get("m2", k, np.bool_)
    tmp = work.get("f1", k)
    np.less(u, threshold, out=lower)
    np.logical_not(lower, out=upper)
    return lower, upper, tmp


@dataclass(frozen=True)
class _OnRange(Distribution):
    """A distribution given by its range [low, high] alone (its support)."""

    low: float
    high: float
    _REQUIRED = ("low", "high")

    @classmethod
    def _cross_check(cls, v, source, key):
        return _range_problems(v, source, key)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


@dataclass(frozen=True)
class Uniform(_OnRange):
    """Uniform on [low, high]."""

    name: ClassVar[str] = "uniform"

    def _kernel(self, u, out, work):
        np.multiply(u, self.high - self.low, out=out)
        out += self.low
        _clip(out, self.low, self.high)

    def to_scipy(self):
        return scipy_stats().uniform(loc=self.low, scale=self.high - self.low)

    def mean(self) -> float:
        return 0.5 * (self.low + self.high)



@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular on [low, high] with its peak at ``mode``.

    ``ppf`` is ``low + sqrt(u (high-low)(mode-low))`` below
    ``c = (mode-low)/(high-low)`` and ``high - sqrt((1-u)(high-low)(high-mode))``
    above it.
    """

    low: float
    mode: float
    high: float
    name: ClassVar[str] = "triangular"
    _REQUIRED = ("low", "mode", "high")

    @classmethod
    def _cross_check(cls, v, source, key):
        return _mode_problems(v, source, key)

    def _kernel(self, u, out, work):
        w = self.high - self.low
        c = (self.mode - self.low) / w
        lower, upper, tmp = _branch_masks(work, u, c)
        np.subtract(1.0, u, out=tmp)
        tmp *= w * (self.high - self.mode)
        tmp *= upper
        np.multiply(u, w * (self.mode - self.low), out=out)
        out *= lower
        out += tmp
        np.sqrt(out, out=out)
        # Each branch is clipped at the mode, so that rounding cannot make
        # ppf decrease where the branches meet.
        np.subtract(self.high, out, out=tmp)
        np.maximum(tmp, self.mode, out=tmp)
        tmp *= upper
        out += self.low
        np.minimum(out, self.mode, out=out)
        out *= lower
        out += tmp
        _clip(out, self.low, self.high)

    def to_scipy(self):
        w = self.high - self.low
        return scipy_stats().triang((self.mode - self.low) / w, loc=self.low, scale=w)

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def central(self) -> float:
        return self.mode


@dataclass(frozen=True)
class LogUniform(_OnRange):
    """Log-uniform (reciprocal) on [low, high], ``low > 0``."""

    name: ClassVar[str] = "loguniform"

    @classmethod
    def _cross_check(cls, v, source, key):
        if "low" in v and not v["low"] > 0:
            return [Problem(source, f"{key}.low", v["low"], "low > 0")]
        return super()._cross_check(v, source, key)

    def _kernel(self, u, out, work):
        np.multiply(u, math.log(self.high) - math.log(self.low), out=out)
        out += math.log(self.low)
        libm.exp(out, out=out)
        _clip(out, self.low, self.high)

    def to_scipy(self):
        return scipy_stats().loguniform(self.low, self.high)

    def mean(self) -> float:
        return (self.high - self.low) / (math.log(self.high) - math.log(self.low))
