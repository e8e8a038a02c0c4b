"""``samples.nc`` written chunk by chunk: compressed netCDF4 without a copy in memory.

The file holds what :func:`mkba_mc.io.results.to_dataset` holds -- the kept
outputs per sample (dims ``sample``, ``actor``), optionally the sampled
``inputs`` (dims ``sample``, ``parameter``), the coordinates, the programme
band and the provenance in the attributes -- and opens the same way
(``xarray.open_dataset(path)``), but it is written one HDF5 chunk of
:data:`CHUNK_ROWS` samples at a time, straight from the run's arrays: during
the run (a writer thread, :mod:`mkba_mc.io.stream`) or after it
(:func:`mkba_mc.io.results.write_run` without streaming).

Compression
    Every sample variable has the netCDF4 filters ``shuffle`` and ``zlib``
    (HDF5 filters 2 and 1), so any netCDF4 reader decodes it.  The chunks
    are encoded here (:func:`deflate_chunk`) and written with HDF5's direct
    chunk write: after the byte shuffle the sign/exponent bytes of the
    doubles compress well and the six low mantissa bytes not at all (they
    are near-random), so those are put in *stored* deflate blocks (RFC 1951
    §3.2.4) instead of being run through the compressor.  The stream is one
    valid zlib stream (RFC 1950); the file is as small as with gzip level 1
    of every byte (about 87 % of the raw size) at about four times the speed.

Determinism
    A chunk's bytes depend only on its values, and chunks are written in
    sample order, so the same seed gives the same arrays whatever the chunk
    size, workers or scheduler (the file's attributes hold the creation
    time, so whole files differ between runs; compare decoded arrays).
"""

from __future__ import annotations

import contextlib
import json
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Final

import numpy as np
from numpy.typing import NDArray

from .netcdf import NETCDF_COMPLEVEL, _seed_attr
from . import reserve as _reserve

#: Samples per HDF5 chunk of every sample variable (128 KiB of doubles for a
#: scalar output; ``n`` when smaller); fixed, so the file does not depend on
#: ``--chunk-size``, the workers or the scheduler.
CHUNK_ROWS: Final[int] = 1 << 14
#: Bytes of each shuffled byte plane tried with the compressor to decide
#: whether the plane is deflated or stored.
_PROBE: Final[int] = 4096
#: A plane is deflated when the probe shrinks below this fraction.
_WORTH: Final[float] = 0.9
_ZLIB_HEADER: Final[bytes] = b"\x78\x01"  # deflate, 32 KiB window, FCHECK for "fastest" (RFC 1950 §2.2)


def shuffled(a: NDArray[Any]) -> NDArray[np.uint8]:
    """The bytes of ``a`` as HDF5's shuffle filter orders them: byte ``k`` of
    every element, for ``k = 0 .. itemsize - 1`` (an ``(itemsize, size)`` array)."""
    a = np.ascontiguousarray(a)
    return np.ascontiguousarray(a.reshape(-1).view(np.uint8).reshape(-1, a.itemsize).T)


def deflate_chunk(a: NDArray[Any], level: int = NETCDF_COMPLEVEL) -> bytes:
    """One chunk through the filters ``shuffle`` then ``zlib`` (HDF5 filters 2, 1).

    Parameters
    ----------
    a : numpy.ndarray
        The chunk's values in C order (the whole chunk, padded if needed).
    level : int
        zlib level of the planes that compress.

    Returns
    -------
    bytes
        A zlib stream (RFC 1950) whose inflated content is the shuffled
        bytes of ``a``: the byte planes whose first :data:`_PROBE` bytes
        deflate below :data:`_WORTH` of their size are deflated at
        ``level``, the others stored (RFC 1951 §3.2.4); each run of planes
        is a raw deflate segment ended by a full flush (byte-aligned, no
        back references across it), the last one final, then the Adler-32
        of the whole content.
    """
    planes = shuffled(a)
    width, m = planes.shape
    probe = min(m, _PROBE)
    deflate = [len(zlib.compress(planes[k, :probe].tobytes(), level)) < _WORTH * probe for k in range(width)]
    flat = planes.reshape(-1)
    parts = [_ZLIB_HEADER]
    k = 0
    while k < width:
        end = k
        while end < width and deflate[end] == deflate[k]:
            end += 1
        co = zlib.compressobj(level if deflate[k] else 0, zlib.DEFLATED, -15)
        parts.append(co.compress(flat[k * m:end * m]))
        parts.append(co.flush(zlib.Z_FINISH if end == width else zlib.Z_FULL_FLUSH))
        k = end
    parts.append(zlib.adler32(flat).to_bytes(4, "big"))
    return b"".join(parts)


def _text() -> Any:
    """The variable-length UTF-8 string type of the text coordinates (as xarray writes them)."""
    import h5py

    return h5py.string_dtype("utf-8")


def _attr(value: Any) -> Any:
    """An attribute as :func:`mkba_mc.io.results.to_dataset` stores it (nested values as JSON)."""
    return value if isinstance(value, (str, int, float)) else json.dumps(value)


class SamplesFile:
    """A ``samples.nc`` being written chunk by chunk (see the module notes).

    Parameters
    ----------
    path : str or Path
        The file (inside a staging folder: :mod:`mkba_mc.io.stream`).
    n : int
        Samples.
    outputs : mapping of str to tuple
        Kept outputs in order, each with its trailing shape (``()`` or ``(actors,)``).
    actors : sequence of str
        The ``actor`` coordinate.
    parameters : sequence of str, optional
        The sampled inputs (the ``parameter`` coordinate of ``inputs``), if kept.

    Notes
    -----
    Disk space for the uncompressed data is reserved first
    (:func:`mkba_mc.io.reserve.reserve`: a full disk is an :class:`OSError`
    here, before anything is computed or written, not an HDF5 crash) and
    HDF5 writes through a Python file object into it.  Nothing is created
    in HDF5 until the first :meth:`write_rows`, so a process forked after
    construction inherits no open HDF5 file.
    """

    def __init__(self, path: str | Path, n: int, outputs: Mapping[str, tuple[int, ...]], actors: Sequence[str],
                 parameters: Sequence[str] | None = None):
        self.path = Path(path)
        self.n = int(n)
        self.outputs = dict(outputs)
        self.actors = list(actors)
        self.parameters = list(parameters) if parameters is not None else None
        self.written = 0  # rows [0, written) are in the file
        self.rows = max(1, min(CHUNK_ROWS, self.n))  # samples per chunk (a chunk may not exceed the data)
        widths = [int(np.prod(s, dtype=np.int64)) for s in self.outputs.values()]
        raw = 8 * self.n * (1 + sum(widths) + len(self.parameters or ()))
        self._bound = int(raw * 1.01) + (64 << 10) * (len(widths) + 2) + (1 << 20)
        self._fh: BinaryIO | None = open(self.path, "w+b")  # noqa: SIM115 - closed by finish/abort
        try:
            self._reserved = _reserve.reserve(self._fh.fileno(), self._bound, self.path)
        except BaseException:
            self._fh.close()
            self._fh = None
            raise
        self._nc: Any = None
        self._vars: dict[str, Any] = {}

    # ---------------------------------------------------------------- layout
    def _open(self) -> None:
        import h5netcdf

        nc = self._nc = h5netcdf.File(self._fh, "w", invalid_netcdf=False)  # set first: abort() closes it
        dims = {"sample": self.n, "actor": len(self.actors)}
        if self.parameters is not None:
            dims["parameter"] = len(self.parameters)
        nc.dimensions = dims
        comp = {"compression": "gzip", "compression_opts": NETCDF_COMPLEVEL, "shuffle": True}
        for name, shape in self.outputs.items():
            self._vars[name] = nc.create_variable(name, ("sample", *(("actor",) if shape else ())), np.float64,
                                                  fillvalue=np.nan, chunks=(self.rows, *shape), **comp)
        if self.parameters is not None:
            self._vars["inputs"] = nc.create_variable("inputs", ("sample", "parameter"), np.float64,
                                                      fillvalue=np.nan,
                                                      chunks=(self.rows, len(self.parameters)), **comp)
        self._vars["sample"] = nc.create_variable("sample", ("sample",), np.int64, chunks=(self.rows,), **comp)
        nc.create_variable("actor", ("actor",), data=np.array(self.actors, dtype=object), dtype=_text())
        if self.parameters is not None:
            nc.create_variable("parameter", ("parameter",), data=np.array(self.parameters, dtype=object), dtype=_text())

    # ------------------------------------------------------------------ rows
    def write_rows(self, outputs: Mapping[str, NDArray[np.float64]], inputs: Mapping[str, NDArray[np.float64]] | None,
                   stop: int) -> None:
        """Write every chunk whose rows are all below ``stop`` (all chunks when
        ``stop == n``), in sample order, from the run's arrays.

        Parameters
        ----------
        outputs : mapping
            The kept outputs, ``(>= stop,)`` or ``(>= stop, actors)``; rows
            ``[written, stop)`` must be final.
        inputs : mapping, optional
            The sampled inputs by parameter, ``(>= stop,)`` each, when kept.
        stop : int
            Rows ``[0, stop)`` are final.
        """
        if self._nc is None:
            self._open()
        last = self.n if stop >= self.n else (stop // self.rows) * self.rows
        while self.written < last:
            s = self.written
            e = min(s + self.rows, self.n)
            for name in self.outputs:
                self._put(name, outputs[name][s:e])
            if self.parameters is not None and inputs is not None:
                self._put("inputs", np.column_stack([inputs[p][s:e] for p in self.parameters]))
            self._put("sample", np.arange(s, e, dtype=np.int64))
            self.written = e

    def _put(self, name: str, rows: NDArray[Any]) -> None:
        """Write one chunk (the last one padded to whole chunk rows with the fill value, as HDF5 would)."""
        s = self.written
        if len(rows) < self.rows:
            fill = np.nan if rows.dtype.kind == "f" else 0
            full = np.full((self.rows, *rows.shape[1:]), fill, dtype=rows.dtype)
            full[:len(rows)] = rows
            rows = full
        self._vars[name]._h5ds.id.write_direct_chunk((s, *([0] * (rows.ndim - 1))), deflate_chunk(rows))

    # ---------------------------------------------------------------- ending
    def finish(self, attrs: Mapping[str, Any], band: Mapping[str, Any] | None = None) -> None:
        """Write the attributes (and the programme band), close the file and
        give back the reserved space it did not use.

        Parameters
        ----------
        attrs : mapping
            The provenance (:func:`mkba_mc.io.provenance.provenance` and a
            title); nested values are stored as JSON, ``seed`` as ``uint64``,
            ``None`` left out, as :func:`mkba_mc.io.results.to_dataset` does.
        band : mapping, optional
            ``{"values": (views, quantiles, years), "view": [...], "quantile":
            [...], "long_name": str}`` for the variable ``programme_band``.

        Raises
        ------
        ValueError
            If rows are missing (not every chunk was written).
        """
        if self.written < self.n:
            raise ValueError(f"{self.path}: {self.n - self.written} of {self.n} samples were not written")
        if self._nc is None:
            self._open()
        nc = self._nc
        if band is not None:
            values = np.asarray(band["values"], dtype=np.float64)
            nc.dimensions.update({"view": values.shape[0], "quantile": values.shape[1], "year": values.shape[2]})
            comp = {"compression": "gzip", "compression_opts": NETCDF_COMPLEVEL, "shuffle": True}
            nc.create_variable("view", ("view",), data=np.array(band["view"], dtype=object), dtype=_text())
            nc.create_variable("quantile", ("quantile",), data=np.asarray(band["quantile"], dtype=np.float64),
                               fillvalue=np.nan, **comp)
            nc.create_variable("year", ("year",), data=np.arange(1, values.shape[2] + 1, dtype=np.int64), **comp)
            var = nc.create_variable("programme_band", ("view", "quantile", "year"), data=values, fillvalue=np.nan,
                                     **comp)
            var.attrs["long_name"] = band["long_name"]
        for key, value in attrs.items():
            if value is None:
                continue
            nc.attrs[key] = _seed_attr(value) if key == "seed" else _attr(value)
        nc.close()
        self._nc = None
        fh, self._fh = self._fh, None
        if fh is None:
            raise ValueError(f"{self.path}: already closed")
        try:
            fh.flush()
            if self._reserved:
                _reserve.release_unused(fh.fileno(), self._bound)
        finally:
            fh.close()

    def abort(self) -> None:
        """Close without finishing (the caller deletes the file); never raises."""
        nc, self._nc = self._nc, None
        fh, self._fh = self._fh, None
        if nc is not None:
            try:
                nc.close()
            except Exception:  # noqa: BLE001 - a half-written file that is deleted next
                with contextlib.suppress(Exception):
                    nc._h5file.close()  # the HDF5 file itself, so that no finalizer flushes it later
        if fh is not None:
            with contextlib.suppress(Exception):
                fh.close()


__all__ = ["CHUNK_ROWS", "SamplesFile", "deflate_chunk", "shuffled"]
