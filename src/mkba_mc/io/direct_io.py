"""Writing and reading ``samples.nc`` past the page cache (Linux ``O_DIRECT``).

Why
    A buffered write puts every byte of the file in the page cache first:
    1.2 GB of new kernel pages for ``run -n 10^7 --out``, and the SHA-256 of
    the manifest reads them back.  On the benchmark machines (Firecracker
    virtual machines whose idle and freed memory goes back to the host) a
    page the guest has not used lately costs about 9 us on first touch:
    ``dd`` of 1.5 GB into the page cache ran at 449 MB/s, the same bytes
    with ``oflag=direct`` at 3.3 GB/s, and read back with ``iflag=direct``
    at 1.8 GB/s (measured 2026-12-04; the host caches the guest's disk).
    ``SamplesFile`` alone on the 1.2 GB of a 10^7 run took 2.3-3.7 s
    (1.5-2.9 s of it in the kernel) written buffered and 1.0-1.1 s (0.1-0.16 s)
    written direct.  With ``O_DIRECT`` the disk reads the bytes from the
    writer's own buffers, used again for every block.

How
    :class:`DirectFile` is the file object HDF5 writes ``samples.nc``
    through (h5py's ``fileobj`` driver calls ``seek``, ``tell``, ``read``,
    ``write``, ``truncate`` and ``flush``).  A run of writes that follow
    each other (the chunks, in sample order) is gathered in an aligned
    buffer and written in whole blocks of :data:`ALIGN` bytes with
    ``O_DIRECT``, by a thread of its own while a second buffer fills (the
    writer does not wait for the disk).  Everything else -- the unaligned
    start and end of such a run, HDF5's metadata, every read -- goes
    through an ordinary descriptor of the same file.  Linux keeps the two
    coherent: a direct write first writes back and then drops the cached
    pages of its range, and a buffered read after it reads the disk.  Bytes
    are never written by the two paths at once: every operation other than
    gathering waits for the direct write in flight, and a write or read
    that touches the gathered range writes that range out first.

    :func:`sha256_file` reads the file with ``O_DIRECT`` into two aligned
    buffers (one read ahead while the other is hashed).

Where ``O_DIRECT`` is missing (not Linux) or refused (the open or a write
fails with ``EINVAL``, as on some network file systems and on tmpfs before
Linux 6.6) both fall back to ordinary buffered I/O; so does a direct write
that fails otherwise (a disk error, a full disk where no space could be
reserved): its bytes are written buffered, and an error then comes from
the buffered write or the final fsync, as without ``O_DIRECT``.  The bytes
of the file are the same.  The data are durable after that fsync
(:func:`mkba_mc.io.fsync.fsync_tree`), not before, on either path.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from concurrent.futures import Future, ThreadPoolExecutor
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
#: errno values of a refused direct open or read: then buffered I/O is used
#: (an open can also be refused for permissions the first open did not need).
_REFUSED = {errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EACCES, errno.EPERM}


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
        Whether runs of writes still go direct (False after a refusal or a
        failed direct write).

    Notes
    -----
    The gathered run covers the file range ``[_start, _start + _used)``,
    ``_start`` a multiple of :data:`ALIGN`; its bytes are in
    ``_bufs[_cur]`` and not yet in the file.  A full buffer is written by
    a thread of its own while the other fills (at most one write in
    flight).  ``_size`` is the file's logical size (what HDF5 sees at
    ``seek(0, 2)``): written bytes and gathered ones.  A file system that
    takes ``O_DIRECT`` but caches anyway (tmpfs since Linux 6.6) gets the
    same bytes; the page cache is then filled after all.
    """

    def __init__(self, path: str | os.PathLike[str], direct: bool = True) -> None:
        self.name = os.fspath(path)
        # two gather buffers, one filling while the I/O thread writes the other (allocated before
        # the files are opened: a MemoryError leaks no descriptor)
        self._bufs: list[NDArray[np.uint8]] = [aligned_empty(GATHER), aligned_empty(GATHER)] if direct else []
        self._fd = os.open(self.name, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o666)
        self._dfd = -1
        if direct:
            try:
                dfd = open_direct(self.name, os.O_RDWR)
                self._dfd = -1 if dfd is None else dfd
            except BaseException:
                os.close(self._fd)
                raise
        self.direct = self._dfd >= 0
        if not self.direct:
            self._bufs = []
        self._cur = 0  # the buffer being filled
        self._io: ThreadPoolExecutor | None = None
        self._inflight: Future[None] | None = None  # the I/O thread's write of the other buffer
        self._error: Exception | None = None  # that write's error, raised again by every later operation
        self._start = 0
        self._used = 0
        self._pos = 0
        self._size = 0
        self.closed = False

    # --------------------------------------------------------- file object
    def fileno(self) -> int:
        """The buffered descriptor (for ``fallocate`` and ``fsync``; its
        ``fstat`` size lags while a run is gathered: :meth:`flush` first)."""
        self._check()
        return self._fd

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self._check()
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
        self._check()
        return self._pos

    def seekable(self) -> bool:
        return True

    readable = writable = seekable

    def write(self, data: Any) -> int:
        """Write ``data`` at the position: gathered if it continues the run
        or is long, else buffered (after the write in flight, and a run it touches)."""
        self._check()
        view = memoryview(data).cast("B")
        n = view.nbytes
        if not n:
            return 0
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
            self._wait()
            if self._used and off < self._start + self._used and off + n > self._start:
                self._write_out()
            self._pwrite(view, off)
        self._pos = off + n
        self._size = max(self._size, self._pos)
        return n

    def read(self, size: int = -1) -> bytes:
        """Read from the position (after the write in flight, and a run it
        touches); a hole below the logical end reads as zeros, as in any file."""
        self._check()
        off = self._pos
        if size is None or size < 0:
            size = max(0, self._size - off)
        self._wait()
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
        hole = min(size, max(0, self._size - off)) - got  # gathered past the file's end, then written out later
        if hole > 0:
            parts.append(bytes(hole))
            got += hole
        self._pos = off + got
        return b"".join(parts)

    def truncate(self, size: int | None = None) -> int:
        self._check()
        self._write_out()
        size = self._pos if size is None else size
        os.ftruncate(self._fd, size)
        self._size = size
        return size

    def flush(self) -> None:
        """Write out the gathered run (the data reach the kernel or the disk)."""
        self._check()
        self._write_out()

    def close(self) -> None:
        """Write out the gathered run and close both descriptors; idempotent."""
        if self.closed:
            return
        try:
            self._write_out()
        finally:
            self.closed = True
            io, self._io = self._io, None
            if io is not None:
                io.shutdown(wait=True)  # a write still in flight (after an error) ends before its descriptor
            for fd in (self._dfd, self._fd):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._dfd = self._fd = -1
            self._bufs = []

    def __enter__(self) -> DirectFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ internals
    def _check(self) -> None:
        """No I/O on a closed file: its descriptor numbers may belong to another file by now."""
        if self.closed:
            raise ValueError(f"I/O operation on closed file {self.name}")
        if self._error is not None:
            raise self._error

    def _pwrite(self, view: memoryview, off: int) -> None:
        """Write all of ``view`` at ``off`` through the buffered descriptor."""
        while view.nbytes:
            k = os.pwrite(self._fd, view, off)
            view, off = view[k:], off + k

    def _gather(self, view: memoryview) -> None:
        """Append ``view`` to the run; a full buffer is handed to the I/O thread."""
        src = np.frombuffer(view, dtype=np.uint8)
        i = 0
        while i < src.size:
            buf = self._bufs[self._cur]
            take = min(src.size - i, GATHER - self._used)
            buf[self._used:self._used + take] = src[i:i + take]
            self._used += take
            i += take
            if self._used == GATHER:  # whole blocks (GATHER is a multiple of ALIGN): written while the next fills
                self._wait()
                if self._io is None:
                    self._io = ThreadPoolExecutor(1, thread_name_prefix="mkba-direct-write")
                self._inflight = self._io.submit(self._write_blocks, buf, GATHER, self._start)
                self._cur = 1 - self._cur
                self._start += GATHER
                self._used = 0

    def _wait(self) -> None:
        """Wait for the write in flight; its error (of the buffered fallback) is
        raised here and by every later operation, so that no caller that swallows
        one exception (HDF5 calls these methods) can leave a hole in the file."""
        if self._error is not None:
            raise self._error
        inflight = self._inflight
        if inflight is None:
            return
        try:
            inflight.result()
        except BaseException as exc:
            if inflight.done():  # the write failed (not this wait interrupted by Ctrl-C)
                self._inflight = None
                self._error = exc if isinstance(exc, Exception) else None
            raise
        self._inflight = None

    def _write_blocks(self, buf: NDArray[np.uint8], nbytes: int, off: int) -> None:
        """Write ``buf[:nbytes]`` (whole blocks) at ``off`` (aligned): direct,
        and buffered from where a direct write failed or came back short
        (direct writes are then given up for this file)."""
        done = 0
        while done < nbytes and self.direct:
            try:
                k = os.pwrite(self._dfd, memoryview(buf[done:nbytes]), off + done)
            except OSError:
                self.direct = False  # refused, or a disk error: the buffered write below reports its own
                break
            if k <= 0 or k % ALIGN:  # a short direct write: the rest goes buffered
                self.direct = False
            done += max(k, 0)
        if done < nbytes:
            self._pwrite(memoryview(buf[done:nbytes]), off + done)

    def _write_out(self) -> None:
        """Write the whole run now: its whole blocks direct, the last partial block buffered."""
        self._wait()
        if not self._used:
            return
        buf = self._bufs[self._cur]
        whole = self._used - self._used % ALIGN
        if whole:
            self._write_blocks(buf, whole, self._start)
        if self._used > whole:
            self._pwrite(memoryview(buf[whole:self._used]), self._start + whole)
        self._start += self._used
        self._used = 0


def sha256_file(path: str | Path, block: int = GATHER) -> str:
    """The SHA-256 of the file's bytes as hex, read past the page cache.

    Two aligned buffers of ``block`` bytes (a multiple of :data:`ALIGN`):
    the next block is read (``O_DIRECT``) while the current one is hashed
    (both release the GIL).  Where ``O_DIRECT`` is refused the file is read
    in ordinary blocks.  The same digest as :func:`mkba_mc.io.hashing.sha256`.
    """
    from .hashing import sha256

    if block <= 0 or block % ALIGN:
        raise ValueError(f"block {block}: expected a positive multiple of {ALIGN}")
    bufs = [aligned_empty(block), aligned_empty(block)]
    fd = open_direct(path, os.O_RDONLY)
    if fd is None:
        return sha256(path)
    h = hashlib.sha256()

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
