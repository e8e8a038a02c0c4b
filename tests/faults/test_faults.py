"""Nothing lost under faults: kills, failing writes, concurrent writers, bad batch files, Excel injection."""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from mkba_mc import load_scenario
from mkba_mc.batch import folder_names
from mkba_mc.cli import app
from mkba_mc.report.compare import comparison_table, write_comparison
from mkba_mc.execution.evaluators import WORKER_THREAD
from mkba_mc.execution.montecarlo import run as mc_run
from mkba_mc.io.output import LOCK_SUFFIX, OLD_PREFIX, TMP_PREFIX, lock_path, remove_stale, write_bundle
from mkba_mc.report import build_report
from mkba_mc.io.results import write_run
from mkba_mc.report.excel import write_summary_workbook

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
OUDEREN = ROOT / "scenarios" / "ouderenteam.toml"
runner = CliRunner()
FAST_BATCH = ["-n", "2000", "--workers", "1", "--skip", "sobol", "--skip", "tornado", "--skip", "report"]


def checksums(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def litter(folder: Path) -> list[str]:
    """Temporaries, folders moved aside and lock files anywhere under ``folder``."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.name.startswith((TMP_PREFIX, OLD_PREFIX)) or p.name.endswith(LOCK_SUFFIX))


def manifest_seed_matches_samples(folder: Path) -> int:
    seed = json.loads((folder / "manifest.json").read_text())["seed"]
    with xr.open_dataset(folder / "samples.nc") as ds:
        assert int(ds.attrs["seed"]) == seed
    return seed


def children(pid: int) -> set[int]:
    """Pids whose parent is ``pid`` (from /proc)."""
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(d.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def small_run(out: Path, seed: int, *extra: str) -> None:
    r = runner.invoke(app, ["run", str(B2), "-n", "1500", "--seed", str(seed), "--workers", "1", "--out", str(out),
                            *extra])
    assert r.exit_code == 0, r.output


# ------------------------------------------------------------------ kills
KILLED = {"run": ["run", str(B2), "-n", "20000000", "--workers", "2", "--seed", "1"],
          "run-processes": ["run", str(B2), "-n", "20000000", "--workers", "2", "--seed", "1",
                            "--scheduler", "processes"],
          "sobol": ["sobol", str(B2), "-n", str(1 << 20), "--workers", "2"],
          "curve": ["curve", str(B2), "-n", "3000000", "--workers", "2", "--seed", "1"],
          "batch": ["batch", str(B2), str(OUDEREN), "-n", "3000000", "--sobol-n", "8192", "--workers", "2"]}
#: Whether the command's workers are forked processes; the compiled runs of
#: ``run`` and ``curve`` (millions of samples) use threads by default.
FORKS = {"run": False, "run-processes": True, "sobol": True, "curve": False, "batch": True}


def worker_threads(pid: int) -> int:
    """Worker threads of process ``pid`` (named ``mkba-worker_<i>``; from /proc)."""
    names = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            names.append((task / "comm").read_text().strip())
        except OSError:
            continue
    return sum(name.startswith(WORKER_THREAD) for name in names)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG and /proc are Linux")
@pytest.mark.parametrize("command", sorted(KILLED))
def test_sigkill_kills_the_workers_and_the_next_run_cleans_up(tmp_path: Path, command: str) -> None:
    parent = tmp_path / "results"
    out = parent / "o"
    cmd = [sys.executable, "-m", "mkba_mc", *KILLED[command], "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    workers: set[int] = set()
    while (len(workers) if FORKS[command] else worker_threads(proc.pid)) < 2:
        assert proc.poll() is None, "run ended before its workers started"
        assert time.time() < deadline, "no workers appeared"
        workers = children(proc.pid)
        time.sleep(0.05)
    time.sleep(0.3)  # the workers are computing
    if not FORKS[command]:  # worker threads: nothing to outlive the parent
        assert children(proc.pid) == set()
    os.kill(proc.pid, signal.SIGKILL)  # the parent only, as an OOM killer or `kill -9 PID` would
    proc.wait()
    deadline = time.time() + 5
    while any(alive(w) for w in workers) and time.time() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if alive(w)], "workers outlived their killed parent"
    assert out.exists() == (command == "batch")  # a batch folder is resumable; no other result folder appears
    assert (parent / f".o{LOCK_SUFFIX}").exists()  # the kernel dropped the lock, its file stays

    # what other killed writers leave: a staging folder (with a complete-looking manifest) and a file temporary
    # (for another target, so that removing it does not by the way remove o's lock file)
    stale = parent / f"{TMP_PREFIX}99999-deadbeef-other"
    stale.mkdir()
    (stale / "manifest.json").write_text("{}")
    (parent / f"{TMP_PREFIX}99999-deadbeef-notes.json").write_text("{")
    small_run(parent / "next", 2)  # another folder of the same parent: its writer cleans the parent up
    assert sorted(p.name for p in parent.iterdir()) == (["next", "o"] if command == "batch" else ["next"])
    assert manifest_seed_matches_samples(parent / "next") == 2
    if command == "batch":  # resuming the batch cleans what the killed batch left inside its folder
        r = runner.invoke(app, ["batch", str(B2), str(OUDEREN), "--out", str(out), *FAST_BATCH])
        assert r.exit_code == 0, r.output
    else:
        small_run(out, 3)
        assert manifest_seed_matches_samples(out) == 3
    assert litter(parent) == []


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux")
def test_ctrl_c_stops_a_threaded_run_at_once_and_leaves_nothing(tmp_path: Path) -> None:
    """Ctrl-C during a compiled run on worker threads: exit 130 within seconds
    (the running chunks finish, the queued ones are cancelled), no traceback,
    no result folder, no staging litter."""
    out = tmp_path / "o"
    cmd = [sys.executable, "-m", "mkba_mc", *KILLED["run"], "--out", str(out)]
    # as from a terminal: a shell without job control starts background commands with SIGINT ignored
    # (POSIX), and Python keeps an ignored SIGINT ignored (CI may run the tests that way)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while worker_threads(proc.pid) < 2:
        assert proc.poll() is None and time.time() < deadline, "no worker threads appeared"
        time.sleep(0.05)
    time.sleep(0.3)
    interrupted = time.time()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert time.time() - interrupted < 10  # not the rest of the 2*10^7 samples
    assert "Traceback" not in err
    assert not out.exists() and litter(tmp_path) == []


def test_lock_file_of_a_killed_writer_is_removed_but_a_live_one_stays(tmp_path: Path) -> None:
    dead = tmp_path / f".killed{LOCK_SUFFIX}"
    dead.write_text("")  # what a SIGKILLed writer of tmp_path/killed leaves: a lock file nobody holds
    fd = _hold(tmp_path / "busy")
    try:
        small_run(tmp_path / "o", 1)
        assert sorted(p.name for p in tmp_path.iterdir()) == [f".busy{LOCK_SUFFIX}", "o"]
    finally:
        os.close(fd)
    assert remove_stale(tmp_path) == [tmp_path / f".busy{LOCK_SUFFIX}"]
    assert litter(tmp_path) == []


def _crash_script(out: Path, when: str) -> str:
    """A --force rerun (seed 2) that SIGKILLs itself at a step of the swap."""
    return textwrap.dedent(f"""
        import os, signal, sys
        import mkba_mc.io.atomic as o
        real_rename = os.rename
        def crash_rename(a, b):
            if {when!r} == "between" and str(a).endswith("-o") and os.path.basename(str(a)).startswith(o.TMP_PREFIX):
                os.kill(os.getpid(), signal.SIGKILL)   # old folder already aside, new one not yet in
            return real_rename(a, b)
        real_exchange = o._exchange
        def exchange(a, b):
            if {when!r} == "between":
                return False                           # the two-rename path
            assert real_exchange(a, b)
            os.kill(os.getpid(), signal.SIGKILL)       # swapped, old folder not yet deleted
        o._exchange = exchange
        o.os.rename = crash_rename
        from mkba_mc.cli import app
        sys.argv = ["mkba-mc", "run", {str(B2)!r}, "-n", "1500", "--seed", "2", "--workers", "1",
                    "--out", {str(out)!r}, "--force"]
        app()
    """)


@pytest.mark.slow
@pytest.mark.parametrize("when", ["between", "after_exchange"])
def test_force_rerun_killed_at_the_swap_never_mixes_seeds(tmp_path: Path, when: str) -> None:
    out = tmp_path / "o"
    small_run(out, 1)
    proc = subprocess.run([sys.executable, "-c", _crash_script(out, when)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    if when == "between":  # the target is briefly absent; the old folder waits aside
        assert not out.exists() and list(tmp_path.glob(f"{OLD_PREFIX}*"))
    else:
        assert manifest_seed_matches_samples(out) == 2
    # the next writer (any command) puts things right before it does anything else
    r = runner.invoke(app, ["run", str(B2), "-n", "1500", "--seed", "3", "--workers", "1", "--out", str(out)])
    assert r.exit_code == 2 and "not empty" in r.stderr  # a complete folder is there again
    assert manifest_seed_matches_samples(out) == (1 if when == "between" else 2)
    assert litter(tmp_path) == []


def test_swap_failure_leaves_the_old_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "o"
    small_run(out, 1)
    before = checksums(out)

    def broken(a: Path, b: Path) -> bool:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr("mkba_mc.io.atomic._exchange", broken)
    r = runner.invoke(app, ["run", str(B2), "-n", "1500", "--seed", "2", "--workers", "1", "--out", str(out), "--force"])
    assert r.exit_code == 1 and "nothing was changed" in r.stderr
    assert checksums(out) == before and manifest_seed_matches_samples(out) == 1
    assert litter(tmp_path) == []


# --------------------------------------------------------- failing writes
@pytest.mark.parametrize("force", [False, True])
def test_disk_full_leaves_no_partial_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, force: bool) -> None:
    out = tmp_path / "o"
    if force:
        small_run(out, 1)
    before = checksums(out) if force else None

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("mkba_mc.report.excel.write_summary_workbook", full)  # samples.nc and summary.csv are written by then
    r = runner.invoke(app, ["run", str(B2), "-n", "1500", "--seed", "2", "--workers", "1", "--out", str(out),
                            *(["--force"] if force else [])])
    assert r.exit_code == 1 and "No space left on device" in r.stderr  # an I/O failure, not bad input
    assert "Traceback" not in r.output
    if force:
        assert checksums(out) == before
    else:
        assert not out.exists()
    assert litter(tmp_path) == []
    monkeypatch.undo()
    small_run(out, 3, *(["--force"] if force else []))  # a rerun is not refused
    assert manifest_seed_matches_samples(out) == 3


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (root only; skipped where mounting is not permitted)."""
    mnt = tmp_path / "full"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {proc.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


FULL_DISK = {"run": ["run", str(B2), "-n", "200000", "--seed", "1", "--workers", "1"],
             "run_keep_inputs": ["run", str(B2), "-n", "20000", "--seed", "1", "--keep-inputs", "--workers", "1"],
             "curve": ["curve", str(B2), "-n", "50000", "--seed", "1", "--workers", "1"]}


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mounts a tmpfs")
@pytest.mark.parametrize("command", sorted(FULL_DISK))
def test_really_full_disk_is_exit_1_and_leaves_nothing(full_disk: Path, command: str) -> None:
    """A real full file system (not a patched writer): a short message, exit 1, no crash, nothing left."""
    proc = subprocess.run([sys.executable, "-m", "mkba_mc", *FULL_DISK[command], "--out", str(full_disk / "x")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    assert "No space left on device" in proc.stderr and len(proc.stderr.splitlines()) <= 3, proc.stderr
    assert sorted(os.listdir(full_disk)) == []


def test_force_refuses_a_folder_with_foreign_files(tmp_path: Path) -> None:
    (tmp_path / "thesis.docx").write_text("years of work")
    r = runner.invoke(app, ["run", str(B2), "-n", "1000", "--out", str(tmp_path), "--force"])
    assert r.exit_code == 2 and "thesis.docx" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.docx"]


# ------------------------------------------------------ concurrent writers
def _hold(out: Path) -> int:
    """Hold ``out``'s lock through a separate open file, as another process would."""
    fd = os.open(lock_path(out), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


@pytest.mark.parametrize("force", [False, True])
def test_second_writer_is_refused_and_changes_nothing(tmp_path: Path, force: bool) -> None:
    out = tmp_path / "o"
    small_run(out, 1)
    stage = tmp_path / f"{TMP_PREFIX}{os.getpid() + 1}-0badcafe-o"  # the live writer's staging folder
    stage.mkdir()
    (stage / "samples.nc").write_bytes(b"half")
    fd = _hold(out)
    before, listing = checksums(tmp_path), sorted(p.name for p in tmp_path.iterdir())
    try:
        for args in (["run", str(B2), "-n", "1000", "--out", str(out), *(["--force"] if force else [])],
                     ["tornado", str(B2), "--out", str(out), "--force"],
                     ["compare", str(out), "--out", str(out), "--force"],
                     ["report", str(out)]):
            r = runner.invoke(app, args)
            assert r.exit_code == 2, (args, r.output)
            assert "another mkba-mc process is writing to this folder" in r.stderr
        assert checksums(tmp_path) == before and sorted(p.name for p in tmp_path.iterdir()) == listing
        assert remove_stale(tmp_path) == []  # the live writer's staging folder is not stale
    finally:
        os.close(fd)
    assert stage in remove_stale(tmp_path)  # its owner is gone now
    small_run(out, 2, "--force")
    assert litter(tmp_path) == []


def test_batch_refuses_a_folder_another_batch_writes(tmp_path: Path) -> None:
    out = tmp_path / "b"
    fd = _hold(out)
    try:
        r = runner.invoke(app, ["batch", str(B2), "--out", str(out), *FAST_BATCH])
    finally:
        os.close(fd)
    assert r.exit_code == 2 and "another mkba-mc process" in r.stderr
    assert not out.exists()


# ---------------------------------------------------------------- report
def test_report_rerun_removes_stale_temporaries_and_stays_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "o"
    small_run(out, 1)
    build_report(out)
    first = checksums(out)
    # a report failing half-way (after some figures) changes nothing and leaves nothing
    import mkba_mc.report.build as report

    def boom(ctx: object) -> str:
        raise RuntimeError("failed half-way")

    monkeypatch.setattr(report, "section_cashflow", boom)
    with pytest.raises(RuntimeError):
        build_report(out)
    assert checksums(out) == first
    # a report killed mid-write (new names, and the older naming inside figures/)
    (out / f"{TMP_PREFIX}4242-0123abcd-report.html").write_text("<html>half")
    (out / f"{TMP_PREFIX}4242-0123abcd-ratios.png").write_bytes(b"\x89PNG")
    (out / "figures" / f"{TMP_PREFIX}0123abcd-posts.png").write_bytes(b"\x89PNG")
    assert len(litter(out)) == 3
    monkeypatch.undo()
    r = runner.invoke(app, ["report", str(out)])
    assert r.exit_code == 0, r.output
    assert litter(tmp_path) == []
    assert (out / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


# ------------------------------------------------------------ local cluster
@pytest.mark.slow
def test_local_cluster_leaves_no_scratch_in_the_temp_folder(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    stale = tmp / "mkba-dask-99999-killed"  # left by a killed local-cluster run: its lock is free
    stale.mkdir()
    (stale / ".mkba-scratch-lock").write_text("")
    (stale / "worker-x").mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    proc = subprocess.run([sys.executable, "-m", "mkba_mc", "run", str(B2), "-n", "4000", "--seed", "1",
                           "--scheduler", "local-cluster:1", "--json"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["run"]["n"] == 4000
    assert sorted(p.name for p in tmp.iterdir()) == []


# ------------------------------------------------------------------ batch
def test_batch_survives_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(B2.read_bytes().replace(b"Bijlage 2", "Bijlage \u00e9".encode("latin-1")))
    out = tmp_path / "batch"
    r = runner.invoke(app, ["batch", str(B2), str(bad), str(OUDEREN), "--out", str(out), *FAST_BATCH])
    assert r.exit_code == 1, r.output
    assert "failed: latin1" in r.stderr and "Traceback" not in r.output
    assert "1 failed" in r.stdout
    for name in ("bijlage2_voorbeeld", "ouderenteam"):
        assert (out / name / "done.json").exists()
    table = pd.read_csv(out / "comparison" / "comparison.csv")
    assert len(table) == 2 and table["scenario"].str.contains("ouderen").any()


def test_batch_continues_after_an_unexpected_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mkba_mc.batch as batch

    real = batch._run_steps

    def flaky(sc, folder, *args):  # type: ignore[no-untyped-def]
        if folder.name == "bijlage2_voorbeeld":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(sc, folder, *args)

    monkeypatch.setattr(batch, "_run_steps", flaky)
    out = tmp_path / "batch"
    r = runner.invoke(app, ["batch", str(B2), str(OUDEREN), "--out", str(out), *FAST_BATCH])
    assert r.exit_code == 1, r.output
    assert "OSError: [Errno 28] No space left on device" in r.stderr
    assert (out / "ouderenteam" / "done.json").exists()
    assert len(pd.read_csv(out / "comparison" / "comparison.csv")) == 1


def test_batch_folder_names_are_safe_and_unique(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    files = [src / "..toml", src / "...toml", src / "comparison.toml", src / "a" / "x.toml", src / "b" / "x.toml"]
    for f in files:
        f.write_bytes(B2.read_bytes())
    base = tmp_path / "runs"
    out = base / "batch"
    r = runner.invoke(app, ["batch", *map(str, files), "--out", str(out), *FAST_BATCH])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in base.iterdir()) == ["batch"]  # nothing written beside --out
    names = folder_names(files)
    assert names == ["scenario", "scenario_2", "comparison_scenario", "x", "x_2"]
    assert sorted(p.name for p in out.iterdir()) == sorted([*names, "batch.json", "comparison"])
    for n in names:
        assert (out / n / "done.json").exists()
    assert sorted(p.name for p in (out / "comparison").iterdir()) == ["comparison.csv", "comparison.html",
                                                                     "comparison.png", "comparison.xlsx",
                                                                     "manifest.json"]
    assert len(pd.read_csv(out / "comparison" / "comparison.csv")) == 5
    assert json.loads((out / "batch.json").read_text())["scenarios"]["x_2"] == str(files[4])


def test_folder_names_rules() -> None:
    names = folder_names([Path(p) for p in (".toml", "a b/c?.toml", ".hidden.toml", "COMPARISON.toml", "X.toml",
                                             "x.toml", "x_2.toml", "é.toml")])
    assert names == ["toml", "c_", "hidden", "COMPARISON_scenario", "X", "x_2", "x_2_2", "é"]
    assert all(n and not n.startswith(".") and "/" not in n for n in names)


# ------------------------------------------------------------------ excel
HOSTILE = ['=HYPERLINK("http://example.invalid","klik")', "+1", "-1", "@SUM(A1)", "bell\x07and\x1bescape"]


def assert_no_formula(path: Path) -> list[str]:
    """Every cell of the workbook is data; returns all string values."""
    texts = []
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (path.name, ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(("=", "+", "-", "@")):
                        assert cell.quotePrefix, (ws.title, cell.coordinate)
    return texts


def test_hostile_scenario_names_stay_text_in_every_workbook(tmp_path: Path) -> None:
    base = load_scenario(B2)
    folders = []
    for i, name in enumerate(HOSTILE):
        res = mc_run(dataclasses.replace(base, name=name), 1000, seed=i, workers=1)
        folders.append(tmp_path / f"s{i}")
        write_run(res, folders[-1], workbook=write_summary_workbook)
        texts = assert_no_formula(folders[-1] / "summary.xlsx")
        expected = name.replace("\x07", "\\x07").replace("\x1b", "\\x1b")
        assert expected in texts
    table = comparison_table(folders)
    write_comparison(table, tmp_path / "cmp")
    texts = assert_no_formula(tmp_path / "cmp" / "comparison.xlsx")
    assert set(HOSTILE[:4]) <= set(texts) and "bell\\x07and\\x1bescape" in texts
    assert list(pd.read_csv(tmp_path / "cmp" / "comparison.csv", dtype=str)["scenario"])[:4] == HOSTILE[:4]  # data unchanged


def test_hostile_name_through_the_cli(tmp_path: Path) -> None:
    scen = tmp_path / "s.toml"
    scen.write_text(B2.read_text(encoding="utf-8").replace('name = "Bijlage 2 voorbeeld (LPBL MKBA-tool, 2014)"',
                                                           'name = "=1+1"'), encoding="utf-8")
    r = runner.invoke(app, ["run", str(scen), "-n", "1000", "--seed", "1", "--workers", "1", "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert "=1+1" in assert_no_formula(tmp_path / "o" / "summary.xlsx")


# --------------------------------------------------------- api contracts
def test_write_bundle_is_all_or_nothing(tmp_path: Path) -> None:
    def second(p: Path) -> None:
        p.write_text("half")
        raise ValueError("refused by the writer")

    with pytest.raises(ValueError):
        write_bundle(tmp_path / "r", {"a.csv": lambda p: p.write_text("x"), "b.csv": second}, {"analysis": "t"})
    assert list(tmp_path.iterdir()) == []
    files = write_bundle(tmp_path / "r", {"a.csv": lambda p: p.write_text("x")}, {"analysis": "t"})
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["a.csv", "manifest.json"]
    assert json.loads(files["manifest.json"].read_text())["files"]["a.csv"] == hashlib.sha256(b"x").hexdigest()
    assert litter(tmp_path) == []


def test_force_through_a_symlink_replaces_the_folder_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "real"
    small_run(real, 1)
    link = tmp_path / "link"
    link.symlink_to(real)
    small_run(link, 2, "--force")
    assert link.is_symlink() and manifest_seed_matches_samples(real) == 2
    assert litter(tmp_path) == []


def test_existing_empty_folder_receives_the_results(tmp_path: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    small_run(out, 1)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "point.json", "samples.nc", "summary.csv", "summary.xlsx"]
