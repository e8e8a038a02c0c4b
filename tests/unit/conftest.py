"""Fixtures shared by the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkba_mc import load_scenario
from mkba_mc.io.loading import Scenario

ROOT = Path(__file__).resolve().parents[2]
BIJLAGE2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"


@pytest.fixture(scope="session")
def sc() -> Scenario:
    """The published worked example of Bijlage 2 (meta-analyse 2014)."""
    return load_scenario(BIJLAGE2)
