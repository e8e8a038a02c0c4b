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
    """A pool of ``workers`` threads named :data:`WORKER_THREAD` ``_0``, ``_1``, ..."""
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix=WORKER_THREAD, initializer=_name_native_thread)


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
