"""The compiled deflate of byte planes (mkba_mc.io.deflate_kernel, mkba_mc.io.huffman).

The code lengths are checked against independent constructions: the
textbook Huffman algorithm on a heap (optimal when no code exceeds the
limit) and package-merge (Larmore and Hirschberg 1990: the optimal lengths
under a limit).  The streams are decoded by two independent inflaters,
zlib's (HDF5's deflate filter) and ISA-L's, over planes built to reach
every path: literals only, runs of every length around the limits (3, 258,
259), constant planes, planes longer than a stored block, and counts that
force the length limit.
"""

from __future__ import annotations

import heapq
import subprocess
import sys
import zlib

import numpy as np
import pytest
from isal import isal_zlib

from mkba_mc.io.chunk_codec import ChunkEncoder, capacity, shuffled
from mkba_mc.io.deflate_kernel import PLAN, deflate_plane, plan_top, write_top
from mkba_mc.io.huffman import canonical_codes, code_lengths


def _heap_huffman(freq: np.ndarray) -> tuple[int, int]:
    """Total bits and longest length of an optimal (unlimited) Huffman code,
    by the textbook algorithm on a heap."""
    heap = [(int(f), i, 0) for i, f in enumerate(freq) if f > 0]  # (weight, tie-break, depth of the subtree)
    heapq.heapify(heap)
    cost, k = 0, len(heap)
    while len(heap) > 1:
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        cost += a[0] + b[0]
        k += 1
        heapq.heappush(heap, (a[0] + b[0], k, max(a[2], b[2]) + 1))
    return cost, heap[0][2]


def _package_merge_cost(freq: np.ndarray, limit: int) -> int:
    """Total bits of the optimal code whose lengths are at most ``limit`` (package-merge)."""
    leaves = sorted(int(f) for f in freq if f > 0)
    n = len(leaves)
    # each item: (weight, number of leaves of each symbol it contains, as a tuple of counts)
    items: list[tuple[int, tuple[int, ...]]] = []
    for _ in range(limit):
        merged = sorted([(w, tuple(1 if j == i else 0 for j in range(n))) for i, w in enumerate(leaves)]
                        + [(a[0] + b[0], tuple(x + y for x, y in zip(a[1], b[1])))
                           for a, b in zip(items[0::2], items[1::2])], key=lambda t: t[0])
        items = merged
    chosen = items[:2 * n - 2]
    depth = [sum(c[1][i] for c in chosen) for i in range(n)]
    return sum(w * d for w, d in zip(leaves, depth))


def _lengths(freq: np.ndarray, limit: int) -> np.ndarray:
    lens = np.zeros(freq.size, dtype=np.int64)
    code_lengths(np.asarray(freq, dtype=np.int64), limit, lens)
    return lens


def _kraft(lens: np.ndarray, limit: int) -> int:
    return int(sum(1 << (limit - int(x)) for x in lens if x > 0))


@pytest.mark.parametrize("seed", range(12))
def test_code_lengths_are_optimal_against_a_heap_huffman(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(2, 287))
    freq = rng.lognormal(3, 0.5 + seed / 8, size).astype(np.int64) * (rng.random(size) < 0.7)
    freq[rng.integers(size)] += 1
    freq[(rng.integers(size) + 1) % size] += 3
    lens = _lengths(freq, 15)
    assert np.all((lens > 0) == (freq > 0))
    assert np.count_nonzero(freq) >= 2
    assert lens.max() <= 15 and _kraft(lens, 15) == 1 << 15  # complete
    want, depth = _heap_huffman(freq)
    assert depth <= 15  # these counts need no limit: the lengths are optimal
    assert int(np.dot(freq, lens)) == want


def test_code_lengths_under_the_limit_are_complete_and_near_optimal() -> None:
    """Fibonacci counts make the optimal code as deep as there are symbols:
    cut to 15 (and 7) bits, the code stays complete and close to the
    optimal limited code (package-merge).  miniz's cut is a heuristic: on
    these, the most adversarial counts, it costs 11 % more bits than the
    optimum for the 19 code-length symbols under 7 bits (the plane's own
    code is a few hundred bits of a block's header)."""
    fib = [1, 1]
    while len(fib) < 30:
        fib.append(fib[-1] + fib[-2])
    for limit, n, slack in ((15, 30, 1.02), (7, 19, 1.12)):
        freq = np.array(fib[:n], dtype=np.int64)
        assert _package_merge_cost(freq, 64) < _package_merge_cost(freq, limit)  # the limit binds
        lens = _lengths(freq, limit)
        assert lens.max() == limit and _kraft(lens, limit) == 1 << limit
        optimum = _package_merge_cost(freq, limit)
        assert optimum <= int(np.dot(freq, lens)) <= slack * optimum


def test_one_symbol_gets_one_bit_and_codes_are_prefix_free() -> None:
    freq = np.zeros(19, dtype=np.int64)
    freq[4] = 9
    lens = _lengths(freq, 7)
    assert lens[4] == 1 and lens.sum() == 1
    rng = np.random.default_rng(3)
    freq = rng.integers(0, 1000, 286).astype(np.int64)
    lens = _lengths(freq, 15)
    codes = np.zeros(286, dtype=np.int64)
    canonical_codes(lens, codes)
    # deflate sends codes least significant bit first: the reversed bits are the canonical code
    words = [format(int(c), f"0{int(n)}b")[::-1] for c, n in zip(codes, lens) if n > 0]
    assert len(set(words)) == len(words)
    assert not any(a != b and b.startswith(a) for a in words for b in words)


def _planes(kind: str, rng: np.random.Generator, m: int) -> np.ndarray:
    if kind == "random":
        return rng.integers(0, 256, m, dtype=np.uint8)
    if kind == "few":
        return rng.choice(np.array([0x3F, 0x40, 0xC0], dtype=np.uint8), m, p=[0.6, 0.3, 0.1])
    if kind == "constant":
        return np.full(m, 0x41, dtype=np.uint8)
    if kind == "runs":  # runs of every length around the match limits
        lengths = rng.choice([1, 2, 3, 4, 257, 258, 259, 260, 516, 1000], size=m)
        values = rng.integers(0, 4, size=m).astype(np.uint8)
        return np.repeat(values, lengths)[:m]
    if kind == "skewed":  # counts like Fibonacci numbers: the length limit binds
        fib = [1, 1]
        while sum(fib) < m:
            fib.append(fib[-1] + fib[-2])
        out = np.concatenate([np.full(f, i, dtype=np.uint8) for i, f in enumerate(fib)])[:m]
        return rng.permutation(out)
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["random", "few", "constant", "runs", "skewed"])
@pytest.mark.parametrize("m", [1, 2, 3, 7, 258, 259, 16_384, 70_000])
def test_a_deflated_plane_inflates_to_itself(kind: str, m: int) -> None:
    rng = np.random.default_rng(m)
    data = _planes(kind, rng, m)
    out = np.zeros(2 * m + 1024, dtype=np.uint8)
    end = deflate_plane(data, out, 0, 1e9)  # any size is worth it here
    assert end > 0
    assert deflate_plane(data, np.zeros(end + 7, dtype=np.uint8), 0, 1e9) == -1  # no room: nothing written
    raw = out[:end].tobytes() + b"\x01\x00\x00\xff\xff"  # the final (empty, stored) block
    assert zlib.decompressobj(-15).decompress(raw) == data.tobytes()
    assert isal_zlib.decompressobj(-15).decompress(raw) == data.tobytes()
    if kind == "constant" and m >= 16_384:
        assert end < m / 100
    assert deflate_plane(data, out, 0, (end - 1) / m) == -1  # not worth it: nothing written
    assert deflate_plane(data, out, 0, (end + 1) / m) == end


@pytest.mark.parametrize("seed", range(40))
def test_encoded_chunks_inflate_with_zlib_and_isal(seed: int) -> None:
    """Whole chunks through the compiled encoder: values of many kinds, 1-D
    and 2-D, with NaN, constant columns and integer values."""
    rng = np.random.default_rng(100 + seed)
    rows = int(rng.choice([1, 5, 1000, 16_384]))
    cols = int(rng.choice([0, 0, 9, 43]))
    shape = (rows,) if cols == 0 else (rows, cols)
    kind = seed % 5
    if kind == 0:
        a = rng.lognormal(10, 1, shape) * np.where(rng.random(shape) < 0.4, -1, 1)
    elif kind == 1:
        a = np.round(rng.normal(1.5, 0.3, shape), 2)
    elif kind == 2:
        a = rng.integers(0, 12, shape).astype(np.float64)
    elif kind == 3:
        a = np.where(rng.random(shape) < 0.3, np.nan, rng.random(shape))
    else:
        a = np.arange(rows * max(cols, 1), dtype=np.int64).reshape(shape) * int(rng.integers(1, 1000))
    blob = ChunkEncoder(compiled=True).encode(a, "x")
    want = shuffled(a).tobytes()
    assert blob.size <= capacity(a.nbytes)
    assert zlib.decompress(blob.tobytes()) == want  # zlib checks the Adler-32 as well
    assert isal_zlib.decompress(blob.tobytes()) == want


def test_top_planes_stop_at_the_first_not_worth_deflating() -> None:
    """The sign/exponent plane is deflated, the random one below it stops the
    descent: planes above a stored one are deflated only while each pays."""
    rng = np.random.default_rng(4)
    planes = rng.integers(0, 256, (8, 4096), dtype=np.uint8)
    planes[7] = 0x40
    planes[5] = 0  # compresses, but lies below the random plane 6: stored
    plans = np.zeros((8, PLAN), dtype=np.int64)
    cut = plan_top(planes, 0.6, plans)
    assert cut == 7
    out = np.zeros(200, dtype=np.uint8)
    end = write_top(planes, cut, plans, out, 0)
    assert 0 < end < 100
    raw = out[:end].tobytes() + b"\x01\x00\x00\xff\xff"
    assert zlib.decompressobj(-15).decompress(raw) == planes[7].tobytes()
    with pytest.raises(ValueError, match="no room"):
        write_top(planes, cut, plans, np.zeros(end + 7, dtype=np.uint8), 0)


def test_the_writer_thread_never_compiles(tmp_path) -> None:
    """A compiled SamplesFile loads the kernels when it is made (in the thread
    that starts the run), with the very signatures its chunks use: encoding
    real chunks of every shape adds none (a compile in the writer thread took
    about 10 s after installing, and Ctrl-C waited for it).  In a fresh
    interpreter, so that no other test has compiled them."""
    script = f"""
import numpy as np
from mkba_mc.io import deflate_kernel, shuffle_kernel
from mkba_mc.io.samples_file import SamplesFile
kernels = (deflate_kernel.plan_top, deflate_kernel.write_top, shuffle_kernel.shuffle8)
assert not any(k.signatures for k in kernels)
sf = SamplesFile({str(tmp_path / "s.nc")!r}, 40_000, {{"x": (), "m": (9,)}}, [f"a{{i}}" for i in range(9)],
                 parameters=["p", "q"], compiled=True)
loaded = [list(k.signatures) for k in kernels]
assert all(loaded), loaded
rng = np.random.default_rng(0)
outputs = {{"x": rng.standard_normal(40_000), "m": np.asfortranarray(rng.standard_normal((40_000, 9)))}}
sf.write_rows(outputs, {{"p": rng.random(40_000), "q": np.full(40_000, 2.0)}}, 40_000)
sf.finish({{"title": "t"}})
assert [list(k.signatures) for k in kernels] == loaded
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
