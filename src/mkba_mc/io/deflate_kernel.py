"""Deflate of a chunk's byte planes, compiled (numba): run-length matches and one Huffman code a plane.

:class:`mkba_mc.io.chunk_codec.ChunkEncoder` deflates the byte planes of a
shuffled chunk whose bytes repeat (the sign and exponent bytes of the
doubles, the high bytes of the sample index) and stores the others.  zlib's
run-length strategy took 87 ms of the 148 ms that encoder spent on 2^20
samples of the default outputs, and the zlib probes of 1 KiB that decide
which planes to deflate another 34 ms (measured 2026-12-07).  This module
does the same job compiled, for the runs whose sampling is compiled
(from 2^18 samples; smaller runs keep zlib and need no numba):

- **Tokens** as zlib's ``Z_RLE`` strategy finds them (``deflate_rle`` in
  zlib's ``deflate.c``): at each byte, a run of at least 3 bytes equal to
  the byte before it becomes a match of distance 1 and length up to 258
  (RFC 1951 §3.2.5), anything else a literal.  References stay inside the
  plane.
- **Literals only** where fewer than three bytes in four repeat the byte
  before them (the sign and exponent bytes of outputs whose sign changes
  from sample to sample): there the branch between literal and run is
  taken at random, and zlib and the run-length loop both ran at 8-9 ns a
  byte against about 1 without it.
- **One dynamic Huffman block** (RFC 1951 §3.2.7) per plane, its codes from
  the plane's own counts (:mod:`mkba_mc.io.huffman`).  The distance code
  always has two codes of one bit, as zlib sends at least two codes for
  every tree (``build_tree`` in ``trees.c``), so every code is complete.
- **The decision without a probe**: the plane's exact encoded size is known
  from its counts before a bit is written (:func:`plan_plane`), so a plane
  is deflated when that size is below ``worth`` of the plane, and stored
  otherwise; the planned blocks are then written straight after the stored
  planes (:func:`write_top`), without a buffer of their own.
- Each deflated plane ends with an empty stored block (what zlib's
  ``Z_FULL_FLUSH`` writes), so the next part starts on a byte boundary.

The bytes are a function of the plane and this code alone (no library
version, no memory state), and every inflater decodes them; the tests decode
them with zlib (HDF5's deflate filter) and ISA-L's independent inflate.
Whole chunks: 110 ms instead of 157 ms for 2^20 samples of the default
outputs and the sample index (shuffle and Adler-32 included), and 84.56 %
instead of 84.73 % of their raw size (measured 2026-12-07).
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numpy.typing import NDArray

from .huffman import canonical_codes, code_lengths, length_runs

# RFC 1951 §3.2.5: length codes 257..285, their base lengths and extra bits.
_LEN_BASE = np.array([3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
                      131, 163, 195, 227, 258], dtype=np.int64)
_LEN_EXTRA = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0],
                      dtype=np.int64)
#: For a match length 3..258: its code's index (the symbol less 257).
LENGTH_CODE = np.zeros(259, dtype=np.int64)
for _c in range(len(_LEN_BASE)):
    _top = _LEN_BASE[_c + 1] if _c + 1 < len(_LEN_BASE) else 259
    LENGTH_CODE[_LEN_BASE[_c]:_top] = _c
LENGTH_CODE[258] = 28  # 258 has a code of its own (285, no extra bits), not 284 with extra 31
LENGTH_BASE = _LEN_BASE
LENGTH_EXTRA = _LEN_EXTRA
#: RFC 1951 §3.2.7: the order in which the code-length code's lengths are sent.
CL_ORDER = np.array([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15], dtype=np.int64)
_CL_EXTRA = np.zeros(19, dtype=np.int64)
_CL_EXTRA[16], _CL_EXTRA[17], _CL_EXTRA[18] = 2, 3, 7
CL_EXTRA = _CL_EXTRA

_MAX_RUN = 258


@nb.njit(cache=True, nogil=True)
def _repeats(data: NDArray[np.uint8]) -> int:  # pragma: no cover - compiled
    """How many bytes of ``data`` equal the byte before them (a loop LLVM vectorises)."""
    eq = 0
    for j in range(1, data.size):
        eq += data[j] == data[j - 1]
    return eq


@nb.njit(cache=True, nogil=True)
def _histogram(data: NDArray[np.uint8], freq: NDArray[np.int64]) -> None:  # pragma: no cover - compiled
    """The byte counts of ``data`` into ``freq[:256]`` (the other counts
    zeroed): four partial histograms, so that a count does not wait for the
    one before it, and no branch on the data."""
    m = data.size
    h = np.zeros((4, 256), dtype=np.int64)
    i = 0
    while i + 4 <= m:
        h[0, data[i]] += 1
        h[1, data[i + 1]] += 1
        h[2, data[i + 2]] += 1
        h[3, data[i + 3]] += 1
        i += 4
    while i < m:
        h[0, data[i]] += 1
        i += 1
    for s in range(freq.size):
        freq[s] = 0
    for s in range(256):
        freq[s] = h[0, s] + h[1, s] + h[2, s] + h[3, s]


@nb.njit(cache=True, nogil=True)
def _run(data: NDArray[np.uint8], i: int) -> int:  # pragma: no cover - compiled
    """How many bytes from ``i`` (at most 258) equal the byte before it: 0 at
    once in the common case of a byte that differs.  The one tokenizer of
    :func:`_count_tokens` and :func:`_put_runs`: a run of 3 or more is a
    match of distance 1, anything shorter a literal."""
    b = data[i - 1]
    if data[i] != b:
        return 0
    j = i + 1
    top = min(data.size, i + _MAX_RUN)
    while j < top and data[j] == b:
        j += 1
    return j - i


@nb.njit(cache=True, nogil=True)
def _count_tokens(data: NDArray[np.uint8], freq: NDArray[np.int64]) -> int:  # pragma: no cover - compiled
    """Count the literal/length symbols of ``data``'s run-length tokens into
    ``freq`` (286 counts, the end of block included); returns the matches."""
    for s in range(freq.size):
        freq[s] = 0
    m = data.size
    matches = 0
    if m == 0:
        freq[256] = 1
        return 0
    freq[data[0]] += 1
    i = 1
    while i < m:
        run = _run(data, i)
        if run >= 3:
            freq[257 + LENGTH_CODE[run]] += 1
            matches += 1
            i += run
        else:
            freq[data[i]] += 1
            i += 1
    freq[256] += 1
    return matches


@nb.njit(cache=True, nogil=True)
def _put(out: NDArray[np.uint8], state: NDArray[np.int64], value: int, nbits: int) -> None:  # pragma: no cover
    """Append the ``nbits`` low bits of ``value`` (least significant first);
    ``state`` is ``[byte position, bit buffer, bits in it]``."""
    buf = state[1] | (value << state[2])
    cnt = state[2] + nbits
    pos = state[0]
    while cnt >= 8:
        out[pos] = buf & 0xFF
        pos += 1
        buf >>= 8
        cnt -= 8
    state[0] = pos
    state[1] = buf
    state[2] = cnt


@nb.njit(cache=True, nogil=True)
def _put_runs(data: NDArray[np.uint8], out: NDArray[np.uint8], state: NDArray[np.int64], codes: NDArray[np.int64],
              lens: NDArray[np.int64]) -> None:  # pragma: no cover - compiled
    """Append ``data``'s run-length tokens (as :func:`_count_tokens` finds
    them) in the codes ``codes``/``lens``; the bit buffer in locals,
    written 32 bits at a time."""
    m = data.size
    p = state[0]
    buf = state[1]
    cnt = state[2]
    if m > 0:
        buf |= codes[data[0]] << cnt
        cnt += lens[data[0]]
    i = 1
    while i < m:
        if cnt >= 32:
            out[p] = buf & 0xFF
            out[p + 1] = (buf >> 8) & 0xFF
            out[p + 2] = (buf >> 16) & 0xFF
            out[p + 3] = (buf >> 24) & 0xFF
            p += 4
            buf >>= 32
            cnt -= 32
        run = _run(data, i)
        if run >= 3:
            c = LENGTH_CODE[run]
            buf |= codes[257 + c] << cnt
            cnt += lens[257 + c]
            buf |= (run - LENGTH_BASE[c]) << cnt  # the extra bits (none: 0), then distance code 0 ("0")
            cnt += LENGTH_EXTRA[c] + 1
            i += run
        else:
            buf |= codes[data[i]] << cnt
            cnt += lens[data[i]]
            i += 1
    state[0] = p
    state[1] = buf
    state[2] = cnt


@nb.njit(cache=True, nogil=True)
def _put_literals(data: NDArray[np.uint8], out: NDArray[np.uint8], state: NDArray[np.int64], codes: NDArray[np.int64],
                  lens: NDArray[np.int64]) -> None:  # pragma: no cover - compiled
    """Append every byte of ``data`` as a literal in the codes
    ``codes``/``lens``, without a branch on the data: three codes of at most
    15 bits join the buffer's fewer than 8, then its 8 bytes are written and
    the complete ones kept (``out`` needs 8 bytes of room past the end)."""
    m = data.size
    p = state[0]
    buf = np.uint64(state[1])
    cnt = state[2]
    i = 0
    while i + 3 <= m:
        a, b, c = data[i], data[i + 1], data[i + 2]
        buf |= np.uint64(codes[a]) << np.uint64(cnt)
        cnt += lens[a]
        buf |= np.uint64(codes[b]) << np.uint64(cnt)
        cnt += lens[b]
        buf |= np.uint64(codes[c]) << np.uint64(cnt)
        cnt += lens[c]
        for k in range(8):
            out[p + k] = np.uint8((buf >> np.uint64(8 * k)) & np.uint64(0xFF))
        full = cnt >> 3
        p += full
        buf >>= np.uint64(8 * full)
        cnt &= 7
        i += 3
    state[0] = p
    state[1] = np.int64(buf)
    state[2] = cnt
    while i < m:
        _put(out, state, codes[data[i]], lens[data[i]])
        i += 1


#: Layout of a plane's plan (:func:`plan_plane`): flags, then the code lengths and the coded code lengths.
_RUNS, _HLIT, _HCLEN, _NCL, _NBYTES = 0, 1, 2, 3, 4
_LENS = 5
_CLLENS = _LENS + 286
_CLSYMS = _CLLENS + 19
_CLEXTRA = _CLSYMS + 288
#: Entries of a plan.
PLAN = _CLEXTRA + 288


@nb.njit(cache=True, nogil=True)
def plan_plane(data: NDArray[np.uint8], worth: float, plan: NDArray[np.int64]) -> int:  # pragma: no cover
    """The codes of ``data`` as one non-final dynamic Huffman block of
    run-length tokens (or literals) and an empty stored block, into
    ``plan`` (:data:`PLAN` entries), and that block's exact size in bytes;
    -1 when it is not below ``worth * data.size``."""
    m = data.size
    freq = np.zeros(286, dtype=np.int64)
    runs = _repeats(data) * 4 >= 3 * m  # mostly runs: their branches predict well
    if runs:
        matches = _count_tokens(data, freq)
    else:  # literals only
        _histogram(data, freq)
        freq[256] = 1
        matches = 0
    lens = plan[_LENS:_LENS + 286]
    code_lengths(freq, 15, lens)
    hlit = 286
    while hlit > 257 and lens[hlit - 1] == 0:
        hlit -= 1
    seq = np.empty(hlit + 2, dtype=np.int64)
    for s in range(hlit):
        seq[s] = lens[s]
    seq[hlit] = 1  # the two distance codes, one bit each (only distance 1 is used)
    seq[hlit + 1] = 1
    clsyms = plan[_CLSYMS:_CLSYMS + 288]
    clextra = plan[_CLEXTRA:_CLEXTRA + 288]
    ncl = length_runs(seq, clsyms, clextra)
    clfreq = np.zeros(19, dtype=np.int64)
    for i in range(ncl):
        clfreq[clsyms[i]] += 1
    used = 0
    for s in range(19):
        if clfreq[s] > 0:
            used += 1
    if used < 2:  # two codes at least, as zlib sends (complete codes only)
        clfreq[0 if clfreq[0] == 0 else 1] += 1
    cllens = plan[_CLLENS:_CLLENS + 19]
    code_lengths(clfreq, 7, cllens)
    hclen = 19
    while hclen > 4 and cllens[CL_ORDER[hclen - 1]] == 0:
        hclen -= 1
    # the exact size in bits: header, code lengths, tokens, end of block, then the empty stored block
    bits = 3 + 5 + 5 + 4 + 3 * hclen
    for i in range(ncl):
        bits += cllens[clsyms[i]] + CL_EXTRA[clsyms[i]]
    for s in range(hlit):
        bits += freq[s] * lens[s]
    for c in range(29):
        bits += freq[257 + c] * LENGTH_EXTRA[c]
    bits += matches  # the distance code: one bit
    bits += 3
    nbytes = (bits + 7) // 8 + 4
    plan[_RUNS] = runs
    plan[_HLIT] = hlit
    plan[_HCLEN] = hclen
    plan[_NCL] = ncl
    plan[_NBYTES] = nbytes
    return nbytes if nbytes < worth * m else -1


@nb.njit(cache=True, nogil=True)
def write_plane(data: NDArray[np.uint8], plan: NDArray[np.int64], out: NDArray[np.uint8],
                pos: int) -> int:  # pragma: no cover - compiled
    """Write the block :func:`plan_plane` planned for ``data`` into ``out``
    from ``pos``; returns the position after it.  ``out`` needs room for it
    and 8 bytes more (a :class:`ValueError` otherwise, nothing written)."""
    m = data.size
    if pos + plan[_NBYTES] + 8 > out.size:
        raise ValueError("deflate: no room for the block")
    hlit, hclen, ncl = plan[_HLIT], plan[_HCLEN], plan[_NCL]
    lens = plan[_LENS:_LENS + 286]
    cllens = plan[_CLLENS:_CLLENS + 19]
    clsyms = plan[_CLSYMS:_CLSYMS + 288]
    clextra = plan[_CLEXTRA:_CLEXTRA + 288]
    codes = np.zeros(286, dtype=np.int64)
    canonical_codes(lens, codes)
    clcodes = np.zeros(19, dtype=np.int64)
    canonical_codes(cllens, clcodes)
    state = np.zeros(3, dtype=np.int64)
    state[0] = pos
    _put(out, state, 0, 1)  # BFINAL = 0
    _put(out, state, 2, 2)  # BTYPE = 10: dynamic Huffman codes
    _put(out, state, hlit - 257, 5)
    _put(out, state, 2 - 1, 5)
    _put(out, state, hclen - 4, 4)
    for i in range(hclen):
        _put(out, state, cllens[CL_ORDER[i]], 3)
    for i in range(ncl):
        s = clsyms[i]
        _put(out, state, clcodes[s], cllens[s])
        if CL_EXTRA[s] > 0:
            _put(out, state, clextra[i], CL_EXTRA[s])
    if plan[_RUNS]:
        _put_runs(data, out, state, codes, lens)
    else:
        _put_literals(data, out, state, codes, lens)
    _put(out, state, codes[256], lens[256])
    # an empty stored block: BFINAL = 0, BTYPE = 00, to the byte boundary, LEN = 0, NLEN = 0xFFFF
    _put(out, state, 0, 3)
    if state[2] > 0:
        _put(out, state, 0, 8 - state[2])
    p = state[0]
    out[p] = 0
    out[p + 1] = 0
    out[p + 2] = 0xFF
    out[p + 3] = 0xFF
    return p + 4


@nb.njit(cache=True, nogil=True)
def deflate_plane(data: NDArray[np.uint8], out: NDArray[np.uint8], pos: int, worth: float) -> int:  # pragma: no cover
    """:func:`plan_plane` then :func:`write_plane`: the block of ``data``
    written into ``out`` from ``pos`` and the position after it, or -1
    (nothing written) when it is not worth it or ``out`` has no room."""
    plan = np.zeros(PLAN, dtype=np.int64)
    nbytes = plan_plane(data, worth, plan)
    if nbytes < 0 or pos + nbytes + 8 > out.size:
        return -1
    return write_plane(data, plan, out, pos)


@nb.njit(cache=True, nogil=True)
def plan_top(planes: NDArray[np.uint8], worth: float, plans: NDArray[np.int64]) -> int:  # pragma: no cover
    """Plan the byte planes ``planes`` (``(width, m)``) from the most
    significant (the last) down, while each is worth deflating
    (:func:`plan_plane`, into ``plans[k]``); returns ``cut``, the lowest
    plane to deflate: the planes below it are stored."""
    cut = planes.shape[0]
    while cut > 0 and plan_plane(planes[cut - 1], worth, plans[cut - 1]) >= 0:
        cut -= 1
    return cut


@nb.njit(cache=True, nogil=True)
def write_top(planes: NDArray[np.uint8], cut: int, plans: NDArray[np.int64], out: NDArray[np.uint8],
              pos: int) -> int:  # pragma: no cover - compiled
    """Write the planes ``cut ..`` as :func:`plan_top` planned them, in
    order, into ``out`` from ``pos``; returns the position after them."""
    for k in range(cut, planes.shape[0]):
        pos = write_plane(planes[k], plans[k], out, pos)
    return pos


__all__ = ["PLAN", "deflate_plane", "plan_plane", "plan_top", "write_plane", "write_top"]
