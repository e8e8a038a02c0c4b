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
    See :mod:`mkba_mc.io.chunk_codec`: the shuffle and deflate filters of
    every sample variable, done there (zlib, or the compiled kernel of
    :mod:`mkba_mc.io.deflate_kernel` for compiled runs), written here with
    HDF5's direct chunk write.

Determinism
    A chunk's bytes depend only on its values, and chunks are written in
    sample order, so the same seed gives the same arrays whatever the chunk
    size, workers or scheduler (the file's attributes hold the creation
    time, so whole files differ between runs; compare decoded arrays).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from .chunk_codec import ChunkEncoder, deflate_chunk, load_compiled, shuffled
from .direct_io import DirectFile
from .netcdf import NETCDF_COMPLEVEL, _seed_attr
from . import reserve as _reserve

#: Bytes of encoded chunks after which the writer pushes the file to disk
#: (:meth:`SamplesFile._sync`).
SYNC_BYTES: Final[int] = 64 << 20

#: Samples per HDF5 chunk of every sample variable (128 KiB of doubles for a
#: scalar output; ``n`` when smaller); fixed, so the file does not depend on
#: ``--chunk-size``, the workers or the scheduler.
CHUNK_ROWS: Final[int] = 1 << 14
def _datasync(fd: int) -> None:
    """``fdatasync(fd)``; a file system without it is left to the final fsync."""
    with contextlib.suppress(OSError):
        os.fdatasync(fd)


def _text() -> Any:
    """The variable-length UTF-8 string type of the text coordinates (as xarray writes them)."""
    import h5py

    return h5py.string_dtype("utf-8")


def _attr(value: Any) -> Any:
    """An attribute as :func:`mkba_mc.io.results.to_dataset` stores it (nested values as JSON)."""
    return value if isinstance(value, (str, int, float)) else json.dumps(value)


def stored_chunks(path: str | Path) -> dict[str, list[bytes]]:
    """The stored (encoded) bytes of every chunk of every sample variable of
    a ``samples.nc``, in chunk order: what :class:`SamplesFile` wrote, for
    comparing the files of two runs byte for byte (their attributes differ)."""
    import h5py

    out: dict[str, list[bytes]] = {}
    with h5py.File(path) as f:
        for name, ds in f.items():
            if isinstance(ds, h5py.Dataset) and ds.chunks and ds.shape and ds.shape[0] > 1000:
                out[name] = [ds.id.read_direct_chunk(ds.id.get_chunk_info(i).chunk_offset)[1]
                             for i in range(ds.id.get_num_chunks())]
    return out


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
    threads : int
        Threads encoding chunks (at most the machine's cores); chunks are
        written in sample order whatever their number.
    compiled : bool, optional
        Shuffle and deflate the chunks with the compiled kernels
        (:mod:`mkba_mc.io.shuffle_kernel`, the same bytes;
        :mod:`mkba_mc.io.deflate_kernel`, the same values); by default for
        runs whose sampling is compiled (they have numba loaded already:
        :func:`mkba_mc.uncertainty.fused.compiled_for`).
    direct : bool, optional
        Write the runs of chunks with ``O_DIRECT`` where the file system
        takes it (:class:`mkba_mc.io.direct_io.DirectFile`; the same bytes).

    Notes
    -----
    Disk space for the uncompressed data is reserved first
    (:func:`mkba_mc.io.reserve.reserve`: a full disk is an :class:`OSError`
    here, before anything is computed or written, not an HDF5 crash) and
    HDF5 writes through a Python file object into it
    (:class:`mkba_mc.io.direct_io.DirectFile`: the chunks go to the disk
    with ``O_DIRECT`` where the file system takes it, past the page cache;
    ``direct=False`` writes every byte buffered).  Nothing is created
    in HDF5 until the first :meth:`write_rows`, so a process forked after
    construction inherits no open HDF5 file.
    """

    def __init__(self, path: str | Path, n: int, outputs: Mapping[str, tuple[int, ...]], actors: Sequence[str],
                 parameters: Sequence[str] | None = None, threads: int = 2, compiled: bool | None = None,
                 direct: bool = True):
        from ..uncertainty.fused import compiled_for

        self.path = Path(path)
        self.n = int(n)
        self.compiled = compiled_for(self.n) if compiled is None else bool(compiled)
        if self.compiled:  # the kernels loaded here, in the thread that starts the run, not in the writer's
            load_compiled()
        self.outputs = dict(outputs)
        self.actors = list(actors)
        self.parameters = list(parameters) if parameters is not None else None
        self.written = 0  # rows [0, written) are in the file
        self.rows = max(1, min(CHUNK_ROWS, self.n))  # samples per chunk (a chunk may not exceed the data)
        widths = [int(np.prod(s, dtype=np.int64)) for s in self.outputs.values()]
        raw = 8 * self.n * (1 + sum(widths) + len(self.parameters or ()))
        self._bound = int(raw * 1.01) + (64 << 10) * (len(widths) + 2) + (1 << 20)
        self._fh: DirectFile | None = DirectFile(self.path, direct=direct)  # closed by finish/abort
        try:
            self._reserved = _reserve.reserve(self._fh.fileno(), self._bound, self.path)
        except BaseException:
            self._fh.close()
            self._fh = None
            raise
        self._nc: Any = None
        self._vars: dict[str, Any] = {}
        self._ids: dict[str, Any] = {}  # the HDF5 dataset of every sample variable
        self._ndim: dict[str, int] = {}
        self.threads = max(1, min(threads, os.cpu_count() or 1))
        self._pool: Any = None
        self._encoders: list[Any] = []  # a ChunkEncoder for every chunk of a group (_encode)
        self._unsynced = 0  # encoded bytes written since the last fdatasync
        self._syncer: Any = None  # the thread that runs the fdatasyncs
        self._syncing: Any = None  # the future of the last one

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
        for name, var in self._vars.items():
            self._ids[name] = var._h5ds.id  # looked up once: h5netcdf resolves ``_h5ds`` through the group
            self._ndim[name] = len(var.dimensions)

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
        starts = list(range(self.written, last, self.rows))
        if not starts:
            return
        if self._pool is None and self.threads > 1 and len(starts) > 1:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="mkba-deflate")
        batch = self.threads  # chunks in memory at a time
        for b in range(0, len(starts), batch):
            group = starts[b:b + batch]
            # chunk j of the group is encoded into the buffers of encoder j
            if self._pool is None:
                encoded = [self._encode(outputs, inputs, s, j) for j, s in enumerate(group)]
            else:
                encoded = list(self._pool.map(lambda js: self._encode(outputs, inputs, js[1], js[0]),
                                              enumerate(group)))
            for s, blobs in zip(group, encoded):  # written in sample order: the same file whatever the threads
                for name, blob in blobs:
                    self._ids[name].write_direct_chunk((s, *([0] * (self._ndim[name] - 1))), blob)
                    self._unsynced += blob.size
                self.written = min(s + self.rows, self.n)
            if self._unsynced >= SYNC_BYTES:
                self._sync()

    def _sync(self) -> None:
        """Start pushing what is written to disk, while the run still
        computes, so the fsync before the folder is renamed into place
        (:func:`mkba_mc.io.fsync.fsync_tree`) finds little left to do: at
        10^7 samples it otherwise waits for about 1.2 GB to reach the disk
        after the run (3.3 s at the 364 MB/s of the benchmark machine's disk).

        The ``fdatasync`` runs in a thread of its own, so the writer goes on
        encoding and writing while the disk works: waited for in the
        writer's thread, the syncs blocked it for 1.8 s of a 10 s run at
        10^7 (measured 2026-12-02), and the encoder fell behind the run.
        While one is still running, the next request is left to the one
        after it (it then pushes both).  The data and their order do not change.

        Written direct (:mod:`mkba_mc.io.direct_io`) the chunks are not in
        the page cache at all: nothing is synced during the run, and the
        final fsync writes the few buffered bytes (HDF5's metadata, the ends
        of the runs of chunks) and makes everything durable.
        """
        if self._fh is None or self._fh.direct:  # direct writes are on their way to the disk already
            return
        self._fh.flush()  # Python's buffer to the kernel, here: the file object is not shared with the syncer
        self._unsynced = 0
        if self._syncing is not None and not self._syncing.done():
            return
        if self._syncer is None:
            from concurrent.futures import ThreadPoolExecutor

            self._syncer = ThreadPoolExecutor(1, thread_name_prefix="mkba-fdatasync")
        self._syncing = self._syncer.submit(_datasync, self._fh.fileno())

    def _stop_syncer(self) -> None:
        """Wait for the running fdatasync (before the file is closed: its descriptor must stay valid)."""
        syncer, self._syncer, self._syncing = self._syncer, None, None
        if syncer is not None:
            syncer.shutdown(wait=True)

    def _encode(self, outputs: Mapping[str, NDArray[np.float64]], inputs: Mapping[str, NDArray[np.float64]] | None,
                s: int, slot: int = 0) -> list[tuple[str, NDArray[np.uint8]]]:
        """The encoded chunk starting at row ``s`` of every variable (zlib and numpy
        release the GIL), in the buffers of encoder ``slot``: valid until that
        encoder's next chunk, so written before it (:meth:`write_rows`)."""
        while len(self._encoders) <= slot:
            self._encoders.append(ChunkEncoder(compiled=self.compiled))
        enc = self._encoders[slot].encode
        e = min(s + self.rows, self.n)
        out = [(name, enc(self._padded(outputs[name][s:e]), name)) for name in self.outputs]
        if self.parameters is not None and inputs is not None:
            out.append(("inputs", enc(self._padded(np.column_stack([inputs[p][s:e] for p in self.parameters])),
                                      "inputs")))
        out.append(("sample", enc(self._padded(np.arange(s, e, dtype=np.int64)), "sample")))
        return out

    def _padded(self, rows: NDArray[Any]) -> NDArray[Any]:
        """A whole chunk: the last one padded with the fill value, as HDF5 would."""
        if len(rows) == self.rows:
            return rows
        full = np.full((self.rows, *rows.shape[1:]), np.nan if rows.dtype.kind == "f" else 0, dtype=rows.dtype)
        full[:len(rows)] = rows
        return full

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
        self._stop_pool()
        self._stop_syncer()
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
        if self._fh is not None:
            # the last gathered chunks written here, not inside HDF5's close: an error of that write is an
            # OSError here (and abort() cleans up); raised inside HDF5's close it crashes the interpreter
            self._fh.flush()
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

    def _stop_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        self._encoders = []  # their buffers: a few MB each, not needed once every chunk is written

    def abort(self) -> None:
        """Close without finishing (the caller deletes the file); never raises."""
        self._stop_pool()
        self._stop_syncer()
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


__all__ = ["CHUNK_ROWS", "SamplesFile", "deflate_chunk", "shuffled", "stored_chunks"]
