"""Model evaluation of a chunk: numpy's :func:`~mkba_mc.model.core.evaluate`
or the compiled kernel generated from it.

Large runs (those whose sampling plan uses its compiled kernel,
``plan.use_compiled``: from :data:`~mkba_mc.uncertainty.fused.COMPILED_MIN_N`
samples) evaluate the model with a kernel generated from a trace of the
model (:mod:`mkba_mc.model.kernel_source`), when every output asked for is
one it computes; it gives numpy's bits for every sample (tested), so a run's
numbers do not depend on which path ran.

A kernel depends on the scenario's fixed parameters and structure, the
sampled parameters and the outputs: :func:`chunk_evaluator` builds it once
per process for each such key (traced, then compiled or loaded: cached), so
a run's tasks share it, and workers forked after the parent built it
inherit it; a Dask worker, which gets the job pickled, builds it on first
use.  The fixed values are an argument of the compiled function, not part of
its source, so scenarios that differ only in fixed values share it.  The
source is written to a cache directory under its SHA-256 and imported from
there, so numba's ``cache=True`` keeps the machine code next to it and a
later process loads it (about 0.1 s) instead of compiling it (10-15 s for
the default outputs).  Files are
written under a temporary name and renamed, so two processes writing the
same kernel at once both leave a whole file; without a writable directory
the kernel is compiled in memory, uncached.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..model.core import evaluate
from ..model.kernel_source import KERNEL_OUTPUTS, KernelSource, kernel_source
from ..model.structure import Structure

Array = NDArray[np.float64]
ChunkEvaluator = Callable[[Array], dict[str, Array]]


def cache_dir() -> Path:
    """Where generated kernels are kept: ``$MKBA_MC_KERNEL_CACHE``, else
    ``$XDG_CACHE_HOME/mkba_mc/model_kernels`` (``~/.cache`` by default)."""
    env = os.environ.get("MKBA_MC_KERNEL_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mkba_mc" / "model_kernels"


def _import_cached(src: KernelSource) -> Callable[..., Any] | None:
    """``kernel`` of the source's file in :func:`cache_dir` (written if missing),
    compiled with numba's on-disk cache; None if the directory is not writable."""
    import numba

    folder = cache_dir()
    path = folder / f"mkba_model_{src.digest[:24]}.py"
    try:
        if not path.exists() or path.read_text(encoding="utf-8") != src.source:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(src.source)
            os.replace(tmp, path)
        name = f"mkba_mc_model_kernel_{src.digest[:24]}"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # numba's cache finds the module of a cached function by its name
        spec.loader.exec_module(module)
        return numba.njit(cache=True, nogil=True, error_model="numpy")(module.kernel)
    except OSError:
        return None


def _compile_in_memory(src: KernelSource) -> Callable[..., Any]:
    import numba

    namespace: dict[str, Any] = {}
    exec(compile(src.source, f"<mkba model kernel {src.digest[:12]}>", "exec"), namespace)  # noqa: S102  (our generated source)
    return numba.njit(cache=False, nogil=True, error_model="numpy")(namespace["kernel"])


@dataclass(frozen=True)
class _Key:
    """A kernel's identity (:attr:`digest`), carrying what it is built from."""

    digest: str
    params: Mapping[str, ArrayLike] = field(compare=False, hash=False)
    structure: Structure = field(compare=False, hash=False)
    inputs: tuple[str, ...] = field(compare=False, hash=False)
    outputs: tuple[str, ...] = field(compare=False, hash=False)


def _digest(params: Mapping[str, ArrayLike], structure: Structure, inputs: Sequence[str],
            outputs: Sequence[str]) -> str:
    """SHA-256 of everything a kernel depends on (fixed values by their bytes)."""
    h = hashlib.sha256()
    fixed = sorted(set(params) - set(inputs))
    for name in fixed:
        h.update(name.encode() + b"=" + np.asarray(params[name], dtype=np.float64).tobytes())
    h.update(repr((tuple(inputs), tuple(outputs), structure.team_from_caseload, structure.ramp_years,
                   structure.programme_years)).encode())
    h.update(np.ascontiguousarray(structure.payer, dtype=np.float64).tobytes())
    for k in sorted(structure.profiles):
        h.update(k.encode() + np.ascontiguousarray(structure.profiles[k], dtype=np.float64).tobytes())
    return h.hexdigest()


class CompiledModel:
    """The compiled kernel of one key, called on a chunk of sampled inputs.

    Parameters
    ----------
    src : KernelSource
        The generated kernel.
    fn : callable
        Its numba compilation, ``fn(x, out, constants)``.
    """

    def __init__(self, src: KernelSource, fn: Callable[..., Any]) -> None:
        self.src = src
        self.fn = fn
        # compile (or load from the cache) now, not in the first chunk of a task
        self(np.full((len(src.inputs), 1), 0.5))

    def __call__(self, x: Array) -> dict[str, Array]:
        """The outputs of the samples ``x`` ``(len(inputs), k)`` (rows in :attr:`KernelSource.inputs` order)."""
        x = np.ascontiguousarray(x, dtype=np.float64)
        out = np.empty((self.src.rows, x.shape[1]))
        self.fn(x, out, self.src.constants)
        return {name: out[row] if width == 0 else out[row:row + width].T for name, row, width in self.src.layout}


@dataclass(frozen=True)
class _Source:
    """A generated source, identified by its digest (for the cache of compiled functions)."""

    digest: str
    src: KernelSource = field(compare=False, hash=False)


@functools.cache
def _function(source: _Source) -> Callable[..., Any]:
    """The numba function of a source (loaded from the disk cache where it can be)."""
    fn = _import_cached(source.src)
    return fn if fn is not None else _compile_in_memory(source.src)


@functools.cache
def _compiled(key: _Key) -> CompiledModel:
    src = kernel_source(key.params, key.structure, key.inputs, key.outputs)
    return CompiledModel(src, _function(_Source(src.digest, src)))


def runs_compiled(outputs: Sequence[str], compiled: bool) -> bool:
    """Whether :func:`chunk_evaluator` gives the compiled kernel for these
    outputs (``compiled`` asked and every output one the kernel computes)."""
    return bool(compiled) and set(outputs) <= KERNEL_OUTPUTS


def chunk_evaluator(params: Mapping[str, ArrayLike], structure: Structure, inputs: Sequence[str],
                    outputs: Sequence[str], compiled: bool) -> ChunkEvaluator:
    """A function from a chunk's sampled inputs ``(len(inputs), k)`` to its outputs.

    Parameters
    ----------
    params : Mapping[str, array_like]
        Every parameter (the sampled ones are replaced by the rows of a chunk).
    structure : Structure
        The scenario's structure.
    inputs : sequence of str
        The sampled parameters, one row of a chunk each.
    outputs : sequence of str
        The outputs to return.
    compiled : bool
        Use the compiled kernel (numba must be installed) when it computes
        every output asked for; otherwise, or if False, numpy's evaluate.
    """
    outputs = tuple(outputs)
    if runs_compiled(outputs, compiled):
        return _compiled(_Key(_digest(params, structure, inputs, outputs), params, structure, tuple(inputs),
                              outputs))
    base = dict(params)
    names = tuple(inputs)

    def numpy_chunk(x: Array) -> dict[str, Array]:
        res = evaluate({**base, **{nm: x[j] for j, nm in enumerate(names)}}, structure, outputs)
        return {k: res[k] for k in outputs}

    return numpy_chunk


__all__ = ["ChunkEvaluator", "CompiledModel", "cache_dir", "chunk_evaluator", "runs_compiled"]
