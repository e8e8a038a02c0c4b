"""What ``run --out`` does at the same time instead of one after the other.

At 10^7 samples the end of ``run --out`` was single-threaded for about a
second while the other core waited (measured 2026-12-03): importing pandas
and openpyxl for the summary files (0.3 s and 0.15 s), writing them and
waiting for the SHA-256 and fsync of samples.nc, then building the console
table (the percentile of the point estimate: a pass over every output,
0.4-0.5 s).  Two helpers let those overlap:

* :class:`ImportsWhenDone` imports modules in a background thread once every
  sample is evaluated (the progress reaches its total), while the summary
  is computed and samples.nc is hashed: the SHA-256 holds one core for
  0.7-0.9 s without the GIL, and the import has the GIL and the other core
  meanwhile.  (Started with the Monte Carlo instead, as until 2026-12-04,
  the import took the GIL from the worker threads: 5 of 5 alternated
  ``run -n 10^7 --out`` were 0.1-0.2 s faster without it, median 4.77
  against 4.95 s.)
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


class ImportsWhenDone:
    """A progress callback that also starts importing ``modules`` (in a daemon
    thread) when the progress reaches its total, and passes every call on to
    ``progress``.  A run that stops early (``--target-se``) imports them
    where they are used."""

    def __init__(self, progress: Callable[[int, int], None] | None, modules: Iterable[str]):
        self.progress = progress
        self.modules = tuple(modules)
        self.thread: threading.Thread | None = None
        self.done = 0

    def __call__(self, step: int, total: int) -> None:
        self.done += step
        if self.thread is None and self.done >= total:
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


__all__ = ["ImportsWhenDone", "alongside"]
