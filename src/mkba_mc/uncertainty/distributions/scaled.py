"""``factor * X``: a lever's implementation uncertainty or a price-year index
applied to another distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ...errors import ConfigError, Problem
from .base import _PYTHON_SOURCE, Distribution, _Work


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
