"""``mkba-mc sobol``, ``morris``, ``tornado``, ``breakeven`` and ``curve``: which knob decides."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from ..errors import ConfigError, Problem
from .app import (
    DistOption,
    ForceOption,
    GroupBy,
    Inputs,
    InputsOption,
    JsonOption,
    Lang,
    LangOption,
    OutOption,
    Sampler,
    ScenarioArg,
    SchedulerOption,
    SetOption,
    WorkersOption,
    _check_options,
    _claim,
    _command_line,
    _LazyProgress,
    _prepare,
    _warn,
    app,
    out_console,
)

#: Memory of one breakeven grid value per sample: an upper bound (tracemalloc
#: measures about 1.2 kB per sample for one model evaluation of the shipped
#: scenarios; the rest is room for the sampled inputs and the tables).
BREAKEVEN_BYTES_PER_SAMPLE = 8 * 1024


@app.command()
def sobol(
    ctx: typer.Context,
    scenario: ScenarioArg,
    n: Annotated[int, typer.Option("-n", "--samples", help="Base samples, a power of 2.")] = 1 << 12,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Sobol' design and the bootstrap.")] = 0,
    second_order: Annotated[bool, typer.Option("--second-order", help="Also second-order indices.")] = False,
    group_by: Annotated[GroupBy, typer.Option("--group-by", help="Indices per knop or per parameter.")] = GroupBy.knop,
    output: Annotated[Optional[list[str]], typer.Option("--output", help="Output to analyse (repeatable).")] = None,
    target_ci: Annotated[Optional[float], typer.Option("--target-ci", help="Double n until every 95 % half-width is below this.")] = None,
    n_max: Annotated[Optional[int], typer.Option("--n-max", help="Largest n for --target-ci (power of 2).")] = None,
    resamples: Annotated[int, typer.Option("--resamples", help="Bootstrap replicates.")] = 100,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: JsonOption = False,
    lang: LangOption = Lang.nl,
    inputs: InputsOption = Inputs.all,
    method: Annotated[str, typer.Option("--method", help="sobol: Sobol' indices (inputs that move together as one "
                                        "group); shapley: Shapley effects, -n random permutations.")] = "sobol",
    ignore_dependence: Annotated[bool, typer.Option("--ignore-dependence", help="Sobol' indices with every input "
                                                    "drawn independently, although the scenario's inputs move "
                                                    "together (labelled so).")] = False,
    group: Annotated[Optional[list[str]], typer.Option("--group", help="A group of your own, reported as one factor: "
                                                       "NAME=PARAMETER,PARAMETER,... (repeatable).")] = None,
) -> None:
    """Sobol' indices per knop or parameter, with 95 % bootstrap intervals (which knob decides).

    Inputs that move together (a correlation, shares that sum to 1) are one
    group each, drawn with their dependence; --method shapley gives Shapley
    effects instead."""
    from ..execution.montecarlo import default_workers
    from ..execution.scheduling import open_evaluator
    from ..io.analysis_results import write_sobol
    from ..report.console import render_sobol
    from ..sensitivity.analyses import DEFAULT_SOBOL_OUTPUTS
    from ..sensitivity.analyses import sobol as run_sobol
    from ..sensitivity.dependence import parse_groups

    _check_options(seed=seed, n=n, workers=workers, resamples=resamples, scheduler=scheduler)
    groups = parse_groups(group or [])
    sc = _prepare(scenario, set_, distributions, out, force)
    n_workers = default_workers() if workers is None else workers
    bar = _LazyProgress("model evaluations" if method == "shapley" else "base samples")
    try:
        with open_evaluator(scheduler, n_workers) as evaluator:
            res = run_sobol(sc, n, outputs=output or list(DEFAULT_SOBOL_OUTPUTS), seed=seed,
                            second_order=second_order, group_by=group_by.value, evaluator=evaluator,
                            resamples=resamples, target_ci=target_ci,
                            n_max=n_max if n_max is not None else (max(n, 1 << 20) if target_ci else None),
                            progress=bar, inputs=inputs.value, method=method, ignore_dependence=ignore_dependence,
                            groups=groups)
    finally:
        bar.close()
    wide = res.wide_intervals()
    if wide:
        _warn([f"{len(wide)} indices have a 95 % half-width above max(10 % of the index, 0.02); "
               f"widest: {max(wide, key=lambda w: w[4])[1]} of {max(wide, key=lambda w: w[4])[2]} for "
               f"{max(wide, key=lambda w: w[4])[0]} (+/- {max(w[4] for w in wide):.3f}); increase -n"
               + ("" if method == "shapley" else " or use --target-ci")])
    if target_ci is not None and res.max_half_width() > target_ci:
        _warn([f"--target-ci {target_ci:g} not reached at n = {res.n:,} (widest half-width {res.max_half_width():.4f})"])
    ds = res.to_dataset()
    if res.dependence == "ignored":
        _warn(["--ignore-dependence: the scenario's correlations and share vectors were left out; these are Sobol' "
               "indices of independent inputs, not of the scenario's joint distribution"])
    if out is not None:
        write_sobol(res, out, scenario=sc, group_by=group_by.value, command=_command_line(ctx), force=force)
    keys = ("Sh", "Sh_conf") if method == "shapley" else ("S1", "S1_conf", "ST", "ST_conf")
    if as_json:
        obj = {"n": res.n, "seed": seed, "group_by": group_by.value, "second_order": second_order,
               "input_space": res.input_space, "input_space_text": ds.attrs.get("input_space_text", ""),
               "kinds": dict(zip(res.problem.names, res.kinds)),
               "evaluations": res.evaluations, "rounds": res.rounds, "method": method,
               "dependence": res.dependence, "dependence_text": ds.attrs.get("dependence_text", ""),
               "groups": json.loads(ds.attrs.get("group_members", "{}")), "indices": {
                   o: {name: {k: float(res.indices[o][k][i]) for k in keys}
                       for i, name in enumerate(res.problem.factor_names)} for o in res.outputs}}
        typer.echo(json.dumps(obj, indent=2))
        return
    from ..report.dependence import dependence_sentence, render_shapley

    if method == "shapley":
        out_console.print(render_shapley(res, group_by.value, lang.value))
        return
    if res.dependence in ("grouped", "ignored"):  # grouped factors in plain language
        import dataclasses

        from ..report.dependence import group_label

        labels = tuple(group_label(g, lang.value) for g in res.problem.groups or res.problem.names)
        res = dataclasses.replace(res, problem=dataclasses.replace(res.problem, groups=labels))
    out_console.print(render_sobol(res, group_by.value, lang.value))
    if dependence_sentence(ds.attrs, lang.value):
        out_console.print(dependence_sentence(ds.attrs, lang.value))


@app.command()
def morris(
    ctx: typer.Context,
    scenario: ScenarioArg,
    n: Annotated[int, typer.Option("-n", "--trajectories", help="Morris trajectories.")] = 100,
    levels: Annotated[int, typer.Option("--levels", help="Grid levels.")] = 4,
    seed: Annotated[int, typer.Option("--seed", help="Seed.")] = 0,
    output: Annotated[Optional[list[str]], typer.Option("--output", help="Output to screen (repeatable).")] = None,
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: JsonOption = False,
    lang: LangOption = Lang.nl,
    inputs: InputsOption = Inputs.all,
) -> None:
    """Morris screening: a quick first pass over all uncertain parameters."""
    from ..io.analysis_results import write_morris
    from ..report.console import render_morris
    from ..sensitivity.analyses import morris as run_morris

    _check_options(seed=seed, levels=levels)
    if n < 2:
        raise ConfigError([Problem("-n", "trajectories", n, "at least 2 trajectories")])
    sc = _prepare(scenario, set_, distributions, out, force)
    ds = run_morris(sc, n, levels=levels, outputs=output or ["ratio_social", "ratio_gemeente"], seed=seed,
                    inputs=inputs.value)
    if out is not None:
        write_morris(ds, out, scenario=sc, trajectories=n, levels=levels, seed=seed, command=_command_line(ctx),
                     force=force)
    if as_json:
        typer.echo(ds.to_dataframe().reset_index().to_json(orient="records", indent=2))
        return
    out_console.print(render_morris(ds, lang.value))


@app.command()
def tornado(
    ctx: typer.Context,
    scenario: ScenarioArg,
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: JsonOption = False,
    lang: LangOption = Lang.nl,
    inputs: InputsOption = Inputs.all,
) -> None:
    """Tornado (P10-P90 one at a time) and switch values where the ratio crosses 1."""
    from ..io.analysis_results import write_tornado
    from ..report.console import render_tornado
    from ..sensitivity.analyses import spider
    from ..sensitivity.analyses import tornado as run_tornado

    sc = _prepare(scenario, set_, distributions, out, force)
    df = run_tornado(sc, inputs=inputs.value)
    sp = spider(sc, inputs=inputs.value)
    if out is not None:
        write_tornado(df, sp, out, scenario=sc, command=_command_line(ctx), force=force)
    if as_json:
        typer.echo(df.to_json(orient="records", indent=2))
        return
    out_console.print(render_tornado(df, sc.name, lang.value))


@app.command()
def breakeven(
    ctx: typer.Context,
    scenario: ScenarioArg,
    lever: Annotated[Optional[list[str]], typer.Option("--lever", help="Lever parameter (repeatable).")] = None,
    n: Annotated[int, typer.Option("-n", "--samples", help="Samples per grid value.")] = 20_000,
    grid: Annotated[int, typer.Option("--grid", help="Grid values per lever.")] = 11,
    seed: Annotated[int, typer.Option("--seed", help="Seed.")] = 0,
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: JsonOption = False,
    lang: LangOption = Lang.nl,
) -> None:
    """Probabilistic break-even per lever and a robustness table over a grid."""
    from ..checks import memory_problems, raise_problems
    from ..io.analysis_results import write_breakeven
    from ..report.console import render_breakeven
    from ..sensitivity.analyses import DEFAULT_LEVERS
    from ..sensitivity.analyses import breakeven as run_breakeven
    from ..sensitivity.curve import MAX_GRID_VALUES

    _check_options(seed=seed)

    if n < 100 or not 2 <= grid <= MAX_GRID_VALUES:
        raise ConfigError([Problem("-n/--grid", "n, grid", (n, grid),
                                   f"at least 100 samples and 2 to {MAX_GRID_VALUES:,} grid values")])
    raise_problems(memory_problems(n, BREAKEVEN_BYTES_PER_SAMPLE, what="one grid value's model evaluation"))
    sc = _prepare(scenario, set_, distributions, out, force)
    summary, table = run_breakeven(sc, lever or list(DEFAULT_LEVERS), n=n, grid=grid, seed=seed)
    if out is not None:
        write_breakeven(summary, table, out, scenario=sc, n=n, grid=grid, seed=seed, command=_command_line(ctx),
                        force=force)
    if as_json:
        typer.echo(json.dumps({"breakeven": json.loads(summary.to_json(orient="records")),
                               "robustness": json.loads(table.to_json(orient="records"))}, indent=2))
        return
    out_console.print(render_breakeven(summary, table, n, lang.value))


@app.command()
def curve(
    ctx: typer.Context,
    scenario: ScenarioArg,
    over: Annotated[str, typer.Option("--over", help="The input swept: qaly_value, discount_rate or any parameter.")] = "qaly_value",
    values: Annotated[Optional[str], typer.Option("--values", help="Grid, comma-separated (default: 20k-100k for the QALY "
                                                  "value, 0-7 % for the discount rate, else the parameter's range).")] = None,
    n: Annotated[int, typer.Option("-n", "--samples", help="Samples per grid value (the same samples at every value).")] = 100_000,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed; a fresh one is drawn and recorded if omitted.")] = None,
    sampler: Annotated[Sampler, typer.Option("--sampler", help="Design on the unit cube.")] = Sampler.random,
    workers: WorkersOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: JsonOption = False,
    lang: LangOption = Lang.nl,
) -> None:
    """Acceptability curve: P(benefits >= costs) per actor over a grid of a valuation (common random numbers)."""
    from ..api import acceptability_curve
    from ..execution.montecarlo import default_workers
    from ..io.analysis_results import write_curve
    from ..io.atomic import check_writable
    from ..io.scenario_parse import parse_set
    from ..report.console import render_curve
    from ..sensitivity.curve import curve_json

    _check_options(seed=seed, n=n, workers=workers)
    grid = None
    if values is not None:
        try:
            grid = [float(v) for v in values.split(",") if v.strip()]
        except ValueError:
            raise ConfigError([Problem("--values", "values", values, "comma-separated numbers, e.g. 20000,50000,80000")]) from None
    if out is not None:
        check_writable(out)
        _claim(out, force)

    ds = acceptability_curve(scenario, over, grid, n=n, seed=seed, sampler=sampler.value,
                             overrides=parse_set(set_ or []), distributions=distributions,
                             workers=default_workers() if workers is None else workers, command=_command_line(ctx))
    obj = curve_json(ds)
    if out is not None:
        write_curve(ds, out, force=force)
    if as_json:
        typer.echo(json.dumps(obj, indent=2, allow_nan=False))
        return
    out_console.print(render_curve(obj, over, lang.value))
    if out is not None:
        out_console.print(f"written: {out}/curve.nc, curve.csv, manifest.json", highlight=False)
