"""The distribution base class, the field limits and the parameter-problem helpers shared by every distribution (see :mod:`mkba_mc.uncertainty.distributions` for the overview and sources)."""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ...errors import ConfigError, Problem


def scipy_stats() -> Any:
    """:mod:`scipy.stats`, imported on first use: it takes about a second to
    import and only ``to_scipy`` needs it (sampling uses :mod:`scipy.special`)."""
    from scipy import stats

    return stats

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

def _mode_problems(v: Mapping[str, float], source: str, key: str) -> list[Problem]:
    problems = _range_problems(v, source, key)
    if not problems and all(k in v for k in ("low", "mode", "high")):
        if not v["low"] <= v["mode"] <= v["high"]:
            problems.append(Problem(source, f"{key}.mode", v["mode"],
                                    f"low <= mode <= high ({_fmt(v['low'])} <= mode <= {_fmt(v['high'])})"))
    return problems
