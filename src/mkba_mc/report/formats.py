"""Number formatting of every output, Dutch and English, in one place.

Dutch output writes ``€ 1.234.567``, ratios ``1,31`` and probabilities and
percentages ``87,4 %``; English output writes ``€1,234,567``, ``1.31`` and
``87.4 %``. The console tables (:mod:`mkba_mc.report.console`,
:mod:`mkba_mc.report.screens`), the report's text and tables and the plot
axes (the ``*_ticks`` formatters) all use these functions, so that one
document never mixes the two styles. No format uses e-notation.
Machine-readable files (JSON, CSV, netCDF) keep plain numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from .labels import NOT_APPLICABLE

#: Shown for a missing or undefined number.
MISSING = "–"

#: Decimal and thousands separator per language.
SEPARATORS = {"nl": (",", "."), "en": (".", ",")}


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def visible_text(text: str) -> str:
    """``text`` with every control character written as ``\\xNN`` (a bell in a
    scenario name shows as ``\\x07``, as in the workbooks, instead of a missing
    glyph in a figure)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def finite(v: Any) -> bool:
    """True for a finite real number (not None, NaN or inf)."""
    return v is not None and isinstance(v, (int, float, np.floating, np.integer)) and math.isfinite(float(v))


def _localise(s: str, lang: str) -> str:
    """Swap the separators of a Python ``f"{x:,.Nf}"`` string into the language's."""
    dec, sep = SEPARATORS[lang]
    return s.replace(",", "\0").replace(".", dec).replace("\0", sep)


def decimal(v: Any, lang: str, digits: int = 2) -> str:
    """A number with ``digits`` decimals, grouped by thousands.

    Parameters
    ----------
    v : float
        The number; ``–`` when it is not finite.
    lang : {"nl", "en"}
        ``1.234,57`` (nl) or ``1,234.57`` (en).
    digits : int
        Number of decimals.

    Returns
    -------
    str
    """
    if not finite(v):
        return MISSING
    x = float(v)
    s = _localise(f"{x:,.{digits}f}", lang)
    return s if s.strip("-0,.") else s.lstrip("-")  # no "-0,00"


def grouped(x: float, lang: str) -> str:
    """A whole number grouped by thousands: ``1.234.567`` (nl) or ``1,234,567`` (en)."""
    return decimal(x, lang, 0)


def eur(v: Any, lang: str) -> str:
    """Euros without decimals: ``€ 1.234.567`` (nl), ``€1,234,567`` (en); ``–`` when not finite.

    A negative amount keeps its sign in front of the number: ``€ -12.000``
    (nl), ``-€12,000`` (en).
    """
    if not finite(v):
        return MISSING
    g = grouped(float(v), lang)
    if lang == "nl":
        return f"€ {g}"
    return f"-€{g[1:]}" if g.startswith("-") else f"€{g}"


def count(n: int, lang: str) -> str:
    """A count with the language's thousands separator."""
    return grouped(n, lang)


def ratio(v: Any, lang: str) -> str:
    """A ratio with two decimals (``1,31`` nl, ``1.31`` en); ``n.v.t.``/``n/a`` when undefined."""
    return decimal(v, lang, 2) if finite(v) else NOT_APPLICABLE[lang]


def percent(share: Any, lang: str, digits: int = 0) -> str:
    """A share as a percentage with a space before the sign: ``87,4 %`` (nl), ``87.4 %`` (en)."""
    return f"{decimal(100.0 * float(share), lang, digits)} %" if finite(share) else MISSING


def prob(v: Any, lang: str, digits: int = 1) -> str:
    """A probability as a percentage with ``digits`` decimals: ``87,4 %`` (nl), ``87.4 %`` (en)."""
    return percent(v, lang, digits)


def number(v: Any, lang: str, digits: int = 4) -> str:
    """A plain number with ``digits`` significant digits and no e-notation:
    ``0,1469`` and ``14.618`` (nl), ``0.1469`` and ``14,618`` (en).

    Whole numbers from 10 000 on are shown whole and grouped; trailing zeros
    after the decimal separator are dropped.
    """
    if not finite(v):
        return MISSING
    x = float(v)
    if x == 0:
        return "0"
    if abs(x) >= 10_000:
        return grouped(x, lang)
    places = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    s = decimal(x, lang, places)
    dec = SEPARATORS[lang][0]
    return s.rstrip("0").rstrip(dec) if dec in s else s


def small_percent(share: Any, lang: str, digits: int = 1) -> str:
    """A share that may be tiny: ``12,5 %``, or ``< 0,1 %`` below the last shown
    decimal (not ``0,0000000029 %``); ``0 %`` only when it is zero."""
    if finite(share) and 0 < abs(float(share)) < 0.5 * 10.0 ** (-digits) / 100.0:
        return f"< {decimal(10.0 ** -digits, lang, digits)} %"
    return percent(share, lang, digits)


def p_value(v: Any, lang: str) -> str:
    """A (quasi-)p-value: three decimals, ``< 0,001`` below (``0,0000...01`` helps no reader)."""
    if finite(v) and 0 <= float(v) < 0.001:
        return f"< {decimal(0.001, lang, 3)}"
    return decimal(v, lang, 3) if finite(v) else MISSING


def value_text(parameter: str, v: Any, lang: str) -> str:
    """A value of a swept input: euros for the QALY value, a percentage for
    the discount rate, else a plain number."""
    if not finite(v):
        return MISSING
    if parameter == "qaly_value":
        return eur(v, lang)
    if parameter == "discount_rate":
        return f"{number(100.0 * float(v), lang)} %"
    return number(v, lang)


def _ticks(fmt: Callable[[float], str]) -> Callable[[float, Any], str]:
    def tick(v: float, _pos: Any = None) -> str:
        return fmt(v)

    return tick


def thousands(lang: str) -> Callable[[float, Any], str]:
    """Tick formatter (matplotlib ``FuncFormatter``): euros in thousands with the language's grouping."""
    return _ticks(lambda v: grouped(v / 1000, lang))


def number_ticks(lang: str) -> Callable[[float, Any], str]:
    """Tick formatter: plain numbers (:func:`number`), e.g. ratios ``0,5``, ``1``, ``1,5`` in Dutch."""
    return _ticks(lambda v: number(v, lang, 3))


def percent_ticks(lang: str) -> Callable[[float, Any], str]:
    """Tick formatter: shares as percentages (``0.25`` -> ``25 %``)."""
    return _ticks(lambda v: f"{number(100.0 * v, lang, 3)} %")


__all__ = ["MISSING", "SEPARATORS", "count", "decimal", "eur", "finite", "grouped", "number", "number_ticks",
           "percent", "percent_ticks", "prob", "ratio", "thousands", "value_text", "visible_text"]
