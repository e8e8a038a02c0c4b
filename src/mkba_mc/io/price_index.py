"""The CBS consumer price index: euros of one price year into another.

Money inputs carry a ``price_year``; :func:`price_index_factor` indexes them
to the distribution file's ``meta.price_year`` with the shipped CPI table.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ..errors import Problem
from .toml import read_toml

CPI_FILE = Path("price_index") / "cpi_cbs.toml"


@functools.lru_cache(maxsize=1)
def cpi_table() -> dict[int, float]:
    """The shipped CBS consumer price index (2015 = 100, yearly averages),
    ``distributions/price_index/cpi_cbs.toml`` (source: CBS StatLine,
    Consumentenprijzen; jaarmutatie CPI, 2015=100)."""
    from .distfile import (
        default_distribution_files,  # distfile indexes prices with this module
    )

    folder = default_distribution_files()[0].parent
    data = read_toml(folder / CPI_FILE)
    return {int(y): float(v) for y, v in data.get("index", {}).items()}


def price_index_factor(year: Any, base_year: Any, source: str, key: str) -> tuple[float, list[Problem]]:
    """The factor ``CPI[base_year] / CPI[year]`` that turns euros of ``year``
    into euros of ``base_year`` (1 when either is not given).

    A year outside the CPI table is a problem naming ``key``.
    """
    if not isinstance(year, int) or isinstance(year, bool) or not isinstance(base_year, int):
        return 1.0, []
    table = cpi_table()
    for y in {year, base_year}:
        if y not in table:
            return 1.0, [Problem(source, key, y, f"a price year of the CPI table {min(table)}-{max(table)} "
                                 f"({CPI_FILE}; CBS CPI 2015 = 100)")]
    return table[base_year] / table[year], []
