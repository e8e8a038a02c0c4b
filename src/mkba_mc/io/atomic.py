"""Writing results safely: all or nothing, no litter.

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

The lock and the clean-up of stale temporaries are in
:mod:`mkba_mc.io.locks`, netCDF writing in :mod:`mkba_mc.io.netcdf`.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import OutputError, ResourceError, WriteError
from .fsync import fsync_dir, fsync_file, fsync_tree
from .hashing import sha256
from .locks import (
    OLD_PREFIX,
    TMP_PREFIX,
    LockHandle,
    hold_lock,
    is_mkba_temp,
    remove_stale,
    temp_name,
)

#: Names an mkba-mc command writes into a result folder; ``--force`` replaces
#: only folders that hold nothing else (plus hidden ``.mkba-*`` temporaries).
RESULT_NAMES: frozenset[str] = frozenset({
    "manifest.json", "samples.nc", "summary.csv", "summary.xlsx", "sobol.nc", "sobol.csv", "morris.nc", "morris.csv",
    "tornado.csv", "tornado.nc", "spider.csv", "breakeven.csv", "robustness.csv", "robustness.nc", "comparison.csv",
    "comparison.xlsx", "comparison.png", "comparison.html", "report.html", "figures", "point.json", "curve.nc", "curve.csv",
    "voi.nc", "voi.csv", "shapley.nc", "shapley.csv", "discover.nc", "discover.csv", "trajectory.csv",
})


# ---------------------------------------------------------------- checks
def _foreign(p: Path) -> list[str]:
    return sorted(c.name for c in p.iterdir() if c.name not in RESULT_NAMES and not is_mkba_temp(c.name))


def _has_results(p: Path) -> bool:
    return any(not is_mkba_temp(c.name) for c in p.iterdir())


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


# ------------------------------------------------------------- swapping
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
        fsync_dir(parent)
        shutil.rmtree(staging)  # the old folder, now under the staging name
    else:
        aside = parent / temp_name(OLD_PREFIX, target.name)
        os.rename(target, aside)
        try:
            os.rename(staging, target)
        except BaseException:
            os.rename(aside, target)  # put the old folder back (a crash here: the next writer does)
            raise
        fsync_dir(parent)
        shutil.rmtree(aside)
    fsync_dir(parent)


def _move_files_into(staging: Path, target: Path) -> None:
    """Fallback for an empty ``target`` that cannot be replaced: rename each
    entry in, ``manifest.json`` last (a folder with a manifest is complete)."""
    entries = sorted(staging.iterdir(), key=lambda p: p.name == "manifest.json")
    for entry in entries:
        os.replace(entry, target / entry.name)
    fsync_dir(target)
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
        staging = target.parent / temp_name(TMP_PREFIX, target.name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            staging.mkdir()
        except OSError as exc:
            raise WriteError(f"{out_dir}: cannot create a folder beside it ({exc.strerror or exc})") from exc
        try:
            yield staging
            fsync_tree(staging)
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
    tmp = target.with_name(temp_name(TMP_PREFIX, target.name))
    try:
        yield tmp
        fsync_file(tmp)
        os.replace(tmp, target)
        fsync_dir(target.parent)
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
        tmp = root / temp_name(TMP_PREFIX, final.name)
        staged.append((tmp, final))
        return tmp

    try:
        yield stage
        for tmp, _final in staged:
            fsync_file(tmp)
        for tmp, final in staged:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
        for d in {final.parent for _tmp, final in staged} | {root}:
            fsync_dir(d)
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
