"""``mkba-mc voi``: which research is worth funding (value of information)."""

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
    SchedulerOption,
    SetOption,
    WorkersOption,
    _check_options,
    _check_together,
    _command_line,
    _LazyProgress,
    _prepare,
    _warn,
    app,
    out_console,
)


@app.command()
def voi(
    ctx: typer.Context,
    scenario: ScenarioArg,
    n: Annotated[int, typer.Option("-n", "--samples", help="Samples of the plan's risk run (as mkba-mc run).")] = 100_000,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed; a fresh one is drawn and recorded if omitted.")] = None,
    sampler: Annotated[Sampler, typer.Option("--sampler", help="Design on the unit cube.")] = Sampler.random,
    actor: Annotated[Optional[list[str]], typer.Option("--actor", help="Perspective: society, gemeente or an actor "
                                                       "(repeatable; default all, society and gemeente first).")] = None,
    population: Annotated[float, typer.Option("--population", help="Cohorts the values are scaled by "
                                              "(municipalities x years).")] = 1.0,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Samples per model evaluation (results do not depend on it).")] = 1 << 14,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: JsonOption = False,
    lang: LangOption = Lang.nl,
) -> None:
    """Value of information: EVPI and EVPPI per parameter and knop, per actor (which research pays)."""
    from ..execution.montecarlo import default_workers, new_seed
    from ..execution.scheduling import open_evaluator
    from ..sensitivity.voi import PERSPECTIVES, check_voi
    from ..sensitivity.voi import voi as run_voi

    persp = list(actor) if actor else list(PERSPECTIVES)
    _check_together(lambda: _check_options(seed=seed, n=n, chunk_size=chunk_size, workers=workers, scheduler=scheduler),
                    lambda: check_voi(n, persp, population, chunk_size))  # every problem of the options at once
    sc = _prepare(scenario, set_, distributions, out, force)
    seed = new_seed() if seed is None else seed
    bar = _LazyProgress("samples")
    try:
        with open_evaluator(scheduler, default_workers() if workers is None else workers) as evaluator:
            res = run_voi(sc, n, seed=seed, sampler=sampler.value, perspectives=persp, population=population,
                          chunk_size=chunk_size, evaluator=evaluator, progress=bar)
    finally:
        bar.close()
    _warn(res.warnings)
    ds = res.to_dataset()
    if out is not None:
        from ..io.analysis_results import write_voi

        write_voi(ds, res.table(), out, scenario=sc, command=_command_line(ctx), force=force)
    if as_json:
        typer.echo(json.dumps(voi_json(ds), indent=2, allow_nan=False))
        return
    from ..report.section_voi import render_voi

    out_console.print(render_voi(ds, lang.value))


def voi_json(ds) -> dict:  # type: ignore[no-untyped-def]
    """The ``--json`` object: settings, EVPI per perspective and every EVPPI (NaN as null)."""
    def clean(v: float) -> float | None:
        return float(v) if v == v else None

    persp = [str(p) for p in ds["perspective"].values]
    out = {"n": int(ds.attrs["n"]), "seed": int(ds.attrs["seed"]), "sampler": ds.attrs["sampler"],
           "population": float(ds.attrs["population"]), "perspectives": {}}
    for p in persp:
        sub = ds.sel(perspective=p)
        out["perspectives"][p] = {
            "mean_net_benefit": clean(sub["mean_net_benefit"]), "evpi": clean(sub["evpi"]),
            "evpi_se": clean(sub["evpi_se"]), "evpi_population": clean(sub["evpi_population"]),
            "evppi": [{"factor": str(f), "kind": str(k), "evppi": clean(e), "evppi_se": clean(s),
                       "evppi_population": clean(e2), "r2": clean(r), "flag": str(fl)}
                      for f, k, e, s, e2, r, fl in zip(ds["factor"].values, ds["kind"].values, sub["evppi"].values,
                                                       sub["evppi_se"].values, sub["evppi_population"].values,
                                                       sub["r2"].values, sub["flag"].values)]}
    return out
