"""Writing results safely: all or nothing, one writer at a time, no litter.

Result folders
    A command that writes a result folder (``run``, ``sobol``, ``morris``,
    ``tornado``, ``breakeven``, ``compare`` and every step folder of
    ``batch``) writes all of its files into a fresh *staging* folder beside
    the target, ``<parent>/.mkba-tmp-<pid>-<hex>-<name>``, fsyncs them and
    the folder, and only then renames the staging folder into place
    (:func:`result_folder`; :func:`write_bundle` is the usual way in).
    Without ``--force`` the target must be absent or empty; with ``--force``
    an old result folder is replaced as a whole: on Linux both folders are
    swapped in one ``renameat2(RENAME_EXCHANGE)`` and the old one (now under
    the staging name) is deleted; elsewhere the old folder is first renamed
    aside to ``<parent>/.mkba-old-<pid>-<hex>-<name>``.  Where a crash leaves
    things:

    ============================  =============================================
    killed while ...              target afterwards (and what the next run does)
    ============================  =============================================
    computing / writing files     absent, or the old complete folder; a staging
                                  folder remains (removed)
    after the swap                the new complete folder; the old one remains
                                  under a temporary name (removed)
    between the two renames       absent, old folder aside: the next writer
    (no RENAME_EXCHANGE)          renames it back before anything else
    ============================  =============================================

    So a folder never mixes files of two runs (a manifest of one seed with
    the samples of another), and a failed write (disk full, a value the
    Excel writer refuses) leaves no folder that a rerun would refuse.

    ``--force`` replaces the *whole* folder, so it is refused for a folder
    holding anything mkba-mc does not write (:data:`RESULT_NAMES`): a
    mistyped ``--out ~/Documents --force`` must not delete documents.

Files in an existing folder
    ``report`` adds ``report.html`` and ``figures/*.png`` to a run folder and
    ``batch`` adds ``point.json``/``done.json``; they stage every file under
    a temporary name in that folder and rename each into place at the end
    (:func:`staged_files`, :func:`write_atomic`), so every file is complete.

Lock
    Every writer holds an exclusive :func:`fcntl.flock` on
    ``<parent>/.<name>.mkba-lock`` for as long as it writes to ``<parent>/<name>``
    (the CLI: for the whole command, from the check of ``--out`` on).  A
    second writer is refused at once with an :class:`BusyError` (an
    :class:`~mkba_mc.errors.OutputError`, exit code 2: nothing was changed).
    The kernel drops the lock when its holder dies, even by SIGKILL, so a
    lock is never stale; the lock file is removed on release, and the file
    a killed holder leaves is removed by the next writer in that folder
    (:func:`remove_stale`, which takes and releases the free lock).  The lock is
    re-entrant within one process (``run --out X`` holds it and
    :func:`write_bundle` takes it again).

Stale temporaries
    Names of temporaries tell their owner: a folder ``.mkba-tmp-…-<name>`` or
    ``.mkba-old-…-<name>`` in ``D`` belongs to the lock of ``D/<name>``, a file
    ``.mkba-tmp-…`` in ``D`` to the lock of ``D``.  :func:`remove_stale`
    deletes a temporary only while holding its owner's lock, so it never
    touches the files of a live concurrent writer; every writer calls it.

netCDF files
    Every ``.nc`` file is netCDF4 (HDF5), written by :func:`write_netcdf` through
    h5netcdf with gzip-compressed numeric variables; ``xarray.open_dataset(path)``
    reads it without naming an engine.  A ``seed`` attribute is stored as an
    unsigned 64-bit integer (netCDF ``NC_UINT64``) whatever its value, so every
    seed in ``[0, 2^64)`` round-trips exactly and has the same value as the
    ``seed`` integer of the ``manifest.json`` beside it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import shutil
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import OutputError, ResourceError, WriteError

if TYPE_CHECKING:
    import xarray as xr

TMP_PREFIX = ".mkba-tmp-"
NETCDF_ENGINE = "h5netcdf"
#: gzip level of numeric variables: level 1 gets most of the size reduction
#: at a fraction of the time of higher levels.
NETCDF_COMPLEVEL = 1
_SEED_ATTR = "seed"
OLD_PREFIX = ".mkba-old-"
LOCK_SUFFIX = ".mkba-lock"

#: Names an mkba-mc command writes into a result folder; ``--force`` replaces
#: only folders that hold nothing else (plus hidden ``.mkba-*`` temporaries).
RESULT_NAMES: frozenset[str] = frozenset({
    "manifest.json", "samples.nc", "summary.csv", "summary.xlsx", "sobol.nc", "sobol.csv", "morris.nc", "morris.csv",
    "tornado.csv", "tornado.nc", "spider.csv", "breakeven.csv", "robustness.csv", "robustness.nc", "comparison.csv",
    "comparison.xlsx", "comparison.png", "report.html", "figures", "point.json", "curve.nc", "curve.csv",
})


class BusyError(OutputError):
    """Another process is writing to the same output folder."""


def _is_lock_file(name: str) -> bool:
    return name.startswith(".") and name.endswith(LOCK_SUFFIX) and len(name) > len(LOCK_SUFFIX) + 1


def _is_mkba_temp(name: str) -> bool:
    return name.startswith((TMP_PREFIX, OLD_PREFIX)) or _is_lock_file(name)


def _temp_name(prefix: str, name: str) -> str:
    """``<prefix><pid>-<hex>-<name>``: the pid for people, the random part for uniqueness."""
    return f"{prefix}{os.getpid()}-{uuid.uuid4().hex[:8]}-{name}"


def _temp_target(name: str) -> str | None:
    """The ``<name>`` part of a temporary's name (None if not a temporary)."""
    for prefix in (TMP_PREFIX, OLD_PREFIX):
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):].split("-", 2)[-1]  # also the older ".mkba-tmp-<hex>-<name>" files
    return None


# -------------------------------------------------------------------- lock
def lock_path(target: str | Path) -> Path:
    """The lock file guarding ``target``: ``<parent>/.<name>.mkba-lock``
    (symbolic links resolved, so two spellings of a folder share one lock)."""
    t = Path(os.path.realpath(target))
    return t.parent / f".{t.name}{LOCK_SUFFIX}"


class _Lock:
    __slots__ = ("count", "fd", "path")

    def __init__(self, path: Path, fd: int):
        self.path, self.fd, self.count = path, fd, 1


_HELD: dict[Path, _Lock] = {}
_HELD_GUARD = threading.RLock()


def _try_flock(path: Path) -> int | None:
    """Open and lock ``path``; the fd, or None when another process holds it.

    The file may be removed by its previous holder between our open and our
    flock; then we hold a lock on a deleted inode, so check that the path
    still names the locked file and retry otherwise.
    """
    import fcntl

    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


class LockHandle:
    """A held output lock; :meth:`release` once (also a context manager)."""

    def __init__(self, path: Path):
        self.path = path
        self._released = False

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        _release(self.path)

    def __enter__(self) -> LockHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _release(path: Path) -> None:
    import fcntl

    with _HELD_GUARD:
        lock = _HELD.get(path)
        if lock is None:
            return
        lock.count -= 1
        if lock.count:
            return
        del _HELD[path]
        with contextlib.suppress(OSError):
            os.unlink(path)  # while still locked: a waiting opener re-checks the inode
        fcntl.flock(lock.fd, fcntl.LOCK_UN)
        os.close(lock.fd)


def hold_lock(target: str | Path) -> LockHandle:
    """Take the exclusive lock of ``target`` (see the module notes).

    Re-entrant within this process: every call needs its own
    :meth:`LockHandle.release`.

    Raises
    ------
    BusyError
        If another process holds the lock (is writing to ``target``).
    ResourceError
        If the lock file cannot be created (for example the parent folder
        is not writable; exit code 1).
    """
    path = lock_path(target)
    with _HELD_GUARD:
        if path in _HELD:
            _HELD[path].count += 1
            return LockHandle(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = _try_flock(path)
        except OSError as exc:
            raise ResourceError(f"{target}: cannot create the lock file {path} ({exc.strerror or exc})") from exc
        if fd is None:
            raise BusyError(f"{target}: another mkba-mc process is writing to this folder (lock {path}); "
                            "wait until it has finished or choose another --out")
        _HELD[path] = _Lock(path, fd)
        return LockHandle(path)


@contextlib.contextmanager
def _owner_lock(target: Path) -> Iterator[bool]:
    """Hold ``target``'s lock if no other process does; yield whether we do."""
    try:
        handle = hold_lock(target)
    except (OutputError, ResourceError):
        yield False
        return
    try:
        yield True
    finally:
        handle.release()


# ------------------------------------------------------- stale temporaries
def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def remove_stale(folder: str | Path, *, recursive: bool = False) -> list[Path]:
    """Remove temporaries that dead writers left in ``folder``.

    A temporary is removed only while its owner's lock is held by this
    process (taken here when free), never while another process holds it.
    An old folder moved aside (``.mkba-old-…-<name>``) whose ``<name>`` is
    missing -- a writer died between its two renames -- is renamed back
    instead of deleted.  A lock file whose lock is free (its holder was
    killed) is removed.

    Parameters
    ----------
    folder : path
        Folder to clean.
    recursive : bool
        Also clean every subfolder (not the temporaries themselves).

    Returns
    -------
    list of Path
        The temporaries removed or restored.
    """
    d = Path(folder)
    if not d.is_dir():
        return []
    done: list[Path] = []
    entries = sorted(d.iterdir())
    for entry in entries:
        if _is_lock_file(entry.name):
            # a lock file left by a killed writer (the kernel dropped its lock, the file stays):
            # taking and releasing the lock removes the file, unless a live writer holds it
            owner = d / entry.name[1:-len(LOCK_SUFFIX)]
            if lock_path(owner) == Path(os.path.realpath(entry)) and entry.is_file():
                with _owner_lock(owner):
                    pass
                if not os.path.lexists(entry):
                    done.append(entry)
            continue
        target_name = _temp_target(entry.name)
        if target_name is None:
            continue
        is_dir = entry.is_dir() and not entry.is_symlink()
        owner = d / target_name if is_dir else d
        with _owner_lock(owner) as ours:
            if not ours or not os.path.lexists(entry):
                continue
            if entry.name.startswith(OLD_PREFIX) and is_dir and not os.path.lexists(owner):
                with contextlib.suppress(OSError):
                    os.rename(entry, owner)
                    _fsync_dir(d)
                    done.append(entry)
                    continue
            _remove(entry)
            done.append(entry)
    if recursive:
        for sub in sorted(d.iterdir()):
            if sub.is_dir() and not sub.is_symlink() and not _is_mkba_temp(sub.name):
                done += remove_stale(sub, recursive=True)
    return done


# ---------------------------------------------------------------- checks
def _foreign(p: Path) -> list[str]:
    return sorted(c.name for c in p.iterdir() if c.name not in RESULT_NAMES and not _is_mkba_temp(c.name))


def _has_results(p: Path) -> bool:
    return any(not _is_mkba_temp(c.name) for c in p.iterdir())


def check_dir(path: str | Path, force: bool) -> Path:
    """Check, without touching anything, that ``path`` may receive results.

    Raises
    ------
    OutputError
        If ``path`` is a file; if the folder exists, is not empty and
        ``force`` is not set; or, with ``force``, if it holds files mkba-mc
        does not write (``--force`` replaces the whole folder).
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise OutputError(f"{p}: exists and is not a folder; give a folder for --out")
    if p.is_dir() and _has_results(p):
        if not force:
            raise OutputError(f"{p}: folder is not empty; choose a new folder or pass --force to overwrite its results")
        foreign = _foreign(p)
        if foreign:
            shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
            raise OutputError(f"{p}: holds files mkba-mc did not write ({shown}); --force replaces the whole folder, "
                              "so move them away or choose another folder")
    return p


def claim_dir(path: str | Path, force: bool) -> LockHandle:
    """Lock ``path`` for a command that will write it, then check it.

    Under the lock, first undo what a killed writer left (a folder moved
    aside is put back, staging folders are removed: :func:`remove_stale` of
    the parent), then :func:`check_dir`.  Release the handle when the
    command ends.

    Raises
    ------
    BusyError
        If another process writes to ``path``.
    OutputError
        See :func:`check_dir` (the lock is released then).
    """
    handle = hold_lock(path)
    try:
        remove_stale(Path(os.path.realpath(path)).parent)
        check_dir(path, force)
    except BaseException:
        handle.release()
        raise
    return handle


def prepare_dir(path: str | Path, force: bool) -> Path:
    """:func:`check_dir`, then create the folder and remove stale temporaries.

    For writers that add files to a folder in place (with :func:`write_atomic`
    or :func:`staged_files`); the caller should hold the folder's lock.
    """
    p = check_dir(path, force)
    p.mkdir(parents=True, exist_ok=True)
    remove_stale(p)
    return p


# -------------------------------------------------------------- durability
def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        dfd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            _fsync_file(Path(dirpath) / f)
        _fsync_dir(Path(dirpath))


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` atomically (Linux ``renameat2``); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def _replace_folder(staging: Path, target: Path) -> None:
    """Put the complete ``staging`` folder at ``target`` (see the module notes)."""
    parent = target.parent
    if target.is_dir() and not _has_results(target):
        remove_stale(target)  # an "empty" folder holding only what dead writers left
    if not target.exists():
        os.rename(staging, target)
    elif not any(target.iterdir()):
        try:
            os.rename(staging, target)  # rename(2) replaces an empty folder
        except OSError:  # a mount point, or a folder we may fill but not replace
            _move_files_into(staging, target)
    elif _exchange(staging, target):
        _fsync_dir(parent)
        shutil.rmtree(staging)  # the old folder, now under the staging name
    else:
        aside = parent / _temp_name(OLD_PREFIX, target.name)
        os.rename(target, aside)
        try:
            os.rename(staging, target)
        except BaseException:
            os.rename(aside, target)  # put the old folder back (a crash here: the next writer does)
            raise
        _fsync_dir(parent)
        shutil.rmtree(aside)
    _fsync_dir(parent)


def _move_files_into(staging: Path, target: Path) -> None:
    """Fallback for an empty ``target`` that cannot be replaced: rename each
    entry in, ``manifest.json`` last (a folder with a manifest is complete)."""
    entries = sorted(staging.iterdir(), key=lambda p: p.name == "manifest.json")
    for entry in entries:
        os.replace(entry, target / entry.name)
    _fsync_dir(target)
    staging.rmdir()


@contextlib.contextmanager
def result_folder(out_dir: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Write a result folder all-or-nothing.

    Yields an empty staging folder beside ``out_dir``; write every file into
    it.  When the block ends without an exception the files are fsynced
    and the folder is renamed to ``out_dir`` (with ``force`` replacing an
    old result folder); on an exception it is deleted and ``out_dir`` is
    left as it was.  The lock of ``out_dir`` is held throughout.

    Raises
    ------
    BusyError
        If another process writes to ``out_dir``.
    OutputError
        See :func:`check_dir`; or when the folder cannot be written.
    """
    target = Path(os.path.realpath(out_dir))  # replace the folder a symbolic link points to, not the link
    with hold_lock(target):
        remove_stale(target.parent)  # our own old staging folders, and a folder a dead writer moved aside
        check_dir(target, force)
        staging = target.parent / _temp_name(TMP_PREFIX, target.name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            staging.mkdir()
        except OSError as exc:
            raise WriteError(f"{out_dir}: cannot create a folder beside it ({exc.strerror or exc})") from exc
        try:
            yield staging
            _fsync_tree(staging)
            check_dir(target, force)  # unchanged while we held the lock, unless someone ignored it
            _replace_folder(staging, target)
        except OSError as exc:
            raise WriteError(f"{out_dir}: could not write the results ({exc.strerror or exc}); "
                              "nothing was changed") from exc
        finally:
            if os.path.lexists(staging):
                shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``."""
    target = Path(target)
    tmp = target.with_name(_temp_name(TMP_PREFIX, target.name))
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def staged_files(folder: str | Path) -> Iterator[Callable[[str], Path]]:
    """Stage several files of an existing ``folder`` and rename each into place.

    Yields ``stage(relative_name) -> temporary path``; every temporary lives
    directly in ``folder`` (``relative_name`` may name a subfolder, such as
    ``figures/ratios.png``, which is created), so one lock and one stale
    clean-up cover them.  When the block ends without an exception the
    files are fsynced and renamed into place in the order staged (stage the
    file that refers to the others last); on an exception they are removed.
    The caller holds ``folder``'s lock.
    """
    root = Path(folder)
    staged: list[tuple[Path, Path]] = []

    def stage(name: str) -> Path:
        final = root / name
        tmp = root / _temp_name(TMP_PREFIX, final.name)
        staged.append((tmp, final))
        return tmp

    try:
        yield stage
        for tmp, _final in staged:
            _fsync_file(tmp)
        for tmp, final in staged:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
        for d in {final.parent for _tmp, final in staged} | {root}:
            _fsync_dir(d)
    finally:
        for tmp, _final in staged:
            tmp.unlink(missing_ok=True)


def write_atomic(target: str | Path, writer: Callable[[Path], Any]) -> Path:
    """Write ``target`` through ``writer(tmp_path)`` atomically."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


def write_text_atomic(target: str | Path, text: str) -> Path:
    return write_atomic(target, lambda p: p.write_text(text, encoding="utf-8"))


def write_json_atomic(target: str | Path, obj: Any) -> Path:
    return write_text_atomic(target, json.dumps(obj, indent=2, allow_nan=False, default=str) + "\n")


def _json_text(obj: Any) -> str:
    return json.dumps(obj, indent=2, allow_nan=False, default=str) + "\n"


def write_bundle(out_dir: str | Path, writers: dict[str, Callable[[Path], Any]], manifest: dict[str, Any], *,
                 force: bool = False) -> dict[str, Path]:
    """Write a result folder all-or-nothing (:func:`result_folder`): the
    files, then ``manifest.json`` listing their SHA-256.

    ``writers`` maps a file name to a function writing that file's content
    to the path it is given.  Returns the final paths.
    """
    out = Path(out_dir)
    with result_folder(out, force=force) as stage:
        for name, writer in writers.items():
            writer(stage / name)
        manifest = dict(manifest)
        manifest["files"] = {name: sha256(stage / name) for name in writers}
        (stage / "manifest.json").write_text(_json_text(manifest), encoding="utf-8")
    return {name: out / name for name in [*writers, "manifest.json"]}


def write_netcdf(ds: xr.Dataset, path: str | Path) -> None:
    """Write ``ds`` to ``path`` as netCDF4 (HDF5, via h5netcdf), with every
    numeric variable gzip-compressed (level :data:`NETCDF_COMPLEVEL`, with
    the shuffle filter).

    netCDF3 (scipy's writer, used before) cannot hold a 64-bit integer
    attribute, so a drawn seed (up to ``2^63``) or a ``--seed >= 2^31`` could
    not be stored.  The ``seed`` attribute is written as ``numpy.uint64``,
    and files stay valid netCDF4 (``invalid_netcdf=False``) for other tools.

    Parameters
    ----------
    ds : xarray.Dataset
        The data; not modified.
    path : str or pathlib.Path
        Target file (use :func:`write_atomic` around this for atomicity).
        The file is built in memory first (it is smaller than the arrays,
        which are compressed), so a full disk raises :class:`OSError`.

    Raises
    ------
    ValueError
        If the ``seed`` attribute is not an integer in ``[0, 2^64)``.
    """
    attrs = dict(ds.attrs)
    if _SEED_ATTR in attrs:
        attrs[_SEED_ATTR] = _seed_attr(attrs[_SEED_ATTR])
    out = ds.copy(deep=False)
    out.attrs = attrs
    encoding = {name: {"compression": "gzip", "compression_opts": NETCDF_COMPLEVEL, "shuffle": True}
                for name, var in out.variables.items()
                if var.ndim > 0 and var.size > 0 and np.issubdtype(var.dtype, np.number)}
    # The file is built in memory and written with ordinary file I/O: HDF5
    # writing straight to a full disk reports ENOSPC only from h5py's
    # destructors ("Exception ignored in ... __dealloc__") and then crashes
    # the interpreter (SIGSEGV) instead of raising; a plain write raises
    # OSError (exit code 1, nothing left behind).
    data = out.to_netcdf(None, engine=NETCDF_ENGINE, invalid_netcdf=False, encoding=encoding)
    with open(path, "wb") as fh:
        fh.write(data)


def open_netcdf(path: str | Path) -> xr.Dataset:
    """Open a ``.nc`` file written by :func:`write_netcdf` (lazily; use it as
    a context manager or call ``.load()``).

    The engine is detected from the file, so the netCDF3 files of earlier
    versions still open.
    """
    import xarray as xr

    return xr.open_dataset(path)


def _seed_attr(seed: Any) -> np.uint64:
    """A seed as the ``uint64`` attribute value, checked to fit."""
    try:
        value = int(seed)
    except (TypeError, ValueError):
        raise ValueError(f"seed attribute {seed!r} is not an integer") from None
    if value != seed or not 0 <= value < 2**64:
        raise ValueError(f"seed attribute {seed!r} is not an integer in [0, 2^64)")
    return np.uint64(value)


def sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


__all__ = ["LOCK_SUFFIX", "OLD_PREFIX", "RESULT_NAMES", "TMP_PREFIX", "BusyError", "LockHandle", "atomic_path",
           "NETCDF_COMPLEVEL", "NETCDF_ENGINE", "check_dir", "claim_dir", "hold_lock", "lock_path", "open_netcdf", "prepare_dir", "remove_stale", "result_folder", "sha256",
           "staged_files", "write_atomic", "write_bundle", "write_json_atomic", "write_netcdf", "write_text_atomic"]


def check_writable(path: str | Path) -> Path:
    """Check, before any computation, that results can be written to ``path``.

    The folder need not exist: its nearest existing ancestor must then be a
    folder in which a folder can be made.  The check makes (and at once
    removes) a probe folder named ``.mkba-tmp-probe-*`` in the folder or that
    ancestor, which is the only reliable test (permission bits say nothing
    for root, nor about read-only or immutable folders).  Nothing is left
    behind.

    Parameters
    ----------
    path : str or Path
        The ``--out`` folder.

    Returns
    -------
    Path

    Raises
    ------
    ResourceError
        Naming ``path``: a part of it is a regular file, or the folder (or
        the ancestor it would be made in) cannot be written; exit code 1.
    """
    import errno
    import tempfile

    p = Path(path)
    target = p if p.is_absolute() else Path.cwd() / p
    anc = target.parent  # the staging folder and the lock are made beside the target
    while not os.path.lexists(anc) and anc != anc.parent:
        anc = anc.parent
    if not anc.is_dir():
        below = f" (it would be made below {anc}, which is not a folder)"
        raise ResourceError(f"--out {p}: cannot be used as a results folder{below}; "
                            "choose a folder path that is not inside a file")
    try:
        probe = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}probe-", dir=anc)
        os.rmdir(probe)
    except OSError as exc:
        why = {errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
               errno.EPERM: "not permitted (an immutable folder?)", errno.ENOSPC: "no space left on the device",
               errno.EDQUOT: "disk quota exceeded"}.get(exc.errno or 0, exc.strerror or str(exc))
        where = f" (it is written through {anc})"
        raise ResourceError(f"--out {p}: cannot write there{where}: {why}; choose another folder") from exc
    return p


__all__.append("check_writable")
