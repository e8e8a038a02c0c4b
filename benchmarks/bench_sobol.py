"""Sobol' benchmarks (issue 4): mkba_mc's streaming estimator against SALib's
``sample.sobol`` + ``analyze.sobol`` on the same MKBA model and design, time
and peak memory, for N = 2^14 .. 2^20.  Prints the figures and writes the
section "Sobol" of ``benchmarks/results.md``.

Usage::

    .venv/bin/python benchmarks/bench_sobol.py            # mkba_mc up to 2^20, SALib up to 2^18
    .venv/bin/python benchmarks/bench_sobol.py --quick    # up to 2^16, SALib up to 2^14

The problem is ``scenarios/bijlage2_voorbeeld.toml`` with 30 uncertain
parameters (ten minor ones fixed at their point values), first and total
order with 95 % intervals (100 bootstrap resamples), output ratio_social.
Each measurement runs in a fresh subprocess (peak = summed PSS of the process
and its workers).
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
FIXED = ["care_profile.families.ev", "care_profile.elderly.ev", "care_profile.other.ev",
         "care_profile.elderly.top", "care_profile.other.top", "caseload.ev", "caseload.top",
         "qaly_per_debt_success", "debt_success_rate", "income_gain_per_year"]


def _scenario():
    """The problem's scenario, already over the default input space of a
    sensitivity analysis, so that mkba_mc and SALib sample the same inputs."""
    from mkba_mc import load_scenario
    from mkba_mc.sensitivity.problem import DEFAULT_INPUTS, in_space

    base = load_scenario(SCENARIO)
    return in_space(load_scenario(SCENARIO, overrides={k: base.params[k] for k in FIXED}), DEFAULT_INPUTS)


def _ours(n: int, workers: int, outputs: list[str]) -> dict:
    import warnings

    from mkba_mc import MkbaWarning, sobol

    sc = _scenario()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MkbaWarning)  # wide intervals at small n are expected here
        ds = sobol(sc, n, outputs=outputs, group_by="parameter", seed=1, workers=workers)
    return {"d": int(ds.attrs["d"]), "evaluations": int(ds.attrs["evaluations"]),
            "S1": ds["S1"].sel(output=outputs[0]).values.tolist(), "ST": ds["ST"].sel(output=outputs[0]).values.tolist()}


def _salib(n: int) -> dict:
    """SALib's pipeline: sample.sobol, inverse CDFs and the model on every row,
    analyze.sobol (100 resamples)."""
    import warnings

    import numpy as np
    from SALib.analyze import sobol as salib_analyze
    from SALib.sample import sobol as salib_sample

    from mkba_mc.sensitivity.analyses import model_for, problem_for

    sc = _scenario()
    problem = problem_for(sc)
    salib_problem = {"num_vars": problem.d, "names": list(problem.names), "bounds": [[0.0, 1.0]] * problem.d}
    t = {}
    t0 = time.perf_counter()
    U = salib_sample.sample(salib_problem, n, calc_second_order=False, seed=1)
    t["sample"] = time.perf_counter() - t0
    func = model_for(sc, ["ratio_social"])
    Y = np.empty(len(U))
    t0 = time.perf_counter()
    for lo in range(0, len(U), 1 << 16):
        part = U[lo:lo + (1 << 16)]
        x = {nm: problem.dists[j].ppf(np.ascontiguousarray(part[:, j])) for j, nm in enumerate(problem.names)}
        Y[lo:lo + len(part)] = func(x)["ratio_social"]
    t["evaluate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        S = salib_analyze.analyze(salib_problem, Y, calc_second_order=False, num_resamples=100, seed=1)
    t["analyze"] = time.perf_counter() - t0
    return {"d": problem.d, "evaluations": len(U), "S1": list(S["S1"]), "ST": list(S["ST"]), "phases": t}


def _one(kind: str, n: int, workers: int) -> dict:
    outputs = ["ratio_social"] if kind in ("ours", "salib") else [
        "ratio_social", "ratio_financial", "ratio_gemeente", "balance", "balance_gemeente",
        "ratio_social_ge_1", "balance_gemeente_ge_0"]
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        res = _salib(n) if kind == "salib" else _ours(n, workers, outputs)
        seconds = time.perf_counter() - t0
    return {"kind": kind, "n": n, "workers": workers, "seconds": seconds, "peak_bytes": mem.peak, **res}


def measure(kind: str, n: int, workers: int = 2) -> dict:
    out = subprocess.run([sys.executable, __file__, "--one", kind, str(n), str(workers)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--results", default=str(HERE / "results.md"))
    args = ap.parse_args()
    if args.one:
        print(json.dumps(_one(args.one[0], int(args.one[1]), int(args.one[2]))))
        return
    ours_exps = range(14, 17) if args.quick else range(14, 21)
    salib_exps = range(14, 15) if args.quick else range(14, 19)
    rows = []
    for e in ours_exps:
        for kind in ("ours", "ours7"):
            r = measure(kind, 1 << e)
            rows.append(r)
            print(f"mkba_mc {'1 output ' if kind == 'ours' else '7 outputs'} N=2^{e}: {r['seconds']:.2f} s, "
                  f"{r['evaluations']:,} evaluations, peak {r['peak_bytes'] / 2**30:.2f} GiB", flush=True)
    for e in salib_exps:
        r = measure("salib", 1 << e)
        rows.append(r)
        mine = next(x for x in rows if x["kind"] == "ours" and x["n"] == 1 << e)
        diff = max(abs(a - b) for a, b in zip(r["S1"] + r["ST"], mine["S1"] + mine["ST"]))
        r["max_diff"] = diff
        print(f"SALib   1 output  N=2^{e}: {r['seconds']:.2f} s (sample {r['phases']['sample']:.1f}, evaluate "
              f"{r['phases']['evaluate']:.1f}, analyze {r['phases']['analyze']:.1f}), peak "
              f"{r['peak_bytes'] / 2**30:.2f} GiB; max |index difference| {diff:.2e}", flush=True)
    write_results(Path(args.results), rows)


def write_results(path: Path, rows: list[dict]) -> None:
    d = rows[0]["d"]
    lines = ["## Sobol (issue 4)", "",
             f"Written by `benchmarks/bench_sobol.py` on {time.strftime('%Y-%m-%d %H:%M')} ({platform.machine()}, "
             f"{os.cpu_count()} cores). Problem: `scenarios/bijlage2_voorbeeld.toml`, d = {d} uncertain parameters, "
             "first and total order with 95 % intervals (100 bootstrap resamples), per parameter. mkba_mc: 2 worker "
             "processes, streaming estimator with Poisson bootstrap. SALib 1.6: `sample.sobol` + inverse CDFs + the "
             "same vectorised model + `analyze.sobol`, on the same design (seed 1).", "",
             "| N | evaluations | mkba_mc 1 output | mkba_mc 7 outputs | peak mkba_mc | SALib 1 output | peak SALib | speed-up | max index diff |",
             "|---|---|---|---|---|---|---|---|---|"]
    for n in sorted({r["n"] for r in rows}):
        o1 = next(r for r in rows if r["kind"] == "ours" and r["n"] == n)
        o7 = next(r for r in rows if r["kind"] == "ours7" and r["n"] == n)
        sa = next((r for r in rows if r["kind"] == "salib" and r["n"] == n), None)
        lines.append(f"| 2^{n.bit_length() - 1} | {o1['evaluations']:,} | {o1['seconds']:.2f} s | {o7['seconds']:.2f} s | "
                     f"{o7['peak_bytes'] / 2**30:.2f} GiB | "
                     + (f"{sa['seconds']:.1f} s | {sa['peak_bytes'] / 2**30:.2f} GiB | {sa['seconds'] / o1['seconds']:.0f}x | "
                        f"{sa['max_diff']:.1e} |" if sa else "– | – | – | – |"))
    lines.append("")
    by = {(r["kind"], r["n"]): r for r in rows}
    lines += ["### Against the targets", ""]
    if ("ours", 1 << 18) in by:
        lines.append(f"- S1 + ST with 95 % intervals, d = {d}, N = 2^18: **{by[('ours', 1 << 18)]['seconds']:.2f} s** "
                     f"(7 outputs: {by[('ours7', 1 << 18)]['seconds']:.2f} s); target <= 10 s.")
    if ("ours", 1 << 20) in by:
        r = by[("ours7", 1 << 20)]
        lines.append(f"- N = 2^20 ({r['evaluations']:,} evaluations), 7 outputs: **{r['seconds']:.2f} s**, peak "
                     f"**{r['peak_bytes'] / 2**30:.2f} GiB**; targets <= 40 s and <= 4 GB.")
    if ("salib", 1 << 18) in by:
        lines.append(f"- Against SALib at N = 2^18 in the same run: **{by[('salib', 1 << 18)]['seconds'] / by[('ours', 1 << 18)]['seconds']:.0f}x** "
                     f"faster (target >= 10x); point estimates differ by at most {by[('salib', 1 << 18)]['max_diff']:.1e}.")
    lines.append("")
    replace_section(path, lines)


if __name__ == "__main__":
    main()
