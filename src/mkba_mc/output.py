"""Writing results safely: never half-written, never silently overwritten.

Every file is written to a temporary name in the target folder, flushed to
disk and then renamed over the final name (``os.replace`` is atomic on POSIX
file systems), so a crash leaves either the old file or the new one, never a
partial file.  A non-empty output folder is refused unless ``force`` is set.

Every ``.nc`` file is netCDF4 (HDF5), written by :func:`write_netcdf` through
h5netcdf with gzip-compressed numeric variables; ``xarray.open_dataset(path)``
reads it without naming an engine.  A ``seed`` attribute is stored as an
unsigned 64-bit integer (netCDF ``NC_UINT64``) whatever its value, so every
seed in ``[0, 2^64)`` round-trips exactly and has the same value as the
``seed`` integer of the ``manifest.json`` beside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import OutputError

if TYPE_CHECKING:
    import xarray as xr

TMP_PREFIX = ".mkba-tmp-"
NETCDF_ENGINE = "h5netcdf"
#: gzip level of numeric variables: level 1 gets most of the size reduction
#: at a fraction of the time of higher levels.
NETCDF_COMPLEVEL = 1
_SEED_ATTR = "seed"


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
    out.to_netcdf(path, engine=NETCDF_ENGINE, invalid_netcdf=False, encoding=encoding)


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


__all__ = ["NETCDF_COMPLEVEL", "NETCDF_ENGINE", "TMP_PREFIX", "atomic_path", "check_dir", "open_netcdf", "prepare_dir",
           "sha256", "write_atomic", "write_bundle", "write_json_atomic", "write_netcdf", "write_text_atomic"]
