"""Dask clusters for the evaluators: local clusters on the loopback interface,
connections to a running scheduler, and the version check.

Used by :func:`mkba_mc.execution.scheduling.open_evaluator` for the
``--scheduler`` choices ``local-cluster:N`` and ``tcp://host:port``; the
tasks then run on a :class:`~mkba_mc.execution.evaluators.DaskEvaluator`.
The numbers equal a local run's given the same versions of mkba_mc, numpy
and scipy on every machine, which :func:`check_environment` checks.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from ..errors import MkbaWarning
from .scheduling import DEFAULT_TIMEOUT, LOCAL_CLUSTER, _bad, _unreachable, parse_scheduler


def _import_distributed(scheduler: str) -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise _bad(scheduler, "dask and distributed installed for a cluster scheduler: "
                              "pip install 'mkba-mc[cluster]'") from exc
    return distributed


def package_version() -> str:
    """The installed mkba-mc version (``0.0.0+unknown`` in a source tree without install)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mkba-mc")
    except PackageNotFoundError:
        return "0.0.0+unknown"


def _environment() -> dict[str, str]:
    """Versions that decide the numbers (run on the scheduler and the workers)."""
    import numpy
    import scipy

    return {"mkba_mc": package_version(), "numpy": numpy.__version__, "scipy": scipy.__version__,
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


__all__ = ["SCRATCH_PREFIX", "check_environment", "cluster_client", "local_cluster"]
