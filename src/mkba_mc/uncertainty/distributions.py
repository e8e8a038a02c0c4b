"""Named probability distributions with fast vectorised inverse CDFs.

A distribution is written in a TOML inline table such as
``{ dist = "pert", low = 0.1, mode = 0.3, high = 0.6 }``;
:func:`parse_distribution` checks such a table and returns a
:class:`Distribution`. Every sampling design of the engine (pseudo-random,
Latin hypercube, Sobol) first produces uniforms ``u`` in [0, 1); they are
pushed through :meth:`Distribution.ppf`, the inverse CDF.

The names and fields follow :mod:`scipy.stats` (see :meth:`to_scipy
<Distribution.to_scipy>` for the exact equivalent):

============  ======================================  =============================================
``dist``      fields                                  scipy.stats equivalent
============  ======================================  =============================================
fixed         value                                   (none: a point mass)
uniform       low, high                               ``uniform(loc=low, scale=high-low)``
triangular    low, mode, high                         ``triang((mode-low)/(high-low), low, high-low)``
pert          low, mode, high, lamb (4)               ``beta(1+lamb*(mode-low)/w, 1+lamb*(high-mode)/w, low, w)``
normal        mean, sd                                ``norm(mean, sd)``
truncnormal   mean, sd, low (-inf), high (+inf)       ``truncnorm((low-mean)/sd, (high-mean)/sd, mean, sd)``
lognormal     mu, sigma                               ``lognorm(s=sigma, scale=exp(mu))``
beta          a, b, low (0), high (1)                 ``beta(a, b, loc=low, scale=high-low)``
loguniform    low, high                               ``loguniform(low, high)``
discrete      values, weights                         ``rv_discrete(values=(values, weights))``
============  ======================================  =============================================

(``w = high - low``; defaults of optional fields in brackets.)

Speed
-----
``scipy.stats`` ``ppf`` methods are slow for Monte Carlo work (``beta.ppf``
about 0.6 M draws/s). The inverse CDFs here are

* closed forms for uniform, triangular, normal (:func:`scipy.special.ndtri`),
  truncated normal (:func:`~scipy.special.ndtr` / ``ndtri``, each draw
  computed from the tail it lies in, so that neither far tail suffers
  cancellation), lognormal and loguniform;
* a table lookup (:func:`numpy.searchsorted`) for discrete;
* for beta and PERT a *tabulated* inverse CDF, built once per object (lazily,
  on first use, a few milliseconds) from :func:`scipy.special.betaincinv`:
  a cubic Hermite interpolant of ``x`` in the logit ``t = log(u / (1 - u))``,
  on an equidistant grid over ``|t| <= 37.5`` (so every ``u`` in
  [1e-16, 1 - 1e-16]), with the exact slopes ``dx/dt = u (1 - u) / pdf(x)``.
  In ``t`` the inverse CDF is smooth at both ends (``x ~ C exp(t / a)`` as
  ``t -> -inf``), which the inverse CDF in ``u`` is not (infinite slope at an
  end where ``a > 1`` or ``b > 1``). The grid is refined until the
  interpolation error, measured at the interval midpoints, is below 1e-8 of
  ``high - low`` (measured errors against ``scipy.stats.beta.ppf`` are
  1e-9 or less, with 1025-8193 nodes). Each cubic piece is monotone
  (Fritsch-Carlson) and clamped to its end nodes. The rare ``u`` below the
  grid (only ``u = 0`` for 53-bit uniforms) are computed one by one.
  Evaluation is an index computation, four gathers and a Horner step.

All kernels work on blocks of 16384 draws so that temporaries stay in the CPU
cache; results do not depend on the block boundaries (no Python loop over
elements, every operation is elementwise). Single-threaded speeds at 2**20
draws on the development machine, in M draws/s: uniform ~900, loguniform
~500, triangular ~160, PERT and beta ~90, discrete ~90, normal ~85,
lognormal ~70, truncnormal ~60 (scipy.stats: 0.7-25). :func:`sample_block`
can spread parameters over threads.

Monotonicity: ``ppf`` is exactly non-decreasing in ``u`` for uniform,
triangular, PERT, beta and discrete; for normal, lognormal and truncnormal
up to the ulp-level wobbles of :func:`scipy.special.ndtri` itself.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import math
import numbers
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from scipy import special, stats

from ..errors import ConfigError, Problem

#: Supported values of ``dist``.
DIST_NAMES: tuple[str, ...] = (
    "fixed",
    "uniform",
    "triangular",
    "pert",
    "normal",
    "truncnormal",
    "lognormal",
    "beta",
    "loguniform",
    "discrete",
)

#: Tolerance on the sum of the weights of a discrete distribution.
WEIGHT_SUM_TOLERANCE = 1e-6

#: Draws per block inside :meth:`Distribution.ppf` (temporaries fit in L2).
_CHUNK = 1 << 14

#: Source name used when a distribution is constructed directly in Python.
_PYTHON_SOURCE = "<python>"


# ------------------------------------------------------------------ helpers
#: Largest magnitude of a distribution field (no input of the model comes
#: near: 1e15 euros is a thousand times the Dutch GDP).
MAX_ABS = 1e15
#: Largest PERT weight ``lamb`` (4 is the classical choice; beyond 1000 the
#: distribution is a point mass in all but name).
MAX_LAMB = 1000.0
#: Range of the beta shape parameters (the tabulated inverse CDF is exact there).
MIN_SHAPE, MAX_SHAPE = 1e-3, 1e4
#: Bounds of the lognormal's ``mu`` and ``sigma`` (``exp(100)`` is 2.7e43).
MAX_LOG_MU = 100.0
MAX_LOG_SIGMA = 10.0


def _as_number(value: object) -> float | None:
    """``float(value)`` if ``value`` is a finite real number (not a bool), else None."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return None
    try:
        x = float(value)
    except OverflowError:  # an int beyond the float range
        return None
    return x if math.isfinite(x) else None


def _magnitude_problem(x: float, source: str, key: str, value: object) -> list[Problem]:
    if abs(x) > MAX_ABS:
        return [Problem(source, key, value, f"a number with |x| <= {MAX_ABS:g}")]
    return []


def _fmt(x: float) -> str:
    return f"{x:.10g}"


class _Work:
    """Scratch buffers of one :meth:`Distribution.ppf` call, allocated on demand."""

    __slots__ = ("size", "_bufs")

    def __init__(self, size: int):
        self.size = size
        self._bufs: dict[str, np.ndarray] = {}

    def get(self, name: str, k: int, dtype: type = np.float64) -> np.ndarray:
        buf = self._bufs.get(name)
        if buf is None:
            buf = self._bufs[name] = np.empty(self.size, dtype=dtype)
        return buf[:k]


# ------------------------------------------------------------------ base class
@dataclass(frozen=True)
class Distribution(ABC):
    """A named distribution with a fast inverse CDF.

    Subclasses are frozen dataclasses holding the numeric fields of the
    distribution (``low``, ``mode``, ...). Objects are normally made by
    :func:`parse_distribution`; direct construction (``Pert(0.1, 0.3, 0.6)``)
    runs the same checks and raises :class:`~mkba_mc.errors.ConfigError`
    with source ``<python>``.

    Attributes
    ----------
    name : str
        The ``dist`` name (class attribute).
    params : dict
        The specification without ``dist``, as given (keyword-only; filled
        from the fields when constructed directly).
    """

    name: ClassVar[str] = ""
    _REQUIRED: ClassVar[tuple[str, ...]] = ()
    _OPTIONAL: ClassVar[tuple[str, ...]] = ()
    #: Optional fields whose default is infinite (allowed only as that default).
    _INF_DEFAULTS: ClassVar[dict[str, float]] = {}

    params: dict[str, Any] = field(default_factory=dict, compare=False, kw_only=True)

    # -------------------------------------------------------------- checks
    @classmethod
    def allowed_fields(cls) -> tuple[str, ...]:
        """Required then optional field names of this distribution."""
        return cls._REQUIRED + cls._OPTIONAL

    @classmethod
    def _validate(cls, values: Mapping[str, Any], source: str, key: str) -> tuple[dict[str, Any], list[Problem]]:
        """Check the present fields; return the converted values and all problems."""
        problems: list[Problem] = []
        clean: dict[str, Any] = {}
        for name, value in values.items():
            x = _as_number(value)
            if x is None:
                problems.append(Problem(source, f"{key}.{name}", value, "a finite number"))
            elif abs(x) > MAX_ABS:
                problems.extend(_magnitude_problem(x, source, f"{key}.{name}", value))
            else:
                clean[name] = x
        problems.extend(cls._cross_check(clean, source, key))
        return clean, problems

    @classmethod
    def _cross_check(cls, v: Mapping[str, float], source: str, key: str) -> list[Problem]:
        """Domain and cross-field rules on the valid numeric fields ``v``."""
        return []

    @classmethod
    def _attr(cls, name: str) -> str:
        """Attribute holding spec field ``name`` (``mean`` is stored as ``loc``: ``mean()`` is a method)."""
        return "loc" if name == "mean" else name

    def __post_init__(self) -> None:
        values = {}
        for name in self.allowed_fields():
            value = getattr(self, self._attr(name))
            default = self._INF_DEFAULTS.get(name)
            if default is not None and isinstance(value, numbers.Real) and float(value) == default:
                continue  # an omitted one-sided bound
            values[name] = value
        clean, problems = self._validate(values, _PYTHON_SOURCE, self.name)
        if problems:
            raise ConfigError(problems)
        for name, value in clean.items():
            object.__setattr__(self, self._attr(name), value)
        if not self.params:
            object.__setattr__(self, "params", {k: (list(v) if isinstance(v, tuple) else v) for k, v in clean.items()})

    # -------------------------------------------------------------- sampling
    def ppf(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Inverse CDF, vectorised.

        Parameters
        ----------
        u : ndarray
            Uniforms in [0, 1) (float64; other input is converted).
            ``u = 0`` gives the lower end of the support, which is ``-inf``
            for normal and for truncnormal without ``low`` (as in scipy):
            a design that can produce an exact 0 (unscrambled Sobol) must
            avoid it for those. Values outside [0, 1) give an unspecified
            result (NaN or a bound).
        out : ndarray, optional
            Float64 array of the shape of ``u`` to write into; may be ``u``
            itself (in-place transform).

        Returns
        -------
        ndarray
            ``x`` with ``P(X <= x) = u``, of the shape of ``u`` (``out`` when
            given). Deterministic and elementwise: the result for one ``u``
            does not depend on the other elements.
        """
        u = np.asarray(u, dtype=np.float64)
        if out is None:
            out = np.empty(u.shape, dtype=np.float64)
        elif not isinstance(out, np.ndarray) or out.dtype != np.float64 or out.shape != u.shape:
            raise ValueError(f"out must be a float64 array of shape {u.shape}")
        if u.size == 0:
            return out
        uf = np.ascontiguousarray(u).reshape(-1)
        target = out if out.flags.c_contiguous else np.empty(u.shape, dtype=np.float64)
        of = target.reshape(-1)
        alias = np.may_share_memory(uf, of)
        n = uf.size
        m = min(n, _CHUNK)
        work = _Work(m)
        with np.errstate(all="ignore"):
            for start in range(0, n, m):
                uc = uf[start:start + m]
                oc = of[start:start + m]
                if alias:
                    copy = work.get("u", uc.size)
                    np.copyto(copy, uc)
                    uc = copy
                self._kernel(uc, oc, work)
        if target is not out:
            out[...] = target
        return out

    @abstractmethod
    def _kernel(self, u: np.ndarray, out: np.ndarray, work: _Work) -> None:
        """Write ``ppf(u)`` into ``out`` (both 1-D, contiguous, not overlapping)."""

    def _prepare(self) -> None:
        """Build the lazily cached constants of ``ppf`` now (before threads use them)."""

    # -------------------------------------------------------------- summaries
    @abstractmethod
    def to_scipy(self) -> Any:
        """The equivalent frozen :mod:`scipy.stats` distribution (None if there is none)."""

    @abstractmethod
    def mean(self) -> float:
        """Expected value."""

    @abstractmethod
    def support(self) -> tuple[float, float]:
        """Smallest and largest possible value (may be infinite)."""

    def central(self) -> float:
        """The point value an analyst would quote.

        The mode for triangular and PERT (the "most likely" value they are
        built around), the value for fixed, the median ``exp(mu)`` for
        lognormal (its mean is inflated by ``exp(sigma**2 / 2)`` and rarely
        what a source reports), and the mean for all others.
        """
        return self.mean()


def _clip(out: np.ndarray, low: float, high: float) -> None:
    np.clip(out, low, high, out=out)


# ------------------------------------------------------------------ closed forms
def _range_problems(v: Mapping[str, float], source: str, key: str) -> list[Problem]:
    if "low" in v and "high" in v:
        if not v["low"] < v["high"]:
            return [Problem(source, f"{key}.low", v["low"], f"low < high (high = {_fmt(v['high'])})")]
        if not math.isfinite(v["high"] - v["low"]):
            return [Problem(source, f"{key}.high", v["high"], "a range high - low that is a finite float")]
    return []


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


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on [low, high]."""

    low: float
    high: float
    name: ClassVar[str] = "uniform"
    _REQUIRED = ("low", "high")

    @classmethod
    def _cross_check(cls, v, source, key):
        return _range_problems(v, source, key)

    def _kernel(self, u, out, work):
        np.multiply(u, self.high - self.low, out=out)
        out += self.low
        _clip(out, self.low, self.high)

    def to_scipy(self):
        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


def _mode_problems(v: Mapping[str, float], source: str, key: str) -> list[Problem]:
    problems = _range_problems(v, source, key)
    if not problems and all(k in v for k in ("low", "mode", "high")):
        if not v["low"] <= v["mode"] <= v["high"]:
            problems.append(Problem(source, f"{key}.mode", v["mode"],
                                    f"low <= mode <= high ({_fmt(v['low'])} <= mode <= {_fmt(v['high'])})"))
    return problems


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
        k = u.size
        w = self.high - self.low
        c = (self.mode - self.low) / w
        lower = work.get("m1", k, np.bool_)
        upper = work.get("m2", k, np.bool_)
        tmp = work.get("f1", k)
        np.less(u, c, out=lower)
        np.logical_not(lower, out=upper)
        # Branches are selected by multiplying with the 0/1 masks (exact, and
        # much faster than ufuncs with ``where=``).
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
        return stats.triang((self.mode - self.low) / w, loc=self.low, scale=w)

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def central(self) -> float:
        return self.mode


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
        return stats.norm(loc=self.loc, scale=self.sd)

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
                # Select the form per draw by multiplying with the 0/1 masks
                # (exact, and much faster than ufuncs with ``where=``).
                lower = work.get("m1", k, np.bool_)
                upper = work.get("m2", k, np.bool_)
                tmp = work.get("f1", k)
                np.less(u, ustar, out=lower)
                np.logical_not(lower, out=upper)
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
            np.log(out, out=out)
            out += c["logp"]
            special.ndtri_exp(out, out=out)
        else:  # Q(x) = Q(a) ((1 - u) + u r), r = Q(b)/Q(a)
            tmp = work.get("f1", k)
            np.subtract(1.0, u, out=out)
            np.multiply(u, c["r"], out=tmp)
            out += tmp
            np.log(out, out=out)
            out += c["logp"]
            special.ndtri_exp(out, out=out)
            np.negative(out, out=out)
        out *= self.sd
        out += self.loc
        _clip(out, self.low, self.high)

    def to_scipy(self):
        return stats.truncnorm((self.low - self.loc) / self.sd, (self.high - self.loc) / self.sd,
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
        np.exp(out, out=out)

    def to_scipy(self):
        return stats.lognorm(s=self.sigma, scale=math.exp(self.mu))

    def mean(self) -> float:
        return math.exp(self.mu + 0.5 * self.sigma**2)

    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def central(self) -> float:
        return math.exp(self.mu)


@dataclass(frozen=True)
class LogUniform(Distribution):
    """Log-uniform (reciprocal) on [low, high], ``low > 0``."""

    low: float
    high: float
    name: ClassVar[str] = "loguniform"
    _REQUIRED = ("low", "high")

    @classmethod
    def _cross_check(cls, v, source, key):
        if "low" in v and not v["low"] > 0:
            return [Problem(source, f"{key}.low", v["low"], "low > 0")]
        return _range_problems(v, source, key)

    def _kernel(self, u, out, work):
        np.multiply(u, math.log(self.high) - math.log(self.low), out=out)
        out += math.log(self.low)
        np.exp(out, out=out)
        _clip(out, self.low, self.high)

    def to_scipy(self):
        return stats.loguniform(self.low, self.high)

    def mean(self) -> float:
        return (self.high - self.low) / (math.log(self.high) - math.log(self.low))

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


# ------------------------------------------------------------------ tabulated beta
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
        return stats.beta(self.a, self.b, loc=self.low, scale=self.high - self.low)

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
        return stats.beta(a, b, loc=self.low, scale=self.high - self.low)

    def mean(self) -> float:
        return (self.low + self.lamb * self.mode + self.high) / (self.lamb + 2.0)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def central(self) -> float:
        return self.mode


# ------------------------------------------------------------------ discrete
@dataclass(frozen=True)
class Discrete(Distribution):
    """Finite distribution: ``values[i]`` with probability ``weights[i]``.

    Weights must be >= 0 and sum to 1 within 1e-6; they are normalised to sum
    exactly 1. ``ppf`` sorts the values (so it is non-decreasing in ``u``),
    drops zero weights and maps ``u`` to the value whose interval
    ``[F(previous), F(value))`` contains it (``np.searchsorted`` with
    ``side="right"``); at the jump points themselves this differs from
    scipy's ``rv_discrete.ppf`` (smallest value with ``F >= u``), a set of
    probability zero. :meth:`to_scipy` returns ``rv_discrete`` only when all
    values are integers, else None.
    """

    values: tuple[float, ...]
    weights: tuple[float, ...]
    name: ClassVar[str] = "discrete"
    _REQUIRED = ("values", "weights")

    @classmethod
    def _validate(cls, values, source, key):
        problems: list[Problem] = []
        clean: dict[str, Any] = {}
        lists: dict[str, list[float]] = {}
        for name in ("values", "weights"):
            if name not in values:
                continue
            seq = values[name]
            if isinstance(seq, (str, bytes, Mapping)) or not isinstance(seq, (Sequence, np.ndarray)) or len(seq) == 0:
                problems.append(Problem(source, f"{key}.{name}", seq, "a non-empty list of numbers"))
                continue
            nums = []
            for i, item in enumerate(seq):
                x = _as_number(item)
                if x is None:
                    problems.append(Problem(source, f"{key}.{name}[{i}]", item, "a finite number"))
                elif abs(x) > MAX_ABS:
                    problems.extend(_magnitude_problem(x, source, f"{key}.{name}[{i}]", item))
                    x = None
                elif name == "weights" and x < 0:
                    problems.append(Problem(source, f"{key}.{name}[{i}]", item, "a weight >= 0"))
                nums.append(x)
            lists[name] = nums
        if "values" in lists and "weights" in lists and len(lists["values"]) != len(lists["weights"]):
            problems.append(Problem(source, f"{key}.weights", list(values["weights"]),
                                    f"one weight per value ({len(lists['values'])} weights)"))
        if "weights" in lists and all(x is not None for x in lists["weights"]):
            total = math.fsum(lists["weights"])
            if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
                problems.append(Problem(source, f"{key}.weights", list(values["weights"]),
                                        f"weights that sum to 1 (they sum to {total:.9g})"))
        for name, nums in lists.items():
            if all(x is not None for x in nums):
                clean[name] = tuple(nums)
        return clean, problems

    @cached_property
    def _lookup(self) -> tuple[np.ndarray, np.ndarray]:
        v = np.asarray(self.values, dtype=np.float64)
        w = np.asarray(self.weights, dtype=np.float64)
        order = np.argsort(v, kind="stable")
        v, w = v[order], w[order]
        keep = w > 0
        v, w = v[keep], w[keep]
        cum = np.cumsum(w) / math.fsum(w)
        return np.ascontiguousarray(v), np.ascontiguousarray(cum[:-1])

    def _prepare(self) -> None:
        self._lookup

    def _kernel(self, u, out, work):
        vals, edges = self._lookup
        idx = np.searchsorted(edges, u, side="right")
        np.take(vals, idx, out=out, mode="clip")

    def _normalised(self) -> tuple[np.ndarray, np.ndarray]:
        v = np.asarray(self.values, dtype=np.float64)
        w = np.asarray(self.weights, dtype=np.float64)
        return v, w / math.fsum(self.weights)

    def to_scipy(self):
        v, w = self._normalised()
        if not all(float(x).is_integer() for x in v):
            return None
        xk, inverse = np.unique(v, return_inverse=True)
        pk = np.zeros(xk.size)
        np.add.at(pk, inverse, w)
        return stats.rv_discrete(values=(xk.astype(np.int64), pk))

    def mean(self) -> float:
        v, w = self._normalised()
        return math.fsum(v * w)

    def support(self) -> tuple[float, float]:
        v, w = self._normalised()
        v = v[w > 0]
        return (float(v.min()), float(v.max()))


@dataclass(frozen=True)
class Scaled(Distribution):
    """``factor * X`` for a distribution ``X``: a lever's implementation
    uncertainty around the plan's value, or a money distribution indexed to
    another price year.

    A lever's implementation uncertainty is written as a distribution of the
    *realised / planned* ratio (mean 1, so the plan's value stays the
    expected value, CPB/PBL Algemene leidraad 2013: expected values); the
    run samples ``value * ratio``. A negative ``factor`` (a lever whose
    planned value is negative, e.g. substitution of -40 %, Tabel 4.5) maps
    ``u`` to ``1 - u`` so that ``ppf`` stays non-decreasing.

    Attributes
    ----------
    base : Distribution
        The distribution of ``X``.
    factor : float
        The multiplier.
    """

    base: Distribution
    factor: float
    name: ClassVar[str] = "scaled"

    def __post_init__(self) -> None:
        if not math.isfinite(self.factor):
            raise ConfigError([Problem(_PYTHON_SOURCE, "scaled.factor", self.factor, "a finite number")])
        if not self.params:
            object.__setattr__(self, "params", {"times": self.factor, "of": {"dist": self.base.name, **self.base.params}})

    def _kernel(self, u: np.ndarray, out: np.ndarray, work: _Work) -> None:
        if self.factor < 0:
            v = work.get("scaled_u", u.size)
            np.subtract(1.0, u, out=v)
            # 1 - u lies in (0, 1]; keep it below 1 as every kernel expects [0, 1)
            np.minimum(v, 1.0 - 2.0 ** -53, out=v)
            u = v
        self.base._kernel(u, out, work)
        out *= self.factor

    def _prepare(self) -> None:
        self.base._prepare()

    def to_scipy(self) -> Any:
        """The base's scipy distribution with ``loc`` and ``scale`` times a
        positive ``factor`` (None for a factor <= 0 or a base without one)."""
        frozen = self.base.to_scipy()
        if frozen is None or self.factor <= 0:
            return None
        kwds = dict(frozen.kwds)
        args = list(frozen.args)
        n_shape = frozen.dist.numargs
        loc = kwds.pop("loc", args[n_shape] if len(args) > n_shape else 0.0)
        scale = kwds.pop("scale", args[n_shape + 1] if len(args) > n_shape + 1 else 1.0)
        return frozen.dist(*args[:n_shape], loc=self.factor * loc, scale=self.factor * scale, **kwds)

    def mean(self) -> float:
        return self.factor * self.base.mean()

    def support(self) -> tuple[float, float]:
        lo, hi = self.base.support()
        a, b = self.factor * lo, self.factor * hi
        return (min(a, b), max(a, b))

    def central(self) -> float:
        return self.factor * self.base.central()

    def quantile(self, q: float) -> float:
        """The ``q`` quantile (``ppf`` of one value)."""
        return float(self.ppf(np.array([q]))[0])


# ------------------------------------------------------------------ parsing
_CLASSES: dict[str, type[Distribution]] = {
    cls.name: cls
    for cls in (Fixed, Uniform, Triangular, Pert, Normal, TruncNormal, LogNormal, Beta, LogUniform, Discrete)
}
assert tuple(_CLASSES) == DIST_NAMES


#: Distributions that may be given by their mean instead of their mode.
_MEAN_PARAMETRISED: tuple[str, ...] = ("pert", "triangular")


def _mode_from_mean(dist: str, present: Mapping[str, Any], source: str, key: str
                    ) -> tuple[dict[str, Any], list[Problem]]:
    """Replace ``mean`` by the ``mode`` that gives that mean.

    PERT: ``mean = (low + lamb mode + high) / (lamb + 2)`` (Malcolm et al.
    1959; Vose 2008 §9.1.7), so ``mode = ((lamb + 2) mean - low - high) / lamb``;
    triangular: ``mean = (low + mode + high) / 3``, so ``mode = 3 mean - low - high``.
    This is how an asymmetric range keeps the point value as its expected
    value (CPB/PBL Algemene leidraad 2013; reference/uncertainty.md §2).
    """
    out = {k: v for k, v in present.items() if k != "mean"}
    nums = {k: _as_number(present.get(k)) for k in ("low", "high", "mean", "lamb")}
    if any(nums[k] is None for k in ("low", "high", "mean")) or ("lamb" in present and nums["lamb"] is None):
        out["mode"] = present["mean"]  # the usual checks report the bad field
        return out, []
    low, high, mean = nums["low"], nums["high"], nums["mean"]
    lamb = nums["lamb"] if "lamb" in present else 4.0
    if dist == "pert" and not lamb > 0:
        out["mode"] = mean
        return out, []
    k = (lamb + 2.0, lamb) if dist == "pert" else (3.0, 1.0)
    mode = (k[0] * mean - low - high) / k[1]
    if low < high and not low <= mode <= high:
        lo_m = (low + k[1] * low + high) / k[0]
        hi_m = (low + k[1] * high + high) / k[0]
        return out, [Problem(source, f"{key}.mean", mean,
                             f"a mean that a {dist} on [{_fmt(low)}, {_fmt(high)}] can have: between {lo_m:.6g} and "
                             f"{hi_m:.6g} (widen the range on the side of the mean, or raise lamb)")]
    out["mode"] = mode
    return out, []


def parse_distribution(spec: Mapping[str, Any], source: str, key: str) -> Distribution:
    """Check a distribution table and build its :class:`Distribution`.

    Parameters
    ----------
    spec : mapping
        The table, e.g. ``{"dist": "pert", "low": 0.1, "mode": 0.3, "high": 0.6}``.
    source : str
        File (or pseudo-source) the table comes from, for messages.
    key : str
        Key path of the table in that source (``parameters.x.distribution``);
        problems name ``key.dist``, ``key.low``, ... .

    Returns
    -------
    Distribution

    Raises
    ------
    ConfigError
        With every problem of the table: missing or unknown ``dist``, unknown
        or missing fields, non-numeric or non-finite values (bools are not
        numbers), and the domain rules (``low < high``, ``mode`` in
        [low, high], ``sd``, ``sigma``, ``a``, ``b``, ``lamb`` > 0, loguniform
        ``low > 0``, discrete weights >= 0 summing to 1), plus bounds that
        keep the arithmetic finite: every field ``|x| <= MAX_ABS`` (1e15),
        ``lamb <= 1000``, beta shapes in [1e-3, 1e4], lognormal
        ``|mu| <= 100`` and ``sigma <= 10``, ``sd >= 1e-12 max(1, |mean|)``
        and a truncnormal interval of log-probability >= -5000.
    """
    if not isinstance(spec, Mapping):
        raise ConfigError([Problem(source, key, spec,
                                   'a table such as { dist = "pert", low = 0.1, mode = 0.3, high = 0.6 }')])
    names = ", ".join(DIST_NAMES)
    if "dist" not in spec:
        raise ConfigError([Problem(source, f"{key}.dist", "<missing>", f"one of: {names}")])
    dist = spec["dist"]
    if not isinstance(dist, str) or dist not in _CLASSES:
        raise ConfigError([Problem(source, f"{key}.dist", dist, f"one of: {names}")])
    cls = _CLASSES[dist]
    allowed = cls.allowed_fields()
    if dist in _MEAN_PARAMETRISED and "mean" in spec and "mode" not in spec:
        allowed = tuple("mean" if f == "mode" else f for f in allowed)
    problems: list[Problem] = []
    present: dict[str, Any] = {}
    for name, value in spec.items():
        if name == "dist":
            continue
        if name not in allowed:
            problems.append(Problem(source, f"{key}.{name}", value,
                                    f'a field of dist = "{dist}": {", ".join(allowed)}'))
        else:
            present[name] = value
    if "mean" in present and dist in _MEAN_PARAMETRISED:
        present, mean_problems = _mode_from_mean(dist, present, source, key)
        problems.extend(mean_problems)
        if problems:
            raise ConfigError(problems)
    for name in cls._REQUIRED:
        if name not in present:
            problems.append(Problem(source, f"{key}.{name}", "<missing>",
                                    f'{"a list" if dist == "discrete" else "a finite number"} '
                                    f'(required by dist = "{dist}")'))
    clean, value_problems = cls._validate(present, source, key)
    problems.extend(value_problems)
    if problems:
        raise ConfigError(problems)
    params = {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in spec.items() if k != "dist"}
    kwargs = {cls._attr(k): v for k, v in clean.items()}
    return cls(**kwargs, params=params)


# ------------------------------------------------------------------ blocks
def sample_block(dists: Sequence[Distribution], u: np.ndarray, *, out: np.ndarray | None = None,
                 workers: int = 1) -> np.ndarray:
    """Push a block of uniforms through the inverse CDFs, one row per parameter.

    Parameters
    ----------
    dists : sequence of Distribution
        ``d`` distributions.
    u : ndarray, shape (d, n)
        Uniforms in [0, 1), one row per distribution (C-contiguous rows avoid
        a copy).
    out : ndarray, shape (d, n), optional
        Float64 array to write into (may be ``u`` itself).
    workers : int, default 1
        Threads to spread the rows over (numpy and scipy release the GIL in
        their loops, so 2 workers use 2 cores).

    Returns
    -------
    ndarray, shape (d, n)
        ``x[j] = dists[j].ppf(u[j])``.
    """
    u = np.asarray(u, dtype=np.float64)
    if u.ndim != 2 or u.shape[0] != len(dists):
        raise ValueError(f"u must have shape ({len(dists)}, n), one row per distribution; got {u.shape}")
    if out is None:
        out = np.empty(u.shape, dtype=np.float64)
    elif not isinstance(out, np.ndarray) or out.dtype != np.float64 or out.shape != u.shape:
        raise ValueError(f"out must be a float64 array of shape {u.shape}")

    def row(j: int) -> None:
        dists[j].ppf(u[j], out=out[j])

    if workers <= 1 or len(dists) <= 1:
        for j in range(len(dists)):
            row(j)
    else:
        for d in dists:  # build lazy tables once, before the threads start
            d._prepare()
        with ThreadPoolExecutor(max_workers=workers) as ex:
            list(ex.map(row, range(len(dists))))
    return out


__all__ = [
    "DIST_NAMES",
    "WEIGHT_SUM_TOLERANCE",
    "Beta",
    "Discrete",
    "Distribution",
    "Fixed",
    "LogNormal",
    "LogUniform",
    "Normal",
    "Pert",
    "Scaled",
    "Triangular",
    "TruncNormal",
    "Uniform",
    "parse_distribution",
    "sample_block",
]
