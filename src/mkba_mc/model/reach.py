"""Reach (bereik): the households in one year of approach and the team they need.

MODEL.md §3A: ``n[t,s] = households * type_share[t] * severity_share[t,s]``,
``n_t = sum_s n[t,s]``, ``n_mv[t] = sum_{s in mv} n[t,s]`` and
``fte_need = sum_{t,s} n[t,s] / caseload[s]``, with the caseloads of Tabel
3.10 of the meta-analysis (LPBL for BZK, January 2014; Bijlage 2 gives
3.56 fte for the published 3.6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from numpy.typing import ArrayLike

from .arith import Array, fixed_sum, param
from .sets import MV, SEVERITIES, TYPES


@dataclass(frozen=True)
class Reach:
    """Households reached, by type and severity.

    Attributes
    ----------
    households : numpy.ndarray
        Households in one year of approach.
    by_type_severity : dict
        ``n[t, s]`` keyed by ``(type, severity)``.
    by_type : dict
        ``n_t`` per household type.
    multi_problem : dict
        ``n_mv[t]``: the households of type ``t`` with multiple problems.
    fte_need : numpy.ndarray
        Team size that the caseloads call for.
    """

    households: Array
    by_type_severity: dict[tuple[str, str], ArrayLike]
    by_type: dict[str, ArrayLike]
    multi_problem: dict[str, ArrayLike]
    fte_need: ArrayLike


def reach(params: Mapping[str, ArrayLike]) -> Reach:
    """Households per type and severity and the caseload-based team size (MODEL.md §3A)."""
    households = param(params, "households")
    n_ts: dict[tuple[str, str], ArrayLike] = {}
    for t in TYPES:
        nt = households * param(params, f"type_share.{t}")
        for s in SEVERITIES:
            n_ts[t, s] = nt * param(params, f"severity_share.{t}.{s}")
    n_t = {t: fixed_sum(n_ts[t, s] for s in SEVERITIES) for t in TYPES}
    n_mv = {t: fixed_sum(n_ts[t, s] for s in MV) for t in TYPES}
    fte_need = fixed_sum(fixed_sum(n_ts[t, s] for t in TYPES) / param(params, f"caseload.{s}")
                         for s in SEVERITIES)
    return Reach(households, n_ts, n_t, n_mv, fte_need)


__all__ = ["Reach", "reach"]
