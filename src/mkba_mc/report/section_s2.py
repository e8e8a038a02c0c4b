"""Second-order Sobol' indices in the report: the largest pairs (when computed).

``mkba-mc sobol --second-order`` writes ``S2`` and ``S2_conf`` over
``(output, factor, factor_2)`` into ``sobol.nc`` (Saltelli 2002, eq. 12:
the share of the variance caused by the interaction of two factors beyond
their first-order effects; the upper triangle, one value per pair).  This
section shows a compact table of the pairs with the largest S2 for the
social and the municipal ratio, with their 95 % half-widths; it is left
out of the report when the analysis has no S2.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

from .context import Context
from .formats import decimal
from .html import Section, esc, html_table
from .labels import LABELS, factor_label

#: Pairs shown per output.
S2_TOP: Final[int] = 8
#: Outputs whose pairs are shown, in order (those in sobol.nc).
S2_OUTPUTS: Final[tuple[str, ...]] = ("ratio_social", "ratio_gemeente")

S2_TEXT: Final[dict[str, dict[str, str]]] = {
    "nl": {"title": "Samenspel van twee knoppen (Sobol, tweede orde)",
           "intro": "De tweede-orde-index S2 van een paar is het deel van de spreiding van de uitkomst dat alleen "
                    "door het samenspel van die twee ontstaat, bovenop hun eigen effecten (Saltelli 2002). Hieronder "
                    "de paren met de grootste S2; ± is de halve breedte van het 95 %-interval. Een S2 dicht bij 0 "
                    "betekent dat de twee elkaars effect nauwelijks versterken of afzwakken.",
           "knop": "knop", "parameter": "parameter", "none": "Geen paar met een S2 boven 0."},
    "en": {"title": "Interplay of two factors (Sobol', second order)",
           "intro": "The second-order index S2 of a pair is the share of the output's variance caused only by the "
                    "interplay of the two, beyond their own effects (Saltelli 2002). Below are the pairs with the "
                    "largest S2; ± is the half-width of the 95 % interval. An S2 near 0 means that the two hardly "
                    "strengthen or weaken each other's effect.",
           "knop": "factor", "parameter": "parameter", "none": "No pair with an S2 above 0."},
}


def largest_pairs(s2: Any, conf: Any, names: list[str], top: int = S2_TOP) -> list[tuple[str, str, float, float]]:
    """The ``top`` pairs ``(i < j)`` with the largest finite S2, largest first.

    Parameters
    ----------
    s2, conf : array_like, shape (d, d)
        S2 and its half-width; only the upper triangle is read (SALib fills
        the lower one with NaN).
    names : list of str
        The factor names, in the order of the axes.
    """
    s2, conf = np.asarray(s2, dtype=float), np.asarray(conf, dtype=float)
    i, j = np.triu_indices(len(names), k=1)
    vals = s2[i, j]
    keep = np.isfinite(vals)
    order = np.argsort(-vals[keep], kind="stable")[:top]
    ii, jj, vv, cc = i[keep][order], j[keep][order], vals[keep][order], conf[i, j][keep][order]
    return [(names[a], names[b], float(v), float(c)) for a, b, v, c in zip(ii, jj, vv, cc)]


def section_sobol_pairs(ctx: Context) -> Section | None:
    """The table of the largest second-order pairs, or None when sobol.nc has no S2."""
    if ctx.sobol is None:
        return None
    ds, dim = ctx.sobol
    if "S2" not in ds.data_vars:
        return None
    T, lang = S2_TEXT[ctx.lang], ctx.lang
    names = [str(f) for f in ds[dim].values]
    body = f"<p>{esc(T['intro'])}</p>"
    for output in (o for o in S2_OUTPUTS if o in ds["output"].values):
        sub = ds.sel(output=output)
        pairs = largest_pairs(sub["S2"].values, sub["S2_conf"].values, names)
        body += f"<h3>{esc(LABELS[lang][output])}</h3>"
        if not pairs:
            body += f"<p>{esc(T['none'])}</p>"
            continue
        rows = [[esc(factor_label(a, lang)), esc(factor_label(b, lang)), esc(decimal(v, lang, 3)),
                 "± " + esc(decimal(c, lang, 3))] for a, b, v, c in pairs]
        head = T["knop"] if dim == "knop" else T["parameter"]
        body += html_table([esc(f"{head} 1"), esc(f"{head} 2"), "S2", "±"], rows, left=2)
    for name in names:
        ctx.code_names.add(name)  # the appendix lists the code names behind the labels
    return Section("sobol_pairs", T["title"], body)


__all__ = ["S2_OUTPUTS", "S2_TEXT", "S2_TOP", "largest_pairs", "section_sobol_pairs"]
