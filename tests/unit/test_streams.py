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


def test_compiled_uniforms_are_numpys_and_continue() -> None:
    # the compiled PCG64 draws (four streams at a time, and the rest one by one), continued over calls
    from mkba_mc.uncertainty import kernels
    from mkba_mc.uncertainty.streams import pcg_state_words

    gens = input_generators(5, 1, 7)
    refs = input_generators(5, 1, 7)
    for g in gens[:3]:
        g.bit_generator.advance(12_345)
    for g in refs[:3]:
        g.bit_generator.advance(12_345)
    state = pcg_state_words(gens)
    for k in (1, 1000, 3):
        out = np.empty((7, k))
        kernels.uniforms(state, out)
        assert out.tobytes() == np.array([g.random(k) for g in refs]).tobytes()


def test_compiled_plan_draws_numpys_uniforms_from_any_start() -> None:
    # a task that starts inside a block (its streams advanced) and crosses into the next one
    from mkba_mc import load_scenario
    from mkba_mc.uncertainty.plan import SamplingPlan

    root = __file__.rsplit("/tests/", 1)[0]
    sc = load_scenario(root + "/scenarios/bijlage2_voorbeeld.toml")
    fast = SamplingPlan.from_scenario(sc, 1 << 18, seed=9, kernel="compiled")
    slow = SamplingPlan.from_scenario(sc, 1 << 18, seed=9, kernel="numpy")
    start, stop = 65_536 - 1_500, 65_536 + 2_000
    got = np.concatenate([x for _, x in fast.chunks(start, stop, 1_024)], axis=1)
    want = np.concatenate([x for _, x in slow.chunks(start, stop, 3_000)], axis=1)
    assert got.tobytes() == want.tobytes()
