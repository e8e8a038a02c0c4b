"""The conclusion about benefits and costs, worded after the spread of the balance.

Dutch MKBA guidance asks to state, next to the base case, whether the
conclusion holds over the plausible range (P5-P95 of the balance):
:func:`classify_balance` gives the verdict, :func:`uncertainty_wording` the
sentence in the guidance's wording.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from .formats import eur
from .text import texts

#: A sign change of the balance counts as "small" when both |P5| and |P95|
#: are below this share of the mean total cost.
SMALL_SHARE: Final[float] = 0.10


def classify_balance(p5: float, p95: float, mean_cost: float, small_share: float = SMALL_SHARE) -> str:
    """Classify the spread of the balance (benefits minus costs).

    Parameters
    ----------
    p5, p95 : float
        5th and 95th percentile of the balance: the plausible range.
    mean_cost : float
        Mean total cost; sets the scale of a "small" amount.
    small_share : float
        A sign change is small when both ``|p5|`` and ``|p95|`` are below
        ``small_share * mean_cost``.

    Returns
    -------
    str
        ``"roughly_equal"`` when the sign flips inside the plausible range
        (``p5 < 0 < p95``) by small amounts only; ``"uncertain"`` when it
        flips otherwise; ``"exceeds"`` when ``p5 >= 0`` (benefits exceed
        costs in at least 95 % of the samples); ``"falls_short"`` when
        ``p95 <= 0``.

    Raises
    ------
    ValueError
        If an argument is not a finite number or ``p5 > p95``.
    """
    values = (p5, p95, mean_cost)
    if not all(isinstance(v, (int, float, np.floating, np.integer)) and math.isfinite(float(v)) for v in values):
        raise ValueError(f"p5, p95 and mean_cost must be finite numbers, got {values}")
    if p5 > p95:
        raise ValueError(f"p5 ({p5}) must not exceed p95 ({p95})")
    if p5 < 0.0 < p95:
        limit = small_share * float(mean_cost)
        if abs(p5) < limit and abs(p95) < limit:
            return "roughly_equal"
        return "uncertain"
    return "exceeds" if p5 >= 0.0 else "falls_short"


def uncertainty_wording(p5: float, p95: float, mean_cost: float, lang: str = "nl") -> str:
    """The conclusion about benefits and costs in the guidance's wording.

    Dutch MKBA guidance asks to state, next to the base case, whether the
    conclusion holds over the plausible range: "onzeker of baten de kosten
    overtreffen" when the sign of the balance flips between its P5 and P95,
    "baten ongeveer gelijk aan kosten" when it flips only by small amounts
    (both below 10 % of the mean total cost), and otherwise that benefits
    exceed (fall short of) costs in more than 95 % of the samples.

    Parameters
    ----------
    p5, p95 : float
        5th and 95th percentile of the balance.
    mean_cost : float
        Mean total cost.
    lang : {"nl", "en"}
        Language of the sentence.

    Returns
    -------
    str
        One sentence, starting with "Conclusie:" (or "Conclusion:").
    """
    T = texts(lang)
    verdict = classify_balance(p5, p95, mean_cost)
    return T[f"verdict_{verdict}"].format(p5=eur(p5, lang), p95=eur(p95, lang), cost=eur(mean_cost, lang))


__all__ = ["SMALL_SHARE", "classify_balance", "uncertainty_wording"]
