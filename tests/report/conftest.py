"""Fixtures of the report tests (helpers are in report_helpers.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every way of evaluating the model raise: a report must not evaluate it."""
    import mkba_mc.model.core as core
    from mkba_mc.io.loading import Scenario

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the report evaluated the model")

    monkeypatch.setattr(core, "evaluate", refuse)
    monkeypatch.setattr(Scenario, "evaluate", refuse)


@pytest.fixture(scope="session")
def batch_all(tmp_path_factory: pytest.TempPathFactory):
    """``run_batch`` over every shipped scenario (``scenarios/*.toml``) with
    every step, small: 1,000 Monte Carlo samples, Sobol' n = 64, seed 7, Dutch
    reports. Read only."""
    from pathlib import Path

    from mkba_mc.batch import BatchOptions, run_batch

    scenarios = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.toml"))
    out = tmp_path_factory.mktemp("batch_all") / "batch"
    result = run_batch(scenarios, out, BatchOptions(n=1000, sobol_n=64, seed=7))
    assert not result.failed and len(result.done) == len(scenarios) == 5, result.failed
    return out, [s.stem for s in scenarios]
