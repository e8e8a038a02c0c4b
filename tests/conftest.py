"""Fixtures shared by the whole suite.

Paths of the repository and its shipped scenarios; the default scenario
loaded once; a CLI runner; and the result folders several test files read
(a Monte Carlo run; a folder with every analysis). Folders are built once per
session; a test that writes into one takes a copy with :func:`fresh_copy`.

Numbers do not depend on the BLAS thread count (``tests/scale/test_blas_threads.py``
checks that in subprocesses), so no thread environment is pinned here.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from typer.testing import CliRunner, Result

    from mkba_mc import Scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
B2 = SCENARIOS / "bijlage2_voorbeeld.toml"
#: break-even levers with a range in Bijlage 2 (the default levers include
#: caseload.mv_nzr, which has none there)
BREAKEVEN_LEVERS = ("--lever", "substitution_existing", "--lever", "newly_found_share")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository checkout (parent of ``tests/``)."""
    return ROOT


@pytest.fixture(scope="session")
def scenarios_dir() -> Path:
    """``scenarios/``: the shipped scenario files."""
    return SCENARIOS


@pytest.fixture(scope="session")
def b2_path() -> Path:
    """The Bijlage 2 example scenario, the default of most tests."""
    return B2


@pytest.fixture(scope="session")
def sc() -> Iterator[Scenario]:
    """The Bijlage 2 scenario, loaded once; tests must not change it (checked
    when the session ends)."""
    from mkba_mc import load_scenario

    scenario = load_scenario(B2)
    params = dict(scenario.params)
    yield scenario
    assert scenario.params == params, "a test changed the shared scenario; use dataclasses.replace or load_scenario"


@pytest.fixture(scope="session")
def cli_runner() -> CliRunner:
    """A :class:`typer.testing.CliRunner`."""
    from typer.testing import CliRunner

    return CliRunner()


@pytest.fixture(scope="session")
def cli_ok(cli_runner: CliRunner) -> Callable[..., Result]:
    """``cli_ok("run", path, "-n", 100, ...)``: invoke ``mkba-mc`` with the
    arguments as strings and assert exit code 0 (the output in the message)."""
    from mkba_mc.cli import app

    def invoke(*args: object) -> Result:
        result = cli_runner.invoke(app, [str(a) for a in args])
        assert result.exit_code == 0, result.output
        return result

    return invoke


@pytest.fixture(scope="session")
def fresh_copy(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``fresh_copy(folder, name)``: a copy of a session folder to write
    into, without a report built in it (``figures/``, ``report.html``)."""

    def copy(folder: Path, name: str = "copy", **kw: Any) -> Path:
        target = tmp_path_factory.mktemp(name) / folder.name
        shutil.copytree(folder, target, ignore=shutil.ignore_patterns("figures", "report.html"), **kw)
        return target

    return copy


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory, cli_ok: Callable[..., Result]) -> Path:
    """``mkba-mc run`` of Bijlage 2, 20,000 samples, seed 11, 2 workers.
    Read only: take :func:`fresh_copy` to write."""
    out = tmp_path_factory.mktemp("run") / "result"
    cli_ok("run", B2, "-n", 20000, "--seed", 11, "--out", out, "--workers", 2)
    return out


@pytest.fixture(scope="session")
def analyses_dir(tmp_path_factory: pytest.TempPathFactory, cli_ok: Callable[..., Result]) -> Path:
    """A folder with every analysis of Bijlage 2, each in its own subfolder:
    ``run`` (5,000 samples, seed 1, all outputs), ``sobol`` (n 256),
    ``tornado``, ``breakeven`` (two levers, grid 3) and ``curve`` (QALY value
    20,000/50,000/80,000) and ``voi`` (5,000 samples, seed 1). A report may be built in it (``report.html``,
    ``figures/``); anything else writes into a :func:`fresh_copy`."""
    root = tmp_path_factory.mktemp("analyses")
    cli_ok("run", B2, "-n", 5000, "--seed", 1, "--all-outputs", "--workers", 1, "--out", root / "run")
    cli_ok("sobol", B2, "-n", 256, "--workers", 1, "--out", root / "sobol")
    cli_ok("tornado", B2, "--out", root / "tornado")
    cli_ok("breakeven", B2, "-n", 500, "--grid", 3, *BREAKEVEN_LEVERS, "--out", root / "breakeven")
    cli_ok("curve", B2, "-n", 1000, "--seed", 1, "--values", "20000,50000,80000", "--workers", 1,
           "--out", root / "curve")
    cli_ok("voi", B2, "-n", 5000, "--seed", 1, "--workers", 1, "--out", root / "voi")
    return root
