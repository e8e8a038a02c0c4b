"""Huffman codes for deflate (RFC 1951 §3.2.2), compiled (numba): lengths limited to a maximum, canonical codes.

Used by :mod:`mkba_mc.io.deflate_kernel` for the dynamic Huffman block of a
byte plane: the literal/length code (at most 15 bits), the code-length
code (at most 7 bits) and the run-length coding of the code lengths in the
block's header (RFC 1951 §3.2.7).  The lengths are optimal (minimum redundancy) when
no code exceeds the limit, by Moffat and Katajainen's in-place algorithm
(A. Moffat and J. Katajainen, "In-place calculation of minimum-redundancy
codes", WADS 1995); otherwise the longest codes are cut to the limit and
the Kraft sum restored as miniz does (``tdefl_calculate_minimum_redundancy``
and ``tdefl_huffman_enforce_max_code_size`` in ``miniz_tdef.c``).  Every
code with two or more symbols is complete.  ``tests/unit/test_deflate_kernel.py``
checks the lengths against an independent Huffman construction (heapq) and
package-merge's optimal limited lengths.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numpy.typing import NDArray


@nb.njit(cache=True, nogil=True)
def code_lengths(freq: NDArray[np.int64], limit: int, lens: NDArray[np.int64]) -> None:  # pragma: no cover - compiled
    """Huffman code lengths of at most ``limit`` bits for the counts ``freq``, into ``lens``.

    Symbols with a zero count get length 0.  The counts are sorted (ties by
    symbol), Moffat and Katajainen's in-place algorithm gives the optimal
    lengths, and lengths above ``limit`` are cut and the Kraft sum restored
    by lengthening the longest codes below the limit (miniz's
    ``tdefl_huffman_enforce_max_code_size``); the most frequent symbols get
    the shortest codes.  One used symbol gets length 1.
    """
    n = freq.size
    for s in range(n):
        lens[s] = 0
    k = 0
    for s in range(n):
        if freq[s] > 0:
            k += 1
    if k == 0:
        return
    syms = np.empty(k, dtype=np.int64)
    j = 0
    for s in range(n):
        if freq[s] > 0:
            syms[j] = s
            j += 1
    if k == 1:
        lens[syms[0]] = 1
        return
    f = np.empty(k, dtype=np.int64)
    for i in range(k):
        f[i] = freq[syms[i]]
    order = np.argsort(f, kind="mergesort")  # stable: ties in symbol order
    a = np.empty(k, dtype=np.int64)
    for i in range(k):
        a[i] = f[order[i]]
    # Moffat & Katajainen (1995), as miniz's tdefl_calculate_minimum_redundancy
    a[0] += a[1]
    root = 0
    leaf = 2
    for nxt in range(1, k - 1):
        if leaf >= k or a[root] < a[leaf]:
            a[nxt] = a[root]
            a[root] = nxt
            root += 1
        else:
            a[nxt] = a[leaf]
            leaf += 1
        if leaf >= k or (root < nxt and a[root] < a[leaf]):
            a[nxt] = a[nxt] + a[root]
            a[root] = nxt
            root += 1
        else:
            a[nxt] = a[nxt] + a[leaf]
            leaf += 1
    a[k - 2] = 0
    for nxt in range(k - 3, -1, -1):
        a[nxt] = a[a[nxt]] + 1
    avbl = 1
    used = 0
    depth = 0
    root = k - 2
    nxt = k - 1
    while avbl > 0:
        while root >= 0 and a[root] == depth:
            used += 1
            root -= 1
        while avbl > used:
            a[nxt] = depth
            nxt -= 1
            avbl -= 1
        avbl = 2 * used
        depth += 1
        used = 0
    # a[i]: the length of the i-th least frequent symbol; count them and cut at ``limit``
    count = np.zeros(64, dtype=np.int64)
    for i in range(k):
        count[min(a[i], 63)] += 1
    for d in range(limit + 1, 64):
        count[limit] += count[d]
        count[d] = 0
    total = 0
    for d in range(limit, 0, -1):
        total += count[d] << (limit - d)
    while total != (1 << limit):
        count[limit] -= 1
        for d in range(limit - 1, 0, -1):
            if count[d] > 0:
                count[d] -= 1
                count[d + 1] += 2
                break
        total -= 1
    j = k
    for d in range(1, limit + 1):
        for _ in range(count[d]):
            j -= 1
            lens[syms[order[j]]] = d


@nb.njit(cache=True, nogil=True)
def canonical_codes(lens: NDArray[np.int64], codes: NDArray[np.int64]) -> None:  # pragma: no cover - compiled
    """The canonical Huffman codes of ``lens`` (RFC 1951 §3.2.2), bit-reversed
    for deflate's least-significant-bit-first order, into ``codes``."""
    count = np.zeros(16, dtype=np.int64)
    for s in range(lens.size):
        count[lens[s]] += 1
    count[0] = 0
    nxt = np.zeros(16, dtype=np.int64)
    code = 0
    for bits in range(1, 16):
        code = (code + count[bits - 1]) << 1
        nxt[bits] = code
    for s in range(lens.size):
        ln = lens[s]
        codes[s] = 0
        if ln == 0:
            continue
        c = nxt[ln]
        nxt[ln] += 1
        r = 0
        for _ in range(ln):
            r = (r << 1) | (c & 1)
            c >>= 1
        codes[s] = r


@nb.njit(cache=True, nogil=True)
def length_runs(seq: NDArray[np.int64], syms: NDArray[np.int64], extra: NDArray[np.int64]) -> int:  # pragma: no cover
    """The code lengths ``seq`` as code-length symbols (RFC 1951 §3.2.7: 16
    repeats the previous length 3-6 times, 17 and 18 repeat a zero 3-10 and
    11-138 times) into ``syms`` and their extra values into ``extra``;
    returns their number."""
    n = seq.size
    k = 0
    i = 0
    while i < n:
        ln = seq[i]
        run = 1
        while i + run < n and seq[i + run] == ln:
            run += 1
        i += run
        if ln == 0:
            while run >= 11:
                r = min(run, 138)
                syms[k] = 18
                extra[k] = r - 11
                k += 1
                run -= r
            if run >= 3:
                syms[k] = 17
                extra[k] = run - 3
                k += 1
                run = 0
        else:
            syms[k] = ln
            extra[k] = 0
            k += 1
            run -= 1
            while run >= 3:
                r = min(run, 6)
                syms[k] = 16
                extra[k] = r - 3
                k += 1
                run -= r
        while run > 0:
            syms[k] = ln
            extra[k] = 0
            k += 1
            run -= 1
    return k


__all__ = ["canonical_codes", "code_lengths", "length_runs"]
