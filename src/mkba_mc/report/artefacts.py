"""Finding and reading the result files a report is built from.

The report reads what the engine wrote -- a Monte Carlo run (``samples.nc``,
``summary.csv``, ``manifest.json``), Sobol' indices (``sobol.nc``), a
tornado, a break-even analysis, acceptability curves and the point estimate
(``point.json``) -- and never evaluates the model itself.  The run's
scenario is loaded (not evaluated) for what only it knows: the realisation
shares, the calibration and the evidence of each input.
"""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import MkbaError, OutputError
from ..io.output import open_netcdf, sha256

if TYPE_CHECKING:
    from ..io.loading import Scenario

Array = NDArray[np.float64]

#: Quantiles of the programme band in ``samples.nc`` (``programme_band``,
#: dims ``(view, quantile, year)``), in the order the report uses them.
BAND_QUANTILES: Final[tuple[float, ...]] = (0.1, 0.5, 0.9)
#: Views of the programme band: the whole society and the municipality.
BAND_VIEWS: Final[tuple[str, ...]] = ("total", "gemeente")

_SKIP_DIRS: Final[frozenset[str]] = frozenset({"figures"})


@dataclass(frozen=True)
class Artefacts:
    """Result files found in a folder and its immediate subfolders.

    Attributes
    ----------
    folder : Path
        The folder searched.
    run : Path or None
        Folder holding ``samples.nc``, ``summary.csv`` and ``manifest.json``.
    sobol : Path or None
        ``sobol.nc``.
    tornado : Path or None
        ``tornado.csv``.
    breakeven : Path or None
        Folder holding ``breakeven.csv`` and ``robustness.csv``.
    point : Path or None
        ``point.json`` (the object of ``mkba-mc point --json``).
    voi : Path or None
        Folder holding ``voi.csv`` and ``voi.nc`` (``mkba-mc voi --out``).
    curves : tuple of Path
        Folders holding ``curve.csv`` (``mkba-mc curve --out``), in search
        order; one per swept input is used.
    duplicates : dict of str to list of Path
        Kinds found more than once (the first is used).
    """

    folder: Path
    run: Path | None = None
    sobol: Path | None = None
    tornado: Path | None = None
    breakeven: Path | None = None
    point: Path | None = None
    curves: tuple[Path, ...] = ()
    duplicates: dict[str, list[Path]] = field(default_factory=dict)
    voi: Path | None = None
    #: Folder holding ``discover.nc`` and ``discover.csv`` (``mkba-mc discover --out``, issue 13).
    discover: Path | None = None
    #: ``shapley.nc`` (``mkba-mc sobol --method shapley --out``, issue 13), checked for its scenario like the others.
    shapley: Path | None = None


_KINDS: Final[dict[str, tuple[tuple[str, ...], bool]]] = {
    # kind -> (file names that must all be present, the artefact is the folder)
    "run": (("samples.nc", "summary.csv", "manifest.json"), True),
    "sobol": (("sobol.nc",), False),
    "tornado": (("tornado.csv",), False),
    "breakeven": (("breakeven.csv", "robustness.csv"), True),
    "point": (("point.json",), False),
    "curve": (("curve.csv",), True),  # several allowed: one per swept input
    "voi": (("voi.csv", "voi.nc"), True),
    "discover": (("discover.nc", "discover.csv"), True),
    "shapley": (("shapley.nc",), False),
}


def find_artefacts(folder: str | Path) -> Artefacts:
    """Look up result files in ``folder`` and its immediate subfolders.

    The folder itself is searched first, then its subfolders in name order
    (hidden folders and ``figures`` are skipped); the first match of each
    kind is used.

    Parameters
    ----------
    folder : str or Path
        The results folder.

    Returns
    -------
    Artefacts

    Raises
    ------
    OutputError
        If ``folder`` is not an existing folder.
    """
    root = Path(folder)
    if not root.is_dir():
        raise OutputError(f"{root}: not a folder; give the folder that holds the results of mkba-mc run "
                          "(samples.nc, summary.csv, manifest.json) and optionally sobol, tornado and breakeven")
    dirs = [root] + sorted((p for p in root.iterdir()
                            if p.is_dir() and not p.name.startswith(".") and p.name not in _SKIP_DIRS),
                           key=lambda p: p.name)
    found: dict[str, list[Path]] = {}
    for d in dirs:
        for kind, (names, is_dir) in _KINDS.items():
            if all((d / nm).is_file() for nm in names):
                found.setdefault(kind, []).append(d if is_dir else d / names[0])
    curves = tuple(found.pop("curve", ()))
    if len(found.get("point", ())) > 1:  # a run folder carries its point estimate: equal copies are one
        first = found["point"][0].read_bytes()
        found["point"] = [found["point"][0]] + [p for p in found["point"][1:] if p.read_bytes() != first]
    return Artefacts(root, **{k: v[0] for k, v in found.items()}, curves=curves,
                     duplicates={k: v for k, v in found.items() if len(v) > 1})


@dataclass
class RunResult:
    """What the report needs from a Monte Carlo run folder.

    Attributes
    ----------
    folder : Path
        The run folder.
    manifest : dict
        ``manifest.json``.
    stats : pandas.DataFrame
        The statistic rows of ``summary.csv``, indexed by output.
    probs : dict of str to float
        The probability rows of ``summary.csv``.
    samples : dict of str to numpy.ndarray
        The ratios and the payback year kept in ``samples.nc``.
    n : int
        Number of samples.
    band : dict of str to numpy.ndarray
        The programme band per view (``total``, ``gemeente``): cumulative
        cash flow, shape ``(3, years)`` for P10, P50 and P90; empty when
        ``samples.nc`` has no ``programme_band`` (``run --programme``).
    """

    folder: Path
    manifest: dict[str, Any]
    stats: pd.DataFrame
    probs: dict[str, float]
    samples: dict[str, Array]
    n: int
    band: dict[str, Array] = field(default_factory=dict)

    def stat(self, output: str, col: str) -> float | None:
        """A statistic of summary.csv, or None when absent or not finite."""
        if output in self.stats.index and col in self.stats.columns:
            v = float(self.stats.at[output, col])
            return v if math.isfinite(v) else None
        return None

    def median_payback(self, output: str = "payback_year") -> float | None:
        """The median payback year of summary.csv (``p50`` of ``output``).

        The one definition used everywhere (``run``, ``summary.csv``, the
        report, ``compare``): the median over all draws, "never within the
        horizon" counted as later than the horizon, so ``inf`` when more
        than half never pay back.  None when summary.csv lacks the output.
        """
        if output in self.stats.index and "p50" in self.stats.columns:
            v = float(self.stats.at[output, "p50"])
            return None if math.isnan(v) else v
        return None

    def p_paid_back(self, output: str = "payback_year") -> float | None:
        """Share of the draws in samples.nc that pay back within the programme
        (a finite ``output``; "never" is NaN or inf); None when not kept."""
        pay = self.samples.get(output)
        if pay is None or pay.size == 0:
            return None
        return float(np.count_nonzero(np.isfinite(pay))) / pay.size


_SAMPLE_VARS: Final[tuple[str, ...]] = ("ratio_social", "ratio_gemeente", "payback_year")


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a result folder; OutputError when unreadable."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise OutputError(f"{path}: cannot read JSON ({exc})") from exc
    if not isinstance(obj, dict):
        raise OutputError(f"{path}: expected a JSON object")
    return obj


def _read_band(ds: Any) -> dict[str, Array]:
    """``programme_band`` of samples.nc per view as ``(P10, P50, P90) x year``; empty when absent."""
    if "programme_band" not in ds.data_vars:
        return {}
    da = ds["programme_band"].transpose("view", "quantile", "year")
    views = [str(v) for v in da["view"].values]
    return {v: np.array(da.sel(view=v).sel(quantile=list(BAND_QUANTILES), method="nearest").values,
                        dtype=np.float64) for v in BAND_VIEWS if v in views}


def load_run(folder: Path) -> RunResult:
    """Manifest, summary statistics, probabilities, the ratios and the programme band of a run folder."""
    manifest = read_json(folder / "manifest.json")
    try:
        table = pd.read_csv(folder / "summary.csv")
    except (OSError, ValueError) as exc:
        raise OutputError(f"{folder / 'summary.csv'}: cannot read ({exc})") from exc
    if not {"output", "kind"} <= set(table.columns):
        raise OutputError(f"{folder / 'summary.csv'}: expected the columns output and kind (written by mkba-mc run)")
    stats = table[table["kind"] == "statistic"].set_index("output")
    probs = {str(k): float(v) for k, v in table[table["kind"] == "probability"].set_index("output")["p"].items()}
    try:
        with open_netcdf(folder / "samples.nc") as ds:
            samples = {k: np.array(ds[k].values, dtype=np.float64) for k in _SAMPLE_VARS if k in ds.data_vars}
            n = int(ds.sizes["sample"])
            band = _read_band(ds)
    except (OSError, ValueError, KeyError) as exc:
        raise OutputError(f"{folder / 'samples.nc'}: cannot read ({exc})") from exc
    return RunResult(folder, manifest, stats, probs, samples, n, band)






def _candidates(name: str, bases: Sequence[Path]) -> list[Path]:
    """Where a manifest's (possibly relative) file name may be, most likely first."""
    p = Path(name)
    if p.is_absolute():
        return [p]
    out = [Path.cwd() / p]
    for base in bases:
        out.extend(b / p for b in (base, *base.resolve().parents))
    return out


def _resolve(name: str, expected_hash: str | None, bases: Sequence[Path]) -> Path | None:
    """An input file named in a manifest: the first existing candidate whose
    SHA-256 matches, else the first existing one."""
    existing = [c for c in dict.fromkeys(_candidates(name, bases)) if c.is_file()]
    for c in existing:
        if expected_hash is None or sha256(c) == expected_hash:
            return c
    return existing[0] if existing else None


def load_run_scenario(run: RunResult, root: Path, notes: list[str], T: Mapping[str, str]) -> Scenario | None:
    """The run's scenario with its overrides, or None (with a note)."""
    from ..io.loading import load_scenario

    m = run.manifest
    name = m.get("scenario_file")
    hashes: dict[str, str] = dict(m.get("input_hashes") or {})
    if not name:
        notes.append(T["scenario_missing"].format(file="–", why=T["no_scenario_file"]))
        return None
    # a relative name is relative to where the run was started: try the
    # current folder, the results folders and the folders above the run's
    # other (absolute) input files, such as the shipped distributions
    bases = [run.folder, root, *(Path(f).parent for f in hashes if Path(f).is_absolute())]
    path = _resolve(str(name), hashes.get(str(name)), bases)
    if path is None:
        notes.append(T["scenario_missing"].format(file=name, why=T["file_not_found"]))
        return None
    overrides = [str(o) for o in m.get("overrides") or []]
    try:
        sc = load_scenario(path, overrides=overrides)
    except (MkbaError, OSError) as exc:
        notes.append(T["scenario_missing"].format(file=name, why=str(exc).splitlines()[0]))
        return None
    wanted = set(hashes.values())
    if wanted and set(sc.input_hashes().values()) != wanted:
        # the run may have used --distributions: try the other files of its manifest
        others = [_resolve(f, h, bases) for f, h in hashes.items() if f != str(name)]
        dist_files = [p for p in others if p is not None]
        if dist_files:
            try:
                alt = load_scenario(path, overrides=overrides, distributions=dist_files)
            except (MkbaError, OSError):
                alt = None
            if alt is not None and set(alt.input_hashes().values()) == wanted:
                return alt
        differ = [f for f, h in sc.input_hashes().items() if h not in wanted] or sorted(hashes)
        notes.append(T["hash_mismatch"].format(what=", ".join(differ)))
    return sc


def point_from_json(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``point --json`` object, or None when it lacks the keys the report needs."""
    if not all(k in obj for k in ("ratio_social", "cost_total", "actors")):
        return None
    return dict(obj)


def load_sobol(path: Path) -> tuple[Any, str]:
    """sobol.nc and the name of its factor dimension (knop or parameter)."""
    try:
        with open_netcdf(path) as ds:
            ds = ds.load()
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: cannot read ({exc})") from exc
    if not {"S1", "S1_conf", "ST", "ST_conf"} <= set(ds.data_vars) or "output" not in ds.dims:
        raise OutputError(f"{path}: expected variables S1, S1_conf, ST, ST_conf over output (mkba-mc sobol)")
    dims = [d for d in ds["ST"].dims if d != "output"]
    return ds, dims[0]


@dataclass
class Curve:
    """An acceptability curve folder (``mkba-mc curve --out``)."""

    folder: Path
    parameter: str
    table: pd.DataFrame
    manifest: dict[str, Any]
    switch: dict[str, dict[str, float | None]]

    @property
    def values(self) -> Array:
        """The grid values."""
        return self.table["value"].to_numpy(dtype=float)

    def p(self, event: str) -> Array | None:
        """P(event) over the grid, or None when the curve lacks the event."""
        col = f"p_{event}"
        return self.table[col].to_numpy(dtype=float) if col in self.table.columns else None


def load_curve(folder: Path) -> Curve:
    """``curve.csv`` and ``manifest.json`` of a curve folder; the switch
    values are computed from the table (:func:`mkba_mc.sensitivity.curve.switch_values`)."""
    from ..sensitivity.curve import switch_values

    path = folder / "curve.csv"
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: cannot read ({exc})") from exc
    if "value" not in table.columns or "p_ratio_social_ge_1" not in table.columns or len(table) < 2:
        raise OutputError(f"{path}: expected the columns value and p_ratio_social_ge_1 over at least two grid "
                          "values (mkba-mc curve --out)")
    table = table.sort_values("value", ignore_index=True)
    manifest = read_json(folder / "manifest.json") if (folder / "manifest.json").is_file() else {}
    parameter = str(manifest.get("parameter") or "value")
    switch = {c[2:]: switch_values(table["value"].to_numpy(float), table[c].to_numpy(float))
              for c in table.columns if c.startswith("p_")}
    return Curve(folder, parameter, table, manifest, switch)


def manifest_hashes(manifest: Mapping[str, Any]) -> dict[str, str]:
    """``input_hashes`` of a manifest as a dict (some writers store it as a
    JSON or Python-literal string); empty when absent or unreadable."""

    h = manifest.get("input_hashes")
    if isinstance(h, str):
        for parse in (json.loads, ast.literal_eval):
            try:
                h = parse(h)
                break
            except (ValueError, SyntaxError):
                continue
    return {str(k): str(v) for k, v in h.items()} if isinstance(h, Mapping) else {}


__all__ = ["Artefacts", "BAND_QUANTILES", "BAND_VIEWS", "Curve", "RunResult", "find_artefacts", "load_curve",
           "load_run", "load_run_scenario", "load_sobol", "manifest_hashes", "point_from_json", "read_json"]
