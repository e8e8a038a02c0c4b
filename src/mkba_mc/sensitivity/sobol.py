"""Sobol' sensitivity indices in bounded memory, with bootstrap intervals.

Estimators (the same as SALib's ``analyze.sobol``, so point estimates agree
with SALib on the same design to rounding):

* first order, Saltelli et al. (2010), Computer Physics Communications
  181(2), 259-270: ``S1_j = mean(B (AB_j - A)) / var(A, B)``;
* total order, Jansen (1999) as recommended by Saltelli et al. (2010):
  ``ST_j = mean((A - AB_j)^2) / (2 var(A, B))``;
* second order, Saltelli (2002), Computer Physics Communications 145(2),
  280-297: ``S2_jk = mean(BA_j AB_k - A B) / var(A, B) - S1_j - S1_k``;

with ``Y`` standardised by the mean and standard deviation of all model
outputs first, as SALib does.  The standardisation is applied algebraically
to running sums, so the outputs ``Y`` never need to be kept: memory does not
grow with ``N``.

Confidence intervals come from a Poisson bootstrap (Hanley & MacGibbon 2006;
Chamandy et al. 2012): every base sample gets an independent Poisson(1)
weight per replicate, which is asymptotically the same as SALib's
multinomial resampling of rows but can be computed chunk by chunk as small
matrix products.  The interval is ``Z * sd(replicates)`` with ``Z`` the
normal quantile of the confidence level (SALib's rule).

The design is SALib's: a scrambled Sobol' sequence in ``2 d`` dimensions
(``scipy.stats.qmc.Sobol``, the same integer seed gives the same points as
``SALib.sample.sobol.sample``); ``A`` is its first ``d`` columns and ``B`` the
last ``d``; ``AB_j`` is ``A`` with the columns of parameter (or group) ``j``
taken from ``B``.  Inverse CDFs are applied to the ``2 N`` base rows only.
"""

from __future__ import annotations

import functools
import math
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy import stats
from scipy.stats import qmc

from ..uncertainty.streams import analysis_scramble_seed, bootstrap_stream

Array = NDArray[np.float64]
R = TypeVar("R")

#: Base rows per task: fixed, so the bootstrap weights and the order of the
#: sums do not depend on the number of workers.
TASK_ROWS: Final[int] = 1 << 13
RESAMPLES: Final[int] = 100
CONF_LEVEL: Final[float] = 0.95


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
    """

    names: tuple[str, ...]
    dists: tuple[Any, ...]
    groups: tuple[str, ...] | None = None

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


# ------------------------------------------------------------ accumulation
#: Rows per block of the second-order cross products (bounds their
#: ``(rows, k * k)`` temporaries; fixed, so the order of the sums is too).
CROSS_ROWS: Final[int] = 1 << 10
_SPLIT_PIECES: Final[int] = 2


def weighted_column_sums(weights: Array, F: Array) -> Array:
    """``weights.T @ F`` for non-negative integer ``weights``, computed so
    that the result does not depend on the BLAS library, its thread count or
    the CPU.

    A BLAS matrix product sums in an order that depends on the thread count
    and on the CPU kernel, which changes the last bits of the result.  Here
    every column ``j`` of ``F`` is split into :data:`_SPLIT_PIECES` pieces of
    ``p`` bits, each an integer after scaling by a power of two: the first
    holds the bits of ``F_ij`` down to ``2^(e_j - p)`` (``e_j`` the binary
    exponent of ``max_i |F_ij|``), the next the following ``p`` bits.  With
    ``p`` chosen so that ``max_q sum_i weights[i, q] * 2^p < 2^51``, the
    product of the weights with one piece is a sum of integers whose every
    partial sum is below ``2^51``: exact in float64, so BLAS returns the same
    exact value whatever order (or fused multiply-add) it uses.  The pieces'
    products are then combined elementwise in a fixed order.  The bits of
    ``F`` more than ``2 p`` below a column's maximum (``p = 37`` for 8,192
    rows of Poisson(1) weights) are dropped: an error of at most about one
    unit in the last place of the column's largest term, the size of the
    rounding error of an ordinary sum.

    Parameters
    ----------
    weights : numpy.ndarray
        ``(rows, r)`` non-negative integers stored as float64 (Poisson
        bootstrap weights).
    F : numpy.ndarray
        ``(rows, m)`` values; a column with a NaN or infinity gives NaN.

    Returns
    -------
    numpy.ndarray
        ``(r, m)``: ``out[q, j] = sum_i weights[i, q] F[i, j]``, to rounding.

    Raises
    ------
    ValueError
        If a weight is negative or not an integer, or if the weights are so
        large that no exact split exists.
    """
    if F.shape[0] == 0:
        return np.zeros((weights.shape[1], F.shape[1]))
    if weights.min() < 0 or not np.array_equal(weights, np.rint(weights)):
        raise ValueError("weighted_column_sums needs non-negative integer weights")
    bits = 51 - int(weights.sum(axis=0).max()).bit_length()  # the column sums of integers are exact
    if bits < 20:
        raise ValueError(f"bootstrap weights summing to {weights.sum(axis=0).max():g} leave no exact split")
    with np.errstate(invalid="ignore", over="ignore"):
        _, e = np.frexp(np.max(np.abs(F), axis=0))  # |F_ij| < 2^e_j
        x = F * np.ldexp(1.0, bits - e)  # exact (a power-of-two scaling), |x| < 2^bits
        parts = []
        for _ in range(_SPLIT_PIECES):
            piece = np.rint(x)
            parts.append(weights.T @ piece)  # exact: integers, every partial sum < 2^51
            x -= piece  # exact, |x| <= 1/2
            x *= 2.0**bits
        total = parts[-1]
        for part in reversed(parts[:-1]):  # smallest first, a fixed order
            total *= 2.0**-bits
            total += part
        total *= np.ldexp(1.0, e - bits)
    return total


@dataclass
class SobolSums:
    """Running sums of one output (shifted by ``shift``), plain and per
    bootstrap replicate."""

    k: int
    resamples: int
    second_order: bool
    shift: float
    plain: Array = field(init=False)
    boot: Array = field(init=False)
    cross: Array | None = field(init=False, default=None)
    cross_boot: Array | None = field(init=False, default=None)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        width = 6 + 3 * self.k + (2 * self.k if self.second_order else 0)
        self.plain = np.zeros(width)
        self.boot = np.zeros((self.resamples, width))
        if self.second_order:
            self.cross = np.zeros((self.k, self.k))
            self.cross_boot = np.zeros((self.resamples, self.k, self.k))

    def add(self, ya: Array, yb: Array, yab: Array, yba: Array | None, weights: Array) -> None:
        """Add a chunk: outputs ``A``, ``B`` ``(c,)``, ``AB`` ``(c, k)``, ``BA``
        ``(c, k)`` or None, and bootstrap weights ``(c, resamples)``."""
        c = self.shift
        a = ya - c
        b = yb - c
        ab = yab - c
        diff = ab - a[:, None]
        cols = [np.ones_like(a), a, b, a * a, b * b, a * b, diff, b[:, None] * diff, diff * diff]
        ba = None
        if self.second_order:
            assert yba is not None
            ba = yba - c
            cols += [ba, ab]
        F = np.column_stack(cols)
        self.plain += F.sum(axis=0)
        self.boot += weighted_column_sums(weights, F)
        self.total += float(ya.sum() + yb.sum() + yab.sum() + (yba.sum() if yba is not None else 0.0))
        self.count += ya.size + yb.size + yab.size + (yba.size if yba is not None else 0)
        if self.second_order:
            assert ba is not None and self.cross is not None and self.cross_boot is not None
            k = self.k
            for lo in range(0, ba.shape[0], CROSS_ROWS):  # row blocks bound the (rows, k * k) temporaries
                G = (ba[lo:lo + CROSS_ROWS, :, None] * ab[lo:lo + CROSS_ROWS, None, :]).reshape(-1, k * k)
                self.cross += G.sum(axis=0).reshape(k, k)
                self.cross_boot += weighted_column_sums(weights[lo:lo + CROSS_ROWS], G).reshape(-1, k, k)

    def merge(self, other: SobolSums) -> None:
        self.plain += other.plain
        self.boot += other.boot
        self.total += other.total
        self.count += other.count
        if self.second_order:
            self.cross += other.cross  # type: ignore[operator]
            self.cross_boot += other.cross_boot  # type: ignore[operator]

    def indices(self, conf_level: float = CONF_LEVEL) -> dict[str, Array]:
        """S1, ST (and S2) with their confidence half-widths."""
        mu = self.total / self.count - self.shift  # global mean of the shifted outputs
        point = _indices(self.plain[None, :], mu, self.k, self.cross[None] if self.cross is not None else None)
        reps = _indices(self.boot, mu, self.k, self.cross_boot)
        z = float(stats.norm.ppf(0.5 + conf_level / 2))
        out = {"S1": point["S1"][0], "ST": point["ST"][0],
               "S1_conf": z * reps["S1"].std(axis=0, ddof=1), "ST_conf": z * reps["ST"].std(axis=0, ddof=1)}
        if self.second_order:
            out["S2"] = point["S2"][0]
            out["S2_conf"] = z * reps["S2"].std(axis=0, ddof=1)
        return out


def _indices(s: Array, mu: float, k: int, cross: Array | None) -> dict[str, Array]:
    """Indices from (weighted) sums ``s`` of shape ``(r, width)``."""
    n = s[:, 0]
    sa, sb, saa, sbb, sab = s[:, 1], s[:, 2], s[:, 3], s[:, 4], s[:, 5]
    sdiff = s[:, 6:6 + k]
    sbdiff = s[:, 6 + k:6 + 2 * k]
    sdd = s[:, 6 + 2 * k:6 + 3 * k]
    var = (saa + sbb) / (2 * n) - ((sa + sb) / (2 * n)) ** 2
    tiny = np.finfo(float).eps
    ok = var > tiny
    safe = np.where(ok, var, 1.0)
    s1 = np.where(ok[:, None], (sbdiff / n[:, None] - mu * sdiff / n[:, None]) / safe[:, None], 0.0)
    st = np.where(ok[:, None], 0.5 * sdd / n[:, None] / safe[:, None], 0.0)
    out = {"S1": s1, "ST": st}
    if cross is not None:
        sba = s[:, 6 + 3 * k:6 + 4 * k]
        sab_k = s[:, 6 + 4 * k:6 + 5 * k]
        mean_cross = cross / n[:, None, None]
        v = (mean_cross - (sab / n)[:, None, None]
             - mu * ((sba / n[:, None])[:, :, None] + (sab_k / n[:, None])[:, None, :]
                     - ((sa + sb) / n)[:, None, None]))
        v = np.where(ok[:, None, None], v / safe[:, None, None], 0.0)
        s2 = v - s1[:, :, None] - s1[:, None, :]
        iu = np.triu_indices(k, 1)
        full = np.full_like(s2, np.nan)
        full[:, iu[0], iu[1]] = s2[:, iu[0], iu[1]]
        out["S2"] = full
    return out


def analyze_salib_layout(Y: Array, k: int, second_order: bool = False, *, resamples: int = RESAMPLES,
                         conf_level: float = CONF_LEVEL, seed: int = 0) -> dict[str, Array]:
    """Indices of outputs ``Y`` laid out as SALib's ``sample.sobol`` rows.

    Point estimates equal ``SALib.analyze.sobol.analyze`` on the same ``Y``
    (to rounding); intervals come from the Poisson bootstrap.
    """
    step = 2 * k + 2 if second_order else k + 2
    Y = np.asarray(Y, dtype=np.float64).reshape(-1, step)
    sums = SobolSums(k, resamples, second_order, shift=float(Y[:, 0].mean()))
    for lo in range(0, Y.shape[0], TASK_ROWS):
        part = Y[lo:lo + TASK_ROWS]
        sums.add(part[:, 0], part[:, -1], part[:, 1:k + 1], part[:, k + 1:2 * k + 1] if second_order else None,
                 bootstrap_weights(seed, lo // TASK_ROWS, part.shape[0], resamples))
    return sums.indices(conf_level)


def bootstrap_weights(seed: int, task: int, rows: int, resamples: int) -> Array:
    """Poisson(1) bootstrap weights ``(rows, resamples)`` of one task."""
    rng = np.random.default_rng(bootstrap_stream(seed, task))
    return rng.poisson(1.0, size=(rows, resamples)).astype(np.float64)


# ---------------------------------------------------------------- driver
ModelFn = Callable[[Mapping[str, Array]], Mapping[str, Array]]


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
        dim = "knop" if self.problem.groups is not None else "parameter"
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
            from ..io.loading import INPUT_SPACES

            ds.attrs["input_space"] = self.input_space
            ds.attrs["input_space_text"] = INPUT_SPACES.get(self.input_space, self.input_space)
        if self.kinds:
            ds.attrs["kinds"] = ", ".join(f"{n}={k}" for n, k in zip(self.problem.names, self.kinds))
        return ds


_JOB: dict[str, Any] = {}


def _task(spec: tuple[int, int]) -> dict[str, SobolSums]:
    """Task of a forked worker (or in-process): :func:`_task_in` with the
    shared :data:`_JOB`."""
    return _task_in(_JOB, spec)


def _task_in(job: Mapping[str, Any], spec: tuple[int, int]) -> dict[str, SobolSums]:
    """Evaluate ``rows`` base rows from ``task * TASK_ROWS`` and return their sums.

    ``job`` holds the problem, the model function, the outputs, the seed,
    ``second_order``, ``resamples`` and the ``shifts``; bound with
    :func:`functools.partial` it is a picklable task for another scheduler.
    """
    task, rows = spec
    problem: Problem = job["problem"]
    ua, ub = base_uniforms(problem.d, job["seed"], task * TASK_ROWS, rows)
    xa = np.empty((problem.d, rows))
    xb = np.empty((problem.d, rows))
    for j, dist in enumerate(problem.dists):
        if dist is None:
            xa[j], xb[j] = ua[:, j], ub[:, j]
        else:
            dist.ppf(np.ascontiguousarray(ua[:, j]), out=xa[j])
            dist.ppf(np.ascontiguousarray(ub[:, j]), out=xb[j])
    func: ModelFn = job["func"]
    outputs: Sequence[str] = job["outputs"]

    def run(x: Array) -> Mapping[str, Array]:
        return func({nm: x[j] for j, nm in enumerate(problem.names)})

    ya = run(xa)
    yb = run(xb)
    cols = problem.factor_columns
    k = len(cols)
    yab = {o: np.empty((rows, k)) for o in outputs}
    yba = {o: np.empty((rows, k)) for o in outputs} if job["second_order"] else None
    for i, c in enumerate(cols):
        x = xa.copy()
        x[list(c)] = xb[list(c)]
        res = run(x)
        for o in outputs:
            yab[o][:, i] = res[o]
        if yba is not None:
            x = xb.copy()
            x[list(c)] = xa[list(c)]
            res = run(x)
            for o in outputs:
                yba[o][:, i] = res[o]
    weights = bootstrap_weights(job["seed"], task, rows, job["resamples"])
    out = {}
    for o in outputs:
        sums = SobolSums(k, job["resamples"], job["second_order"], shift=job["shifts"][o])
        sums.add(ya[o], yb[o], yab[o], yba[o] if yba is not None else None, weights)
        out[o] = sums
    return out


Task = tuple[int, int]  # (task index, base rows)


def _in_task_order(results: Iterable[tuple[Task, R]], tasks: Sequence[Task]) -> Iterator[tuple[Task, R]]:
    """Reorder ``(task, result)`` pairs into the order of ``tasks`` (results
    are held only until their predecessors arrive), so the floating-point
    sums are merged in the same order as a local run's."""
    order = {task[0]: i for i, task in enumerate(tasks)}
    waiting: dict[int, tuple[Task, R]] = {}
    nxt = 0
    for task, result in results:
        i = order[task[0]]
        waiting[i] = (tasks[i], result)
        while nxt in waiting:
            yield waiting.pop(nxt)
            nxt += 1
    if nxt != len(tasks):
        raise RuntimeError(f"the scheduler returned {nxt + len(waiting)} of {len(tasks)} task results")


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
    workers: int = 1,
    target_ci: float | None = None,
    n_max: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    map_tasks: Callable[[Callable[[Task], Any], Sequence[Task]], Iterable[tuple[Task, Any]]] | None = None,
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
    workers : int
        Forked worker processes (where available); 1 evaluates in-process.
    target_ci : float, optional
        Double ``n`` (up to ``n_max``) until every first- and total-order
        half-width is at most this.
    progress : callable, optional
        ``progress(base_rows_done, total)``.
    map_tasks : callable, optional
        ``map_tasks(fn, tasks)`` yielding ``(task, fn(task))``: another
        scheduler (a Dask cluster, see :mod:`mkba_mc.execution.scheduling`), used
        instead of ``workers``.  ``fn`` is picklable (``func`` must pickle
        with cloudpickle); the sums are merged in task order whatever order
        the results come in, so the numbers equal a local run's.

    Returns
    -------
    SobolResult
    """
    if n < 2 or n & (n - 1):
        raise ValueError(f"n must be a power of 2, got {n}")
    t0 = time.perf_counter()
    _JOB.clear()
    _JOB.update(problem=problem, seed=int(seed), func=func, outputs=list(outputs), second_order=second_order,
                resamples=resamples)
    # shifts: mean of a first small sample keeps the running sums well scaled
    probe_a, _ = base_uniforms(problem.d, int(seed), 0, min(n, 256))
    xp = {}
    for j, nm in enumerate(problem.names):
        dist = problem.dists[j]
        col = np.ascontiguousarray(probe_a[:, j])
        xp[nm] = col if dist is None else dist.ppf(col)
    probe = func(xp)
    _JOB["shifts"] = {o: float(np.mean(probe[o])) for o in outputs}
    k = len(problem.factor_names)
    totals = {o: SobolSums(k, resamples, second_order, _JOB["shifts"][o]) for o in outputs}
    done = 0
    goal = n
    cap = n_max if n_max is not None else n
    rounds: list[dict[str, Any]] = []
    executor = None
    try:
        import multiprocessing as mp

        remote = functools.partial(_task_in, dict(_JOB)) if map_tasks is not None else None
        pool_size = min(workers, -(-cap // TASK_ROWS))  # no more processes than the tasks of the largest n
        if remote is None and pool_size > 1 and "fork" in mp.get_all_start_methods():
            from ..execution.procs import fork_pool

            executor = fork_pool(pool_size)  # workers die with this process, even on SIGKILL
        while True:
            tasks = [(t, min(TASK_ROWS, goal - t * TASK_ROWS)) for t in range(done // TASK_ROWS, -(-goal // TASK_ROWS))]
            if map_tasks is not None and remote is not None:
                parts: Iterable[tuple[Task, dict[str, SobolSums]]] = _in_task_order(map_tasks(remote, tasks), tasks)
            else:
                parts = zip(tasks, executor.map(_task, tasks) if executor is not None else map(_task, tasks))
            for (t, _), part in parts:
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
        if executor is not None:
            executor.shutdown()
        _JOB.clear()
    result.elapsed = time.perf_counter() - t0
    return result


# ----------------------------------------------------- analytic references
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


__all__ = [
    "Problem",
    "SobolResult",
    "SobolSums",
    "analyze_salib_layout",
    "base_uniforms",
    "bootstrap_weights",
    "ishigami",
    "ishigami_indices",
    "saltelli_matrix",
    "sobol_g",
    "sobol_g_indices",
    "sobol_indices",
    "weighted_column_sums",
]
