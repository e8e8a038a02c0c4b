"""Acceptability curves in the report: one figure, table and switch values
per swept valuation (``mkba-mc curve --out``), and a line in the summary.

A valuation such as the QALY value is a normative choice: it is shown as a
curve of P(B >= C) over its range, not folded into one probability.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Final

import numpy as np

from .artefacts import Curve, load_curve
from .context import Context
from .figures import OTHER_ACTORS, fig_curve
from .formats import count, finite, percent, prob, ratio, value_text
from .html import Section, esc, fill, html_table
from .labels import ACTOR_LABELS
from .text import param_label, space_sentence, texts

#: Figure of an acceptability curve: ``curve_<parameter>.png`` (one per swept input).
CURVE_FIGURE: Final[str] = "curve_{parameter}.png"


def load_curves(ctx: Context) -> None:
    """Every curve folder found, one per swept input (the first; a note for the others)."""
    seen: dict[str, Curve] = {}
    for folder in ctx.art.curves:
        c = load_curve(folder)
        if c.parameter in seen:
            ctx.notes.append(ctx.T["curve_duplicate"].format(param=c.parameter, used=seen[c.parameter].folder))
            continue
        seen[c.parameter] = c
    ctx.curves = list(seen.values())


def headline_value(ctx: Context, parameter: str) -> float | None:
    """The value of a swept input in the run's headline figures: the run's
    ``fixed_normative``, else the scenario's point value."""
    fixed = ctx.run.manifest.get("fixed_normative")
    if isinstance(fixed, Mapping) and finite(fixed.get(parameter)):
        return float(fixed[parameter])
    if ctx.scenario is not None and finite(ctx.scenario.params.get(parameter)):
        return float(ctx.scenario.params[parameter])
    return None


def _curve_cell(curve: Curve, column: str, i: int, text: str) -> str:
    """A table cell of a curve value, marked with ``data-curve="<parameter>:<column>:<row>"``."""
    return f'<span data-curve="{esc(curve.parameter)}:{esc(column)}:{i}">{esc(text)}</span>'


def _switch_text(curve: Curve, event: str, level: str, lang: str) -> str:
    """The switch value of an event at a level, or where the probability
    stays over the whole grid when it does not cross the level."""
    T = texts(lang)
    sw = curve.switch.get(event, {}).get(level)
    if sw is not None:
        return value_text(curve.parameter, sw, lang)
    p = curve.p(event)
    pct = percent(float(level), lang)
    if p is not None and np.all(p > float(level)):
        return T["switch_above"].format(level=pct)
    if p is not None and np.all(p < float(level)):
        return T["switch_below"].format(level=pct)
    return T["switch_none"]


def _curve_body(ctx: Context, curve: Curve) -> str:
    """Intro, figure, table, switch values and the full table of one curve."""
    T, lang = ctx.T, ctx.lang
    param = param_label(curve.parameter, lang)
    headline = headline_value(ctx, curve.parameter)
    man = curve.manifest
    parts = []
    if curve.parameter in ("qaly_value", "discount_rate"):
        parts.append(f"<p>{esc(T['curve_intro'].format(headline=f'{param} {value_text(curve.parameter, headline, lang)}'))}</p>")
    parts.append(f"<p>{esc(space_sentence(T, 'curve', param=param))}</p>")
    caption = T["curve_caption"].format(param=param, k=len(curve.table), n=count(int(man.get("n") or 0), lang),
                                        seed=man.get("seed", "?"), sampler=man.get("sampler", "?"))
    name = CURVE_FIGURE.format(parameter=re.sub(r"[^\w.-]+", "_", curve.parameter))
    parts.append(ctx.figure(name, fig_curve(curve, headline, lang), T["curve"], esc(caption)))
    def p(v: Any) -> str:
        return prob(v, lang)

    cols = [("p_ratio_social_ge_1", T["p_social"], p), ("p_ratio_gemeente_ge_1", T["p_gemeente"], p),
            ("p_balance_ge_0", T["p_balance"], p),
            ("median_ratio_social", T["median_social"], lambda v: ratio(v, lang)),
            ("median_ratio_gemeente", T["median_gemeente"], lambda v: ratio(v, lang))]
    cols = [c for c in cols if c[0] in curve.table.columns]
    rows, bold = [], []
    for i, r in curve.table.iterrows():
        v = float(r["value"])
        if headline is not None and math.isclose(v, headline, rel_tol=1e-9, abs_tol=1e-12):
            bold.append(len(rows))
        rows.append([_curve_cell(curve, "value", int(i), value_text(curve.parameter, v, lang)),
                     *(_curve_cell(curve, c, int(i), fmt(r[c])) for c, _, fmt in cols)])
    parts.append(f"<h3>{esc(T['curve_table'].format(param=param))}</h3>"
                 + html_table([esc(param), *(esc(h) for _, h, _ in cols)], rows, bold=bold))
    events = [("ratio_social_ge_1", T["ratio_social_ge_1"]), ("ratio_gemeente_ge_1", T["ratio_gemeente_ge_1"]),
              *((f"actor_balance_ge_0.{a}", f"{ACTOR_LABELS[lang][a]}: {T['balance_ge_0']}") for a in OTHER_ACTORS)]
    srows = [[esc(label), *(esc(_switch_text(curve, event, level, lang)) for level in ("0.5", "0.8"))]
             for event, label in events if event in curve.switch]
    parts.append(f"<h3>{esc(T['curve_switch'])}</h3>"
                 + html_table([esc(T["event"]), esc(T["switch_50"]), esc(T["switch_80"])], srows))
    pcols = [c for c in curve.table.columns if c.startswith("p_")]

    def head(c: str) -> str:
        e = c[2:]
        if e.startswith("actor_balance_ge_0."):
            return ACTOR_LABELS[lang].get(e.split(".", 1)[1], e)
        return T.get(e, e)

    frows = [[esc(value_text(curve.parameter, float(r["value"]), lang)), *(esc(prob(r[c], lang)) for c in pcols)]
             for _, r in curve.table.iterrows()]
    parts.append(f"<details><summary>{esc(T['curve_all'])}</summary>"
                 + html_table([esc(param), *(esc(head(c)) for c in pcols)], frows) + "</details>")
    return "".join(parts)


def section_curve(ctx: Context) -> Section:
    """Acceptability curves: one figure, table and switch values per swept valuation."""
    T = ctx.T
    if not ctx.curves:
        return Section("curve", T["curve"], ctx.not_computed(
            T["curve"], "curve.csv", "mkba-mc curve SCENARIO --over qaly_value --out DIR"))
    ctx.code_names.update(c.parameter for c in ctx.curves)
    return Section("curve", T["curve"], "".join(_curve_body(ctx, c) for c in ctx.curves))


def curve_summary(ctx: Context, curve: Curve) -> str:
    """One summary line of a curve: the range of P over the grid and the 80 % switch."""
    T, lang = ctx.T, ctx.lang
    ps, pg = curve.p("ratio_social_ge_1"), curve.p("ratio_gemeente_ge_1")
    x = curve.values
    return fill(T["curve_summary"], param=esc(param_label(curve.parameter, lang)),
                 lo=esc(value_text(curve.parameter, x[0], lang)), hi=esc(value_text(curve.parameter, x[-1], lang)),
                 p_lo=esc(prob(ps[0] if ps is not None else None, lang)), p_hi=esc(prob(ps[-1] if ps is not None else None, lang)),
                 s80=esc(_switch_text(curve, "ratio_social_ge_1", "0.8", lang)),
                 g_lo=esc(prob(pg[0] if pg is not None else None, lang)), g_hi=esc(prob(pg[-1] if pg is not None else None, lang)))


__all__ = ["CURVE_FIGURE", "curve_summary", "headline_value", "load_curves", "section_curve"]
