"""The Monte Carlo engine: sample parameter sets, evaluate them in chunks.

A run draws ``n`` parameter sets for the parameters of a scenario that carry
a distribution (the others stay at their point values), evaluates
:func:`mkba_mc.model.evaluate` on them chunk by chunk over a pool of workers,
and keeps the selected outputs.

Reproducibility: the design is defined per block of
:data:`~mkba_mc.sampling.BLOCK_SIZE` samples (see :mod:`mkba_mc.sampling`);
a task generates whole blocks, applies the copula and the inverse CDFs
row-wise and evaluates the model elementwise, so the numbers of a given seed
are bit-identical whatever the chunk size, the number of workers or the
scheduler.  Memory is bounded by the chunks in flight plus the outputs kept.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray
from scipy import special

from .errors import ConfigError, Problem
from .model import ACTOR_OUTPUTS, ALL_OUTPUTS, PROGRAMME_OUTPUTS, evaluate
from .sampling import SAMPLERS, block_size_for, block_uniforms, correlate
from .screens import POINT_KEYS

if TYPE_CHECKING:
    from .loading import Scenario

Array = NDArray[np.float64]

#: Outputs a run keeps unless told otherwise: the keys of ``point --json``,
#: the municipality's balance and the NCW balance of every actor.
DEFAULT_OUTPUTS: Final[tuple[str, ...]] = POINT_KEYS + ("balance_gemeente", "actor_balance")
DEFAULT_CHUNK: Final[int] = 1 << 16
#: Outputs every run computes because the summary needs them.
REQUIRED_OUTPUTS: Final[tuple[str, ...]] = ("ratio_social",)


def _tune_malloc() -> None:
    """Keep freed chunk temporaries in the heap instead of returning them to
    the kernel every chunk (glibc re-faults such pages and throughput drops
    up to 5x; ../shared/reference/performance.md)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, (1 << 31) - 1)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


_tune_malloc()


@dataclass(frozen=True)
class ShareGroup:
    """A share vector sampled jointly from a Dirichlet distribution."""

    members: tuple[str, ...]
    alpha: tuple[float, ...]


@dataclass(frozen=True)
class SamplingPlan:
    """Which parameters are sampled, how, and from which seed.

    Attributes
    ----------
    names : tuple of str
        One name per row of the design (Dirichlet members included).
    sampler : str
        ``random``, ``lhs`` or ``sobol``.
    seed : int
        Non-negative integer seed.
    n : int
        Number of samples of the run (fixes the LHS block size).
    """

    names: tuple[str, ...]
    dists: tuple[Any, ...]
    groups: tuple[ShareGroup, ...]
    corr_rows: tuple[int, ...]
    cholesky: Array | None
    sampler: str
    seed: int
    n: int
    block_size: int

    @classmethod
    def from_scenario(cls, scenario: Scenario, n: int, seed: int, sampler: str = "random") -> SamplingPlan:
        """Build the plan of a scenario's distributions and correlation."""
        if sampler not in SAMPLERS:
            raise ConfigError([Problem("--sampler", "sampler", sampler, f"one of: {', '.join(SAMPLERS)}")])
        names = list(scenario.sampled)
        dists: list[Any] = [scenario.distributions[nm] for nm in names]
        groups = tuple(ShareGroup(tuple(m), tuple(a)) for m, a in getattr(scenario, "share_groups", {}).values())
        for g in groups:
            names.extend(g.members)
            dists.extend([None] * len(g.members))
        corr_rows: tuple[int, ...] = ()
        chol = None
        if scenario.correlation is not None:
            corr_rows = tuple(names.index(nm) for nm in scenario.correlation.names)
            chol = scenario.correlation.normal_cholesky
        return cls(tuple(names), tuple(dists), groups, corr_rows, chol, sampler, int(seed), int(n),
                   block_size_for(sampler, n))

    @property
    def dims(self) -> int:
        return len(self.names)

    def block_inputs(self, block: int) -> Array:
        """Sampled inputs of one whole block, shape ``(dims, block_size)``."""
        u = block_uniforms(self.sampler, self.seed, self.dims, block, self.block_size)
        if self.cholesky is not None:
            correlate(u, self.corr_rows, self.cholesky)
        for j, dist in enumerate(self.dists):
            if dist is not None:
                dist.ppf(u[j], out=u[j])
        row = sum(d is not None for d in self.dists)  # share groups follow the single parameters
        for g in self.groups:
            k = len(g.members)
            rows = u[row:row + k]
            for i, a in enumerate(g.alpha):  # Dirichlet = normalised Gamma(alpha_i, 1) draws
                rows[i] = special.gammaincinv(a, rows[i])
            rows /= rows.sum(axis=0)
            row += k
        return u

    def inputs(self, start: int, stop: int) -> dict[str, Array]:
        """Sampled inputs of samples ``start .. stop - 1`` by parameter name."""
        B = self.block_size
        parts = []
        for b in range(start // B, (stop - 1) // B + 1):
            x = self.block_inputs(b)
            lo, hi = max(start, b * B) - b * B, min(stop, (b + 1) * B) - b * B
            parts.append(x[:, lo:hi])
        x = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
        return {nm: x[j] for j, nm in enumerate(self.names)}


@dataclass
class MonteCarloResult:
    """Outputs (and optionally inputs) of a Monte Carlo run.

    Attributes
    ----------
    outputs : dict of str to numpy.ndarray
        Kept outputs; scalar outputs ``(n,)``, ``actor_balance`` ``(n, 9)``.
    inputs : dict of str to numpy.ndarray or None
        Sampled inputs ``(n,)`` when ``keep_inputs`` was asked.
    """

    scenario: Scenario
    plan: SamplingPlan
    outputs: dict[str, Array]
    inputs: dict[str, Array] | None
    chunk_size: int
    workers: int
    elapsed: float
    convergence: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.outputs["ratio_social"])

    def summary(self) -> Any:
        """Per-output statistics (see :func:`mkba_mc.summary.summarize`)."""
        from .summary import summarize

        return summarize(self.outputs)

    def probabilities(self) -> dict[str, dict[str, float]]:
        """Decision probabilities with Monte Carlo standard errors."""
        from .summary import probabilities

        return probabilities(self.outputs)

    def to_dataset(self) -> Any:
        """The kept samples as an :class:`xarray.Dataset` with provenance."""
        from .results import to_dataset

        return to_dataset(self)


Task = tuple[int, int]  # sample range [start, stop)


def _tasks(start: int, stop: int, block: int, chunk: int) -> list[Task]:
    """Split ``[start, stop)`` into tasks of whole blocks (several blocks per
    task when the chunk is larger than a block)."""
    per = max(1, chunk // block) * block
    out = []
    s = start
    while s < stop:
        e = min(stop, (s // block) * block + per)
        out.append((s, e))
        s = e
    return out


def evaluate_range(scenario: Scenario, plan: SamplingPlan, start: int, stop: int, outputs: Sequence[str],
                   chunk_size: int, keep_inputs: bool = False) -> tuple[dict[str, Array], dict[str, Array] | None]:
    """Evaluate samples ``start .. stop - 1``; the unit of work of a run.

    Pure given its arguments, so any scheduler (threads, processes, a Dask
    cluster) can run it and the caller places the result at ``start``.
    """
    x = plan.inputs(start, stop)
    base = scenario.params
    parts: dict[str, list[Array]] = {k: [] for k in outputs}
    for lo in range(0, stop - start, chunk_size):
        hi = min(stop - start, lo + chunk_size)
        params = dict(base)
        for nm, arr in x.items():
            params[nm] = arr[lo:hi]
        res = evaluate(params, scenario.structure, outputs)
        for k in outputs:
            parts[k].append(res[k])
    merged = {k: v[0] if len(v) == 1 else np.concatenate(v, axis=0) for k, v in parts.items()}
    inputs = {k: np.array(v) for k, v in x.items()} if keep_inputs else None
    return merged, inputs


class _Store:
    """Growable output arrays, written at the sample offset of each task."""

    def __init__(self, names: Sequence[str], shapes: Mapping[str, tuple[int, ...]], capacity: int):
        self.arrays = {k: np.empty((capacity, *shapes.get(k, ()))) for k in names}

    def grow(self, capacity: int) -> None:
        for k, a in self.arrays.items():
            if a.shape[0] < capacity:
                b = np.empty((capacity, *a.shape[1:]))
                b[: a.shape[0]] = a
                self.arrays[k] = b

    def put(self, start: int, values: Mapping[str, Array]) -> None:
        for k, v in values.items():
            self.arrays[k][start:start + len(v)] = v

    def trimmed(self, n: int) -> dict[str, Array]:
        return {k: (a if a.shape[0] == n else a[:n].copy()) for k, a in self.arrays.items()}


def _windowed(pool: ThreadPoolExecutor, fn: Callable[[Task], Any], tasks: Iterable[Task], window: int
              ) -> Iterator[tuple[Task, Any]]:
    """Run tasks with at most ``window`` in flight; yield ``(task, result)`` as they finish."""
    pending: dict[Future[Any], Task] = {}
    it = iter(tasks)
    for t in it:
        pending[pool.submit(fn, t)] = t
        if len(pending) >= window:
            break
    while pending:
        done = next(iter(pending))  # oldest first keeps memory bounded and order stable
        result = done.result()
        t = pending.pop(done)
        nxt = next(it, None)
        if nxt is not None:
            pending[pool.submit(fn, nxt)] = nxt
        yield t, result


def new_seed() -> int:
    """A fresh random seed (recorded in the manifest so the run can be repeated)."""
    return int(np.random.SeedSequence().entropy % (2**63))


def run(
    scenario: Scenario,
    n: int,
    *,
    seed: int | None = None,
    sampler: str = "random",
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    outputs: Sequence[str] | None = None,
    keep_inputs: bool = False,
    target_se: float | None = None,
    start_n: int = 1 << 14,
    progress: Callable[[int, int], None] | None = None,
    map_tasks: Callable[[Callable[[Task], Any], Sequence[Task]], Iterable[tuple[Task, Any]]] | None = None,
) -> MonteCarloResult:
    """Run a Monte Carlo analysis of a scenario.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario; its parameters with a distribution are sampled.
    n : int
        Number of samples (the maximum when ``target_se`` is given).
    seed : int, optional
        Seed of the design; a fresh one is drawn (and recorded) if omitted.
    sampler : {"random", "lhs", "sobol"}
        Design on the unit cube.
    chunk_size : int
        Samples per model evaluation; bounds the memory of temporaries.
    workers : int
        Threads evaluating chunks in parallel (numpy releases the GIL).
    outputs : sequence of str, optional
        Outputs to keep (default :data:`DEFAULT_OUTPUTS`); ``ratio_social``
        is always kept.
    keep_inputs : bool
        Also keep the sampled inputs.
    target_se : float, optional
        Double the number of samples, from ``start_n`` up to ``n``, until the
        Monte Carlo standard error of P(ratio_social >= 1) is below it.
    progress : callable, optional
        Called as ``progress(done, total)`` after each task.
    map_tasks : callable, optional
        ``map_tasks(fn, tasks)`` yielding ``(task, fn(task))``: another
        scheduler (Dask); default a local thread pool of ``workers``.

    Returns
    -------
    MonteCarloResult
    """
    problems = []
    if n < 1:
        problems.append(Problem("-n", "n", n, "a positive number of samples"))
    if chunk_size < 1:
        problems.append(Problem("--chunk-size", "chunk_size", chunk_size, "a positive number of samples"))
    if workers < 1:
        problems.append(Problem("--workers", "workers", workers, "at least 1"))
    if target_se is not None and not (0 < target_se < 0.5):
        problems.append(Problem("--target-se", "target_se", target_se, "a standard error in (0, 0.5)"))
    keep = list(dict.fromkeys((*REQUIRED_OUTPUTS, *(outputs if outputs is not None else DEFAULT_OUTPUTS))))
    for k in keep:
        if k not in ALL_OUTPUTS or k in PROGRAMME_OUTPUTS:
            valid = [o for o in ALL_OUTPUTS if o not in PROGRAMME_OUTPUTS]
            problems.append(Problem("--outputs", "outputs", k, f"one of: {', '.join(valid)}"))
    if problems:
        raise ConfigError(problems)
    if seed is None:
        seed = new_seed()
    plan = SamplingPlan.from_scenario(scenario, n, seed, sampler)
    warns = []
    if sampler == "sobol" and n & (n - 1):
        warns.append(f"n = {n} is not a power of 2: a Sobol' design keeps its balance properties only at powers of 2")

    shapes = {k: (len(scenario.structure.payer[0]),) for k in keep if k in ACTOR_OUTPUTS}
    goal = n if target_se is None else min(n, max(start_n, 1))
    store = _Store(keep, shapes, goal)
    in_store = _Store(plan.names, {}, goal) if keep_inputs else None

    def work(task: Task) -> Any:
        return evaluate_range(scenario, plan, task[0], task[1], keep, chunk_size, keep_inputs)

    t0 = time.perf_counter()
    done = 0
    rounds = []
    pool = ThreadPoolExecutor(max_workers=workers) if map_tasks is None else None
    try:
        while True:
            tasks = _tasks(done, goal, plan.block_size, chunk_size)
            if map_tasks is not None:
                results = map_tasks(work, tasks)
            elif workers == 1:
                results = ((t, work(t)) for t in tasks)
            else:
                assert pool is not None
                results = _windowed(pool, work, tasks, window=2 * workers)
            for (s, e), (vals, ins) in results:
                store.put(s, vals)
                if in_store is not None and ins is not None:
                    in_store.put(s, ins)
                if progress is not None:
                    progress(e - s, n)
            done = goal
            if target_se is None:
                break
            p = float(np.mean(store.arrays["ratio_social"][:done] >= 1.0))
            se = math.sqrt(p * (1 - p) / done)
            rounds.append({"n": done, "p_ratio_social_ge_1": p, "se": se})
            if se < target_se or done >= n:
                break
            goal = min(n, 2 * done)
            store.grow(goal)
            if in_store is not None:
                in_store.grow(goal)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    elapsed = time.perf_counter() - t0
    convergence = None
    if target_se is not None:
        last = rounds[-1]
        convergence = {"target_se": target_se, "reached": last["se"] < target_se, "n": last["n"],
                       "se": last["se"], "rounds": rounds}
        if not convergence["reached"]:
            warns.append(f"target standard error {target_se:g} not reached with the maximum n = {n} "
                         f"(standard error {last['se']:.4g})")
    return MonteCarloResult(scenario, plan, store.trimmed(done),
                            in_store.trimmed(done) if in_store is not None else None,
                            chunk_size, workers, elapsed, convergence, warns)


def default_workers() -> int:
    """Worker threads by default: the machine's cores, at most 8."""
    return max(1, min(8, os.cpu_count() or 1))


__all__ = [
    "DEFAULT_CHUNK",
    "DEFAULT_OUTPUTS",
    "MonteCarloResult",
    "SamplingPlan",
    "default_workers",
    "evaluate_range",
    "new_seed",
    "run",
]
