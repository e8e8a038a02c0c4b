"""`batch` runs break-even as `mkba-mc breakeven` does by default, its report
shows it, and `--skip breakeven` leaves it out (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mkba_mc.cli import app

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "bijlage2_voorbeeld.toml"
ARGS = ["-n", "2000", "--seed", "3", "--workers", "1", "--skip", "sobol", "--skip", "tornado", "--skip", "curve"]
runner = CliRunner()


def batch(out: Path, *extra: str) -> Path:
    r = runner.invoke(app, ["batch", str(SCENARIO), "--out", str(out), *ARGS, *extra])
    assert r.exit_code == 0, r.output
    return out / SCENARIO.stem


def test_the_batch_report_includes_break_even(tmp_path: Path) -> None:
    folder = batch(tmp_path / "b")
    assert sorted(p.name for p in (folder / "breakeven").iterdir()) == ["breakeven.csv", "manifest.json",
                                                                        "robustness.csv", "robustness.nc"]
    manifest = json.loads((folder / "breakeven" / "manifest.json").read_text())
    assert (manifest["analysis"], manifest["n"], manifest["grid"], manifest["seed"]) == ("breakeven", 2000, 11, 3)
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Break-even en robuustheid" in html
    assert "Per hefboom de waarde waarbij" in html  # the section's table caption, not the "not computed" note
    assert "Niet berekend: Break-even" not in html
    assert "breakeven/manifest.json" in json.loads((folder / "done.json").read_text())["files"]


def test_skip_breakeven_leaves_it_out(tmp_path: Path) -> None:
    folder = batch(tmp_path / "b", "--skip", "breakeven")
    assert not (folder / "breakeven").exists()
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Niet berekend: Break-even" in html


def test_an_unknown_step_names_breakeven_among_the_skippable(tmp_path: Path) -> None:
    r = runner.invoke(app, ["batch", str(SCENARIO), "--out", str(tmp_path / "b"), "--skip", "breakevn"])
    assert r.exit_code == 2
    assert "breakeven" in r.output and "Traceback" not in r.output
