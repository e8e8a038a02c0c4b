"""Where the tasks of a run go: the ``--scheduler`` choice as an evaluator.

:func:`open_evaluator` turns the command line's ``--scheduler`` and
``--workers`` into an evaluator (:mod:`mkba_mc.execution.evaluators`):

``None`` / ``processes`` / ``threads``
    Local workers: forked processes (the default where ``fork`` exists) or
    threads; one worker evaluates in this process.
``local-cluster:N``
    A :class:`distributed.LocalCluster` of ``N`` single-threaded worker
    processes, listening on the loopback interface only, without dashboard
    (:mod:`mkba_mc.execution.cluster`).
``tcp://host:port`` (any address with ``://``)
    A running ``dask scheduler``; this process connects to it as a client and
    listens on nothing.

The design of a run is defined per fixed block of samples and the Sobol'
sums are merged in task order, so every choice gives bit-identical numbers
for the same seed (given the same versions of mkba_mc, numpy and scipy on
every machine, which :func:`~mkba_mc.execution.cluster.check_environment`
checks).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from ..errors import ConfigError, Problem
from .evaluators import DaskEvaluator, Evaluator, local_evaluator


LOCAL_SCHEDULERS: Final[tuple[str, ...]] = ("threads", "processes")
LOCAL_CLUSTER: Final[str] = "local-cluster"
EXPECTED: Final[str] = ("threads, processes, local-cluster:N or a scheduler address such as "
                        "tcp://10.0.0.5:8786 (or tls://host:port)")
#: Seconds to wait for a scheduler to answer and for its first worker.
DEFAULT_TIMEOUT: Final[float] = 10.0
#: Address schemes of a Dask scheduler this tool connects to (host:port after them).
SCHEMES: Final[tuple[str, ...]] = ("tcp", "tls")
_ADDRESS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>\d{1,5})")
_SCHEME = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://.*")
_LOCAL_CLUSTER = re.compile(r"local-cluster:(\d+)")


@dataclass(frozen=True)
class SchedulerChoice:
    """A validated ``--scheduler`` value.

    Attributes
    ----------
    kind : str
        ``local`` (nothing chosen: the callers' default backend),
        ``threads``, ``processes``, ``local-cluster`` or ``address``.
    address : str or None
        The scheduler address (kind ``address``).
    n_workers : int or None
        Worker processes (kind ``local-cluster``).
    """

    kind: str
    address: str | None = None
    n_workers: int | None = None

    @property
    def distributed(self) -> bool:
        """Whether the tasks go to a Dask cluster."""
        return self.kind in ("address", LOCAL_CLUSTER)


def _bad(value: object, expected: str = EXPECTED) -> ConfigError:
    return ConfigError([Problem("--scheduler", "scheduler", value, expected)])


class SchedulerUnreachable(ConfigError):
    """A valid scheduler address that does not answer (or has no workers):
    a problem of the network or the cluster, so exit code 1, not 2."""

    exit_code = 1


def _unreachable(value: object, expected: str) -> SchedulerUnreachable:
    return SchedulerUnreachable([Problem("--scheduler", "scheduler", value, expected)])


#: ``local-cluster:N`` starts N processes on this machine: at most this many per core.
LOCAL_WORKERS_PER_CORE: Final[int] = 4


def max_local_workers() -> int:
    """Largest N of ``local-cluster:N`` (:data:`LOCAL_WORKERS_PER_CORE` per core)."""
    return LOCAL_WORKERS_PER_CORE * max(1, os.cpu_count() or 1)


def parse_scheduler(scheduler: str | None) -> SchedulerChoice:
    """Validate a ``--scheduler`` value.

    Parameters
    ----------
    scheduler : str or None
        ``None`` (local default), ``threads``, ``processes``,
        ``local-cluster:N`` or a scheduler address (``tcp://host:port``).

    Returns
    -------
    SchedulerChoice

    Raises
    ------
    ConfigError
        For any other value, naming the option ``--scheduler``.
    """
    if scheduler is None:
        return SchedulerChoice("local")
    if not isinstance(scheduler, str):
        raise _bad(scheduler)
    text = scheduler.strip()
    if text.lower() in LOCAL_SCHEDULERS:
        return SchedulerChoice(text.lower())
    m = _LOCAL_CLUSTER.fullmatch(text.lower())
    if m is not None:
        n = int(m.group(1))
        if n < 1:
            raise _bad(scheduler, "local-cluster:N with N >= 1 worker processes")
        if n > max_local_workers():
            raise _bad(scheduler, f"local-cluster:N with N <= {max_local_workers()} worker processes "
                                  f"({LOCAL_WORKERS_PER_CORE} per core of this machine); for more, start a "
                                  "cluster and give its address")
        return SchedulerChoice(LOCAL_CLUSTER, n_workers=n)
    m = _ADDRESS.fullmatch(text)
    if m is not None and m.group("scheme").lower() in SCHEMES and 1 <= int(m.group("port")) <= 65535:
        return SchedulerChoice("address", address=text)
    s = _SCHEME.fullmatch(text)
    if s is not None and s.group("scheme").lower() not in SCHEMES:
        raise _bad(scheduler, f"a scheduler address with scheme {' or '.join(f'{x}://' for x in SCHEMES)} "
                              f"(not {s.group('scheme')}://), or {EXPECTED}")
    if s is not None:
        raise _bad(scheduler, "a scheduler address of the form tcp://host:port with a port in 1..65535")
    raise _bad(scheduler)


@contextmanager
def open_evaluator(scheduler: str | None = None, workers: int = 1, *, timeout: float = DEFAULT_TIMEOUT,
                   window: int | None = None) -> Iterator[Evaluator]:
    """The evaluator of the command line's ``--scheduler`` and ``--workers``.

    Parameters
    ----------
    scheduler : str or None
        ``None`` (forked processes where available, else threads),
        ``threads``, ``processes``, ``local-cluster:N`` or a scheduler
        address such as ``tcp://10.0.0.5:8786``.
    workers : int
        Local workers (ignored for a cluster: its workers count).
    timeout : float
        Seconds to wait for a scheduler and its first worker.
    window : int, optional
        Tasks in flight on a cluster (see :class:`DaskEvaluator`).

    Yields
    ------
    Evaluator
        Closed (its workers, a cluster client and a local cluster shut
        down) on exit.

    Raises
    ------
    ConfigError
        For an invalid value or worker count, a missing ``dask``/``distributed``
        install, a scheduler that cannot be reached, or mismatched versions.
    """
    choice = parse_scheduler(scheduler)
    if not choice.distributed:
        backend = choice.kind if choice.kind in LOCAL_SCHEDULERS else "auto"
        with local_evaluator(workers, backend) as evaluator:
            yield evaluator
        return
    from .cluster import cluster_client

    assert scheduler is not None
    with cluster_client(scheduler, timeout=timeout) as client:
        yield DaskEvaluator(client, window=window)


__all__ = [
    "DEFAULT_TIMEOUT",
    "EXPECTED",
    "SchedulerChoice",
    "SchedulerUnreachable",
    "open_evaluator",
    "parse_scheduler",
]
