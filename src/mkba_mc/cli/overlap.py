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
  complete, and a failed commit is raised as before (nothing printed).
"""

from __future__ import annotations

import contextlib
import importlib
import threading
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


def alongside(background: Callable[[], Any], foreground: Callable[[], T]) -> T:
    """``foreground()`` in this thread while ``background()`` runs in another.

    Returns ``foreground()``'s value once both are done.  The background
    call's exception is raised here (before the foreground's); Ctrl-C while
    waiting lets the background call finish first (a result folder is never
    left half-committed), then is raised.
    """
    failure: list[BaseException] = []

    def target() -> None:
        try:
            background()
        except BaseException as exc:  # noqa: BLE001 - raised in the calling thread
            failure.append(exc)

    thread = threading.Thread(target=target, name="mkba-commit")
    thread.start()
    interrupted: BaseException | None = None
    try:
        value = foreground()
    except BaseException as exc:  # noqa: BLE001 - raised after the background call ended
        interrupted = exc
    while thread.is_alive():
        try:
            thread.join()
        except KeyboardInterrupt as exc:
            interrupted = interrupted or exc
    if failure:
        raise failure[0]
    if interrupted is not None:
        raise interrupted
    return value


__all__ = ["ImportsWhenStarted", "alongside"]
