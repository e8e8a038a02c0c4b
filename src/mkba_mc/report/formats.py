"""Number formatting of the reports, Dutch and English, in one place.

Key figures have a stable format that tests and readers can search for:
probabilities with three decimals (``0.777``) and ratios with two
(``1.31``), both with a decimal point in either language; euros and counts
are grouped by the language's thousands separator (``€ 1.234.567`` in
Dutch, ``€ 1,234,567`` in English).  The console screens print Dutch
ratios with a decimal comma (``decimal_comma=True``), as the LPBL
MKBA-tool does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .labels import NOT_APPLICABLE

#: Shown for a missing or undefined number.
MISSING = "–"


def finite(v: Any) -> bool:
    """True for a finite real number (not None, NaN or inf)."""
    return v is not None and isinstance(v, (int, float, np.floating, np.integer)) and math.isfinite(float(v))


def grouped(x: float, lang: str) -> str:
    """A whole number grouped by thousands: ``1.234.567`` (nl) or ``1,234,567`` (en)."""
    s = f"{x:,.0f}"
    return s.replace(",", ".") if lang == "nl" else s


def eur(v: Any, lang: str) -> str:
    """Euros without decimals: ``€ 1.234.567`` (nl) or ``€ 1,234,567`` (en); ``–`` when not finite."""
    return f"€ {grouped(float(v), lang)}" if finite(v) else MISSING


def count(n: int, lang: str) -> str:
    """A count with the language's thousands separator."""
    return grouped(n, lang)


def thousands(lang: str) -> Callable[[float, Any], str]:
    """Tick formatter: euros in thousands with the language's grouping."""
    def fmt(v: float, _pos: Any = None) -> str:
        return grouped(v / 1000, lang)

    return fmt


def prob(v: Any, digits: int = 3) -> str:
    """A probability with ``digits`` decimals (three: the stable format of the report's key figures)."""
    return f"{float(v):.{digits}f}" if finite(v) else MISSING


def ratio(v: Any, lang: str, *, decimal_comma: bool = False) -> str:
    """A ratio with two decimals, ``n.v.t.``/``n/a`` when undefined; a decimal
    comma in Dutch only with ``decimal_comma`` (the console screens)."""
    if not finite(v):
        return NOT_APPLICABLE[lang]
    s = f"{float(v):.2f}"
    return s.replace(".", ",") if decimal_comma and lang == "nl" else s


def percent(share: float, spec: str = ".0f") -> str:
    """A share as a percentage with a space before the sign: ``80 %``."""
    return f"{100.0 * float(share):{spec}} %"


def number(v: Any, digits: int = 4) -> str:
    """A plain number: ``digits`` significant digits, or whole numbers grouped
    by a narrow space from 10 000 on (a point or comma would be ambiguous
    between the languages)."""
    if not finite(v):
        return MISSING
    x = float(v)
    if abs(x) >= 10_000:
        return f"{x:,.0f}".replace(",", "\u202f")
    return f"{x:.{digits}g}"


def value_text(parameter: str, v: Any, lang: str) -> str:
    """A value of a swept input: euros for the QALY value, a percentage for
    the discount rate, else a plain number."""
    if not finite(v):
        return MISSING
    if parameter == "qaly_value":
        return eur(v, lang)
    if parameter == "discount_rate":
        return percent(v, ".4g")
    return number(v)


__all__ = ["MISSING", "count", "eur", "finite", "grouped", "number", "percent", "prob", "ratio", "thousands",
           "value_text"]
