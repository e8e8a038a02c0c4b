"""``mkba-mc compare``, ``batch`` and ``report``: commands over result folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..batch import SKIPPABLE
from ..errors import ConfigError, MkbaError, Problem
from .app import (
    ForceOption,
    JsonOption,
    Lang,
    Sampler,
    SchedulerOption,
    WorkersOption,
    _check_options,
    _claim,
    app,
    err_console,
    out_console,
)


@app.command()
def compare(
    folders: Annotated[list[Path], typer.Argument(help="Result folders of `run` (or `batch` scenario folders).")],
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for comparison.csv/.xlsx/.png.")] = None,
    force: ForceOption = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels.")] = Lang.nl,
    as_json: JsonOption = False,
) -> None:
    """Several scenarios side by side: ratio ranges and P(gain) per actor."""
    from ..io.atomic import check_writable
    from ..report.compare import comparison_table, write_comparison
    from ..report.console import render_comparison

    if out is not None:
        check_writable(out)
        _claim(out, force)
    table = comparison_table(folders)
    if out is not None:
        write_comparison(table, out, force=force, lang=lang.value)
    if as_json:
        typer.echo(table.to_json(orient="records", indent=2))
        return
    out_console.print(render_comparison(table, lang.value))


def _batch_memory_check(scenarios: list[Path], n: int, workers: int) -> None:
    """Refuse a batch whose Monte Carlo step (every output kept) cannot fit in
    memory for the largest of the scenarios that load (the others fail in the batch)."""
    from ..checks import memory_problems, raise_problems, run_bytes_per_sample
    from ..execution.montecarlo import ALL_KEPT_OUTPUTS
    from ..io.scenario_build import load_scenario

    per_sample = 0
    for path in scenarios:
        try:
            sc = load_scenario(path)
        except MkbaError:
            continue
        per_sample = max(per_sample, run_bytes_per_sample(sc, list(ALL_KEPT_OUTPUTS), False, workers))
    if per_sample:
        raise_problems(memory_problems(n, per_sample, what="the Monte Carlo step of a scenario (every output kept)",
                                       advice="lower -n"))


#: What the batch progress bar shows during each step (``on_event(name, "step", step)``).
STEP_NAMES = {"point": "point estimate", "run": "Monte Carlo samples", "sobol": "Sobol' indices",
              "tornado": "tornado", "curve": "acceptability curve", "breakeven": "break-even", "voi": "value of information",
              "discover": "scenario discovery", "report": "report"}


@app.command()
def batch(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files.")],
    out: Annotated[Path, typer.Option("--out", help="Batch folder (resumed when it exists).")],
    n: Annotated[int, typer.Option("-n", "--samples", help="Monte Carlo samples per scenario.")] = 100_000,
    sobol_n: Annotated[int, typer.Option("--sobol-n", help="Sobol' base samples per scenario (power of 2).")] = 4096,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every analysis.")] = 2014,
    sampler: Annotated[Sampler, typer.Option("--sampler", help="Monte Carlo design.")] = Sampler.random,
    workers: WorkersOption = None,
    skip: Annotated[Optional[list[str]], typer.Option("--skip", help=f"Step to leave out: {', '.join(SKIPPABLE)} (repeatable).")] = None,
    scheduler: SchedulerOption = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the reports.")] = Lang.nl,
    force: ForceOption = False,
) -> None:
    """Point, Monte Carlo, Sobol', tornado, QALY acceptability curve, break-even, value of information,
    scenario discovery and report per scenario, then a comparison.

    Resumable: finished scenarios whose inputs did not change are skipped.
    The exit code is the number of scenarios that failed (0: all succeeded).
    """
    from ..batch import STEPS, BatchOptions, run_batch
    from ..execution.montecarlo import default_workers
    from ..io.atomic import check_writable

    problems = [Problem("--skip", "skip", s, ", ".join(SKIPPABLE[:-1]) + " or " + SKIPPABLE[-1])
                for s in (skip or []) if s not in SKIPPABLE]
    if sobol_n < 2 or sobol_n & (sobol_n - 1):
        problems.append(Problem("--sobol-n", "sobol_n", sobol_n, "a power of 2"))
    if n < 1:
        problems.append(Problem("-n", "n", n, "a positive number of samples"))
    try:
        _check_options(seed=seed, workers=workers, scheduler=scheduler)
    except ConfigError as exc:
        problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    _batch_memory_check(scenarios, n, default_workers() if workers is None else workers)
    check_writable(out)
    options = BatchOptions(n=n, sobol_n=sobol_n, seed=seed, sampler=sampler.value, lang=lang.value,
                           steps=tuple(s for s in STEPS if s not in (skip or [])))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err_console,
                        transient=True, disable=not err_console.is_terminal)
    scen_task = progress.add_task("scenarios", total=len(scenarios))
    sample_task = progress.add_task("samples", total=n)

    def on_event(name: str, event: str, detail: Any) -> None:
        if event == "start":
            progress.update(sample_task, completed=0, description=f"{name}: starting")
        elif event == "step":  # the bar names the step it is in, not only the Monte Carlo samples
            # samples are counted in the Monte Carlo step only; the other steps show a moving bar
            progress.update(sample_task, description=f"{name}: {STEP_NAMES.get(detail, detail)}", completed=0,
                            total=n if detail == "run" else None)
        elif event in ("done", "skip", "fail"):
            progress.advance(scen_task)
        if event == "fail":
            err_console.print(f"[bold red]failed:[/] {name}", highlight=False)
            for line in str(detail).splitlines():
                err_console.print(f"  - {line}", highlight=False, markup=False)
        elif event == "skip":
            err_console.print(f"skipped: {name} ({detail})", highlight=False)

    from ..execution.scheduling import open_evaluator

    with progress, open_evaluator(scheduler, default_workers() if workers is None else workers) as evaluator:
        result = run_batch(scenarios, out, options, evaluator=evaluator, force=force, on_event=on_event,
                           progress=lambda k, total: progress.advance(sample_task, k))
    out_console.print(f"batch {out}: {len(result.done)} done, {len(result.skipped)} skipped (unchanged), "
                      f"{len(result.failed)} failed", highlight=False)
    if result.done or result.skipped:
        out_console.print(f"comparison: {out}/comparison/comparison.xlsx", highlight=False)
    if result.failed:
        raise typer.Exit(code=min(len(result.failed), 100))


@app.command()
def report(
    folder: Annotated[Path, typer.Argument(help="Folder with the outputs of point/run/sobol/tornado (or subfolders).")],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the report.")] = Lang.nl,
    run: Annotated[Optional[str], typer.Option("--run", help="Subfolder with the run to report on, when the folder "
                                               "holds results of several scenarios.")] = None,
) -> None:
    """Self-contained HTML report (report.html) with the figures as PNG files."""
    from ..report import build_report

    path = build_report(folder, lang=lang.value, run=run)
    out_console.print(f"written: {path}", highlight=False)
