"""Sobol' indices of a vectorised model in bounded memory, with bootstrap intervals.

The design is SALib's: a scrambled Sobol' sequence in ``2 d`` dimensions
(``scipy.stats.qmc.Sobol``, the same integer seed gives the same points as
``SALib.sample.sobol.sample``); ``A`` is its first ``d`` columns and ``B`` the
last ``d``; ``AB_j`` is ``A`` with the columns of parameter (or group) ``j``
taken from ``B`` (Saltelli et al. 2010).  Inverse CDFs are applied to the
``2 N`` base rows only.  The base rows are cut into tasks of
:data:`~mkba_mc.sensitivity.estimators.TASK_ROWS`; each task
(:meth:`SobolJob.sums`) evaluates its rows and returns running sums, merged
in task order whatever evaluator ran them, and the indices follow from the
sums (:mod:`mkba_mc.sensitivity.estimators`).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import qmc

from ..execution.evaluators import Evaluator, local_evaluator
from ..uncertainty.streams import analysis_scramble_seed
from .estimators import CONF_LEVEL, RESAMPLES, TASK_ROWS, SobolSums, bootstrap_weights

Array = NDArray[np.float64]
ModelFn = Callable[[Mapping[str, Array]], Mapping[str, Array]]
Task = tuple[int, int]  # (task index, base rows)


@dataclass(frozen=True)
class Problem:
    """Inputs of a sensitivity analysis.

    Attributes
    ----------
    names : tuple of str
        Parameter names, in design-column order.
    dists : tuple
        Per parameter an object with a vectorised ``ppf(u, out=None)`` (a
        :class:`mkba_mc.uncertainty.distributions.Distribution`), or ``None`` to pass
        the uniform on [0, 1] through unchanged.
    groups : tuple of str, optional
        Group (knop) of each parameter; indices are then per group.
    dependence : Dependence, optional
        Joint transform of dependent inputs
        (:class:`mkba_mc.sensitivity.dependence.Dependence`: copula within each
        correlated set, Dirichlet share vectors); every correlated set and
        share vector must lie inside one group, so groups stay independent.
    """

    names: tuple[str, ...]
    dists: tuple[Any, ...]
    groups: tuple[str, ...] | None = None
    dependence: Any = None

    def values(self, ua: Array, ub: Array | None = None) -> tuple[Array, Array | None]:
        """Design uniforms ``(rows, d)`` to parameter values ``(d, rows)``."""
        out = []
        for u in (ua, ub):
            if u is None:
                out.append(None)
                continue
            if self.dependence is not None:
                out.append(self.dependence.values(np.ascontiguousarray(u.T), self.dists))
                continue
            x = np.empty((self.d, u.shape[0]))
            for j, dist in enumerate(self.dists):
                if dist is None:
                    x[j] = u[:, j]
                else:
                    dist.ppf(np.ascontiguousarray(u[:, j]), out=x[j])
            out.append(x)
        return out[0], out[1]

    @property
    def d(self) -> int:
        return len(self.names)

    @property
    def factor_names(self) -> tuple[str, ...]:
        """Names of the factors the indices are reported for."""
        if self.groups is None:
            return self.names
        return tuple(dict.fromkeys(self.groups))

    @property
    def factor_columns(self) -> tuple[tuple[int, ...], ...]:
        """Design columns of each factor."""
        if self.groups is None:
            return tuple((j,) for j in range(self.d))
        return tuple(tuple(j for j, g in enumerate(self.groups) if g == name) for name in self.factor_names)


def base_uniforms(d: int, seed: int, start: int, rows: int) -> tuple[Array, Array]:
    """Rows ``start .. start + rows - 1`` of the scrambled Sobol' base sequence,
    split into ``A`` and ``B`` (each ``(rows, d)``)."""
    engine = qmc.Sobol(2 * d, scramble=True, seed=analysis_scramble_seed(seed))
    if start:
        engine.fast_forward(start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        base = engine.random(rows)
    return base[:, :d], base[:, d:]


def saltelli_matrix(problem: Problem, n: int, seed: int, second_order: bool = False) -> Array:
    """The full design in SALib's row layout (for tests and small ``n``):
    per base sample ``A, AB_1..AB_k, [BA_1..BA_k], B``, on the unit cube."""
    a, b = base_uniforms(problem.d, seed, 0, n)
    cols = problem.factor_columns
    blocks = [a]
    for c in cols:
        ab = a.copy()
        ab[:, c] = b[:, c]
        blocks.append(ab)
    if second_order:
        for c in cols:
            ba = b.copy()
            ba[:, c] = a[:, c]
            blocks.append(ba)
    blocks.append(b)
    return np.stack(blocks, axis=1).reshape(-1, problem.d)


@dataclass
class SobolResult:
    """Indices per output and factor, with the design's settings."""

    problem: Problem
    outputs: tuple[str, ...]
    n: int
    seed: int
    second_order: bool
    resamples: int
    conf_level: float
    indices: dict[str, dict[str, Array]]
    elapsed: float = 0.0
    rounds: list[dict[str, Any]] = field(default_factory=list)
    target_ci: float | None = None
    #: The input space the indices cover (:data:`mkba_mc.io.loading.INPUT_SPACES`); "" outside a scenario.
    input_space: str = ""
    #: Kind of every parameter of the problem (uncertainty, lever, normative).
    kinds: tuple[str, ...] = ()
    #: ``knop`` or ``parameter``: what the factors are ("" = from the groups).
    factor_dim: str = ""
    #: How dependent inputs were treated (:data:`~mkba_mc.sensitivity.dependence.DEPENDENCE_MODES`); "" outside a scenario.
    dependence: str = ""

    @property
    def evaluations(self) -> int:
        k = len(self.problem.factor_names)
        return self.n * ((2 * k + 2) if self.second_order else (k + 2))

    def max_half_width(self) -> float:
        return max(float(np.nanmax(np.r_[ix["S1_conf"], ix["ST_conf"]])) for ix in self.indices.values())

    def wide_intervals(self) -> list[tuple[str, str, str, float, float]]:
        """Indices whose half-width exceeds max(10 % of the index, 0.02)."""
        out = []
        for o, ix in self.indices.items():
            for kind in ("S1", "ST"):
                for name, s, w in zip(self.problem.factor_names, ix[kind], ix[f"{kind}_conf"]):
                    if w > max(0.1 * abs(s), 0.02):
                        out.append((o, kind, name, float(s), float(w)))
        return out

    def to_dataset(self) -> Any:
        import xarray as xr

        factors = list(self.problem.factor_names)
        dim = self.factor_dim or ("knop" if self.problem.groups is not None else "parameter")
        data = {}
        for key in ("S1", "S1_conf", "ST", "ST_conf"):
            data[key] = (("output", dim), np.array([self.indices[o][key] for o in self.outputs]))
        coords: dict[str, Any] = {"output": list(self.outputs), dim: factors}
        if self.second_order:
            for key in ("S2", "S2_conf"):
                data[key] = (("output", dim, f"{dim}_2"), np.array([self.indices[o][key] for o in self.outputs]))
            coords[f"{dim}_2"] = factors
        ds = xr.Dataset(data, coords=coords)
        ds.attrs.update(n=self.n, d=self.problem.d, factors=len(factors), seed=self.seed,
                        second_order=int(self.second_order), resamples=self.resamples, conf_level=self.conf_level,
                        evaluations=self.evaluations, group_by=dim, estimators="S1 Saltelli 2010; ST Jansen 1999; "
                        "S2 Saltelli 2002; CI Poisson bootstrap", elapsed_seconds=round(self.elapsed, 3))
        if self.problem.groups is not None:
            ds.attrs["groups"] = ", ".join(f"{n}={g}" for n, g in zip(self.problem.names, self.problem.groups))
        if self.input_space:
            from ..uncertainty.spaces import INPUT_SPACES

            ds.attrs["input_space"] = self.input_space
            ds.attrs["input_space_text"] = INPUT_SPACES.get(self.input_space, self.input_space)
        if self.kinds:
            ds.attrs["kinds"] = ", ".join(f"{n}={k}" for n, k in zip(self.problem.names, self.kinds))
        if self.dependence:
            from .dependence import DEPENDENCE_MODES, members_json

            ds.attrs["dependence"] = self.dependence
            ds.attrs["dependence_text"] = DEPENDENCE_MODES[self.dependence]
            ds.attrs["group_members"] = members_json(self.problem)
        return ds


@dataclass(frozen=True)
class SobolJob:
    """The state every task of a Sobol' analysis needs: bound to forked
    workers before they fork, pickled (with cloudpickle) to a cluster.

    Attributes
    ----------
    problem : Problem
        Parameters, inverse CDFs and groups.
    func : callable
        The vectorised model.
    outputs : tuple of str
        Outputs analysed.
    seed : int
        Seed of the design and the bootstrap.
    second_order : bool
        Also the ``BA_j`` rows.
    resamples : int
        Bootstrap replicates.
    shifts : dict of str to float
        Per output the mean of a first small sample (keeps the sums well scaled).
    """

    problem: Problem
    func: ModelFn
    outputs: tuple[str, ...]
    seed: int
    second_order: bool
    resamples: int
    shifts: dict[str, float]

    def sums(self, spec: Task) -> dict[str, SobolSums]:
        """Evaluate ``rows`` base rows from ``task * TASK_ROWS`` and return their sums."""
        task, rows = spec
        problem = self.problem
        ua, ub = base_uniforms(problem.d, self.seed, task * TASK_ROWS, rows)
        xa, xb = problem.values(ua, ub)

        def run(x: Array) -> Mapping[str, Array]:
            return self.func({nm: x[j] for j, nm in enumerate(problem.names)})

        ya = run(xa)
        yb = run(xb)
        cols = problem.factor_columns
        k = len(cols)
        yab = {o: np.empty((rows, k)) for o in self.outputs}
        yba = {o: np.empty((rows, k)) for o in self.outputs} if self.second_order else None
        for i, c in enumerate(cols):
            x = xa.copy()
            x[list(c)] = xb[list(c)]
            res = run(x)
            for o in self.outputs:
                yab[o][:, i] = res[o]
            if yba is not None:
                x = xb.copy()
                x[list(c)] = xa[list(c)]
                res = run(x)
                for o in self.outputs:
                    yba[o][:, i] = res[o]
        weights = bootstrap_weights(self.seed, task, rows, self.resamples)
        out = {}
        for o in self.outputs:
            sums = SobolSums(k, self.resamples, self.second_order, shift=self.shifts[o])
            sums.add(ya[o], yb[o], yab[o], yba[o] if yba is not None else None, weights)
            out[o] = sums
        return out


def _shifts(func: ModelFn, problem: Problem, n: int, seed: int, outputs: Sequence[str]) -> dict[str, float]:
    """Per output the mean over the first (at most 256) rows of ``A``."""
    probe_a, _ = base_uniforms(problem.d, seed, 0, min(n, 256))
    xa, _ = problem.values(probe_a)
    probe = func({nm: xa[j] for j, nm in enumerate(problem.names)})
    return {o: float(np.mean(probe[o])) for o in outputs}


def sobol_indices(
    func: ModelFn,
    problem: Problem,
    n: int,
    *,
    outputs: Sequence[str],
    seed: int = 0,
    second_order: bool = False,
    resamples: int = RESAMPLES,
    conf_level: float = CONF_LEVEL,
    evaluator: Evaluator | None = None,
    workers: int = 1,
    target_ci: float | None = None,
    n_max: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SobolResult:
    """Sobol' indices of a vectorised model.

    Parameters
    ----------
    func : callable
        ``func(x)`` with ``x`` a mapping of parameter name to a 1-D array,
        returning a mapping that contains every name in ``outputs``.
    problem : Problem
        Parameters, their inverse CDFs and optional groups.
    n : int
        Base samples, a power of 2 (``evaluations = n (k + 2)``, or
        ``n (2 k + 2)`` with second order, for ``k`` factors).
    outputs : sequence of str
        Outputs to analyse.
    seed : int
        Seed of the scrambled Sobol' design and of the bootstrap.
    second_order : bool
        Also estimate second-order indices.
    resamples : int
        Bootstrap replicates.
    conf_level : float
        Confidence level of the intervals.
    evaluator : Evaluator, optional
        Where the tasks run (:mod:`mkba_mc.execution.evaluators`; used, not
        closed); on a cluster ``func`` must pickle with cloudpickle.  The sums
        are merged in task order, so the numbers equal a serial run's.
    workers : int
        Without ``evaluator``: forked worker processes (where available); 1
        evaluates in-process.
    target_ci : float, optional
        Double ``n`` (up to ``n_max``) until every first- and total-order
        half-width is at most this.
    progress : callable, optional
        ``progress(base_rows_done, total)``.

    Returns
    -------
    SobolResult
    """
    if n < 2 or n & (n - 1):
        raise ValueError(f"n must be a power of 2, got {n}")
    t0 = time.perf_counter()
    cap = n_max if n_max is not None else n
    own = evaluator is None
    if evaluator is None:
        evaluator = local_evaluator(workers)
    evaluator.expect(-(-cap // TASK_ROWS))  # no more workers than the tasks of the largest n
    job = SobolJob(problem, func, tuple(outputs), int(seed), second_order, resamples,
                   _shifts(func, problem, n, int(seed), outputs))
    k = len(problem.factor_names)
    totals = {o: SobolSums(k, resamples, second_order, job.shifts[o]) for o in outputs}
    done = 0
    goal = n
    rounds: list[dict[str, Any]] = []
    try:
        while True:
            tasks = [(t, min(TASK_ROWS, goal - t * TASK_ROWS)) for t in range(done // TASK_ROWS, -(-goal // TASK_ROWS))]
            for (t, _), part in zip(tasks, evaluator.map(job.sums, tasks)):
                for o in outputs:
                    totals[o].merge(part[o])
                if progress is not None:
                    progress(min(TASK_ROWS, goal - t * TASK_ROWS), cap)
            done = goal
            indices = {o: totals[o].indices(conf_level) for o in outputs}
            result = SobolResult(problem, tuple(outputs), done, int(seed), second_order, resamples, conf_level,
                                 indices, rounds=rounds, target_ci=target_ci)
            if target_ci is None:
                break
            width = result.max_half_width()
            rounds.append({"n": done, "max_half_width": width})
            if width <= target_ci or done >= cap:
                break
            goal = min(cap, 2 * done)
    finally:
        if own:
            evaluator.close()
    result.elapsed = time.perf_counter() - t0
    return result


__all__ = ["Problem", "SobolJob", "SobolResult", "base_uniforms", "saltelli_matrix", "sobol_indices"]
