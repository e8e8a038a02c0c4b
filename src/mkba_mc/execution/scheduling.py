"""Where the tasks of a run go: local workers or a Dask cluster.

The Monte Carlo engine (:func:`mkba_mc.execution.montecarlo.run`) and the Sobol'
driver (:func:`mkba_mc.sensitivity.sobol.sobol_indices`) split their work into tasks
(ranges of samples, blocks of base rows) and accept a ``map_tasks(fn,
tasks)`` callable that runs ``fn`` on every task somewhere and yields
``(task, fn(task))`` pairs.  This module turns the ``--scheduler`` choice into
such a callable:

``threads`` / ``processes`` / ``None``
    Local execution with the callers' own backends (:func:`local_backend`
    gives the ``backend`` argument of :func:`~mkba_mc.execution.montecarlo.run`);
    :func:`scheduler_mapper` yields ``None`` (or a thread-pool mapper when
    asked, for callers without a threads backend).
``local-cluster:N``
    A :class:`distributed.LocalCluster` of ``N`` single-threaded worker
    processes, listening on the loopback interface only, without dashboard.
``tcp://host:port`` (any address with ``://``)
    A running ``dask scheduler``; this process connects to it as a client and
    listens on nothing.

The design of a run is defined per fixed block of samples and the Sobol'
sums are merged in task order, so every choice gives bit-identical numbers
for the same seed (given the same versions of mkba_mc, numpy and scipy on
every machine, which :func:`scheduler_mapper` checks).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from ..errors import ConfigError, MkbaWarning, Problem

T = TypeVar("T")
R = TypeVar("R")

#: ``map_tasks(fn, tasks)`` yielding ``(task, fn(task))`` in task order.
MapTasks = Callable[[Callable[[Any], Any], Sequence[Any]], Iterator[tuple[Any, Any]]]

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


def local_backend(scheduler: str | None) -> str:
    """The ``backend`` argument of :func:`mkba_mc.execution.montecarlo.run` for a choice.

    ``threads`` and ``processes`` map to themselves; ``None`` and the cluster
    choices (which pass ``map_tasks`` instead) map to ``auto``.

    Raises
    ------
    ConfigError
        For an invalid scheduler value.
    """
    kind = parse_scheduler(scheduler).kind
    return kind if kind in LOCAL_SCHEDULERS else "auto"


def _import_distributed(scheduler: str) -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise _bad(scheduler, "dask and distributed installed for a cluster scheduler: "
                              "pip install 'mkba-mc[cluster]'") from exc
    return distributed


def _environment() -> dict[str, str]:
    """Versions that decide the numbers (run on the scheduler and the workers)."""
    import numpy
    import scipy

    import mkba_mc

    return {"mkba_mc": mkba_mc.__version__, "numpy": numpy.__version__, "scipy": scipy.__version__,
            "python": ".".join(map(str, sys.version_info[:2]))}


def check_environment(client: Any, address: str) -> None:
    """Check that the scheduler and every worker run the same mkba_mc.

    Raises
    ------
    ConfigError
        When mkba_mc is missing or of another version on the scheduler or a
        worker (naming the machines).

    Warns
    -----
    MkbaWarning
        When numpy, scipy or Python differ (the numbers may then differ in
        the last bits from a local run).
    """
    mine = _environment()
    hint = (f"mkba_mc {mine['mkba_mc']} installed on the scheduler and every worker "
            "(pip install the same mkba-mc version there, then restart them)")
    try:
        found = {"scheduler": client.run_on_scheduler(_environment)}
        found.update(client.run(_environment))
    except Exception as exc:  # a worker without mkba_mc cannot even unpickle the check
        raise _bad(address, f"{hint}; checking failed with {type(exc).__name__}: {exc}") from exc
    wrong = sorted(where for where, env in found.items() if env["mkba_mc"] != mine["mkba_mc"])
    if wrong:
        versions = ", ".join(f"{w} has {found[w]['mkba_mc']}" for w in wrong)
        raise _bad(address, f"{hint}; {versions}")
    other = sorted({f"{k} {env[k]} on {where}" for where, env in found.items() for k in ("numpy", "scipy", "python")
                    if env[k] != mine[k]})
    if other:
        warnings.warn(f"the cluster at {address} runs other library versions than this machine "
                      f"({', '.join(other)}; here {', '.join(f'{k} {mine[k]}' for k in ('numpy', 'scipy', 'python'))}): "
                      "results may differ in the last digits from a local run", MkbaWarning, stacklevel=3)


def _call(fn: Callable[[T], R], task: T) -> R:
    """Worker side: apply the (scattered) function to one task."""
    return fn(task)


def client_mapper(client: Any, *, window: int | None = None) -> MapTasks:
    """A ``map_tasks`` callable that runs tasks on a Dask cluster.

    The function is scattered to every worker once per call (a scenario and
    its sampling plan are a few megabytes; sending them with every task
    would dominate), then tasks are submitted with at most ``window`` in
    flight, and ``(task, result)`` pairs are yielded in task order.

    Parameters
    ----------
    client : distributed.Client
        A connected client.
    window : int, optional
        Tasks in flight (bounds the memory of results waiting to be
        collected); default twice the cluster's worker threads, at least 2.

    Returns
    -------
    callable
        ``map_tasks(fn, tasks)``; ``fn`` must be picklable with cloudpickle
        (closures are) and deterministic, since a task may be rerun when a
        worker dies.
    """

    def map_tasks(fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
        tasks = list(tasks)
        if not tasks:
            return
        size = window if window is not None else max(2, 2 * sum(client.nthreads().values()))
        [remote_fn] = client.scatter([fn], broadcast=True, hash=False)
        pending: deque[tuple[Any, Any]] = deque()
        it = iter(tasks)
        try:
            for t in it:
                pending.append((t, client.submit(_call, remote_fn, t, pure=False)))
                if len(pending) >= size:
                    break
            while pending:
                t, fut = pending.popleft()
                result = fut.result()
                fut.release()
                nxt = next(it, None)
                if nxt is not None:
                    pending.append((nxt, client.submit(_call, remote_fn, nxt, pure=False)))
                yield t, result
        finally:
            if pending:
                client.cancel([f for _, f in pending])
            remote_fn.release()

    return map_tasks


def threads_mapper(threads: int) -> MapTasks:
    """A ``map_tasks`` callable on a local thread pool (results in task order).

    For callers without a threads backend of their own
    (:func:`mkba_mc.sensitivity.sobol.sobol_indices`); a new pool is made per call.
    """
    if threads < 1:
        raise ConfigError([Problem("--workers", "workers", threads, "at least 1")])

    def map_tasks(fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
        from .montecarlo import windowed

        with ThreadPoolExecutor(max_workers=threads) as pool:
            yield from windowed(lambda t: pool.submit(fn, t), tasks, window=2 * threads)

    return map_tasks


#: Prefix of the scratch folder of a local cluster in the system temp folder.
SCRATCH_PREFIX: Final = "mkba-dask-"
_SCRATCH_LOCK: Final = ".mkba-scratch-lock"


def _remove_stale_scratch(tmp: str) -> None:
    """Remove scratch folders of local clusters whose process died (SIGKILL).

    Each live cluster holds an ``flock`` on ``.mkba-scratch-lock`` in its
    folder, and the kernel drops it when the process dies: a folder whose
    lock can be taken is stale.
    """
    import fcntl
    import os
    import shutil
    from pathlib import Path

    with contextlib.suppress(OSError):
        for d in Path(tmp).glob(f"{SCRATCH_PREFIX}*"):
            lock = d / _SCRATCH_LOCK
            if not d.is_dir() or d.is_symlink() or not lock.is_file():
                continue
            try:
                fd = os.open(lock, os.O_RDWR)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a live cluster
            finally:
                os.close(fd)
            shutil.rmtree(d, ignore_errors=True)


@contextmanager
def _scratch_dir() -> Iterator[str]:
    """A private scratch folder in the system temp folder, removed on exit
    (and by the next local cluster if this process is killed)."""
    import fcntl
    import os
    import tempfile

    _remove_stale_scratch(tempfile.gettempdir())
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", ignore_cleanup_errors=True) as d:
        fd = os.open(os.path.join(d, _SCRATCH_LOCK), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            yield d
        finally:
            os.close(fd)


@contextmanager
def local_cluster(n_workers: int) -> Iterator[Any]:
    """A :class:`distributed.LocalCluster` on the loopback interface.

    ``n_workers`` single-threaded worker processes, host ``127.0.0.1``, no
    dashboard: nothing listens on another interface.  (The scheduler always
    serves a small HTTP endpoint, health and metrics; it gets a free port on
    ``127.0.0.1`` instead of the default 8787.)  Closed on exit.

    The workers' scratch space (``local_directory``, by default
    ``dask-scratch-space`` in the system temp folder, shared and never
    removed) is a private ``mkba-dask-<pid>-*`` folder in the temp folder,
    removed on exit; one left by a killed run is removed by the next local
    cluster.  The workers are started by nannies in this process and exit
    when the pipe to their parent closes, so they do not outlive it.
    """
    distributed = _import_distributed(f"{LOCAL_CLUSTER}:{n_workers}")
    import dask

    # the scheduler and the nannies (servers in this process) read the config, the workers get local_directory
    with _scratch_dir() as scratch, dask.config.set({"temporary-directory": scratch}), distributed.LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, worker_dashboard_address=None, local_directory=scratch,
            scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"}) as cluster:
        yield cluster


@contextmanager
def cluster_client(scheduler: str, *, timeout: float = DEFAULT_TIMEOUT, check: bool = True) -> Iterator[Any]:
    """A connected :class:`distributed.Client` for a cluster choice.

    Parameters
    ----------
    scheduler : str
        ``local-cluster:N`` or a scheduler address.
    timeout : float
        Seconds to wait for the scheduler to answer and for its first worker.
    check : bool
        Check the versions on the scheduler and workers
        (:func:`check_environment`).

    Yields
    ------
    distributed.Client
        Closed (and a local cluster shut down) on exit.

    Raises
    ------
    ConfigError
        For a value that is not a cluster choice, without dask installed,
        when the scheduler cannot be reached in ``timeout`` seconds or has
        no worker, or when the versions differ.
    """
    choice = parse_scheduler(scheduler)
    if not choice.distributed:
        raise _bad(scheduler, "local-cluster:N or a scheduler address such as tcp://10.0.0.5:8786")
    distributed = _import_distributed(scheduler)
    with contextlib.ExitStack() as stack:
        if choice.kind == LOCAL_CLUSTER:
            assert choice.n_workers is not None
            target: Any = stack.enter_context(local_cluster(choice.n_workers))
            address = target.scheduler_address
        else:
            target = address = choice.address
        try:
            client = distributed.Client(target, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise _unreachable(scheduler, f"a running dask scheduler at {address}; could not connect within {timeout:g} s "
                                  f"({exc}). Start one with `dask scheduler` on that machine and check the host, "
                                  "the port (default 8786) and the firewall") from exc
        stack.callback(client.close)
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise _unreachable(scheduler, f"a dask scheduler with workers; none connected to {address} within "
                                  f"{timeout:g} s. Start them with `dask worker {address} --nthreads 1`") from exc
        if check:
            check_environment(client, address)
        yield client


@contextmanager
def scheduler_mapper(scheduler: str | None, *, timeout: float = DEFAULT_TIMEOUT, threads: int | None = None,
                     window: int | None = None) -> Iterator[MapTasks | None]:
    """The ``map_tasks`` callable of a ``--scheduler`` choice.

    Parameters
    ----------
    scheduler : str or None
        ``None``, ``threads``, ``processes``, ``local-cluster:N`` or a
        scheduler address such as ``tcp://10.0.0.5:8786``.
    timeout : float
        Seconds to wait for a scheduler and its first worker.
    threads : int, optional
        With ``threads`` chosen, yield a :func:`threads_mapper` of this many
        threads instead of ``None`` (for callers that have no threads backend,
        such as :func:`mkba_mc.sensitivity.analyses.sobol`).
    window : int, optional
        Tasks in flight on a cluster (see :func:`client_mapper`).

    Yields
    ------
    callable or None
        ``None`` for local execution (pass :func:`local_backend` as
        ``backend``), else ``map_tasks(fn, tasks)`` yielding ``(task,
        fn(task))`` in task order.

    Raises
    ------
    ConfigError
        For an invalid value, a missing ``dask``/``distributed`` install, a
        scheduler that cannot be reached, or mismatched versions.
    """
    choice = parse_scheduler(scheduler)
    if not choice.distributed:
        yield threads_mapper(threads) if choice.kind == "threads" and threads is not None else None
        return
    assert scheduler is not None
    with cluster_client(scheduler, timeout=timeout) as client:
        yield client_mapper(client, window=window)


__all__ = [
    "DEFAULT_TIMEOUT",
    "EXPECTED",
    "MapTasks",
    "SCRATCH_PREFIX",
    "SchedulerChoice",
    "check_environment",
    "client_mapper",
    "cluster_client",
    "local_backend",
    "local_cluster",
    "parse_scheduler",
    "scheduler_mapper",
    "threads_mapper",
]
