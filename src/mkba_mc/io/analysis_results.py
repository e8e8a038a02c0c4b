"""Result folders of the analyses: Sobol', Morris, tornado, break-even, curve, point.

Together with :func:`mkba_mc.io.results.write_run` these are the only
writers of result files; the CLI (one command, one folder) and
:mod:`mkba_mc.batch` (one step folder per analysis) both call them, so a
batch step holds exactly the files of the single command.  Each writes its
folder all-or-nothing (:func:`mkba_mc.io.atomic.write_bundle`) with a
``manifest.json`` from :func:`mkba_mc.io.provenance.analysis_manifest`.

=================  ==========================================================
writer             files (besides ``manifest.json``)
=================  ==========================================================
:func:`write_sobol`      ``sobol.nc``, ``sobol.csv`` (Shapley effects: ``shapley.nc``, ``shapley.csv``)
:func:`write_morris`     ``morris.nc``, ``morris.csv``
:func:`write_tornado`    ``tornado.csv``, ``tornado.nc``, ``spider.csv``
:func:`write_breakeven`  ``breakeven.csv``, ``robustness.csv``, ``robustness.nc``
:func:`write_curve`      ``curve.nc``, ``curve.csv``
:func:`write_point`      ``point.json`` (one file, no folder)
:func:`write_voi`        ``voi.nc``, ``voi.csv``
=================  ==========================================================
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import write_bundle, write_json_atomic
from .netcdf import write_netcdf
from .provenance import analysis_manifest

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from ..sensitivity.shapley import ShapleyResult
    from ..sensitivity.sobol import SobolResult
    from .scenario import Scenario

#: Attributes of a curve's netCDF file that hold JSON text; decoded in its manifest.
CURVE_JSON_ATTRS = ("switch_values", "input_hashes", "versions", "sampled_from", "sampled_parameters",
                    "fixed_normative", "overrides", "command")


def write_sobol(res: SobolResult | ShapleyResult, out: str | Path, *, scenario: Scenario, group_by: str,
                command: Sequence[str] | None = None, force: bool = False,
                extra: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """Write ``sobol.nc`` (:meth:`SobolResult.to_dataset`), ``sobol.csv`` (the
    same as a table) and the manifest (design, rounds, input space, each
    parameter's knop and kind, how dependent inputs were treated and the
    members of every group).  Shapley effects (``sobol --method shapley``,
    a :class:`~mkba_mc.sensitivity.shapley.ShapleyResult`) go to
    ``shapley.nc`` and ``shapley.csv`` instead."""
    ds = res.to_dataset()
    table = ds.to_dataframe().reset_index()
    method = str(ds.attrs.get("method", "sobol"))
    dep = {k: ds.attrs[k] for k in ("dependence", "dependence_text") if k in ds.attrs}
    if "group_members" in ds.attrs:
        dep["group_members"] = json.loads(ds.attrs["group_members"])
    manifest = analysis_manifest(
        scenario, command, analysis="sobol", method=method, n=res.n, seed=res.seed, second_order=res.second_order,
        group_by=group_by, resamples=res.resamples, evaluations=res.evaluations, rounds=res.rounds,
        elapsed_seconds=round(res.elapsed, 3), input_space=res.input_space,
        input_space_text=ds.attrs.get("input_space_text", ""),
        parameters={nm: {"knop": scenario.info[nm].knop if nm in scenario.info else "", "kind": k}
                    for nm, k in zip(res.problem.names, res.kinds)},
        **dep, **(extra or {}))
    stem = "shapley" if method == "shapley" else "sobol"
    return write_bundle(out, {f"{stem}.nc": lambda p: write_netcdf(ds, p),
                              f"{stem}.csv": lambda p: table.to_csv(p, index=False)}, manifest, force=force)


def write_morris(ds: xr.Dataset, out: str | Path, *, scenario: Scenario, trajectories: int, levels: int, seed: int,
                 command: Sequence[str] | None = None, force: bool = False,
                 extra: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """Write ``morris.nc`` (the screening's Dataset), ``morris.csv`` and the manifest."""
    table = ds.to_dataframe().reset_index()
    manifest = analysis_manifest(scenario, command, analysis="morris", trajectories=trajectories, levels=levels,
                                 seed=seed, input_space=ds.attrs["input_space"],
                                 input_space_text=ds.attrs["input_space_text"], **(extra or {}))
    return write_bundle(out, {"morris.nc": lambda p: write_netcdf(ds, p),
                              "morris.csv": lambda p: table.to_csv(p, index=False)}, manifest, force=force)


def write_tornado(df: pd.DataFrame, spider: pd.DataFrame, out: str | Path, *, scenario: Scenario,
                  command: Sequence[str] | None = None, force: bool = False,
                  extra: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """Write ``tornado.csv`` and ``tornado.nc`` (one row per parameter: P10/P90,
    the ratios there, swing and switch value), ``spider.csv`` and the manifest."""
    manifest = analysis_manifest(scenario, command, analysis="tornado", quantiles=[0.1, 0.9],
                                 input_space=df.attrs.get("input_space", ""), **(extra or {}))
    return write_bundle(out, {"tornado.csv": lambda p: df.to_csv(p, index=False),
                              "tornado.nc": lambda p: write_netcdf(df.set_index("parameter").to_xarray(), p),
                              "spider.csv": lambda p: spider.to_csv(p)}, manifest, force=force)


def write_breakeven(summary: pd.DataFrame, table: pd.DataFrame, out: str | Path, *, scenario: Scenario, n: int,
                    grid: int, seed: int, command: Sequence[str] | None = None, force: bool = False,
                    extra: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """Write ``breakeven.csv`` (one row per lever), ``robustness.csv`` and
    ``robustness.nc`` (P(ratio >= 1) over each lever's grid) and the manifest."""
    manifest = analysis_manifest(scenario, command, analysis="breakeven", n=n, grid=grid, seed=seed,
                                 levers=list(summary["lever"]), **(extra or {}))
    return write_bundle(out, {
        "breakeven.csv": lambda p: summary.to_csv(p, index=False),
        "robustness.csv": lambda p: table.to_csv(p, index=False),
        "robustness.nc": lambda p: write_netcdf(table.set_index(["lever", "value"]).to_xarray(), p),
    }, manifest, force=force)


def write_curve(ds: xr.Dataset, out: str | Path, *, force: bool = False,
                extra: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """Write ``curve.nc``, ``curve.csv`` and a manifest holding the curve's
    attributes (the provenance of its run, JSON text decoded) and its grid."""
    table = ds.to_dataframe().reset_index()
    manifest = {k: (json.loads(v) if k in CURVE_JSON_ATTRS and isinstance(v, str) else v) for k, v in ds.attrs.items()}
    manifest["values"] = [float(v) for v in ds["value"].values]
    manifest.update(extra or {})
    return write_bundle(out, {"curve.nc": lambda p: write_netcdf(ds, p),
                              "curve.csv": lambda p: table.to_csv(p, index=False)}, manifest, force=force)


def write_point(path: str | Path, summary: Mapping[str, Any]) -> Path:
    """Write the point estimate (:func:`mkba_mc.report.screens.point_summary`)
    as ``point.json``, atomically."""
    return write_json_atomic(path, summary)


def write_voi(ds: xr.Dataset, table: pd.DataFrame, out: str | Path, *, scenario: Scenario,
              command: Sequence[str] | None = None, force: bool = False,
              extra: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """Write ``voi.nc`` (EVPI by perspective, EVPPI by factor and perspective:
    :meth:`mkba_mc.sensitivity.voi.VoiResult.to_dataset`), ``voi.csv`` (the
    long table, one row per factor and perspective) and the manifest (seed,
    n, sampler, population, input space, sampled parameters and their knop)."""
    from .provenance import space_text

    a = ds.attrs
    names = [str(f) for f, k in zip(ds["factor"].values, ds["kind"].values) if k == "parameter"]
    manifest = analysis_manifest(
        scenario, command, analysis="voi", n=int(a["n"]), seed=int(a["seed"]), sampler=a["sampler"],
        population=float(a["population"]), perspectives=[str(p) for p in ds["perspective"].values],
        method=a["method"], se_method=a["se_method"], elapsed_seconds=a["elapsed_seconds"],
        input_space=scenario.space, input_space_text=space_text(scenario.space),
        sampled_parameters=names, sampled_from={nm: scenario.sampled_from.get(nm, "distribution") for nm in names},
        fixed_normative={nm: scenario.params[nm] for nm, i in scenario.info.items() if i.kind == "normative"
                         and nm not in names},
        parameters={nm: {"knop": scenario.info[nm].knop if nm in scenario.info else ""} for nm in names},
        **(extra or {}))
    return write_bundle(out, {"voi.nc": lambda p: write_netcdf(ds, p),
                              "voi.csv": lambda p: table.to_csv(p, index=False)}, manifest, force=force)


__all__ = ["write_breakeven", "write_curve", "write_morris", "write_point", "write_sobol", "write_tornado",
           "write_voi"]


def write_discover(ds: xr.Dataset, out: str | Path, *, scenario: Scenario, command: Sequence[str] | None = None,
                   force: bool = False, extra: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """Write a scenario discovery (issue 13): ``discover.nc`` (the Dataset of
    :func:`mkba_mc.api.discover`), ``discover.csv`` (one row per event and
    restricted input: the box's limits, quasi-p-value, density gain, and the
    box's coverage, density and mass), ``trajectory.csv`` (the peeling
    trajectory of every event) and the manifest (seed, n, sampler, input
    space, events, PRIM's settings)."""
    import pandas as pd

    rows = []
    for ev in ds["event"].values:
        s = ds.sel(event=ev)
        head = {"event": str(ev), "status": str(s["status"].values), "samples_with_event": int(s["events"]),
                "box_number": int(s["chosen"]), "coverage": float(s["coverage"]), "density": float(s["density"]),
                "mass": float(s["mass"])}
        res = [p for p in ds["parameter"].values if not (pd.isna(float(s["lower"].sel(parameter=p)))
                                                         and pd.isna(float(s["upper"].sel(parameter=p))))]
        rows += [{**head, "parameter": str(p), **{k: float(s[k].sel(parameter=p)) for k in ("lower", "upper", "qp", "gain")}}
                 for p in res] or [{**head, "parameter": ""}]
    boxes = pd.DataFrame(rows)
    traj = (ds[["traj_coverage", "traj_density", "traj_mass", "traj_res_dim"]].to_dataframe().dropna().reset_index()
            .rename(columns=lambda c: c.removeprefix("traj_")))
    attrs = {k: (json.loads(v) if k in ("input_hashes", "versions", "overrides", "events") and isinstance(v, str) else v)
             for k, v in ds.attrs.items() if k not in ("scenario", "scenario_file")}
    manifest = analysis_manifest(scenario, command, **{**attrs, "analysis": "discover"}, **(extra or {}))
    return write_bundle(out, {"discover.nc": lambda p: write_netcdf(ds, p),
                              "discover.csv": lambda p: boxes.to_csv(p, index=False),
                              "trajectory.csv": lambda p: traj.to_csv(p, index=False)}, manifest, force=force)


__all__.append("write_discover")  # issue 13
