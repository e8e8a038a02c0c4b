"""What a run does beyond sampling and the model (issue 14): where its
outputs live and what its evaluators say about forking.  The numbers of a
run must not depend on any of it."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from mkba_mc.execution.evaluators import ProcessEvaluator, SerialEvaluator, ThreadEvaluator, fork_available
from mkba_mc.execution.job import Store

needs_fork = pytest.mark.skipif(not fork_available() or not sys.platform.startswith("linux"),
                                reason="forked workers")


def test_evaluators_say_whether_their_tasks_run_in_forks() -> None:
    assert SerialEvaluator().forks is False
    assert ThreadEvaluator(2).forks is False
    ev = ProcessEvaluator(2)
    ev.expect(1)  # one task: runs in this process
    assert ev.forks is False
    ev.expect(4)
    assert ev.forks is fork_available()
    one = ProcessEvaluator(1)
    one.expect(4)
    assert one.forks is False


def _written_in_a_child(store: Store) -> float:
    pid = os.fork()
    if pid == 0:  # the child writes and exits at once
        store.put(0, {"x": np.array([7.0])})
        os._exit(0)
    os.waitpid(pid, 0)
    return float(store.arrays["x"][0])


@needs_fork
def test_a_shared_store_sees_forked_writes_a_private_one_does_not() -> None:
    """Why a run with forked workers needs the shared map (and others may use the cheaper private one)."""
    assert _written_in_a_child(Store(["x"], {}, 4, shared=True)) == 7.0
    assert _written_in_a_child(Store(["x"], {}, 4, shared=False)) == 0.0


def test_private_and_shared_stores_hold_the_same_arrays() -> None:
    rng = np.random.default_rng(0)
    values = {"a": rng.random(10), "m": rng.random((10, 3))}
    stores = [Store(["a", "m"], {"m": (3,)}, 16, shared=s) for s in (True, False)]
    for st in stores:
        st.put(2, values)
    for name in values:
        assert stores[0].trimmed(12)[name].tobytes() == stores[1].trimmed(12)[name].tobytes()
        assert np.array_equal(stores[1].arrays[name][2:12], values[name])


def test_a_thread_pool_has_all_its_workers_running_before_its_first_task() -> None:
    """Not started one per submit while the first worker holds the GIL (a run's second worker started late)."""
    import threading

    from mkba_mc.execution.pools import WORKER_THREAD, thread_pool

    before = set(threading.enumerate())
    pool = thread_pool(3)
    try:
        new = [t for t in threading.enumerate() if t not in before]
        assert len(new) == 3
        assert all(t.is_alive() and t.name.startswith(WORKER_THREAD) for t in new)
        assert sorted(pool.map(lambda x: x * x, range(5))) == [0, 1, 4, 9, 16]
    finally:
        pool.shutdown(wait=True)


def test_the_normal_score_table_is_built_once_and_read_only() -> None:
    from mkba_mc.uncertainty.fused import normal_score_table

    table = normal_score_table()
    assert normal_score_table() is table
    with pytest.raises(ValueError):
        table.coef[0, 0] = 1.0
