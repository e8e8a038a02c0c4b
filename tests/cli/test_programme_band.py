"""``samples.nc`` carries the programme band the engine computed (issue 11: the report reads it)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from mkba_mc.io.results import BAND_QUANTILES, with_programme_band


class _WithBand:
    def __init__(self, years: int) -> None:
        rng = np.random.default_rng(1)
        self.band = {"cumulative_cashflow_total": np.sort(rng.normal(size=(3, years)), axis=0),
                     "cumulative_cashflow_gemeente": np.sort(rng.normal(size=(3, years)), axis=0)}

    def programme_band(self) -> dict:
        return self.band


class _NoBand:
    def programme_band(self) -> None:
        return None


def test_the_band_is_stored_by_view_quantile_and_year() -> None:
    result = _WithBand(10)
    ds = with_programme_band(xr.Dataset({"ratio_social": ("sample", np.ones(4))}), result)  # type: ignore[arg-type]
    band = ds["programme_band"]
    assert band.dims == ("view", "quantile", "year")
    assert list(band["view"].values) == ["total", "gemeente"]
    assert list(band["quantile"].values) == list(BAND_QUANTILES) == [0.1, 0.5, 0.9]
    assert list(band["year"].values) == list(range(1, 11))
    assert np.array_equal(band.sel(view="gemeente").values, result.band["cumulative_cashflow_gemeente"])
    assert np.array_equal(band.sel(view="total", quantile=0.5).values, result.band["cumulative_cashflow_total"][1])


def test_a_result_without_a_band_leaves_the_dataset_alone() -> None:
    ds = xr.Dataset({"ratio_social": ("sample", np.ones(4))})
    assert with_programme_band(ds, _NoBand()) is ds  # type: ignore[arg-type]
    assert with_programme_band(ds, object()) is ds  # type: ignore[arg-type]
