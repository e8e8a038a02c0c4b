"""Faulting a run's output store in ahead of its workers, on a core they leave free.

A run's :class:`~mkba_mc.execution.job.Store` is an anonymous memory map
whose pages the kernel hands out on first touch.  That first touch is the
largest cost of a big run after the model itself: the 17 default outputs
take 136 bytes a sample, a 4 KiB page every 30 samples, and on the virtual
machines this project is benchmarked on a page the guest has not used
lately costs 2-11 us (the host backs it anew: its free pages are reported to
the host and discarded), up to 0.3 us a sample against a whole run's
0.3-0.35 us with one worker (measured 2026-12-06: one worker at 2^24
samples spent 1.4-4.5 s of its 5.6-8.8 s in the kernel).

When a run leaves a core idle (fewer workers than cores: one worker on a
two-core machine, or a batch of single-worker runs) and its workers are
threads of this process (a private store: no fork while the thread runs), :func:`prefaulted`
spends that core on the faults: a thread asks the kernel to fault the
store's pages in (``madvise(MADV_POPULATE_WRITE)``, Linux 5.14 or later;
the pages' contents are left as they are, so it may run beside the workers
writing them; :meth:`~mkba_mc.execution.job.Store.madvise` releases the
GIL) in sample order, block by block, ahead of the workers.  The
values are the same bits with or without it; only where the time goes
changes.  Elsewhere (no free core, an older kernel, not Linux) it does
nothing.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .job import Store

#: ``MADV_POPULATE_WRITE`` (Linux ``include/uapi/asm-generic/mman-common.h``; Python 3.11's
#: :mod:`mmap` does not name it).
MADV_POPULATE_WRITE: Final[int] = getattr(mmap, "MADV_POPULATE_WRITE", 23)
#: Samples faulted in per step (per output column: 512 KiB of doubles).
STEP_ROWS: Final[int] = 1 << 16


def free_cores(workers: int) -> int:
    """Cores this process may use that ``workers`` busy workers leave idle."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(0, cores - workers)


def populate(stores: Sequence[Store], start: int, rows: int, stop: threading.Event,
             front: Callable[[], int] = lambda: 0, step: int = STEP_ROWS) -> bool:
    """Fault in rows ``[start, rows)`` of every store, ``step`` rows of every
    column at a time, until done or ``stop`` is set; False if the kernel
    refused (the remaining pages are then left to the workers' own faults).

    ``front()`` is the row the finished tasks reach: rows below it are
    written (their pages present), so where the workers have overtaken this
    thread (a host slower to back pages than the workers are to fill them) it
    goes on from there instead of walking present pages."""
    page = mmap.PAGESIZE
    lo = start
    while lo < rows:
        lo = max(lo, min(rows, front()))
        hi = min(rows, lo + step)
        for store in stores:
            for offset in store.line_offsets:
                a = (offset + 8 * lo) // page * page
                b = min(offset + 8 * hi, store.nbytes)
                if stop.is_set():
                    return True
                if b > a:
                    try:
                        store.madvise(MADV_POPULATE_WRITE, a, b - a)
                    except (OSError, ValueError):  # EINVAL before Linux 5.14; a range outside the map
                        return False
        lo = hi
    return True


@contextlib.contextmanager
def prefaulted(stores: Sequence[Store], start: int, rows: int, workers: int) -> Iterator[Callable[[int], None]]:
    """Within the block, fault in rows ``[start, rows)`` of ``stores`` from
    a thread of its own when ``workers`` leave a core free (see the module
    text); the thread is stopped and joined when the block ends.

    Yields the function to call with the row the finished tasks reach
    (:func:`populate`'s ``front``)."""
    reached = [start]

    def advance(row: int) -> None:
        reached[0] = max(reached[0], row)

    # a shared store means forked workers: no thread across their fork
    if (not stores or any(s.shared for s in stores) or rows <= start or free_cores(workers) == 0
            or not sys.platform.startswith("linux")):
        yield advance
        return
    stop = threading.Event()

    def work() -> None:
        with contextlib.suppress(Exception):  # only an optimisation: the workers fault in what is left
            populate(list(stores), start, rows, stop, lambda: reached[0])

    thread = threading.Thread(target=work, name="mkba-prefault", daemon=True)
    started = False
    try:
        try:
            thread.start()
            started = True
        except RuntimeError:  # no thread to be had (a thread or process limit): the workers fault their pages
            pass
        yield advance
    finally:
        stop.set()
        if started:
            thread.join()


__all__ = ["MADV_POPULATE_WRITE", "STEP_ROWS", "free_cores", "populate", "prefaulted"]
