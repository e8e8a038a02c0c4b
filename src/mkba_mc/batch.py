"""Batch runs over many scenarios: resumable, crash-safe, one folder each.

Layout of ``OUT``::

    OUT/batch.json                   what the batch is (scenarios, options)
    OUT/<scenario>/point.json        point estimate (screens A and B as JSON)
    OUT/<scenario>/run/              Monte Carlo (samples.nc, summary.csv/.xlsx, manifest.json)
    OUT/<scenario>/sobol/            Sobol' indices per knop (sobol.nc, sobol.csv, manifest.json)
    OUT/<scenario>/tornado/          tornado and switch values (tornado.csv/.nc, spider.csv, manifest.json)
    OUT/<scenario>/report.html       the report, figures in OUT/<scenario>/figures/
    OUT/<scenario>/done.json         written last: the scenario is complete
    OUT/comparison/                  all completed scenarios side by side

Every file is written atomically (temporary name, then rename), so a batch
killed at any moment -- even with SIGKILL -- leaves complete files or none.
A rerun skips every scenario whose ``done.json`` carries the same input key
(SHA-256 of the scenario file, its distribution files, the options and the
mkba_mc version), and within an unfinished scenario every step whose
manifest carries that key; stale temporary files are removed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, MkbaError, OutputError
from .output import TMP_PREFIX, sha256, write_json_atomic, write_netcdf

STEPS = ("point", "run", "sobol", "tornado", "report")
MARKER = "batch.json"


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
    """Remove temporary files a killed process left under ``folder``."""
    if folder.is_dir():
        for stale in folder.rglob(f"{TMP_PREFIX}*"):
            stale.unlink(missing_ok=True)


def _names(paths: Sequence[Path]) -> list[str]:
    names: list[str] = []
    for p in paths:
        name, i = p.stem, 2
        while name in names:
            name, i = f"{p.stem}_{i}", i + 1
        names.append(name)
    return names


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
    workers: int = 1,
    force: bool = False,
    map_tasks: Any = None,
    on_event: Callable[[str, str, Any], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Run point, Monte Carlo, Sobol', tornado and report for each scenario,
    then the comparison.

    Parameters
    ----------
    paths : sequence of paths
        Scenario files.
    out_dir : path
        Batch folder (created; an existing batch folder is resumed).
    options : BatchOptions
        Analysis settings.
    workers : int
        Worker processes for the Monte Carlo and Sobol' steps.
    force : bool
        Allow a non-empty folder that is not a batch folder.
    map_tasks : callable, optional
        A cluster's task mapper (see :mod:`mkba_mc.scheduling`).
    on_event : callable, optional
        ``on_event(scenario, event, detail)`` with events ``start``,
        ``skip``, ``step``, ``done``, ``fail``.
    progress : callable, optional
        Sample progress of the Monte Carlo step, ``progress(done, total)``.

    Returns
    -------
    BatchResult
    """
    from . import __version__
    from .compare import comparison_table, write_comparison
    from .loading import load_scenario

    out = Path(out_dir)
    paths = [Path(p) for p in paths]
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if out.is_dir() and not (out / MARKER).exists() and any(out.iterdir()) and not force:
        raise OutputError(f"{out}: folder is not empty and is not a batch folder; choose a new folder or pass --force")
    out.mkdir(parents=True, exist_ok=True)
    clean_stale(out)
    names = _names(paths)
    write_json_atomic(out / MARKER, {"mkba_mc_version": __version__, "options": asdict(options),
                                     "scenarios": {n: str(p) for n, p in zip(names, paths)}})
    emit = on_event or (lambda *_: None)
    result = BatchResult()
    for name, path in zip(names, paths):
        folder = out / name
        result.folders[name] = folder
        emit(name, "start", str(path))
        try:
            sc = load_scenario(path)
            key = input_key(path, [f for f in sc.files if f != path], options)
            if _step_done(folder / "done.json", key):
                result.skipped.append(name)
                emit(name, "skip", "inputs unchanged since the completed result")
                continue
            folder.mkdir(parents=True, exist_ok=True)
            clean_stale(folder)
            _run_steps(sc, folder, key, options, workers, map_tasks, lambda s: emit(name, "step", s), progress)
            files = {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*"))
                     if p.is_file() and p.name != "done.json"}
            write_json_atomic(folder / "done.json", {"batch_key": key, "scenario_file": str(path), "files": files})
            result.done.append(name)
            emit(name, "done", str(folder))
        except ConfigError as exc:
            msg = "\n".join(str(p) for p in exc.problems)
            result.failed.append((name, msg))
            emit(name, "fail", msg)
        except MkbaError as exc:
            result.failed.append((name, str(exc)))
            emit(name, "fail", str(exc))
    complete = [result.folders[n] for n in result.done + result.skipped]
    if complete:
        table = comparison_table(complete)
        write_comparison(table, out / "comparison", force=True, lang=options.lang,
                         manifest={"analysis": "compare", "scenarios": result.done + result.skipped})
    return result


def _run_steps(sc: Any, folder: Path, key: str, options: BatchOptions, workers: int, map_tasks: Any,
               step: Callable[[str], None], progress: Callable[[int, int], None] | None) -> None:
    from .montecarlo import ALL_KEPT_OUTPUTS, run
    from .output import write_bundle
    from .results import versions, write_run
    from .screens import point_summary

    base = {"batch_key": key, "scenario": sc.name, "scenario_file": str(sc.path.resolve()), "overrides": list(sc.overrides),
            "input_hashes": sc.input_hashes(), "versions": versions()}
    if "point" in options.steps:
        step("point")
        write_json_atomic(folder / "point.json", point_summary(sc.evaluate()))
    if "run" in options.steps and not _step_done(folder / "run" / "manifest.json", key):
        step("run")
        res = run(sc, options.n, seed=options.seed, sampler=options.sampler, workers=workers,
                  outputs=list(ALL_KEPT_OUTPUTS), progress=progress, map_tasks=map_tasks)
        write_run(res, folder / "run", force=True, command=["mkba-mc", "batch"], extra={"batch_key": key})
    if "sobol" in options.steps and not _step_done(folder / "sobol" / "manifest.json", key):
        step("sobol")
        from .sensitivity import sobol

        res = sobol(sc, options.sobol_n, seed=options.seed, group_by="knop", workers=workers, map_tasks=map_tasks)
        ds = res.to_dataset()
        table = ds.to_dataframe().reset_index()
        write_bundle(folder / "sobol", {"sobol.nc": lambda p: write_netcdf(ds, p),
                                        "sobol.csv": lambda p: table.to_csv(p, index=False)},
                     {**base, "analysis": "sobol", "n": res.n, "seed": options.seed, "group_by": "knop"}, force=True)
    if "tornado" in options.steps and not _step_done(folder / "tornado" / "manifest.json", key):
        step("tornado")
        from .sensitivity import spider, tornado

        df = tornado(sc)
        sp = spider(sc)
        write_bundle(folder / "tornado", {"tornado.csv": lambda p: df.to_csv(p, index=False),
                                          "spider.csv": lambda p: sp.to_csv(p)},
                     {**base, "analysis": "tornado"}, force=True)
    if "report" in options.steps:
        step("report")
        from .report import build_report

        build_report(folder, lang=options.lang)


__all__ = ["MARKER", "STEPS", "BatchOptions", "BatchResult", "clean_stale", "input_key", "run_batch"]
