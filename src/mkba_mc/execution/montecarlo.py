"""The Monte Carlo engine: sample parameter sets, evaluate them in chunks.

A run draws ``n`` parameter sets for the parameters of a scenario that carry
a distribution (the others stay at their point values), evaluates
:func:`mkba_mc.model.core.evaluate` on them chunk by chunk over a pool of workers,
and keeps the selected outputs.

Reproducibility: the design is defined per block of
:data:`~mkba_mc.uncertainty.sampling.BLOCK_SIZE` samples (see :mod:`mkba_mc.uncertainty.sampling`);
a task generates whole blocks, applies the copula and the inverse CDFs
row-wise and evaluates the model elementwise, so the numbers of a given seed
are bit-identical whatever the chunk size, the number of workers or the
scheduler.  Memory is bounded by the chunks in flight plus the outputs kept.
"""

from __future__ import annotations

import math
import mmap
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray

from ..checks import seed_problems
from ..errors import ConfigError, Problem
from ..model.core import ACTOR_OUTPUTS, ALL_OUTPUTS, PROGRAMME_OUTPUTS, evaluate
from ..uncertainty.plan import SamplingPlan
from ..model.outputs import POINT_KEYS

if TYPE_CHECKING:
    from ..io.loading import Scenario

Array = NDArray[np.float64]

#: Outputs a run keeps unless told otherwise: the key outputs of the MKBA
#: (totals, balance, the three ratios, the municipality's balance) and the
#: NCW balance of every actor.  The programme view (:data:`PROGRAMME_KEPT`)
#: and the individual posts are kept on request (:data:`ALL_KEPT_OUTPUTS`).
DEFAULT_OUTPUTS: Final[tuple[str, ...]] = (
    "cost_total",
    "benefit_financial",
    "benefit_total",
    "balance",
    "ratio_financial",
    "ratio_social",
    "ratio_gemeente",
    "balance_gemeente",
    "actor_balance",
)
#: The programme view per sample: payback year and pre-financing need, in
#: total and for the municipality (about half the model's array work).
PROGRAMME_KEPT: Final[tuple[str, ...]] = ("payback_year", "prefinancing", "payback_year_gemeente",
                                          "prefinancing_gemeente")
#: Every output a run can keep: the keys of ``point --json``, the
#: municipality's payback and balance, and the actor balances.
ALL_KEPT_OUTPUTS: Final[tuple[str, ...]] = tuple(dict.fromkeys(
    POINT_KEYS + ("balance_gemeente", "payback_year_gemeente", "prefinancing_gemeente",
                  "persons_to_work", "prevented_escalations", "team_fte", "actor_balance")))
DEFAULT_CHUNK: Final[int] = 1 << 14
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
    _summary: Any = field(default=None, repr=False)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.outputs["ratio_social"])

    def summary(self) -> Any:
        """Per-output statistics (see :func:`mkba_mc.execution.summary.summarize`)."""
        if self._summary is None:
            from .summary import summarize

            self._summary = summarize(self.outputs)
        return self._summary

    def probabilities(self) -> dict[str, dict[str, float]]:
        """Decision probabilities with Monte Carlo standard errors."""
        from .summary import probabilities

        return probabilities(self.outputs)

    def to_dataset(self) -> Any:
        """The kept samples as an :class:`xarray.Dataset` with provenance."""
        from ..io.results import to_dataset

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
                   chunk_size: int, keep_inputs: bool = False,
                   sink: Callable[[int, Mapping[str, Array], Mapping[str, Array] | None], None] | None = None,
                   ) -> tuple[dict[str, Array], dict[str, Array] | None] | None:
    """Evaluate samples ``start .. stop - 1``; the unit of work of a run.

    Each chunk is sampled, transformed and evaluated while it is in cache.
    With a ``sink`` every chunk's values go to ``sink(first_row, values,
    inputs)``; otherwise the range's values are returned.  Pure given its
    arguments, so any scheduler (threads, processes, a Dask cluster) can run
    it.
    """
    own: _Collect | None = None
    if sink is None:
        own = _Collect(start, stop - start)
        sink = own.put
    base = scenario.params
    params = dict(base)
    for row, x in plan.chunks(start, stop, chunk_size):
        for j, nm in enumerate(plan.names):
            params[nm] = x[j]
        res = evaluate(params, scenario.structure, outputs)
        sink(row, {k: res[k] for k in outputs}, {nm: x[j] for j, nm in enumerate(plan.names)} if keep_inputs else None)
    if own is None:
        return None
    return own.values, (own.inputs if keep_inputs else None)


class _Collect:
    """Collects the chunks of one range into contiguous arrays."""

    def __init__(self, start: int, size: int):
        self.start, self.size = start, size
        self.values: dict[str, Array] = {}
        self.inputs: dict[str, Array] = {}

    def put(self, row: int, values: Mapping[str, Array], inputs: Mapping[str, Array] | None) -> None:
        for target, src in ((self.values, values), (self.inputs, inputs or {})):
            for k, v in src.items():
                if k not in target:
                    target[k] = np.empty((self.size, *v.shape[1:]))
                target[k][row - self.start:row - self.start + len(v)] = v


class _Store:
    """Output arrays of a run, written at the sample offset of each task.

    The arrays live in one anonymous shared memory map, so worker processes
    forked after it was made write their results straight into it (no
    copies, no pickling).  The capacity is the run's maximum ``n``; pages
    that are never written are never committed.
    """

    def __init__(self, names: Sequence[str], shapes: Mapping[str, tuple[int, ...]], capacity: int):
        widths = {k: int(np.prod(shapes.get(k, ()), dtype=np.int64)) for k in names}
        total = max(1, sum(widths.values()) * capacity * 8)
        self._buffer = mmap.mmap(-1, total)
        self.arrays: dict[str, Array] = {}
        offset = 0
        for k in names:
            size = widths[k] * capacity
            flat = np.frombuffer(self._buffer, dtype=np.float64, count=size, offset=offset * 8)
            self.arrays[k] = flat.reshape((widths[k], capacity)).T if shapes.get(k) else flat
            offset += size

    def put(self, start: int, values: Mapping[str, Array]) -> None:
        for k, v in values.items():
            self.arrays[k][start:start + len(v)] = v

    def trimmed(self, n: int) -> dict[str, Array]:
        return {k: a[:n] for k, a in self.arrays.items()}


#: State shared with forked worker processes (set before the pool forks).
_JOB: dict[str, Any] = {}


def _work_in_place(task: Task) -> Task:
    """Worker-process task: evaluate a range, writing into the shared store."""
    job = _JOB

    def sink(row: int, values: Mapping[str, Array], inputs: Mapping[str, Array] | None) -> None:
        job["store"].put(row, values)
        if inputs is not None:
            job["in_store"].put(row, inputs)

    evaluate_range(job["scenario"], job["plan"], task[0], task[1], job["keep"], job["chunk_size"],
                   job["keep_inputs"], sink)
    return task


def _column_stats(task: tuple[str, int]) -> tuple[str, dict[str, float]]:
    """Worker-process task: statistics of one column of the shared store
    (the worker forked before the run ended, so it is told ``n``)."""
    from .summary import column_stats, columns

    name, n = task
    return name, column_stats(columns(_JOB["store"].trimmed(n))[name])


def _fork_available() -> bool:
    import multiprocessing as mp

    return "fork" in mp.get_all_start_methods()


def windowed(submit: Callable[[Task], Future[Any]], tasks: Iterable[Task], window: int
             ) -> Iterator[tuple[Task, Any]]:
    """Run tasks with at most ``window`` in flight; yield ``(task, result)`` in
    task order.  Tasks not yet started are cancelled if the consumer stops."""
    pending: deque[tuple[Task, Future[Any]]] = deque()
    it = iter(tasks)
    try:
        for t in it:
            pending.append((t, submit(t)))
            if len(pending) >= window:
                break
        while pending:
            t, fut = pending.popleft()
            result = fut.result()
            nxt = next(it, None)
            if nxt is not None:
                pending.append((nxt, submit(nxt)))
            yield t, result
    finally:
        for _, fut in pending:
            fut.cancel()


def new_seed() -> int:
    """A fresh random seed (recorded in the manifest so the run can be repeated)."""
    return int(np.random.SeedSequence().entropy % (2**63))


BACKENDS: Final[tuple[str, ...]] = ("auto", "processes", "threads")


def run(
    scenario: Scenario,
    n: int,
    *,
    seed: int | None = None,
    sampler: str = "random",
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    backend: str = "auto",
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
        Parallel workers evaluating chunks.
    backend : {"auto", "processes", "threads"}
        How workers run: forked processes writing into shared memory (the
        default where ``fork`` exists: the model makes many short numpy
        calls, so threads contend for the GIL), or threads.
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
        scheduler (Dask); ``fn`` returns the task's values.

    Returns
    -------
    MonteCarloResult
        With the summary statistics already computed.
    """
    problems = []
    if n < 1:
        problems.append(Problem("-n", "n", n, "a positive number of samples"))
    if chunk_size < 1:
        problems.append(Problem("--chunk-size", "chunk_size", chunk_size, "a positive number of samples"))
    if workers < 1:
        problems.append(Problem("--workers", "workers", workers, "at least 1"))
    problems.extend(seed_problems(seed))
    if backend not in BACKENDS:
        problems.append(Problem("--backend", "backend", backend, f"one of: {', '.join(BACKENDS)}"))
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
    use_processes = (map_tasks is None and workers > 1 and backend != "threads" and _fork_available()
                     and n > plan.block_size)

    shapes = {k: (len(scenario.structure.payer[0]),) for k in keep if k in ACTOR_OUTPUTS}
    store = _Store(keep, shapes, n)
    in_store = _Store(plan.names, {}, n) if keep_inputs else None

    def work(task: Task) -> Any:
        """Task for an external scheduler: returns the range's values."""
        return evaluate_range(scenario, plan, task[0], task[1], keep, chunk_size, keep_inputs)

    def sink(row: int, values: Mapping[str, Array], inputs: Mapping[str, Array] | None) -> None:
        store.put(row, values)
        if in_store is not None and inputs is not None:
            in_store.put(row, inputs)

    def work_local(task: Task) -> Task:
        """Task in this process (serial or threads): writes into the store."""
        evaluate_range(scenario, plan, task[0], task[1], keep, chunk_size, keep_inputs, sink)
        return task

    t0 = time.perf_counter()
    done = 0
    goal = n if target_se is None else min(n, max(start_n, 1))
    rounds = []
    executor: Executor | None = None
    pool_size = max(1, min(workers, len(_tasks(0, n, plan.block_size, chunk_size))))  # no idle workers
    if use_processes:
        _JOB.clear()
        _JOB.update(scenario=scenario, plan=plan, keep=keep, chunk_size=chunk_size, keep_inputs=keep_inputs,
                    store=store, in_store=in_store)
        from .procs import fork_pool

        executor = fork_pool(pool_size)  # workers die with this process, even on SIGKILL
    elif map_tasks is None and workers > 1:
        executor = ThreadPoolExecutor(max_workers=pool_size)
    try:
        while True:
            tasks = _tasks(done, goal, plan.block_size, chunk_size)
            if map_tasks is not None:
                results: Iterable[tuple[Task, Any]] = map_tasks(work, tasks)
            elif executor is None:
                results = ((t, work_local(t)) for t in tasks)
            elif use_processes:
                results = windowed(lambda t: executor.submit(_work_in_place, t), tasks, window=2 * workers)
            else:
                results = windowed(lambda t: executor.submit(work_local, t), tasks, window=2 * workers)
            for (s, e), value in results:
                if map_tasks is not None:
                    vals, ins = value
                    sink(s, vals, ins)
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
        outputs_done = store.trimmed(done)
        t_eval = time.perf_counter() - t0
        summary = _summarize(outputs_done, executor if use_processes else None, workers)
    finally:
        if executor is not None:
            executor.shutdown(wait=True)
        _JOB.clear()
    elapsed = time.perf_counter() - t0
    convergence = None
    if target_se is not None:
        last = rounds[-1]
        convergence = {"target_se": target_se, "reached": last["se"] < target_se, "n": last["n"],
                       "se": last["se"], "rounds": rounds}
        if not convergence["reached"]:
            warns.append(f"target standard error {target_se:g} not reached with the maximum n = {n} "
                         f"(standard error {last['se']:.4g})")
    result = MonteCarloResult(scenario, plan, outputs_done,
                              in_store.trimmed(done) if in_store is not None else None,
                              chunk_size, workers, elapsed, convergence, warns)
    result._summary = summary
    result.timings = {"evaluate": t_eval, "summary": elapsed - t_eval}
    return result


def _summarize(outputs: Mapping[str, Array], executor: Executor | None, workers: int) -> Any:
    """Summary statistics, computed by the worker processes when there are any."""
    from .summary import columns, summarize, summary_frame

    if executor is None:
        return summarize(outputs, workers=workers)
    cols = columns(outputs)
    n = len(outputs["ratio_social"])
    stats = dict(executor.map(_column_stats, [(name, n) for name in cols]))
    return summary_frame({k: stats[k] for k in cols})


def default_workers() -> int:
    """Worker threads by default: the machine's cores, at most 8."""
    return max(1, min(8, os.cpu_count() or 1))


__all__ = [
    "ALL_KEPT_OUTPUTS",
    "PROGRAMME_KEPT",
    "DEFAULT_CHUNK",
    "DEFAULT_OUTPUTS",
    "MonteCarloResult",
    "SamplingPlan",
    "default_workers",
    "evaluate_range",
    "new_seed",
    "windowed",
    "run",
]
