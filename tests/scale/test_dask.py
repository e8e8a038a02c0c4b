"""Scale-out with Dask: the same numbers on a cluster as locally, loopback only."""

from __future__ import annotations

import ipaddress
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest

from mkba_mc import ConfigError
from mkba_mc.execution.montecarlo import ALL_KEPT_OUTPUTS, MonteCarloResult, run
from mkba_mc.uncertainty.plan import SamplingPlan
from mkba_mc.execution.cluster import cluster_client, local_cluster
from mkba_mc.execution.evaluators import DaskEvaluator, SerialEvaluator, ThreadEvaluator
from mkba_mc.execution.scheduling import open_evaluator, parse_scheduler
from mkba_mc.sensitivity.analyses import sobol
from mkba_mc.sensitivity.sobol import SobolResult

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
N = 70_000  # more than one 65,536-sample block, not a multiple of it
SEED = 5
SOBOL_N = (512, 1 << 14)  # one task, and two tasks (merge order matters)


def _run(sc: Any, **kw: Any) -> MonteCarloResult:
    return run(sc, N, seed=SEED, outputs=ALL_KEPT_OUTPUTS, keep_inputs=True, **kw)


@pytest.fixture(scope="module")
def local(sc: Any) -> dict[str, Any]:
    """Local references, computed before any cluster thread exists (the
    processes backend forks)."""
    return {
        "threads": _run(sc, workers=2, backend="threads"),
        "processes": _run(sc, workers=2, backend="processes"),
        "sobol": {n: sobol(sc, n, workers=1) for n in SOBOL_N},
    }


@pytest.fixture(scope="module")
def client(local: dict[str, Any]) -> Iterator[Any]:
    """A client of a 2-worker local cluster (closed with the module)."""
    with cluster_client("local-cluster:2", timeout=10) as cl:
        yield cl


@pytest.fixture(scope="module")
def cluster(client: Any) -> Any:
    return client.cluster


def assert_same_run(a: MonteCarloResult, b: MonteCarloResult) -> None:
    assert a.outputs.keys() == b.outputs.keys()
    for k in a.outputs:
        assert np.array_equal(a.outputs[k], b.outputs[k], equal_nan=True), k
    assert a.inputs is not None and b.inputs is not None and a.inputs.keys() == b.inputs.keys()
    for k in a.inputs:
        assert np.array_equal(a.inputs[k], b.inputs[k], equal_nan=True), k


def assert_same_sobol(a: SobolResult, b: SobolResult) -> None:
    assert a.indices.keys() == b.indices.keys()
    for o in a.indices:
        assert a.indices[o].keys() == b.indices[o].keys()
        for k in a.indices[o]:
            assert np.array_equal(a.indices[o][k], b.indices[o][k], equal_nan=True), (o, k)


# ------------------------------------------------------------ identical numbers
def test_threads_and_processes_agree(local: dict[str, Any]) -> None:
    assert local["threads"].n == N
    assert_same_run(local["threads"], local["processes"])


def test_run_on_cluster_is_bit_identical(sc: Any, local: dict[str, Any], client: Any) -> None:
    remote = _run(sc, evaluator=DaskEvaluator(client))
    assert remote.n == N
    assert_same_run(local["threads"], remote)
    assert remote.summary().equals(local["threads"].summary())


def test_run_with_target_se_rounds_on_cluster(sc: Any, client: Any) -> None:
    kw: dict[str, Any] = {"seed": SEED, "target_se": 1e-4, "start_n": 20_000, "keep_inputs": True}
    ref = run(sc, N, workers=1, **kw)
    remote = run(sc, N, evaluator=DaskEvaluator(client, window=1), **kw)
    assert remote.convergence is not None and [r["n"] for r in remote.convergence["rounds"]] == [20_000, 40_000, N]
    assert_same_run(ref, remote)


@pytest.mark.parametrize("n", SOBOL_N)
def test_sobol_on_cluster_is_bit_identical(sc: Any, local: dict[str, Any], client: Any, n: int) -> None:
    with open_evaluator(client.scheduler.address, timeout=10) as by_address:  # a second client, by address
        assert isinstance(by_address, DaskEvaluator)
        remote = sobol(sc, n, evaluator=by_address)
    assert remote.n == n
    assert_same_sobol(local["sobol"][n], remote)


def test_sobol_on_threads_equals_one_worker(sc: Any, local: dict[str, Any]) -> None:
    n = SOBOL_N[-1]
    with ThreadEvaluator(2) as threads:
        assert_same_sobol(local["sobol"][n], sobol(sc, n, evaluator=threads))


def test_scenario_and_plan_pickle(sc: Any) -> None:
    import pickle

    import cloudpickle

    from mkba_mc.sensitivity.analyses import model_for

    plan = SamplingPlan.from_scenario(sc, 1000, SEED)
    x = plan.inputs(0, 1000)  # builds the cached ppf tables, which travel along
    plan2 = pickle.loads(cloudpickle.dumps(plan))
    sc2 = pickle.loads(cloudpickle.dumps(sc))
    assert plan2.names == plan.names and sc2.params == sc.params
    y = plan2.inputs(0, 1000)
    assert all(np.array_equal(x[k], y[k]) for k in x)
    f = pickle.loads(cloudpickle.dumps(model_for(sc, ["ratio_social", "ratio_social_ge_1"])))
    assert np.array_equal(f(x)["ratio_social"], sc2.evaluate(y, ["ratio_social"])["ratio_social"])


# ------------------------------------------------------------ loopback only
def _loopback(address: str) -> bool:
    host = urlsplit(address).hostname or ""
    return ipaddress.ip_address(host).is_loopback


def test_local_cluster_listens_on_loopback_only(cluster: Any, client: Any) -> None:
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    info = client.scheduler_info()
    assert len(info["workers"]) == 2
    addresses = [cluster.scheduler_address, *info["workers"]]
    addresses += [w["nanny"] for w in info["workers"].values() if w.get("nanny")]
    assert all(_loopback(a) for a in addresses), addresses
    assert info["services"].get("dashboard") != 8787  # the HTTP endpoint takes a free port, no dashboard
    psutil = pytest.importorskip("psutil")
    me = psutil.Process()
    listening = [c.laddr for p in (me, *me.children(recursive=True))
                 for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert listening and all(ipaddress.ip_address(a.ip).is_loopback for a in listening), listening


# ------------------------------------------------------------ choices and errors
def test_local_choices() -> None:
    assert parse_scheduler("local-cluster:3").n_workers == 3
    assert parse_scheduler("tcp://10.0.0.5:8786").address == "tcp://10.0.0.5:8786"
    for choice in (None, "threads", "processes", " Threads "):
        with open_evaluator(choice, 2) as ev:  # local: no cluster
            assert not isinstance(ev, DaskEvaluator) and isinstance(ev, SerialEvaluator)
            assert list(ev.map(abs, [-3, 1, -2])) == [3, 1, 2]  # in task order
    with open_evaluator("threads", 2) as ev:
        assert isinstance(ev, ThreadEvaluator) and ev.workers == 2


@pytest.mark.parametrize("value", ["", "thread", "dask", "local-cluster", "local-cluster:0", "local-cluster:x",
                                   "10.0.0.5:8786", "tcp://", 8786])
def test_bad_scheduler_is_a_config_error(value: Any) -> None:
    with pytest.raises(ConfigError) as exc, open_evaluator(value):
        pass
    [p] = exc.value.problems
    assert (p.source, p.key, p.value) == ("--scheduler", "scheduler", value)
    assert "tcp://" in p.expected or "local-cluster:N" in p.expected


def test_nothing_listening_is_a_clear_error_not_a_hang() -> None:
    t0 = time.perf_counter()
    with pytest.raises(ConfigError) as exc, open_evaluator("tcp://127.0.0.1:1", timeout=1.5):
        pass
    assert time.perf_counter() - t0 < 8
    text = str(exc.value)
    assert "tcp://127.0.0.1:1" in text and "dask scheduler" in text


def test_scheduler_without_workers_is_a_clear_error() -> None:
    with local_cluster(0) as empty:
        t0 = time.perf_counter()
        with pytest.raises(ConfigError, match="dask worker"), cluster_client(empty.scheduler_address, timeout=1):
            pass
        assert time.perf_counter() - t0 < 8


def test_other_mkba_version_on_workers_is_refused(client: Any, cluster: Any, monkeypatch: pytest.MonkeyPatch
                                                   ) -> None:
    from mkba_mc.execution.cluster import check_environment

    monkeypatch.setattr("mkba_mc.execution.cluster.package_version", lambda: "0.0.0+other")
    with pytest.raises(ConfigError, match="same mkba-mc version"):
        check_environment(client, cluster.scheduler_address)


def test_without_dask_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ConfigError, match=r"mkba-mc\[cluster\]"), open_evaluator("tcp://127.0.0.1:8786"):
        pass
