"""The finite (discrete) distribution: a table lookup with :func:`numpy.searchsorted`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from ...errors import Problem
from .base import (
    MAX_ABS,
    WEIGHT_SUM_TOLERANCE,
    Distribution,
    _as_number,
    _magnitude_problem,
    scipy_stats,
)


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
        return scipy_stats().rv_discrete(values=(xk.astype(np.int64), pk))

    def mean(self) -> float:
        v, w = self._normalised()
        return math.fsum(v * w)

    def support(self) -> tuple[float, float]:
        v, w = self._normalised()
        v = v[w > 0]
        return (float(v.min()), float(v.max()))
