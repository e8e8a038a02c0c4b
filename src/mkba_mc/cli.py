"""Command-line interface: ``mkba-mc``.

A thin layer: parse options, call the public API, print or write, exit.
Every :class:`~mkba_mc.errors.MkbaError` becomes a short message on stderr
and exit code 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import json
import sys
import warnings
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from . import __version__
from .diagnostics import result_warnings
from .errors import ConfigError, MkbaError
from .loading import load_scenario, validate_file
from .parameters import PARAMETERS
from .screens import point_summary, render_point

app = typer.Typer(
    name="mkba-mc",
    help="Monte Carlo uncertainty and sensitivity for the MKBA of Dutch social neighbourhood teams.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console(soft_wrap=False, width=110)
err_console = Console(stderr=True, soft_wrap=True)

_state = {"debug": False}


class Lang(str, Enum):
    nl = "nl"
    en = "en"


def _fail(exc: MkbaError) -> None:
    if _state["debug"]:
        raise exc
    if isinstance(exc, ConfigError):
        err_console.print(f"[bold red]error:[/] {len(exc.problems)} problem(s) in the input", highlight=False)
        for p in exc.problems:
            err_console.print(f"  - {p}", highlight=False, markup=False)
    else:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
    raise typer.Exit(code=2)


def _warn(messages: list[str]) -> None:
    for m in messages:
        err_console.print(f"[yellow]warning:[/] {m}", highlight=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mkba-mc {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of short error messages.")] = False,
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> None:
    _state["debug"] = debug


SetOption = Annotated[
    Optional[list[str]],
    typer.Option("--set", "-s", metavar="KEY=VALUE",
                 help="Override a parameter, e.g. --set attribution=0.4 --set escalation_rate.families=0.1."),
]
DistOption = Annotated[
    Optional[list[Path]],
    typer.Option("--distributions", "-d", help="Distribution file(s) to use instead of the shipped defaults."),
]


@app.command()
def validate(
    files: Annotated[Optional[list[Path]], typer.Argument(help="Scenario or distribution files.")] = None,
    list_parameters: Annotated[bool, typer.Option("--list", help="List every parameter name and its domain.")] = False,
) -> None:
    """Check scenario and distribution files; report every problem at once."""
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
        except MkbaError as exc:
            _fail(exc)
        else:
            out_console.print(f"ok: {f} ({kind})", highlight=False)
    if problems:
        _fail(ConfigError(problems))


@app.command()
def point(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    set_: SetOption = None,
    distributions: DistOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the screens.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels.")] = Lang.nl,
) -> None:
    """Point estimate: LPBL screens A (NCW of one year) and B (budget after 2 years)."""
    try:
        sc = load_scenario(scenario, overrides=set_ or [], distributions=distributions)
    except MkbaError as exc:
        _fail(exc)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = sc.evaluate()
    _warn(result_warnings(out, sc.structure.team_from_caseload))
    if as_json:
        typer.echo(json.dumps(point_summary(out), indent=2, allow_nan=False))
        return
    out_console.print(render_point(out, sc.name, lang.value, ramp_years=sc.structure.ramp_years,
                                   programme_years=sc.structure.programme_years))


def main() -> None:
    """Entry point of the ``mkba-mc`` console script."""
    try:
        app()
    except MkbaError as exc:  # pragma: no cover - commands handle their own
        err_console.print(f"error: {exc}")
        sys.exit(2)
