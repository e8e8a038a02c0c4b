"""Command-line timings (issue 14): what a user waits for.

``mkba-mc --help``, a 1,000-sample ``run``, and a large ``run`` with and
without ``--out`` (wall time, peak memory summed over the command's process
tree, size of ``samples.nc``).  Used by ``bench_montecarlo.py``; it can also
be run alone::

    .venv/bin/python benchmarks/bench_cli.py [N]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_montecarlo import SCENARIO, PeakMemory  # noqa: E402

MKBA_MC = str(Path(sys.executable).parent / "mkba-mc")


def timed_command(args: list[str]) -> dict:
    """Run ``mkba-mc ARGS`` once; wall time and peak PSS/RSS of its process tree.

    Raises
    ------
    RuntimeError
        If the command exits with a non-zero code (its stderr is included).
    """
    t0 = time.perf_counter()
    proc = subprocess.Popen([MKBA_MC, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with PeakMemory(proc.pid) as mem:
        _, err = proc.communicate()
    seconds = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"mkba-mc {' '.join(args)} exited with {proc.returncode}:\n{err}")
    return {"seconds": seconds, "peak_bytes": mem.peak, "peak_rss": mem.peak_rss}


def best_of(args: list[str], repeats: int = 3) -> float:
    """Best wall time of ``repeats`` runs of ``mkba-mc ARGS`` (start-up costs)."""
    return min(timed_command(args)["seconds"] for _ in range(repeats))


def run_pair(n: int, workers: int = 2, repeats: int = 2) -> dict:
    """``run -n N`` and ``run -n N --out DIR`` (same seed and workers),
    alternated ``repeats`` times: the fastest of each (a shared machine's
    load changes within minutes; alternating pairs sees the same load) and
    the size of the written ``samples.nc``; peaks are the largest of the repeats."""
    base = ["run", str(SCENARIO), "-n", str(n), "--seed", "1", "--workers", str(workers)]
    plains, outs = [], []
    for _ in range(repeats):
        plains.append(timed_command(base))
        tmp = Path(tempfile.mkdtemp(prefix="bench-out-"))
        try:
            outs.append(timed_command([*base, "--out", str(tmp / "run")]))
            nc = (tmp / "run" / "samples.nc").stat().st_size
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    # the fastest time, the largest peak (memory does not depend on the load)
    plain = {**min(plains, key=lambda r: r["seconds"]), "peak_bytes": max(r["peak_bytes"] for r in plains),
             "peak_rss": max(r["peak_rss"] for r in plains)}
    out = {**min(outs, key=lambda r: r["seconds"]), "peak_bytes": max(r["peak_bytes"] for r in outs),
           "peak_rss": max(r["peak_rss"] for r in outs)}
    return {"n": n, "workers": workers, "run": plain, "out": out, "nc_bytes": nc,
            "all_seconds": {"run": [r["seconds"] for r in plains], "out": [r["seconds"] for r in outs]}}


def cli_figures(big_n: int) -> dict:
    """Every command-line figure of the benchmark, printed as measured."""
    help_s = best_of(["--help"])
    print(f"mkba-mc --help: {help_s:.2f} s (best of 3)", flush=True)
    small = best_of(["run", str(SCENARIO), "-n", "1000", "--seed", "1"])
    print(f"mkba-mc run -n 1000: {small:.2f} s (best of 3)", flush=True)
    pair = run_pair(big_n)
    for key in ("run", "out"):
        r = pair[key]
        print(f"mkba-mc run -n {big_n:,}{' --out' if key == 'out' else ''}: {r['seconds']:.2f} s, peak "
              f"PSS {r['peak_bytes'] / 2**30:.2f} GiB, RSS {r['peak_rss'] / 2**30:.2f} GiB", flush=True)
    print(f"every pair (run, run --out): {list(zip(pair['all_seconds']['run'], pair['all_seconds']['out']))}",
          flush=True)
    raw = 8 * big_n * 18  # 17 kept output columns and the sample coordinate, float64/int64
    print(f"samples.nc: {pair['nc_bytes'] / 2**20:.0f} MiB ({100 * pair['nc_bytes'] / raw:.0f} % of the raw "
          f"{raw / 2**20:.0f} MiB)", flush=True)
    ratio = pair["out"]["seconds"] / pair["run"]["seconds"]
    load = os.getloadavg()
    print(f"run --out / run: {ratio:.2f}x (target <= 1.3x); peak with --out "
          f"{pair['out']['peak_bytes'] / 1e9:.2f} GB PSS (target < 2 GB); "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}", flush=True)
    return {"help": help_s, "small_run": small, "pair": pair, "load": load}


if __name__ == "__main__":
    cli_figures(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
