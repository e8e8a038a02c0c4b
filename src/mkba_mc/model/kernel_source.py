"""The source of a compiled model kernel, generated from a trace of the model.

:func:`kernel_source` traces :func:`mkba_mc.model.core.compute` once
(:mod:`mkba_mc.model.trace`) for one scenario's fixed parameters and
structure, its sampled parameters (the traced inputs) and the outputs asked
for, and writes a Python function ``kernel(x, out, c)`` for numba:
``x`` holds the sampled inputs ``(len(inputs), k)``, ``out`` receives the
output rows ``(rows, k)`` and ``c`` holds the constants (numpy's folded
scalars, bit for bit).  Every traced operation is the IEEE operation numpy
performs, in numpy's order, so the kernel gives numpy's bits for every
sample (compiled without ``fastmath``: no fused multiply-add, no
reassociation).

Why tiles: a loop over samples whose body reads ~40 input rows and writes
~17 output rows straight from and into the chunk does not vectorise (too
many pointers for the compiler's run-time alias checks), and one loop per
operation over the whole chunk is numpy again (~300 passes).  The kernel
takes the samples in tiles of :data:`TILE`: it copies the tile's input rows
into a buffer, computes every operation of a sample in registers in one
loop over the tile that reads and writes only that buffer, at constant
offsets (so the compiler knows the stores never overlap the loads and
vectorises it without checks), and copies the output rows out.

Only dead operations are dropped and equal ones shared; nothing is
simplified or reordered.  The programme view and screen B stay numpy
(:data:`KERNEL_OUTPUTS` says which outputs a kernel computes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .core import check_outputs, compute
from .outputs import ACTOR_OUTPUTS, ALL_OUTPUTS, PROGRAMME_OUTPUTS
from .programme import OUTPUTS as PROGRAMME_VIEW
from .structure import Structure
from .trace import Operand, Tape, Traced, const_bits

#: Outputs a kernel computes: every output but the programme view and screen B.
KERNEL_OUTPUTS: Final[frozenset[str]] = frozenset(
    o for o in ALL_OUTPUTS
    if o not in PROGRAMME_VIEW and o not in PROGRAMME_OUTPUTS and not o.startswith("actor_budget_year2"))
#: Samples per tile: the buffer rows of a tile stay in the L2 cache.
TILE: Final[int] = 512
#: Distance of two buffer rows: a tile and 64 more (rows a power of two
#: apart would share the cache sets and evict each other).
ROW: Final[int] = TILE + 64


@dataclass(frozen=True)
class KernelSource:
    """A generated kernel and how its output rows map onto outputs.

    Attributes
    ----------
    source : str
        A Python module defining ``kernel(x, out, c)`` (to be compiled with numba).
    inputs : tuple of str
        The sampled parameters, one row of ``x`` each, in this order.
    layout : tuple of (str, int, int)
        Per output its name, first row in ``out`` and width (0: one row of a
        scalar output; else one row per actor).
    rows : int
        Rows of ``out``.
    operations : int
        Elementwise operations per sample.
    digest : str
        SHA-256 of :attr:`source`.
    constants : numpy.ndarray
        The argument ``c``: the fixed values the kernel uses (numpy's folded
        scalars, bit for bit).  They are data, not part of the source, so a
        scenario whose fixed values change but not its structure reuses the
        compiled kernel.
    """

    source: str
    inputs: tuple[str, ...]
    layout: tuple[tuple[str, int, int], ...]
    rows: int
    operations: int
    digest: str
    constants: NDArray[np.float64] = field(compare=False)


def kernel_source(params: Mapping[str, ArrayLike], structure: Structure, inputs: Sequence[str],
                  outputs: Collection[str]) -> KernelSource:
    """Trace the model and write its kernel (see the module text).

    Parameters
    ----------
    params : Mapping[str, array_like]
        Every parameter; the values of ``inputs`` are ignored (traced).
    structure : Structure
        Payer shares, time profiles and settings (fixed).
    inputs : sequence of str
        The sampled parameters (the rows of ``x``).
    outputs : collection of str
        Outputs of :data:`KERNEL_OUTPUTS`, in the order of ``out``'s rows.
    """
    names = list(dict.fromkeys(outputs))
    check_outputs(names)
    other = sorted(set(names) - KERNEL_OUTPUTS)
    if other:
        raise ValueError(f"outputs {other} are not computed by the model kernel (numpy only)")
    tape = Tape(tuple(inputs))
    traced = {**params, **{nm: tape.input(j) for j, nm in enumerate(inputs)}}
    values = compute(traced, structure, set(names))
    rows: list[Operand] = []
    layout = []
    for name in names:
        value = values[name]
        cols = list(value) if name in ACTOR_OUTPUTS else [value]
        layout.append((name, len(rows), len(cols) if name in ACTOR_OUTPUTS else 0))
        rows.extend(_operand(c) for c in cols)
    source, count, consts = _emit(tape, rows)
    return KernelSource(source, tuple(inputs), tuple(layout), len(rows), count,
                        hashlib.sha256(source.encode()).hexdigest(),
                        np.array(consts, dtype=np.int64).view(np.float64))


def _operand(value: Any) -> Operand:
    if isinstance(value, Traced):
        return value.ref
    return ("const", const_bits(value))


#: Per operation, its expression of the operands ``p`` (and ``q``, ``r``):
#: numpy's elementwise semantics (maximum/minimum propagate a NaN of the
#: first operand, else of the second, and give the second of two equal
#: values, e.g. of -0 and +0; clip keeps ``x`` at a bound it equals; the
#: ratio divides and then keeps NaN where ``q > 0`` fails).
_EXPR: Final[dict[str, str]] = {
    "add": "{p} + {q}", "sub": "{p} - {q}", "mul": "{p} * {q}", "div": "{p} / {q}", "neg": "-{p}",
    "max": "{p} if ({p} > {q}) | ({p} != {p}) else {q}",
    "min": "{p} if ({p} < {q}) | ({p} != {p}) else {q}",
    "ratio": "{v}_ if {q} > 0.0 else _NAN",
    "clip": "{r} if {v}_ > {r} else {v}_",
}
#: The first step of the operations that take two.
_PRE: Final[dict[str, str]] = {"ratio": "{p} / {q}", "clip": "{q} if {p} < {q} else {p}"}


def _emit(tape: Tape, rows: list[Operand]) -> tuple[str, int, tuple[int, ...]]:
    """The module text of ``kernel(x, out, c)`` computing ``rows`` from the
    tape, its operation count and the bits of its constants ``c``.

    Per tile: the used input rows are copied into the tile buffer, one loop
    over the tile computes every live operation into locals (registers) and
    stores the output rows into the buffer, and they are copied out.  The
    buffer's rows sit at constant offsets (multiples of :data:`ROW`), so the
    compiler sees that the stores never overlap the loads and vectorises the
    loop without run-time alias checks; each copy is a loop of its own over
    a view of the tile's part of the row (two pointers, one check, and an
    index the compiler knows is not negative: it vectorises too).
    """
    ops = tape.ops
    live = [False] * len(ops)
    stack = [i for kind, i in rows if kind == "node"]
    while stack:
        i = stack.pop()
        if not live[i]:
            live[i] = True
            stack.extend(a[1] for a in ops[i][1:] if a[0] == "node")
    order = [i for i in range(len(ops)) if live[i]]
    used = sorted({j for i in order for kind, j in ops[i][1:] if kind == "in"}
                  | {j for kind, j in rows if kind == "in"})
    slot = {j: k for k, j in enumerate(used)}  # input j -> buffer row
    consts: dict[int, int] = {}  # bits -> index in c
    body: list[str] = []
    loaded: set[int] = set()

    def ref(kind: str, j: int) -> str:
        if kind == "node":
            return f"v{j}"
        if kind == "in":
            if j not in loaded:
                loaded.add(j)
                body.append(f"            a{j} = buf[{slot[j] * ROW} + t]")
            return f"a{j}"
        return f"k{consts.setdefault(j, len(consts))}"

    for i in order:
        name, *args = ops[i]
        names = dict(zip("pqr", (ref(kind, j) for kind, j in args)), v=f"v{i}")
        if name in _PRE:
            body.append(f"            v{i}_ = " + _PRE[name].format(**names))
        body.append(f"            v{i} = " + _EXPR[name].format(**names))
    first_out = len(used)
    tail = []
    for r, (kind, j) in enumerate(rows):
        tail += [f"        row = o[{r}, b:b + m]", "        for t in range(m):"]
        if kind == "const":
            tail.append(f"            row[t] = {ref(kind, j)}")
        else:
            body.append(f"            buf[{(first_out + r) * ROW} + t] = {ref(kind, j)}")
            tail.append(f"            row[t] = buf[{(first_out + r) * ROW} + t]")
    head = [
        '"""A model kernel generated by mkba_mc.model.kernel_source: do not edit."""',
        "import numpy as np",
        "",
        "_NAN = float('nan')",
        "",
        "",
        "def kernel(x, o, c):",
        "    n = x.shape[1]",
        *(f"    k{k} = c[{k}]" for k in range(len(consts))),
        f"    buf = np.empty({(first_out + len(rows)) * ROW})",
        f"    for b in range(0, n, {TILE}):",
        f"        m = min({TILE}, n - b)",
        *(line for j in used for line in (f"        row = x[{j}, b:b + m]", "        for t in range(m):",
                                            f"            buf[{slot[j] * ROW} + t] = row[t]")),
        "        for t in range(m):",
    ]
    return "\n".join(head + body + tail) + "\n", len(order), tuple(consts)

__all__ = ["KERNEL_OUTPUTS", "TILE", "KernelSource", "kernel_source"]
