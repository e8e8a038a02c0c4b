"""``mkba_mc.io.direct_io``: HDF5's file object past the page cache, and the hash read past it.

Every sequence of writes and reads is checked against a ``bytearray`` that
applies the same writes (an independent model of a file), and every digest
against ``hashlib`` over the file's bytes read the ordinary way.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import h5py
import numpy as np
import pytest

from mkba_mc.io import direct_io
from mkba_mc.io.direct_io import ALIGN, GATHER, RUN_MIN, DirectFile, open_direct, sha256_file
from mkba_mc.io.samples_file import CHUNK_ROWS, SamplesFile


@pytest.fixture
def direct_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder whose file system takes ``O_DIRECT``: tmp_path, else a temporary folder beside the
    tests (where the system's temporary folder is tmpfs); the direct path is exercised, not skipped."""
    def takes_direct(d: Path) -> bool:
        fd = open_direct(d / "probe", os.O_RDWR | os.O_CREAT)
        (d / "probe").unlink(missing_ok=True)
        if fd is not None:
            os.close(fd)
        return fd is not None

    if takes_direct(tmp_path):
        yield tmp_path
        return
    d = Path(tempfile.mkdtemp(prefix=".pytest-direct-", dir=Path(__file__).resolve().parents[2]))
    try:
        if not takes_direct(d):
            pytest.fail("neither the temporary folder nor the checkout takes O_DIRECT")
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


class _Model:
    """What a file holds after the same writes: a bytearray (holes read as zeros)."""

    def __init__(self) -> None:
        self.b = bytearray()

    def write(self, off: int, data: bytes) -> None:
        if len(self.b) < off + len(data):
            self.b.extend(bytes(off + len(data) - len(self.b)))
        self.b[off:off + len(data)] = data

    def read(self, off: int, n: int) -> bytes:
        return bytes(self.b[off:off + n])


def _ops(seed: int, count: int = 160) -> list[tuple]:
    """A random mix like HDF5's: long appends (chunks) at the end, small writes anywhere (metadata),
    rewrites of recent bytes, reads, a truncation."""
    rng = np.random.default_rng(seed)
    ops: list[tuple] = []
    end = 0
    for _ in range(count):
        kind = rng.choice(["append", "append", "append", "small", "rewrite", "read", "gap"])
        if kind == "append":
            n = int(rng.integers(RUN_MIN, 3 * RUN_MIN if rng.random() < 0.9 else GATHER + 5 * ALIGN))
            ops.append(("w", end, rng.bytes(n)))
            end += n
        elif kind == "gap":  # a run that does not start where the last one ended
            off = end + int(rng.integers(1, 3 * ALIGN))
            n = int(rng.integers(RUN_MIN, 2 * RUN_MIN))
            ops.append(("w", off, rng.bytes(n)))
            end = off + n
        elif kind == "small":
            off = int(rng.integers(0, max(1, end)))
            ops.append(("w", off, rng.bytes(int(rng.integers(1, 600)))))
            end = max(end, off + len(ops[-1][2]))
        elif kind == "rewrite" and end:
            off = max(0, end - int(rng.integers(1, 2 * ALIGN)))
            ops.append(("w", off, rng.bytes(int(rng.integers(1, 3 * ALIGN)))))
            end = max(end, off + len(ops[-1][2]))
        elif kind == "read" and end:
            off = int(rng.integers(0, end))
            ops.append(("r", off, int(rng.integers(1, 4 * ALIGN))))
    ops.append(("t", end - int(rng.integers(0, 100))))
    return ops


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("direct", [True, False])
def test_writes_and_reads_are_those_of_a_plain_file(direct_dir: Path, seed: int, direct: bool) -> None:
    path = direct_dir / f"f{seed}{direct}.bin"
    model = _Model()
    with DirectFile(path, direct=direct) as f:
        assert f.direct is direct
        for op in _ops(seed):
            if op[0] == "w":
                f.seek(op[1])
                assert f.write(op[2]) == len(op[2])
                model.write(op[1], op[2])
                assert f.tell() == op[1] + len(op[2])
            elif op[0] == "r":
                f.seek(op[1])
                assert f.read(op[2]) == model.read(op[1], op[2]), op[:2]
            else:
                f.truncate(op[1])
                del model.b[op[1]:]
            assert f.seek(0, os.SEEK_END) == len(model.b)
        if direct:
            assert f.direct, "the file system took the first direct writes, then refused"
    assert path.read_bytes() == bytes(model.b)
    assert sha256_file(path, block=4 * ALIGN) == hashlib.sha256(bytes(model.b)).hexdigest()


def test_runs_of_writes_go_direct(direct_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The long run goes through the direct descriptor in whole aligned blocks; its unaligned head
    and tail, and a small write, through the buffered one."""
    path = direct_dir / "runs.bin"
    calls: list[tuple[str, int, int]] = []
    real = os.pwrite

    with DirectFile(path) as f:
        kinds = {f._dfd: "direct", f._fd: "buffered"}

        def spy(fd: int, data, off: int) -> int:
            calls.append((kinds[fd], off, memoryview(data).nbytes))
            return real(fd, data, off)

        monkeypatch.setattr(direct_io.os, "pwrite", spy)
        f.seek(100)
        f.write(b"m" * 50)  # metadata
        f.seek(1000)
        f.write(bytes(range(256)) * (GATHER // 256 + 40))  # a chunk longer than the buffer, unaligned
    monkeypatch.setattr(direct_io.os, "pwrite", real)
    # 1000 + GATHER + 10240 bytes: the head to 4096 buffered, GATHER + 4096 direct, the last 3048 buffered
    direct = [c for c in calls if c[0] == "direct"]
    assert all(off % ALIGN == 0 and n % ALIGN == 0 for _, off, n in direct)
    assert sum(n for _, _, n in direct) == GATHER + ALIGN
    assert calls[:2] == [("buffered", 100, 50), ("buffered", 1000, ALIGN - 1000)]
    assert calls[-1] == ("buffered", ALIGN + GATHER + ALIGN, 1000 + GATHER + 10240 - 2 * ALIGN - GATHER)
    data = path.read_bytes()
    assert data[100:150] == b"m" * 50 and data[1000:] == bytes(range(256)) * (GATHER // 256 + 40)


def test_a_refused_direct_write_goes_on_buffered(direct_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system that opens with O_DIRECT but refuses the writes (EINVAL): the same bytes, buffered."""
    path = direct_dir / "refused.bin"
    real = os.pwrite
    payload = np.random.default_rng(1).bytes(3 * GATHER + 777)
    with DirectFile(path) as f:
        dfd = f._dfd

        def refuse(fd: int, data, off: int) -> int:
            if fd == dfd:
                raise OSError(errno.EINVAL, "Invalid argument")
            return real(fd, data, off)

        monkeypatch.setattr(direct_io.os, "pwrite", refuse)
        f.seek(5)
        f.write(payload)
        f.flush()
        assert not f.direct
    monkeypatch.setattr(direct_io.os, "pwrite", real)
    assert path.read_bytes() == bytes(5) + payload


def test_no_direct_io_where_the_platform_has_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(direct_io, "_O_DIRECT", 0)
    with DirectFile(tmp_path / "plain.bin") as f:
        assert not f.direct
        f.write(b"x" * (RUN_MIN * 3))
    assert (tmp_path / "plain.bin").read_bytes() == b"x" * (RUN_MIN * 3)
    assert sha256_file(tmp_path / "plain.bin") == hashlib.sha256(b"x" * (RUN_MIN * 3)).hexdigest()


@pytest.mark.parametrize("size", [0, 1, ALIGN - 1, ALIGN, ALIGN + 1, 4 * ALIGN, 4 * ALIGN + 1, 9 * ALIGN + 77])
def test_sha256_read_past_the_cache_is_hashlibs(direct_dir: Path, size: int) -> None:
    path = direct_dir / "h.bin"
    data = np.random.default_rng(size).bytes(size)
    path.write_bytes(data)  # written buffered: the direct read sees the cached, unwritten pages too
    assert sha256_file(path, block=4 * ALIGN) == hashlib.sha256(data).hexdigest()


def test_samples_file_bytes_do_not_depend_on_direct_io(direct_dir: Path) -> None:
    """HDF5 writing through the direct file object makes the same file, byte for byte, as through
    buffered writes; h5py reads it back."""
    d = direct_dir
    rng = np.random.default_rng(3)
    n = 4 * CHUNK_ROWS + 11
    outputs = {"balance": rng.standard_normal(n) * 1e5, "actor_balance": rng.standard_normal((n, 9))}
    paths = []
    for direct in (True, False):
        path = d / f"s{direct}.nc"
        sf = SamplesFile(path, n, {"balance": (), "actor_balance": (9,)}, [f"a{i}" for i in range(9)],
                         direct=direct)
        assert sf._fh.direct is direct
        for stop in (CHUNK_ROWS + 3, n):
            sf.write_rows(outputs, None, stop)
        sf.finish({"title": "t", "seed": 5})
        paths.append(path)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    with h5py.File(paths[0]) as f:
        for name, a in outputs.items():
            np.testing.assert_array_equal(f[name][...], a, err_msg=name)
    assert sha256_file(paths[0]) == hashlib.sha256(paths[1].read_bytes()).hexdigest()
