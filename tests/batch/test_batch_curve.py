"""The batch's curve step: a QALY acceptability curve per scenario, in its report, skippable and resumable."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import mkba_mc.batch as batch
from mkba_mc.batch import BatchOptions, run_batch
from mkba_mc.cli import app
from mkba_mc.sensitivity.curve import DEFAULT_GRIDS

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
runner = CliRunner()


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_curve_step_capped_n_same_seed_in_the_report_and_resumed(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "CURVE_MAX_N", 500)
    out = tmp_path / "b"
    options = BatchOptions(n=800, seed=11, steps=("run", "curve", "report"))
    res = run_batch([B2], out, options)
    assert res.done == ["bijlage2_voorbeeld"] and not res.failed
    folder = out / "bijlage2_voorbeeld"
    manifest = json.loads((folder / "curve" / "manifest.json").read_text())
    assert manifest["n"] == 500 and manifest["seed"] == 11 and manifest["parameter"] == "qaly_value"
    table = pd.read_csv(folder / "curve" / "curve.csv")
    assert tuple(table["value"]) == DEFAULT_GRIDS["qaly_value"]
    assert "curve/curve.csv" in json.loads((folder / "done.json").read_text())["files"]
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert 'data-file="figures/curve_qaly_value.png"' in page
    assert (folder / "figures" / "curve_qaly_value.png").is_file()

    # an unfinished scenario (no done.json) keeps its finished curve step
    before = digest(folder / "curve")
    (folder / "done.json").unlink()
    steps: list[str] = []
    res = run_batch([B2], out, options, on_event=lambda _n, event, detail: steps.append(detail)
                    if event == "step" else None)
    assert res.done == ["bijlage2_voorbeeld"]
    assert "curve" not in steps and "run" not in steps and "report" in steps
    assert digest(folder / "curve") == before


def test_skip_curve(tmp_path: Path) -> None:
    out = tmp_path / "b"
    r = runner.invoke(app, ["batch", str(B2), "--out", str(out), "-n", "1000", "--workers", "1",
                            "--skip", "sobol", "--skip", "tornado", "--skip", "curve"])
    assert r.exit_code == 0, r.output
    folder = out / "bijlage2_voorbeeld"
    assert not (folder / "curve").exists()
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "mkba-mc curve SCENARIO --over qaly_value" in page  # the report says it was not computed
    r = runner.invoke(app, ["batch", str(B2), "--out", str(tmp_path / "c"), "--skip", "curves"])
    assert r.exit_code == 2 and "sobol, tornado, curve, breakeven, voi, discover or report" in r.stderr


def test_curve_folder_can_be_replaced_with_force(tmp_path: Path) -> None:
    """curve.nc and curve.csv are mkba-mc's own files: --force (and a batch rerun) may replace them."""
    args = ["curve", str(B2), "-n", "200", "--values", "20000,80000", "--workers", "1", "--out", str(tmp_path / "c")]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, [*args, "--force", "--seed", "4"])
    assert again.exit_code == 0, again.output
    assert json.loads((tmp_path / "c" / "manifest.json").read_text())["seed"] == 4
