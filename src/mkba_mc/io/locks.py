"""One writer per output folder, and the clean-up of what dead writers left.

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
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from ..errors import OutputError, ResourceError
from .fsync import fsync_dir

TMP_PREFIX = ".mkba-tmp-"
OLD_PREFIX = ".mkba-old-"
LOCK_SUFFIX = ".mkba-lock"


class BusyError(OutputError):
    """Another process is writing to the same output folder."""


def _is_lock_file(name: str) -> bool:
    return name.startswith(".") and name.endswith(LOCK_SUFFIX) and len(name) > len(LOCK_SUFFIX) + 1


def is_mkba_temp(name: str) -> bool:
    return name.startswith((TMP_PREFIX, OLD_PREFIX)) or _is_lock_file(name)


def temp_name(prefix: str, name: str) -> str:
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
                    fsync_dir(d)
                    done.append(entry)
                    continue
            _remove(entry)
            done.append(entry)
    if recursive:
        for sub in sorted(d.iterdir()):
            if sub.is_dir() and not sub.is_symlink() and not is_mkba_temp(sub.name):
                done += remove_stale(sub, recursive=True)
    return done
