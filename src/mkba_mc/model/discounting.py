"""Discount-rate regimes and discount factors.

Dutch guidance for social cost-benefit analysis (MKBA) changed the discount
rate twice since the LPBL MKBA-tool was built:

* ``lpbl_2014`` -- 5.5 %: 2.5 % real plus a 3 % risk premium, the rate of the
  2014 tool (meta-analyse 2014, footnote 13).
* ``mkba_2016`` -- 3.0 %: Werkgroep Discontovoet 2015, applied in MKBAs from
  2016 to 2020 (0 % risk-free real rate plus a 3 % general risk premium).
* ``mkba_2021`` -- 2.25 %: Werkgroep Discontovoet 2020, applied from 2021
  (risk-free real rate floored at 0 % plus a 2.25 % risk premium).

``mkba_2021`` is the default because it is the rate current Dutch guidance
prescribes for new MKBAs; a scenario that reproduces a 2014 analysis (such as
``scenarios/bijlage2_voorbeeld.toml``) names ``lpbl_2014``.

:func:`factors` computes the discount factors of one evaluation:
``DF_p = sum_y w_p[y] (1 + r)^-y`` for the time profile ``w_p`` of each
benefit post (MODEL.md §4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .sets import HORIZON, PROFILE_POSTS


@dataclass(frozen=True)
class DiscountRegime:
    """A named discount-rate preset and where it comes from."""

    name: str
    rate: float
    source: str


REGIMES: Final[dict[str, DiscountRegime]] = {
    r.name: r
    for r in (
        DiscountRegime(
            "lpbl_2014", 0.055,
            "meta-analyse MKBA's sociale (wijk)teams, LPBL/BZK 2014, footnote 13: 2.5 % real + 3 % risk premium",
        ),
        DiscountRegime(
            "mkba_2016", 0.03,
            "Rapport Werkgroep Discontovoet 2015 (Ministerie van Financien): 3 % incl. risk premium, used 2016-2020",
        ),
        DiscountRegime(
            "mkba_2021", 0.0225,
            "Rapport Werkgroep Discontovoet 2020 (Ministerie van Financien): 2.25 % incl. risk premium, from 2021",
        ),
    )
}

#: The regime a scenario gets when it names none.
DEFAULT_REGIME: Final[str] = "mkba_2021"


# ------------------------------------------------------------------ factors
@dataclass(frozen=True)
class Factors:
    """Discount factors of one evaluation (MODEL.md §4: ``DF_p = sum_y w_p[y] (1 + r)^-y``).

    Attributes
    ----------
    disc : list
        ``(1 + r)^-y`` for ``y = 0 .. HORIZON``, scalars or arrays over samples.
    profile : dict
        ``DF_p`` of every post of :data:`~mkba_mc.model.sets.PROFILE_POSTS`.
    work_weights : numpy.ndarray
        The time profile of the work benefits, ``(10,)`` or ``(10, n)``.
    work : float or numpy.ndarray
        ``DF_work``, the discount factor of :attr:`work_weights`.
    """

    disc: list[ArrayLike]
    profile: dict[str, ArrayLike]
    work_weights: NDArray[np.float64]
    work: ArrayLike


def discount_powers(rate: NDArray[np.float64]) -> list[ArrayLike]:
    """``(1 + r)^-y`` for ``y = 0 .. HORIZON``.

    Built by repeated multiplication, year-major, so that scalar and array
    rates take the same arithmetic per sample.
    """
    v = 1.0 / (1.0 + rate)
    disc: list[ArrayLike] = [1.0]
    for _ in range(HORIZON):
        disc.append(disc[-1] * v)
    return disc


def profile_factor(w: NDArray[np.float64], disc: Sequence[ArrayLike]) -> ArrayLike:
    """Discount factor ``sum_y w[y] disc[y]`` of a profile ``(10,)`` or ``(10, n)``."""
    acc: ArrayLike = 0.0
    for y in range(HORIZON + 1):
        wy = w[y]
        if wy.ndim or wy != 0.0:
            acc = acc + disc[y] * wy
    return acc


def work_weights(work_years: NDArray[np.float64]) -> NDArray[np.float64]:
    """Time profile of the work benefits: they last ``work_years`` from year 0
    (§4.3 of the meta-analysis), ``w[y] = clip(W - y, 0, 1) / W``.

    ``(10,)`` for a scalar ``W``; for ``W`` over samples ``(10, n)``, built
    year by year, so that a traced ``W`` (:mod:`mkba_mc.model.trace`) records
    the same operations and gets the list of its ten years.
    """
    years = np.arange(HORIZON + 1, dtype=np.float64)
    if work_years.ndim == 0:
        return np.clip(work_years - years, 0.0, 1.0) / work_years
    rows = [np.clip(work_years - y, 0.0, 1.0) / work_years for y in years]
    return np.stack(rows) if isinstance(work_years, np.ndarray) else rows  # type: ignore[return-value]


def factors(rate: NDArray[np.float64], work_years: NDArray[np.float64],
            profiles: Mapping[str, NDArray[np.float64]]) -> Factors:
    """Every discount factor of one evaluation (:class:`Factors`)."""
    disc = discount_powers(rate)
    w_work = work_weights(work_years)
    df_p = {k: profile_factor(profiles[k], disc) for k in PROFILE_POSTS}
    return Factors(disc, df_p, w_work, profile_factor(w_work, disc))
