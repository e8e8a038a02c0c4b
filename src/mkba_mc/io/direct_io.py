"""Writing and reading ``samples.nc`` past the page cache (Linux ``O_DIRECT``).

Why
    A buffered write puts every byte of the file in the page cache first:
    1.2 GB of new kernel pages for ``run -n 10^7 --out``, and the SHA-256 of
    the manifest reads them back.  On the benchmark machines (virtual
    machines whose free memory goes back to the host) a page the guest has
    not used lately costs about 9 us on first touch: ``dd`` of 1.5 GB into
    the page cache ran at 449 MB/s, the same bytes with ``oflag=direct`` at
    3.3 GB/s, and read back with ``iflag=direct`` at 1.8 GB/s (measured
    2026-12-04).  That first-touch cost was most of what ``--out`` added to
    a run.  With ``O_DIRECT`` the disk reads the bytes from the writer's
    own buffer, which is used again for every block.

How
    :class:`DirectFile` is the file object HDF5 writes ``samples.nc``
    through (h5py's ``fileobj`` driver calls ``seek``, ``tell``, ``read``,
    ``write``, ``truncate`` and ``flush``).  A run of writes that follow
    each other (the chunks, in sample order) is gathered in an aligned
    buffer and written in whole blocks of :data:`ALIGN` bytes with
    ``O_DIRECT``; everything else -- the unaligned start and end of such a
    run, HDF5's metadata, every read -- goes through an ordinary descriptor
    of the same file.  Linux keeps the two coherent: a direct write first
    writes back and then drops the cached pages of its range, and a
    buffered read after it reads the disk.  Bytes are never written twice
    by the two paths at once: a write or read that touches the gathered
    range first writes that range out.

    :func:`sha256_file` reads the file with ``O_DIRECT`` into two aligned
    buffers (one read ahead while the other is hashed).

Where ``O_DIRECT`` is missing (not Linux) or refused (tmpfs, some network
file systems: the open or the first write fails with ``EINVAL``) both fall
back to ordinary buffered I/O; the bytes of the file are the same.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

#: Alignment of a direct write or read: its file offset, length and buffer
#: address (4096 covers devices with 512-byte and 4 KiB logical blocks).
ALIGN: Final[int] = 4096
#: Bytes gathered before a direct write (also the read block of :func:`sha256_file`).
GATHER: Final[int] = 8 << 20
#: A write of at least this many bytes starts a gathered run (smaller ones,
#: HDF5's metadata, are written buffered unless they continue a run).
RUN_MIN: Final[int] = 16 << 10

_O_DIRECT: Final[int] = getattr(os, "O_DIRECT", 0)
#: errno values of a refused direct open or write: then buffered I/O is used.
_REFUSED = {errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP}


def aligned_empty(nbytes: int, align: int = ALIGN) -> NDArray[np.uint8]:
    """An uninitialised ``uint8`` array of ``nbytes`` whose data starts at a multiple of ``align``."""
    raw = np.empty(nbytes + align, dtype=np.uint8)
    start = (-raw.ctypes.data) % align
    return raw[start:start + nbytes]


def open_direct(path: str | os.PathLike[str], flags: int) -> int | None:
    """``os.open(path, flags | O_DIRECT)``, or None where the platform or file system refuses it."""
    if not _O_DIRECT:
        return None
    try:
        return os.open(path, flags | _O_DIRECT)
    except OSError as exc:
        if exc.errno in _REFUSED:
            return None
        raise


class DirectFile:
    """A writable, readable binary file for HDF5 whose long runs of writes go past the page cache.

    Parameters
    ----------
    path : str or Path
        Created (or truncated) and opened for reading and writing.
    direct : bool
        Try ``O_DIRECT`` for runs of writes (False: every write buffered,
        as an ordinary file object).

    Attributes
    ----------
    direct : bool
        Whether runs of writes still go direct (False after a refusal).

    Notes
    -----
    The gathered run covers the file range ``[_start, _start + _used)``,
    ``_start`` a multiple of :data:`ALIGN`; its bytes are in ``_buf`` and
    not yet in the file.  ``_size`` is the file's logical size (what HDF5
    sees at ``seek(0, 2)``), written bytes and gathered ones.
    """

    def __init__(self, path: str | os.PathLike[str], direct: bool = True) -> None:
        self.name = os.fspath(path)
        self._fd = os.open(self.name, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o666)
        self._dfd: int | None = None
        if direct:
            try:
                self._dfd = open_direct(self.name, os.O_RDWR)
            except BaseException:
                os.close(self._fd)
                raise
        self.direct = self._dfd is not None
        self._buf: NDArray[np.uint8] | None = aligned_empty(GATHER) if self.direct else None
        self._start = 0
        self._used = 0
        self._pos = 0
        self._size = 0
        self.closed = False

    # --------------------------------------------------------- file object
    def fileno(self) -> int:
        """The buffered descriptor (for ``fallocate``, ``fstat``, ``fsync``)."""
        return self._fd

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            self._pos = offset
        elif whence == os.SEEK_CUR:
            self._pos += offset
        elif whence == os.SEEK_END:
            self._pos = self._size + offset
        else:
            raise ValueError(f"whence {whence}")
        return self._pos

    def tell(self) -> int:
        return self._pos

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        """Write ``data`` at the position: gathered if it continues the run
        or is long, else buffered (after writing out a run it touches)."""
        view = memoryview(data).cast("B")
        n = view.nbytes
        off = self._pos
        if self._used and off == self._start + self._used:
            self._gather(view)
        elif self.direct and n >= RUN_MIN:
            self._write_out()
            head = min(n, (-off) % ALIGN)  # up to the next block boundary: buffered
            if head:
                self._pwrite(view[:head], off)
            self._start, self._used = off + head, 0
            self._gather(view[head:])
        else:
            if self._used and off < self._start + self._used and off + n > self._start:
                self._write_out()
            self._pwrite(view, off)
        self._pos = off + n
        self._size = max(self._size, self._pos)
        return n

    def read(self, size: int = -1) -> bytes:
        """Read from the position (a run it touches is written out first)."""
        off = self._pos
        if size is None or size < 0:
            size = max(0, self._size - off)
        if self._used and off < self._start + self._used and off + size > self._start:
            self._write_out()
        parts = []
        got = 0
        while got < size:
            b = os.pread(self._fd, size - got, off + got)
            if not b:
                break
            parts.append(b)
            got += len(b)
        self._pos = off + got
        return b"".join(parts)

    def truncate(self, size: int | None = None) -> int:
        self._write_out()
        size = self._pos if size is None else size
        os.ftruncate(self._fd, size)
        self._size = size
        return size

    def flush(self) -> None:
        """Write out the gathered run (the data reach the kernel or the disk)."""
        self._write_out()

    def close(self) -> None:
        """Write out the gathered run and close both descriptors; idempotent."""
        if self.closed:
            return
        try:
            self._write_out()
        finally:
            self.closed = True
            for fd in (self._dfd, self._fd):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._dfd = None
            self._buf = None

    def __enter__(self) -> DirectFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ internals
    def _pwrite(self, view: memoryview, off: int) -> None:
        """Write all of ``view`` at ``off`` through the buffered descriptor."""
        while view.nbytes:
            k = os.pwrite(self._fd, view, off)
            view, off = view[k:], off + k

    def _gather(self, view: memoryview) -> None:
        """Append ``view`` to the run, writing out whole blocks as the buffer fills."""
        buf = self._buf
        assert buf is not None
        src = np.frombuffer(view, dtype=np.uint8)
        i = 0
        while i < src.size:
            take = min(src.size - i, GATHER - self._used)
            buf[self._used:self._used + take] = src[i:i + take]
            self._used += take
            i += take
            if self._used == GATHER:
                self._write_blocks(GATHER)

    def _write_blocks(self, nbytes: int) -> None:
        """Write the run's first ``nbytes`` (a multiple of :data:`ALIGN`) direct; keep the rest."""
        buf = self._buf
        assert buf is not None and nbytes % ALIGN == 0
        done = 0
        while done < nbytes and self.direct:
            try:
                k = os.pwrite(self._dfd, memoryview(buf[done:nbytes]), self._start + done)
            except OSError as exc:
                if exc.errno not in _REFUSED:
                    raise
                self.direct = False  # this file system takes no direct writes: the rest goes buffered
                break
            if k <= 0 or k % ALIGN:  # a short direct write: the rest goes buffered
                self.direct = False
            done += k
        if done < nbytes:
            self._pwrite(memoryview(buf[done:nbytes]), self._start + done)
        rest = self._used - nbytes
        if rest:
            buf[:rest] = buf[nbytes:self._used]
        self._start += nbytes
        self._used = rest

    def _write_out(self) -> None:
        """Write the whole run: its whole blocks direct, the last partial block buffered."""
        if not self._used:
            return
        whole = self._used - self._used % ALIGN
        if whole:
            self._write_blocks(whole)
        if self._used:
            assert self._buf is not None
            self._pwrite(memoryview(self._buf[:self._used]), self._start)
            self._start += self._used
            self._used = 0


def sha256_file(path: str | Path, block: int = GATHER) -> str:
    """The SHA-256 of the file's bytes as hex, read past the page cache.

    Two aligned buffers: the next block is read (``O_DIRECT``) while the
    current one is hashed (both release the GIL).  Where ``O_DIRECT`` is
    refused the file is read in ordinary blocks.  The same digest as
    :func:`mkba_mc.io.hashing.sha256`.
    """
    from .hashing import sha256

    fd = open_direct(path, os.O_RDONLY)
    if fd is None:
        return sha256(path)
    h = hashlib.sha256()
    bufs = [aligned_empty(block), aligned_empty(block)]

    def fill(i: int, off: int) -> int:
        return os.preadv(fd, [memoryview(bufs[i])], off)

    try:
        try:
            got = fill(0, 0)
        except OSError as exc:
            if exc.errno in _REFUSED:
                return sha256(path)
            raise
        off, i = 0, 0
        with ThreadPoolExecutor(1, thread_name_prefix="mkba-read") as reader:
            while got:
                off += got
                # a direct read returns less than asked only at the end of the file
                nxt = reader.submit(fill, 1 - i, off) if got == block else None
                h.update(memoryview(bufs[i])[:got])
                got = nxt.result() if nxt is not None else 0
                i = 1 - i
        size = os.fstat(fd).st_size
    finally:
        os.close(fd)
    if off < size:  # a short read before the end after all: the rest read buffered
        with open(path, "rb") as fh:
            fh.seek(off)
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


__all__ = ["ALIGN", "DirectFile", "aligned_empty", "open_direct", "sha256_file"]
