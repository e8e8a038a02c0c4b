"""Writing results safely: never half-written, never silently overwritten.

Every file is written to a temporary name in the target folder, flushed to
disk and then renamed over the final name (``os.replace`` is atomic on POSIX
file systems), so a crash leaves either the old file or the new one, never a
partial file.  A non-empty output folder is refused unless ``force`` is set.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .errors import OutputError

TMP_PREFIX = ".mkba-tmp-"


def check_dir(path: str | Path, force: bool) -> Path:
    """Check, without touching anything, that ``path`` may receive results.

    Raises
    ------
    OutputError
        If the folder exists, is not empty and ``force`` is not set, or if
        ``path`` is a file.
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise OutputError(f"{p}: exists and is not a folder; give a folder for --out")
    if p.is_dir() and any(not c.name.startswith(TMP_PREFIX) for c in p.iterdir()) and not force:
        raise OutputError(f"{p}: folder is not empty; choose a new folder or pass --force to overwrite its results")
    return p


def prepare_dir(path: str | Path, force: bool) -> Path:
    """:func:`check_dir`, then create the folder and remove stale temporaries."""
    p = check_dir(path, force)
    p.mkdir(parents=True, exist_ok=True)
    for stale in p.glob(f"{TMP_PREFIX}*"):  # left by a killed run
        stale.unlink(missing_ok=True)
    return p


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``."""
    target = Path(target)
    tmp = target.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex[:8]}-{target.name}")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        with contextlib.suppress(OSError):
            dfd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
    finally:
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


def write_bundle(out_dir: str | Path, writers: dict[str, Callable[[Path], Any]], manifest: dict[str, Any], *,
                 force: bool = False) -> dict[str, Path]:
    """Write several result files atomically, then ``manifest.json`` listing
    their SHA-256 (a folder with a manifest is complete).

    ``writers`` maps a file name to a function writing that file's content
    to the path it is given.
    """
    out = prepare_dir(out_dir, force)
    files = {name: write_atomic(out / name, writer) for name, writer in writers.items()}
    manifest = dict(manifest)
    manifest["files"] = {name: sha256(path) for name, path in files.items()}
    files["manifest.json"] = write_json_atomic(out / "manifest.json", manifest)
    return files


def sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


__all__ = ["TMP_PREFIX", "atomic_path", "check_dir", "prepare_dir", "sha256", "write_atomic", "write_bundle", "write_json_atomic",
           "write_text_atomic"]


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

    from .errors import ResourceError

    p = Path(path)
    target = p if p.is_absolute() else Path.cwd() / p
    anc = target
    while not os.path.lexists(anc) and anc != anc.parent:
        anc = anc.parent
    if not anc.is_dir():
        below = "" if anc == target else f" (it would be made below {anc}, which is not a folder)"
        raise ResourceError(f"--out {p}: cannot be used as a results folder{below}; "
                            "choose a folder path that is not inside a file")
    try:
        probe = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}probe-", dir=anc)
        os.rmdir(probe)
    except OSError as exc:
        why = {errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
               errno.EPERM: "not permitted (an immutable folder?)", errno.ENOSPC: "no space left on the device",
               errno.EDQUOT: "disk quota exceeded"}.get(exc.errno or 0, exc.strerror or str(exc))
        where = "" if anc == target else f" (it would be made in {anc})"
        raise ResourceError(f"--out {p}: cannot write there{where}: {why}; choose another folder") from exc
    return p


__all__.append("check_writable")
