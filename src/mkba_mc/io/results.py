"""Results of a Monte Carlo run as xarray, JSON, CSV and Excel, with provenance.

``samples.nc`` holds the kept outputs per sample (and the sampled inputs when
asked); its attributes and ``manifest.json`` record everything needed to
repeat the run: package versions, seed, sampler, N, chunk size, workers, the
SHA-256 of every input file and the full command.  ``samples.nc`` is netCDF4
(see :func:`mkba_mc.io.output.write_netcdf`); its ``seed`` attribute is a
``uint64`` equal to the ``seed`` integer of ``manifest.json``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..model.outputs import POINT_KEYS
from ..model.point import point_summary
from ..model.sets import ACTORS
from .atomic import write_bundle
from .provenance import provenance, space_text, versions

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from ..execution.montecarlo import MonteCarloResult


def point_percentiles(result: MonteCarloResult) -> dict[str, tuple[float, float]]:
    """The deterministic point estimate of every kept output and the
    percentile (0-100) of the run's samples at which it falls.

    The percentile is the mid-rank ``100 (#{y < point} + #{y = point} / 2) / n``
    over the samples that are not NaN. With expected-value centring
    (reference/uncertainty.md §2) a point near the 50th percentile says the
    point estimate is a typical outcome of its own Monte Carlo.
    """
    from ..execution.summary import columns

    kept = [o for o in result.outputs if o in POINT_KEYS or o == "balance_gemeente" or o == "actor_balance"]
    point = columns({k: np.atleast_1d(v) if np.ndim(v) < 2 else v
                     for k, v in result.scenario.evaluate(outputs=kept).items() if k in kept})
    cols = columns({k: result.outputs[k] for k in kept})
    out: dict[str, tuple[float, float]] = {}
    for name, y in cols.items():
        if name not in point:
            continue
        p = float(np.ravel(point[name])[0])
        valid = y.size - np.count_nonzero(np.isnan(y))  # counted in place: no copy of a column of 10^7
        if valid == 0 or not math.isfinite(p):
            out[name] = (p, math.nan)
            continue
        below = np.count_nonzero(y < p)  # NaN compares false: only valid samples count
        equal = np.count_nonzero(y == p)
        out[name] = (p, 100.0 * (below + 0.5 * equal) / valid)
    return out


def to_dataset(result: MonteCarloResult, command: Sequence[str] | None = None) -> xr.Dataset:
    """The kept samples as an :class:`xarray.Dataset` (dims ``sample``, ``actor``,
    ``parameter``) with the provenance in ``attrs`` (nested values as JSON)."""
    import xarray as xr

    data_vars: dict[str, Any] = {}
    for name, arr in result.outputs.items():
        if arr.ndim == 1:
            data_vars[name] = ("sample", arr)
        else:
            data_vars[name] = (("sample", "actor"), arr)
    coords: dict[str, Any] = {"sample": np.arange(result.n), "actor": list(ACTORS)}
    if result.inputs is not None:
        names = list(result.inputs)
        data_vars["inputs"] = (("sample", "parameter"), np.column_stack([result.inputs[k] for k in names]))
        coords["parameter"] = names
    ds = xr.Dataset(data_vars, coords=coords)
    ds.attrs = sample_attrs(result, command)
    return ds


def sample_attrs(result: MonteCarloResult, command: Sequence[str] | None = None) -> dict[str, Any]:
    """The attributes of ``samples.nc``: the provenance (nested values as
    JSON, ``None`` left out) and a title.

    Not the run's wall time (``elapsed_seconds``, in ``manifest.json``): a
    streamed ``run --out`` closes samples.nc before the run has ended, so
    that its hash is computed while the summary is
    (:meth:`mkba_mc.io.stream.RunOutput.complete`)."""
    prov = provenance(result, command)
    prov.pop("elapsed_seconds", None)
    attrs = {k: (v if isinstance(v, (str, int, float)) else json.dumps(v)) for k, v in prov.items() if v is not None}
    attrs["title"] = f"mkba_mc Monte Carlo samples: {result.scenario.name}"
    return attrs


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (np.floating, np.integer)):
        return _clean(v.item())
    return v


def summary_json(result: MonteCarloResult) -> dict[str, Any]:
    """The run's summary with the keys of ``point --json`` plus the
    probabilities: every output's statistics (``None`` for an output the run
    did not keep; ``run.kept_outputs`` lists them), per actor the balance
    statistics and P(balance >= 0), and the run's settings."""
    df = result.summary()
    probs = result.probabilities()
    points = point_percentiles(result)

    def stats(row: str) -> dict[str, Any] | None:
        if row not in df.index:
            return None
        out = {k: _clean(v) for k, v in df.loc[row].items()}
        if row in points:
            out["point"] = _clean(points[row][0])
            out["point_percentile"] = _clean(points[row][1])
        return out

    obj: dict[str, Any] = {key: stats(key) for key in POINT_KEYS}
    # the municipal programme view beside the total one (None without --programme)
    obj["payback_year_gemeente"] = stats("payback_year_gemeente")
    obj["prefinancing_gemeente"] = stats("prefinancing_gemeente")
    actors: dict[str, Any] = {}
    for actor in ACTORS:
        actors[actor] = {"balance": stats(f"actor_balance.{actor}"),
                         "p_balance_ge_0": probs.get(f"actor_balance_ge_0.{actor}")}
    actors["gemeente"] = {"balance": stats("balance_gemeente"), "p_balance_ge_0": probs.get("balance_gemeente_ge_0")}
    obj["actors"] = actors
    obj["probabilities"] = {k: {kk: _clean(vv) for kk, vv in v.items()} for k, v in probs.items()}
    obj["run"] = {"n": result.n, "seed": result.plan.seed, "sampler": result.plan.sampler,
                  "input_space": result.scenario.space, "input_space_text": space_text(result.scenario.space),
                  "sampled_from": {nm: result.scenario.sampled_from.get(nm, "distribution") for nm in result.plan.names},
                  "kept_outputs": list(result.outputs),
                  "elapsed_seconds": round(result.elapsed, 3), "convergence": result.convergence,
                  "warnings": list(result.warnings)}
    return obj


def _probability_frame(probs: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    import pandas as pd  # here: the console table of ``run`` (point_percentiles) needs no pandas

    df = pd.DataFrame.from_dict(probs, orient="index")
    df.index.name = "event"
    return df


#: Quantiles of the programme's cumulative cash flow kept in ``samples.nc``.
BAND_QUANTILES = (0.1, 0.5, 0.9)
#: The views of the band: key of ``result.programme_band()`` by ``view`` coordinate.
BAND_VIEWS = {"total": "cumulative_cashflow_total", "gemeente": "cumulative_cashflow_gemeente"}
BAND_LONG_NAME = "quantiles over the draws of the programme's cumulative cash flow (EUR)"


def with_programme_band(ds: xr.Dataset, result: MonteCarloResult) -> xr.Dataset:
    """``ds`` with the variable ``programme_band`` (dims ``view``, ``quantile``,
    ``year``) when the run computed the programme's cumulative cash-flow band.

    The band is computed by the engine (``result.programme_band()``: arrays
    ``(3, years)`` of the quantiles :data:`BAND_QUANTILES` per view), so the
    report reads it from the file instead of re-running the model. A result
    without a band (no programme view kept) gives ``ds`` unchanged.
    """
    band_of = getattr(result, "programme_band", None)
    band = band_of() if callable(band_of) else None
    if not isinstance(band, Mapping):
        return ds
    import xarray as xr

    values = np.stack([np.asarray(band[key], dtype=float) for key in BAND_VIEWS.values()])
    years = values.shape[-1]
    return ds.assign(programme_band=xr.DataArray(
        values, dims=("view", "quantile", "year"),
        coords={"view": list(BAND_VIEWS), "quantile": list(BAND_QUANTILES), "year": np.arange(1, years + 1)},
        attrs={"long_name": BAND_LONG_NAME}))


def _band_spec(result: MonteCarloResult) -> dict[str, Any] | None:
    """The programme band as :meth:`mkba_mc.io.samples_file.SamplesFile.finish` takes it (None without one)."""
    band_of = getattr(result, "programme_band", None)
    band = band_of() if callable(band_of) else None
    if not isinstance(band, Mapping):
        return None
    values = np.stack([np.asarray(band[key], dtype=float) for key in BAND_VIEWS.values()])
    return {"values": values, "view": list(BAND_VIEWS), "quantile": list(BAND_QUANTILES), "long_name": BAND_LONG_NAME}


def write_samples(result: MonteCarloResult, path: str | Path, command: Sequence[str] | None = None) -> None:
    """Write ``samples.nc`` of a finished run from its arrays, chunk by chunk
    (:class:`mkba_mc.io.samples_file.SamplesFile`; no copy of the samples).

    The same variables, coordinates and attributes as :func:`to_dataset`
    with :func:`with_programme_band`; a run that streamed (``run(sink=...)``)
    has written its chunks already and is finished by :func:`write_run`.
    """
    from .samples_file import SamplesFile

    shapes = {k: tuple(a.shape[1:]) for k, a in result.outputs.items()}
    names = list(result.inputs) if result.inputs is not None else None
    f = SamplesFile(path, result.n, shapes, ACTORS, names)
    try:
        f.write_rows(result.outputs, result.inputs, result.n)
        f.finish(sample_attrs(result, command), _band_spec(result))
    except BaseException:
        f.abort()
        raise


def write_run(result: MonteCarloResult, out_dir: str | Path, *, force: bool = False,
              command: Sequence[str] | None = None, extra: Mapping[str, Any] | None = None,
              workbook: Any = None) -> dict[str, Path]:
    """Write ``samples.nc``, ``summary.csv``, ``point.json``, ``summary.xlsx`` and ``manifest.json``.

    ``point.json`` is the point estimate (the object of ``mkba-mc point
    --json``, :func:`mkba_mc.model.point.point_summary`), so that a report of
    the run folder shows it without evaluating the model.  ``workbook`` is the
    writer of ``summary.xlsx``, ``workbook(result, summary, probabilities,
    point, path)``; the CLI and ``batch`` pass :func:`mkba_mc.report.excel.write_summary_workbook`
    (the workbook's content is the report's).  Without it no workbook is written.

    ``samples.nc`` holds what :func:`to_dataset` holds and, when the run has
    one, the programme band (:func:`with_programme_band`), written chunk by
    chunk from the run's arrays (:func:`write_samples`), or -- when the run
    streamed into this folder (``result.sink``, a
    :class:`mkba_mc.io.stream.RunOutput` of ``out_dir``) -- already written
    during the run and finished here.  The folder is written all or
    nothing; the manifest comes last and lists the SHA-256 of the others,
    so a folder with a manifest is complete.
    """
    from .stream import RunOutput

    summary = result.summary()
    probs = _probability_frame(result.probabilities())

    def write_csv(p: Path) -> None:
        import pandas as pd

        both = pd.concat([summary.reset_index().assign(kind="statistic"),
                          probs.reset_index().rename(columns={"event": "output"}).assign(kind="probability")],
                         ignore_index=True)
        both.to_csv(p, index=False)

    point = point_summary(result.scenario.evaluate())
    files: dict[str, Any] = {
        "summary.csv": write_csv,
        "point.json": lambda p: p.write_text(json.dumps(point, indent=2) + "\n", encoding="utf-8"),
    }
    if workbook is not None:
        files["summary.xlsx"] = lambda p: workbook(result, summary, probs, point, p)
    manifest = {**provenance(result, command), **(extra or {})}
    sink = getattr(result, "sink", None)
    if isinstance(sink, RunOutput) and not sink.done and sink.target == Path(os.path.realpath(out_dir)):
        return sink.commit(sample_attrs(result, command), _band_spec(result), files, manifest,
                           lambda p: write_samples(result, p, command))
    return write_bundle(out_dir, {"samples.nc": lambda p: write_samples(result, p, command), **files}, manifest,
                        force=force)


__all__ = ["point_percentiles", "provenance", "sample_attrs", "summary_json", "to_dataset", "versions",
           "write_run", "write_samples"]

