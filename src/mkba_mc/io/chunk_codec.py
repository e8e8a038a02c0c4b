"""The encoding of one chunk of ``samples.nc``: HDF5's shuffle and deflate filters, done here.

Compression
    Every sample variable has the netCDF4 filters ``shuffle`` and ``zlib``
    (HDF5 filters 2 and 1), so any netCDF4 reader decodes it.  The chunks
    are encoded here (:func:`deflate_chunk`) and written with HDF5's direct
    chunk write: after the byte shuffle the sign/exponent bytes of the
    doubles compress well and the six low mantissa bytes not at all (they
    are near-random), so those are put in *stored* deflate blocks (RFC 1951
    §3.2.4) instead of being run through the compressor, and the others are
    deflated by ISA-L (Intel's storage acceleration library, through the
    ``isal`` package: the same deflate format as zlib at about twice its
    speed on these planes).  The stream is one valid zlib stream (RFC 1950)
    that zlib's inflate -- HDF5's deflate filter -- decodes; the file is as
    small as with gzip level 1 of every byte (about 85-89 % of the raw size;
    integer-valued outputs such as the payback year far less) at 10-20
    times the speed.

:class:`mkba_mc.io.samples_file.SamplesFile` writes the encoded chunks with
HDF5's direct chunk write; ``tests/montecarlo/test_stream.py`` decodes them
with zlib and through HDF5's own filters.
"""

from __future__ import annotations

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


def shuffled(a: NDArray[Any], compiled: bool = False) -> NDArray[np.uint8]:
    """The bytes of ``a`` as HDF5's shuffle filter orders them: byte ``k`` of
    every element (C order), for ``k = 0 .. itemsize - 1`` (an ``(itemsize,
    size)`` array).  One strided copy, also from a non-contiguous ``a``
    (the column-major output store); with ``compiled``, 8-byte values go
    through :func:`mkba_mc.io.shuffle_kernel.shuffle8` instead (the same
    bytes, about twice as fast; numba must be installed)."""
    a = np.asarray(a)
    if a.ndim == 0 or a.strides[-1] != a.itemsize or (compiled and not a.flags.c_contiguous):
        a = np.ascontiguousarray(a)
    if compiled and a.itemsize == 8 and a.dtype.kind in "fiu":
        from .shuffle_kernel import shuffle8

        out = np.empty((8, a.size), dtype=np.uint8)
        shuffle8(a.reshape(-1).view(np.uint64), out)
        return out
    planes = np.moveaxis(a[..., None].view(np.uint8), -1, 0)  # (itemsize, *a.shape)
    return np.ascontiguousarray(planes).reshape(a.itemsize, -1)


def _stored(data: memoryview) -> list[bytes | memoryview]:
    """``data`` as non-final stored deflate blocks (RFC 1951 §3.2.4: a byte
    ``BFINAL=0, BTYPE=00``, then ``LEN`` and ``NLEN`` little-endian, then the
    bytes; at most 65,535 bytes a block).  Byte-aligned, as they start after
    a full flush."""
    parts: list[bytes | memoryview] = []
    for s in range(0, len(data), 0xFFFF):
        block = data[s:s + 0xFFFF]
        size = len(block)
        parts.append(bytes((0, size & 0xFF, size >> 8, ~size & 0xFF, (~size >> 8) & 0xFF)))
        parts.append(block)
    return parts


def _deflated(data: memoryview, level: int, flush: int) -> Any:
    """``data`` as raw deflate (no header) by ISA-L at ``level`` (0-3), ended
    by ``flush``; returns the bytes, or with ``Z_FINISH`` only their number.

    On the sign/exponent planes of a run's outputs ISA-L's level 1 is as
    small as zlib's level 1 with the run-length strategy and about twice as
    fast (the whole chunk encoding 1.05-1.2 GB/s against 0.53 GB/s, measured
    on 2^20 samples of the default outputs, 2026-12-02)."""
    co = isal_zlib.compressobj(level, isal_zlib.DEFLATED, -15)
    out = co.compress(data) + co.flush(flush)
    return len(out) if flush == isal_zlib.Z_FINISH else out


def deflate_chunk(a: NDArray[Any], level: int = NETCDF_COMPLEVEL, compiled: bool = False) -> bytes:
    """One chunk through the filters ``shuffle`` then ``zlib`` (HDF5 filters 2, 1).

    Parameters
    ----------
    a : numpy.ndarray
        The chunk's values in C order (the whole chunk, padded if needed).
    level : int
        ISA-L level (0-3) of the planes that compress; :data:`NETCDF_COMPLEVEL`
        (1) by default, the zlib level the file declares.
    compiled : bool
        Shuffle with the compiled kernel (:func:`shuffled`): the same bytes.

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
    """
    planes = shuffled(a, compiled)
    width, m = planes.shape
    probe = min(m, _PROBE)
    flat = memoryview(planes.reshape(-1))
    cut = width  # planes [cut, width) are deflated, [0, cut) stored
    while cut > 0 and _deflated(flat[(cut - 1) * m:(cut - 1) * m + probe], level, isal_zlib.Z_FINISH) < _WORTH * probe:
        cut -= 1
    parts: list[bytes | memoryview] = [_ZLIB_HEADER, *_stored(flat[:cut * m])]
    for k in range(cut, width):
        parts.append(_deflated(flat[k * m:(k + 1) * m], level, isal_zlib.Z_FULL_FLUSH))
    parts.append(b"\x01\x00\x00\xff\xff")  # the final block: stored, empty
    parts.append(isal_zlib.adler32(flat).to_bytes(4, "big"))  # ISA-L's Adler-32: the same value, vectorised
    return b"".join(parts)


__all__ = ["deflate_chunk", "shuffled"]
