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
  on first use, 1-5 ms) from :func:`scipy.special.betaincinv`: a monotone
  cubic Hermite interpolant (Fritsch-Carlson) with the exact slopes
  ``dx/du = 1 / pdf(x)`` on a grid that is uniform within every binade of
  ``u`` (below 1/2) and of ``1 - u`` (above), ``2^m`` pieces per binade
  (:mod:`.tables`). The piece is read from the float's own bits (exponent and
  top ``m`` mantissa bits: a direct index, no search and no logarithm), so the
  grid is geometric towards both ends, where the inverse CDF in ``u`` has an
  infinite slope, and uniform in the middle. ``m`` is raised until the
  interpolation error, measured at the piece midpoints, is below 1e-9 of
  ``high - low`` (measured errors against ``scipy.stats.beta.ppf`` 1e-10 to
  7e-10, with 1,000-4,000 pieces). Each cubic is clamped to its end nodes.
  Draws with ``min(u, 1 - u) < 2^-32`` (about one in 2e9) are computed one by
  one. The Gaussian copula uses a second table per correlated beta or PERT:
  ``F^-1(Phi(z))`` on a uniform grid of the normal score ``z``
  (:class:`.tables.GridTable`, same accuracy).
  Evaluation is a shift, six gathers and a Horner step; the sampling plan
  runs it for all rows in one compiled pass (:mod:`mkba_mc.uncertainty.fused`).

All kernels work on blocks of 16384 draws so that temporaries stay in the CPU
cache; results do not depend on the block boundaries (no Python loop over
elements, every operation is elementwise). Single-threaded speeds at 2**20
draws on the development machine, in M draws/s: uniform ~900, loguniform
~500, triangular ~160, PERT and beta ~45 in numpy (several times more in the
plan's compiled pass), discrete ~90, normal ~85,
lognormal ~70, truncnormal ~60 (scipy.stats: 0.7-25). :func:`sample_block`
can spread parameters over threads.

Monotonicity: ``ppf`` is exactly non-decreasing in ``u`` for uniform,
triangular, PERT, beta and discrete; for normal, lognormal and truncnormal
up to the ulp-level wobbles of :func:`scipy.special.ndtri` itself.

The code: :mod:`.base` (the ABC, field limits, problem helpers),
:mod:`.closed` (closed-form inverse CDFs), :mod:`.tabulated` (beta and
PERT), :mod:`.tables` (the binade and grid tables), :mod:`.discrete`, :mod:`.scaled`, :mod:`.parse` (tables to objects,
:func:`sample_block`).
"""

from __future__ import annotations

from .base import (
    DIST_NAMES,
    MAX_ABS,
    MAX_LAMB,
    MAX_LOG_MU,
    MAX_LOG_SIGMA,
    MAX_SHAPE,
    MIN_SHAPE,
    WEIGHT_SUM_TOLERANCE,
    Distribution,
)
from .closed import Fixed, LogUniform, Triangular, Uniform
from .discrete import Discrete
from .normal import MIN_LOG_MASS, MIN_RELATIVE_SD, LogNormal, Normal, TruncNormal
from .parse import parse_distribution, sample_block
from .scaled import Scaled
from .tabulated import Beta, Pert

__all__ = [
    "MAX_ABS",
    "MAX_LAMB",
    "MAX_LOG_MU",
    "MAX_LOG_SIGMA",
    "MAX_SHAPE",
    "MIN_LOG_MASS",
    "MIN_RELATIVE_SD",
    "MIN_SHAPE",
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
