"""Batch runs over many scenarios: resumable, crash-safe, one folder each.

Layout of ``OUT``::

    OUT/batch.json                   what the batch is (scenarios, options)
    OUT/<scenario>/point.json        point estimate (screens A and B as JSON)
    OUT/<scenario>/run/              Monte Carlo (samples.nc, summary.csv/.xlsx, manifest.json)
    OUT/<scenario>/sobol/            Sobol' indices per knop (sobol.nc, sobol.csv, manifest.json)
    OUT/<scenario>/tornado/          tornado and switch values (tornado.csv/.nc, spider.csv, manifest.json)
    OUT/<scenario>/curve/            acceptability curve over the QALY value (curve.nc, curve.csv, manifest.json)
    OUT/<scenario>/breakeven/        break-even of the levers (breakeven.csv, robustness.csv/.nc, manifest.json)
    OUT/<scenario>/voi/              value of information (voi.nc, voi.csv, manifest.json)
    OUT/<scenario>/discover/         scenario discovery, PRIM (discover.nc/.csv, trajectory.csv, manifest.json)
    OUT/<scenario>/report.html       the report, figures in OUT/<scenario>/figures/
    OUT/<scenario>/done.json         written last: the scenario is complete
    OUT/comparison/                  all completed scenarios side by side

What is atomic (see :mod:`mkba_mc.io.atomic`): each *step folder* (``run/``,
``sobol/``, ``tornado/``, ``curve/``, ``breakeven/``, ``voi/``, ``discover/``, ``comparison/``) is written all-or-nothing in a
staging folder and renamed into place, and every single file
(``batch.json``, ``point.json``, ``report.html``, the figures, ``done.json``)
is renamed into place complete.  The batch folder as a whole and each
scenario folder are *not* swapped in one step -- a batch is resumable
instead: a scenario folder is complete exactly when its ``done.json``
exists (written last, listing the SHA-256 of every file), so a batch
killed at any moment -- even with SIGKILL -- leaves complete steps, and a
rerun skips every scenario whose ``done.json`` carries the same input key
(SHA-256 of the scenario file, its distribution files, the options and the
mkba_mc version), and within an unfinished scenario every step whose
manifest carries that key; stale temporaries of any command are removed.

The batch holds the lock of ``OUT`` (and of the scenario folder it works on)
for its whole run, so a second batch into the same folder is refused.

Failures are isolated: any error of one scenario -- invalid or unreadable
input, a full disk, an unexpected exception -- is reported as its name and a
one-line reason, and the batch goes on; the comparison holds the scenarios
that succeeded.  Folder names come from the file names (:func:`folder_names`):
never empty, hidden, ``.``/``..`` or ``comparison``, and unique.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, MkbaError, OutputError
from .io.atomic import write_json_atomic
from .io.hashing import sha256
from .io.locks import hold_lock, remove_stale

if TYPE_CHECKING:
    from .execution.evaluators import Evaluator

STEPS = ("point", "run", "sobol", "tornado", "curve", "breakeven", "voi", "discover", "report")
#: Steps ``--skip`` may leave out.
SKIPPABLE = ("sobol", "tornado", "curve", "breakeven", "voi", "discover", "report")
MARKER = "batch.json"
#: The curve step sweeps this input over its default grid (:data:`mkba_mc.sensitivity.curve.DEFAULT_GRIDS`) ...
CURVE_OVER = "qaly_value"
#: ... with the run's n capped at this many samples per grid value (and the run's seed and sampler).
CURVE_MAX_N = 20_000
#: The break-even step takes the levers with a range (:data:`mkba_mc.sensitivity.problem.DEFAULT_LEVERS`,
#: as ``mkba-mc breakeven`` does by default) over this many grid values (the command's default) ...
BREAKEVEN_GRID = 11
#: ... with the run's n capped at this many samples per grid value (the command's default n), and the run's seed.
BREAKEVEN_MAX_N = 20_000
#: The value-of-information and scenario-discovery steps (issue 13) take the run's samples (its n, seed and
#: sampler), n capped at this many: their estimates are stable well before (README, "Value of information").
VOI_MAX_N = 100_000
#: ... and raised to this many (the least both analyses accept).
VOI_MIN_N = 1000
DISCOVER_MAX_N = 100_000
#: The Sobol' step gives indices per knop (as ``mkba-mc sobol`` does by default).
SOBOL_GROUP_BY = "knop"
#: The command recorded in the manifests of the batch's steps.
COMMAND = ("mkba-mc", "batch")


@dataclass(frozen=True)
class BatchOptions:
    """Settings of every scenario's analyses (part of the input key)."""

    n: int = 100_000
    sobol_n: int = 4096
    seed: int = 2014
    sampler: str = "random"
    lang: str = "nl"
    steps: tuple[str, ...] = STEPS


@dataclass
class BatchResult:
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    folders: dict[str, Path] = field(default_factory=dict)


def input_key(scenario_path: Path, distribution_files: Sequence[Path], options: BatchOptions) -> str:
    """SHA-256 of everything that determines a scenario's results."""
    from . import __version__

    h = hashlib.sha256()
    h.update(scenario_path.read_bytes())
    for f in distribution_files:
        h.update(Path(f).read_bytes())
    h.update(json.dumps(asdict(options), sort_keys=True).encode())
    h.update(__version__.encode())
    return h.hexdigest()


def clean_stale(folder: Path) -> None:
    """Remove temporaries that killed processes left under ``folder`` (but
    none of a live writer: :func:`mkba_mc.io.locks.remove_stale`)."""
    remove_stale(folder, recursive=True)


#: Folder names a scenario may not get (case-insensitively): the batch's own.
RESERVED = frozenset({"comparison", MARKER})
_UNSAFE = re.compile(r"[^\w.+-]+")


def folder_names(paths: Sequence[Path]) -> list[str]:
    """A safe, unique output folder name per scenario file, in order.

    The file's stem with every character other than letters, digits,
    ``_``, ``-``, ``+`` and ``.`` replaced by ``_``, leading dots and
    ``_``-runs stripped (so never hidden, ``.`` or ``..``: ``..toml`` would
    otherwise write into the parent of ``OUT``), at most 80 characters;
    ``scenario`` when nothing is left; ``<name>_scenario`` for a reserved
    name (``comparison``); a repeated name (``a/x.toml`` and ``b/x.toml``,
    also differing only in case, for case-insensitive file systems) gets
    ``_2``, ``_3``, ... in the order given, so a rerun with the same list
    finds the same folders.
    """
    names: list[str] = []
    taken: set[str] = set()
    for p in paths:
        stem = p.name[:-len(p.suffix)] if p.suffix else p.name
        base = _UNSAFE.sub("_", stem).lstrip("._").strip() or "scenario"
        base = base[:80]
        if base.casefold() in RESERVED:
            base = f"{base}_scenario"
        name, i = base, 2
        while name.casefold() in taken:
            name, i = f"{base}_{i}", i + 1
        taken.add(name.casefold())
        names.append(name)
    return names


_names = folder_names


def _reason(exc: BaseException) -> str:
    """A scenario's failure in one line per problem, without traceback."""
    if isinstance(exc, ConfigError):
        return "\n".join(str(p) for p in exc.problems)
    if isinstance(exc, MkbaError):
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _step_done(manifest: Path, key: str) -> bool:
    try:
        return json.loads(manifest.read_text()).get("batch_key") == key
    except (OSError, ValueError):
        return False


def run_batch(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    options: BatchOptions = BatchOptions(),
    *,
    evaluator: Evaluator | None = None,
    force: bool = False,
    on_event: Callable[[str, str, Any], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Run point, Monte Carlo, Sobol', tornado, the QALY acceptability curve,
    break-even and report for each scenario, then the comparison.

    Parameters
    ----------
    paths : sequence of paths
        Scenario files.
    out_dir : path
        Batch folder (created; an existing batch folder is resumed).
    options : BatchOptions
        Analysis settings.
    evaluator : Evaluator, optional
        Where the Monte Carlo, Sobol', curve and break-even steps run
        (:mod:`mkba_mc.execution.evaluators`; used, not closed); default one
        local worker.
    force : bool
        Allow a non-empty folder that is not a batch folder.
    on_event : callable, optional
        ``on_event(scenario, event, detail)`` with events ``start``,
        ``skip``, ``step``, ``done``, ``fail``.
    progress : callable, optional
        Sample progress of the Monte Carlo step, ``progress(done, total)``.

    Returns
    -------
    BatchResult
        A scenario's failure of any kind is recorded in ``failed`` (name, one
        line per problem) and the batch goes on.

    Raises
    ------
    OutputError
        If ``out_dir`` is a file, a non-empty folder that is not a batch
        folder (without ``force``), or the comparison cannot be written;
        :class:`~mkba_mc.io.locks.BusyError` if another process writes to it.
    """
    from . import __version__
    from .report.compare import comparison_table, write_comparison

    if evaluator is None:
        from .execution.evaluators import SerialEvaluator

        evaluator = SerialEvaluator()
    out = Path(out_dir)
    paths = [Path(p) for p in paths]
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    with hold_lock(out):
        if out.is_dir() and not (out / MARKER).exists() and any(out.iterdir()) and not force:
            raise OutputError(f"{out}: folder is not empty and is not a batch folder; choose a new folder or pass --force")
        out.mkdir(parents=True, exist_ok=True)
        clean_stale(out)
        names = folder_names(paths)
        write_json_atomic(out / MARKER, {"mkba_mc_version": __version__, "options": asdict(options),
                                         "scenarios": {n: str(p) for n, p in zip(names, paths)}})
        emit = on_event or (lambda *_: None)
        result = BatchResult()
        for name, path in zip(names, paths):
            folder = out / name
            result.folders[name] = folder
            emit(name, "start", str(path))
            try:
                with hold_lock(folder):
                    if _run_one(path, folder, options, evaluator, lambda s: emit(name, "step", s), progress):
                        result.done.append(name)
                        emit(name, "done", str(folder))
                    else:
                        result.skipped.append(name)
                        emit(name, "skip", "inputs unchanged since the completed result")
            except Exception as exc:  # noqa: BLE001 -- one scenario's failure must not stop the batch
                msg = _reason(exc)
                result.failed.append((name, msg))
                emit(name, "fail", msg)
        complete = [result.folders[n] for n in result.done + result.skipped]
        if complete:
            table = comparison_table(complete)
            write_comparison(table, out / "comparison", force=True, lang=options.lang,
                             manifest={"analysis": "compare", "scenarios": result.done + result.skipped})
    return result


def _run_one(path: Path, folder: Path, options: BatchOptions, evaluator: Evaluator,
             step: Callable[[str], None], progress: Callable[[int, int], None] | None) -> bool:
    """One scenario; False when skipped (unchanged since its ``done.json``)."""
    from .io.scenario_build import load_scenario

    sc = load_scenario(path)
    key = input_key(path, [f for f in sc.files if f != path], options)
    if _step_done(folder / "done.json", key):
        return False
    folder.mkdir(parents=True, exist_ok=True)
    clean_stale(folder)
    _run_steps(sc, folder, key, options, evaluator, step, progress)
    files = {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*"))
             if p.is_file() and p.name != "done.json" and not p.name.startswith(".")}
    write_json_atomic(folder / "done.json", {"batch_key": key, "scenario_file": str(path), "files": files})
    return True


def _run_steps(sc: Any, folder: Path, key: str, options: BatchOptions, evaluator: Evaluator,
               step: Callable[[str], None], progress: Callable[[int, int], None] | None) -> None:
    """The steps of one scenario, each written by the writer of its single
    command (:mod:`mkba_mc.io.results`, :mod:`mkba_mc.io.analysis_results`),
    so a step folder holds exactly the files of ``run``/``sobol``/``tornado``/``curve``/``breakeven``."""
    from .execution.montecarlo import ALL_KEPT_OUTPUTS, run
    from .io.analysis_results import write_breakeven, write_curve, write_point, write_sobol, write_tornado
    from .io.results import write_run
    from .model.point import point_summary

    extra = {"batch_key": key}
    if "point" in options.steps:
        step("point")
        write_point(folder / "point.json", point_summary(sc.evaluate()))
    if "run" in options.steps and not _step_done(folder / "run" / "manifest.json", key):
        step("run")
        res = run(sc, options.n, seed=options.seed, sampler=options.sampler, outputs=list(ALL_KEPT_OUTPUTS),
                  progress=progress, evaluator=evaluator)
        from .report.excel import write_summary_workbook

        write_run(res, folder / "run", force=True, command=COMMAND, extra=extra,
                  workbook=lambda *args: write_summary_workbook(*args, lang=options.lang))  # in the batch's language
    if "sobol" in options.steps and not _step_done(folder / "sobol" / "manifest.json", key):
        step("sobol")
        from .sensitivity.analyses import sobol

        sres = sobol(sc, options.sobol_n, seed=options.seed, group_by=SOBOL_GROUP_BY, evaluator=evaluator)
        write_sobol(sres, folder / "sobol", scenario=sc, group_by=SOBOL_GROUP_BY, command=COMMAND, force=True,
                    extra=extra)
    if "tornado" in options.steps and not _step_done(folder / "tornado" / "manifest.json", key):
        step("tornado")
        from .sensitivity.analyses import spider, tornado

        write_tornado(tornado(sc), spider(sc), folder / "tornado", scenario=sc, command=COMMAND, force=True,
                      extra=extra)
    if "curve" in options.steps and not _step_done(folder / "curve" / "manifest.json", key):
        step("curve")
        from .api import acceptability_curve

        n = min(options.n, CURVE_MAX_N)
        cds = acceptability_curve(sc.path, CURVE_OVER, n=n, seed=options.seed, sampler=options.sampler,
                                  evaluator=evaluator, command=COMMAND)
        write_curve(cds, folder / "curve", force=True, extra=extra)
    if "breakeven" in options.steps and not _step_done(folder / "breakeven" / "manifest.json", key):
        step("breakeven")
        from .sensitivity.analyses import DEFAULT_LEVERS, breakeven

        n = min(options.n, BREAKEVEN_MAX_N)
        summary, table = breakeven(sc, list(DEFAULT_LEVERS), n=n, grid=BREAKEVEN_GRID, seed=options.seed,
                                   evaluator=evaluator)
        write_breakeven(summary, table, folder / "breakeven", scenario=sc, n=n, grid=BREAKEVEN_GRID, seed=options.seed,
                        command=COMMAND, force=True, extra=extra)
    if "voi" in options.steps and not _step_done(folder / "voi" / "manifest.json", key):
        step("voi")
        from .io.analysis_results import write_voi
        from .sensitivity.voi import voi

        vres = voi(sc, max(VOI_MIN_N, min(options.n, VOI_MAX_N)), seed=options.seed, sampler=options.sampler, evaluator=evaluator)
        write_voi(vres.to_dataset(), vres.table(), folder / "voi", scenario=sc, command=COMMAND, force=True,
                  extra=extra)
    if "discover" in options.steps and not _step_done(folder / "discover" / "manifest.json", key):
        step("discover")
        from .api import discover
        from .io.analysis_results import write_discover

        dds = discover(sc, n=max(VOI_MIN_N, min(options.n, DISCOVER_MAX_N)), seed=options.seed, sampler=options.sampler,
                       evaluator=evaluator)
        write_discover(dds, folder / "discover", scenario=sc, command=COMMAND, force=True, extra=extra)
    if "report" in options.steps:
        step("report")
        from .report import build_report

        build_report(folder, lang=options.lang)


__all__ = ["BREAKEVEN_GRID", "BREAKEVEN_MAX_N", "CURVE_MAX_N", "CURVE_OVER", "DISCOVER_MAX_N", "VOI_MAX_N", "VOI_MIN_N", "MARKER", "RESERVED", "SKIPPABLE", "STEPS",
           "BatchOptions", "BatchResult", "clean_stale", "folder_names", "input_key", "run_batch"]
