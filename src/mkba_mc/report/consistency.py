"""One scenario per report: the results a report combines must come from the
same scenario and the same input files.

A results folder may hold the outputs of several commands in subfolders.
When two of them were made with different scenarios (or the same scenario
with different input files, by their SHA-256 in ``manifest.json``) a report
over the folder would put the screens of one next to the Monte Carlo of the
other under one title, so :func:`one_scenario` refuses, naming both, unless
the caller names the run to use.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..errors import OutputError
from .artefacts import Artefacts, manifest_hashes, read_json

Identity = tuple[str, tuple[str, ...]]
KINDS = ("run", "sobol", "tornado", "breakeven", "point", "voi", "discover", "shapley")


def identity(path: Path) -> Identity | None:
    """(scenario name, sorted input hashes) of the result at ``path`` from its
    folder's ``manifest.json``; None when there is no manifest to tell."""
    folder = path if path.is_dir() else path.parent
    if not (folder / "manifest.json").is_file():
        return None
    man = read_json(folder / "manifest.json")
    hashes = tuple(sorted(manifest_hashes(man).values()))
    name = str(man.get("scenario") or "")
    return (name, hashes) if name or hashes else None


def _found(art: Artefacts) -> dict[str, list[Path]]:
    """Every result of each kind that the search found, in search order."""
    out: dict[str, list[Path]] = {}
    for kind in KINDS:
        first = getattr(art, kind)
        out[kind] = list(art.duplicates.get(kind) or ([first] if first is not None else []))
    out["curve"] = list(art.curves)
    return out


def _rel(path: Path, root: Path) -> str:
    folder = path if path.is_dir() else path.parent
    try:
        return folder.relative_to(root).as_posix() or "."
    except ValueError:
        return str(folder)


def one_scenario(art: Artefacts, run: str | None = None) -> tuple[Artefacts, list[str]]:
    """The results of one scenario and its input files.

    Parameters
    ----------
    art : Artefacts
        What :func:`~mkba_mc.report.artefacts.find_artefacts` found.
    run : str, optional
        A subfolder of the results folder holding the run to report on; the
        results of other scenarios or input files are then left out.

    Returns
    -------
    Artefacts
        ``art``, or with ``run`` the results that match the named run.
    list of str
        The folders left out (relative to the results folder).

    Raises
    ------
    OutputError
        If the results come from different scenarios or input files and
        ``run`` is not given, naming each scenario and its folders; if
        ``run`` is not a run folder.
    """
    root = art.folder
    found = _found(art)
    ids = {p: identity(p) for paths in found.values() for p in paths}
    if run is not None:
        target = (root / run).resolve()
        runs = [p for p in found["run"] if p.resolve() == target]
        if not runs:
            names = ", ".join(_rel(p, root) for p in found["run"]) or "none"
            raise OutputError(f"{root}: --run {run}: not a run folder in this folder (runs found: {names})")
        want = ids[runs[0]]
        keep = {k: [p for p in v if ids[p] is None or ids[p] == want] for k, v in found.items()}
        keep["run"] = runs
        left = sorted({_rel(p, root) for v in found.values() for p in v if ids[p] is not None and ids[p] != want})
        return _artefacts(art, keep), left
    groups: dict[Identity, list[str]] = {}
    for p, i in ids.items():
        if i is not None:
            groups.setdefault(i, []).append(_rel(p, root))
    if len(groups) > 1:
        parts = [f"'{name or '?'}' (input hashes {', '.join(h[:8] for h in hashes) or '–'}) in "
                 f"{', '.join(sorted(set(folders)))}" for (name, hashes), folders in groups.items()]
        runs = ", ".join(_rel(p, root) for p in found["run"])
        raise OutputError(f"{root}: results of different scenarios or input files, which one report must not "
                          f"combine: {'; and '.join(parts)}. Give the run to report on with --run SUBFOLDER "
                          f"(runs here: {runs}), or put each scenario in its own folder")
    return art, []


def _artefacts(art: Artefacts, keep: dict[str, list[Path]]) -> Artefacts:
    first = {k: (v[0] if v else None) for k, v in keep.items() if k != "curve"}
    return replace(art, **first, curves=tuple(keep["curve"]),
                   duplicates={k: v for k, v in keep.items() if k != "curve" and len(v) > 1})


__all__ = ["identity", "one_scenario"]
