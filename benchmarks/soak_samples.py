"""Soak test of samples.nc's bytes: the same seed, run after run, under load.

``tests/montecarlo/test_stream.py`` compares the stored bytes of every chunk
of samples.nc between a streamed run, a run with other workers and chunk
size, and a file written after the run.  A defect that shows in 1 of a few
hundred runs passes there almost always; this script repeats the comparison
many times in one process (as a test session does, with its heap and
threads), while a second process does the same, so the two cores are busy.

Usage::

    .venv/bin/python benchmarks/soak_samples.py              # 2 x 150 rounds, about 8 minutes
    .venv/bin/python benchmarks/soak_samples.py --rounds 20  # a short look

Each round runs ``mkba-mc run`` in this process twice (``--workers 2`` and
``--workers 1 --chunk-size 5000 --scheduler threads``, with ``--programme
--keep-inputs --out``) and compares the raw chunk bytes of every sample
variable with the first run's.  Writes the section "Same bytes, run after
run" of ``benchmarks/results.md``.

Found with it (2026-12-07): ISA-L's deflate encoded one plane of
``payback_year_gemeente`` in two different valid ways, in 2 of about 400
runs; the chunk encoding now uses zlib's deflate (``mkba_mc.io.chunk_codec``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

SCENARIO = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
#: Three whole chunks and a partial one (the size of the test's run).
N = 3 * (1 << 14) + 123
CONFIGS = (("--workers", "2"), ("--workers", "1", "--chunk-size", "5000", "--scheduler", "threads"))


def soak(rounds: int, folder: Path) -> dict:
    """Run the rounds in this process; return the runs, the differing chunks and the time."""
    from typer.testing import CliRunner

    from mkba_mc.cli import app
    from mkba_mc.io.samples_file import stored_chunks

    runner = CliRunner()
    ref: dict[str, list[bytes]] | None = None
    differ: list[dict] = []
    runs = 0
    t0 = time.perf_counter()
    for i in range(rounds):
        for j, cfg in enumerate(CONFIGS):
            out = folder / f"r{i}_{j}"
            r = runner.invoke(app, ["run", str(SCENARIO), "-n", str(N), "--seed", "4", "--programme",
                                    "--keep-inputs", *cfg, "--out", str(out)])
            if r.exit_code != 0:
                raise SystemExit(f"run failed: {r.output}")
            got = stored_chunks(out / "samples.nc")
            shutil.rmtree(out)
            runs += 1
            if ref is None:
                ref = got
                continue
            bad = [(k, q) for k in ref for q in range(len(ref[k])) if got.get(k, [None] * len(ref[k]))[q] != ref[k][q]]
            if bad:
                differ.append({"round": i, "config": " ".join(cfg), "chunks": bad})
                print(f"round {i} ({' '.join(cfg)}): chunks differ: {bad}", flush=True)
    digest = hashlib.sha256(b"".join(b for k in sorted(ref or {}) for b in (ref or {})[k])).hexdigest()
    return {"runs": runs, "differ": differ, "seconds": time.perf_counter() - t0, "chunks_sha256": digest}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=150)
    ap.add_argument("--load", action="store_true", help="internal: the second process (prints JSON, writes nothing)")
    ap.add_argument("--results", default=str(HERE / "results.md"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="mkba-soak-") as tmp:
        if args.load:
            print(json.dumps(soak(args.rounds, Path(tmp))))
            return
        other = subprocess.Popen([sys.executable, __file__, "--load", "--rounds", str(args.rounds)],
                                 stdout=subprocess.PIPE, text=True)
        try:
            mine = soak(args.rounds, Path(tmp))
        except BaseException:
            other.kill()
            other.wait()
            raise
        printed = other.communicate()[0]
    if other.returncode:
        raise SystemExit(f"the second process failed (exit code {other.returncode})")
    theirs = json.loads(printed.strip().splitlines()[-1])
    runs = mine["runs"] + theirs["runs"]
    bad = len(mine["differ"]) + len(theirs["differ"])
    same = mine["chunks_sha256"] == theirs["chunks_sha256"]
    print(f"{runs} runs in two processes, {bad} with chunks other than their process's first run; "
          f"the two processes' first runs {'have the same' if same else 'DIFFER in their'} chunk bytes")
    from bench_montecarlo import replace_section

    lines = ["## Same bytes, run after run (samples.nc)", "",
             f"`benchmarks/soak_samples.py --rounds {args.rounds}`, {time.strftime('%Y-%m-%d %H:%M')}, "
             f"{platform.processor() or platform.machine()}, Python {platform.python_version()}: "
             f"two processes at once, each running `mkba-mc run -n {N:,} --seed 4 --programme --keep-inputs --out` "
             "in turn with `--workers 2` and with `--workers 1 --chunk-size 5000 --scheduler threads`.", "",
             "| runs | runs whose chunk bytes differ from their process's first run | wall time |",
             "|---|---|---|",
             f"| {runs} | {bad} | {max(mine['seconds'], theirs['seconds']):.0f} s |", "",
             "The first runs of the two processes have " + ("the same chunk bytes." if same else
                                                             "different chunk bytes."), ""]
    if bad:
        lines += ["Differing: " + "; ".join(f"{d['config']} round {d['round']}: {d['chunks']}"
                                            for d in mine["differ"] + theirs["differ"]), ""]
    replace_section(Path(args.results), lines)
    if bad or not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
