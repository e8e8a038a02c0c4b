"""Sampling designs on the unit cube and rank correlation between inputs.

Every design is defined block by block: sample ``i`` belongs to block
``i // block_size`` and its uniforms depend only on the seed, the block index
and its position in the block -- never on the chunk size or the number of
workers that evaluate it.  That is what makes a run bit-identical whatever
the chunking and the scheduler.

* ``random`` -- PCG64 streams, one per block and input, from
  ``SeedSequence(seed, spawn_key=(block, input))`` (numpy's documented way to
  get independent parallel streams); ``advance`` lets a chunk start anywhere
  in a block, so chunks are generated where they are evaluated.
* ``lhs`` -- a Latin hypercube per block (McKay, Beckman & Conover 1979):
  every dimension is stratified into ``block_size`` equal strata, one point
  each.  The block size is ``min(65536, n)``, so a run of fewer than 65,536
  samples is one Latin hypercube.
* ``sobol`` -- one scrambled Sobol' sequence (``scipy.stats.qmc.Sobol``,
  Owen scrambling seeded from ``seed``); block ``b`` is points
  ``b * block_size .. (b + 1) * block_size - 1`` of that sequence, reached
  with ``fast_forward``.  Use a power of two for ``n``.

The seed streams are named in :mod:`mkba_mc.uncertainty.streams`.
"""

from __future__ import annotations

import warnings
from typing import Final

import numpy as np
from numpy.typing import NDArray

from .spaces import SAMPLERS
from .streams import block_stream, design_scramble_rng, input_generators

BLOCK_SIZE: Final[int] = 1 << 16


def block_size_for(sampler: str, n: int) -> int:
    """Block size of a design: fixed, except that a Latin hypercube smaller
    than one block is a single hypercube of ``n`` points."""
    if sampler == "lhs":
        return max(1, min(BLOCK_SIZE, n))
    return BLOCK_SIZE


def block_uniforms(sampler: str, seed: int, dims: int, block: int, block_size: int) -> NDArray[np.float64]:
    """Uniforms of one block, shape ``(dims, block_size)`` (one row per input).

    Parameters
    ----------
    sampler : {"random", "lhs", "sobol"}
    seed : int
        The run's seed (a non-negative integer).
    dims : int
        Number of sampled inputs.
    block : int
        Block index.
    block_size : int
        Rows per block (see :func:`block_size_for`).
    """
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {sampler!r}; valid: {', '.join(SAMPLERS)}")
    if dims == 0:
        return np.empty((0, block_size))
    if sampler == "sobol":
        from scipy.stats import (
            qmc,  # imported here: scipy.stats takes about a second to import
        )

        engine = qmc.Sobol(dims, scramble=True, seed=design_scramble_rng(seed))
        if block:
            engine.fast_forward(block * block_size)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # balance warning: the run as a whole is checked
            pts = engine.random(block_size)
        return np.ascontiguousarray(pts.T)
    if sampler == "random":
        u = np.empty((dims, block_size))
        random_rows(seed, block, 0, u)
        return u
    rng = np.random.Generator(np.random.PCG64(block_stream(seed, block)))
    u = rng.random((dims, block_size))
    if sampler == "lhs":
        strata = rng.permuted(np.broadcast_to(np.arange(block_size, dtype=np.float64), (dims, block_size)), axis=1)
        u += strata
        u /= block_size
    return u


def random_rows(seed: int, block: int, offset: int, out: NDArray[np.float64]) -> None:
    """Pseudo-random uniforms of rows ``offset .. offset + out.shape[1] - 1`` of
    a block, one PCG64 stream per input: ``SeedSequence(seed, spawn_key=(block,
    j))`` advanced by ``offset`` draws.  Any slicing of a block into chunks
    gives the same numbers as drawing it at once."""
    for j, gen in enumerate(input_generators(seed, block, out.shape[0])):
        if offset:
            gen.bit_generator.advance(offset)
        gen.random(out=out[j])


__all__ = [
    "BLOCK_SIZE",
    "SAMPLERS",
    "block_size_for",
    "block_uniforms",
    "random_rows",
]
