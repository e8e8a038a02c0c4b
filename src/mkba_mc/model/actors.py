"""Views 2 of MODEL.md §5: the NCW of every post split over the actors who
pay or receive it, and the municipality's ratios and balance.

Each post is split by its payer shares (meta-analyse 2014, §4.5);
``ratio_gemeente`` is the municipality's financial benefit over its cost
(MODEL.md §4), ``ratio_gemeente_realised`` the same with each actor's
benefit multiplied by its realisation share (verzilvering, §3.3.5, §5.2).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from numpy.typing import ArrayLike

from .arith import fixed_sum, safe_ratio, split, weighted_sum
from .payers import GEMEENTE_INDEX, Payers
from .sets import COST_POSTS, FINANCIAL_POSTS

#: Outputs of this view.
NCW_OUTPUTS: frozenset[str] = frozenset({"ratio_gemeente", "ratio_gemeente_realised", "balance_gemeente",
                                         "actor_ncw_cost", "actor_ncw_benefit", "actor_ncw_benefit_financial",
                                         "actor_balance"})


def actor_ncw(want: Collection[str], payers: Payers, cost_amounts: Sequence[ArrayLike],
              ncw_fin: Sequence[ArrayLike], immaterial: Sequence[ArrayLike]) -> dict[str, ArrayLike]:
    """The NCW outputs per actor and for the municipality.

    Parameters
    ----------
    want : collection of str
        Outputs asked for (only those of :data:`NCW_OUTPUTS` are computed).
    payers : Payers
        Payer rows and realisation shares.
    cost_amounts, ncw_fin, immaterial : sequence
        Discounted cost, financial and immaterial posts, in the order of
        :data:`~mkba_mc.model.sets.PAYER_POSTS`.

    Returns
    -------
    dict
        The scalar outputs, and the actor outputs as one value per actor
        (:func:`~mkba_mc.model.arith.split`).
    """
    out: dict[str, ArrayLike] = {}
    n_cost, n_fin = len(COST_POSTS), len(FINANCIAL_POSTS)
    g_share = payers.gemeente
    g_cost = weighted_sum(cost_amounts, g_share[:n_cost])
    if "actor_balance" in want:
        # benefits minus costs per actor in one accumulation; the
        # municipality's balance is the sum of its four actors (the
        # immaterial posts have no municipal share)
        balance_actor = split((*ncw_fin, *immaterial, *cost_amounts),
                              np.vstack([payers.financial, payers.immaterial, -payers.cost]))
        out["actor_balance"] = balance_actor
        g_bal = fixed_sum(balance_actor[i] for i in GEMEENTE_INDEX) - weighted_sum(
            immaterial, g_share[n_cost + n_fin:])
        g_fin = g_bal + g_cost
    else:
        g_fin = weighted_sum(ncw_fin, g_share[n_cost:n_cost + n_fin])
        g_bal = np.subtract(g_fin, g_cost)
    out["ratio_gemeente"] = safe_ratio(g_fin, g_cost)
    out["balance_gemeente"] = g_bal
    if "ratio_gemeente_realised" in want:
        if payers.all_realised:
            out["ratio_gemeente_realised"] = out["ratio_gemeente"]
        else:
            g_real = fixed_sum(a * payers.realised_weight(row, GEMEENTE_INDEX)
                               for a, row in zip(ncw_fin, payers.financial))
            out["ratio_gemeente_realised"] = safe_ratio(g_real, g_cost)
    if set(want) & {"actor_ncw_cost", "actor_ncw_benefit", "actor_ncw_benefit_financial"}:
        actor_cost = split(cost_amounts, payers.cost)
        actor_fin = split(ncw_fin, payers.financial)
        out.update(actor_ncw_cost=actor_cost, actor_ncw_benefit_financial=actor_fin,
                   actor_ncw_benefit=[f + i for f, i in zip(actor_fin, split(immaterial, payers.immaterial))])
    return out


__all__ = ["NCW_OUTPUTS", "actor_ncw"]
