"""Disk space reserved before a file is written, so that a full disk is an
ordinary :class:`OSError` before writing starts.

HDF5 cannot stop cleanly when a write fails half-way: with h5py, ``ENOSPC``
during writing surfaces from its destructors ("Exception ignored in ...
``__dealloc__``") and the interpreter then crashes (SIGSEGV), whether HDF5
writes the file itself or through a Python file object.  Reserving the
blocks first with Linux ``fallocate(FALLOC_FL_KEEP_SIZE)`` moves that error
to the reservation, and writes into reserved blocks cannot run out of space;
the blocks the file did not use are released afterwards.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import sys
from typing import Any

_KEEP_SIZE = 0x01  # FALLOC_FL_KEEP_SIZE: allocate blocks, leave the file size alone
_PUNCH_HOLE = 0x02  # FALLOC_FL_PUNCH_HOLE (with KEEP_SIZE): release blocks
#: errno values meaning "this file system or platform cannot reserve": the
#: caller falls back to another way of writing.
_UNSUPPORTED = {errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL, errno.ENODEV}


def _fallocate() -> Any | None:
    """libc's ``fallocate``, or None off Linux or without it."""
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    fn = getattr(ctypes.CDLL(name, use_errno=True), "fallocate", None)
    if fn is not None:
        fn.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]
        fn.restype = ctypes.c_int
    return fn


def reserve(fd: int, nbytes: int, path: str | os.PathLike[str]) -> bool:
    """Reserve ``nbytes`` of disk blocks for the open file ``fd`` (size unchanged).

    Parameters
    ----------
    fd : int
        An open, writable file descriptor.
    nbytes : int
        Bytes to reserve from offset 0 (an upper bound of the file's size).
    path : path-like
        The file's path, for the error message.

    Returns
    -------
    bool
        True if the space is reserved; False if the platform or file system
        cannot reserve (then nothing was done).

    Raises
    ------
    OSError
        If the space is not there (``ENOSPC``, ``EDQUOT``) or another error.
    """
    fn = _fallocate()
    if fn is None or nbytes <= 0:
        return False
    if fn(fd, _KEEP_SIZE, 0, nbytes) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), os.fspath(path))


def release_unused(fd: int, nbytes: int) -> None:
    """Give back the reserved blocks beyond the end of the file ``fd``
    (reserved by :func:`reserve` with the same ``nbytes``)."""
    fn = _fallocate()
    size = os.fstat(fd).st_size
    if fn is not None and nbytes > size:
        fn(fd, _KEEP_SIZE | _PUNCH_HOLE, size, nbytes - size)  # best effort: the file is complete either way
