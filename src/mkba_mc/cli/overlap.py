"""What ``run --out`` does at the same time instead of one after the other.

At 10^7 samples the end of ``run --out`` was single-threaded for about a
second while the other core waited (measured 2026-12-03): importing pandas
and openpyxl for the summary files (0.3 s and 0.15 s), writing them and
waiting for the SHA-256 and fsync of samples.nc, then building the console
table (the percentile of the point estimate: a pass over every output,
0.4-0.5 s).  Two helpers let those overlap:

* :class:`ImportsWhenStarted` imports modules in a background thread once the
  Monte Carlo computes (its first progress call): the workers run compiled
  code without the GIL, so the import takes CPU from them but none from the
  single-threaded end of the command;
* :func:`alongside` builds the console output while another thread commits
  the result folder; the command still prints only after the folder is
  complete, a failed commit is raised as before (nothing printed), and
  Ctrl-C cancels the commit before the folder is renamed into place.
"""

from __future__ import annotations

import contextlib
import importlib
import signal
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def _import_quietly(modules: tuple[str, ...]) -> None:
    for name in modules:
        with contextlib.suppress(Exception):  # the command's own import reports a missing module
            importlib.import_module(name)


class ImportsWhenStarted:
    """A progress callback that also starts importing ``modules`` (in a daemon
    thread) on its first call, then passes every call on to ``progress``."""

    def __init__(self, progress: Callable[[int, int], None] | None, modules: Iterable[str]):
        self.progress = progress
        self.modules = tuple(modules)
        self.thread: threading.Thread | None = None

    def __call__(self, step: int, total: int) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=_import_quietly, args=(self.modules,), name="mkba-imports",
                                           daemon=True)
            self.thread.start()
        if self.progress is not None:
            self.progress(step, total)


def _start_shielded(thread: threading.Thread) -> None:
    """``thread.start()`` with SIGINT blocked meanwhile: a Ctrl-C arrives
    after it (as KeyboardInterrupt once the mask is restored), never while
    it is unknown whether the thread runs."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:
        thread.start()
        return
    old = mask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        thread.start()
    finally:
        mask(signal.SIG_SETMASK, old)


def alongside(background: Callable[[], Any], foreground: Callable[[], T],
              on_interrupt: Callable[[], None] | None = None) -> T:
    """``foreground()`` in this thread while ``background()`` runs in another.

    Returns ``foreground()``'s value once both are done.  If the background
    call failed, its exception is raised (a foreground exception or Ctrl-C
    becomes its ``__cause__``).  The background call is always waited for
    before anything is raised; on Ctrl-C ``on_interrupt()`` is called first
    (``run --out`` passes :meth:`mkba_mc.io.stream.RunOutput.cancel`, so
    that the folder is not committed after all).

    The wait polls an event every 20 ms instead of blocking in
    ``Thread.join`` or ``Event.wait``: on CPython 3.11 a ``join``
    interrupted by Ctrl-C can mark the thread finished while it still runs.
    """
    failure: list[BaseException] = []
    began, finished = threading.Event(), threading.Event()

    def target() -> None:
        began.set()
        try:
            background()
        except BaseException as exc:  # noqa: BLE001 - raised in the calling thread
            failure.append(exc)
        finally:
            finished.set()

    thread = threading.Thread(target=target, name="mkba-commit")
    interrupted: BaseException | None = None
    try:
        _start_shielded(thread)
        value = foreground()
    except BaseException as exc:  # noqa: BLE001 - raised once the background call has ended
        interrupted = exc
    deadline = time.monotonic() + 1.0  # a thread that has not begun by then was never started
    while not finished.is_set() and (began.is_set() or time.monotonic() < deadline):
        if isinstance(interrupted, KeyboardInterrupt) and on_interrupt is not None:
            on_interrupt()
            on_interrupt = None
        try:
            time.sleep(0.02)
        except KeyboardInterrupt as exc:
            interrupted = interrupted or exc
    if failure:
        raise failure[0] from interrupted
    if interrupted is not None:
        raise interrupted
    return value


__all__ = ["ImportsWhenStarted", "alongside"]
