"""netCDF4 files: writing with compression and a 64-bit seed, and opening.

netCDF files
    Every ``.nc`` file is netCDF4 (HDF5), written by :func:`write_netcdf` through
    h5netcdf with gzip-compressed numeric variables -- except a run's
    ``samples.nc``, which :mod:`mkba_mc.io.samples_file` writes chunk by chunk
    with the same filters; ``xarray.open_dataset(path)`` reads both without
    naming an engine.  A ``seed`` attribute is stored as an
    unsigned 64-bit integer (netCDF ``NC_UINT64``) whatever its value, so every
    seed in ``[0, 2^64)`` round-trips exactly and has the same value as the
    ``seed`` integer of the ``manifest.json`` beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

NETCDF_ENGINE = "h5netcdf"
#: gzip level of numeric variables: level 1 gets most of the size reduction
#: at a fraction of the time of higher levels.
NETCDF_COMPLEVEL = 1
_SEED_ATTR = "seed"


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
        HDF5 writes it through a Python file object into disk space reserved
        beforehand (:func:`mkba_mc.io.reserve.reserve`), so the file's image
        is never held in memory and a full disk raises :class:`OSError`
        before anything is written.  Where space cannot be reserved (not
        Linux, or a file system without ``fallocate``) the file is built in
        memory and written with ordinary file I/O, as before; both give the
        same bytes.

    Raises
    ------
    ValueError
        If the ``seed`` attribute is not an integer in ``[0, 2^64)``.
    OSError
        If the disk is full (``ENOSPC``) or the file cannot be written.
    """
    from .reserve import release_unused, reserve

    out, encoding = _prepared(ds)
    # HDF5 writing straight to a full disk reports ENOSPC only from h5py's
    # destructors ("Exception ignored in ... __dealloc__") and then crashes
    # the interpreter (SIGSEGV) instead of raising: the space is reserved
    # first, or the file built in memory and written with a plain write.
    bound = _size_bound(out)
    with open(path, "w+b") as fh:
        if reserve(fh.fileno(), bound, path):
            out.to_netcdf(fh, engine=NETCDF_ENGINE, invalid_netcdf=False, encoding=encoding)
            fh.flush()
            release_unused(fh.fileno(), bound)
            return
        fh.write(netcdf_bytes(ds))


def netcdf_bytes(ds: xr.Dataset) -> bytes:
    """The bytes of the file :func:`write_netcdf` writes for ``ds``, built in memory."""
    out, encoding = _prepared(ds)
    return out.to_netcdf(None, engine=NETCDF_ENGINE, invalid_netcdf=False, encoding=encoding)


def _prepared(ds: xr.Dataset) -> tuple[xr.Dataset, dict[str, dict[str, Any]]]:
    """``ds`` with the seed attribute as ``uint64``, and the compression of every numeric variable."""
    attrs = dict(ds.attrs)
    if _SEED_ATTR in attrs:
        attrs[_SEED_ATTR] = _seed_attr(attrs[_SEED_ATTR])
    out = ds.copy(deep=False)
    out.attrs = attrs
    encoding = {name: {"compression": "gzip", "compression_opts": NETCDF_COMPLEVEL, "shuffle": True}
                for name, var in out.variables.items()
                if var.ndim > 0 and var.size > 0 and np.issubdtype(var.dtype, np.number)}
    return out, encoding


def _size_bound(ds: xr.Dataset) -> int:
    """An upper bound of the file's size: the raw data (deflate adds at most
    0.1 % and a few bytes per chunk to incompressible data) with 1 % and
    64 KiB per variable to spare, plus 1 MiB for the attributes and the HDF5
    metadata."""
    raw = sum(int(v.nbytes) for v in ds.variables.values())
    return int(raw * 1.01) + (64 << 10) * len(ds.variables) + (1 << 20)


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
