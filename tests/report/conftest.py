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
