"""samples.nc streamed to disk while the Monte Carlo computes (issue 14, item 4).

The chunk encoding is checked against independent decoders (zlib's inflate,
HDF5's own filter pipeline through h5py), the streamed file against the
in-memory dataset of the same run (:func:`mkba_mc.io.results.to_dataset`),
and the all-or-nothing rule of the result folder under failures.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import threading
import time
import tracemalloc
import zlib
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr
from isal import isal_zlib
from typer.testing import CliRunner

import mkba_mc.io.direct_io
import mkba_mc.io.reserve
import mkba_mc.io.samples_file
from mkba_mc.cli import app
from mkba_mc.execution.montecarlo import DEFAULT_OUTPUTS, PROGRAMME_KEPT, run
from mkba_mc.io.results import to_dataset, with_programme_band, write_run, write_samples
from mkba_mc.io.chunk_codec import ChunkEncoder
from mkba_mc.io.samples_file import CHUNK_ROWS, SamplesFile, deflate_chunk, shuffled
from mkba_mc.io.samples_file import stored_chunks as _chunks
from mkba_mc.io.stream import RunOutput, run_output

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
runner = CliRunner()
#: Attributes that differ between two writes of the same run.
_TIMELY = {"created_utc", "command"}


def _cli(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _shuffle_by_hand(a: np.ndarray) -> bytes:
    """HDF5's shuffle filter written out element by element (H5Zshuffle.c):
    byte ``k`` of element ``i`` goes to position ``k * m + i``."""
    raw = a.tobytes()
    size, m = a.itemsize, a.size
    out = bytearray(len(raw))
    for i in range(m):
        for k in range(size):
            out[k * m + i] = raw[i * size + k]
    return bytes(out)


def _litter(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------------ the encoding
@pytest.mark.parametrize("kind", ["random", "outputs", "constant", "with_nan"])
def test_chunk_is_a_zlib_stream_of_the_shuffled_bytes(kind: str) -> None:
    rng = np.random.default_rng(5)
    a = {"random": rng.standard_normal(3000) * 1e6,
         "outputs": np.round(rng.lognormal(12, 0.4, 3000), 2),
         "constant": np.full(3000, 1.5),
         "with_nan": np.where(rng.random(3000) < 0.2, np.nan, rng.random(3000))}[kind]
    blob = deflate_chunk(a)
    assert zlib.decompress(blob) == _shuffle_by_hand(a)  # zlib's inflate checks the Adler-32 too
    assert len(blob) <= a.nbytes * 1.002 + 64  # stored planes cost 5 bytes per 64 KiB
    if kind == "constant":
        assert len(blob) < 0.02 * a.nbytes
    if kind == "random":
        # sign/exponent bytes compress, the near-random mantissa bytes are stored
        assert 0.70 * a.nbytes < len(blob) < 0.95 * a.nbytes


@pytest.mark.parametrize("kind", ["float", "with_nan", "int64", "column_major_slice", "two_d"])
def test_compiled_shuffle_gives_the_same_bytes(kind: str) -> None:
    """The compiled shuffle (runs from 2^18 samples) against HDF5's shuffle written out by hand,
    and the whole encoded chunk against the one NumPy's shuffle gives."""
    rng = np.random.default_rng(11)
    store = np.asfortranarray(rng.lognormal(10, 2, (5000, 9)) * np.where(rng.random((5000, 9)) < 0.3, -1, 1))
    a = {"float": rng.standard_normal(3001) * 1e5,
         "with_nan": np.where(rng.random(2048) < 0.2, np.nan, rng.random(2048)),
         "int64": np.arange(-1000, 2000, dtype=np.int64) * 123457,
         "column_major_slice": store[1000:3000],  # the output store's rows: not C-contiguous
         "two_d": rng.standard_normal((700, 43))}[kind]
    assert shuffled(a, compiled=True).tobytes() == _shuffle_by_hand(np.ascontiguousarray(a))
    # the compiled runs deflate with their own kernel: other bytes, the same content, no larger
    compiled, plain = deflate_chunk(a, compiled=True), deflate_chunk(a, compiled=False)
    assert zlib.decompress(compiled) == zlib.decompress(plain) == _shuffle_by_hand(np.ascontiguousarray(a))
    assert isal_zlib.decompress(compiled) == zlib.decompress(plain)
    assert len(compiled) <= 1.01 * len(plain) + 64


def test_chunks_decode_through_hdf5_filters(tmp_path: Path) -> None:
    """HDF5 (gzip + shuffle filters declared) decodes the directly written chunks."""
    rng = np.random.default_rng(2)
    rows = 1000
    data = {"x": rng.standard_normal(2500), "m": rng.standard_normal((2500, 9))}
    data["x"][::7] = np.nan
    with h5py.File(tmp_path / "t.h5", "w") as f:
        for name, a in data.items():
            ds = f.create_dataset(name, shape=a.shape, dtype="f8", chunks=(rows, *a.shape[1:]), compression="gzip",
                                  compression_opts=1, shuffle=True, fillvalue=np.nan)
            for s in range(0, len(a), rows):
                chunk = np.full((rows, *a.shape[1:]), np.nan)
                chunk[:len(a[s:s + rows])] = a[s:s + rows]
                ds.id.write_direct_chunk((s, *([0] * (a.ndim - 1))), deflate_chunk(chunk))
    with h5py.File(tmp_path / "t.h5") as f:
        for name, a in data.items():
            np.testing.assert_array_equal(f[name][...], a, err_msg=name)


def test_a_plane_deflated_on_its_probe_but_random_after_it_fits_the_buffer() -> None:
    """The probe sees a plane's first bytes only: zeros there and random bytes
    after them make every plane deflated though it does not compress (zlib
    then writes stored blocks of 16 KiB, 5 bytes each).  A wide 2-D chunk of
    such planes (16,384 x 200) fits the encoder's buffer and decodes."""
    rng = np.random.default_rng(1)
    cols = 200
    planes = rng.integers(0, 256, (8, CHUNK_ROWS * cols), dtype=np.uint8)
    planes[:, :512] = 0  # the probe's first half: it deflates below the threshold
    a = np.ascontiguousarray(planes.T).view(np.float64).reshape(CHUNK_ROWS, cols)
    assert shuffled(a).tobytes() == planes.tobytes()
    blob = ChunkEncoder().encode(a, "wide")
    assert zlib.decompress(blob.tobytes()) == planes.tobytes()
    assert blob.size > a.nbytes  # every plane deflated, none shrank: more than the raw bytes


def test_encoder_reuses_its_buffers_and_writes_the_same_bytes() -> None:
    """One ChunkEncoder a slot of the writer: chunk after chunk it writes into
    the same buffer of a variable (no new memory a chunk), a buffer per
    variable (the chunks of one row group wait together to be written), and
    the bytes of deflate_chunk, which zlib inflates to the shuffle by hand."""
    rng = np.random.default_rng(8)
    enc = ChunkEncoder(compiled=True)
    first = enc.encode(rng.standard_normal(2000) * 1e5, "x")
    kept = first.tobytes()
    other = enc.encode(np.round(rng.lognormal(10, 1, (300, 9)), 2), "m")  # another variable: another buffer
    assert first.tobytes() == kept and not np.shares_memory(first, other)
    for a in (rng.standard_normal(2000), np.full(2000, -3.25), np.where(rng.random(2000) < 0.3, np.nan, 1.0)):
        blob = enc.encode(a, "x")
        assert np.shares_memory(blob, first)  # the same buffer, overwritten
        assert blob.tobytes() == deflate_chunk(a, compiled=True)
        assert zlib.decompress(blob) == _shuffle_by_hand(a)
    big = rng.standard_normal(50_000)  # more than the buffer holds: it grows
    assert zlib.decompress(enc.encode(big, "x")) == _shuffle_by_hand(big)


@pytest.mark.parametrize("compiled", [False, True])
def test_samples_file_is_the_same_whatever_its_encoding_threads(tmp_path: Path, compiled: bool) -> None:
    """Chunks are encoded by up to ``threads`` encoders at a time into buffers
    they reuse; each is written before its buffer is used again, in sample
    order: the same chunks with 1 thread and 2, and the values come back."""
    rng = np.random.default_rng(9)
    n = 5 * CHUNK_ROWS + 7
    outputs = {"balance": rng.standard_normal(n) * 1e5, "actor_balance": rng.standard_normal((n, 9))}
    files = []
    for threads in (1, 2):
        path = tmp_path / f"t{threads}.nc"
        sf = SamplesFile(path, n, {"balance": (), "actor_balance": (9,)}, [f"a{i}" for i in range(9)],
                         threads=threads, compiled=compiled)
        sf.threads = threads  # two encoders even on a one-core machine (the constructor caps at the cores)
        for stop in (CHUNK_ROWS + 5, 3 * CHUNK_ROWS, n):  # rows become final in steps, as during a run
            sf.write_rows(outputs, None, stop)
        sf.finish({"title": "t"})
        files.append(path)
    assert _chunks(files[0]) == _chunks(files[1])
    with h5py.File(files[1]) as f:
        for name, a in outputs.items():
            np.testing.assert_array_equal(f[name][...], a, err_msg=name)
        np.testing.assert_array_equal(f["sample"][...], np.arange(n))


# ------------------------------------------------------ the streamed file
@pytest.fixture(scope="module")
def streamed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stream") / "run"
    r = _cli("run", B2, "-n", 3 * CHUNK_ROWS + 123, "--seed", 4, "--programme", "--keep-inputs", "--workers", 2,
             "--out", out)
    assert r.exit_code == 0, r.output
    return out


def test_streamed_file_holds_the_in_memory_dataset(streamed: Path, sc) -> None:
    n = 3 * CHUNK_ROWS + 123
    res = run(sc, n, seed=4, workers=2, keep_inputs=True, outputs=[*DEFAULT_OUTPUTS, *PROGRAMME_KEPT])
    ref = with_programme_band(to_dataset(res), res)
    with xr.open_dataset(streamed / "samples.nc") as back:
        back.load()
    assert set(back.variables) == set(ref.variables)
    for name, var in ref.variables.items():
        assert back[name].dims == var.dims and back[name].dtype == var.dtype, name
        np.testing.assert_array_equal(back[name].values, var.values, err_msg=name)
        assert back[name].attrs == var.attrs, name
    assert {k: v for k, v in back.attrs.items() if k not in _TIMELY | {"seed"}} == \
           {k: v for k, v in ref.attrs.items() if k not in _TIMELY | {"seed"}}
    assert back.attrs["seed"] == 4 and back.attrs["seed"].dtype == np.uint64
    enc = back["balance"].encoding
    assert enc["zlib"] and enc["shuffle"] and enc["chunksizes"] == (CHUNK_ROWS,), enc
    manifest = json.loads((streamed / "manifest.json").read_text())
    sha = hashlib.sha256((streamed / "samples.nc").read_bytes()).hexdigest()
    assert manifest["files"]["samples.nc"] == sha and manifest["n"] == n


def test_same_chunks_whatever_chunk_size_workers_or_streaming(streamed: Path, tmp_path: Path, sc) -> None:
    n = 3 * CHUNK_ROWS + 123
    other = tmp_path / "other"
    r = _cli("run", B2, "-n", n, "--seed", 4, "--programme", "--keep-inputs", "--workers", 1, "--chunk-size", 5000,
             "--scheduler", "threads", "--out", other)
    assert r.exit_code == 0, r.output
    after = tmp_path / "after"  # written from the arrays after the run (no sink: batch, --target-se)
    res = run(sc, n, seed=4, workers=1, keep_inputs=True, outputs=[*DEFAULT_OUTPUTS, *PROGRAMME_KEPT])
    write_run(res, after)
    first = _chunks(streamed / "samples.nc")
    assert len(first["ratio_social"]) == 4 and len(first["inputs"]) == 4
    assert _chunks(other / "samples.nc") == first
    assert _chunks(after / "samples.nc") == first


@pytest.mark.parametrize("direct", [False, True])
def test_writer_pushes_the_file_to_disk_during_the_run(streamed: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch, direct: bool) -> None:
    """Written buffered (no ``O_DIRECT`` here), with a small sync threshold the
    writer fdatasyncs its file while the run computes (so the final fsync has
    little left), in a thread of its own (the writer goes on encoding
    meanwhile), and the file keeps its chunks.  Written direct, the chunks go
    to the disk as they are written and nothing is synced during the run."""
    if not direct:
        monkeypatch.setattr(mkba_mc.io.direct_io, "_O_DIRECT", 0)
    else:
        probe = mkba_mc.io.direct_io.open_direct(tmp_path / "probe", os.O_RDWR | os.O_CREAT)
        if probe is None:
            pytest.skip("this temporary folder takes no O_DIRECT (tests/unit/test_direct_io.py covers it elsewhere)")
        os.close(probe)
        (tmp_path / "probe").unlink()
    synced: list[str] = []
    real = mkba_mc.io.samples_file.os.fdatasync

    def counting(fd: int) -> None:
        synced.append(threading.current_thread().name)
        time.sleep(0.05)  # a slow disk: requests arriving meanwhile are left to the next sync
        real(fd)

    monkeypatch.setattr(mkba_mc.io.samples_file, "SYNC_BYTES", 1)
    monkeypatch.setattr(mkba_mc.io.samples_file.os, "fdatasync", counting)
    out = tmp_path / "synced"
    r = _cli("run", B2, "-n", 3 * CHUNK_ROWS + 123, "--seed", 4, "--programme", "--keep-inputs", "--workers", 2,
             "--out", out)
    assert r.exit_code == 0, r.output
    if direct:
        assert synced == []
    else:
        assert synced, "no fdatasync during the run"
        assert all(name.startswith("mkba-fdatasync") for name in synced), synced  # never the writer's thread
    assert _chunks(out / "samples.nc") == _chunks(streamed / "samples.nc")


class _Recorder:
    """A sink that checks, at every ``advance``, that the rows it is given are final."""

    def __init__(self) -> None:
        self.stops: list[int] = []
        self.seen: dict[int, np.ndarray] = {}

    def start(self, outputs, inputs, n) -> None:
        self.outputs, self.n, self.inputs = outputs, n, inputs

    def advance(self, stop: int) -> None:
        self.stops.append(stop)
        self.seen[stop] = self.outputs["ratio_social"][:stop].copy()

    def wait(self) -> None:
        self.waited = True


def test_sink_gets_final_rows_in_sample_order_during_the_run(sc) -> None:
    sink = _Recorder()
    n = 3 * (1 << 16) + 17
    res = run(sc, n, seed=9, workers=2, backend="processes", sink=sink)
    assert sink.n == n and sink.waited and res.sink is sink
    assert sink.stops == sorted(sink.stops) and sink.stops[-1] == n and len(sink.stops) == 4
    for stop, rows in sink.seen.items():
        np.testing.assert_array_equal(rows, res.outputs["ratio_social"][:stop])


def test_writer_memory_does_not_grow_with_n(sc, tmp_path: Path) -> None:
    """Writing encodes a few chunks at a time: the Python-heap peak is the
    same at 2^17 and 2^18 samples, and a few chunks of the widest variable."""
    peaks = []
    for n in (1 << 17, 1 << 18):
        res = run(sc, n, seed=1, workers=1, keep_inputs=True)
        tracemalloc.start()
        write_samples(res, tmp_path / f"s{n}.nc")
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        widest = 8 * CHUNK_ROWS * len(res.inputs or ())  # bytes of one chunk of ``inputs``
        raw = 8 * n * (1 + sum(int(np.prod(a.shape[1:])) for a in res.outputs.values()) + len(res.inputs or ()))
    assert peaks[1] < 10 * widest < raw / 2, (peaks, widest, raw)  # a copy of the samples would be ``raw``
    assert peaks[1] < 1.2 * peaks[0] + (1 << 20), peaks  # whatever n


# ------------------------------------------------------------- failures
def test_failing_write_during_the_run_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    encode = SamplesFile._encode

    def full_after_one_chunk(self: SamplesFile, outputs, inputs, s: int, slot: int = 0):
        if s >= CHUNK_ROWS:
            raise OSError(errno.ENOSPC, "No space left on device", str(self.path))
        return encode(self, outputs, inputs, s, slot)

    monkeypatch.setattr(SamplesFile, "_encode", full_after_one_chunk)
    out = tmp_path / "o"
    r = _cli("run", B2, "-n", 200_000, "--seed", 1, "--workers", 2, "--out", out)
    assert r.exit_code == 1 and "No space left on device" in r.stderr and "Traceback" not in r.output, r.output
    assert _litter(tmp_path) == []


def test_full_disk_is_found_before_computing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int, nbytes: int, path) -> bool:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    computed = []
    monkeypatch.setattr(mkba_mc.io.reserve, "reserve", full)
    monkeypatch.setattr(mkba_mc.io.samples_file.SamplesFile, "write_rows", lambda *a: computed.append(a))
    r = _cli("run", B2, "-n", 100_000, "--seed", 1, "--workers", 1, "--out", tmp_path / "o")
    assert r.exit_code == 1 and "No space left on device" in r.stderr and "samples.nc" in r.stderr, r.output
    assert computed == [] and _litter(tmp_path) == []


def test_interrupted_run_leaves_nothing(tmp_path: Path, sc) -> None:
    calls = []

    def stop(step: int, total: int) -> None:
        calls.append(step)
        if len(calls) == 2:
            raise KeyboardInterrupt

    out = tmp_path / "o"
    with pytest.raises(KeyboardInterrupt), run_output(out) as sink:
        run(sc, 3 << 16, seed=1, workers=2, sink=sink, progress=stop)
    assert _litter(tmp_path) == []


def test_target_se_run_is_written_after_the_run(tmp_path: Path) -> None:
    out = tmp_path / "o"
    r = _cli("run", B2, "-n", 1 << 17, "--seed", 3, "--target-se", 0.004, "--workers", 1, "--out", out)
    assert r.exit_code == 0, r.output
    manifest = json.loads((out / "manifest.json").read_text())
    with xr.open_dataset(out / "samples.nc") as ds:
        assert ds.sizes["sample"] == manifest["n"] == manifest["convergence"]["n"] < 1 << 17
        assert int(ds.attrs["seed"]) == 3
    assert _litter(tmp_path) == ["o"]


def test_samples_file_is_closed_and_hashed_while_the_summary_is_computed(tmp_path: Path, sc,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """``complete()``: once every row is given the writer closes samples.nc and
    its SHA-256 starts, before the engine computes the summary; the manifest
    gets that hash, and the run's wall time stays out of the file's attributes."""
    import mkba_mc.execution.montecarlo as engine

    order: list[str] = []
    summarize, complete = engine._summarize, RunOutput.complete

    def summarizing(job, evaluator, n):
        order.append("summary")
        return summarize(job, evaluator, n)

    def completing(self, result):
        order.append("complete")
        assert result.n == n and result.plan.seed == 6  # the run as the engine has it before its summary
        return complete(self, result)

    monkeypatch.setattr(engine, "_summarize", summarizing)
    monkeypatch.setattr(RunOutput, "complete", completing)
    out = tmp_path / "o"
    n = 2 * CHUNK_ROWS + 7
    with run_output(out, command=["mkba-mc", "run", "test"]) as sink:
        res = run(sc, n, seed=6, workers=2, sink=sink)
        assert sink._finished and sink._sha is not None  # closed by complete(), not by commit()
        staged = sink.staging / "samples.nc"
        assert sink._sha.result() == hashlib.sha256(staged.read_bytes()).hexdigest()
        with xr.open_dataset(staged) as ds:  # a whole, readable file before the folder is committed
            assert ds.sizes["sample"] == n and "elapsed_seconds" not in ds.attrs
            assert json.loads(ds.attrs["command"]) == ["mkba-mc", "run", "test"]
            np.testing.assert_array_equal(ds["balance"].values, res.outputs["balance"])
        write_run(res, out, command=["mkba-mc", "run", "test"])
    assert order == ["complete", "summary"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]["samples.nc"] == hashlib.sha256((out / "samples.nc").read_bytes()).hexdigest()
    assert manifest["elapsed_seconds"] == round(res.elapsed, 3) > 0
    assert _litter(tmp_path) == ["o"]


def test_a_cancelled_commit_renames_nothing(tmp_path: Path, sc) -> None:
    """Ctrl-C while another thread commits (``run --out``: cli/overlap.py)
    cancels the commit before the folder is renamed into place."""
    out = tmp_path / "o"
    with run_output(out) as sink:
        res = run(sc, 3000, seed=1, workers=1, sink=sink)
        sink.cancel()
        with pytest.raises(KeyboardInterrupt):
            write_run(res, out)
    assert _litter(tmp_path) == []


def test_failure_after_the_file_is_closed_leaves_nothing(tmp_path: Path, sc) -> None:
    """A run whose samples.nc was closed and hashed, but whose folder is never
    committed (an error in the summary, the other files or the caller), leaves no folder."""
    out = tmp_path / "o"
    with pytest.raises(RuntimeError, match="after the run"), run_output(out) as sink:
        run(sc, CHUNK_ROWS + 1, seed=2, workers=1, sink=sink)
        assert sink._finished
        raise RuntimeError("after the run")
    assert _litter(tmp_path) == []
