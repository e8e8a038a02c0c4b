"""Command-line interface: ``mkba-mc``.

A thin layer: parse options, call the public API, print or write, exit.
One handler (:class:`_Group`) turns every exception of a command into a
short message on stderr and an exit code; ``--debug`` shows the traceback
instead:

* :class:`~mkba_mc.errors.MkbaError` (bad input or option): exit 2, or the
  error's own ``exit_code`` (1 for :class:`~mkba_mc.errors.ResourceError`);
* :class:`OSError` (disk full, permission, read-only, not a folder): exit 1;
* ``KeyboardInterrupt``: exit 130 (typer's own handling);
* anything else: exit 1, "internal error: ... (run with --debug ...)".

Usage errors of click/typer themselves keep their exit code 2.
"""

from __future__ import annotations

import errno
import json
import sys
import warnings
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from typer.core import TyperGroup

from . import __version__
from .model.diagnostics import result_warnings
import numpy as np

from .errors import ConfigError, MkbaError, Problem
from .io.loading import load_scenario, validate_file
from .model.parameters import PARAMETERS
from .report.screens import point_summary, realisation_of, render_point

_state = {"debug": False}

#: What to do about an :class:`OSError`, by ``errno``.
_OS_ADVICE = {
    errno.ENOSPC: "free disk space or write to another folder",
    errno.EDQUOT: "free disk space (quota exceeded) or write to another folder",
    errno.EACCES: "check the permissions or write to another folder",
    errno.EPERM: "check the permissions (or an immutable flag) or write to another folder",
    errno.EROFS: "the file system is read-only: write to another folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder: choose another path",
    errno.EISDIR: "give a file, not a folder",
    errno.ENOENT: "check the path",
    errno.ENAMETOOLONG: "use a shorter path",
}


def _error_message(exc: BaseException) -> tuple[str, int]:
    """The short message and the exit code for an exception of a command."""
    if isinstance(exc, ConfigError):
        lines = [f"{len(exc.problems)} problem(s) in the input"] + [f"  - {p}" for p in exc.problems]
        return "\n".join(lines), exc.exit_code
    if isinstance(exc, MkbaError):
        return str(exc), exc.exit_code
    if isinstance(exc, OSError):
        what = exc.strerror or str(exc) or type(exc).__name__
        where = " ".join(f"{f}" for f in (exc.filename, exc.filename2) if f is not None)
        advice = _OS_ADVICE.get(exc.errno or 0, "check the path, the free space and the permissions")
        return f"{where + ': ' if where else ''}{what} ({advice})", 1
    if isinstance(exc, MemoryError):
        return "out of memory: lower -n, keep fewer outputs or use more --workers machines", 1
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"internal error: {type(exc).__name__}{': ' + text[:300] if text else ''} " \
           "(run with --debug for the traceback)", 1


def _passthrough() -> tuple[type[BaseException], ...]:
    """Exceptions the handler leaves to typer/click: --help, --version, usage
    errors (exit 2), Ctrl-C (exit 130).  Typer >= 0.24 vendors click, older
    versions use click itself: both are covered."""
    classes: list[type[BaseException]] = [typer.Exit, typer.Abort, KeyboardInterrupt]
    classes += [c for c in typer.BadParameter.__mro__ if c.__name__ in ("ClickException", "TyperException")]
    try:
        import click
    except ImportError:  # pragma: no cover - typer without click
        pass
    else:
        classes += [click.exceptions.Exit, click.exceptions.Abort, click.ClickException]
    return tuple(dict.fromkeys(classes))


_PASSTHROUGH = _passthrough()


class _Group(TyperGroup):
    """The command group of ``mkba-mc``, with the one error handler of every command."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _PASSTHROUGH:
            raise
        except Exception as exc:
            if _state["debug"]:
                raise
            from rich.text import Text

            message, code = _error_message(exc)
            err_console.print(Text.assemble(("error: ", "bold red"), message), highlight=False)
            raise typer.Exit(code=code) from None


app = typer.Typer(
    cls=_Group,
    name="mkba-mc",
    help="Monte Carlo uncertainty and sensitivity for the MKBA of Dutch social neighbourhood teams.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console(soft_wrap=False, width=130)
err_console = Console(stderr=True, soft_wrap=True)

_state: dict[str, Any] = {"debug": False, "locks": []}


class Lang(str, Enum):
    nl = "nl"
    en = "en"


def _infinite_keys(obj: Any, prefix: str = "") -> list[str]:
    """Dotted keys of the infinite numbers in a nested dict/list of results."""
    if isinstance(obj, dict):
        return [k for key, v in obj.items() for k in _infinite_keys(v, f"{prefix}.{key}" if prefix else str(key))]
    if isinstance(obj, (list, tuple)):
        return [k for i, v in enumerate(obj) for k in _infinite_keys(v, f"{prefix}[{i}]")]
    if isinstance(obj, (float, np.floating)) and np.isinf(obj):
        return [prefix]
    return []


def _check_finite(results: Any, sc: Any) -> None:
    """Refuse results that overflowed (JSON has no infinity) with a clear message.

    Raises
    ------
    ConfigError
        Naming the scenario file, the infinite outputs and the overrides used.
    """
    bad = _infinite_keys(results)
    if bad:
        given = f" (with --set {', '.join(sc.overrides)})" if sc.overrides else ""
        raise ConfigError([Problem(str(sc.path) if sc.path else sc.name, "results", ", ".join(bad[:8]) +
                                   (" ..." if len(bad) > 8 else ""),
                                   f"finite results: the inputs{given} are so large that the model overflows; "
                                   "give realistic magnitudes")])


def _warn(messages: list[str]) -> None:
    for m in messages:
        err_console.print(f"[yellow]warning:[/] {m}", highlight=False)


def _command_line(ctx: typer.Context) -> list[str]:
    """The command as typed, rebuilt from the parsed parameters (works the
    same when called from a script, a test runner or a shell)."""
    words = ["mkba-mc", *ctx.command_path.split()[1:]]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if value is None or value is False or value == param.default or value == []:
            continue
        if param.param_type_name == "argument":
            words.append(str(value))
            continue
        opt = max(param.opts, key=len)
        for v in value if isinstance(value, (list, tuple)) else [value]:
            words.extend([opt] if v is True else [opt, str(getattr(v, "value", v))])
    return words


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mkba-mc {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of short error messages.")] = False,
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> None:
    _state["debug"] = debug
    ctx.call_on_close(_release_locks)


SetOption = Annotated[
    Optional[list[str]],
    typer.Option("--set", "-s", metavar="KEY=VALUE",
                 help="Override a parameter, e.g. --set attribution=0.4 --set escalation_rate.families=0.1."),
]
SchedulerOption = Annotated[
    Optional[str],
    typer.Option("--scheduler", help="threads, processes, local-cluster:N or a Dask scheduler address (tcp://host:8786)."),
]
DistOption = Annotated[
    Optional[list[Path]],
    typer.Option("--distributions", "-d", help="Distribution file(s) to use instead of the shipped defaults."),
]


@app.command()
def validate(
    files: Annotated[Optional[list[Path]], typer.Argument(help="Scenario or distribution files.")] = None,
    list_parameters: Annotated[bool, typer.Option("--list", help="List every parameter name and its domain.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --list: every parameter's kind, value, distributions, "
                                          "mean, P5, P95 and evidence as JSON (a scenario's overrides applied).")] = False,
    distributions: DistOption = None,
) -> None:
    """Check scenario and distribution files; report every problem at once."""
    from .io.inputs import centring_warnings, parameter_listing

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
            out_console.print(f"[{spec.section}] {name}: {spec.domain.describe()} {spec.unit}{req}", highlight=False, markup=False)
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
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the screens.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels.")] = Lang.nl,
) -> None:
    """Point estimate: LPBL screens A (NCW of one year) and B (budget after 2 years)."""
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


class Sampler(str, Enum):
    random = "random"
    lhs = "lhs"
    sobol = "sobol"


class _LazyProgress:
    """A rich progress bar on stderr that appears only once a run has taken
    longer than ``delay`` seconds (short runs stay quiet)."""

    def __init__(self, description: str, delay: float = 1.5):
        import time

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._time = time.perf_counter
        self._t0 = self._time()
        self._delay = delay
        self._done = 0
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeRemainingColumn(), console=err_console, transient=True)
        self._task = self._progress.add_task(description, total=None)
        self._started = False

    def __call__(self, step: int, total: int) -> None:
        self._done += step
        if not self._started and self._time() - self._t0 > self._delay and err_console.is_terminal:
            self._progress.start()
            self._started = True
        self._progress.update(self._task, completed=self._done, total=total)

    def close(self) -> None:
        if self._started:
            self._progress.stop()


RUN_LABELS = {
    "nl": {"title": "Monte Carlo: {name} (n = {n:,}, seed {seed}, {sampler})", "output": "uitkomst",
           "mean": "gemiddelde", "prob": "kans", "se": "st.fout", "event": "gebeurtenis",
           "ratio_social_ge_1": "P(maatschappelijke K-B-verhouding >= 1)",
           "ratio_financial_ge_1": "P(financiële K-B-verhouding >= 1)",
           "ratio_gemeente_ge_1": "P(gemeentelijke K-B-verhouding >= 1)",
           "balance_ge_0": "P(saldo >= 0)", "balance_gemeente_ge_0": "P(saldo gemeente >= 0)",
           "split_incentive": "P(maatschappij wint, gemeente verliest)", "actor": "P(saldo {actor} >= 0)",
           "point": "puntschatting", "pct": "percentiel punt", "space": "invoerruimte"},
    "en": {"title": "Monte Carlo: {name} (n = {n:,}, seed {seed}, {sampler})", "output": "output",
           "mean": "mean", "prob": "probability", "se": "std.err", "event": "event",
           "ratio_social_ge_1": "P(social cost-benefit ratio >= 1)",
           "ratio_financial_ge_1": "P(financial cost-benefit ratio >= 1)",
           "ratio_gemeente_ge_1": "P(municipal cost-benefit ratio >= 1)",
           "balance_ge_0": "P(balance >= 0)", "balance_gemeente_ge_0": "P(municipal balance >= 0)",
           "split_incentive": "P(society gains, municipality loses)", "actor": "P(balance {actor} >= 0)",
           "point": "point", "pct": "point pct", "space": "input space"},
}


def _render_run(result: Any, lang: str) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from .io.loading import INPUT_SPACES
    from .io.results import point_percentiles

    L = RUN_LABELS[lang]
    df = result.summary()
    points = point_percentiles(result)
    title = Text(L["title"].format(name=result.scenario.name, n=result.n, seed=result.plan.seed,
                                   sampler=result.plan.sampler), style="bold")
    space = Text(f"{L['space']}: {INPUT_SPACES.get(result.scenario.space, result.scenario.space)}")
    t = Table(header_style="bold")
    t.add_column(L["output"])
    for col in (L["point"], L["pct"], "P50", L["mean"], "P5", "P95"):
        t.add_column(col, justify="right")
    for key in ("ratio_social", "ratio_financial", "ratio_gemeente", "balance", "balance_gemeente",
                "cost_total", "benefit_total", "payback_year", "prefinancing"):
        if key in df.index:
            row = df.loc[key]
            fmt = "{:,.2f}" if key.startswith("ratio") or key == "payback_year" else "{:,.0f}"
            pt, pct = points.get(key, (float("nan"), float("nan")))
            t.add_row(key, fmt.format(pt) if pt == pt else "–", f"{pct:.0f}" if pct == pct else "–",
                      *(fmt.format(row[c]) if row[c] == row[c] else "–" for c in ("p50", "mean", "p5", "p95")))
    p = Table(header_style="bold")
    p.add_column(L["event"])
    p.add_column(L["prob"], justify="right")
    p.add_column(L["se"], justify="right")
    for key, v in result.probabilities().items():
        label = L["actor"].format(actor=key.split(".", 1)[1]) if key.startswith("actor_balance_ge_0.") else L.get(key, key)
        p.add_row(label, f"{v['p']:.3f}", f"{v['se']:.4f}")
    return Group(title, space, t, p)


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
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    n: Annotated[int, typer.Option("-n", "--samples", help="Number of samples (maximum with --target-se).")] = 100_000,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed; a fresh one is drawn and recorded if omitted.")] = None,
    sampler: Annotated[Sampler, typer.Option("--sampler", help="Design on the unit cube.")] = Sampler.random,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Samples per model evaluation.")] = 1 << 16,
    workers: Annotated[Optional[int], typer.Option("--workers", help="Worker threads (default: all cores).")] = None,
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
    from .checks import memory_problems, raise_problems, run_bytes_per_sample
    from .execution.montecarlo import ALL_KEPT_OUTPUTS, DEFAULT_OUTPUTS, PROGRAMME_KEPT, default_workers
    from .execution.montecarlo import run as mc_run
    from .io.results import summary_json, write_run
    from .execution.scheduling import local_backend, scheduler_mapper

    _check_options(seed=seed, n=n, chunk_size=chunk_size, workers=workers, scheduler=scheduler)
    sc = _prepare(scenario, set_, distributions, out, force)
    if sample_levers:
        sc = sc.in_space("levers")
    kept = _kept(outputs, programme, all_outputs, DEFAULT_OUTPUTS, PROGRAMME_KEPT, ALL_KEPT_OUTPUTS)
    n_workers = default_workers() if workers is None else workers
    raise_problems(memory_problems(n, run_bytes_per_sample(sc, kept, keep_inputs, n_workers),
                                   what="the kept outputs" + (" and inputs" if keep_inputs else ""),
                                   advice="lower -n or keep fewer outputs"))
    bar = _LazyProgress("samples")
    try:
        with scheduler_mapper(scheduler) as map_tasks:
            result = mc_run(sc, n, seed=seed, sampler=sampler.value, chunk_size=chunk_size,
                            workers=n_workers, backend=local_backend(scheduler), outputs=kept,
                            keep_inputs=keep_inputs, target_se=target_se, progress=bar, map_tasks=map_tasks)
    finally:
        bar.close()
    _warn(result.warnings + result_warnings(result.outputs, sc.structure.team_from_caseload))
    summary = summary_json(result) if as_json else None
    if summary is not None:
        _check_finite(summary, sc)
    if out is not None:
        write_run(result, out, force=force, command=_command_line(ctx))
    if summary is not None:
        typer.echo(json.dumps(summary, indent=2, allow_nan=False))
    else:
        out_console.print(_render_run(result, lang.value))
        if result.convergence is not None:
            c = result.convergence
            state = "reached" if c["reached"] else "NOT reached"
            out_console.print(f"target standard error {c['target_se']:g} {state}: n = {c['n']:,}, se = {c['se']:.4g}",
                              highlight=False)
        if out is not None:
            out_console.print(f"written: {out}/samples.nc, summary.csv, summary.xlsx, manifest.json", highlight=False)


class GroupBy(str, Enum):
    knop = "knop"
    parameter = "parameter"


class Inputs(str, Enum):
    all = "all"
    plan = "plan"
    uncertainties = "uncertainties"


InputsOption = Annotated[Inputs, typer.Option(
    "--inputs", help="Input space: all (uncertainties, levers and normative inputs over their plausible ranges), "
    "plan (the space of `run`) or uncertainties (levers and normative inputs fixed).")]


def _space_line(space: str) -> str:
    from .io.loading import INPUT_SPACES

    return f"input space ({space}): {INPUT_SPACES.get(space, space)}"


def _analysis_manifest(ctx: typer.Context, sc: Any, **settings: Any) -> dict[str, Any]:
    from .io.results import versions

    return {"command": _command_line(ctx), "scenario": sc.name, "scenario_file": str(sc.path.resolve()) if sc.path else None,
            "overrides": list(sc.overrides), "input_hashes": sc.input_hashes(), "versions": versions(), **settings}


def _claim(out: Path, force: bool) -> None:
    """Lock ``--out`` for the rest of the command, then check it.

    A second command writing to the same folder is refused at once (an
    OutputError, exit code 2, nothing changed) instead of both deleting each
    other's files; the lock is released when the command ends, and by the
    kernel if it is killed (see :mod:`mkba_mc.io.output`).
    """
    from .io.output import claim_dir

    _state["locks"].append(claim_dir(out, force))


def _release_locks() -> None:
    while _state["locks"]:
        _state["locks"].pop().release()


def _check_options(**options: Any) -> None:
    """Check the common options of a command before anything is loaded or computed.

    Keyword arguments present are checked: ``seed`` in [0, 2**64),
    ``n``/``chunk_size``/``workers`` >= 1, ``resamples``/``levels`` >= 2 and
    the form of ``scheduler``; all problems are raised together.

    Raises
    ------
    ConfigError
    """
    from .checks import at_least, raise_problems, seed_problems
    from .execution.scheduling import parse_scheduler

    problems = []
    if "seed" in options:
        problems += seed_problems(options["seed"])
    limits = {"n": ("-n", 1, "samples"), "chunk_size": ("--chunk-size", 1, "samples per model evaluation"),
              "workers": ("--workers", 1, "parallel workers"), "resamples": ("--resamples", 2, "bootstrap replicates"),
              "levels": ("--levels", 2, "grid levels of the Morris design"),
              "sobol_n": ("--sobol-n", 2, "Sobol' base samples")}
    for key, (option, minimum, what) in limits.items():
        if key in options:
            problems += at_least(options[key], minimum, option, key, what)
    if options.get("scheduler") is not None:
        try:
            parse_scheduler(options["scheduler"])
        except ConfigError as exc:
            problems += exc.problems
    raise_problems(problems)


def _prepare(scenario: Path, set_: Optional[list[str]], distributions: Optional[list[Path]], out: Optional[Path],
             force: bool) -> Any:
    """Load the scenario, then check that ``out`` may receive results (before computing)."""
    from .io.output import check_writable

    sc = load_scenario(scenario, overrides=set_ or [], distributions=distributions)
    if out is not None:
        check_writable(out)
        _claim(out, force)
    return sc


OutOption = Annotated[Optional[Path], typer.Option("--out", help="Folder for the results (netCDF, CSV, manifest).")]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite results in a non-empty --out folder.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the results as JSON.")]
#: Memory of one breakeven grid value per sample: an upper bound (tracemalloc
#: measures about 1.2 kB per sample for one model evaluation of the shipped
#: scenarios; the rest is room for the sampled inputs and the tables).
BREAKEVEN_BYTES_PER_SAMPLE = 8 * 1024


@app.command()
def sobol(
    ctx: typer.Context,
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    n: Annotated[int, typer.Option("-n", "--samples", help="Base samples, a power of 2.")] = 1 << 12,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Sobol' design and the bootstrap.")] = 0,
    second_order: Annotated[bool, typer.Option("--second-order", help="Also second-order indices.")] = False,
    group_by: Annotated[GroupBy, typer.Option("--group-by", help="Indices per knop or per parameter.")] = GroupBy.knop,
    output: Annotated[Optional[list[str]], typer.Option("--output", help="Output to analyse (repeatable).")] = None,
    target_ci: Annotated[Optional[float], typer.Option("--target-ci", help="Double n until every 95 % half-width is below this.")] = None,
    n_max: Annotated[Optional[int], typer.Option("--n-max", help="Largest n for --target-ci (power of 2).")] = None,
    resamples: Annotated[int, typer.Option("--resamples", help="Bootstrap replicates.")] = 100,
    workers: Annotated[Optional[int], typer.Option("--workers", help="Worker processes (default: all cores).")] = None,
    scheduler: SchedulerOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: JsonOption = False,
    inputs: InputsOption = Inputs.all,
) -> None:
    """Sobol' indices per knop or parameter, with 95 % bootstrap intervals (which knob decides)."""
    from .execution.montecarlo import default_workers
    from .io.output import write_bundle, write_netcdf
    from .sensitivity.analyses import DEFAULT_SOBOL_OUTPUTS
    from .sensitivity.analyses import sobol as run_sobol

    from .execution.scheduling import scheduler_mapper

    _check_options(seed=seed, n=n, workers=workers, resamples=resamples, scheduler=scheduler)
    sc = _prepare(scenario, set_, distributions, out, force)
    n_workers = default_workers() if workers is None else workers
    bar = _LazyProgress("base samples")
    try:
        with scheduler_mapper(scheduler if scheduler not in (None, "processes") else None,
                              threads=n_workers) as map_tasks:
            res = run_sobol(sc, n, outputs=output or list(DEFAULT_SOBOL_OUTPUTS), seed=seed,
                            second_order=second_order, group_by=group_by.value,
                            workers=n_workers, resamples=resamples, target_ci=target_ci,
                            n_max=n_max if n_max is not None else (max(n, 1 << 20) if target_ci else None),
                            progress=bar, map_tasks=map_tasks, inputs=inputs.value)
    finally:
        bar.close()
    wide = res.wide_intervals()
    if wide:
        _warn([f"{len(wide)} indices have a 95 % half-width above max(10 % of the index, 0.02); "
               f"widest: {max(wide, key=lambda w: w[4])[1]} of {max(wide, key=lambda w: w[4])[2]} for "
               f"{max(wide, key=lambda w: w[4])[0]} (+/- {max(w[4] for w in wide):.3f}); increase -n or use --target-ci"])
    if target_ci is not None and res.max_half_width() > target_ci:
        _warn([f"--target-ci {target_ci:g} not reached at n = {res.n:,} (widest half-width {res.max_half_width():.4f})"])
    ds = res.to_dataset()
    table = ds.to_dataframe().reset_index()
    if out is not None:
        write_bundle(out, {"sobol.nc": lambda p: write_netcdf(ds, p),
                           "sobol.csv": lambda p: table.to_csv(p, index=False)},
                     _analysis_manifest(ctx, sc, analysis="sobol", n=res.n, seed=seed, second_order=second_order,
                                        group_by=group_by.value, resamples=resamples, evaluations=res.evaluations,
                                        rounds=res.rounds, elapsed_seconds=round(res.elapsed, 3),
                                        input_space=res.input_space,
                                        input_space_text=ds.attrs.get("input_space_text", ""),
                                        parameters={nm: {"knop": sc.info[nm].knop, "kind": k} for nm, k in
                                                    zip(res.problem.names, res.kinds)}), force=force)
    if as_json:
        obj = {"n": res.n, "seed": seed, "group_by": group_by.value, "second_order": second_order,
               "input_space": res.input_space, "input_space_text": ds.attrs.get("input_space_text", ""),
               "kinds": dict(zip(res.problem.names, res.kinds)),
               "evaluations": res.evaluations, "rounds": res.rounds, "indices": {
                   o: {name: {k: float(res.indices[o][k][i]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
                       for i, name in enumerate(res.problem.factor_names)} for o in res.outputs}}
        typer.echo(json.dumps(obj, indent=2))
        return
    from rich.table import Table

    out_console.print(_space_line(res.input_space), highlight=False)
    for o in res.outputs:
        ix = res.indices[o]
        t = Table(title=f"Sobol' {o} (n = {res.n:,}, {res.evaluations:,} evaluations)", title_justify="left",
                  header_style="bold")
        for col in (group_by.value, "S1", "±", "ST", "±"):
            t.add_column(col, justify="left" if col == group_by.value else "right")
        for i in np.argsort(-ix["ST"]):
            t.add_row(res.problem.factor_names[i], f"{ix['S1'][i]:.3f}", f"{ix['S1_conf'][i]:.3f}",
                      f"{ix['ST'][i]:.3f}", f"{ix['ST_conf'][i]:.3f}")
        out_console.print(t)


@app.command()
def morris(
    ctx: typer.Context,
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    n: Annotated[int, typer.Option("-n", "--trajectories", help="Morris trajectories.")] = 100,
    levels: Annotated[int, typer.Option("--levels", help="Grid levels.")] = 4,
    seed: Annotated[int, typer.Option("--seed", help="Seed.")] = 0,
    output: Annotated[Optional[list[str]], typer.Option("--output", help="Output to screen (repeatable).")] = None,
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: JsonOption = False,
    inputs: InputsOption = Inputs.all,
) -> None:
    """Morris screening: a quick first pass over all uncertain parameters."""
    from .io.output import write_bundle, write_netcdf
    from .sensitivity.analyses import morris as run_morris

    _check_options(seed=seed, levels=levels)
    if n < 2:
        raise ConfigError([Problem("-n", "trajectories", n, "at least 2 trajectories")])
    sc = _prepare(scenario, set_, distributions, out, force)
    ds = run_morris(sc, n, levels=levels, outputs=output or ["ratio_social", "ratio_gemeente"], seed=seed,
                    inputs=inputs.value)
    table = ds.to_dataframe().reset_index()
    if out is not None:
        write_bundle(out, {"morris.nc": lambda p: write_netcdf(ds, p),
                           "morris.csv": lambda p: table.to_csv(p, index=False)},
                     _analysis_manifest(ctx, sc, analysis="morris", trajectories=n, levels=levels, seed=seed,
                                        input_space=ds.attrs["input_space"],
                                        input_space_text=ds.attrs["input_space_text"]),
                     force=force)
    if as_json:
        typer.echo(table.to_json(orient="records", indent=2))
        return
    from rich.table import Table

    out_console.print(_space_line(ds.attrs["input_space"]), highlight=False)
    for o in ds["output"].values:
        sub = ds.sel(output=o)
        t = Table(title=f"Morris {o} ({ds.attrs['evaluations']:,} evaluations)", title_justify="left", header_style="bold")
        for col in ("parameter", "knop", "mu*", "±", "sigma"):
            t.add_column(col, justify="left" if col in ("parameter", "knop") else "right")
        for i in np.argsort(-sub["mu_star"].values):
            t.add_row(str(sub["parameter"].values[i]), str(sub["knop"].values[i]), f"{sub['mu_star'].values[i]:.4g}",
                      f"{sub['mu_star_conf'].values[i]:.2g}", f"{sub['sigma'].values[i]:.4g}")
        out_console.print(t)


@app.command()
def tornado(
    ctx: typer.Context,
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: JsonOption = False,
    inputs: InputsOption = Inputs.all,
) -> None:
    """Tornado (P10-P90 one at a time) and switch values where the ratio crosses 1."""
    from .io.output import write_bundle, write_netcdf
    from .sensitivity.analyses import spider, tornado as run_tornado

    sc = _prepare(scenario, set_, distributions, out, force)
    df = run_tornado(sc, inputs=inputs.value)
    sp = spider(sc, inputs=inputs.value)
    if out is not None:
        write_bundle(out, {"tornado.csv": lambda p: df.to_csv(p, index=False),
                           "tornado.nc": lambda p: write_netcdf(df.set_index("parameter").to_xarray(), p),
                           "spider.csv": lambda p: sp.to_csv(p)},
                     _analysis_manifest(ctx, sc, analysis="tornado", quantiles=[0.1, 0.9],
                                        input_space=df.attrs["input_space"]), force=force)
    if as_json:
        typer.echo(df.to_json(orient="records", indent=2))
        return
    from rich.table import Table

    out_console.print(_space_line(df.attrs["input_space"]), highlight=False)
    t = Table(title=f"Tornado: {sc.name} (P10 - P90, others at point values)", title_justify="left", header_style="bold")
    for col in ("parameter", "P10", "P90", "ratio_social", "swing", "switch", "ratio_gemeente", "swing", "switch"):
        t.add_column(col, justify="left" if col == "parameter" else "right", no_wrap=True)

    def sw(v: Any) -> str:
        return "–" if v is None or v != v else f"{v:.4g}"

    for _, r in df.iterrows():
        t.add_row(r["parameter"], f"{r['low']:.4g}", f"{r['high']:.4g}",
                  f"{r['ratio_social_at_low']:.2f}–{r['ratio_social_at_high']:.2f}", f"{r['ratio_social_swing']:.3f}",
                  sw(r["ratio_social_switch"]),
                  f"{r['ratio_gemeente_at_low']:.2f}–{r['ratio_gemeente_at_high']:.2f}",
                  f"{r['ratio_gemeente_swing']:.3f}", sw(r["ratio_gemeente_switch"]))
    out_console.print(t)
    out_console.print("switch: value where the ratio crosses 1 with the others at their point values "
                      "(– = no switch within the range)", highlight=False)


@app.command()
def breakeven(
    ctx: typer.Context,
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    lever: Annotated[Optional[list[str]], typer.Option("--lever", help="Lever parameter (repeatable).")] = None,
    n: Annotated[int, typer.Option("-n", "--samples", help="Samples per grid value.")] = 20_000,
    grid: Annotated[int, typer.Option("--grid", help="Grid values per lever.")] = 11,
    seed: Annotated[int, typer.Option("--seed", help="Seed.")] = 0,
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: JsonOption = False,
) -> None:
    """Probabilistic break-even per lever and a robustness table over a grid."""
    from .io.output import write_bundle, write_netcdf
    from .sensitivity.analyses import DEFAULT_LEVERS
    from .sensitivity.analyses import breakeven as run_breakeven

    from .checks import memory_problems, raise_problems

    _check_options(seed=seed)
    from .sensitivity.curve import MAX_GRID_VALUES

    if n < 100 or not 2 <= grid <= MAX_GRID_VALUES:
        raise ConfigError([Problem("-n/--grid", "n, grid", (n, grid),
                                   f"at least 100 samples and 2 to {MAX_GRID_VALUES:,} grid values")])
    raise_problems(memory_problems(n, BREAKEVEN_BYTES_PER_SAMPLE, what="one grid value's model evaluation"))
    sc = _prepare(scenario, set_, distributions, out, force)
    summary, table = run_breakeven(sc, lever or list(DEFAULT_LEVERS), n=n, grid=grid, seed=seed)
    if out is not None:
        write_bundle(out, {"breakeven.csv": lambda p: summary.to_csv(p, index=False),
                           "robustness.csv": lambda p: table.to_csv(p, index=False),
                           "robustness.nc": lambda p: write_netcdf(table.set_index(["lever", "value"]).to_xarray(), p)},
                     _analysis_manifest(ctx, sc, analysis="breakeven", n=n, grid=grid, seed=seed,
                                        levers=list(summary["lever"])), force=force)
    if as_json:
        typer.echo(json.dumps({"breakeven": json.loads(summary.to_json(orient="records")),
                               "robustness": json.loads(table.to_json(orient="records"))}, indent=2))
        return
    from rich.table import Table

    t = Table(title=f"Break-even: P(ratio_social >= 1) = 50 % ({n:,} samples per value)", title_justify="left",
              header_style="bold")
    for col in ("lever", "range", "point", "P at point", "break-even"):
        t.add_column(col, justify="left" if col == "lever" else "right")
    for _, r in summary.iterrows():
        be = "none in range" if r["breakeven"] is None or r["breakeven"] != r["breakeven"] else f"{r['breakeven']:.4g}"
        t.add_row(r["lever"], f"{r['low']:.4g} – {r['high']:.4g}", f"{r['point']:.4g}", f"{r['p_at_point']:.3f}", be)
    out_console.print(t)
    rt = Table(title="Robustness: P(ratio >= 1) over the grid", title_justify="left", header_style="bold")
    for col in ("lever", "value", "P(social >= 1)", "P(gemeente >= 1)"):
        rt.add_column(col, justify="left" if col == "lever" else "right")
    for _, r in table.iterrows():
        rt.add_row(r["lever"], f"{r['value']:.4g}", f"{r['p_ratio_social_ge_1']:.3f}", f"{r['p_ratio_gemeente_ge_1']:.3f}")
    out_console.print(rt)


@app.command()
def curve(
    ctx: typer.Context,
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    over: Annotated[str, typer.Option("--over", help="The input swept: qaly_value, discount_rate or any parameter.")] = "qaly_value",
    values: Annotated[Optional[str], typer.Option("--values", help="Grid, comma-separated (default: 20k-100k for the QALY "
                                                  "value, 0-7 % for the discount rate, else the parameter's range).")] = None,
    n: Annotated[int, typer.Option("-n", "--samples", help="Samples per grid value (the same samples at every value).")] = 100_000,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed; a fresh one is drawn and recorded if omitted.")] = None,
    sampler: Annotated[Sampler, typer.Option("--sampler", help="Design on the unit cube.")] = Sampler.random,
    workers: Annotated[Optional[int], typer.Option("--workers", help="Worker threads (default: all cores).")] = None,
    out: OutOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: JsonOption = False,
) -> None:
    """Acceptability curve: P(benefits >= costs) per actor over a grid of a valuation (common random numbers)."""
    from .sensitivity.curve import acceptability_curve, curve_json
    from .execution.montecarlo import default_workers
    from .io.output import check_writable, write_bundle, write_netcdf

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
    from .io.loading import parse_set

    ds = acceptability_curve(scenario, over, grid, n=n, seed=seed, sampler=sampler.value,
                             overrides=parse_set(set_ or []), distributions=distributions,
                             workers=default_workers() if workers is None else workers, command=_command_line(ctx))
    obj = curve_json(ds)
    if out is not None:
        table = ds.to_dataframe().reset_index()
        manifest = {k: (json.loads(v) if k in ("switch_values", "input_hashes", "versions", "sampled_from",
                                               "sampled_parameters", "fixed_normative", "overrides",
                                               "command") and isinstance(v, str) else v)
                    for k, v in ds.attrs.items()}
        manifest["values"] = obj["values"]
        write_bundle(out, {"curve.nc": lambda p: write_netcdf(ds, p),
                           "curve.csv": lambda p: table.to_csv(p, index=False)}, manifest, force=force)
    if as_json:
        typer.echo(json.dumps(obj, indent=2, allow_nan=False))
        return
    from rich.table import Table

    out_console.print(_space_line(obj["input_space"]), highlight=False)
    events = [e for e in ("ratio_social_ge_1", "ratio_gemeente_ge_1", "balance_ge_0", "balance_gemeente_ge_0")
              if e in obj["probabilities"]]
    t = Table(title=f"Acceptability curve over {over} (n = {obj['n']:,}, seed {obj['seed']}, {obj['sampler']})",
              title_justify="left", header_style="bold")
    for col in (over, *events, "median ratio_social", "median ratio_gemeente"):
        t.add_column(col, justify="right")
    for i, v in enumerate(obj["values"]):
        t.add_row(f"{v:,.6g}", *(f"{obj['probabilities'][e][i]:.3f}" for e in events),
                  f"{obj['median']['ratio_social'][i]:.2f}", f"{obj['median']['ratio_gemeente'][i]:.2f}")
    out_console.print(t)
    for e in events:
        sw = obj["switch_values"][e]
        out_console.print(f"{e}: crosses 50 % at {sw['0.5'] if sw['0.5'] is not None else '–'}, "
                          f"80 % at {sw['0.8'] if sw['0.8'] is not None else '–'}", highlight=False)
    if out is not None:
        out_console.print(f"written: {out}/curve.nc, curve.csv, manifest.json", highlight=False)


@app.command()
def compare(
    folders: Annotated[list[Path], typer.Argument(help="Result folders of `run` (or `batch` scenario folders).")],
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for comparison.csv/.xlsx/.png.")] = None,
    force: ForceOption = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels.")] = Lang.nl,
    as_json: JsonOption = False,
) -> None:
    """Several scenarios side by side: ratio ranges and P(gain) per actor."""
    from .report.compare import comparison_table, write_comparison
    from .io.output import check_writable

    if out is not None:
        check_writable(out)
        _claim(out, force)
    table = comparison_table(folders)
    if out is not None:
        write_comparison(table, out, force=force, lang=lang.value)
    if as_json:
        typer.echo(table.to_json(orient="records", indent=2))
        return
    from rich.table import Table

    t = Table(title="Vergelijking" if lang == Lang.nl else "Comparison", title_justify="left", header_style="bold")
    cols = ["scenario", "ratio_social_p50", "P(ratio_social >= 1)", "ratio_gemeente_p50", "P(ratio_gemeente >= 1)",
            "P(split incentive)", "payback_year_p50"]
    for c in cols:
        t.add_column(c, justify="left" if c == "scenario" else "right")
    for _, r in table.iterrows():
        t.add_row(*(str(r[c]) if c == "scenario" else ("–" if c not in r or r[c] != r[c] else f"{r[c]:.3g}")
                    for c in cols))
    out_console.print(t)


def _batch_memory_check(scenarios: list[Path], n: int, workers: int) -> None:
    """Refuse a batch whose Monte Carlo step (every output kept) cannot fit in
    memory for the largest of the scenarios that load (the others fail in the batch)."""
    from .checks import memory_problems, raise_problems, run_bytes_per_sample
    from .execution.montecarlo import ALL_KEPT_OUTPUTS

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


@app.command()
def batch(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files.")],
    out: Annotated[Path, typer.Option("--out", help="Batch folder (resumed when it exists).")],
    n: Annotated[int, typer.Option("-n", "--samples", help="Monte Carlo samples per scenario.")] = 100_000,
    sobol_n: Annotated[int, typer.Option("--sobol-n", help="Sobol' base samples per scenario (power of 2).")] = 4096,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every analysis.")] = 2014,
    sampler: Annotated[Sampler, typer.Option("--sampler", help="Monte Carlo design.")] = Sampler.random,
    workers: Annotated[Optional[int], typer.Option("--workers", help="Worker processes (default: all cores).")] = None,
    skip: Annotated[Optional[list[str]], typer.Option("--skip", help="Step to leave out: sobol, tornado, curve, report (repeatable).")] = None,
    scheduler: SchedulerOption = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the reports.")] = Lang.nl,
    force: ForceOption = False,
) -> None:
    """Point, Monte Carlo, Sobol', tornado, QALY acceptability curve and report per scenario, then a comparison.

    Resumable: finished scenarios whose inputs did not change are skipped.
    The exit code is the number of scenarios that failed (0: all succeeded).
    """
    from .batch import SKIPPABLE, STEPS, BatchOptions, run_batch
    from .execution.montecarlo import default_workers

    from .io.output import check_writable

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
            progress.update(sample_task, completed=0, description=f"{name}: samples")
        elif event in ("done", "skip", "fail"):
            progress.advance(scen_task)
        if event == "fail":
            err_console.print(f"[bold red]failed:[/] {name}", highlight=False)
            for line in str(detail).splitlines():
                err_console.print(f"  - {line}", highlight=False, markup=False)
        elif event == "skip":
            err_console.print(f"skipped: {name} ({detail})", highlight=False)

    from .execution.scheduling import scheduler_mapper

    with progress, scheduler_mapper(scheduler if scheduler not in ("threads", "processes") else None) as m:
        result = run_batch(scenarios, out, options, workers=default_workers() if workers is None else workers,
                           force=force, map_tasks=m, on_event=on_event,
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
) -> None:
    """Self-contained HTML report (report.html) with the figures as PNG files."""
    from .report.document import build_report

    path = build_report(folder, lang=lang.value)
    out_console.print(f"written: {path}", highlight=False)


def main() -> None:
    """Entry point of the ``mkba-mc`` console script.

    The commands' errors are handled by :class:`_Group`; this only catches
    what escapes it outside a command (``--debug`` lets everything through).
    """
    try:
        app()
    except Exception as exc:  # pragma: no cover - the group handles the commands' errors
        if _state["debug"]:
            raise
        message, code = _error_message(exc)
        err_console.print(f"error: {message}", highlight=False, markup=False)
        sys.exit(code)
