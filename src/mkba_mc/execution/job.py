"""The unit of work of a Monte Carlo run: a range of samples, and where it goes.

A run splits its samples into tasks of whole design blocks
(:func:`sample_tasks`); a task samples, transforms and evaluates its range
chunk by chunk while the chunk is in cache (:func:`iter_chunks`).  Two job
objects carry the state of a run to the evaluator
(:mod:`mkba_mc.execution.evaluators`):

:class:`RangeJob`
    Picklable (scenario, plan, outputs, chunk size): ``job.values(task)``
    returns the range's values, for evaluators that do not share this
    process's memory (a Dask cluster).
:class:`StoreJob`
    A :class:`RangeJob` and the run's output store, one anonymous shared
    memory map: ``job.write(task)`` writes the range straight into it, in
    this process, a thread or a forked worker (no copies, no pickling), and
    ``job.column_stats(...)`` summarises a column where it lives.
"""

from __future__ import annotations

import functools
import mmap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..uncertainty.plan import SamplingPlan
from .model_kernel import chunk_evaluator, runs_compiled

if TYPE_CHECKING:
    from ..io.loading import Scenario

Array = NDArray[np.float64]
Task = tuple[int, int]  # sample range [start, stop)


@functools.cache
def tune_malloc() -> None:
    """Keep freed chunk temporaries in the heap instead of returning them to
    the kernel every chunk (glibc re-faults such pages and throughput drops
    up to 5x; ../shared/reference/performance.md).

    Called when a run starts (and by each task, for workers of a cluster);
    once per process.  Forked workers inherit the setting.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, (1 << 31) - 1)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def sample_tasks(start: int, stop: int, block: int, chunk: int) -> list[Task]:
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


def iter_chunks(scenario: Scenario, plan: SamplingPlan, start: int, stop: int, outputs: Sequence[str],
                chunk_size: int, keep_inputs: bool = False
                ) -> Iterator[tuple[int, dict[str, Array], dict[str, Array] | None]]:
    """Evaluate samples ``start .. stop - 1`` chunk by chunk (with the
    compiled model when the plan samples with its compiled kernel:
    :func:`~mkba_mc.execution.model_kernel.chunk_evaluator`; the same bits).

    Yields
    ------
    (int, dict, dict or None)
        The first row of the chunk, its output values and (with
        ``keep_inputs``) its sampled inputs.
    """
    model = chunk_evaluator(scenario.params, scenario.structure, plan.names, outputs, plan.use_compiled)
    for row, x in plan.chunks(start, stop, chunk_size):
        yield row, model(x), ({nm: x[j] for j, nm in enumerate(plan.names)} if keep_inputs else None)


def evaluate_range(scenario: Scenario, plan: SamplingPlan, start: int, stop: int, outputs: Sequence[str],
                   chunk_size: int, keep_inputs: bool = False) -> tuple[dict[str, Array], dict[str, Array]]:
    """The outputs (and inputs; empty unless ``keep_inputs``) of samples
    ``start .. stop - 1`` as contiguous arrays.

    Pure given its arguments, so any evaluator can run it.
    """
    values: dict[str, Array] = {}
    inputs: dict[str, Array] = {}
    size = stop - start
    for row, vals, ins in iter_chunks(scenario, plan, start, stop, outputs, chunk_size, keep_inputs):
        for target, src in ((values, vals), (inputs, ins or {})):
            for k, v in src.items():
                if k not in target:
                    target[k] = np.empty((size, *v.shape[1:]))
                target[k][row - start:row - start + len(v)] = v
    return values, inputs


@functools.cache
def _madvise_function() -> Any:
    """libc's ``madvise(2)`` through ctypes, which releases the GIL during a call."""
    import ctypes

    fn = ctypes.CDLL(None, use_errno=True).madvise
    fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn


class Store:
    """Output arrays of a run, written at the sample offset of each task.

    The arrays live in one anonymous memory map.  A ``shared`` map is seen by
    worker processes forked after it was made, so they write their results
    straight into it (no copies, no pickling); a run whose tasks stay in
    this process (one worker, threads) takes a private map instead, whose
    first touch of a page costs about a third less than a shared one's (the
    kernel's shared-memory fault path; 130-200 against 210-290 ns per sample
    of 17 kept outputs, measured on the benchmark machine).  The capacity is
    the run's maximum ``n``; pages that are never written are never
    committed.
    """

    def __init__(self, names: Sequence[str], shapes: Mapping[str, tuple[int, ...]], capacity: int,
                 shared: bool = True):
        widths = {k: int(np.prod(shapes.get(k, ()), dtype=np.int64)) for k in names}
        total = max(1, sum(widths.values()) * capacity * 8)
        private = not shared and hasattr(mmap, "MAP_PRIVATE")
        self._buffer = (mmap.mmap(-1, total, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS) if private
                        else mmap.mmap(-1, total))
        self.nbytes = total
        #: Whether worker processes forked after it see the map (a private one stays in this process).
        self.shared = not private
        self.arrays: dict[str, Array] = {}
        #: Byte offset of every column (an actor output has one per actor), ``capacity`` doubles each.
        self.line_offsets = [8 * capacity * i for i in range(sum(widths.values()))]
        offset = 0
        for k in names:
            size = widths[k] * capacity
            flat = np.frombuffer(self._buffer, dtype=np.float64, count=size, offset=offset * 8)
            self.arrays[k] = flat.reshape((widths[k], capacity)).T if shapes.get(k) else flat
            offset += size

    @functools.cached_property
    def address(self) -> int:
        """The map's address: valid while the store lives (its arrays keep the map from being closed)."""
        import ctypes

        return ctypes.addressof(ctypes.c_char.from_buffer(self._buffer))

    def madvise(self, option: int, start: int, length: int) -> None:
        """``madvise(2)`` of bytes ``[start, start + length)`` of the map (cut at
        its end), without the GIL: :meth:`mmap.mmap.madvise` holds it for the
        whole call, and a populate of cold pages would stall the run's other
        threads (a round trip of the GIL took 5 ms instead of 70 us beside it).

        Raises
        ------
        ValueError
            If the range does not start inside the map.
        OSError
            If the kernel refuses (``EINVAL`` for an advice it does not know).
        """
        if not 0 <= start < self.nbytes or length < 0:
            raise ValueError(f"madvise of bytes [{start}, {start + length}) of a map of {self.nbytes}")
        if _madvise_function()(self.address + start, min(length, self.nbytes - start), option) != 0:
            import ctypes
            import os

            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))

    def put(self, start: int, values: Mapping[str, Array]) -> None:
        """Write the rows of ``values`` from row ``start``."""
        for k, v in values.items():
            self.arrays[k][start:start + len(v)] = v

    def trimmed(self, n: int) -> dict[str, Array]:
        """The first ``n`` rows of every array (views)."""
        return {k: a[:n] for k, a in self.arrays.items()}


@dataclass(frozen=True)
class RangeJob:
    """What every task of a run needs: picklable, sent to cluster workers."""

    scenario: Scenario
    plan: SamplingPlan
    outputs: tuple[str, ...]
    chunk_size: int
    keep_inputs: bool

    def __post_init__(self) -> None:
        # build (or load) the compiled model in the process that makes the job, so that
        # workers forked from it inherit it; a job unpickled by a Dask worker builds it on first use
        chunk_evaluator(self.scenario.params, self.scenario.structure, self.plan.names, self.outputs,
                        self.plan.use_compiled)

    @property
    def releases_gil(self) -> bool:
        """Whether a task spends its time in compiled code that releases the GIL.

        True for a pseudo-random design sampled by the numba kernels
        (:attr:`SamplingPlan.use_compiled <mkba_mc.uncertainty.plan.SamplingPlan.use_compiled>`)
        whose outputs the compiled model computes
        (:func:`~mkba_mc.execution.model_kernel.runs_compiled`): threads of
        one process then run the tasks in parallel as well as forked workers
        do, without the forks (:class:`~mkba_mc.execution.evaluators.ProcessEvaluator`).
        Latin hypercube and Sobol' blocks (scipy) and numpy's evaluate hold
        the GIL for part of every chunk.
        """
        return self.plan.sampler == "random" and runs_compiled(self.outputs, self.plan.use_compiled)

    def values(self, task: Task) -> tuple[Task, dict[str, Array], dict[str, Array]]:
        """The task's outputs and inputs (for evaluators without shared memory)."""
        tune_malloc()
        vals, ins = evaluate_range(self.scenario, self.plan, task[0], task[1], self.outputs, self.chunk_size,
                                   self.keep_inputs)
        return task, vals, ins


@dataclass
class StoreJob:
    """A run's :class:`RangeJob` and the stores its tasks write into."""

    job: RangeJob
    store: Store
    in_store: Store | None = None
    #: The programme cash flows ``(n, years)`` of the band (:func:`mkba_mc.execution.summary.programme_band`).
    band_store: Store | None = None

    def put(self, row: int, values: Mapping[str, Array], inputs: Mapping[str, Array] | None) -> None:
        """Write one chunk (or range) into the stores."""
        if self.band_store is None:
            self.store.put(row, values)
        else:
            band = self.band_store.arrays
            self.store.put(row, {k: v for k, v in values.items() if k not in band})
            self.band_store.put(row, {k: v for k, v in values.items() if k in band})
        if self.in_store is not None and inputs:
            self.in_store.put(row, inputs)

    @property
    def stores(self) -> tuple[Store, ...]:
        """The run's stores: outputs, then (when kept) inputs and the band's cash flows."""
        return tuple(s for s in (self.store, self.in_store, self.band_store) if s is not None)

    @property
    def releases_gil(self) -> bool:
        """Whether the job's tasks release the GIL (:attr:`RangeJob.releases_gil`;
        the summary's column statistics do: numpy's partition and the
        compiled selection)."""
        return self.job.releases_gil

    def write(self, task: Task) -> Task:
        """Evaluate a task, writing into the shared stores (this process, a
        thread or a forked worker)."""
        j = self.job
        for row, vals, ins in iter_chunks(j.scenario, j.plan, task[0], task[1], j.outputs, j.chunk_size,
                                          j.keep_inputs):
            self.put(row, vals, ins)
        return task

    def column_stats(self, spec: tuple[str, int]) -> tuple[str, dict[str, float]]:
        """Statistics of one column of the store's first ``n`` rows (a worker
        forked before the run ended is told ``n``)."""
        from .summary import column_stats, columns

        name, n = spec
        return name, column_stats(columns(self.store.trimmed(n))[name], name=name)


__all__ = ["RangeJob", "Store", "StoreJob", "Task", "evaluate_range", "iter_chunks", "sample_tasks", "tune_malloc"]
