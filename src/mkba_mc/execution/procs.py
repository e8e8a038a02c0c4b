"""Worker processes that do not outlive the process that started them.

A forked :class:`~concurrent.futures.ProcessPoolExecutor` worker survives
its parent when the parent is killed with SIGKILL (no ``atexit``, no
``shutdown``): it is re-parented to init and keeps its copy of the job --
hundreds of MB -- for as long as it waits on a pipe that nobody closes.
:func:`die_with_parent`, run as the pool's ``initializer``, asks the Linux
kernel to send the worker SIGKILL when its parent dies
(``prctl(PR_SET_PDEATHSIG)``) and then checks that the parent is still the
one that forked it, closing the race of a parent dying before the call.
Elsewhere it does nothing (workers then end when they notice the broken
pipe, as before).

The kernel sends the signal when the *thread* that forked the worker ends,
so pools must be created and used from a thread that outlives them (the
callers here create, use and shut down their pools in the calling thread;
:class:`~concurrent.futures.ProcessPoolExecutor` forks its workers from the
thread that submits).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Make this process get SIGKILL when its parent dies (Linux; else no-op).

    Parameters
    ----------
    parent_pid : int
        The pid of the intended parent; if this process was already
        re-parented (the parent died before the call), it kills itself.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl
        return
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGKILL)


def fork_pool(workers: int, *, initializer: Callable[[int, Any], None] | None = None,
              state: Any = None) -> ProcessPoolExecutor:
    """A forked process pool of ``workers`` whose workers die with this process.

    Parameters
    ----------
    workers : int
        Worker processes.
    initializer : callable, optional
        Called in each worker as ``initializer(parent_pid, state)`` instead of
        :func:`die_with_parent` (it must call that itself); ``state`` is
        inherited through the fork, not pickled.
    state : object, optional
        Passed to ``initializer``.
    """
    import multiprocessing as mp

    if initializer is None:
        init, args = die_with_parent, (os.getpid(),)
    else:
        init, args = initializer, (os.getpid(), state)
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"),
                               initializer=init, initargs=args)


__all__ = ["die_with_parent", "fork_pool"]
