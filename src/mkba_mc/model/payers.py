"""Who pays and who receives: payer rows, realisation shares and the time
profiles of the financial posts, shared by the actor, budget and programme views.

Payers follow §4.5 of the meta-analysis (LPBL for BZK, January 2014): every
post is split over the actors by a payer-share vector; the posts whose
financier depends on who is helped carry one vector per household type.
Realisation (verzilvering, §3.3.5 and §5.2): ``realisation_share[a]`` is the
share of actor ``a``'s financial benefits that becomes budget; it acts on
the budget views only, never on the NCW.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .arith import Array, param, weighted_sum
from .sets import ACTORS, COST_POSTS, FINANCIAL_POSTS, GEMEENTE_ACTORS, TYPES
from .structure import Structure

#: Column indices of the four municipal actors.
GEMEENTE_INDEX: Final[NDArray[np.intp]] = np.array([ACTORS.index(a) for a in GEMEENTE_ACTORS])

#: Which profile each financial post follows, in :data:`FINANCIAL_POSTS` order
#: (``work`` is derived from ``work_years``).
FIN_PROFILE_KEYS: Final[tuple[str, ...]] = (
    "new_for_old", *(["substitution"] * len(TYPES)), *(["work"] * 2 * len(TYPES)),
    *(["first_line"] * len(TYPES)), *(["second_line"] * len(TYPES)), *(["escalation"] * len(TYPES)),
)


def budget_profiles(prof: Mapping[str, Array], w_work: Array) -> tuple[Array, ...]:
    """Time profiles of the financial posts, in :data:`FINANCIAL_POSTS` order."""
    return tuple(w_work if k == "work" else prof[k] for k in FIN_PROFILE_KEYS)


@dataclass(frozen=True)
class Payers:
    """Payer rows of one evaluation, split by kind of post, and the realisation shares.

    Attributes
    ----------
    rows : numpy.ndarray
        ``structure.payer``, one row per post of :data:`~mkba_mc.model.sets.PAYER_POSTS`.
    cost, financial, immaterial : numpy.ndarray
        The rows of the cost, financial and immaterial posts.
    gemeente : numpy.ndarray
        Municipal share of each post (the sum over the four ``gemeente_*`` actors).
    realisation : list of numpy.ndarray
        ``realisation_share[a]`` per actor, scalars or arrays over samples.
    all_realised : bool
        Whether every realisation share is the scalar 1 (the budget views
        then equal the unrealised ones and skip the weighting).
    """

    rows: Array
    cost: Array
    financial: Array
    immaterial: Array
    gemeente: Array
    realisation: list[Array]
    all_realised: bool

    @classmethod
    def of(cls, structure: Structure, params: Mapping[str, ArrayLike]) -> Payers:
        """The payer rows of ``structure`` and the realisation shares in ``params``."""
        payer = structure.payer
        n_cost, n_fin = len(COST_POSTS), len(FINANCIAL_POSTS)
        real = [param(params, f"realisation_share.{a}") for a in ACTORS]
        return cls(payer, payer[:n_cost], payer[n_cost:n_cost + n_fin], payer[n_cost + n_fin:],
                   payer[:, GEMEENTE_INDEX].sum(axis=1), real, all(r.ndim == 0 and r == 1.0 for r in real))

    def realised_weight(self, row: Array, actors: Sequence[int]) -> ArrayLike:
        """``sum_a row[a] * realisation_share[a]`` over ``actors``."""
        return weighted_sum([self.realisation[a] for a in actors], row[list(actors)])


__all__ = ["FIN_PROFILE_KEYS", "GEMEENTE_INDEX", "Payers", "budget_profiles"]
