"""``mkba-mc discover``: under which input values does the conclusion flip (PRIM scenario discovery)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from .app import (
    DistOption,
    ForceOption,
    JsonOption,
    Lang,
    LangOption,
    OutOption,
    Sampler,
    ScenarioArg,
    SetOption,
    WorkersOption,
    _check_options,
    _check_together,
    _command_line,
    _prepare,
    app,
    out_console,
)


@app.command()
def discover(
    ctx: typer.Context,
    scenario: ScenarioArg,
    event: Annotated[Optional[list[str]], typer.Option("--event", help="ratio_social_lt_1 (society loses), "
                     "ratio_gemeente_lt_1 (the municipality loses) or split_incentive (repeatable; default: all three).")] = None,
    n: Annotated[int, typer.Option("-n", "--samples", help="Samples: the same as 'run' with this seed and n.")] = 100_000,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed of the run's samples (default: a fresh one, recorded).")] = None,
    sampler: Annotated[Sampler, typer.Option("--sampler", help="Design on the unit cube.")] = Sampler.random,
    sample_levers: Annotated[bool, typer.Option("--sample-levers", help="What-if: the levers over their plausible range, "
                                                "so the boxes show which lever settings keep the conclusion.")] = False,
    box: Annotated[Optional[int], typer.Option("--box", help="The box on the peeling trajectory, exactly as there (not pruned or pasted; one --event); "
                                               "default: the highest density with coverage >= --coverage-min, "
                                               "within one standard error.")] = None,
    peel_alpha: Annotated[float, typer.Option("--peel-alpha", help="Share peeled per step.")] = 0.05,
    paste_alpha: Annotated[float, typer.Option("--paste-alpha", help="Share pasted per step.")] = 0.05,
    mass_min: Annotated[float, typer.Option("--mass-min", help="Smallest share of the samples in a box.")] = 0.05,
    coverage_min: Annotated[float, typer.Option("--coverage-min", help="Smallest coverage of the default box.")] = 0.5,
    workers: WorkersOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: JsonOption = False,
    lang: LangOption = Lang.nl,
) -> None:
    """Scenario discovery (PRIM): the input values under which society or the municipality loses."""
    from ..api import discover as run_discover
    from ..io.analysis_results import write_discover
    from ..report.section_discover import discover_json, render_discover
    from ..sensitivity.discover import DEFAULT_EVENTS, check_discover

    _check_together(lambda: _check_options(seed=seed, n=n, workers=workers),  # every problem at once
                    lambda: check_discover(event or list(DEFAULT_EVENTS), n, box, peel_alpha, paste_alpha, mass_min,
                                           coverage_min))
    sc = _prepare(scenario, set_, distributions, out, force)
    from ..execution.montecarlo import new_seed

    seed = new_seed() if seed is None else seed  # recorded in discover.nc and the manifest, as run does
    ds = run_discover(sc, event, n=n, seed=seed, sampler=sampler.value, sample_levers=sample_levers, box=box,
                      peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min, coverage_min=coverage_min,
                      workers=workers)
    if out is not None:
        write_discover(ds, out, scenario=sc, command=_command_line(ctx), force=force)
    if as_json:
        typer.echo(json.dumps(discover_json(ds), indent=2))
        return
    out_console.print(render_discover(ds, lang.value), highlight=False, markup=False)
    if out is not None:
        out_console.print(f"written: {out}/discover.nc, discover.csv, trajectory.csv, manifest.json", highlight=False)
