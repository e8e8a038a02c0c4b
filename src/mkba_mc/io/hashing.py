"""SHA-256 of a file, for provenance (input hashes, manifest file lists)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256(path: str | Path) -> str:
    """The SHA-256 of the file's bytes as hex, read in blocks of 1 MiB (the file
    hash of the package: input hashes and manifest file lists; samples.nc is
    read past the page cache by :func:`mkba_mc.io.direct_io.sha256_file`,
    the same digest)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
