"""The sampling plan of a run: which parameters are drawn, how, from which seed.

A :class:`SamplingPlan` turns a scenario's distributions, its correlation
(Gaussian copula) and its Dirichlet share groups into sampled parameter
values block by block (:mod:`~mkba_mc.uncertainty.designs`,
:mod:`~mkba_mc.uncertainty.copula`, :mod:`~mkba_mc.uncertainty.shares`), so that the
numbers of one seed do not depend on the chunk size or the number of workers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from ..errors import ConfigError, Problem
from .copula import Correlation
from .designs import SAMPLERS, block_size_for, block_uniforms, random_rows
from .fused import FusedPlan, compiled_for
from .shares import ShareGroup, dirichlet_shares
from .streams import input_generators, pcg_state_words

Array = NDArray[np.float64]


class ScenarioLike(Protocol):
    """What a plan reads from a scenario (:class:`mkba_mc.io.loading.Scenario`
    has it; uncertainty/ does not import io/)."""

    sampled: Sequence[str]
    distributions: Mapping[str, Any]
    correlation: Correlation | None


@dataclass(frozen=True)
class SamplingPlan:
    """Which parameters are sampled, how, and from which seed.

    Attributes
    ----------
    names : tuple of str
        One name per row of the design (Dirichlet members included).
    sampler : str
        ``random``, ``lhs`` or ``sobol``.
    seed : int
        Non-negative integer seed.
    n : int
        Number of samples of the run (fixes the LHS block size).
    kernel : str
        ``numpy``, ``compiled`` (numba) or ``auto`` (compiled from
        ``COMPILED_MIN_N`` samples on, where numba is installed); the numbers
        are the same (:mod:`mkba_mc.uncertainty.fused`).
    """

    names: tuple[str, ...]
    dists: tuple[Any, ...]
    groups: tuple[ShareGroup, ...]
    corr_rows: tuple[int, ...]
    cholesky: Array | None
    sampler: str
    seed: int
    n: int
    block_size: int
    kernel: str = "auto"

    @classmethod
    def from_scenario(cls, scenario: ScenarioLike, n: int, seed: int, sampler: str = "random",
                      kernel: str = "auto") -> SamplingPlan:
        """Build the plan of a scenario's distributions and correlation (and,
        for a compiled kernel, load it now: forked workers inherit it)."""
        if sampler not in SAMPLERS:
            raise ConfigError([Problem("--sampler", "sampler", sampler, f"one of: {', '.join(SAMPLERS)}")])
        names = list(scenario.sampled)
        dists: list[Any] = [scenario.distributions[nm] for nm in names]
        groups = tuple(ShareGroup(tuple(m), tuple(a)) for m, a in getattr(scenario, "share_groups", {}).values())
        for g in groups:
            names.extend(g.members)
            dists.extend([None] * len(g.members))
        corr_rows: tuple[int, ...] = ()
        chol = None
        if scenario.correlation is not None:
            corr_rows = tuple(names.index(nm) for nm in scenario.correlation.names)
            chol = scenario.correlation.normal_cholesky
        plan = cls(tuple(names), tuple(dists), groups, corr_rows, chol, sampler, int(seed), int(n),
                   block_size_for(sampler, n), kernel)
        if plan.use_compiled:
            plan.fused
        return plan

    @property
    def use_compiled(self) -> bool:
        """Whether chunks go through the numba kernel."""
        if self.kernel == "auto":
            return compiled_for(self.n)
        return self.kernel == "compiled"

    @cached_property
    def fused(self) -> FusedPlan:
        """The transform as flat arrays (built once, on first use)."""
        return FusedPlan(self.dists, self.corr_rows, self.cholesky, compiled=self.use_compiled)

    @property
    def dims(self) -> int:
        return len(self.names)

    def uniforms(self, block: int, lo: int, hi: int, cache: dict[int, Array] | None = None,
                 out: Array | None = None) -> Array:
        """Uniforms of rows ``lo .. hi - 1`` of a block, shape ``(dims, hi - lo)``
        (written into ``out`` when given, e.g. a buffer reused from chunk to chunk).

        Pseudo-random rows are generated directly; Latin hypercube and Sobol'
        blocks are made whole once (kept in ``cache``) and sliced.
        """
        u = np.empty((self.dims, hi - lo)) if out is None else out
        if self.sampler == "random":
            random_rows(self.seed, block, lo, u)
            return u
        if cache is None or block not in cache:
            whole = block_uniforms(self.sampler, self.seed, self.dims, block, self.block_size)
            if cache is None:
                u[...] = whole[:, lo:hi]
                return u
            cache.clear()
            cache[block] = whole
        u[...] = cache[block][:, lo:hi]
        return u

    def transform(self, u: Array) -> Array:
        """Uniforms to parameter values (a new array): copula and inverse CDFs
        (:class:`~mkba_mc.uncertainty.fused.FusedPlan`), then share groups."""
        if self.dims == 0:
            return u
        u = self.fused.transform(u)
        row = sum(d is not None for d in self.dists)  # share groups follow the single parameters
        for g in self.groups:
            k = len(g.members)
            dirichlet_shares(u[row:row + k], g.alpha)
            row += k
        return u

    def block_inputs(self, block: int) -> Array:
        """Sampled inputs of one whole block, shape ``(dims, block_size)``."""
        return self.transform(self.uniforms(block, 0, self.block_size))

    def chunks(self, start: int, stop: int, chunk: int) -> Iterator[tuple[int, Array]]:
        """Sampled inputs of ``start .. stop - 1`` in pieces of at most ``chunk``
        rows that never cross a block: ``(first_row, values (dims, rows))``."""
        B = self.block_size
        cache: dict[int, Array] = {}
        scratch = np.empty(self.dims * min(chunk, B, max(stop - start, 0)))  # the uniforms, reused per chunk
        streams = _BlockStreams(self.seed, self.use_compiled) if self.sampler == "random" else None
        row = start
        while row < stop:
            block = row // B
            hi = min(stop, (block + 1) * B, row + chunk)
            buf = scratch[:self.dims * (hi - row)].reshape(self.dims, hi - row)  # contiguous, also when shorter
            if streams is not None:
                u = streams.draw(block, row - block * B, buf)
            else:
                u = self.uniforms(block, row - block * B, hi - block * B, cache, buf)
            x = self.transform(u)
            yield row, (x.copy() if np.shares_memory(x, scratch) else x)
            row = hi

    def inputs(self, start: int, stop: int) -> dict[str, Array]:
        """Sampled inputs of samples ``start .. stop - 1`` by parameter name."""
        x = np.empty((self.dims, stop - start))
        for row, part in self.chunks(start, stop, self.block_size):
            x[:, row - start:row - start + part.shape[1]] = part
        return {nm: x[j] for j, nm in enumerate(self.names)}


class _BlockStreams:
    """The PCG64 streams of one block of the random design, continued from
    chunk to chunk (the numbers of :func:`~mkba_mc.uncertainty.designs.random_rows`,
    without re-seeding and advancing 43 streams for every chunk).

    With ``compiled``, numpy seeds and advances the streams and the compiled
    :func:`mkba_mc.uncertainty.kernels.uniforms` draws the numbers (the same
    ones, about 1.6 times faster); otherwise numpy draws them too.
    """

    def __init__(self, seed: int, compiled: bool = False) -> None:
        self.seed = seed
        self.block = -1
        self.pos = 0
        self.gens: list[np.random.Generator] = []
        self.state = np.zeros((0, 4), np.uint64)
        self._fill = None
        if compiled:
            from . import kernels  # numba: loaded already by the plan's compiled transform

            self._fill = kernels.uniforms

    def draw(self, block: int, lo: int, out: Array) -> Array:
        """Rows ``lo .. lo + out.shape[1] - 1`` of ``block`` into ``out`` (C-contiguous)."""
        if block != self.block or lo != self.pos:
            self.gens = input_generators(self.seed, block, out.shape[0])
            if lo:
                for gen in self.gens:
                    gen.bit_generator.advance(lo)
            if self._fill is not None:
                self.state = pcg_state_words(self.gens)
            self.block = block
        if self._fill is not None:
            self._fill(self.state, out)
        else:
            for j, gen in enumerate(self.gens):
                gen.random(out=out[j])
        self.pos = lo + out.shape[1]
        return out


__all__ = ["SamplingPlan", "ShareGroup"]
