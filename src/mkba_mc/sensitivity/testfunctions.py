"""Analytic test functions of sensitivity analysis, with their exact indices.

Used by the tests to check the Sobol' estimators against published values
(as SALib ships ``test_functions``):

* Ishigami & Homma (1990), "An importance quantification technique in
  uncertainty analysis for computer models", ISUMA '90: ``y = sin x1 +
  a sin^2 x2 + b x3^4 sin x1`` on ``[-pi, pi]^3``; indices from Sobol' &
  Levitan (1999) / Saltelli et al. (2008) Global Sensitivity Analysis: The
  Primer, §2.9;
* Sobol' G (Saltelli & Sobol' 1995; Sobol' 1993): ``y = prod_i (|4 x_i - 2|
  + a_i) / (1 + a_i)`` on ``[0, 1]^d``, partial variances ``1 / (3 (1 +
  a_i)^2)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def ishigami(x: Mapping[str, Array], a: float = 7.0, b: float = 0.1) -> dict[str, Array]:
    """Ishigami function on inputs ``x1..x3`` uniform on [-pi, pi]."""
    x1, x2, x3 = x["x1"], x["x2"], x["x3"]
    return {"y": np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)}


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[Array, Array]:
    """Analytic first- and total-order indices of the Ishigami function."""
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / var, np.array([v1 + v13, v2, v13]) / var


def sobol_g(x: Mapping[str, Array], a: Sequence[float]) -> dict[str, Array]:
    """Sobol' G function on inputs ``x1..xd`` uniform on [0, 1]."""
    y = np.ones_like(x["x1"])
    for i, ai in enumerate(a):
        y = y * (np.abs(4 * x[f"x{i + 1}"] - 2) + ai) / (1 + ai)
    return {"y": y}


def sobol_g_indices(a: Sequence[float]) -> tuple[Array, Array]:
    """Analytic first- and total-order indices of the Sobol' G function."""
    v = np.array([1 / (3 * (1 + ai) ** 2) for ai in a])
    total = np.prod(1 + v) - 1
    s1 = v / total
    st = np.array([v[i] * np.prod(np.delete(1 + v, i)) for i in range(len(a))]) / total
    return s1, st


__all__ = ["ishigami", "ishigami_indices", "sobol_g", "sobol_g_indices"]
