"""Faulting the output store in ahead of the workers (issue 14): which pages
it touches, that it leaves their contents alone, that it gives up quietly
where the kernel refuses, and that a run's numbers do not depend on it."""

from __future__ import annotations

import mmap
import sys
import threading

import numpy as np
import pytest

from mkba_mc import load_scenario
from mkba_mc.execution import prefault
from mkba_mc.execution.job import Store
from mkba_mc.execution.montecarlo import run

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and MADV_POPULATE_WRITE are Linux")
MiB = 1 << 20


def _resident(store: Store) -> int:
    """Resident bytes of the store's own map (``mincore``: not the rest of the
    process, nor the kernel's batched RSS counters, nor other threads)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    pages = -(-store.nbytes // mmap.PAGESIZE)
    vec = (ctypes.c_ubyte * pages)()
    assert libc.mincore(store.address, store.nbytes, vec) == 0, ctypes.get_errno()
    return sum(b & 1 for b in vec) * mmap.PAGESIZE


def _populate(store: Store, start: int, rows: int, front: int = 0) -> None:
    if not prefault.populate([store], start, rows, threading.Event(), lambda: front):
        pytest.skip("the kernel refuses MADV_POPULATE_WRITE (before Linux 5.14)")


def _populated(store: Store, start: int, rows: int, front: int = 0) -> int:
    """Bytes of the store that became resident while :func:`prefault.populate` ran over ``[start, rows)``."""
    store.madvise(mmap.MADV_NOHUGEPAGE, 0, store.nbytes)  # whole 4 KiB pages whatever the huge-page setting
    before = _resident(store)
    _populate(store, start, rows, front)
    return _resident(store) - before


@linux
def test_populate_faults_in_exactly_the_rows_asked_of_every_column() -> None:
    # 4 columns (a scalar output and a 3-wide one) of 2^21 doubles: 16 MiB each
    cap = 1 << 21
    store = Store(["a", "m"], {"m": (3,)}, cap, shared=False)
    assert store.line_offsets == [0, 8 * cap, 16 * cap, 24 * cap]
    grown = _populated(store, 0, cap // 4)  # a quarter of every column: 4 x 4 MiB
    assert 15.5 * MiB <= grown <= 17 * MiB
    grown = _populated(store, 0, cap // 4)  # present already: nothing new
    assert grown <= 0.5 * MiB
    grown = _populated(store, cap // 2, cap)  # the last half: 4 x 8 MiB
    assert 31.5 * MiB <= grown <= 33 * MiB


@linux
def test_populate_goes_on_from_where_the_workers_are() -> None:
    cap = 1 << 22  # one column of 32 MiB
    store = Store(["a"], {}, cap, shared=False)
    grown = _populated(store, 0, cap, front=3 * cap // 4)  # the workers have written three quarters
    assert 7.5 * MiB <= grown <= 9 * MiB  # only the last quarter is faulted in here


@linux
def test_populate_leaves_the_values_written_before_it() -> None:
    rng = np.random.default_rng(1)
    store = Store(["a", "m"], {"m": (2,)}, 1 << 17, shared=True)
    values = {"a": rng.random(5000), "m": rng.random((5000, 2))}
    store.put(1000, values)
    _populate(store, 0, 1 << 17)
    for name, v in values.items():
        assert np.array_equal(store.arrays[name][1000:6000], v)
        assert not store.arrays[name][:1000].any()  # the rest still reads as zeros


def test_populate_stops_when_told_and_gives_up_where_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(["a"], {}, 1 << 20, shared=False)
    calls = []

    def refused(option: int, start: int, length: int) -> None:
        calls.append((option, start, length))
        raise OSError(22, "Invalid argument")  # a kernel before 5.14

    monkeypatch.setattr(store, "madvise", refused)
    assert prefault.populate([store], 0, 1 << 20, threading.Event()) is False
    assert calls == [(prefault.MADV_POPULATE_WRITE, 0, 8 * prefault.STEP_ROWS)]  # the first refusal ends it
    stop = threading.Event()
    stop.set()
    calls.clear()
    assert prefault.populate([store], 0, 1 << 20, stop) is True
    assert calls == []


def test_no_thread_without_a_free_core(monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    monkeypatch.setattr(prefault, "populate", lambda *a: started.append(a) or True)
    store = Store(["a"], {}, 1 << 10, shared=False)
    monkeypatch.setattr(prefault, "free_cores", lambda workers: 0)
    with prefault.prefaulted([store], 0, 1 << 10, 1) as reached:
        reached(512)
    assert started == []
    monkeypatch.setattr(prefault, "free_cores", lambda workers: 1)
    with prefault.prefaulted([store], 0, 1 << 10, 1):
        pass
    assert len(started) == 1
    with prefault.prefaulted([store], 1 << 10, 1 << 10, 1):  # nothing to fault in
        pass
    assert len(started) == 1


def test_no_thread_for_a_shared_store_or_where_none_can_start(monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    monkeypatch.setattr(prefault, "populate", lambda *a: started.append(a) or True)
    monkeypatch.setattr(prefault, "free_cores", lambda workers: 1)
    shared = Store(["a"], {}, 1 << 10, shared=True)  # forked workers: no thread across their fork
    with prefault.prefaulted([Store(["a"], {}, 1 << 10, shared=False), shared], 0, 1 << 10, 1):
        pass
    assert started == []

    def refused(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refused)
    with prefault.prefaulted([Store(["a"], {}, 1 << 10, shared=False)], 0, 1 << 10, 1) as reached:
        reached(1 << 9)  # the block runs as without a free core
    assert started == []


def test_each_round_of_a_target_se_run_faults_in_only_its_own_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    rounds = []
    real = prefault.prefaulted

    def recorded(stores, start, rows, workers):  # noqa: ANN001, ANN202
        rounds.append((start, rows))
        return real(stores, start, rows, workers)

    import mkba_mc.execution.montecarlo as mc

    monkeypatch.setattr(mc, "prefaulted", recorded)
    sc = load_scenario("scenarios/bijlage2_voorbeeld.toml")
    res = run(sc, 1 << 16, seed=3, target_se=1e-9, start_n=1 << 12)  # never reached: every round runs
    assert res.n == 1 << 16
    assert rounds == [(0, 1 << 12), (1 << 12, 1 << 13), (1 << 13, 1 << 14), (1 << 14, 1 << 15), (1 << 15, 1 << 16)]


def test_store_madvise_checks_its_range_and_reports_the_kernels_refusal() -> None:
    store = Store(["a"], {}, 1 << 10, shared=False)
    with pytest.raises(ValueError):
        store.madvise(mmap.MADV_DONTNEED, store.nbytes, 1)
    with pytest.raises(OSError):
        store.madvise(9999, 0, store.nbytes)  # no such advice: EINVAL
    store.madvise(mmap.MADV_DONTNEED, 0, 10 * store.nbytes)  # cut at the map's end


def test_free_cores_counts_the_cores_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefault.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert prefault.free_cores(1) == 3
    assert prefault.free_cores(4) == 0
    assert prefault.free_cores(8) == 0


@pytest.mark.parametrize(("workers", "outputs", "keep_inputs", "stores"), [
    (1, ["balance", "actor_balance", "payback_year"], True, 3),  # outputs, inputs, the band's cash flows
    (2, None, False, 1),  # the default outputs: worker threads (compiled), one private store
    (2, ["balance", "payback_year"], True, 0),  # not compiled: forked workers, shared stores, no thread
])
def test_a_run_gives_the_same_bits_with_and_without_prefaulting(monkeypatch: pytest.MonkeyPatch, workers: int,
                                                                outputs: list[str] | None, keep_inputs: bool,
                                                                stores: int) -> None:
    sc = load_scenario("scenarios/bijlage2_voorbeeld.toml")
    calls = []
    real = prefault.populate
    monkeypatch.setattr(prefault, "populate", lambda *a: calls.append(len(a[0])) or real(*a))
    results = {}
    for free in (0, 1):
        monkeypatch.setattr(prefault, "free_cores", lambda w, free=free: free)
        results[free] = run(sc, 1 << 18, seed=7, workers=workers, keep_inputs=keep_inputs, outputs=outputs)
    assert calls == ([stores] if stores else [])  # only with a free core, and never beside forked workers
    off, on = results[0], results[1]
    for name in off.outputs:
        assert off.outputs[name].tobytes() == on.outputs[name].tobytes()
    for name in off.inputs or {}:
        assert off.inputs[name].tobytes() == on.inputs[name].tobytes()
    assert off.summary_stats() == on.summary_stats()
