"""The seeding of the random design's streams (issue 14.1): the seed words
computed for a whole block at once are numpy's ``SeedSequence`` words, and
the generators made from them give numpy's numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mkba_mc.uncertainty.designs import random_rows
from mkba_mc.uncertainty.streams import input_generators, input_seed_words, input_stream


def _numpy_words(seed: int, block: int, dims: int) -> np.ndarray:
    return np.array([np.random.SeedSequence(seed, spawn_key=(block, j)).generate_state(4, np.uint64)
                     for j in range(dims)], dtype=np.uint64).reshape(dims, 4)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(seed=st.one_of(st.integers(0, 2 ** 32), st.integers(0, 2 ** 300)),
       block=st.one_of(st.integers(0, 300), st.integers(0, 2 ** 70)), dims=st.integers(0, 70))
def test_seed_words_are_numpys_seed_sequence(seed: int, block: int, dims: int) -> None:
    # seeds of one to ten 32-bit words (the run entropy is padded to four), blocks of one to three words
    assert input_seed_words(seed, block, dims).tobytes() == _numpy_words(seed, block, dims).tobytes()


@pytest.mark.parametrize("seed, block", [(0, 0), (1, 0), (20260101, 17), (2 ** 63 + 5, 2 ** 32)])
def test_generators_give_numpys_streams(seed: int, block: int) -> None:
    gens = input_generators(seed, block, 43)
    for j, gen in enumerate(gens):
        ref = np.random.Generator(np.random.PCG64(input_stream(seed, block, j)))
        assert gen.bit_generator.state == ref.bit_generator.state
        assert gen.random(1000).tobytes() == ref.random(1000).tobytes()


def test_random_rows_advance_like_numpy() -> None:
    # a chunk that starts inside a block: the streams advanced by the offset
    out = np.empty((5, 300))
    random_rows(3, 2, 1000, out)
    for j in range(5):
        bitgen = np.random.PCG64(np.random.SeedSequence(3, spawn_key=(2, j)))
        ref = np.random.Generator(bitgen).random(1300)[1000:]
        assert out[j].tobytes() == ref.tobytes()
