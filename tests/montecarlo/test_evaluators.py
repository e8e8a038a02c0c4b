"""Evaluators own their workers: same numbers on every evaluator, no module
state, and importing the engine has no side effects."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mkba_mc import ConfigError, load_scenario
from mkba_mc.execution.evaluators import (ProcessEvaluator, SerialEvaluator, ThreadEvaluator, fork_available,
                                         local_evaluator)
from mkba_mc.execution.montecarlo import ALL_KEPT_OUTPUTS, run
from mkba_mc.sensitivity.analyses import breakeven, sobol

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"


class Job:
    """A job whose state the forked workers must see (bound before the fork)."""

    def __init__(self, offset: int):
        self.offset = offset

    def add(self, task: int) -> int:
        return task + self.offset


@pytest.mark.parametrize("make", [SerialEvaluator, lambda: ThreadEvaluator(2), lambda: ProcessEvaluator(2)])
def test_map_yields_in_task_order_with_the_jobs_state(make) -> None:
    with make() as ev:
        ev.expect(50)
        assert list(ev.map(Job(1000).add, range(50))) == [1000 + t for t in range(50)]
        assert list(ev.map(Job(7).add, range(5))) == [7, 8, 9, 10, 11]  # another job: a new fork
        assert list(ev.map(abs, range(-3, 0))) == [3, 2, 1]  # a plain function


def test_process_evaluator_starts_no_more_workers_than_tasks(monkeypatch) -> None:
    import mkba_mc.execution.procs

    made = []
    real = mkba_mc.execution.procs.ProcessPoolExecutor
    monkeypatch.setattr(mkba_mc.execution.procs, "ProcessPoolExecutor",
                        lambda *a, **k: made.append(k["max_workers"]) or real(*a, **k))
    with ProcessEvaluator(8) as ev:
        ev.expect(3)
        assert list(ev.map(Job(0).add, range(3))) == [0, 1, 2]
    assert made == [3]
    with ProcessEvaluator(8) as ev:
        ev.expect(1)  # one task: in this process, no pool
        assert list(ev.map(Job(0).add, [5])) == [5]
    assert made == [3]


def test_local_evaluator_checks_its_options() -> None:
    with pytest.raises(ConfigError, match="workers"):
        local_evaluator(0)
    with pytest.raises(ConfigError, match="backend"):
        local_evaluator(2, "gpu")
    assert isinstance(local_evaluator(1), SerialEvaluator)
    assert isinstance(local_evaluator(2, "threads"), ThreadEvaluator)


def test_every_evaluator_gives_the_same_run_and_sobol() -> None:
    sc = load_scenario(B2)
    ref = run(sc, 70_000, seed=9, outputs=ALL_KEPT_OUTPUTS, keep_inputs=True)
    ref_sobol = sobol(sc, 1 << 14, seed=2, outputs=["ratio_social"], workers=1)
    for ev in (ThreadEvaluator(2), ProcessEvaluator(2)):
        with ev:
            other = run(sc, 70_000, seed=9, outputs=ALL_KEPT_OUTPUTS, keep_inputs=True, evaluator=ev)
            other_sobol = sobol(sc, 1 << 14, seed=2, outputs=["ratio_social"], evaluator=ev)
        for k, v in ref.outputs.items():
            assert np.array_equal(v, other.outputs[k], equal_nan=True), k
        assert all(np.array_equal(ref.inputs[k], other.inputs[k]) for k in ref.inputs)
        assert ref.summary().equals(other.summary())
        for b, a in zip(ref.programme_band().values(), other.programme_band().values()):
            assert np.array_equal(a, b)
        for k in ("S1", "ST", "S1_conf", "ST_conf"):
            assert np.array_equal(ref_sobol.indices["ratio_social"][k], other_sobol.indices["ratio_social"][k])


class PidJob:
    """A job that says whether its tasks release the GIL and reports where they ran."""

    def __init__(self, releases_gil: bool):
        self.releases_gil = releases_gil

    def pid(self, task: int) -> int:
        return os.getpid()


@pytest.mark.skipif(not fork_available(), reason="forked workers")
def test_auto_runs_a_job_that_releases_the_gil_on_threads_and_forks_for_the_others() -> None:
    here = os.getpid()
    with local_evaluator(2, "auto") as ev:
        ev.expect(8)
        assert ev.forks_for(True) is False and ev.forks_for(False) is True
        assert set(ev.map(PidJob(True).pid, range(8))) == {here}
        assert here not in set(ev.map(PidJob(False).pid, range(8)))
    with local_evaluator(2, "processes") as ev:  # processes: every job forks
        ev.expect(8)
        assert ev.forks_for(True) is True
        assert here not in set(ev.map(PidJob(True).pid, range(8)))


def test_a_compiled_run_is_the_same_on_every_local_evaluator(monkeypatch) -> None:
    """2^18 samples (numba sampling and model): the bits of one worker on threads,
    forked processes and the default, which runs this job on threads and forks nothing."""
    import mkba_mc.execution.evaluators as evaluators

    sc = load_scenario(B2)
    n = 1 << 18
    ref = run(sc, n, seed=13, chunk_size=1 << 14, workers=1)
    assert ref.plan.use_compiled
    forked = []
    real = evaluators.fork_pool
    monkeypatch.setattr(evaluators, "fork_pool", lambda *a, **k: forked.append(a) or real(*a, **k))
    for backend, forks in (("threads", 0), ("processes", 1), ("auto", 0)):
        before = len(forked)
        other = run(sc, n, seed=13, chunk_size=1 << 15, workers=2, backend=backend)
        assert len(forked) - before == forks, backend
        for k, v in ref.outputs.items():
            assert np.array_equal(v, other.outputs[k], equal_nan=True), (backend, k)
        assert ref.summary().equals(other.summary()), backend
        assert ref.probabilities() == other.probabilities(), backend


def test_breakeven_is_the_same_on_workers() -> None:
    sc = load_scenario(B2)
    s1, t1 = breakeven(sc, ["newly_found_share", "attribution"], n=2_000, grid=4, seed=3, workers=1)
    s2, t2 = breakeven(sc, ["newly_found_share", "attribution"], n=2_000, grid=4, seed=3, workers=2)
    assert s1.equals(s2) and t1.equals(t2)


def test_no_module_state_and_no_import_side_effects() -> None:
    code = ("import sys, mkba_mc.execution.montecarlo as m, mkba_mc.sensitivity.sobol as s, "
            "mkba_mc.execution.job as j\n"
            "assert not hasattr(m, '_JOB') and not hasattr(s, '_JOB')\n"
            "assert 'rich' not in sys.modules, 'rich imported'\n"
            "assert j.tune_malloc.cache_info().currsize == 0, 'malloc tuned on import'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
