"""The encoding of one chunk of ``samples.nc``: HDF5's shuffle and deflate filters, done here.

Compression
    Every sample variable has the netCDF4 filters ``shuffle`` and ``zlib``
    (HDF5 filters 2 and 1), so any netCDF4 reader decodes it.  The chunks
    are encoded here (:func:`deflate_chunk`) and written with HDF5's direct
    chunk write: after the byte shuffle the sign/exponent bytes of the
    doubles compress well and the six low mantissa bytes not at all (they
    are near-random), so those are put in *stored* deflate blocks (RFC 1951
    §3.2.4) instead of being run through the compressor, and the others are
    deflated: by zlib (run-length strategy, level 1), or in runs whose
    sampling is compiled (from 2^18 samples) by the compiled kernel of
    :mod:`mkba_mc.io.deflate_kernel`, which decides on each plane's exact
    encoded size instead of a probe and takes about 30 % less time.  The stream is one
    valid zlib stream (RFC 1950) that zlib's inflate -- HDF5's deflate
    filter -- decodes; the file is as small as with gzip level 1 of every
    byte (about 85-89 % of the raw size; integer-valued outputs such as the
    payback year far less) at several times the speed.

Determinism
    A deflate stream is not unique: a compressor may encode the same bytes
    in several valid ways.  zlib's deflate gives the same stream for the same
    bytes, level, strategy and zlib version, so a chunk's bytes depend only
    on its values (on one machine; another zlib version may choose other
    matches, the values never change); the compiled kernel's bytes depend
    on the values alone.  The two encoders give different bytes for the
    same values; a run uses one of them, by its number of samples.  ISA-L's deflate (the ``isal``
    package, about twice as fast on these planes) did not: with ``isal``
    1.9.1 one plane of ``payback_year_gemeente`` came out as two different
    valid streams in about 1 of 200 identical runs (4,945 or 4,946 bytes,
    found 2026-12-07 by ``tests/montecarlo/test_stream.py`` under load;
    never when the same plane was compressed on its own, 50,000 times).
    Only ISA-L's Adler-32 is kept: a checksum has one right value, which
    every reader checks.

:class:`mkba_mc.io.samples_file.SamplesFile` writes the encoded chunks with
HDF5's direct chunk write; ``tests/montecarlo/test_stream.py`` decodes them
with zlib and through HDF5's own filters.
"""

from __future__ import annotations

import zlib
from typing import Any, Final

import numpy as np
from isal import isal_zlib
from numpy.typing import NDArray

from .netcdf import NETCDF_COMPLEVEL

#: Bytes of a shuffled byte plane tried with the compressor to decide
#: whether the plane is deflated or stored.
_PROBE: Final[int] = 1024
#: A plane is deflated when the probe shrinks below this fraction.  The sign
#: and exponent plane of an output shrinks to 0.1-0.25 of its size, the plane
#: below it only to about 0.85 for as much CPU (zlib deflated byte planes at
#: 60-90 MB/s on the benchmark machine, CPU taken from the run's workers): at
#: 0.6 instead of 0.9, ``run -n 10^7 --out`` takes about 1 s (6 %) less and
#: samples.nc is 89 % instead of 83 % of the raw data (measured 2026-12-02).
_WORTH: Final[float] = 0.6
_ZLIB_HEADER: Final[bytes] = b"\x78\x01"  # deflate, 32 KiB window, FCHECK for "fastest" (RFC 1950 §2.2)
_BLOCK: Final[int] = 0xFFFF  # the largest stored block (LEN is 16 bits)


def capacity(nbytes: int) -> int:
    """Bytes the encoding of a chunk of ``nbytes`` may take at most.

    A stored plane costs 5 bytes per :data:`_BLOCK`.  A deflated plane is
    chosen on its first :data:`_PROBE` bytes, and the rest of it may not
    compress: zlib then writes stored blocks of at most 16 KiB (its literal
    buffer at memory level 8), 5 bytes each, and zlib's own bound for a raw
    deflate stream is ``m + m/4096 + m/16384 + 7`` (``deflateBound``, zlib
    1.2.13), plus 5 bytes of the full flush.  ``nbytes / 1024`` and 1 KiB
    cover both for the (at most 8) planes, with the header, the final block
    and the Adler-32.
    """
    return nbytes + (nbytes >> 10) + 1024


def shuffled(a: NDArray[Any], compiled: bool = False, out: NDArray[np.uint8] | None = None) -> NDArray[np.uint8]:
    """The bytes of ``a`` as HDF5's shuffle filter orders them: byte ``k`` of
    every element (C order), for ``k = 0 .. itemsize - 1`` (an ``(itemsize,
    size)`` array).  One strided copy, also from a non-contiguous ``a``
    (the column-major output store); with ``compiled``, 8-byte values go
    through :func:`mkba_mc.io.shuffle_kernel.shuffle8` instead (the same
    bytes, about twice as fast; numba must be installed).  With ``out`` (at
    least ``a.nbytes`` bytes, contiguous) the planes are written there and
    the result is a view of it."""
    a = np.asarray(a)
    if a.ndim == 0 or a.strides[-1] != a.itemsize or (compiled and not a.flags.c_contiguous):
        a = np.ascontiguousarray(a)
    dest = (np.empty((a.itemsize, a.size), dtype=np.uint8) if out is None
            else out[:a.nbytes].reshape(a.itemsize, a.size))
    if compiled and a.itemsize == 8 and a.dtype.kind in "fiu":
        from .shuffle_kernel import shuffle8

        shuffle8(a.reshape(-1).view(np.uint64), dest)
        return dest
    planes = np.moveaxis(a[..., None].view(np.uint8), -1, 0)  # (itemsize, *a.shape)
    np.copyto(dest.reshape(planes.shape), planes)
    return dest


def _stored(data: NDArray[np.uint8], out: NDArray[np.uint8], pos: int) -> int:
    """``data`` as non-final stored deflate blocks (RFC 1951 §3.2.4: a byte
    ``BFINAL=0, BTYPE=00``, then ``LEN`` and ``NLEN`` little-endian, then the
    bytes; at most 65,535 bytes a block), written into ``out`` from ``pos``;
    returns the position after them.  Byte-aligned, as they start after a
    full flush."""
    for s in range(0, data.size, _BLOCK):
        size = min(_BLOCK, data.size - s)
        out[pos:pos + 5] = (0, size & 0xFF, size >> 8, ~size & 0xFF, (~size >> 8) & 0xFF)
        out[pos + 5:pos + 5 + size] = data[s:s + size]
        pos += 5 + size
    return pos


def _deflated(data: memoryview, level: int, flush: int) -> Any:
    """``data`` as raw deflate (no header) by zlib at ``level`` with the
    run-length strategy, ended by ``flush``; returns the bytes, or with
    ``Z_FINISH`` only their number.

    On the planes that are deflated (mostly the sign/exponent bytes) the
    run-length strategy is as small as the default one and faster: for
    2^20 samples of the default outputs the whole encoding takes 191 ms
    against 213 ms, and ISA-L's level 1 108 ms (measured 2026-12-07; ISA-L
    is not used, see the module notes)."""
    co = zlib.compressobj(level, zlib.DEFLATED, -15, 8, zlib.Z_RLE)
    out = co.compress(data) + co.flush(flush)
    return len(out) if flush == zlib.Z_FINISH else out


class ChunkEncoder:
    """Encodes chunks (:func:`deflate_chunk`) into buffers of its own, reused from chunk to chunk.

    A chunk of ``run --out`` at 10^7 samples went through three new arrays
    of its size (the shuffled planes, the parts, their join): 4 GB of fresh
    memory, each page faulted in and zeroed by the kernel, in the process
    whose workers compute the run.  (A chunk that is not C-contiguous, such
    as the rows of the column-major actor store, is still copied to C order
    first by :func:`shuffled`.)  Here the planes and the stream are
    written into buffers kept by the encoder, one stream buffer for every
    ``key`` (the variable), so the encoded chunks of several variables can
    wait together to be written.  The bytes are those of :func:`deflate_chunk`.

    The array :meth:`encode` returns is a view of the buffer of ``key``:
    valid until the next :meth:`encode` of that ``key``.  An encoder serves
    one thread at a time.
    """

    def __init__(self, level: int = NETCDF_COMPLEVEL, compiled: bool = False) -> None:
        self.level = level
        self.compiled = compiled
        self._planes = np.empty(0, dtype=np.uint8)
        self._plans = np.zeros((0, 0), dtype=np.int64)  # the compiled deflate's plan of every plane
        self._out: dict[Any, NDArray[np.uint8]] = {}

    def encode(self, a: NDArray[Any], key: Any = None) -> NDArray[np.uint8]:
        """The zlib stream of chunk ``a`` (see :func:`deflate_chunk`), a view of this encoder's buffer."""
        nbytes = np.asarray(a).nbytes
        if self._planes.size < nbytes:
            self._planes = np.empty(nbytes, dtype=np.uint8)
        planes = shuffled(a, self.compiled, out=self._planes)
        width, m = planes.shape
        out = self._out.get(key)
        if out is None or out.size < capacity(nbytes):
            out = self._out[key] = np.empty(capacity(nbytes), dtype=np.uint8)
        flat = planes.reshape(-1)
        view = memoryview(flat)
        out[:2] = np.frombuffer(_ZLIB_HEADER, dtype=np.uint8)
        if self.compiled:  # planes decided on their exact size and deflated by the compiled kernel
            from .deflate_kernel import PLAN, plan_top, write_top

            if self._plans.shape[0] < width:
                self._plans = np.zeros((width, PLAN), dtype=np.int64)
            cut = plan_top(planes, _WORTH, self._plans)
            pos = write_top(planes, cut, self._plans, out, _stored(flat[:cut * m], out, 2))
        else:
            probe = min(m, _PROBE)
            cut = width  # planes [cut, width) are deflated, [0, cut) stored
            while cut > 0 and _deflated(view[(cut - 1) * m:(cut - 1) * m + probe], self.level,
                                        zlib.Z_FINISH) < _WORTH * probe:
                cut -= 1
            pos = _stored(flat[:cut * m], out, 2)
            for k in range(cut, width):
                seg = np.frombuffer(_deflated(view[k * m:(k + 1) * m], self.level, zlib.Z_FULL_FLUSH),
                                    dtype=np.uint8)
                out[pos:pos + seg.size] = seg
                pos += seg.size
        out[pos:pos + 5] = (1, 0, 0, 0xFF, 0xFF)  # the final block: stored, empty
        adler = isal_zlib.adler32(view)  # ISA-L's Adler-32: zlib's value, about 6x as fast
        out[pos + 5:pos + 9] = ((adler >> 24) & 0xFF, (adler >> 16) & 0xFF, (adler >> 8) & 0xFF, adler & 0xFF)
        return out[:pos + 9]


def load_compiled() -> None:
    """Load (or, the first time after installing, compile) the compiled
    shuffle and deflate, by encoding a tiny chunk with them.

    :class:`mkba_mc.io.samples_file.SamplesFile` calls it in the thread
    that starts the run, so that the writer thread never compiles: there
    the first compile after installing took about 10 s, and Ctrl-C waited
    for it (``tests/faults/test_faults.py``, 2026-12-07)."""
    ChunkEncoder(compiled=True).encode(np.zeros(4))


def deflate_chunk(a: NDArray[Any], level: int = NETCDF_COMPLEVEL, compiled: bool = False) -> bytes:
    """One chunk through the filters ``shuffle`` then ``zlib`` (HDF5 filters 2, 1).

    Parameters
    ----------
    a : numpy.ndarray
        The chunk's values in C order (the whole chunk, padded if needed).
    level : int
        zlib level (1-9) of the planes that compress; :data:`NETCDF_COMPLEVEL`
        (1) by default, the zlib level the file declares.
    compiled : bool
        Shuffle with the compiled kernel (:func:`shuffled`, the same
        bytes) and deflate with :mod:`mkba_mc.io.deflate_kernel` (other
        bytes, the same content; ``level`` does not apply, and a plane is
        deflated when its exact encoded size is below :data:`_WORTH` of
        it).

    Returns
    -------
    bytes
        A zlib stream (RFC 1950) whose inflated content is the shuffled
        bytes of ``a``.  The byte planes are taken from the most significant
        (the last, little-endian) down: each is deflated at ``level`` while
        its first :data:`_PROBE` bytes deflate below :data:`_WORTH` of their
        size; from the first plane that does not, that plane and all below
        it (the mantissa's random low bytes) are stored (RFC 1951 §3.2.4).
        Each deflated plane is a raw deflate segment ended by a full flush
        (byte-aligned, no back reference across it); a final empty stored
        block ends the stream, then the Adler-32 of the whole content.
        (:class:`ChunkEncoder` writes the same bytes into reused buffers.)
    """
    return ChunkEncoder(level, compiled).encode(a).tobytes()


__all__ = ["ChunkEncoder", "capacity", "deflate_chunk", "load_compiled", "shuffled"]
