"""``run --out`` overlaps the end of the command (issue 14): the folder is
committed while the console table is built, and the summary files' imports
happen while the workers compute -- without changing what the command prints,
writes or reports when something fails."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mkba_mc.cli import app
from mkba_mc.cli.overlap import ImportsWhenStarted, alongside

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
runner = CliRunner()


def test_alongside_runs_both_at_once_and_returns_the_foreground_value() -> None:
    started = threading.Event()

    def background() -> None:
        started.set()
        time.sleep(0.2)

    def foreground() -> str:
        # would time out if the background call ran before or after this one
        assert started.wait(5), "the background call did not run at the same time"
        return "table"

    t0 = time.perf_counter()
    assert alongside(background, foreground) == "table"
    assert time.perf_counter() - t0 >= 0.2  # waited for the background call


def test_alongside_raises_the_background_failure_not_the_value() -> None:
    def background() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        alongside(background, lambda: "table")


def test_ctrl_c_waits_for_the_background_call_to_finish() -> None:
    done = []

    def background() -> None:
        time.sleep(0.3)
        done.append(True)

    def foreground() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        alongside(background, foreground)
    assert done == [True]  # the commit was not abandoned half-way


def test_imports_start_at_the_first_progress_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mkba_prefetch_probe.py").write_text("import time\ntime.sleep(0.05)\nVALUE = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    calls = []
    progress = ImportsWhenStarted(lambda step, total: calls.append((step, total)),
                                  ["mkba_prefetch_probe", "no_such_module_xyz"])
    assert progress.thread is None and "mkba_prefetch_probe" not in sys.modules
    progress(1, 4)
    first = progress.thread
    progress(2, 4)
    assert progress.thread is first and calls == [(1, 4), (2, 4)]  # one thread; every call passed on
    first.join(10)
    assert sys.modules["mkba_prefetch_probe"].VALUE == 7  # imported; the missing module is left to its user
    monkeypatch.delitem(sys.modules, "mkba_prefetch_probe")


def test_a_failed_commit_prints_no_table_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mkba_mc.report.excel as excel

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(excel, "write_summary_workbook", broken)
    r = runner.invoke(app, ["run", str(B2), "-n", "2000", "--seed", "1", "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and "No space left on device" in r.stderr, r.output
    assert "Saldo" not in r.stdout and "written:" not in r.stdout and "Traceback" not in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_out_prints_the_same_table_as_a_run_without_it(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "mkba_mc", "run", str(B2), "-n", "3000", "--seed", "5"]
    plain = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    out = subprocess.run([*args, "--out", str(tmp_path / "o")], capture_output=True, text=True, check=True).stdout
    assert out.startswith(plain) and out[len(plain):].startswith("written: ")
    assert (tmp_path / "o" / "manifest.json").is_file()
