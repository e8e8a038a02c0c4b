"""Scenario discovery benchmarks (issue 13): time and peak memory of PRIM
(:mod:`mkba_mc.sensitivity.prim`) at 10^5 and 10^6 samples of ~43 inputs,
alone and end to end (``discover``: the run's samples, then PRIM for the
three events), and, when a Python with EMA Workbench is given, the same PRIM
problem in ``ema_workbench.analysis.prim``.  Writes the section "Scenario
discovery (issue 13)" of ``benchmarks/results.md``.

Usage::

    .venv/bin/python benchmarks/bench_discover.py                  # 10^5 and 10^6
    .venv/bin/python benchmarks/bench_discover.py --quick          # 10^5 only
    .venv/bin/python benchmarks/bench_discover.py --ema /tmp/ema/bin/python --ema-cap-gb 10

Each measurement runs in a fresh subprocess, so its peak memory (PSS of the
process and its workers, sampled every 20 ms) is its own.  The EMA
measurement runs under ``ulimit -v`` (``--ema-cap-gb``) so that it cannot
take the memory of a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_montecarlo import PeakMemory, replace_section  # noqa: E402

SCENARIO = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
D = 43

#: The synthetic problem: D uniform inputs, the event inside [0.2, 0.6] x [0.5, 0.9] of two, 5 % labels flipped.
SYNTHETIC = """
import numpy as np
rng = np.random.default_rng(1)
X = rng.random(({d}, {n}))
y = (X[1] >= 0.2) & (X[1] <= 0.6) & (X[3] >= 0.5) & (X[3] <= 0.9)
y ^= rng.random({n}) < 0.05
"""

EMA = SYNTHETIC + """
import json, resource, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
t0 = time.perf_counter()
from ema_workbench.analysis import prim
t_import = time.perf_counter() - t0
x = pd.DataFrame(X.T, columns=[f"p{{i}}" for i in range({d})])
t0 = time.perf_counter()
try:
    box = prim.Prim(x, y, threshold=0.8, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05).find_box()
    status, steps = "ok", len(box.peeling_trajectory)
except MemoryError as exc:
    status, steps = "MemoryError: " + str(exc)[:80], 0
print(json.dumps({{"seconds": time.perf_counter() - t0, "import_seconds": t_import, "status": status, "steps": steps,
                   "maxrss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}}))
"""


def _prim_alone(n: int) -> dict:
    import numpy as np

    from mkba_mc.sensitivity import prim, prim_refine

    ns: dict = {}
    exec(SYNTHETIC.format(d=D, n=n), ns)
    X, y = ns["X"], ns["y"]
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        traj = prim.peel(X, y)
        t_peel = time.perf_counter() - t0
        i = prim.select_box(traj)
        lo0, hi0 = X.min(axis=1), X.max(axis=1)
        lo, hi = prim_refine.prune(X, y, traj.lower[i], traj.upper[i], lo0, hi0)
        lo, hi = prim_refine.paste(X, y, lo, hi)
        seconds = time.perf_counter() - t0
    res = [int(j) for j in np.flatnonzero(prim.restricted(lo, hi, lo0, hi0))]
    return {"kind": "prim", "n": n, "seconds": seconds, "peel_seconds": t_peel, "steps": len(traj),
            "peak_bytes": mem.peak, "input_bytes": X.nbytes, "restricted": res,
            "limits": [[float(lo[j]), float(hi[j])] for j in res]}


def _end_to_end(n: int, workers: int) -> dict:
    from mkba_mc import discover

    with PeakMemory() as mem:
        t0 = time.perf_counter()
        ds = discover(SCENARIO, n=n, seed=2014, workers=workers)
        seconds = time.perf_counter() - t0
    return {"kind": "discover", "n": n, "workers": workers, "seconds": seconds, "peak_bytes": mem.peak,
            "inputs": int(ds.sizes["parameter"]),
            "boxes": {str(e): [str(s), float(ds["coverage"].sel(event=e)), float(ds["density"].sel(event=e))]
                      for e, s in zip(ds["event"].values, ds["status"].values)}}


def measure(kind: str, n: int, workers: int = 1) -> dict:
    out = subprocess.run([sys.executable, __file__, "--one", kind, str(n), str(workers)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_ema(python: str, n: int, cap_gb: float) -> dict:
    code = EMA.format(d=D, n=n)
    cmd = f"ulimit -v {int(cap_gb * 2**20)}; exec {python} -c \"$CODE\""
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env={**os.environ, "CODE": code})
    last = (out.stdout.strip().splitlines() or [""])[-1]
    try:
        return {"kind": "ema", "n": n, "cap_gb": cap_gb, **json.loads(last)}
    except json.JSONDecodeError:
        tail = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"kind": "ema", "n": n, "cap_gb": cap_gb, "status": tail[:120], "seconds": float("nan"),
                "maxrss_bytes": 0, "steps": 0, "import_seconds": float("nan")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--ema", help="a Python interpreter with ema_workbench installed")
    ap.add_argument("--ema-cap-gb", type=float, default=10.0)
    ap.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--results", default=str(HERE / "results.md"))
    args = ap.parse_args()
    if args.one:
        kind, n, workers = args.one[0], int(args.one[1]), int(args.one[2])
        print(json.dumps(_prim_alone(n) if kind == "prim" else _end_to_end(n, workers)))
        return
    sizes = [10**5] if args.quick else [10**5, 10**6]
    rows = []
    for n in sizes:
        r = measure("prim", n)
        rows.append(r)
        print(f"PRIM alone n={n:,} d={D}: {r['seconds']:.2f} s (peel {r['peel_seconds']:.2f} s, {r['steps']} steps), "
              f"peak {r['peak_bytes'] / 2**30:.2f} GiB (inputs {r['input_bytes'] / 2**30:.2f} GiB); "
              f"restricted {r['restricted']} {r['limits']}", flush=True)
        for workers in (1, 2):
            r = measure("discover", n, workers)
            rows.append(r)
            print(f"discover n={n:,} workers={workers}: {r['seconds']:.2f} s, peak {r['peak_bytes'] / 2**30:.2f} GiB, "
                  f"{r['inputs']} inputs, {r['boxes']}", flush=True)
        if args.ema:
            r = measure_ema(args.ema, n, args.ema_cap_gb)
            rows.append(r)
            print(f"EMA Workbench n={n:,}: {r['status']}, {r['seconds']:.1f} s, max RSS "
                  f"{r['maxrss_bytes'] / 2**30:.2f} GiB, import {r['import_seconds']:.1f} s", flush=True)
    write_results(Path(args.results), rows)


def write_results(path: Path, rows: list[dict]) -> None:
    lines = ["## Scenario discovery (issue 13)", "",
             f"Written by `benchmarks/bench_discover.py` on {time.strftime('%Y-%m-%d %H:%M')} ({platform.machine()}, "
             f"{os.cpu_count()} cores). PRIM alone: {D} uniform inputs, the event inside [0.2, 0.6] x [0.5, 0.9] of "
             "inputs 1 and 3 with 5 % of the labels flipped; peeling (alpha 0.05, mass_min 0.05), the default box, "
             "pruning and pasting. `discover`: `scenarios/bijlage2_voorbeeld.toml`, seed 2014, the run's samples "
             "(sampling and model included) and PRIM for the three events. Peak: PSS of the process and its workers. "
             f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine: "
             "compare rows of one run, not runs).",
             "", "| what | n | workers | time | peak | notes |", "|---|---|---|---|---|---|"]
    for r in rows:
        if r["kind"] == "prim":
            lines.append(f"| PRIM alone (mkba_mc) | {r['n']:,} | 1 | {r['seconds']:.2f} s (peel {r['peel_seconds']:.2f} s) | "
                         f"{r['peak_bytes'] / 2**30:.2f} GiB | inputs {r['input_bytes'] / 2**30:.2f} GiB; {r['steps']} "
                         f"steps; restricted inputs {r['restricted']} |")
        elif r["kind"] == "discover":
            boxes = "; ".join(f"{e}: {s[0]}" + (f" (coverage {s[1]:.2f}, density {s[2]:.2f})" if s[0] == "box" else "")
                              for e, s in r["boxes"].items())
            lines.append(f"| discover end to end | {r['n']:,} | {r['workers']} | {r['seconds']:.2f} s | "
                         f"{r['peak_bytes'] / 2**30:.2f} GiB | {r['inputs']} varying inputs; {boxes} |")
        else:
            lines.append(f"| EMA Workbench `Prim.find_box` | {r['n']:,} | 1 | {r['seconds']:.1f} s | "
                         f"{r['maxrss_bytes'] / 2**30:.2f} GiB max RSS | {r['status']}; {r['steps']} steps; import "
                         f"{r['import_seconds']:.1f} s; under `ulimit -v` {r['cap_gb']:g} GiB |")
    lines.append("")
    replace_section(path, lines)


if __name__ == "__main__":
    main()
