"""The report's figures (matplotlib, Agg canvas, no pyplot state).

One function per figure, each taking the numbers it draws (read from the
result files) and returning a :class:`matplotlib.figure.Figure`; none
computes a model output.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..model.sets import ACTORS
from ..sensitivity.analyses import INDICATORS
from .artefacts import Curve, RunResult
from .formats import count, eur, finite, number_ticks, percent, percent_ticks, prob, thousands, value_text
from .labels import ACTOR_LABELS, LABELS, factor_label, knop_label, post_label
from .text import param_label, texts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Array = NDArray[np.float64]

#: Resolution of the PNG figures.
FIGURE_DPI: Final[int] = 150
#: Parameters shown in the tornado figure.
TORNADO_TOP: Final[int] = 15
#: Factors per panel of the Sobol' figure when indices are per parameter.
SOBOL_TOP: Final[int] = 15
#: Characters per line and lines of a factor label in the two-column Sobol' figure.
LABEL_WIDTH: Final[int] = 30
LABEL_LINES: Final[int] = 3
#: Actors outside the municipality, shown in the right panel of a curve figure.
OTHER_ACTORS: Final[tuple[str, ...]] = tuple(a for a in ACTORS if not a.startswith("gemeente"))


def new_figure(width: float, height: float) -> Figure:
    """A matplotlib figure drawn by the Agg canvas (no pyplot, no global backend)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=FIGURE_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def localise(fig: Figure, lang: str) -> Figure:
    """Give every plain numeric axis of ``fig`` the language's number style
    (:func:`~mkba_mc.report.formats.number_ticks`: ``0,5`` in Dutch, ``0.5`` in
    English); axes that already have a formatter (euros, percentages) or
    category labels keep theirs. Returns ``fig``."""
    from matplotlib.ticker import FuncFormatter, ScalarFormatter

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(FuncFormatter(number_ticks(lang)))
    return fig


def save_png(fig: Figure, path: Path) -> bytes:
    """Write a figure as PNG to ``path`` (a staged temporary); return its bytes."""
    fig.savefig(path, format="png", dpi=FIGURE_DPI, facecolor="white")
    return path.read_bytes()


def fig_ratios(run: RunResult, lang: str) -> Figure:
    """Histogram and cumulative curve of the ratios with a line at 1 and P(>= 1)."""
    from matplotlib.ticker import FuncFormatter

    T = texts(lang)
    keys = [k for k in ("ratio_social", "ratio_gemeente") if k in run.samples]
    colours = {"ratio_social": "#2b5d8a", "ratio_gemeente": "#d9822b"}
    fig = new_figure(11, 7.2)
    axes = fig.subplots(2, len(keys), squeeze=False)
    for j, key in enumerate(keys):
        x = run.samples[key]
        ok = x[np.isfinite(x)]
        p = run.probs.get(f"{key}_ge_1", float(np.mean(x >= 1.0)))
        lo, hi = (np.quantile(ok, [0.005, 0.995]) if ok.size else (0.0, 2.0))
        lo, hi = min(lo, 0.95), max(hi, 1.05)
        ax = axes[0, j]
        ax.hist(ok[(ok >= lo) & (ok <= hi)], bins=60, range=(lo, hi), weights=np.full(
            int(np.count_nonzero((ok >= lo) & (ok <= hi))), 1.0 / x.size), color=colours[key], alpha=0.85)
        ax.set_title(LABELS[lang][key], fontsize=12)
        ax.set_ylabel(T["hist_y"], fontsize=10)
        ax.yaxis.set_major_formatter(FuncFormatter(percent_ticks(lang)))
        ax2 = axes[1, j]
        q = np.linspace(0.0, 1.0, 501)
        share = ok.size / x.size
        if ok.size:
            ax2.plot(np.quantile(ok, q), q * share, color=colours[key], lw=2)
        ax2.set_xlim(lo, hi)
        ax2.set_ylim(0, 1.02)
        ax2.set_ylabel(T["cdf_y"], fontsize=10)
        ax2.set_xlabel(LABELS[lang][key], fontsize=10)
        ax2.yaxis.set_major_formatter(FuncFormatter(percent_ticks(lang)))
        ax.set_xlim(lo, hi)
        for a in (ax, ax2):
            a.axvline(1.0, color="#c62828", lw=1.8)
            a.grid(alpha=0.3)
            a.tick_params(labelsize=9)
            a.text(0.98, 0.93 if a is ax else 0.1, T["p_text"].format(p=prob(p, lang)), transform=a.transAxes,
                   ha="right", va="top" if a is ax else "bottom", fontsize=12, fontweight="bold",
                   bbox={"facecolor": "white", "edgecolor": "#c62828", "boxstyle": "round,pad=0.3"})
    return localise(fig, lang)


def fig_posts(rows: Sequence[tuple[str, float, float, float, float | None]], lang: str) -> Figure:
    """NCW posts: median bars, P10-P90 whiskers and the point estimate."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    T = texts(lang)
    fig = new_figure(11, 5.4)
    ax = fig.subplots()
    y = np.arange(len(rows))[::-1]
    for yi, (post, p10, p50, p90, point) in zip(y, rows):
        colour = "#c0504d" if post.startswith("cost") else "#4f8f3a"
        ax.barh(yi, p50, color=colour, alpha=0.75, height=0.62)
        ax.plot([p10, p90], [yi, yi], color="#222", lw=2.2, solid_capstyle="butt")
        ax.plot([p10, p10], [yi - 0.18, yi + 0.18], color="#222", lw=1.6)
        ax.plot([p90, p90], [yi - 0.18, yi + 0.18], color="#222", lw=1.6)
        if finite(point):
            ax.plot(point, yi, marker="D", color="black", markersize=6, markerfacecolor="#ffd54f")
    ax.set_yticks(y, [post_label(r[0], lang) for r in rows], fontsize=10)
    ax.xaxis.set_major_formatter(FuncFormatter(thousands(lang)))
    ax.set_xlabel(T["ncw_axis"], fontsize=10)
    ax.axvline(0, color="#555", lw=0.8)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(handles=[Patch(color="#c0504d", alpha=0.75, label=T["costs"] + f" ({T['median']})"),
                       Patch(color="#4f8f3a", alpha=0.75, label=T["benefits"] + f" ({T['median']})"),
                       Line2D([], [], color="#222", lw=2.2, label="P10–P90"),
                       Line2D([], [], marker="D", color="black", markerfacecolor="#ffd54f", lw=0,
                              label=T["point_marker"])],
              # below the plot, so the legend never covers a bar or whisker
              loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=4, fontsize=9, frameon=False)
    ax.set_title(LABELS[lang]["screen_a"].split("  ", 1)[-1], fontsize=12)
    return localise(fig, lang)


def fig_actors(rows: Sequence[tuple[str, float, float, float, float | None]], split: float | None,
                lang: str) -> Figure:
    """Balance per actor: P10-P90 bars, median ticks and P(balance >= 0)."""
    from matplotlib.ticker import FuncFormatter

    T = texts(lang)
    fig = new_figure(11, 0.42 * len(rows) + 1.6)
    ax = fig.subplots()
    y = np.arange(len(rows))[::-1]
    for yi, (actor, p10, p50, p90, _p_ge) in zip(y, rows):
        colour = "#2b5d8a" if actor in ("gemeente", "total") else "#7fa7c9"
        ax.barh(yi, p90 - p10, left=p10, height=0.6, color=colour, alpha=0.85)
        ax.plot([p50, p50], [yi - 0.3, yi + 0.3], color="black", lw=2.2)
    ax.set_yticks(y, [ACTOR_LABELS[lang][r[0]] for r in rows], fontsize=10)
    for yi, row in zip(y, rows):
        # an actor without flows (every draw € 0) has no chance of a gain or a loss to show
        text = f"P(≥ 0) = {prob(row[4], lang)}" if row[4] is not None else T["no_flows"]
        ax.text(1.01, yi, text, transform=ax.get_yaxis_transform(), va="center", fontsize=10)
    ax.axvline(0, color="#c62828", lw=1.5)
    ax.xaxis.set_major_formatter(FuncFormatter(thousands(lang)))
    ax.set_xlabel(T["balance_axis"], fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(T["split_title"].format(p=prob(split, lang)), fontsize=12)
    return localise(fig, lang)


def fig_cashflow(band: Mapping[str, Array], n: int, point_marks: Mapping[str, tuple[float | None, float | None]],
                 median_payback: Mapping[str, float | None], lang: str) -> Figure:
    """Cumulative programme balance: P10-P90 band and median (``programme_band`` of
    samples.nc), the point estimate's payback and pre-financing, and the
    median payback year of summary.csv."""
    from matplotlib.ticker import FuncFormatter

    T = texts(lang)
    fig = new_figure(11, 5.8)
    axes = fig.subplots(1, len(band), squeeze=False)[0]
    for ax, (label, (p10, p50, p90)) in zip(axes, band.items()):
        years = np.arange(1, p50.size + 1)
        ax.fill_between(years, p10, p90, color="#7fa7c9", alpha=0.45, label=T["band"].format(m=count(n, lang)))
        ax.plot(years, p50, color="#2b5d8a", lw=2.2, label=T["median"])
        ax.axhline(0, color="#555", lw=0.9)
        payback, prefin = point_marks.get(label, (None, None))
        if finite(payback):
            ax.axvline(float(payback), color="#2e7d32", lw=1.6, ls="-.",
                       label=T["payback_mark"].format(y=int(payback)))
        elif label in point_marks:
            ax.plot([], [], lw=0, label=f"{T['not_paid_back'].format(years=p50.size)} ({T['point_marker']})")
        if finite(prefin) and prefin and prefin > 0:
            ax.axhline(-float(prefin), color="#c62828", lw=1.4, ls=":",
                       label=T["prefin_mark"].format(v=eur(prefin, lang)))
        med = median_payback.get(label)
        if med is not None:
            ax.plot([], [], lw=0, label=T["payback_median"].format(
                y=T["year"].format(y=int(med)) if finite(med) else T["never"].format(years=p50.size)))
        ax.set_xticks(years)
        ax.set_xlabel(T["prog_year"], fontsize=10)
        ax.set_ylabel(T["cum_axis"], fontsize=10)
        ax.yaxis.set_major_formatter(FuncFormatter(thousands(lang)))
        ax.set_title(T[label], fontsize=12)
        ax.grid(alpha=0.3)
        # below the panel, so the legend never covers the band
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    return localise(fig, lang)


def fig_tornado(df: pd.DataFrame, lang: str) -> Figure:
    """Tornado of the social ratio: the parameters with the largest swing, a line at 1."""
    T = texts(lang)
    top = df.sort_values("ratio_social_swing", ascending=False).head(TORNADO_TOP)
    fig = new_figure(11, 0.38 * len(top) + 1.8)
    ax = fig.subplots()
    y = np.arange(len(top))[::-1]
    base = float(top["ratio_social_base"].iloc[0]) if len(top) else 1.0
    low = top["ratio_social_at_low"].to_numpy(dtype=float)
    high = top["ratio_social_at_high"].to_numpy(dtype=float)
    ax.barh(y, low - base, left=base, height=0.62, color="#2b5d8a", label=T["at_p10"])
    ax.barh(y, high - base, left=base, height=0.62, color="#d9822b", label=T["at_p90"])
    labels = [f"{param_label(r.parameter, lang)} ({knop_label(r.knop, lang)})" if "knop" in top.columns
              else param_label(str(r.parameter), lang) for r in top.itertuples()]
    ax.set_yticks(y, labels, fontsize=9.5)
    ax.axvline(1.0, color="#c62828", lw=1.8)
    ax.axvline(base, color="#555", lw=1.2, ls="--")
    ax.set_xlabel(T["ratio_axis"], fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    # over the whole figure: above the axes alone the long title is cut off at the right edge
    fig.suptitle(T["tornado_title"], fontsize=12)
    return localise(fig, lang)


def sobol_panels(outputs: Sequence[str]) -> list[str]:
    """Outputs shown in the Sobol' figure: the two ratios and the indicators present."""
    return [o for o in ("ratio_social", "ratio_gemeente", *INDICATORS) if o in outputs]


def sobol_output_title(output: str, lang: str) -> str:
    """Panel title of a Sobol' output."""
    T = texts(lang)
    if output in INDICATORS:
        return T["indicator"].format(what=T[output])
    return LABELS[lang].get(output, output)


def wrap_label(text: str, width: int = LABEL_WIDTH, lines: int = LABEL_LINES) -> str:
    """A category label broken into lines of at most ``width`` characters
    (at most ``lines`` of them, the last cut at a word and ending in an ellipsis), so
    that two panels side by side keep their labels inside their own half of
    the figure.  A single word longer than ``width`` is broken too."""
    import textwrap

    parts = textwrap.wrap(" ".join(text.split()), width=width, break_on_hyphens=False) or [""]
    if len(parts) > lines:
        last = " ".join(parts[lines - 1:])
        cut = textwrap.shorten(last, width=width, placeholder=" \u2026")  # at a word boundary
        parts = [*parts[:lines - 1], cut if cut != "\u2026" else last[:width - 1] + "\u2026"]
    return "\n".join(parts)


def fig_sobol(ds: Any, factor_dim: str, lang: str) -> Figure:
    """S1 and ST per factor with their 95 % intervals, one panel per output."""
    T = texts(lang)
    panels = sobol_panels([str(o) for o in ds["output"].values])
    factors = [str(f) for f in ds[factor_dim].values]
    k = min(len(factors), SOBOL_TOP)
    cols = 2 if len(panels) > 1 else 1
    rows = math.ceil(len(panels) / cols)
    subs = [ds.sel(output=p) for p in panels]
    orders = [np.argsort(-np.nan_to_num(sub["ST"].values.astype(float), nan=-np.inf))[:k] for sub in subs]
    names = {i: wrap_label(factor_label(factors[i], lang)) for order in orders for i in order}
    lines = max((n.count("\n") + 1 for n in names.values()), default=1)  # of the labels shown
    fig = new_figure(11, rows * ((0.34 + 0.06 * (lines - 1)) * k + 1.4))
    axes = fig.subplots(rows, cols, squeeze=False)
    for idx, ax in enumerate(axes.flat):
        if idx >= len(panels):
            ax.set_visible(False)
            continue
        sub, order = subs[idx], orders[idx]
        st = sub["ST"].values.astype(float)
        y = np.arange(len(order))[::-1]
        s1, s1c = sub["S1"].values[order], sub["S1_conf"].values[order]
        stv, stc = st[order], sub["ST_conf"].values[order]
        ax.barh(y + 0.19, stv, height=0.38, xerr=stc, color="#2b5d8a", ecolor="#222", capsize=2.5, label="ST")
        ax.barh(y - 0.19, s1, height=0.38, xerr=s1c, color="#9cc3e4", ecolor="#222", capsize=2.5, label="S1")
        ax.set_yticks(y, [names[i] for i in order], fontsize=9.5 if lines == 1 else 9)
        ax.axvline(0, color="#555", lw=0.8)
        ax.set_xlim(min(0.0, float(np.nanmin(s1 - s1c))) - 0.02, max(0.1, float(np.nanmax(stv + stc))) * 1.08)
        ax.set_xlabel(T["sobol_axis"], fontsize=10)
        ax.set_title(sobol_output_title(panels[idx], lang), fontsize=11)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(fontsize=9, loc="lower right")
    return localise(fig, lang)


def fig_curve(curve: Curve, headline: float | None, lang: str) -> Figure:
    """P(B >= C) over the grid: society and municipality (left) with the
    50 %/80 % lines, switch values and the headline value; the other actors (right)."""
    from matplotlib.ticker import FuncFormatter

    T = texts(lang)
    x = curve.values
    fig = new_figure(11, 5.6)
    left, right = fig.subplots(1, 2, sharey=True)
    main = [("ratio_social_ge_1", T["society_line"], "#2b5d8a", "o"),
            ("ratio_gemeente_ge_1", T["gemeente_line"], "#d9822b", "s")]
    for event, who, colour, marker in main:
        p = curve.p(event)
        if p is None:
            continue
        left.plot(x, p, color=colour, lw=2.4, marker=marker, markersize=6, label=T[event])
        for level, style in (("0.5", (0, (1, 1.5))), ("0.8", (0, (3, 1.5, 1, 1.5)))):
            sw = curve.switch.get(event, {}).get(level)
            if sw is not None:
                left.axvline(sw, color=colour, lw=1.4, ls=style, label=T["switch_mark"].format(
                    who=who, level=percent(float(level), lang),
                    v=value_text(curve.parameter, sw, lang)))
    others = [a for a in OTHER_ACTORS if curve.p(f"actor_balance_ge_0.{a}") is not None]
    colours = ["#4f8f3a", "#8e44ad", "#c0504d", "#16a085", "#7f6a00", "#555555"]
    markers = ["o", "s", "^", "D", "v", "P"]
    for i, actor in enumerate(others):
        p = curve.p(f"actor_balance_ge_0.{actor}")
        assert p is not None
        label = ACTOR_LABELS[lang][actor]
        if np.nanmax(p) - np.nanmin(p) == 0:
            label = T["constant"].format(label=label, p=percent(p[0], lang))
        right.plot(x, p, color=colours[i % len(colours)], lw=1.8, marker=markers[i % len(markers)],
                   markersize=5 + 1.5 * (len(others) - i) / max(1, len(others)), label=label, alpha=0.9)
    for ax, title in ((left, T["curve_left"]), (right, T["curve_right"])):
        for level in (0.5, 0.8):
            ax.axhline(level, color="#777", lw=1.0, ls="--", zorder=0)
        if headline is not None:
            ax.axvline(headline, color="#888", lw=2.0, alpha=0.6, zorder=0,
                       label=T["headline_mark"].format(v=value_text(curve.parameter, headline, lang))
                       if ax is left else None)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xticks(x)
        ax.yaxis.set_major_formatter(FuncFormatter(percent_ticks(lang)))
        if curve.parameter == "qaly_value":
            ax.xaxis.set_major_formatter(FuncFormatter(thousands(lang)))
            ax.set_xlabel(f"{param_label(curve.parameter, lang)} (× € 1.000)" if lang == "nl"
                          else f"{param_label(curve.parameter, lang)} (€ thousand)", fontsize=10)
        elif curve.parameter == "discount_rate":
            ax.xaxis.set_major_formatter(FuncFormatter(percent_ticks(lang)))
            ax.set_xlabel(f"{param_label(curve.parameter, lang)} (%)", fontsize=10)
        else:
            ax.set_xlabel(param_label(curve.parameter, lang), fontsize=10)
        ax.tick_params(labelsize=8.5)
        ax.grid(alpha=0.3)
        ax.set_title(title, fontsize=11)
        # below the plot, so the legend never covers a curve
        ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1, frameon=False)
    left.set_ylabel(T["p_axis"], fontsize=10)
    for ax in (left, right):
        ax.text(1.0, 0.5, "50 %", transform=ax.get_yaxis_transform(), ha="right", va="bottom", fontsize=8,
                color="#555")
        ax.text(1.0, 0.8, "80 %", transform=ax.get_yaxis_transform(), ha="right", va="bottom", fontsize=8,
                color="#555")
    return localise(fig, lang)


__all__ = ["FIGURE_DPI", "LABEL_LINES", "LABEL_WIDTH", "OTHER_ACTORS", "SOBOL_TOP", "TORNADO_TOP", "fig_actors",
           "fig_cashflow", "fig_curve", "fig_posts", "fig_ratios", "fig_sobol", "fig_tornado", "new_figure", "save_png",
           "sobol_output_title", "sobol_panels", "wrap_label"]
