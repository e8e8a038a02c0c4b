"""Symbolic per-sample values: the model's arithmetic, recorded once.

The model (:func:`mkba_mc.model.core.compute`) is written with Python
operators and a few numpy functions on values that are either scalars (a
fixed parameter, and everything computed from fixed parameters only) or
arrays over samples.  Evaluated once with a :class:`Traced` value in place of
every sampled parameter, it records on a :class:`Tape` exactly the
elementwise operations numpy performs on each sample, in the same order, with
the same operands:

* concrete operands stay numpy scalars, so whatever numpy folds (a product of
  two fixed parameters, say) is folded by numpy itself and enters the tape as
  a constant with its exact bits;
* a traced operand makes the operation a node of the tape: ``add``, ``sub``,
  ``mul``, ``div``, ``neg`` (Python operators or the ufuncs), ``max``/``min``
  (:func:`numpy.maximum`/:func:`numpy.minimum`, with their NaN and signed-zero
  rules), ``clip`` (:func:`numpy.clip`) and ``ratio`` (``num / den`` where
  ``den > 0``, NaN elsewhere: :func:`mkba_mc.model.arith.safe_ratio`).

Nothing is simplified: ``0.0 + x`` stays an addition (it turns -0 into +0,
as numpy's does).  Equal operations on equal operands are recorded once
(the same IEEE operation gives the same bits).  A traced value has no truth
value: a branch on a sampled value raises at trace time rather than being
recorded as one of its arms.  :mod:`mkba_mc.model.kernel_source` turns a
tape into the source of a compiled kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np

#: Operand of a node: ``("in", j)`` input row ``j``, ``("node", i)`` node
#: ``i``, ``("const", bits)`` a float64 constant by its IEEE bit pattern (so
#: that -0.0 and 0.0, or two NaNs, are never confused).
Operand = tuple[str, int]

_UFUNCS: Final[dict[Any, str]] = {np.add: "add", np.subtract: "sub", np.multiply: "mul", np.true_divide: "div",
                                  np.negative: "neg", np.maximum: "max", np.minimum: "min"}


def const_bits(value: Any) -> int:
    """The IEEE bit pattern of a concrete scalar as float64 (a non-scalar raises)."""
    a = np.asarray(value, dtype=np.float64)
    if a.ndim:
        raise TypeError(f"a traced operation got a concrete operand of shape {a.shape}; only scalars are traced")
    return int(a.reshape(1).view(np.int64)[0])


class Tape:
    """The recorded operations: ``ops[i] = (name, operand, ...)``, in evaluation order.

    Attributes
    ----------
    inputs : tuple of str
        The traced parameters; input ``j`` is ``inputs[j]``.
    ops : list of tuple
        Node ``i``: the operation's name and its operands (:data:`Operand`).
    """

    def __init__(self, inputs: tuple[str, ...]) -> None:
        self.inputs = inputs
        self.ops: list[tuple[Any, ...]] = []
        self._index: dict[tuple[Any, ...], int] = {}

    def input(self, j: int) -> Traced:
        """The traced value of input ``j``."""
        return Traced(self, ("in", j))

    def record(self, op: str, *args: Any) -> Traced:
        """The node of ``op`` on ``args`` (traced values or concrete scalars)."""
        key = (op, *(self._operand(a) for a in args))
        i = self._index.get(key)
        if i is None:
            i = self._index[key] = len(self.ops)
            self.ops.append(key)
        return Traced(self, ("node", i))

    def _operand(self, value: Any) -> Operand:
        if isinstance(value, Traced):
            if value.tape is not self:
                raise ValueError("operands from two different traces")
            return value.ref
        return ("const", const_bits(value))


def _binary(op: str) -> tuple[Callable[[Traced, Any], Traced], Callable[[Traced, Any], Traced]]:
    def forward(self: Traced, other: Any) -> Traced:
        return self.tape.record(op, self, other)

    def reflected(self: Traced, other: Any) -> Traced:
        return self.tape.record(op, other, self)

    return forward, reflected


class Traced:
    """A sampled value, or a value computed from one, as a node of a :class:`Tape`.

    It stands for an array over samples, so ``ndim`` is 1: the model's
    checks for a scalar (``x.ndim == 0``) take their per-sample branch.
    """

    __slots__ = ("ref", "tape")
    ndim: Final[int] = 1

    def __init__(self, tape: Tape, ref: Operand) -> None:
        self.tape = tape
        self.ref = ref

    __add__, __radd__ = _binary("add")
    __sub__, __rsub__ = _binary("sub")
    __mul__, __rmul__ = _binary("mul")
    __truediv__, __rtruediv__ = _binary("div")

    def __neg__(self) -> Traced:
        return self.tape.record("neg", self)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Traced:
        op = _UFUNCS.get(ufunc)
        if op is None or method != "__call__" or kwargs:
            raise TypeError(f"the model tracer does not record numpy.{ufunc.__name__}.{method} {sorted(kwargs)}")
        return self.tape.record(op, *inputs)

    def __array_function__(self, func: Any, types: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Traced:
        if func is np.clip and not kwargs and len(args) == 3:
            return self.tape.record("clip", *args)
        raise TypeError(f"the model tracer does not record numpy.{func.__name__}")

    def __bool__(self) -> bool:
        raise TypeError("a traced (per-sample) value has no truth value: the model may not branch on it")


def traced_ratio(num: Any, den: Any) -> Traced:
    """``num / den`` where ``den > 0``, NaN elsewhere, with a traced operand
    (:func:`~mkba_mc.model.arith.safe_ratio`)."""
    tape = num.tape if isinstance(num, Traced) else den.tape
    return tape.record("ratio", num, den)


__all__ = ["Operand", "Tape", "Traced", "const_bits", "traced_ratio"]
