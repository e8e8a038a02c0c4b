"""Value of information (issue 13): ``mkba-mc voi`` at 10^5 and 10^6 samples.

Wall time and peak memory (PSS and RSS summed over the command's process
tree, :class:`bench_montecarlo.PeakMemory`) of ``mkba-mc voi`` on the
default scenario, all eleven perspectives, every parameter and knop; the
three streamed passes regenerate the samples from the seed, so the peak must
not grow with N beyond a small constant.  Prints the figures and writes the
section "## Value of information (issue 13)" of ``benchmarks/results.md``::

    .venv/bin/python benchmarks/bench_voi.py [--workers W] [--sizes 100000,1000000]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_cli import timed_command  # noqa: E402
from bench_montecarlo import SCENARIO, replace_section  # noqa: E402

#: The largest growth of the peak from 10^5 to 10^6 samples that still counts as "bounded".
MAX_GROWTH_MB = 64


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for n in sizes:
        r = timed_command(["voi", str(SCENARIO), "-n", str(n), "--seed", "2014", "--workers", str(args.workers),
                           "--json"])
        r["n"] = n
        rows.append(r)
        print(f"mkba-mc voi -n {n:,} --workers {args.workers}: {r['seconds']:.1f} s, "
              f"{n / r['seconds'] / 1e3:.0f} k samples/s, peak PSS {r['peak_bytes'] / 2**20:.0f} MiB, "
              f"RSS {r['peak_rss'] / 2**20:.0f} MiB", flush=True)
    growth = (rows[-1]["peak_bytes"] - rows[0]["peak_bytes"]) / 2**20
    ok = growth <= MAX_GROWTH_MB
    print(f"peak growth {sizes[0]:,} -> {sizes[-1]:,}: {growth:+.0f} MiB ({'bounded' if ok else 'NOT bounded'})")
    try:
        load = os.getloadavg()[0]
    except OSError:  # pragma: no cover
        load = float("nan")
    lines = [
        "## Value of information (issue 13)",
        "",
        f"Written by `benchmarks/bench_voi.py` on {time.strftime('%Y-%m-%d %H:%M')} ({platform.machine()}, "
        f"{os.cpu_count()} cores, load average {load:.1f} when it ended: other jobs shared the machine, so the "
        f"times are upper bounds). `mkba-mc voi scenarios/{SCENARIO.name} --seed 2014 --workers {args.workers} "
        "--json`: EVPI of 11 perspectives, EVPPI of 43 parameters and 11 knoppen, three streamed passes "
        "(samples regenerated from the seed, none kept).",
        "",
        "| N | wall time | samples/s (3 passes) | peak PSS | peak RSS |",
        "|---|---|---|---|---|",
        *(f"| {r['n']:,} | {r['seconds']:.1f} s | {r['n'] / r['seconds'] / 1e3:.0f} k | "
          f"{r['peak_bytes'] / 2**20:.0f} MiB | {r['peak_rss'] / 2**20:.0f} MiB |" for r in rows),
        "",
        f"Peak memory from {sizes[0]:,} to {sizes[-1]:,} samples: {growth:+.0f} MiB "
        f"({'bounded: at most' if ok else 'more than'} {MAX_GROWTH_MB} MiB of growth for 10x the samples).",
        "",
    ]
    if not args.no_write:
        replace_section(HERE / "results.md", lines)


if __name__ == "__main__":
    main()
