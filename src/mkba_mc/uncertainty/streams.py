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

The random design's generators are made by :func:`input_generators` from
seed words computed for a whole block at once (:func:`input_seed_words`:
numpy's ``SeedSequence`` algorithm, the same words, five times faster).

The keys must never change: they are part of the numbers a seed gives
(``samples.nc`` and the Sobol' indices are bit-identical across versions).
The bootstrap key ``0x5B`` keeps the bootstrap streams apart from the
design streams, whose first spawn-key entry is a block index (a block index
of 91 would need 91 * 65,536 samples and a design stream has a second key
entry, so the two never coincide).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.random.bit_generator import ISeedSequence
from numpy.typing import NDArray

#: First spawn-key entry of the Sobol' bootstrap streams (``0x5B`` = 91).
BOOTSTRAP_KEY: Final[int] = 0x5B


def input_stream(seed: int, block: int, j: int) -> np.random.SeedSequence:
    """Seed of input ``j`` of block ``block`` of the pseudo-random design."""
    return np.random.SeedSequence(seed, spawn_key=(block, j))


# numpy's SeedSequence (numpy/random/bit_generator.pyx; after O'Neill's seed_seq): hash and mix constants
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R, _M32 = 0xCA01F9DD, 0x4973F715, 0xFFFFFFFF
_M64 = (1 << 64) - 1


def _words(n: int) -> list[int]:
    """An integer as numpy's SeedSequence reads it: 32-bit words, least significant first."""
    words = [n & _M32]
    while n > _M32:
        n >>= 32
        words.append(n & _M32)
    return words


def input_seed_words(seed: int, block: int, dims: int) -> NDArray[np.uint64]:
    """``input_stream(seed, block, j).generate_state(4, numpy.uint64)`` for every
    input ``j < dims`` -- the words PCG64 is seeded with -- shape ``(dims, 4)``.

    A task of the random design seeds one PCG64 stream per input: 43 in the
    default scenario, 1.1-2 ms per task with numpy's ``SeedSequence`` (some
    5 % of sampling a task of 65,536 samples).  The streams of one block share
    their entropy up to its last word (the input index ``j``), and the hash
    constants of SeedSequence do not depend on the data, so the shared part is
    mixed once (Python integers) and only the last word and the output hash
    run for all inputs at once (``uint32`` arrays, which wrap as the C code
    does).  The algorithm and constants are numpy's (``SeedSequence``: a pool
    of four words, ``mix_entropy``, ``generate_state``), so are the words
    (tested against it).  ``dims`` must be below 2^32 (one word for ``j``).
    """
    hash_a = _INIT_A

    def hashmix(value: int) -> int:
        nonlocal hash_a
        value ^= hash_a
        hash_a = (hash_a * _MULT_A) & _M32
        value = (value * hash_a) & _M32
        return value ^ (value >> 16)

    def mix(x: int, y: int) -> int:
        r = (_MIX_L * x - _MIX_R * y) & _M32
        return r ^ (r >> 16)

    run = _words(seed)
    entropy = run + [0] * max(0, 4 - len(run)) + _words(block)  # run entropy padded to the pool size
    mixer = [hashmix(w) for w in entropy[:4]]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                mixer[dst] = mix(mixer[dst], hashmix(mixer[src]))
    for w in entropy[4:]:
        for dst in range(4):
            mixer[dst] = mix(mixer[dst], hashmix(w))
    # the last entropy word, j, mixed into each pool word: hashmix(j) then mix(pool word, .), per input
    j = np.arange(dims, dtype=np.uint32)
    u32, sh = np.uint32, np.uint32(16)
    pool = []
    for m in mixer:
        h = u32(hash_a)
        hash_a = (hash_a * _MULT_A) & _M32
        v = (j ^ h) * u32(hash_a)
        v ^= v >> sh
        r = u32((_MIX_L * m) & _M32) - u32(_MIX_R) * v
        pool.append(r ^ (r >> sh))
    out = np.empty((dims, 8), np.uint32)  # generate_state(8 uint32 words) = 4 uint64 words
    hash_b = _INIT_B
    for i in range(8):
        v = pool[i % 4] ^ u32(hash_b)
        hash_b = (hash_b * _MULT_B) & _M32
        v *= u32(hash_b)
        out[:, i] = v ^ (v >> sh)
    return out.view(np.uint64)


class _SeedWords(ISeedSequence):
    """Seed words computed in advance, handed to ``numpy.random.PCG64`` as its
    seed sequence (numpy's documented ``ISeedSequence`` interface): PCG64 asks
    for four ``uint64`` words and seeds itself from them in C."""

    def __init__(self, words: NDArray[np.uint64]) -> None:
        self.words = words

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> NDArray[Any]:
        if n_words != 4 or np.dtype(dtype) != np.uint64:
            raise ValueError("precomputed seed words are four uint64 words (PCG64's request)")
        return self.words.copy()


def input_generators(seed: int, block: int, dims: int) -> list[np.random.Generator]:
    """The generators ``Generator(PCG64(input_stream(seed, block, j)))`` of the
    inputs ``j < dims`` of one block, seeded from :func:`input_seed_words`
    (the same streams, about five times faster to make)."""
    return [np.random.Generator(np.random.PCG64(_SeedWords(w))) for w in input_seed_words(seed, block, dims)]


def pcg_state_words(gens: list[np.random.Generator]) -> NDArray[np.uint64]:
    """The PCG64 states of ``gens`` as ``(len(gens), 4)`` uint64 rows: state
    high and low word, increment high and low word (what the compiled
    :func:`mkba_mc.uncertainty.kernels.uniforms` continues)."""
    words = np.empty((len(gens), 4), np.uint64)
    for j, gen in enumerate(gens):
        st = gen.bit_generator.state["state"]
        words[j] = (st["state"] >> 64, st["state"] & _M64, st["inc"] >> 64, st["inc"] & _M64)
    return words


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
    "input_generators",
    "input_seed_words",
    "input_stream",
    "morris_seed",
    "pcg_state_words",
    "SHAPLEY_BOOTSTRAP",
    "SHAPLEY_KEY",
    "SHAPLEY_PERMUTATIONS",
    "SHAPLEY_VARIANCE",
    "shapley_stream",
]
