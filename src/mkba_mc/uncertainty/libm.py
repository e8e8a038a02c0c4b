"""Elementary functions whose last bit does not depend on the CPU.

NumPy dispatches ``np.exp``, ``np.log``, ``np.log1p``, ``np.sin``, ... at run
time to SIMD kernels chosen by the CPU (AVX-512 on one machine, AVX2 or the
C library on the next), and these round differently in the last bit: on a
machine with AVX-512, ``np.exp`` differs from the C library's ``exp`` in
about 5 % of arguments.  A table built or a sample drawn with them would
make the same seed give other numbers on another machine -- which the
project promises not to do (README, "Same seed, same numbers").

The functions here evaluate the C library's scalar functions (``exp``,
``log`` and cephes' ``log1p`` through compiled :mod:`scipy.special` loops,
which NumPy's CPU dispatch does not touch): the same results as
:mod:`math` on every x86-64 machine, at a few nanoseconds per element.
``tests/unit/test_libm.py`` checks them against :mod:`math` and that a run's
samples do not change when NumPy's SIMD targets are switched off
(``NPY_DISABLE_CPU_FEATURES``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

Array = NDArray[np.float64]


def exp(x: ArrayLike, out: Array | None = None) -> Array:
    """``e**x`` elementwise, as the C library's ``exp`` (Box-Cox inverse at lambda 0)."""
    return special.inv_boxcox(x, 0.0, out=out) if out is not None else special.inv_boxcox(x, 0.0)


def log(x: ArrayLike, out: Array | None = None) -> Array:
    """Natural logarithm elementwise, as the C library's ``log`` (``xlogy(1, x)``)."""
    return special.xlogy(1.0, x, out=out) if out is not None else special.xlogy(1.0, x)


def log1p(x: ArrayLike, out: Array | None = None) -> Array:
    """``log(1 + x)`` elementwise, accurate for small ``x`` (cephes ``log1p``)."""
    return special.log1p(x, out=out) if out is not None else special.log1p(x)


def sin(x: ArrayLike) -> Array:
    """Sine elementwise through :func:`math.sin` (for small arrays such as correlation matrices)."""
    a = np.asarray(x, dtype=np.float64)
    return np.array([math.sin(v) for v in a.ravel()], dtype=np.float64).reshape(a.shape)


__all__ = ["exp", "log", "log1p", "sin"]
