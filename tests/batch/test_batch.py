"""`mkba-mc batch` and `compare`: resumable, crash-safe, failures isolated (issue 5)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from mkba_mc.cli import app
from mkba_mc.io.output import TMP_PREFIX

ROOT = Path(__file__).resolve().parents[2]
SCEN = ROOT / "scenarios"
GOOD = [SCEN / "bijlage2_voorbeeld.toml", SCEN / "ouderenteam.toml", SCEN / "wijkteam_achterstandswijk.toml"]
SMALL = ["-n", "20000", "--sobol-n", "256", "--workers", "1"]
runner = CliRunner()


def checksums(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_complete_files(folder: Path) -> None:
    """Every file under ``folder`` with a final name, outside staging folders,
    is complete and readable."""
    for p in folder.rglob("*"):
        if not p.is_file() or any(part.startswith(TMP_PREFIX) for part in p.relative_to(folder).parts):
            continue
        if p.suffix == ".json":
            json.loads(p.read_text())
        elif p.suffix == ".csv":
            pd.read_csv(p)
        elif p.suffix == ".nc":
            xr.open_dataset(p).close()
        elif p.suffix == ".png":
            assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_malformed_scenario_among_good_ones(tmp_path: Path) -> None:
    bad = tmp_path / "kapot.toml"
    bad.write_text(GOOD[0].read_text().replace("attribution", "atribution").replace(
        "households = 328", "households = -5"))
    out = tmp_path / "batch"
    r = runner.invoke(app, ["batch", str(GOOD[0]), str(bad), str(GOOD[1]), "--out", str(out), *SMALL,
                            "--skip", "sobol", "--skip", "report"])
    assert r.exit_code == 1, r.output
    assert str(bad) in r.stderr and "reach.households" in r.stderr
    for name in ("bijlage2_voorbeeld", "ouderenteam"):
        assert (out / name / "done.json").exists()
    assert not (out / "kapot" / "done.json").exists()
    table = pd.read_csv(out / "comparison" / "comparison.csv")
    assert len(table) == 2


def test_rerun_skips_unchanged_and_redoes_changed(tmp_path: Path) -> None:
    out = tmp_path / "b"
    args = ["batch", str(GOOD[0]), "--out", str(out), *SMALL, "--skip", "sobol", "--skip", "report"]
    assert runner.invoke(app, args).exit_code == 0
    before = checksums(out / "bijlage2_voorbeeld")
    r = runner.invoke(app, args)
    assert r.exit_code == 0 and "skipped" in r.stderr
    assert checksums(out / "bijlage2_voorbeeld") == before
    changed = ["batch", str(GOOD[0]), "--out", str(out), "-n", "30000", "--sobol-n", "256", "--workers", "1",
               "--skip", "sobol", "--skip", "report"]
    assert runner.invoke(app, changed).exit_code == 0
    manifest = json.loads((out / "bijlage2_voorbeeld" / "run" / "manifest.json").read_text())
    assert manifest["n"] == 30000


def test_non_batch_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("mine")
    r = runner.invoke(app, ["batch", str(GOOD[0]), "--out", str(tmp_path), *SMALL])
    assert r.exit_code == 2 and "not a batch folder" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]


@pytest.mark.slow
def test_sigkill_part_way_then_rerun(tmp_path: Path) -> None:
    out = tmp_path / "batch"
    cmd = [sys.executable, "-m", "mkba_mc", "batch", *map(str, GOOD), "--out", str(out), *SMALL]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first, second = out / "bijlage2_voorbeeld", out / "ouderenteam"
    deadline = time.time() + 120
    while not ((first / "done.json").exists() and second.exists()):
        assert proc.poll() is None, "the batch ended before it could be killed"
        assert time.time() < deadline, "the first scenario did not finish in time"
        time.sleep(0.02)
    time.sleep(0.4)  # well into the second scenario
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "wijkteam_achterstandswijk" / "done.json").exists()
    assert_complete_files(out)
    finished = checksums(first)

    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert checksums(first) == finished  # byte-identical: not redone
    for name in ("bijlage2_voorbeeld", "ouderenteam", "wijkteam_achterstandswijk"):
        assert (out / name / "done.json").exists()
        assert (out / name / "report.html").exists()
    assert not list(out.rglob(f"{TMP_PREFIX}*"))
    assert_complete_files(out)
    assert len(pd.read_csv(out / "comparison" / "comparison.csv")) == 3


def test_compare_cli(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for path, folder in ((GOOD[0], a), (GOOD[1], b)):
        assert runner.invoke(app, ["run", str(path), "-n", "5000", "--seed", "1", "--out", str(folder)]).exit_code == 0
    out = tmp_path / "cmp"
    r = runner.invoke(app, ["compare", str(a), str(b), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["comparison.csv", "comparison.html", "comparison.png",
                                                     "comparison.xlsx", "manifest.json"]
    table = pd.read_csv(out / "comparison.csv")
    assert list(table["scenario"]) == ["Bijlage 2 voorbeeld (LPBL MKBA-tool, 2014)", "Team voor kwetsbare ouderen"]
    assert table["P(ratio_gemeente >= 1)"].between(0, 1).all()
    assert pd.ExcelFile(out / "comparison.xlsx").sheet_names == ["vergelijking"]
    r = runner.invoke(app, ["compare", str(tmp_path / "nothing")])
    assert r.exit_code == 2
