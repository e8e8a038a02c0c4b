"""Evaluators: where the tasks of an analysis run.

An evaluator is an object with a ``map(fn, tasks)`` method that yields
``fn(task)`` for every task *in task order* (the ``pool`` of emcee, the
evaluators of EMA Workbench).  The Monte Carlo engine, the Sobol' driver, the
acceptability curve and the break-even grid hand their tasks to one, so the
choice of where they run is made once, by the caller:

:class:`SerialEvaluator`
    In this process, one task after the other.
:class:`ThreadEvaluator`
    A thread pool in this process (numpy releases the GIL in its ufuncs).
:class:`ProcessEvaluator`
    Forked worker processes that die with this process
    (:func:`mkba_mc.execution.procs.fork_pool`).  The state of a job -- the
    object ``fn`` is a bound method of, e.g. a Monte Carlo job holding the
    scenario, the sampling plan and the shared output store -- is bound to
    the pool when it forks, so it is inherited by the workers instead of
    pickled with every task; the pool is forked again for another job.
    The default (``auto``) runs a job whose tasks release the GIL -- the
    compiled Monte Carlo run -- on threads instead: no forks to pay.
:class:`DaskEvaluator`
    A Dask cluster through a connected :class:`distributed.Client`; the job
    travels with the task (scattered once per ``map``).

Every evaluator is a context manager that owns its workers; there is no
module-level execution state.  At most ``window`` tasks are in flight
(:func:`windowed`), which bounds the memory of results waiting to be
collected, and because results come back in task order the numbers of a run
do not depend on the evaluator.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from ..errors import ConfigError, Problem
from .pools import END, WORKER_THREAD, thread_pool, windowed
from .procs import fork_pool

T = TypeVar("T")
R = TypeVar("R")


def _check_workers(workers: int) -> int:
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ConfigError([Problem("--workers", "workers", workers, "at least 1 worker")])
    return workers


class SerialEvaluator:
    """Run every task in this process, in order."""

    workers: int = 1
    #: Whether tasks run in this process's memory (or in a fork that shares its maps).
    shares_memory: bool = True
    #: Whether tasks run in forked worker processes (which see only shared maps).
    forks: bool = False

    def map(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        """Yield ``fn(task)`` for every task, in order."""
        return map(fn, tasks)

    def forks_for(self, releases_gil: bool = False) -> bool:
        """Whether a job's tasks will run in forked processes (:attr:`forks`);
        ``releases_gil``: whether they spend their time in code that releases
        the GIL (a job's ``releases_gil`` attribute), which only
        :class:`ProcessEvaluator` takes into account."""
        return self.forks

    def expect(self, tasks: int) -> None:
        """Tell the evaluator the most tasks a ``map`` will get (unused here)."""

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> SerialEvaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ThreadEvaluator(SerialEvaluator):
    """Run tasks on a pool of ``workers`` threads in this process.

    Parameters
    ----------
    workers : int
        Threads; the pool is made on the first ``map`` with at most as many
        threads as expected tasks (:meth:`expect`).
    """

    def __init__(self, workers: int):
        self.workers = _check_workers(workers)
        self._most: int | None = None
        self._pool: ThreadPoolExecutor | None = None

    def expect(self, tasks: int) -> None:
        """No more threads are started than ``tasks`` (no idle workers)."""
        self._most = max(1, tasks)

    def _size(self) -> int:
        return max(1, min(self.workers, self._most if self._most is not None else self.workers))

    def map(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        """Yield ``fn(task)`` in task order, at most ``2 * workers`` in flight."""
        if self.workers == 1:
            return map(fn, tasks)
        if self._pool is None:
            self._pool = thread_pool(self._size())
        pool = self._pool
        return windowed(lambda t: pool.submit(fn, t), tasks, window=2 * self.workers)

    def close(self) -> None:
        """Shut the pool down (waiting for running tasks)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def fork_available() -> bool:
    """Whether this platform can fork worker processes."""
    return "fork" in mp.get_all_start_methods()


def _install(parent_pid: int, state: object) -> None:
    """Initializer of a forked worker: die with the parent, keep the job's state.

    The state is inherited through the fork (never pickled) and kept on this
    worker's own process object.
    """
    from .procs import die_with_parent

    die_with_parent(parent_pid)
    mp.current_process().mkba_state = state  # type: ignore[attr-defined]


def _call_bound(method: str, task: Any) -> Any:
    """Worker side: call the named method of the state bound at fork time."""
    return getattr(mp.current_process().mkba_state, method)(task)  # type: ignore[attr-defined]


class ProcessEvaluator(ThreadEvaluator):
    """Run tasks on forked worker processes that die with this process.

    ``map(fn, tasks)`` with ``fn`` a bound method of a job object (its
    ``__self__``): the pool is forked with that job bound as the workers'
    state, and tasks are sent as ``(method name, task)``.  Another job forks
    a new pool (the previous one is shut down).  A plain function (picklable
    by reference) is sent with each task to the current pool.  Where ``fork`` does not exist,
    or with one worker or one expected task, tasks run in this process.

    With ``threads_if_gil_free``, a job whose tasks release the GIL (its
    ``releases_gil`` attribute is true: the compiled Monte Carlo run,
    :attr:`mkba_mc.execution.job.RangeJob.releases_gil`) runs on threads of
    this process instead.  They are as fast per sample as forked workers and
    save each run the forks, the workers' first page faults and the task
    round trips between processes, about 45 ms a run with 2 workers
    (benchmarks/results.md, "Fixed cost of a run with 2 workers").

    Parameters
    ----------
    workers : int
        Worker processes (at most as many as expected tasks, :meth:`expect`).
    threads_if_gil_free : bool
        Run jobs that release the GIL on threads (the ``auto`` backend of
        :func:`local_evaluator`); otherwise every job forks.
    """

    def __init__(self, workers: int, *, threads_if_gil_free: bool = False):
        super().__init__(workers)
        self.threads_if_gil_free = bool(threads_if_gil_free)
        self._owner: object | None = None
        self._procs: Executor | None = None

    def _local(self) -> bool:
        return self.workers == 1 or (self._most is not None and self._most <= 1) or not fork_available()

    @property
    def shares_memory(self) -> bool:  # type: ignore[override]
        """Workers are forks: they see the job's shared maps (not its other writes)."""
        return True

    @property
    def forks(self) -> bool:  # type: ignore[override]
        """Whether the next ``map`` runs on forked workers (not with one worker
        or one expected task, :meth:`expect`, nor where ``fork`` is missing)."""
        return not self._local()

    def forks_for(self, releases_gil: bool = False) -> bool:
        """Whether a job's ``map`` runs on forked workers: :attr:`forks`, and
        not for a job that releases the GIL when ``threads_if_gil_free``."""
        return self.forks and not (releases_gil and self.threads_if_gil_free)

    def map(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        """Yield ``fn(task)`` in task order, at most ``2 * workers`` in flight."""
        if self._local():
            return map(fn, tasks)
        owner = getattr(fn, "__self__", None)
        if not self.forks_for(bool(getattr(owner, "releases_gil", False))):
            return super().map(fn, tasks)  # the thread pool
        if self._procs is None or (owner is not None and owner is not self._owner):
            self._shutdown_procs()
            self._procs = fork_pool(self._size(), initializer=_install, state=owner)
            self._owner = owner
        procs = self._procs
        if owner is None:  # a plain (picklable) function: sent with each task
            return windowed(lambda t: procs.submit(fn, t), tasks, window=2 * self.workers)
        name = fn.__name__
        return windowed(lambda t: procs.submit(_call_bound, name, t), tasks, window=2 * self.workers)

    def _shutdown_procs(self) -> None:
        # Every task of the pool's maps has been collected (or cancelled by
        # ``windowed``), so the workers only have to exit: that takes 20-30 ms
        # per run (tearing down each worker's heap), which the parent does not
        # wait for -- the executor's own thread reaps the workers while this
        # process goes on (benchmarks/results.md, "2 workers").  A task still
        # running (a map left early) finishes in the background; its workers
        # still die with this process (:func:`mkba_mc.execution.procs.die_with_parent`).
        if self._procs is not None:
            self._procs.shutdown(wait=False, cancel_futures=True)
            self._procs = None
            self._owner = None

    def close(self) -> None:
        """Shut the worker processes down (without waiting for them to exit)."""
        self._shutdown_procs()
        super().close()


class DaskEvaluator(SerialEvaluator):
    """Run tasks on a Dask cluster.

    The function (with the job it is bound to) is scattered to every worker
    once per ``map`` -- a scenario and its sampling plan are a few megabytes;
    sending them with every task would dominate -- then tasks are submitted
    with at most ``window`` in flight and results yielded in task order.

    Parameters
    ----------
    client : distributed.Client
        A connected client (closed by whoever opened it, not by this object).
    window : int, optional
        Tasks in flight; default twice the cluster's worker threads, at least 2.

    Notes
    -----
    ``fn`` must pickle with cloudpickle and be deterministic: a task may be
    rerun when a worker dies.
    """

    shares_memory = False

    def __init__(self, client: Any, *, window: int | None = None):
        self.client = client
        self.window = window

    @property
    def workers(self) -> int:  # type: ignore[override]
        """The cluster's worker threads."""
        return max(1, sum(self.client.nthreads().values()))

    def map(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        """Yield ``fn(task)`` for every task in task order, computed on the cluster."""
        client = self.client
        tasks = list(tasks)
        if not tasks:
            return
        size = self.window if self.window is not None else max(2, 2 * self.workers)
        [remote_fn] = client.scatter([fn], broadcast=True, hash=False)
        pending: deque[Any] = deque()
        it = iter(tasks)
        try:
            for t in it:
                pending.append(client.submit(_apply, remote_fn, t, pure=False))
                if len(pending) >= size:
                    break
            while pending:
                fut = pending.popleft()
                result = fut.result()
                fut.release()
                nxt = next(it, END)
                if nxt is not END:
                    pending.append(client.submit(_apply, remote_fn, nxt, pure=False))
                yield result
        finally:
            if pending:
                client.cancel(list(pending))
            remote_fn.release()


def _apply(fn: Callable[[T], R], task: T) -> R:
    """Worker side: apply the (scattered) function to one task."""
    return fn(task)


class Evaluator(Protocol):
    """What the analyses need of an evaluator (any of this module's, or your own).

    Optionally ``forks`` (bool): whether tasks run in forked processes, which
    write only into shared memory maps; the Monte Carlo engine assumes they
    may when an evaluator does not say.  Or ``forks_for(releases_gil)``, the
    same for a job whose tasks do or do not release the GIL.
    """

    @property
    def workers(self) -> int:
        """Parallel workers (sizes thread pools for the summary)."""

    @property
    def shares_memory(self) -> bool:
        """Whether tasks can write into this process's shared memory maps."""

    def map(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        """``fn(task)`` for every task, in task order."""

    def expect(self, tasks: int) -> None:
        """The most tasks a ``map`` will get (to start no idle workers)."""

    def close(self) -> None:
        """Release the workers."""


def local_evaluator(workers: int = 1, backend: str = "auto") -> SerialEvaluator:
    """The local evaluator of a worker count and a backend.

    Parameters
    ----------
    workers : int
        Parallel workers; 1 gives a :class:`SerialEvaluator`.
    backend : {"auto", "processes", "threads"}
        ``auto``: forked processes where ``fork`` exists (numpy's evaluate
        makes many short calls, so threads contend for the GIL), but threads
        for a job whose tasks release the GIL (the compiled run:
        :class:`ProcessEvaluator` with ``threads_if_gil_free``); else threads.
        ``processes``: forked processes for every job.

    Raises
    ------
    ConfigError
        For ``workers < 1`` or an unknown backend.
    """
    _check_workers(workers)
    if backend not in BACKENDS:
        raise ConfigError([Problem("--backend", "backend", backend, f"one of: {', '.join(BACKENDS)}")])
    if workers == 1:
        return SerialEvaluator()
    if backend == "threads" or not fork_available():
        return ThreadEvaluator(workers)
    return ProcessEvaluator(workers, threads_if_gil_free=backend == "auto")


BACKENDS: tuple[str, ...] = ("auto", "processes", "threads")

__all__ = [
    "BACKENDS",
    "DaskEvaluator",
    "Evaluator",
    "ProcessEvaluator",
    "SerialEvaluator",
    "ThreadEvaluator",
    "WORKER_THREAD",
    "fork_available",
    "local_evaluator",
    "windowed",
]
