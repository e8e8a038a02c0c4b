"""``run --out`` overlaps the end of the command (issue 14): the folder is
committed while the console table is built, and the summary files' imports
happen while the workers compute -- without changing what the command prints,
writes or reports when something fails."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mkba_mc.cli import app
from mkba_mc.cli.overlap import ImportsWhenDone, alongside

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
runner = CliRunner()


def test_alongside_runs_both_at_once_and_returns_the_foreground_value() -> None:
    both = threading.Barrier(2, timeout=5)  # broken (an error) unless both calls are running at the same time
    done = []

    def background() -> None:
        both.wait()
        time.sleep(0.1)
        done.append(True)

    def foreground() -> str:
        both.wait()
        return "table"

    assert alongside(background, foreground) == "table"
    assert done == [True]  # returned only after the background call


def test_alongside_raises_the_background_failure_not_the_value() -> None:
    def background() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        alongside(background, lambda: "table")


def test_ctrl_c_in_the_foreground_waits_for_the_background_call() -> None:
    done, cancelled = [], []

    def background() -> None:
        time.sleep(0.3)
        done.append(True)

    def foreground() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        alongside(background, foreground, on_interrupt=lambda: cancelled.append(True))
    assert done == [True] and cancelled == [True]  # told to cancel, and not abandoned half-way


def test_ctrl_c_while_waiting_does_not_abandon_the_background_call() -> None:
    """A SIGINT to the main thread while it waits (CPython 3.11's interrupted
    ``Thread.join`` would report the thread finished while it still runs)."""
    done, cancelled = [], []

    def background() -> None:
        time.sleep(0.6)
        done.append(True)

    main = threading.main_thread().ident
    # Python's own handler: a shell without job control starts background commands with SIGINT ignored
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Timer(0.15, lambda: signal.pthread_kill(main, signal.SIGINT)).start()
        t0 = time.perf_counter()
        with pytest.raises(KeyboardInterrupt):
            alongside(background, lambda: "table", on_interrupt=lambda: cancelled.append(True))
    finally:
        signal.signal(signal.SIGINT, previous)
    assert done == [True] and cancelled == [True] and time.perf_counter() - t0 >= 0.6


def test_a_foreground_error_lets_the_commit_finish_and_is_raised() -> None:
    done, cancelled = [], []

    def foreground() -> None:
        raise ValueError("a bug in the table")

    with pytest.raises(ValueError, match="a bug"):
        alongside(lambda: done.append(True), foreground, on_interrupt=lambda: cancelled.append(True))
    assert done == [True] and cancelled == []  # only Ctrl-C cancels the commit


def test_imports_start_when_every_sample_is_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mkba_prefetch_probe.py").write_text("import time\ntime.sleep(0.05)\nVALUE = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    calls = []
    progress = ImportsWhenDone(lambda step, total: calls.append((step, total)),
                               ["mkba_prefetch_probe", "no_such_module_xyz"])
    try:
        progress(1, 4)
        progress(2, 4)
        assert progress.thread is None and "mkba_prefetch_probe" not in sys.modules  # not while the workers compute
        progress(1, 4)
        first = progress.thread
        assert first is not None
        progress(0, 4)
        assert progress.thread is first and calls == [(1, 4), (2, 4), (1, 4), (0, 4)]  # one thread; every call passed on
        first.join(10)
        assert sys.modules["mkba_prefetch_probe"].VALUE == 7  # imported; the missing module is left to its user
    finally:
        sys.modules.pop("mkba_prefetch_probe", None)


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
