"""One pass from uniforms to sampled values: copula and inverse CDFs fused.

:class:`FusedPlan` is a :class:`~mkba_mc.uncertainty.plan.SamplingPlan`'s
transform flattened into arrays: per sampled row its kind (a binade table of
its inverse CDF, a grid table of the inverse CDF of a normal score for a
correlated row, or a generic distribution left to its own ``ppf``), the
tables of all rows in one coefficient array, and the Gaussian copula's
normal-score table and Cholesky factor.  It evaluates a chunk either with
the compiled kernel of :mod:`mkba_mc.uncertainty.kernels` (numba) or with
numpy (:meth:`FusedPlan.reference`), and both give the same bits (the same
IEEE operations in the same order; tested), so a run's numbers do not depend
on which one ran, nor on the chunk size or the worker count.

The copula (Nelsen 2006, ch. 2; :mod:`mkba_mc.uncertainty.copula`): the
normal scores ``z_j = Phi^-1(u_j)`` come from a binade table of the standard
normal inverse CDF (error below 1e-10; :func:`scipy.special.ndtri` beyond it),
the mixed score ``acc_i = sum_j L_ij z_j`` is summed in the order
``j = 0 .. i`` (the compiled kernel skips the terms with ``L_ij = 0``, which
leaves the bits: :meth:`FusedPlan.mixing`), and the marginal is ``F_i^-1(Phi(acc_i))``, tabulated as one
function of ``acc_i`` for beta and PERT (error below 1e-9 of the range).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from scipy import special

from . import libm
from .distributions.scaled import Scaled
from .distributions.tables import BinadeTable, GridTable, build_binade_table
from .distributions.tabulated import _TabulatedBeta

Array = NDArray[np.float64]

#: Row kinds (the same numbers as in :mod:`mkba_mc.uncertainty.kernels`).
GENERIC, BINADE, GRID, MIXED = 0, 1, 2, 3
#: Runs of at least this many samples use the compiled kernel (``kernel="auto"``):
#: importing numba and loading the cached kernel costs about 0.3 s.
COMPILED_MIN_N: Final[int] = 1 << 18


@functools.cache
def _numba_installed() -> bool:
    from importlib.util import find_spec

    return find_spec("numba") is not None


def compiled_for(n: int) -> bool:
    """Whether work on ``n`` samples (a run, a column of its summary) uses
    compiled code: from :data:`COMPILED_MIN_N` on, where numba is installed."""
    return n >= COMPILED_MIN_N and _numba_installed()


#: Error of the normal-score table (absolute, in standard deviations).
NORMAL_SCORE_TOL: Final[float] = 1e-10


@functools.cache
def normal_score_table() -> BinadeTable:
    """Binade table of the standard normal inverse CDF ``Phi^-1(u)``, from
    :func:`scipy.special.ndtri` with the exact slopes ``1 / phi(x)``.

    Built once per process (about 1 ms, a run's largest set-up cost after
    its threads) and shared read-only by every plan with a copula."""

    def nodes(p: np.ndarray, upper: bool) -> tuple[np.ndarray, np.ndarray]:
        x = special.ndtri(p)
        with np.errstate(over="ignore"):
            slope = np.sqrt(2.0 * np.pi) * libm.exp(0.5 * x * x)
        return (-x, -slope) if upper else (x, slope)

    table = build_binade_table(nodes, NORMAL_SCORE_TOL)
    table.coef.setflags(write=False)  # shared: plans copy it into their own coefficients
    return table


def _tabulated(dist: Any) -> tuple[_TabulatedBeta | None, float, bool]:
    """``(table owner, factor, mirror)`` of a tabulated distribution or a scaled one."""
    if isinstance(dist, _TabulatedBeta):
        return dist, 1.0, False
    if isinstance(dist, Scaled) and isinstance(dist.base, _TabulatedBeta):
        return dist.base, float(dist.factor), dist.factor < 0
    return None, 1.0, False


class FusedPlan:
    """The transform of a sampling plan as flat arrays (see the module text).

    Parameters
    ----------
    dists : sequence
        Per row its distribution (None for a Dirichlet share row: passed through).
    corr_rows : sequence of int
        The correlated rows, in the order of the Cholesky factor.
    cholesky : numpy.ndarray or None
        Lower Cholesky factor of the normal correlation.
    compiled : bool
        Evaluate with the numba kernel (numba must be installed).
    """

    def __init__(self, dists: Sequence[Any], corr_rows: Sequence[int], cholesky: Array | None,
                 compiled: bool = False) -> None:
        d = len(dists)
        self.dists = tuple(dists)
        self.corr = np.asarray(corr_rows, dtype=np.int64)
        self.chol = np.ascontiguousarray(cholesky if cholesky is not None else np.zeros((0, 0)), dtype=np.float64)
        self.kind = np.zeros(d, np.int64)
        self.toff = np.zeros(d, np.int64)
        self.tn = np.zeros(d, np.int64)
        self.tshift = np.zeros(d, np.int64)
        self.tbase = np.zeros(d, np.int64)
        self.tscale = np.zeros(d)
        self.tinvh = np.zeros(d)
        self.tzoff = np.zeros(d)
        self.factor = np.ones(d)
        self.mirror = np.zeros(d, np.bool_)
        self.owner: list[_TabulatedBeta | None] = [None] * d
        parts: list[np.ndarray] = []
        size = 0

        def add(coef: np.ndarray) -> int:
            nonlocal size
            parts.append(coef)
            size += coef.shape[0]
            return size - coef.shape[0]

        self.ns = normal_score_table() if self.corr.size else None
        self.ns_desc = np.zeros(4, np.int64)
        self.ns_scale = 1.0
        if self.ns is not None:
            self.ns_desc[:] = (add(self.ns.coef), self.ns.half, self.ns.shift, self.ns.base)
            self.ns_scale = 2.0 ** -self.ns.shift
        correlated = set(int(r) for r in self.corr)
        for j, dist in enumerate(dists):
            owner, factor, mirror = _tabulated(dist)
            self.owner[j], self.factor[j], self.mirror[j] = owner, factor, mirror
            if owner is None:
                self.kind[j] = MIXED if j in correlated else GENERIC
            elif j in correlated:
                grid: GridTable = owner._grid
                self.kind[j] = GRID
                self.toff[j], self.tn[j] = add(grid.coef), grid.coef.shape[0] - 1
                self.tinvh[j], self.tzoff[j] = grid.invh, grid.off
            else:
                tab: BinadeTable = owner._table
                self.kind[j] = BINADE
                self.toff[j], self.tn[j] = add(tab.coef), tab.half
                self.tshift[j], self.tbase[j], self.tscale[j] = tab.shift, tab.base, 2.0 ** -tab.shift
        self.coef = np.ascontiguousarray(np.vstack(parts)) if parts else np.zeros((1, 4))
        self.mptr, self.mcol, self.mval = self.mixing(self.chol)
        self._kernel = None
        if compiled:
            from . import kernels  # numba: imported only for runs that gain from it

            self._kernel = kernels.transform
            self.transform(np.full((d, 1), 0.5))  # compile or load from the cache now, before workers fork
            kernels.uniforms(np.zeros((1, 4), np.uint64), np.empty((1, 1)))  # the random design's draws too

    @staticmethod
    def mixing(chol: Array) -> tuple[np.ndarray, np.ndarray, Array]:
        """The non-zero entries of a lower Cholesky factor, row by row:
        ``(mptr, mcol, mval)``, row ``i``'s entries ``mval[mptr[i]:mptr[i + 1]]``
        in the columns ``mcol[...]`` (ascending; the diagonal is always kept).

        A block-diagonal correlation (independent groups of correlated inputs,
        as in the default scenario: 13 and 3 rows) has a block-diagonal factor,
        and the compiled kernel sums only these terms (97 multiply-adds per
        sample instead of 136 there).  The bits do not change for any sample
        the kernel does not flag: its normal scores are finite (a score beyond
        the table flags the sample, which is then computed by
        :meth:`reference`), so a skipped term ``z_j * 0`` is a signed zero,
        and adding a zero to a non-zero sum returns the sum exactly (IEEE 754,
        6.3).  Only a sum that is itself zero can differ, in its sign (and
        only if the diagonal term is ``-0``: the table's score of ``u = 1/2``
        is ``+0``); such a sum reaches a grid table as
        ``s = (+-0) / h + Z_MAX / h = Z_MAX / h`` and ``ndtr`` (a marginal
        without one) as ``ndtr(+-0) = 1/2``: the same number either way
        (tested with ``u = 1/2`` in every combination of the groups).
        """
        rows, cols = np.nonzero(chol)
        mptr = np.searchsorted(rows, np.arange(chol.shape[0] + 1)).astype(np.int64)
        return mptr, cols.astype(np.int64), np.ascontiguousarray(chol[rows, cols], dtype=np.float64)

    @property
    def compiled(self) -> bool:
        """Whether chunks are evaluated by the numba kernel."""
        return self._kernel is not None

    def __getstate__(self) -> dict[str, Any]:
        # a plan sent to another process (a Dask worker) takes the tables, not the compiled function
        state = dict(self.__dict__)
        state["_kernel"] = state["_kernel"] is not None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        compiled = state.pop("_kernel")
        self.__dict__.update(state, _kernel=None)
        if compiled:
            from . import kernels

            self._kernel = kernels.transform

    def transform(self, u: Array) -> Array:
        """Sampled values of the uniforms ``u`` ``(dims, k)``, as a new array
        (share rows still uniforms: the plan turns them into shares)."""
        if self._kernel is None:
            return self.reference(u)
        u = np.ascontiguousarray(u, dtype=np.float64)
        out = np.empty_like(u)
        flag = np.zeros(u.shape[1], np.uint8)
        self._kernel(u, out, self.kind, self.toff, self.tn, self.tshift, self.tbase, self.tscale, self.tinvh,
                     self.tzoff, self.factor, self.mirror, self.coef.reshape(-1), self.corr, self.mptr, self.mcol,
                     self.mval, self.ns_desc, self.ns_scale, flag)
        self._finish(u, out)
        cols = np.flatnonzero(flag)
        if cols.size:  # a draw beyond a table: these samples exactly, in numpy
            out[:, cols] = self.reference(u[:, cols])
        return out

    def _finish(self, u: Array, out: Array) -> None:
        """The rows the kernel leaves: generic distributions, shares, and the
        correlated rows without a grid table (``out`` holds their mixed score)."""
        with np.errstate(all="ignore"):
            for j, dist in enumerate(self.dists):
                k = self.kind[j]
                if k == GENERIC:
                    if dist is None:
                        out[j] = u[j]
                    else:
                        dist.ppf(u[j], out=out[j])
                elif k == MIXED:
                    special.ndtr(out[j], out=out[j])
                    dist.ppf(out[j], out=out[j])

    def reference(self, u: Array) -> Array:
        """The transform in numpy: the same operations as the kernel."""
        u = np.ascontiguousarray(u, dtype=np.float64)
        out = np.empty_like(u)
        with np.errstate(all="ignore"):  # u = 0 or 1 in a correlated row: an infinite score, as scipy gives
            self._reference_copula(u, out)
        for j, dist in enumerate(self.dists):
            if self.kind[j] == BINADE:
                dist.ppf(u[j], out=out[j])
        self._finish(u, out)
        return out

    def _reference_copula(self, u: Array, out: Array) -> None:
        """The correlated rows of :meth:`reference`."""
        k = u.shape[1]
        if self.corr.size and k:
            z = np.empty((self.corr.size, k))
            for i, r in enumerate(self.corr):
                bad = self.ns.evaluate(u[r], z[i])
                if bad.size:
                    z[i, bad] = special.ndtri(u[r, bad])
            for i, r in enumerate(self.corr):
                acc = z[0] * self.chol[i, 0]
                for j in range(1, i + 1):
                    acc += z[j] * self.chol[i, j]
                if self.kind[r] == GRID:
                    if self.mirror[r]:
                        np.negative(acc, out=acc)
                    owner = self.owner[r]
                    bad = owner._grid.evaluate(acc, out[r])
                    if bad.size:
                        out[r, bad] = owner._exact_z(acc[bad])
                    out[r] *= self.factor[r]
                else:
                    out[r] = acc


__all__ = ["COMPILED_MIN_N", "FusedPlan", "normal_score_table"]
