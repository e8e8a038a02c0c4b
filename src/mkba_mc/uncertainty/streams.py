"""Every random stream of the engine and how it derives from the run's seed.

One integer ``seed`` (a non-negative integer, recorded in every manifest) is
the only source of randomness.  Each consumer derives its own stream from it
with :class:`numpy.random.SeedSequence` and a ``spawn_key`` -- numpy's
documented way to get independent parallel streams (O'Neill 2014, PCG;
numpy "Parallel random number generation") -- so that the numbers of a
sample, a block or a bootstrap task depend only on the seed and on their own
index, never on the chunk size, the number of workers or the order in which
tasks finish.

==========================  ===============================================  ==========================
stream                      derivation                                       used by
==========================  ===============================================  ==========================
random design, input ``j``  ``SeedSequence(seed, spawn_key=(block, j))``      :func:`input_stream`
Latin hypercube block       ``SeedSequence(seed, spawn_key=(block,))``        :func:`block_stream`
Sobol' design scrambling    ``default_rng(SeedSequence(seed))``               :func:`design_scramble_rng`
Sobol' analysis base        ``qmc.Sobol(2 d, seed=seed)`` (the same stream)   :func:`analysis_scramble_seed`
Sobol' bootstrap, task      ``SeedSequence(seed, spawn_key=(0x5B, task))``    :func:`bootstrap_stream`
Morris design and analysis  SALib's ``seed=seed``                             :func:`morris_seed`
Shapley permutations, task  ``SeedSequence(seed, spawn_key=(0x5C, 0, task))``  :func:`shapley_stream`
Shapley variance rows       ``SeedSequence(seed, spawn_key=(0x5C, 1, task))``  :func:`shapley_stream`
Shapley bootstrap           ``SeedSequence(seed, spawn_key=(0x5C, 2, 0))``     :func:`shapley_stream`
==========================  ===============================================  ==========================

The keys must never change: they are part of the numbers a seed gives
(``samples.nc`` and the Sobol' indices are bit-identical across versions).
The bootstrap key ``0x5B`` keeps the bootstrap streams apart from the
design streams, whose first spawn-key entry is a block index (a block index
of 91 would need 91 * 65,536 samples and a design stream has a second key
entry, so the two never coincide).
"""

from __future__ import annotations

from typing import Final

import numpy as np

#: First spawn-key entry of the Sobol' bootstrap streams (``0x5B`` = 91).
BOOTSTRAP_KEY: Final[int] = 0x5B


def input_stream(seed: int, block: int, j: int) -> np.random.SeedSequence:
    """Seed of input ``j`` of block ``block`` of the pseudo-random design."""
    return np.random.SeedSequence(seed, spawn_key=(block, j))


def block_stream(seed: int, block: int) -> np.random.SeedSequence:
    """Seed of one Latin hypercube block (points and strata permutations)."""
    return np.random.SeedSequence(seed, spawn_key=(block,))


def design_scramble_rng(seed: int) -> np.random.Generator:
    """Generator of the Owen scrambling of the Monte Carlo Sobol' design."""
    return np.random.default_rng(np.random.SeedSequence(seed))


def analysis_scramble_seed(seed: int) -> int:
    """Seed handed to ``scipy.stats.qmc.Sobol`` for the Saltelli base design.

    scipy turns an integer into ``default_rng(seed)``, which is the stream of
    :func:`design_scramble_rng`; the integer is passed on unchanged.
    """
    return int(seed)


def bootstrap_stream(seed: int, task: int) -> np.random.SeedSequence:
    """Seed of the Poisson bootstrap weights of one Sobol' task."""
    return np.random.SeedSequence(seed, spawn_key=(BOOTSTRAP_KEY, task))


#: First spawn-key entry of the Shapley-effect streams (``0x5C`` = 92); their
#: keys have three entries, so they never equal a design stream's two.
SHAPLEY_KEY: Final[int] = 0x5C
#: Second entry: which Shapley stream (permutation tasks, variance rows, bootstrap).
SHAPLEY_PERMUTATIONS, SHAPLEY_VARIANCE, SHAPLEY_BOOTSTRAP = 0, 1, 2


def shapley_stream(seed: int, part: int, task: int) -> np.random.SeedSequence:
    """Seed of one task of the Shapley-effect estimator
    (:mod:`mkba_mc.sensitivity.shapley`): ``part`` is
    :data:`SHAPLEY_PERMUTATIONS`, :data:`SHAPLEY_VARIANCE` or :data:`SHAPLEY_BOOTSTRAP`."""
    return np.random.SeedSequence(seed, spawn_key=(SHAPLEY_KEY, part, task))


def morris_seed(seed: int) -> int:
    """Seed handed to SALib's Morris sampler and analyser (used as given)."""
    return int(seed)


__all__ = [
    "BOOTSTRAP_KEY",
    "analysis_scramble_seed",
    "block_stream",
    "bootstrap_stream",
    "design_scramble_rng",
    "input_stream",
    "morris_seed",
    "SHAPLEY_BOOTSTRAP",
    "SHAPLEY_KEY",
    "SHAPLEY_PERMUTATIONS",
    "SHAPLEY_VARIANCE",
    "shapley_stream",
]
