"""The defaults the CLI shows are the library's (issue 11: help texts that contradicted the code)."""

from __future__ import annotations

import typer

from mkba_mc.cli import app
from mkba_mc.execution.montecarlo import DEFAULT_CHUNK


def _params(command: str) -> dict:
    group = typer.main.get_command(app)
    return {p.name: p for p in group.commands[command].params}


def test_chunk_size_default_is_the_engine_default() -> None:
    assert _params("run")["chunk_size"].default == DEFAULT_CHUNK


def test_workers_are_described_the_same_everywhere() -> None:
    texts = {command: _params(command)["workers"].help for command in ("run", "sobol", "curve", "batch")}
    assert len(set(texts.values())) == 1, texts
    text = texts["run"]
    assert "processes" in text and "threads for a Monte Carlo run of 2^18 samples" in text, text
    assert "at most 8" in text, text


def test_the_console_script_entry_point_exists() -> None:
    import tomllib
    from pathlib import Path

    import mkba_mc.cli

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["mkba-mc"] == "mkba_mc.cli:main"
    assert callable(mkba_mc.cli.main)
