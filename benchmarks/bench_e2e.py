"""The section "End to end (issue 14)" of ``benchmarks/results.md``: every
figure as a ratio of two measurements of the same benchmark run, so that it
compares across machines (absolute times on machines of the same kind differ
2-3x).  Written by ``bench_montecarlo.py`` from its measurements."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

from bench_montecarlo import CHUNK, KEY_N, replace_section


def _rate(rows: list[dict], kind: str, n: int, workers: int) -> float:
    r = next(r for r in rows if r["kind"] == kind and r["n"] == n and r["workers"] == workers)
    return r["n"] / r["seconds"]


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _warm(rows: list[dict]) -> str:
    """The range of the first compiled run's wall time (kernels loaded from the disk cache) over the runs."""
    warm = [r["warm_compiled"] for r in rows if r["kind"] == "run" and r.get("warm_compiled") is not None]
    return f"{min(warm):.2f}-{max(warm):.2f} s" if warm else "not measured"


def write_e2e(path: Path, rows: list[dict], bw: dict, cli: dict, *, quick: bool, sweeps: int = 1) -> None:
    """Write the ratios against the targets of issue 14 into ``path``.

    Parameters
    ----------
    path : pathlib.Path
        ``results.md``; other sections are kept.
    rows : list of dict
        The per-N measurements (kinds ``uniforms``, ``design``, ``sampling``,
        ``model``, ``run``).
    bw : dict
        Streaming bandwidth in GB/s, ``gbps_1`` and ``gbps_2``.
    cli : dict
        :func:`bench_cli.cli_figures`.
    quick : bool
        Whether the run was ``--quick`` (N up to 2^20, the big run 10^6).
    sweeps : int
        How often the per-N table was swept (every figure the fastest of them).
    """
    sizes = sorted({r["n"] for r in rows})
    n_key = KEY_N if KEY_N in sizes else sizes[-1]
    e_key = n_key.bit_length() - 1
    dims, outs = rows[0]["dims"], rows[0]["outputs"]
    uni = _rate(rows, "uniforms", n_key, 1)
    design = _rate(rows, "design", n_key, 1)
    samp = _rate(rows, "sampling", n_key, 1)
    model1, model2 = _rate(rows, "model", n_key, 1), _rate(rows, "model", n_key, 2)
    run1, run2 = _rate(rows, "run", n_key, 1), _rate(rows, "run", n_key, 2)
    core1 = next((r["n"] / r["seconds"] for r in rows if r["kind"] == "run_1core" and r["n"] == n_key), None)
    bound1 = bw["gbps_1"] * 1e9 / (8 * (dims + outs))
    bound2 = bw["gbps_2"] * 1e9 / (8 * (dims + outs))
    pair = cli["pair"]
    big = pair["n"]
    lines = [
        "## End to end (issue 14)",
        "",
        f"Written by `benchmarks/bench_montecarlo.py{' --quick' if quick else ''}` on "
        f"{time.strftime('%Y-%m-%d %H:%M')} ({platform.machine()}, {os.cpu_count()} cores); every figure is a "
        f"ratio of two measurements of this one run. {dims} sampled inputs, {outs} kept output columns, chunks "
        f"of {CHUNK:,}; rates in million samples per second at N = 2^{e_key} unless a column says otherwise. "
        "The stages alone (uniforms, sampling, model) are timed in steady state: each worker has done one chunk "
        "and the 2-worker pool is forked before the timer starts. The runs and commands are timed whole. "
        + (f"Every per-N figure is the fastest of {sweeps} sweeps of the whole table." if sweeps > 1 else ""),
        "",
        "| what | measured | ratio | target |",
        "|---|---|---|---|",
        f"| uniform generation (PCG64, {dims} per sample, 1 process) | {uni / 1e6:.2f} M/s | 1 | reference |",
        f"| the engine's uniforms (one PCG64 stream per input and block) | {design / 1e6:.2f} M/s | "
        f"{_pct(design / uni)} of uniforms | – |",
        f"| sampling (uniforms, copula, inverse CDFs), 1 worker | {samp / 1e6:.2f} M/s | {_pct(samp / uni)} of "
        "uniforms | >= 30 % |",
        f"| model only, 1 worker | {model1 / 1e6:.2f} M/s | {_pct(model1 / bound1)} of the bandwidth bound "
        f"({bound1 / 1e6:.1f} M/s at {bw['gbps_1']:.1f} GB/s) | >= 50 % |",
        f"| model only, 2 workers | {model2 / 1e6:.2f} M/s | {_pct(model2 / bound2)} of the bandwidth bound "
        f"({bound2 / 1e6:.1f} M/s at {bw['gbps_2']:.1f} GB/s) | >= 50 % |",
        f"| run (sampling, model, summary), 1 worker | {run1 / 1e6:.2f} M/s | {_pct(run1 / uni)} of uniforms; "
        f"{_pct(run1 / model1)} of model only | >= 20 % of uniforms |",
        *([f"| run, 1 worker on one CPU (pinned: no free core for the prefault) | {core1 / 1e6:.2f} M/s | "
           f"{_pct(core1 / uni)} of uniforms | – |"] if core1 else []),
        f"| run, 2 workers | {run2 / 1e6:.2f} M/s | {run2 / run1:.2f}x the 1-worker run"
        + (f"; {run2 / core1:.2f}x the 1-worker run on one CPU" if core1 else "") + " | >= 1.6x |",
        f"| `mkba-mc run -n {big:,}` (2 workers) | {pair['run']['seconds']:.2f} s, peak "
        f"{pair['run']['peak_bytes'] / 2**30:.2f} GiB PSS ({pair['run']['peak_rss'] / 2**30:.2f} GiB RSS) | 1 | "
        "reference |",
        f"| `mkba-mc run -n {big:,} --out DIR` | {pair['out']['seconds']:.2f} s, peak "
        f"{pair['out']['peak_bytes'] / 2**30:.2f} GiB PSS ({pair['out']['peak_rss'] / 2**30:.2f} GiB RSS); "
        f"samples.nc {pair['nc_bytes'] / 2**20:.0f} MiB | {pair['out']['seconds'] / pair['run']['seconds']:.2f}x "
        "the run | <= 1.3x; < 2 GB at 10^7 |",
        f"| `mkba-mc --help` | {cli['help']:.2f} s | – | < 0.5 s |",
        f"| `mkba-mc run -n 1000` | {cli['small_run']:.2f} s | – | < 1.5 s |",
        "",
    ]
    if "fp_scaling" in bw:
        lines += [
            f"The model kernel does about 340 floating-point operations a sample: with 2 workers it runs {model2 / model1:.2f}x "
            f"its 1-worker rate, and two threads of a compiled multiply-add loop in cache (no memory traffic) do "
            f"{bw['fp_scaling']:.2f}x the floating-point work of one on this machine (`fp_scaling`), while the "
            f"streaming bandwidth of two threads is {bw['gbps_2'] / bw['gbps_1']:.2f}x that of one.",
            "",
        ]
    lines += [
        "Cost per sample of a whole run (microseconds per sample; ratio to the cheapest N from 2^18 on). Each "
        "run is timed in a fresh process after its one-time costs: the first pandas, thread and pool use (a "
        "2^14-sample run) and, for the compiled runs from 2^18 on, the first load of the compiled kernels from "
        f"their disk cache (a 2^18-sample run: {_warm(rows)}); the command-line figures above include them. "
        "A run of 2^20 samples or fewer takes tens of milliseconds, where one scheduler or GIL delay of the "
        "machine is 10-30 % of it: such runs are timed several times in their process (5 up to 2^18, 4 at 2^19, "
        "2 at 2^20; `run_repeats`) and the fastest kept, as `timeit` does; from 2^21 on, once.",
        "",
        "| N | run 1w | run 2w | run 1w, warm memory | run 2w, warm memory |",
        "|---|---|---|---|---|",
    ]
    kinds = ("run", "run_warm") if any(r["kind"] == "run_warm" for r in rows) else ("run",)
    cost = {(k, w): {n: 1e6 / _rate(rows, k, n, w) for n in sizes} for k in kinds for w in (1, 2)}
    ref = {key: min((c for n, c in v.items() if n >= 1 << 18), default=float("nan")) for key, v in cost.items()}
    for n in sizes:
        lines.append(f"| 2^{n.bit_length() - 1} | " + " | ".join(
            f"{cost[key][n]:.3f} ({cost[key][n] / ref[key]:.2f})" if key in cost else "–"
            for key in (("run", 1), ("run", 2), ("run_warm", 1), ("run_warm", 2))) + " |")
    flat = {key: max(c for n, c in v.items() if n >= 1 << 18) / ref[key] - 1 for key, v in cost.items()}
    lines += [
        "",
        f"Flat from 2^18 to 2^{sizes[-1].bit_length() - 1}: max/min - 1 = {_pct(flat['run', 1])} (1 worker), "
        f"{_pct(flat['run', 2])} (2 workers)"
        + (f"; on warm memory {_pct(flat['run_warm', 1])} and {_pct(flat['run_warm', 2])}"
           if "run_warm" in kinds else "")
        + "; target <= 15 %. "
        + ("\"Warm memory\": from 2^21 on, before the timed run the process touches and unmaps as much "
        "memory as the run's output store takes (`fault_in`), so the store gets pages the guest has just used "
        "(below 2^21 the warm-up runs have just done so: the same measurement as the first columns). On these "
        "virtual machines the host takes back pages the guest leaves free, and the first touch of such a page "
        "costs 2-11 us instead of about 0.25 us: up to 0.3 us a sample, more than a run's own work, and the more "
        "of it the larger N and the longer the memory lay unused (the first columns). With one worker a free "
        "core faults the store in ahead of it (`execution/prefault.py`). " if "run_warm" in kinds else "")
        + "Peak memory is summed over the "
        "process and its workers: PSS counts a page shared by forked workers once, RSS once per process.",
        "",
    ]
    replace_section(path, lines)
