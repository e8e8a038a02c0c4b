"""The cost posts of one year of approach (kosten; MODEL.md §3B and §4).

One function per post of output screen A of the LPBL MKBA-tool
(meta-analyse MKBA's sociale (wijk)teams, LPBL for BZK, January 2014,
Bijlage 2; the posts are explained in §3.2 and §4.2):

* :func:`team_cost` -- ``C_team = team_fte * cost_per_fte + other_team_costs``
  ("kosten nieuwe aanpak", §3.2; caseloads of Tabel 3.10);
* :func:`one_off_cost` -- ``C_oneoff = friction_share * C_team + one_off_costs
  / amortisation_years`` (frictiekosten and other one-off costs spread over
  the four-year build-up of Figuur 4.8; Bijlage 2: EUR 100,000 -> 25,000);
* :func:`newly_found_cost` -- ``C_found[t] = newly_found_share *
  new_care_fraction * care_t`` (care that newly found households start to
  receive, §4.2);
* :func:`extra_care_cost` -- ``C_extra = sum_{g,t} max(0, -S[g,t])``: the care
  added where substitution is negative (Tabel 4.5 observes -40 %), a cost post
  of its own as in §4.2 and Figuur 4.3 ("extra trajecten"), never a negative
  benefit.

All costs fall in year 0 of the cohort (NCW = nominal), except extra care,
which follows the substitution profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from numpy.typing import ArrayLike

from .arith import Array, fixed_sum, param
from .reach import Reach
from .sets import SEVERITIES, TYPES


@dataclass(frozen=True)
class Costs:
    """The cost posts of one year of approach (MODEL.md §4).

    Attributes
    ----------
    team_fte : numpy.ndarray
        Team size used (``fte_need`` when the team follows the caseload).
    other_team : numpy.ndarray
        ``other_team_costs``.
    team : numpy.ndarray
        ``C_team``.
    one_off_cash : numpy.ndarray
        Friction plus other one-off costs: the cash of the first programme year.
    one_off : numpy.ndarray
        ``C_oneoff``, one year's share of :attr:`one_off_cash`.
    newly_found_by_type : dict
        ``C_found`` per household type.
    newly_found : numpy.ndarray
        ``C_found``.
    extra_care_by_type : dict
        Undiscounted extra care per household type (``sum_g max(0, -S[g,t])``).
    extra_care : numpy.ndarray
        ``C_extra``, discounted with the substitution profile.
    total : numpy.ndarray
        ``C_team + C_oneoff + C_found + C_extra``.
    """

    team_fte: ArrayLike
    other_team: Array
    team: ArrayLike
    one_off_cash: ArrayLike
    one_off: ArrayLike
    newly_found_by_type: dict[str, ArrayLike]
    newly_found: ArrayLike
    extra_care_by_type: dict[str, ArrayLike]
    extra_care: ArrayLike
    total: ArrayLike


def team_cost(params: Mapping[str, ArrayLike], team_fte: ArrayLike) -> tuple[Array, ArrayLike]:
    """``other_team_costs`` and ``C_team = team_fte * cost_per_fte + other_team_costs`` (§3.2)."""
    other_team = param(params, "other_team_costs")
    return other_team, team_fte * param(params, "cost_per_fte") + other_team


def one_off_cost(params: Mapping[str, ArrayLike], c_team: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """One-off cash and one year's share of it (frictiekosten, §3.2; Bijlage 2).

    The cash is friction (a share of one year's team cost) plus the other
    one-off costs; one year of approach carries ``1 / amortisation_years``
    of it.
    """
    oneoff_cash = param(params, "friction_share") * c_team + param(params, "one_off_costs")
    return oneoff_cash, oneoff_cash / param(params, "amortisation_years")


def care_use(params: Mapping[str, ArrayLike], r: Reach) -> dict[str, ArrayLike]:
    """Care per household type: ``care_t = sum_s n[t,s] * care_profile[t,s]``
    (zorgconsumptieprofiel, Figuur 2.3)."""
    return {t: fixed_sum(r.by_type_severity[t, s] * param(params, f"care_profile.{t}.{s}") for s in SEVERITIES)
            for t in TYPES}


def newly_found_cost(params: Mapping[str, ArrayLike], care_t: Mapping[str, ArrayLike]) -> dict[str, ArrayLike]:
    """``C_found[t] = newly_found_share * new_care_fraction * care_t`` (§4.2)."""
    nfs = param(params, "newly_found_share")
    ncf = param(params, "new_care_fraction")
    return {t: nfs * ncf * care_t[t] for t in TYPES}


def extra_care_cost(extra_t: Mapping[str, ArrayLike], df_substitution: ArrayLike) -> ArrayLike:
    """``C_extra``: the care added where substitution is negative (Tabel 4.5,
    §4.2, Figuur 4.3).  It happens when the substituted care would have, so
    it follows the substitution profile (year 0 by default: NCW = nominal),
    which keeps the balance equal to a booking as a negative benefit."""
    return fixed_sum(extra_t.values()) * df_substitution


def costs(params: Mapping[str, ArrayLike], r: Reach, team_from_caseload: bool,
          care_t: Mapping[str, ArrayLike], extra_t: dict[str, ArrayLike], df_substitution: ArrayLike) -> Costs:
    """Every cost post (:class:`Costs`)."""
    team_fte = r.fte_need if team_from_caseload else param(params, "team_fte")
    other_team, c_team = team_cost(params, team_fte)
    oneoff_cash, c_oneoff = one_off_cost(params, c_team)
    found_t = newly_found_cost(params, care_t)
    c_found = fixed_sum(found_t.values())
    c_extra = extra_care_cost(extra_t, df_substitution)
    total = c_team + c_oneoff + c_found + c_extra
    return Costs(team_fte, other_team, c_team, oneoff_cash, c_oneoff, found_t, c_found, extra_t, c_extra, total)


__all__ = ["Costs", "care_use", "costs", "extra_care_cost", "newly_found_cost", "one_off_cost", "team_cost"]
