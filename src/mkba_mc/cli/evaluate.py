"""``mkba-mc validate``, ``point`` and ``run``: checking inputs, the point estimate, the Monte Carlo."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import ConfigError, Problem
from .app import (
    DistOption,
    Lang,
    Sampler,
    ScenarioArg,
    SchedulerOption,
    SetOption,
    WorkersOption,
    _check_finite,
    _check_options,
    _command_line,
    _LazyProgress,
    _prepare,
    _warn,
    app,
    err_console,
    out_console,
)


@app.command()
def validate(
    files: Annotated[Optional[list[Path]], typer.Argument(help="Scenario or distribution files.")] = None,
    list_parameters: Annotated[bool, typer.Option("--list", help="List every parameter name and its domain.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --list: every parameter's kind, value, distributions, "
                                          "mean, P5, P95 and evidence as JSON (a scenario's overrides applied).")] = False,
    distributions: DistOption = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the parameter names in --list.")] = Lang.nl,
) -> None:
    """Check scenario and distribution files; report every problem at once."""
    from ..io.inputs import centring_warnings, parameter_listing
    from ..io.scenario_build import validate_file
    from ..model.parameters import PARAMETERS
    from ..report.labels import param_label

    if list_parameters and as_json:
        if files and len(files) > 1:
            raise ConfigError([Problem("validate", "files", [str(f) for f in files],
                                       "at most one scenario with --list --json")])
        rows = parameter_listing(files[0] if files else None, distributions=distributions)
        typer.echo(json.dumps(rows, indent=2, allow_nan=False))
        return
    if list_parameters:
        for name, spec in PARAMETERS.items():
            req = " (required)" if spec.required else ""
            out_console.print(f"[{spec.section}] {name} ({param_label(name, lang.value)}): {spec.domain.describe()} "
                              f"{spec.unit}{req}", highlight=False, markup=False)
        if not files:
            return
    if not files:
        err_console.print("error: give at least one file (or --list)")
        raise typer.Exit(code=2)
    problems = []
    for f in files:
        try:
            kind = validate_file(f)
        except ConfigError as exc:
            problems.extend(exc.problems)
        else:
            out_console.print(f"ok: {f} ({kind})", highlight=False)
            _warn(centring_warnings(f))
    if problems:
        raise ConfigError(problems)


@app.command()
def point(
    scenario: ScenarioArg,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the screens.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels.")] = Lang.nl,
) -> None:
    """Point estimate: LPBL screens A (NCW of one year) and B (budget after 2 years)."""
    from ..io.scenario_build import load_scenario
    from ..model.diagnostics import result_warnings
    from ..model.point import point_summary
    from ..report.screens import realisation_of, render_point

    sc = load_scenario(scenario, overrides=set_ or [], distributions=distributions)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = sc.evaluate()
    _warn(result_warnings(out, sc.structure.team_from_caseload))
    if as_json:
        summary = point_summary(out)
        _check_finite(summary, sc)
        typer.echo(json.dumps(summary, indent=2, allow_nan=False))
        return
    out_console.print(render_point(out, sc.name, lang.value, ramp_years=sc.structure.ramp_years,
                                   programme_years=sc.structure.programme_years,
                                   realisation=realisation_of(sc.params)))


def _kept(outputs: Optional[list[str]], programme: bool, all_outputs: bool, default: Any, prog: Any,
          everything: Any) -> Optional[list[str]]:
    """Outputs a run keeps from the --output/--programme/--all-outputs options."""
    if all_outputs:
        return list(dict.fromkeys([*everything, *(outputs or [])]))
    if programme:
        return list(dict.fromkeys([*(outputs or default), *prog]))
    return outputs


@app.command()
def run(
    ctx: typer.Context,
    scenario: ScenarioArg,
    n: Annotated[int, typer.Option("-n", "--samples", help="Number of samples (maximum with --target-se).")] = 100_000,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed; a fresh one is drawn and recorded if omitted.")] = None,
    sampler: Annotated[Sampler, typer.Option("--sampler", help="Design on the unit cube.")] = Sampler.random,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Samples per model evaluation (results do not depend on it).")] = 1 << 14,
    workers: WorkersOption = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for samples.nc, summary.csv/.xlsx, manifest.json.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite results in a non-empty --out folder.")] = False,
    target_se: Annotated[Optional[float], typer.Option("--target-se", help="Double n until the standard error of P(ratio_social >= 1) is below this.")] = None,
    outputs: Annotated[Optional[list[str]], typer.Option("--output", help="Output to keep (repeatable; default: key outputs and actor balances).")] = None,
    programme: Annotated[bool, typer.Option("--programme", help="Also the programme view: payback year and pre-financing need.")] = False,
    all_outputs: Annotated[bool, typer.Option("--all-outputs", help="Keep every post and the programme view (more memory and time).")] = False,
    keep_inputs: Annotated[bool, typer.Option("--keep-inputs", help="Also store the sampled inputs in samples.nc.")] = False,
    sample_levers: Annotated[bool, typer.Option("--sample-levers", help="What-if: sample the levers over their plausible "
                                                "range across approaches instead of their implementation uncertainty.")] = False,
    scheduler: SchedulerOption = None,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels.")] = Lang.nl,
) -> None:
    """Monte Carlo: the risk of this plan -- risk ranges and the chance that benefits exceed costs, per actor.

    Samples the uncertainties and the levers' implementation uncertainty
    around the plan's values; normative inputs (QALY value, discount rate)
    stay at the scenario's values (sweep them with `mkba-mc curve`)."""
    from ..checks import memory_problems, raise_problems, run_bytes_per_sample
    from ..execution.montecarlo import (
        ALL_KEPT_OUTPUTS,
        DEFAULT_OUTPUTS,
        PROGRAMME_KEPT,
        default_workers,
    )
    from ..execution.montecarlo import run as mc_run
    from ..execution.scheduling import open_evaluator
    from ..model.diagnostics import result_warnings
    from ..report.console import render_run

    _check_options(seed=seed, n=n, chunk_size=chunk_size, workers=workers, scheduler=scheduler)
    sc = _prepare(scenario, set_, distributions, out, force)
    if sample_levers:
        sc = sc.in_space("levers")
    kept = _kept(outputs, programme, all_outputs, DEFAULT_OUTPUTS, PROGRAMME_KEPT, ALL_KEPT_OUTPUTS)
    n_workers = default_workers() if workers is None else workers
    raise_problems(memory_problems(n, run_bytes_per_sample(sc, kept, keep_inputs, n_workers),
                                   what="the kept outputs" + (" and inputs" if keep_inputs else ""),
                                   advice="lower -n or keep fewer outputs"))
    sink = None
    if out is not None:  # samples.nc is written while the run computes; removed unless write_run commits it
        from ..io.stream import run_output

        sink = ctx.with_resource(run_output(out, force, _command_line(ctx)))
    bar = _LazyProgress("samples")
    progress: Any = bar
    if out is not None:  # what the summary files need, imported while the summary is computed and samples.nc hashed
        from .overlap import ImportsWhenDone

        progress = ImportsWhenDone(bar, ["pandas", "openpyxl", "mkba_mc.report.excel"])
    try:
        with open_evaluator(scheduler, n_workers) as evaluator:
            result = mc_run(sc, n, seed=seed, sampler=sampler.value, chunk_size=chunk_size, outputs=kept,
                            keep_inputs=keep_inputs, target_se=target_se, progress=progress, evaluator=evaluator,
                            sink=sink)
    finally:
        bar.close()
    _warn(result.warnings + result_warnings(result.outputs, sc.structure.team_from_caseload))
    summary = None
    if as_json:
        from ..io.results import (
            summary_json,  # xarray and pandas: only for --json and --out
        )

        summary = summary_json(result)
    if summary is not None:
        _check_finite(summary, sc)

    def table() -> Any:
        return render_run(result, lang.value) if summary is None else None

    if out is not None:
        from ..io.results import write_run
        from ..report.excel import write_summary_workbook
        from .overlap import alongside

        # the folder is committed while the console table is built; printed once the folder is complete
        shown = alongside(lambda: write_run(result, out, force=force, command=_command_line(ctx),
                                            workbook=lambda *args: write_summary_workbook(*args, lang=lang.value)),
                          table, on_interrupt=sink.cancel if sink is not None else None)  # summary.xlsx in --lang
    else:
        shown = table()
    if summary is not None:
        typer.echo(json.dumps(summary, indent=2, allow_nan=False))
    else:
        out_console.print(shown)
        if result.convergence is not None:
            c = result.convergence
            state = "reached" if c["reached"] else "NOT reached"
            out_console.print(f"target standard error {c['target_se']:g} {state}: n = {c['n']:,}, se = {c['se']:.4g}",
                              highlight=False)
        if out is not None:
            out_console.print(f"written: {out}/samples.nc, summary.csv, summary.xlsx, manifest.json", highlight=False)
