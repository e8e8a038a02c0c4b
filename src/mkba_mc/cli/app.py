"""The ``mkba-mc`` application: the one error handler, shared options and checks.

A thin layer: parse options, call the public API, print or write, exit.
One handler (:class:`_Group`) turns every exception of a command into a
short message on stderr and an exit code; ``--debug`` shows the traceback
instead:

* :class:`~mkba_mc.errors.MkbaError` (bad input or option): exit 2, or the
  error's own ``exit_code`` (1 for :class:`~mkba_mc.errors.ResourceError`);
* :class:`OSError` (disk full, permission, read-only, not a folder): exit 1;
* ``KeyboardInterrupt``: exit 130 (typer's own handling);
* anything else: exit 1, "internal error: ... (run with --debug ...)".

Usage errors of click/typer themselves keep their exit code 2.  The
commands are in :mod:`.evaluate` (validate, point, run),
:mod:`.sensitivity` (sobol, morris, tornado, breakeven, curve) and
:mod:`.folders` (compare, batch, report).
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from typer.core import TyperGroup

from ..errors import ConfigError, MkbaError, Problem
from ..uncertainty.spaces import GROUP_BY, SAMPLERS, SENSITIVITY_SPACES

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


def stdout_closed() -> bool:
    """Whether standard output is a pipe whose reader has gone (``mkba-mc run
    ... | head``): the kernel reports an error condition on its write end."""
    import select
    import sys

    try:
        poller = select.poll()
        poller.register(sys.__stdout__.fileno(), select.POLLOUT)
        return any(ev & (select.POLLERR | select.POLLHUP) for _, ev in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll (Windows), no stdout
        return False


def quiet_broken_pipe() -> None:
    """Leave quietly, as ``click`` does, when the reader of standard output
    closed the pipe: no message (the reader asked for no more), exit code 1.
    Standard output is pointed at ``/dev/null`` first, so that flushing it at
    exit does not raise again."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
    except (AttributeError, OSError, ValueError):  # pragma: no cover - no stdout to redirect
        pass
    raise SystemExit(1)


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
            if isinstance(exc, BrokenPipeError) and stdout_closed():
                quiet_broken_pipe()
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


#: The state of one command line: ``--debug`` and the output locks it holds
#: (released when the command ends).
_state: dict[str, Any] = {"debug": False, "locks": []}


def _choices(name: str, values: tuple[str, ...]) -> Any:
    """A typer choice type whose members are the library's own names, so
    that the command line and the library cannot drift apart."""
    return Enum(name, {v: v for v in values}, type=str)


Lang = _choices("Lang", ("nl", "en"))
Sampler = _choices("Sampler", SAMPLERS)
GroupBy = _choices("GroupBy", GROUP_BY)
Inputs = _choices("Inputs", SENSITIVITY_SPACES)


InputsOption = Annotated[Inputs, typer.Option(
    "--inputs", help="Input space: all (uncertainties, levers and normative inputs over their plausible ranges), "
    "plan (the space of `run`) or uncertainties (levers and normative inputs fixed).")]


def _infinite_keys(obj: Any, prefix: str = "") -> list[str]:
    """Dotted keys of the infinite numbers in a nested dict/list of results."""
    import numpy as np

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
        from .. import __version__

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
ScenarioArg = Annotated[Path, typer.Argument(help="Scenario TOML file.")]
OutOption = Annotated[Optional[Path], typer.Option("--out", help="Folder for the results (netCDF, CSV, manifest).")]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite results in a non-empty --out folder.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the results as JSON.")]
LangOption = Annotated[Lang, typer.Option("--lang", help="Language of the table (labels and number style).")]
WorkersOption = Annotated[Optional[int], typer.Option(
    "--workers", help="Parallel workers (default: the cores of this machine, at most 8): forked "
                      "processes, or threads for a Monte Carlo run of 2^18 samples or more (compiled).")]


class _LazyProgress:
    """A rich progress bar on stderr that appears only once a run has taken
    longer than ``delay`` seconds (short runs stay quiet)."""

    def __init__(self, description: str, delay: float = 1.5):
        import time

        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

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


def _claim(out: Path, force: bool) -> None:
    """Lock ``--out`` for the rest of the command, then check it.

    A second command writing to the same folder is refused at once (an
    OutputError, exit code 2, nothing changed) instead of both deleting each
    other's files; the lock is released when the command ends, and by the
    kernel if it is killed (see :mod:`mkba_mc.io.output`).
    """
    from ..io.atomic import claim_dir

    _state["locks"].append(claim_dir(out, force))


def _release_locks() -> None:
    while _state["locks"]:
        _state["locks"].pop().release()


def _check_together(*checks: Callable[[], None]) -> None:
    """Run option checks that each raise :class:`ConfigError` and raise one
    error with all their problems (a problem of the same option and key once)."""
    problems: list[Problem] = []
    for check in checks:
        try:
            check()
        except ConfigError as exc:
            problems += [p for p in exc.problems if (p.source, p.key) not in {(q.source, q.key) for q in problems}]
    if problems:
        raise ConfigError(problems)


def _check_options(**options: Any) -> None:
    """Check the common options of a command before anything is loaded or computed.

    Keyword arguments present are checked: ``seed`` in [0, 2**64),
    ``n``/``chunk_size``/``workers`` >= 1, ``resamples``/``levels`` >= 2 and
    the form of ``scheduler``; all problems are raised together.

    Raises
    ------
    ConfigError
    """
    from ..checks import at_least, raise_problems, seed_problems
    from ..execution.scheduling import parse_scheduler

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
    from ..io.atomic import check_writable
    from ..io.scenario_build import load_scenario

    sc = load_scenario(scenario, overrides=set_ or [], distributions=distributions)
    if out is not None:
        check_writable(out)
        _claim(out, force)
    return sc
