"""The fixed (never sampled) inputs of the model: payer shares, time profiles
and the programme settings, with the cohort matrix of the programme view.

The programme view follows Figuur 4.8 of the meta-analysis (LPBL for BZK,
January 2014): a cohort starts every year and reach builds up linearly over
``ramp_years`` (MODEL.md §5, view 4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from numpy.typing import NDArray

from .sets import HORIZON

Array = NDArray[np.float64]

#: Years of a cohort's effects, 0 .. HORIZON.
N_YEARS: Final[int] = HORIZON + 1
#: Years counted in screen B ("begroting na 2 jaar"): cohorts aged 0, 1, 2.
BUDGET_YEARS: Final[int] = 3


@dataclass(frozen=True)
class Structure:
    """Fixed (never sampled) inputs of the model.

    Parameters
    ----------
    payer : numpy.ndarray
        Payer shares, shape ``(len(PAYER_POSTS), len(ACTORS))``; each row
        sums to one (who pays a cost, who receives a benefit).
    profiles : Mapping[str, numpy.ndarray]
        Time profile over years ``0 .. 9`` for each post of
        :data:`~mkba_mc.model.sets.PROFILE_POSTS`; each sums to one.
    team_from_caseload : bool
        Use ``fte_need`` as the team size instead of ``team_fte``.
    ramp_years : int
        Years over which reach and new-for-old share build up linearly in
        the programme view (Figuur 4.8 shows four).
    programme_years : int
        Length of the programme view.
    """

    payer: Array
    profiles: Mapping[str, Array]
    team_from_caseload: bool = False
    ramp_years: int = 4
    programme_years: int = 10
    _conv: Array = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ramp = np.minimum(1.0, (np.arange(self.programme_years) + 1.0) / self.ramp_years)
        conv = np.zeros((N_YEARS, self.programme_years))
        for y in range(N_YEARS):
            for year in range(y, self.programme_years):
                conv[y, year] = ramp[year - y]
        object.__setattr__(self, "_conv", conv)
        object.__setattr__(self, "_ramp", ramp)

    @property
    def ramp(self) -> Array:
        """Reach of the cohort started in each programme year (0..1)."""
        return self._ramp  # type: ignore[attr-defined,no-any-return]

    @property
    def cohort_matrix(self) -> Array:
        """``M[y, Y]``: weight of a cohort's year-``y`` flow in programme year ``Y``."""
        return self._conv


__all__ = ["BUDGET_YEARS", "N_YEARS", "Structure"]
