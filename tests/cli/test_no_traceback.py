"""No traceback, ever, without --debug: bad options, bad files, I/O failures
and unexpected exceptions all end in a short message and the right exit code.

* bad input or option: exit 2, the message names the option (or file and
  key) and the value;
* I/O failure (``--out`` not writable, disk full, scheduler unreachable):
  exit 1, the message names the path or address;
* any other exception: exit 1, "internal error ... --debug"; with
  ``--debug`` the exception and its traceback come through.

Options are checked before any computation: the tests that matter replace
the computation with a function that fails the test when reached.
"""

from __future__ import annotations

import errno
import math
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

import mkba_mc.checks
import mkba_mc.cli
import mkba_mc.cli.evaluate
import mkba_mc.execution.montecarlo
import mkba_mc.io.results
import mkba_mc.io.scenario_build
import mkba_mc.sensitivity.analyses
from mkba_mc.cli import _check_finite, app
from mkba_mc.errors import ConfigError, ResourceError

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
MALFORMED = ROOT / "tests" / "data" / "malformed"
runner = CliRunner()


def invoke(*args: object) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def stderr_of(r: Result) -> str:
    try:
        return r.stderr
    except ValueError:  # older Click: not captured separately
        return r.output


def assert_clean(r: Result, code: int, *needles: str) -> str:
    err = stderr_of(r)
    assert r.exit_code == code, f"exit {r.exit_code} ({r.exception!r}):\n{r.output}"
    assert "Traceback" not in err and "Traceback" not in r.output
    assert "error:" in err
    for needle in needles:
        assert needle in err, f"{needle!r} not in:\n{err}"
    return err


@pytest.fixture
def no_compute(monkeypatch):
    """Fail the test if a Monte Carlo, Sobol' or Morris computation starts."""

    def reached(*args, **kwargs):
        raise AssertionError("the computation started before the options were checked")

    monkeypatch.setattr(mkba_mc.execution.montecarlo, "run", reached)

    for name in ("sobol", "morris", "breakeven", "tornado"):
        monkeypatch.setattr(mkba_mc.sensitivity.analyses, name, reached)


# ------------------------------------------------------------ option ranges
BAD_OPTIONS = [
    (("run", B2, "--seed", "-1"), "--seed", "-1"),
    (("run", B2, "--seed", str(2**64)), "--seed", str(2**64)),
    (("run", B2, "-n", "0"), "-n", "0"),
    (("run", B2, "-n", "-3"), "-n", "-3"),
    (("run", B2, "-n", str(2**63 - 1)), "-n", str(2**63 - 1)),
    (("run", B2, "--workers", "0"), "--workers", "0"),
    (("run", B2, "--workers", "-2"), "--workers", "-2"),
    (("run", B2, "--chunk-size", "0"), "--chunk-size", "0"),
    (("sobol", B2, "--resamples", "-5"), "--resamples", "-5"),
    (("sobol", B2, "--resamples", "0"), "--resamples", "0"),
    (("sobol", B2, "--resamples", "1"), "--resamples", "1"),
    (("sobol", B2, "--seed", "-7"), "--seed", "-7"),
    (("sobol", B2, "--workers", "0"), "--workers", "0"),
    (("morris", B2, "--levels", "1"), "--levels", "1"),
    (("morris", B2, "--levels", "0"), "--levels", "0"),
    (("morris", B2, "--seed", str(2**64 + 1)), "--seed", str(2**64 + 1)),
    (("breakeven", B2, "--grid", "1"), "--grid", "1"),
    (("breakeven", B2, "-n", "10"), "-n", "10"),
    (("breakeven", B2, "--seed", "-1"), "--seed", "-1"),
    (("run", B2, "--scheduler", "ftp://10.0.0.5:21"), "--scheduler", "ftp://"),
    (("run", B2, "--scheduler", "http://10.0.0.5:8786"), "--scheduler", "http://"),
    (("run", B2, "--scheduler", "tcp://10.0.0.5"), "--scheduler", "tcp://10.0.0.5"),
    (("run", B2, "--scheduler", "tcp://10.0.0.5:99999"), "--scheduler", "99999"),
    (("run", B2, "--scheduler", "local-cluster:0"), "--scheduler", "local-cluster:0"),
    (("sobol", B2, "--scheduler", "gopher://x:70"), "--scheduler", "gopher://"),
    # found by the adversarial pass of "Trustworthy runs":
    (("run", B2, "--scheduler", "local-cluster:1000"), "--scheduler", "local-cluster:1000"),  # 1000 processes
    (("breakeven", B2, "--grid", "1000000000"), "--grid", "1000000000"),  # a billion grid values
    (("curve", B2, "--values", "20000,20000,50000"), "--values", "given more than once"),
    (("curve", B2, "--values", ",".join(str(20_000 + i) for i in range(1001))), "--values", "at most 1,000"),
]


@pytest.mark.parametrize("args, option, value", BAD_OPTIONS,
                         ids=[f"{a[0]}{' '.join(map(str, a[2:]))}" for a, _, _ in BAD_OPTIONS])
def test_bad_option_is_exit_2_before_computing(tmp_path: Path, no_compute, args, option, value) -> None:
    out = tmp_path / "out"
    r = invoke(*args, "--out", out)
    assert_clean(r, 2, option, value)
    assert not out.exists()


@pytest.mark.parametrize("args, option, value", [
    (("batch", B2, "--seed", "-1"), "--seed", "-1"),
    (("batch", B2, "--workers", "0"), "--workers", "0"),
    (("batch", B2, "-n", "0"), "-n", "0"),
    (("batch", B2, "--sobol-n", "1000"), "--sobol-n", "1000"),
    (("batch", B2, "--scheduler", "ftp://x:1"), "--scheduler", "ftp://"),
], ids=["seed", "workers", "n", "sobol-n", "scheduler"])
def test_bad_batch_option_is_exit_2(tmp_path: Path, args, option, value) -> None:
    out = tmp_path / "batch"
    r = invoke(*args, "--out", out)
    assert_clean(r, 2, option, value)
    assert not out.exists()


def test_bad_options_are_reported_together(no_compute) -> None:
    err = assert_clean(invoke("run", B2, "--seed", "-1", "-n", "0", "--workers", "0"), 2, "--seed", "-n", "--workers")
    assert "3 problem(s)" in err


def test_unknown_scheme_does_not_wait_for_a_connection(no_compute) -> None:
    import time

    t0 = time.perf_counter()
    assert_clean(invoke("run", B2, "--scheduler", "ftp://10.255.255.1:21"), 2, "ftp://", "tcp://")
    assert time.perf_counter() - t0 < 5


def test_memory_estimate_refuses_what_cannot_fit(monkeypatch, no_compute, tmp_path: Path) -> None:
    monkeypatch.setattr(mkba_mc.checks, "available_memory", lambda: 1 << 30)
    out = tmp_path / "out"
    err = assert_clean(invoke("run", B2, "-n", "100000000", "--out", out), 2, "-n", "100000000", "GiB",
                       "1.0 GiB available", "lower -n")
    assert not out.exists()
    # keeping the inputs needs more
    small = invoke("run", B2, "-n", "5000000", "--keep-inputs", "--all-outputs")
    assert_clean(small, 2, "inputs")
    assert "needs about" in err


@pytest.mark.parametrize("args, what", [
    (("morris", B2, "-n", "100000000"), "Morris design"),  # was a MemoryError after minutes
    (("curve", B2, "-n", "100000000"), "each grid value"),  # was exit 1 "Cannot allocate memory"
    (("batch", B2, "-n", "100000000"), "Monte Carlo step"),  # was a failed scenario and a batch folder
    (("batch", MALFORMED / "encoding_not_utf8.toml", B2, "-n", "100000000"), "Monte Carlo step"),
], ids=["morris", "curve", "batch", "batch-with-a-bad-file"])
def test_memory_estimate_of_every_command(monkeypatch, tmp_path: Path, args, what) -> None:
    # (morris checks inside mkba_mc.sensitivity.analyses.morris, so that is not replaced here; the Monte Carlo run is)
    monkeypatch.setattr(mkba_mc.execution.montecarlo, "run", lambda *a, **k: pytest.fail("the computation started"))
    monkeypatch.setattr(mkba_mc.checks, "available_memory", lambda: 1 << 30)
    out = tmp_path / "out"
    assert_clean(invoke(*args, "--out", out), 2, "-n", "100000000", "GiB", "1.0 GiB available", what)
    assert not out.exists()


def test_memory_estimate_lets_a_normal_run_through() -> None:
    r = invoke("run", B2, "-n", "2000", "--seed", "1", "--json")
    assert r.exit_code == 0, stderr_of(r)


def test_usage_errors_keep_exit_2() -> None:
    for args in (["run"], ["run", str(B2), "--seed", "abc"], ["run", str(B2), "--nosuch"], ["nosuch"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, (args, r.output)
        assert "Traceback" not in r.output


def test_workers_are_capped_at_the_number_of_tasks(monkeypatch) -> None:
    from mkba_mc.io.loading import load_scenario

    made = []
    import mkba_mc.execution.procs

    real = mkba_mc.execution.procs.ProcessPoolExecutor

    def recording(*args, **kwargs):
        made.append(kwargs.get("max_workers"))
        return real(*args, **kwargs)

    monkeypatch.setattr(mkba_mc.execution.procs, "ProcessPoolExecutor", recording)
    monkeypatch.setattr(mkba_mc.execution.evaluators, "ThreadPoolExecutor",
                        lambda *a, **k: made.append(k.get("max_workers")) or
                        __import__("concurrent.futures").futures.ThreadPoolExecutor(*a, **k))
    sc = load_scenario(B2)
    res = mkba_mc.execution.montecarlo.run(sc, 2 * 65536, seed=1, workers=40)
    assert made and max(made) <= 2, made
    assert res.n == 2 * 65536
    # sobol: 2 tasks of 8,192 base rows (it forked 40 processes for them)
    made.clear()
    ref = mkba_mc.sensitivity.analyses.sobol(sc, 1 << 14, workers=1)
    s40 = mkba_mc.sensitivity.analyses.sobol(sc, 1 << 14, workers=40)
    assert made == [2], made
    assert all(np.array_equal(ref.indices[o][k], s40.indices[o][k], equal_nan=True)
               for o in ref.indices for k in ref.indices[o])
    made.clear()
    mkba_mc.sensitivity.analyses.sobol(sc, 1 << 10, workers=40)  # one task: no pool at all
    assert made == [], made


def test_library_checks_seed_resamples_and_levels() -> None:
    from mkba_mc.io.loading import load_scenario
    from mkba_mc.sensitivity.analyses import morris, sobol

    sc = load_scenario(B2)
    with pytest.raises(ConfigError, match="seed"):
        mkba_mc.execution.montecarlo.run(sc, 100, seed=-1)
    with pytest.raises(ConfigError, match="resamples"):
        sobol(sc, 256, resamples=1)
    with pytest.raises(ConfigError, match="levels"):
        morris(sc, 4, levels=1)


# ------------------------------------------------------------------- --out
def test_out_below_a_regular_file_fails_before_computing(tmp_path: Path, no_compute) -> None:
    f = tmp_path / "some_file"
    f.write_text("x")
    for cmd in (("run", B2, "-n", "1000"), ("sobol", B2, "-n", "256"), ("morris", B2), ("tornado", B2)):
        err = assert_clean(invoke(*cmd, "--out", f / "sub"), 1, str(f / "sub"), "not a folder")
    assert f.read_text() == "x"
    assert "choose" in err


def test_out_in_an_unwritable_place_fails_before_computing(tmp_path: Path, no_compute) -> None:
    # root ignores permission bits; /proc refuses new entries even to root
    if not Path("/proc").is_dir():
        pytest.skip("no /proc")
    assert_clean(invoke("run", B2, "--out", "/proc/mkba-out"), 1, "/proc/mkba-out", "cannot write")


def test_out_on_a_read_only_file_system_is_exit_1(tmp_path: Path, monkeypatch, no_compute) -> None:
    # simulated: tests run as root and have no read-only mount at hand
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path))

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    out = tmp_path / "out"
    assert_clean(invoke("run", B2, "--out", out), 1, str(out), "read-only")
    assert not out.exists()


def test_out_probe_leaves_nothing_behind(tmp_path: Path) -> None:
    from mkba_mc.io.output import check_writable

    target = tmp_path / "a" / "b"
    assert check_writable(target) == target
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "f").write_text("")
    with pytest.raises(ResourceError) as exc:
        check_writable(tmp_path / "f" / "x")
    assert exc.value.exit_code == 1 and str(tmp_path / "f") in str(exc.value)


def test_disk_full_while_writing_is_exit_1(tmp_path: Path, monkeypatch) -> None:
    def full(result, out, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(Path(out) / "samples.nc"))

    monkeypatch.setattr(mkba_mc.io.results, "write_run", full)
    out = tmp_path / "out"
    assert_clean(invoke("run", B2, "-n", "1000", "--seed", "1", "--out", out), 1, "No space left on device",
                 "samples.nc", "free disk space")


# --------------------------------------------------------- unexpected errors
def test_unexpected_exception_is_a_short_message(monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("boom in the loader")

    monkeypatch.setattr(mkba_mc.io.scenario_build, "load_scenario", boom)
    err = assert_clean(invoke("point", B2), 1, "internal error", "RuntimeError", "boom in the loader", "--debug")
    assert len(err.splitlines()) <= 2


def test_unexpected_exception_with_debug_shows_the_traceback(monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("boom in the loader")

    monkeypatch.setattr(mkba_mc.io.scenario_build, "load_scenario", boom)
    r = runner.invoke(app, ["--debug", "point", str(B2)])
    assert r.exit_code == 1
    assert isinstance(r.exception, RuntimeError)
    assert r.exc_info is not None and r.exc_info[2] is not None


def test_unreachable_scheduler_is_exit_1_naming_the_address(monkeypatch, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")

    def refuse(*args, **kwargs):
        raise OSError(errno.ECONNREFUSED, "Connection refused")

    monkeypatch.setattr(distributed, "Client", refuse)
    out = tmp_path / "out"
    assert_clean(invoke("run", B2, "-n", "100", "--scheduler", "tcp://127.0.0.1:1", "--out", out), 1,
                 "tcp://127.0.0.1:1", "dask scheduler")
    assert not out.exists()


# ---------------------------------------------------------------- bad files
def test_point_json_with_absurd_override_is_exit_2() -> None:
    assert_clean(invoke("point", B2, "--json", "--set", "households=1e308"), 2, "--set", "households", "1e+15")


def test_infinite_results_are_refused_not_printed_as_invalid_json() -> None:
    class Sc:
        path, name, overrides = Path("s.toml"), "s", ("households=1e14",)

    with pytest.raises(ConfigError) as exc:
        _check_finite({"ratio_social": {"mean": math.inf}, "actors": {"gemeente": {"ncw_cost": -math.inf}}}, Sc())
    text = str(exc.value)
    assert "s.toml" in text and "ratio_social.mean" in text and "actors.gemeente.ncw_cost" in text
    _check_finite({"a": 1.0, "b": None, "c": [math.nan]}, Sc())  # NaN is JSON null, not an error


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert_clean(invoke("validate", fifo), 2, str(fifo), "FIFO")


def test_huge_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:
        fh.truncate(17 << 20)  # sparse: no disk used
    assert_clean(invoke("validate", big), 2, str(big), "16 MiB")


@pytest.mark.parametrize("target, kind", [("/dev/zero", "character device"), (".", "directory")])
def test_distributions_option_must_be_a_regular_file(target: str, kind: str) -> None:
    assert_clean(invoke("point", B2, "--distributions", target), 2, target, kind)


def test_file_problems_of_several_files_are_reported_together() -> None:
    a, b = MALFORMED / "encoding_not_utf8.toml", MALFORMED / "scenario_int_beyond_64_bit.toml"
    err = assert_clean(invoke("validate", a, b), 2, a.name, b.name, "offset", "64-bit")
    assert "2 problem(s)" in err


def test_deep_nesting_problem_is_short() -> None:
    path = MALFORMED / "scenario_nesting_too_deep.toml"
    err = assert_clean(invoke("validate", path), 2, "effects.relapse")
    assert max(len(line) for line in err.splitlines()) < 400


@pytest.mark.parametrize("lines", [0, 12])
@pytest.mark.parametrize("args", [["compare", "--help"],
                                  ["run", "scenarios/bijlage2_voorbeeld.toml", "-n", "1000", "--workers", "1"]])
def test_a_closed_stdout_pipe_ends_quietly(args: list[str], lines: int) -> None:
    """``mkba-mc ... | head`` whose reader has gone: no "error: Broken pipe
    (check the path, the free space ...)" and no traceback; exit 1 as click's
    own handling (or 0 when everything was written before the reader left).
    The reader takes ``lines`` lines and closes the pipe: at 0 the first write
    fails (rich's console handles that itself); after 12 lines of ``compare
    --help`` the usage has been written and the failure comes in click's echo
    of the options, inside the command (where "error: Broken pipe" was printed
    in 4 of 5 tries).  Five tries, as the moment of the failure is a race."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-m", "mkba_mc", *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=root)
        for _ in range(lines):
            proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
        assert proc.wait(timeout=120) in (0, 1) and err == "", (proc.returncode, err)
