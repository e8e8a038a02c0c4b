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

    if not direct_io._O_DIRECT:
        pytest.skip("this platform has no O_DIRECT (test_no_direct_io_where_the_platform_has_none covers it)")
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


def _spy_direct(monkeypatch: pytest.MonkeyPatch, f: DirectFile, fake) -> None:
    """Route the direct descriptor's writes through ``fake(data, off, real)``."""
    real = os.pwrite
    dfd = f._dfd

    def pwrite(fd: int, data, off: int) -> int:
        return fake(data, off, real) if fd == dfd else real(fd, data, off)

    monkeypatch.setattr(direct_io.os, "pwrite", pwrite)


@pytest.mark.parametrize("failure", ["eio", "enospc", "short", "unaligned", "zero"])
def test_a_failing_direct_write_is_written_buffered(direct_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                    failure: str) -> None:
    """A disk error, a full disk or a short direct write: the bytes are written buffered instead (an
    error would then come from that write or the final fsync, as without O_DIRECT), and the file is
    whole; later runs of writes are buffered too."""
    path = direct_dir / f"{failure}.bin"
    payload = np.random.default_rng(2).bytes(3 * GATHER + 12345)
    calls = []

    def fake(data, off: int, real) -> int:
        calls.append(off)
        n = memoryview(data).nbytes
        if failure in ("eio", "enospc"):
            raise OSError(errno.EIO if failure == "eio" else errno.ENOSPC, "injected")
        k = {"short": n - ALIGN, "unaligned": n - 100, "zero": 0}[failure]
        return real(f._dfd, memoryview(data)[:k], off) if k else 0

    with DirectFile(path) as f:
        _spy_direct(monkeypatch, f, fake)
        f.seek(ALIGN)
        f.write(payload)
        f.seek(10)
        assert f.read(5) == bytes(5)
        f.flush()
        assert not f.direct
        f.seek(ALIGN + len(payload))
        f.write(payload[:RUN_MIN])  # a later run: buffered
    monkeypatch.undo()
    # one failed direct write and none after it (a short write of whole blocks goes on direct with the rest,
    # which here comes back with nothing)
    assert len(calls) == (2 if failure == "short" else 1)
    assert path.read_bytes() == bytes(ALIGN) + payload + payload[:RUN_MIN]


@pytest.mark.parametrize("err", [errno.EINVAL, errno.EACCES])
def test_a_refused_direct_open_means_buffered_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     err: int) -> None:
    """tmpfs before Linux 6.6 refuses the O_DIRECT open (EINVAL); a second open can also be refused
    for permissions the first did not need (EACCES)."""
    real = os.open

    def refuse(path, flags, *mode):
        if flags & direct_io._O_DIRECT:
            raise OSError(err, "refused")
        return real(path, flags, *mode)

    monkeypatch.setattr(direct_io.os, "open", refuse)
    monkeypatch.setattr(direct_io, "_O_DIRECT", direct_io._O_DIRECT or 0x4000)
    with DirectFile(tmp_path / "r.bin") as f:
        assert not f.direct
        f.write(b"y" * (2 * RUN_MIN))
    assert (tmp_path / "r.bin").read_bytes() == b"y" * (2 * RUN_MIN)
    assert sha256_file(tmp_path / "r.bin") == hashlib.sha256(b"y" * (2 * RUN_MIN)).hexdigest()


def test_a_hole_below_the_logical_end_reads_as_zeros(direct_dir: Path) -> None:
    """A run gathered from an aligned offset past the file's end: the gap before it reads as zeros."""
    with DirectFile(direct_dir / "hole.bin") as f:
        f.seek(2 * ALIGN)
        f.write(b"z" * RUN_MIN)  # aligned: nothing of it in the file yet
        f.seek(100)
        assert f.read(50) == bytes(50)
        assert f.tell() == 150
        f.seek(2 * ALIGN - 10)
        assert f.read(20) == bytes(10) + b"z" * 10
    assert (direct_dir / "hole.bin").read_bytes() == bytes(2 * ALIGN) + b"z" * RUN_MIN


def test_a_closed_file_takes_no_io(tmp_path: Path) -> None:
    """After close, its descriptor numbers may be another file's: every operation raises."""
    f = DirectFile(tmp_path / "c.bin")
    f.write(b"a")
    f.close()
    f.close()  # idempotent
    other = tmp_path / "other.bin"
    other.write_bytes(b"keep me")
    for op in (lambda: f.seek(0), f.tell, lambda: f.write(b"b"), lambda: f.read(1), lambda: f.truncate(0),
               f.flush, f.fileno):
        with pytest.raises(ValueError, match="closed file"):
            op()
    assert other.read_bytes() == b"keep me"


def test_the_hash_falls_back_when_a_direct_read_is_refused_or_short(direct_dir: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = direct_dir / "rd.bin"
    data = np.random.default_rng(4).bytes(10 * ALIGN + 5)
    path.write_bytes(data)
    want = hashlib.sha256(data).hexdigest()
    real = os.preadv

    def refused(fd, bufs, off):
        raise OSError(errno.EINVAL, "refused")

    monkeypatch.setattr(direct_io.os, "preadv", refused)
    assert sha256_file(path, block=4 * ALIGN) == want
    calls = []

    def short_once(fd, bufs, off):  # the second read comes back with half a block
        calls.append(off)
        got = real(fd, bufs, off)
        return min(got, ALIGN + 7) if len(calls) == 2 else got

    monkeypatch.setattr(direct_io.os, "preadv", short_once)
    assert sha256_file(path, block=4 * ALIGN) == want
    with pytest.raises(ValueError, match="multiple of 4096"):
        sha256_file(path, block=1000)


def test_samples_file_survives_failing_direct_writes(direct_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every direct write fails with EIO (also the last one, at ``finish``): the file is written
    buffered and is the same as one written buffered from the start."""
    rng = np.random.default_rng(6)
    n = 3 * CHUNK_ROWS + 5
    outputs = {"actor_balance": rng.standard_normal((n, 9))}
    paths = []
    for failing in (True, False):
        path = direct_dir / f"fail{failing}.nc"
        sf = SamplesFile(path, n, {"actor_balance": (9,)}, [f"a{i}" for i in range(9)], direct=failing)
        if failing:
            _spy_direct(monkeypatch, sf._fh, lambda data, off, real: (_ for _ in ()).throw(OSError(errno.EIO, "x")))
        sf.write_rows(outputs, None, n)
        sf.finish({"title": "t"})
        monkeypatch.undo()
        paths.append(path)
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_an_error_of_the_write_in_flight_is_raised_by_every_later_operation(
        direct_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The I/O thread's write fails for good (the direct write and its buffered fallback): the error
    comes from the next operation and from every one after it, so a caller that swallows one exception
    cannot go on and leave a hole in the file."""
    real = os.pwrite
    with DirectFile(direct_dir / "sticky.bin") as f:
        dfd, fd = f._dfd, f._fd

        def fail(fdn: int, data, off: int) -> int:
            if fdn == dfd or (fdn == fd and memoryview(data).nbytes > ALIGN):
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(fdn, data, off)

        monkeypatch.setattr(direct_io.os, "pwrite", fail)
        f.seek(0)
        f.write(b"q" * (GATHER + RUN_MIN))  # one full buffer handed to the I/O thread
        for op in (lambda: f.seek(0) or f.read(10), lambda: f.write(b"m"), f.flush, lambda: f.truncate(5)):
            with pytest.raises(OSError, match="No space left"):
                op()
        with pytest.raises(OSError, match="No space left"):
            f.close()
        assert f.closed
    monkeypatch.undo()
