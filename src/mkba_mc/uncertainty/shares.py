"""Share vectors sampled jointly from a Dirichlet distribution.

A group of shares that must sum to one (the household types, the severity
classes of one type) is drawn as a Dirichlet vector: independent
``Gamma(alpha_i, 1)`` draws divided by their sum (Devroye 1986, §XI.4;
Kotz, Balakrishnan & Johnson 2000, ch. 49).  Each Gamma draw is the inverse
regularised incomplete gamma function of one design uniform
(:func:`scipy.special.gammaincinv`), so the transform is row-wise: it
depends neither on the chunk nor on the other samples, and Latin hypercube
and Sobol' designs keep their stratification in each component's Gamma.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special


@dataclass(frozen=True)
class ShareGroup:
    """A share vector sampled jointly from a Dirichlet distribution."""

    members: tuple[str, ...]
    alpha: tuple[float, ...]


def dirichlet_shares(rows: NDArray[np.float64], alpha: tuple[float, ...]) -> NDArray[np.float64]:
    """Turn uniforms into Dirichlet shares in place.

    Parameters
    ----------
    rows : numpy.ndarray
        ``(k, n)`` uniforms in (0, 1), one row per member of the group;
        overwritten with the shares.
    alpha : tuple of float
        The ``k`` concentration parameters.

    Returns
    -------
    numpy.ndarray
        ``rows``, now shares that sum to one over the first axis.
    """
    for i, a in enumerate(alpha):  # Dirichlet = normalised Gamma(alpha_i, 1) draws
        rows[i] = special.gammaincinv(a, rows[i])
    rows /= rows.sum(axis=0)
    return rows


__all__ = ["ShareGroup", "dirichlet_shares"]
