"""Pools of worker threads and the windowed submission every local evaluator uses.

:func:`windowed` keeps at most a window of tasks in flight and yields their
results in task order (:mod:`mkba_mc.execution.evaluators`);
:func:`thread_pool` makes the worker threads of
:class:`~mkba_mc.execution.evaluators.ThreadEvaluator` (and of the default
evaluator's compiled runs), named ``mkba-worker_<i>`` also in the operating
system.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Name prefix of worker threads (``top -H`` and /proc show ``mkba-worker_0``, ...).
WORKER_THREAD = "mkba-worker"


def _name_native_thread() -> None:
    """Give the calling thread its Python name in the operating system too
    (``prctl(PR_SET_NAME)``, 15 characters; Linux), so ``top -H`` and
    ``/proc/<pid>/task/*/comm`` show the workers; elsewhere nothing."""
    import sys
    import threading

    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).prctl(15, threading.current_thread().name.encode()[:15], 0, 0, 0)
    except (OSError, AttributeError):
        pass


def thread_pool(workers: int) -> ThreadPoolExecutor:
    """A pool of ``workers`` threads named :data:`WORKER_THREAD` ``_0``, ``_1``, ...,
    all running when it is returned.

    :class:`~concurrent.futures.ThreadPoolExecutor` starts a thread at a
    submit that finds none idle, and ``Thread.start`` waits until the new
    thread holds the GIL; the first worker then holds it in its task's Python
    code, so in a run the second worker started 2-4 ms after the first (two
    to three GIL switch intervals lost at the start of every run, about 8 %
    of a 2^18-sample run on 2 workers; measured 2026-12-06).  Here every
    thread is started before any task: ``workers`` tasks that wait for each
    other on a barrier make the pool start them all (0.1-0.2 ms).
    """
    import threading

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=WORKER_THREAD, initializer=_name_native_thread)
    if workers > 1:
        barrier = threading.Barrier(workers, timeout=10.0)
        try:
            for f in [pool.submit(barrier.wait) for _ in range(workers)]:
                f.exception()  # a broken barrier (a thread that took 10 s to start) leaves the pool as it is
        except BaseException:
            barrier.abort()
            pool.shutdown(wait=False)
            raise
    return pool


def windowed(submit: Callable[[T], Future[R]], tasks: Iterable[T], window: int) -> Iterator[R]:
    """Run tasks with at most ``window`` in flight; yield results in task order.

    Parameters
    ----------
    submit : callable
        ``submit(task)`` returning a future (``executor.submit`` bound to the
        task function).
    tasks : iterable
        The tasks.
    window : int
        Most futures pending at once.

    Yields
    ------
    object
        ``future.result()`` of every task, in task order.  Tasks not yet
        started are cancelled if the consumer stops early.
    """
    pending: deque[Future[R]] = deque()
    it = iter(tasks)
    try:
        for t in it:
            pending.append(submit(t))
            if len(pending) >= window:
                break
        while pending:
            result = pending.popleft().result()
            nxt = next(it, END)
            if nxt is not END:
                pending.append(submit(nxt))  # type: ignore[arg-type]
            yield result
    finally:
        for fut in pending:
            fut.cancel()


#: Sentinel of an exhausted task iterator.
END = object()


__all__ = ["END", "WORKER_THREAD", "thread_pool", "windowed"]
