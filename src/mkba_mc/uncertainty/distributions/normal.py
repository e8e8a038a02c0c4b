"""The normal family: normal, truncated normal and lognormal, in closed form.

Inverse CDFs through :func:`scipy.special.ndtri` (the truncated normal with
the tail-stable forms of its two branches); see
:mod:`mkba_mc.uncertainty.distributions` for the conventions and speed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from scipy import special

from ...errors import Problem
from .. import libm
from .base import (
    MAX_LOG_MU,
    MAX_LOG_SIGMA,
    Distribution,
    _clip,
    _fmt,
    scipy_stats,
)
from .closed import _branch_masks

#: Smallest log-probability of a truncnormal's interval (about 100 sd out in
#: a tail; further out the mean and the tail formulas lose all precision).
MIN_LOG_MASS = -5000.0
#: Smallest sd relative to max(1, |mean|): below it a normal is a fixed value.
MIN_RELATIVE_SD = 1e-12


def _sd_problems(v: Mapping[str, float], source: str, key: str) -> list[Problem]:
    if "sd" not in v:
        return []
    if not v["sd"] > 0:
        return [Problem(source, f"{key}.sd", v["sd"], "sd > 0")]
    floor = MIN_RELATIVE_SD * max(1.0, abs(v.get("mean", 0.0)))
    if v["sd"] < floor:
        return [Problem(source, f"{key}.sd", v["sd"], f"sd >= {floor:g} (1e-12 of max(1, |mean|); "
                                                      'for a value without spread use dist = "fixed")')]
    return []


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal with mean ``mean`` and standard deviation ``sd``.

    The fields are ``loc`` (the spec's ``mean``) and ``sd``; ``mean`` is the
    method every distribution has.
    """

    loc: float
    sd: float
    name: ClassVar[str] = "normal"
    _REQUIRED = ("mean", "sd")

    @classmethod
    def _cross_check(cls, v, source, key):
        return _sd_problems(v, source, key)

    def _kernel(self, u, out, work):
        special.ndtri(u, out=out)
        out *= self.sd
        out += self.loc

    def to_scipy(self):
        return scipy_stats().norm(loc=self.loc, scale=self.sd)

    def mean(self) -> float:
        return self.loc

    def support(self) -> tuple[float, float]:
        return (-math.inf, math.inf)


@dataclass(frozen=True)
class TruncNormal(Distribution):
    """Normal(``mean``, ``sd``) truncated to [low, high].

    ``low`` / ``high`` default to -inf / +inf (one-sided truncation). With
    ``alpha = (low-mean)/sd``, ``beta = (high-mean)/sd`` and ``Z`` the mass
    in between, a draw is ``ndtri(Phi(alpha) + u Z)`` where that is below
    1/2 and ``-ndtri(Q(beta) + (1-u) Z)`` (``Q`` the upper tail) otherwise:
    both arguments are then at most 1/2 and carry full relative precision,
    so a region deep in either tail keeps its accuracy. When the tail mass
    underflows (about 37 sd out) the same formulas are evaluated in logs
    (:func:`scipy.special.log_ndtr`, :func:`scipy.special.ndtri_exp`).
    """

    loc: float
    sd: float
    low: float = -math.inf
    high: float = math.inf
    name: ClassVar[str] = "truncnormal"
    _REQUIRED = ("mean", "sd")
    _OPTIONAL = ("low", "high")
    _INF_DEFAULTS = {"low": -math.inf, "high": math.inf}

    @classmethod
    def _cross_check(cls, v, source, key):
        problems = _sd_problems(v, source, key)
        if "low" in v and "high" in v and not v["low"] < v["high"]:
            problems.append(Problem(source, f"{key}.low", v["low"], f"low < high (high = {_fmt(v['high'])})"))
        elif not problems and "mean" in v and "sd" in v:
            a = (v.get("low", -math.inf) - v["mean"]) / v["sd"]
            b = (v.get("high", math.inf) - v["mean"]) / v["sd"]
            if math.isnan(a) or math.isnan(b) or not _log_gauss_mass(a, b) >= MIN_LOG_MASS:
                where = f"{key}.low" if "low" in v else f"{key}.high"
                problems.append(Problem(source, where, v.get("low", v.get("high")),
                                        "a truncation interval [low, high] with positive probability "
                                        "under normal(mean, sd)"))
        return problems

    @cached_property
    def _consts(self) -> dict[str, Any]:
        a = (self.low - self.loc) / self.sd
        b = (self.high - self.loc) / self.sd
        c: dict[str, Any] = {"a": a, "b": b}
        log_pb = float(special.log_ndtr(b))
        log_qa = float(special.log_ndtr(-a))
        if b <= 0 and log_pb < -600.0:
            c["mode"] = "log_lower"
            c["r"] = math.exp(float(special.log_ndtr(a)) - log_pb)
            c["logp"] = log_pb
        elif a >= 0 and log_qa < -600.0:
            c["mode"] = "log_upper"
            c["r"] = math.exp(float(special.log_ndtr(-b)) - log_qa)
            c["logp"] = log_qa
        else:
            pa, qb = float(special.ndtr(a)), float(special.ndtr(-b))
            if b <= 0:
                mass = float(special.ndtr(b)) - pa
            elif a >= 0:
                mass = float(special.ndtr(-a)) - qb
            else:
                mass = 1.0 - pa - qb
            c.update(mode="direct", pa=pa, qb=qb, mass=mass, ustar=(0.5 - pa) / mass if mass > 0 else 0.5)
        return c

    def _prepare(self) -> None:
        self._consts

    def _kernel(self, u, out, work):
        c = self._consts
        k = u.size
        if c["mode"] == "direct":
            mass, pa, qb, ustar = c["mass"], c["pa"], c["qb"], c["ustar"]
            if ustar >= 1.0:  # whole region below the median of the normal
                np.multiply(u, mass, out=out)
                out += pa
                special.ndtri(out, out=out)
            elif ustar <= 0.0:  # whole region above it
                np.subtract(1.0, u, out=out)
                out *= mass
                out += qb
                special.ndtri(out, out=out)
                np.negative(out, out=out)
            else:
                lower, upper, tmp = _branch_masks(work, u, ustar)
                np.subtract(1.0, u, out=out)
                out *= upper
                np.multiply(u, lower, out=tmp)
                out += tmp  # u below ustar, 1 - u above
                out *= mass
                np.multiply(lower, pa, out=tmp)
                out += tmp
                np.multiply(upper, qb, out=tmp)
                out += tmp
                # At most 1/2 (also after rounding), so ndtri(out) <= 0 and
                # ppf cannot decrease where the two forms meet.
                np.minimum(out, 0.5, out=out)
                special.ndtri(out, out=out)  # <= 0
                np.multiply(upper, -2.0, out=tmp)
                tmp += 1.0
                out *= tmp  # negate above ustar
        elif c["mode"] == "log_lower":  # Phi(x) = Phi(b) (r + u (1 - r)), r = Phi(a)/Phi(b)
            np.multiply(u, 1.0 - c["r"], out=out)
            out += c["r"]
            libm.log(out, out=out)
            out += c["logp"]
            special.ndtri_exp(out, out=out)
        else:  # Q(x) = Q(a) ((1 - u) + u r), r = Q(b)/Q(a)
            tmp = work.get("f1", k)
            np.subtract(1.0, u, out=out)
            np.multiply(u, c["r"], out=tmp)
            out += tmp
            libm.log(out, out=out)
            out += c["logp"]
            special.ndtri_exp(out, out=out)
            np.negative(out, out=out)
        out *= self.sd
        out += self.loc
        _clip(out, self.low, self.high)

    def to_scipy(self):
        return scipy_stats().truncnorm((self.low - self.loc) / self.sd, (self.high - self.loc) / self.sd,
                               loc=self.loc, scale=self.sd)

    def mean(self) -> float:
        return float(self.to_scipy().mean())

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


def _log_gauss_mass(a: float, b: float) -> float:
    """log(Phi(b) - Phi(a)) for a < b, accurate in both tails."""
    if b <= 0:
        la, lb = float(special.log_ndtr(a)), float(special.log_ndtr(b))
        return lb + math.log1p(-math.exp(la - lb)) if la < lb else -math.inf
    if a >= 0:
        la, lb = float(special.log_ndtr(-a)), float(special.log_ndtr(-b))
        return la + math.log1p(-math.exp(lb - la)) if lb < la else -math.inf
    outside = float(special.ndtr(a)) + float(special.ndtr(-b))
    return math.log1p(-outside) if outside < 1.0 else -math.inf  # an interval too narrow to resolve


@dataclass(frozen=True)
class LogNormal(Distribution):
    """Lognormal: ``log X ~ normal(mu, sigma)``.

    :meth:`central` is the median ``exp(mu)``.
    """

    mu: float
    sigma: float
    name: ClassVar[str] = "lognormal"
    _REQUIRED = ("mu", "sigma")

    @classmethod
    def _cross_check(cls, v, source, key):
        problems = []
        if "sigma" in v and not 0 < v["sigma"] <= MAX_LOG_SIGMA:
            problems.append(Problem(source, f"{key}.sigma", v["sigma"], f"sigma > 0 and <= {MAX_LOG_SIGMA:g}"))
        if "mu" in v and not abs(v["mu"]) <= MAX_LOG_MU:
            problems.append(Problem(source, f"{key}.mu", v["mu"], f"mu in [-{MAX_LOG_MU:g}, {MAX_LOG_MU:g}] "
                                                                  "(the log of the median)"))
        return problems

    def _kernel(self, u, out, work):
        special.ndtri(u, out=out)
        out *= self.sigma
        out += self.mu
        libm.exp(out, out=out)

    def to_scipy(self):
        return scipy_stats().lognorm(s=self.sigma, scale=math.exp(self.mu))

    def mean(self) -> float:
        return math.exp(self.mu + 0.5 * self.sigma**2)

    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def central(self) -> float:
        return math.exp(self.mu)
