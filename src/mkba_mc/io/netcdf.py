"""netCDF4 files: writing with compression and a 64-bit seed, and opening.

netCDF files
    Every ``.nc`` file is netCDF4 (HDF5), written by :func:`write_netcdf` through
    h5netcdf with gzip-compressed numeric variables; ``xarray.open_dataset(path)``
    reads it without naming an engine.  A ``seed`` attribute is stored as an
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
