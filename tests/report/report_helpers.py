"""Helpers of the report tests: running the CLI, completing a run folder
with what the engine writes for the report, reading key figures."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from typer.testing import CliRunner

from mkba_mc.cli import app

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
runner = CliRunner()


def invoke(*args: object) -> str:
    """Run ``mkba-mc`` with ``args``; fail the test on a non-zero exit code; return stdout."""
    r = runner.invoke(app, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    return r.stdout


def write_point_json(folder: Path, *overrides: str) -> Path:
    """``point.json`` of Bijlage 2 in ``folder`` (``mkba-mc point --json``, with ``--set`` overrides)."""
    sets = [a for o in overrides for a in ("--set", o)]
    path = folder / "point.json"
    path.write_text(invoke("point", B2, *sets, "--json"), encoding="utf-8")
    return path


def band_values(years: int = 10) -> np.ndarray:
    """A programme band ``(view, quantile, year)`` with distinct, recognisable numbers."""
    t = np.arange(1, years + 1, dtype=np.float64)
    p50 = np.stack([-300_000.0 + 60_000.0 * t, -200_000.0 + 30_000.0 * t])
    return np.stack([p50 - 80_000.0, p50, p50 + 90_000.0], axis=1)


def add_programme_band(run_dir: Path, years: int = 10) -> np.ndarray:
    """Put ``programme_band`` (view, quantile, year) into the run's samples.nc, as
    ``run --programme`` writes it, unless the run already has one; return the band."""
    path = run_dir / "samples.nc"
    with xr.open_dataset(path) as ds:
        ds = ds.load()
    if "programme_band" in ds.data_vars:
        return np.asarray(ds["programme_band"].transpose("view", "quantile", "year").values)
    band = band_values(years)
    ds["programme_band"] = xr.DataArray(band, dims=("view", "quantile", "year"),
                                        coords={"view": ["total", "gemeente"], "quantile": [0.1, 0.5, 0.9],
                                                "year": np.arange(1, years + 1)})
    tmp = path.with_name("samples.tmp.nc")
    ds.to_netcdf(tmp)
    tmp.replace(path)
    return band


def summary_row(run_dir: Path, output: str, kind: str = "statistic") -> pd.Series:
    """One row of the run's summary.csv."""
    df = pd.read_csv(run_dir / "summary.csv")
    return df[(df["kind"] == kind) & (df["output"] == output)].iloc[0]


def key_value(page: str, key: str) -> str:
    """The text of the key figure ``data-key=key`` in a report page."""
    m = re.search(rf'data-key="{re.escape(key)}">([^<]*)<', page)
    assert m, f"no key figure {key}"
    return m.group(1)


def styled(x: float, lang: str = "nl", digits: int = 2, *, pct: bool = False) -> str:
    """``x`` as the reports must write it (``87,4 %``/``1,31`` in Dutch, ``87.4 %``/``1.31`` in English):
    the test's own rendering of the house style, for key figures below 1 000."""
    s = f"{100 * x if pct else x:.{digits}f}"
    s = s.replace(".", ",") if lang == "nl" else s
    return f"{s} %" if pct else s
