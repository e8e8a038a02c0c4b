"""The Monte Carlo engine: sample parameter sets, evaluate them in chunks.

A run draws ``n`` parameter sets for the parameters of a scenario that carry
a distribution (the others stay at their point values), evaluates
:func:`mkba_mc.model.core.evaluate` on them chunk by chunk on an evaluator
(:mod:`mkba_mc.execution.evaluators`: serial, threads, forked processes or a
Dask cluster), and keeps the selected outputs.

Reproducibility: the design is defined per block of
:data:`~mkba_mc.uncertainty.designs.BLOCK_SIZE` samples (see :mod:`mkba_mc.uncertainty.designs`);
a task generates whole blocks, applies the copula and the inverse CDFs
row-wise and evaluates the model elementwise, so the numbers of a given seed
are bit-identical whatever the chunk size, the number of workers or the
evaluator.  Memory is bounded by the chunks in flight plus the outputs kept.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

import numpy as np
from numpy.typing import NDArray

from ..checks import seed_problems
from ..errors import ConfigError, Problem
from ..model.core import ACTOR_OUTPUTS, ALL_OUTPUTS, PROGRAMME_OUTPUTS, SCALAR_OUTPUTS
from ..uncertainty.plan import SamplingPlan
from .evaluators import BACKENDS, Evaluator, SerialEvaluator, local_evaluator
from .job import RangeJob, Store, StoreJob, Task, evaluate_range, sample_tasks, tune_malloc
from .prefault import prefaulted

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
#: Outputs a run can keep beyond the keys of ``point --json``
#: (:data:`mkba_mc.report.screens.POINT_KEYS`: the other scalar outputs).
_NOT_POINT_KEYS: Final[tuple[str, ...]] = ("balance_gemeente", "payback_year_gemeente", "prefinancing_gemeente",
                                           "persons_to_work", "prevented_escalations", "team_fte")
#: Every output a run can keep: the keys of ``point --json`` (in the model's
#: order), the municipality's payback and balance, and the actor balances.
ALL_KEPT_OUTPUTS: Final[tuple[str, ...]] = (*(o for o in SCALAR_OUTPUTS if o not in _NOT_POINT_KEYS),
                                            *_NOT_POINT_KEYS, "actor_balance")
DEFAULT_CHUNK: Final[int] = 1 << 14
#: Outputs every run computes because the summary needs them.
REQUIRED_OUTPUTS: Final[tuple[str, ...]] = ("ratio_social",)
#: The programme cash flows a run with the programme view also evaluates, for
#: the band of :meth:`MonteCarloResult.programme_band` (kept ``(n, years)``
#: until the run ends, then reduced to quantiles).
BAND_OUTPUTS: Final[tuple[str, ...]] = PROGRAMME_OUTPUTS


class SampleSink(Protocol):
    """Where a run streams its kept samples while it computes (``run(sink=...)``).

    The engine calls :meth:`start` once, before the first task, with the
    run's output arrays (capacity ``n`` rows, filled by the tasks), then
    :meth:`advance` after every finished task (tasks finish in sample
    order), and :meth:`wait` before it returns.  A sink may also have
    ``complete(result)``, called once all rows are given and before the
    summary is computed (:func:`_complete`).  The engine knows no file
    format: :class:`mkba_mc.io.stream.RunOutput` is the sink of ``run --out``.
    """

    def start(self, outputs: Mapping[str, Array], inputs: Mapping[str, Array] | None, n: int) -> None:
        """The arrays rows will appear in; ``inputs`` by parameter when kept."""

    def advance(self, stop: int) -> None:
        """Rows ``[0, stop)`` are final."""

    def wait(self) -> None:
        """Every row given is handled (errors of the sink are raised here)."""


def _complete(sink: object, result: MonteCarloResult) -> None:
    """Give a sink with ``complete(result)`` the run once every row is given (``run --out`` closes samples.nc)."""
    complete = getattr(sink, "complete", None)
    if callable(complete):
        complete(result)


def band_outputs(outputs: Sequence[str]) -> tuple[str, ...]:
    """The cash flows a run keeping ``outputs`` evaluates for the programme
    band: :data:`BAND_OUTPUTS` when the programme view is kept, else none."""
    return BAND_OUTPUTS if set(outputs) & set(PROGRAMME_KEPT) else ()


@dataclass
class MonteCarloResult:
    """Outputs (and optionally inputs) of a Monte Carlo run.

    Attributes
    ----------
    outputs : dict of str to numpy.ndarray
        Kept outputs; scalar outputs ``(n,)``, ``actor_balance`` ``(n, 9)``.
    inputs : dict of str to numpy.ndarray or None
        Sampled inputs ``(n,)`` when ``keep_inputs`` was asked.
    band : dict of str to numpy.ndarray or None
        The programme band (:meth:`programme_band`).
    sink : SampleSink or None
        The sink given to the run (``run(sink=...)``); it received the
        samples unless the run had a ``target_se`` (whose final ``n`` is
        known only at the end: its writer writes them afterwards).
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
    _stats: dict[str, dict[str, float]] | None = field(default=None, repr=False)
    _probs: dict[str, dict[str, float]] | None = field(default=None, repr=False)
    timings: dict[str, float] = field(default_factory=dict)
    band: dict[str, Array] | None = None
    sink: Any = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return len(self.outputs["ratio_social"])

    def summary(self) -> Any:
        """Per-output statistics as a :class:`pandas.DataFrame` (index
        ``output``; see :func:`mkba_mc.execution.summary.summarize`)."""
        if self._summary is None:
            from .summary import summarize, summary_frame

            self._summary = summary_frame(self._stats) if self._stats is not None else summarize(self.outputs)
        return self._summary

    def summary_stats(self) -> dict[str, dict[str, float]]:
        """:meth:`summary` as ``{output: {statistic: value}}`` without pandas
        (what ``mkba-mc run`` prints; pandas takes 0.2-0.3 s to import)."""
        if self._stats is None:
            return {str(k): {c: float(v) for c, v in row.items()} for k, row in self.summary().iterrows()}
        return self._stats

    def probabilities(self) -> dict[str, dict[str, float]]:
        """Decision probabilities with Monte Carlo standard errors (kept after
        the first call: ``run --out`` needs them for its files and its console
        table, about 0.2 s each at 10^7 samples; two threads asking at once
        may both compute them, with the same result; every call returns a
        new dict)."""
        if self._probs is None:
            from .summary import probabilities

            self._probs = probabilities(self.outputs)
        return {event: dict(stats) for event, stats in self._probs.items()}

    def programme_band(self) -> dict[str, Array] | None:
        """Quantiles 0.1, 0.5 and 0.9 of the cumulative programme cash flow per programme year.

        Returns
        -------
        dict or None
            ``{"cumulative_cashflow_total", "cumulative_cashflow_gemeente"}``,
            each ``(3, years)`` (rows: the quantiles of
            :data:`mkba_mc.execution.summary.BAND_QUANTILES`; numpy's default
            linear quantile), computed from all samples of the run; ``None``
            when the run did not compute the programme view (none of
            :data:`PROGRAMME_KEPT` kept).
        """
        return self.band



def new_seed() -> int:
    """A fresh random seed (recorded in the manifest so the run can be repeated)."""
    return int(np.random.SeedSequence().entropy % (2**63))


def _check(n: int, chunk_size: int, seed: int | None, target_se: float | None, keep: Sequence[str],
           workers: int | None, backend: str) -> None:
    """All problems of a run's options at once (:class:`ConfigError`)."""
    problems = []
    if workers is not None and workers < 1:
        problems.append(Problem("--workers", "workers", workers, "at least 1"))
    if backend not in BACKENDS:
        problems.append(Problem("--backend", "backend", backend, f"one of: {', '.join(BACKENDS)}"))
    if n < 1:
        problems.append(Problem("-n", "n", n, "a positive number of samples"))
    if chunk_size < 1:
        problems.append(Problem("--chunk-size", "chunk_size", chunk_size, "a positive number of samples"))
    problems.extend(seed_problems(seed))
    if target_se is not None and not (0 < target_se < 0.5):
        problems.append(Problem("--target-se", "target_se", target_se, "a standard error in (0, 0.5)"))
    for k in keep:
        if k not in ALL_OUTPUTS or k in PROGRAMME_OUTPUTS:
            valid = [o for o in ALL_OUTPUTS if o not in PROGRAMME_OUTPUTS]
            problems.append(Problem("--outputs", "outputs", k, f"one of: {', '.join(valid)}"))
    if problems:
        raise ConfigError(problems)


def run(
    scenario: Scenario,
    n: int,
    *,
    seed: int | None = None,
    sampler: str = "random",
    chunk_size: int = DEFAULT_CHUNK,
    outputs: Sequence[str] | None = None,
    keep_inputs: bool = False,
    target_se: float | None = None,
    start_n: int = 1 << 14,
    progress: Callable[[int, int], None] | None = None,
    evaluator: Evaluator | None = None,
    workers: int | None = None,
    backend: str = "auto",
    sink: SampleSink | None = None,
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
    outputs : sequence of str, optional
        Outputs to keep (default :data:`DEFAULT_OUTPUTS`); ``ratio_social``
        is always kept.  Keeping any of :data:`PROGRAMME_KEPT` also computes
        the programme band (:meth:`MonteCarloResult.programme_band`).
    keep_inputs : bool
        Also keep the sampled inputs.
    target_se : float, optional
        Double the number of samples, from ``start_n`` up to ``n``, until the
        Monte Carlo standard error of P(ratio_social >= 1) is below it.
    progress : callable, optional
        Called as ``progress(step, total)`` after each task (its samples; the run's ``n``).
    evaluator : Evaluator, optional
        Where the tasks run (:mod:`mkba_mc.execution.evaluators`); it is used,
        not closed.  Default: :func:`~mkba_mc.execution.evaluators.local_evaluator`
        of ``workers`` and ``backend``, closed at the end of the run.
    workers, backend : int, str
        Only without ``evaluator``: parallel workers (default 1) and
        ``auto``/``processes``/``threads``.
    sink : SampleSink, optional
        Streams the kept outputs (and inputs) while the run computes, chunk
        by chunk in sample order (``run --out``: ``samples.nc``); not used
        with ``target_se`` (the final ``n`` is not known in advance).

    Returns
    -------
    MonteCarloResult
        With the summary statistics already computed.
    """
    keep = list(dict.fromkeys((*REQUIRED_OUTPUTS, *(outputs if outputs is not None else DEFAULT_OUTPUTS))))
    _check(n, chunk_size, seed, target_se, keep, workers, backend)
    if seed is None:
        seed = new_seed()
    own = evaluator is None
    if evaluator is None:
        evaluator = local_evaluator(1 if workers is None else workers, backend)
    tune_malloc()
    plan = SamplingPlan.from_scenario(scenario, n, seed, sampler)
    warns = []
    if sampler == "sobol" and n & (n - 1):
        warns.append(f"n = {n} is not a power of 2: a Sobol' design keeps its balance properties only at powers of 2")
    band = band_outputs(keep)
    shapes = {k: (len(scenario.structure.payer[0]),) for k in keep if k in ACTOR_OUTPUTS}
    evaluator.expect(len(sample_tasks(0, n, plan.block_size, chunk_size)))
    range_job = RangeJob(scenario, plan, (*keep, *band), chunk_size, keep_inputs)
    # private stores when no worker process writes them (one worker, threads, a compiled run on ``auto``)
    forks_for = getattr(evaluator, "forks_for", None)
    shared = forks_for(range_job.releases_gil) if forks_for is not None else getattr(evaluator, "forks", True)
    job = StoreJob(range_job, Store(keep, shapes, n, shared),
                   Store(plan.names, {}, n, shared) if keep_inputs else None,
                   Store(band, {k: (scenario.structure.programme_years,) for k in band}, n, shared) if band else None)
    from .summary import prepare

    prepare(n)  # before the workers fork
    streaming = sink if target_se is None else None
    if streaming is not None:
        streaming.start(job.store.arrays, job.in_store.arrays if job.in_store is not None else None, n)
    t0 = time.perf_counter()
    try:
        done, rounds = _evaluate(job, evaluator, n, start_n, target_se, progress, streaming)
        t_eval = time.perf_counter() - t0
        convergence = None
        if target_se is not None:
            last = rounds[-1]
            convergence = {"target_se": target_se, "reached": last["se"] < target_se, "n": last["n"],
                           "se": last["se"], "rounds": rounds}
            if not convergence["reached"]:
                warns.append(f"target standard error {target_se:g} not reached with the maximum n = {n} "
                             f"(standard error {last['se']:.4g})")
        from .summary import programme_band

        result = MonteCarloResult(scenario, plan, job.store.trimmed(done),
                                  job.in_store.trimmed(done) if job.in_store is not None else None,
                                  chunk_size, workers if workers is not None else evaluator.workers, t_eval,
                                  convergence, warns,
                                  band=programme_band(job.band_store.trimmed(done)) if job.band_store else None)
        if streaming is not None:
            _complete(streaming, result)
        summary = _summarize(job, evaluator, done)  # while the sink writes the last chunks
        if streaming is not None:
            streaming.wait()
    finally:
        if own:
            evaluator.close()
    result.elapsed = time.perf_counter() - t0
    result._stats = summary
    result.sink = sink
    result.timings = {"evaluate": t_eval, "summary": result.elapsed - t_eval}
    return result


def _evaluate(job: StoreJob, evaluator: Evaluator, n: int, start_n: int, target_se: float | None,
              progress: Callable[[int, int], None] | None,
              sink: SampleSink | None = None) -> tuple[int, list[dict[str, float]]]:
    """Evaluate the run's tasks, doubling ``n`` from ``start_n`` while the
    standard error of P(ratio_social >= 1) is above ``target_se``."""
    plan = job.job.plan
    done = 0
    goal = n if target_se is None else min(n, max(start_n, 1))
    rounds: list[dict[str, float]] = []
    while True:
        tasks = sample_tasks(done, goal, plan.block_size, job.job.chunk_size)
        finished: Iterable[Task] = (evaluator.map(job.write, tasks) if evaluator.shares_memory else
                                    (_put(job, *value) for value in evaluator.map(job.job.values, tasks)))
        with prefaulted(job.stores, done, goal, evaluator.workers) as reached:  # on a core the workers leave idle
            for s, e in finished:
                reached(e)
                if sink is not None:
                    sink.advance(e)
                if progress is not None:
                    progress(e - s, n)
        done = goal
        if target_se is None:
            return done, rounds
        p = float(np.mean(job.store.arrays["ratio_social"][:done] >= 1.0))
        se = math.sqrt(p * (1 - p) / done)
        rounds.append({"n": done, "p_ratio_social_ge_1": p, "se": se})
        if se < target_se or done >= n:
            return done, rounds
        goal = min(n, 2 * done)


def _put(job: StoreJob, task: Task, values: dict[str, Array], inputs: dict[str, Array]) -> Task:
    job.put(task[0], values, inputs if job.in_store is not None else None)
    return task


def _summarize(job: StoreJob, evaluator: Evaluator, n: int) -> Any:
    """Summary statistics, computed where the store lives (in this process,
    its threads or the forked workers) or, for a cluster, here."""
    from .summary import columns, summary_stats

    if not evaluator.shares_memory:
        return summary_stats(job.store.trimmed(n), workers=min(evaluator.workers, default_workers()))
    cols = columns(job.store.trimmed(n))
    stats = dict(evaluator.map(job.column_stats, [(name, n) for name in cols]))
    return {k: stats[k] for k in cols}


def default_workers() -> int:
    """Workers by default: the machine's cores, at most 8."""
    return max(1, min(8, os.cpu_count() or 1))


__all__ = ["ALL_KEPT_OUTPUTS", "BAND_OUTPUTS", "PROGRAMME_KEPT", "DEFAULT_CHUNK", "DEFAULT_OUTPUTS", "MonteCarloResult",
           "SampleSink", "SamplingPlan", "SerialEvaluator", "band_outputs", "default_workers", "evaluate_range",
           "new_seed", "run"]
