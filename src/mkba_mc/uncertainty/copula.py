"""Rank correlation between sampled inputs: a Gaussian copula.

Correlation is induced with a Gaussian copula (Nelsen 2006, ch. 2): the
target Spearman rank correlation ``rho_s`` becomes the normal correlation
``2 sin(pi rho_s / 6)``; uniforms go to normal scores, are mixed with the
Cholesky factor and come back through the normal CDF.  Marginals stay exactly
uniform, so the inverse CDFs that follow keep every marginal exact, and the
transform is row-wise, so it does not depend on chunking either.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import special

from ..errors import ConfigError, Problem
from . import libm

#: Smallest eigenvalue of an accepted correlation matrix (and of its normal
#: counterpart): a singular matrix such as [[1, 1], [1, 1]] is refused.
MIN_EIGENVALUE: Final[float] = 1e-10


@dataclass(frozen=True)
class Correlation:
    """Target Spearman rank correlation between some sampled inputs.

    Attributes
    ----------
    names : tuple of str
        The correlated parameters.
    spearman : numpy.ndarray
        Target rank-correlation matrix, ``(k, k)``.
    source : str
        Where the correlations come from.
    """

    names: tuple[str, ...]
    spearman: NDArray[np.float64]
    source: str = ""

    @property
    def normal_cholesky(self) -> NDArray[np.float64]:
        """Lower Cholesky factor of the normal correlation ``2 sin(pi rho_s / 6)``."""
        r = 2.0 * libm.sin(np.pi * self.spearman / 6.0)
        np.fill_diagonal(r, 1.0)
        return cholesky(r)


def cholesky(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """Lower Cholesky factor of a symmetric positive definite matrix, in a
    fixed order (Cholesky-Banachiewicz, scalar Python arithmetic).

    LAPACK's ``potrf`` (behind :func:`numpy.linalg.cholesky`) sums with the
    BLAS kernel of the CPU it runs on, so its last bits, and with them every
    correlated sample, could differ between machines.  The matrices here are
    small (the correlated parameters), so the ``k^3 / 6`` scalar operations
    cost nothing.

    Parameters
    ----------
    a : numpy.ndarray
        ``(k, k)`` symmetric matrix; only its lower triangle is read.

    Returns
    -------
    numpy.ndarray
        ``L`` lower triangular with ``L @ L.T = a`` (to rounding).

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``a`` is not positive definite.
    """
    k = a.shape[0]
    low = [[0.0] * k for _ in range(k)]
    for i in range(k):
        for j in range(i + 1):
            s = float(a[i, j])
            for m in range(j):
                s -= low[i][m] * low[j][m]
            if i == j:
                if not s > 0.0:
                    raise np.linalg.LinAlgError("Matrix is not positive definite")
                low[i][i] = math.sqrt(s)
            else:
                low[i][j] = s / low[j][j]
    return np.array(low, dtype=np.float64).reshape(k, k)


def check_correlation(names: Sequence[str], matrix: object, source: str, key: str = "correlation",
                      corr_source: str = "") -> Correlation:
    """Validate a rank-correlation specification.

    Raises
    ------
    ConfigError
        If the matrix is not square of the right size, not symmetric, has a
        diagonal other than 1, entries outside [-1, 1], or is not positive
        definite (also after the conversion to normal correlations).
    """
    problems: list[Problem] = []
    if len(set(names)) != len(names):
        problems.append(Problem(source, f"{key}.parameters", list(names), "each parameter once"))
    try:
        m = np.array(matrix, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError([Problem(source, f"{key}.matrix", matrix, "a square matrix of numbers")]) from None
    k = len(names)
    if m.shape != (k, k):
        problems.append(Problem(source, f"{key}.matrix", matrix, f"a {k} x {k} matrix (one row per parameter)"))
        raise ConfigError(problems)
    if not np.isfinite(m).all():
        problems.append(Problem(source, f"{key}.matrix", matrix, "finite numbers"))
        raise ConfigError(problems)
    if not np.allclose(m, m.T, atol=1e-9):
        problems.append(Problem(source, f"{key}.matrix", matrix, "a symmetric matrix"))
    if not np.allclose(np.diag(m), 1.0, atol=1e-12):
        problems.append(Problem(source, f"{key}.matrix", np.diag(m).tolist(), "ones on the diagonal"))
    if (np.abs(m) > 1.0).any():
        problems.append(Problem(source, f"{key}.matrix", matrix, "correlations in [-1, 1]"))
    if not problems:
        corr = Correlation(tuple(names), m, corr_source)
        normal = 2.0 * libm.sin(np.pi * m / 6.0)
        np.fill_diagonal(normal, 1.0)
        eig = float(min(np.linalg.eigvalsh(m).min(), np.linalg.eigvalsh(normal).min()))
        try:
            corr.normal_cholesky
        except np.linalg.LinAlgError:
            ok = False
        else:
            ok = eig > MIN_EIGENVALUE
        if not ok:
            problems.append(Problem(source, f"{key}.matrix", matrix,
                                    f"a positive definite correlation matrix (smallest eigenvalue {eig:.3g}, "
                                    f"must be > {MIN_EIGENVALUE:g}); lower the strongest correlations"))
        else:
            return corr
    raise ConfigError(problems)


def correlate(u: NDArray[np.float64], rows: Sequence[int], cholesky: NDArray[np.float64]) -> None:
    """Apply the Gaussian copula in place to rows ``rows`` of ``u`` ``(d, n)``.

    The mixing is written as explicit row sums (no BLAS), so every sample
    gets the same arithmetic whatever the number of rows.  This is the copula
    written directly with :func:`scipy.special.ndtri` and
    :func:`~scipy.special.ndtr`; a sampling plan runs the same copula through
    tables in one pass (:mod:`mkba_mc.uncertainty.fused`), which the tests
    compare with this function.
    """
    z = special.ndtri(u[list(rows)])
    k = len(rows)
    for i in range(k - 1, -1, -1):  # bottom-up: row i only needs rows <= i of z
        acc = z[0] * cholesky[i, 0]
        for j in range(1, i + 1):
            acc += z[j] * cholesky[i, j]
        u[rows[i]] = special.ndtr(acc)


__all__ = [
    "MIN_EIGENVALUE",
    "Correlation",
    "check_correlation",
    "cholesky",
    "correlate",
]
