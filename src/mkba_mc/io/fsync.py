"""fsync of files and folders, so a renamed result survives a power cut."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """fsync a folder, so renames in it are durable (errors ignored: not every
    file system can fsync a folder)."""
    with contextlib.suppress(OSError):
        dfd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def fsync_file(path: Path) -> None:
    """fsync a file's content to disk."""
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def fsync_tree(root: Path) -> None:
    """fsync every file and folder below ``root`` (a staging folder before its rename)."""
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            fsync_file(Path(dirpath) / f)
        fsync_dir(Path(dirpath))
