"""The compiled sampling kernel: copula and tabulated inverse CDFs in one pass.

Compiled with numba (``cache=True``, so a process after the first loads the
machine code from ``__pycache__`` instead of compiling it; no ``fastmath``:
every operation is the IEEE operation numpy performs, without fused
multiply-add or reassociation, so the bits are those of the numpy path in
:mod:`mkba_mc.uncertainty.fused` on every machine).  This module imports
numba at its top: :mod:`mkba_mc.uncertainty.fused` imports it only when a
run is large enough to gain from it (and numba is installed).

The kernel reads the uniforms ``u`` (``(dims, k)``) and writes the sampled
values into ``out``:

1. the correlated rows (Gaussian copula, Nelsen 2006 ch. 2): normal scores
   ``z = Phi^-1(u)`` from a binade table
   (:class:`~mkba_mc.uncertainty.distributions.tables.BinadeTable`), mixed
   with the non-zero entries of the Cholesky factor row by row in a fixed
   order (a block-diagonal correlation has structural zeros: skipping them
   leaves the bits, see :meth:`mkba_mc.uncertainty.fused.FusedPlan.mixing`), then the marginal's
   grid table of ``F^-1(Phi(z))``
   (:class:`~mkba_mc.uncertainty.distributions.tables.GridTable`), or the
   mixed score itself for a marginal without one (finished in numpy);
2. the other rows with a binade table of their inverse CDF.

:func:`uniforms` draws the random design's uniforms themselves: PCG64,
number for number as numpy's ``Generator.random``, from states handed over
by :func:`mkba_mc.uncertainty.streams.pcg_state_words`.

A draw outside a table (probability below 1e-9) marks its sample in
``flag``; the caller computes flagged samples exactly.

The tables are read from one flat coefficient array with unsigned indices:
a piece is four consecutive numbers at ``4 * piece`` (a shift, where a
two-dimensional index costs a multiplication by the row stride), and an
unsigned index needs no negative-index wraparound.  The lookups are about
20 % cheaper so; the operations on the numbers are unchanged.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic

#: Row kinds of the descriptor (see :class:`mkba_mc.uncertainty.fused.FusedPlan`).
GENERIC, BINADE, GRID, MIXED = 0, 1, 2, 3
#: Samples per block of the copula (the normal scores of a block stay in cache).
_BLOCK = 256
#: The largest float64 below 1 (a mirrored uniform stays in [0, 1)).
_BELOW_ONE = 1.0 - 2.0 ** -53


@intrinsic
def _bits(typingctx, x):  # pragma: no cover - compiled
    """The IEEE bit pattern of a float64 as an int64 (an LLVM bitcast, no memory)."""
    if isinstance(x, types.Float) and x.bitwidth == 64:
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(types.int64))

        return types.int64(types.float64), codegen
    return None


#: Unsigned indices: no negative-index wraparound (numba adds it for signed ones).
_U = np.uint64
#: PCG64's multiplier (O'Neill 2014; numpy's ``PCG_DEFAULT_MULTIPLIER_128``).
_PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645


@intrinsic
def _pcg_step(typingctx, hi, lo, inc_hi, inc_lo):  # pragma: no cover - compiled
    """One step of PCG64's 128-bit LCG, ``state * MULT + inc`` modulo 2^128, on
    the state's and increment's 64-bit halves (LLVM ``i128``: one 64 x 64 bit
    multiplication and two more, no branches)."""
    u64 = types.uint64
    if not all(isinstance(a, types.Integer) and a.bitwidth == 64 for a in (hi, lo, inc_hi, inc_lo)):
        return None

    def codegen(context, builder, signature, args):
        i64, i128 = ir.IntType(64), ir.IntType(128)

        def wide(h, low):
            return builder.or_(builder.shl(builder.zext(h, i128), ir.Constant(i128, 64)), builder.zext(low, i128))

        s = builder.mul(wide(args[0], args[1]), ir.Constant(i128, _PCG_MULT))
        s = builder.add(s, wide(args[2], args[3]))
        h = builder.trunc(builder.lshr(s, ir.Constant(i128, 64)), i64)
        return context.make_tuple(builder, signature.return_type, [h, builder.trunc(s, i64)])

    return types.UniTuple(u64, 2)(u64, u64, u64, u64), codegen


@nb.njit(cache=True, nogil=True, inline="always")
def _pcg_double(hi, lo):
    """numpy's ``random()`` of a PCG64 state: the XSL-RR output
    ``rotr(hi ^ lo, hi >> 58)``, its top 53 bits times 2^-53."""
    x = hi ^ lo
    r = hi >> _U(58)
    x = (x >> r) | (x << ((_U(64) - r) & _U(63)))
    return np.float64(x >> _U(11)) * (1.0 / 9007199254740992.0)


@nb.njit(cache=True, nogil=True)
def uniforms(state, out):  # pragma: no cover - compiled
    """Fill row ``j`` of ``out`` with the next draws of PCG64 stream ``j``:
    numpy's ``Generator(PCG64).random()``, number for number.

    ``state[j] = (state high, state low, increment high, increment low)``
    (uint64), advanced in place, so the next call continues the streams.
    numpy makes one indirect call per number; here four streams advance
    together, inlined (their 128-bit steps are independent and overlap), at
    about 1.6 times numpy's rate.
    """
    dims, k = out.shape
    j = 0
    while j + 4 <= dims:
        h0, l0, h1, l1 = state[j, 0], state[j, 1], state[j + 1, 0], state[j + 1, 1]
        h2, l2, h3, l3 = state[j + 2, 0], state[j + 2, 1], state[j + 3, 0], state[j + 3, 1]
        for s in range(k):
            h0, l0 = _pcg_step(h0, l0, state[j, 2], state[j, 3])
            h1, l1 = _pcg_step(h1, l1, state[j + 1, 2], state[j + 1, 3])
            h2, l2 = _pcg_step(h2, l2, state[j + 2, 2], state[j + 2, 3])
            h3, l3 = _pcg_step(h3, l3, state[j + 3, 2], state[j + 3, 3])
            out[j, s] = _pcg_double(h0, l0)
            out[j + 1, s] = _pcg_double(h1, l1)
            out[j + 2, s] = _pcg_double(h2, l2)
            out[j + 3, s] = _pcg_double(h3, l3)
        state[j, 0], state[j, 1], state[j + 1, 0], state[j + 1, 1] = h0, l0, h1, l1
        state[j + 2, 0], state[j + 2, 1], state[j + 3, 0], state[j + 3, 1] = h2, l2, h3, l3
        j += 4
    while j < dims:
        h, lo = state[j, 0], state[j, 1]
        for s in range(k):
            h, lo = _pcg_step(h, lo, state[j, 2], state[j, 3])
            out[j, s] = _pcg_double(h, lo)
        state[j, 0], state[j, 1] = h, lo
        j += 1


@nb.njit(cache=True, nogil=True, inline="always")
def _cubic(coef: np.ndarray, r: int, f: float) -> float:
    """The cubic of the piece whose ``c0`` is ``coef[r]`` (``coef`` flat, four
    coefficients per piece, so ``r = 4 * piece``) at ``f``: Horner, one
    rounding per operation, clamped between its value and the next piece's at
    the knots (monotone tables)."""
    x = coef[r + _U(3)] * f
    x += coef[r + _U(2)]
    x *= f
    x += coef[r + _U(1)]
    x *= f
    c0, c0n = coef[r], coef[r + _U(4)]
    x += c0
    x = max(x, min(c0, c0n))
    return min(x, max(c0, c0n))


@nb.njit(cache=True, nogil=True, inline="always")
def _binade(u: float, coef: np.ndarray, off: int, half: int, shift: int, base: int,
            scale: float) -> tuple[float, bool]:
    lower = u < 0.5
    v = u if lower else 1.0 - u
    bits = _bits(v)
    i = (bits >> shift) - base
    if not _U(i) < _U(half):  # 0 <= i < half in one unsigned comparison
        return 0.0, False
    f = np.float64(bits & ((np.int64(1) << shift) - 1)) * scale
    r = _U(off + i + (0 if lower else half)) << _U(2)
    return _cubic(coef, r, f), True


@nb.njit(cache=True, nogil=True, inline="always")
def _grid(z: float, coef: np.ndarray, off: int, n: int, invh: float, zoff: float) -> tuple[float, bool]:
    s = z * invh
    s += zoff
    if not (s >= 0.0 and s < n):
        return 0.0, False
    i = np.int64(s)
    f = s - i
    r = _U(off + i) << _U(2)
    return _cubic(coef, r, f), True


@nb.njit(cache=True, nogil=True)
def transform(u, out, kind, toff, tn, tshift, tbase, tscale, tinvh, tzoff, factor, mirror, coef,
              corr, mptr, mcol, mval, ns, ns_scale, flag):  # pragma: no cover - compiled
    """Sample one chunk: ``out[j, s]`` from ``u[:, s]``; see the module text.

    ``coef`` is the flat coefficient array (four per piece); ``ns = (offset,
    half, shift, base)`` and ``ns_scale = 2^-shift`` of the normal-score table
    in it; per row ``j``: ``kind``, table offset ``toff`` (in pieces), size
    ``tn`` (pieces per half, or grid pieces), ``tshift``/``tbase``/``tscale``
    (binade), ``tinvh``/``tzoff`` (grid), ``factor`` (a scale applied after
    the lookup) and ``mirror`` (look up ``min(1 - u, 1 - 2^-53)``, or ``-z``:
    a negative scale).  The Cholesky factor is given by its non-zero entries,
    row ``i`` by row: ``mval[mptr[i]:mptr[i + 1]]`` in the columns ``mcol[...]``
    (ascending), see :meth:`mkba_mc.uncertainty.fused.FusedPlan.mixing`.
    """
    dims, k = u.shape
    K = corr.size
    if K:
        zb = np.empty((K, _BLOCK))
        acc = np.empty(_BLOCK)
        for s0 in range(0, k, _BLOCK):
            n = min(_BLOCK, k - s0)
            for i in range(K):  # normal scores of the block, row by row
                r = corr[i]
                for t in range(n):
                    zi, good = _binade(u[r, s0 + t], coef, ns[0], ns[1], ns[2], ns[3], ns_scale)
                    zb[i, t] = zi
                    if not good:
                        flag[s0 + t] = 1
            for i in range(K):  # mixed score of row i: its non-zero terms, in the order of j
                p = mptr[i]
                j, c = mcol[p], mval[p]
                for t in range(n):
                    acc[t] = zb[j, t] * c
                for q in range(p + 1, mptr[i + 1]):
                    j, c = mcol[q], mval[q]
                    for t in range(n):
                        acc[t] += zb[j, t] * c
                r = corr[i]
                if kind[r] == GRID:
                    o, gn, ih, zo, fa = toff[r], tn[r], tinvh[r], tzoff[r], factor[r]
                    for t in range(n):
                        zz = -acc[t] if mirror[r] else acc[t]
                        x, good = _grid(zz, coef, o, gn, ih, zo)
                        if not good:
                            flag[s0 + t] = 1
                        out[r, s0 + t] = x * fa
                else:
                    for t in range(n):
                        out[r, s0 + t] = acc[t]
    for j in range(dims):
        if kind[j] == BINADE:
            _binade_row(u[j], out[j], coef, toff[j], tn[j], tshift[j], tbase[j], tscale[j], factor[j],
                        mirror[j], flag)


@nb.njit(cache=True, nogil=True)
def _binade_row(u, out, coef, off, half, shift, base, scale, factor, mirror, flag):  # pragma: no cover
    """One uncorrelated row through its binade table (times ``factor``)."""
    if mirror:
        for s in range(u.size):
            x, good = _binade(min(1.0 - u[s], _BELOW_ONE), coef, off, half, shift, base, scale)
            if not good:
                flag[s] = 1
            out[s] = x * factor
    else:
        for s in range(u.size):
            x, good = _binade(u[s], coef, off, half, shift, base, scale)
            if not good:
                flag[s] = 1
            out[s] = x * factor


__all__ = ["BINADE", "GENERIC", "GRID", "MIXED", "transform", "uniforms"]
