"""Value of information in the report and on the console: "Welk onderzoek loont?".

Reads ``voi.csv`` and its ``manifest.json`` (written by ``mkba-mc voi --out``,
:func:`mkba_mc.io.analysis_results.write_voi`) and shows, per perspective
(society and the municipality first), the expected value of perfect
information (EVPI) and the research questions -- parameters and knoppen --
ranked by their expected value of partial perfect information (EVPPI;
Strong, Oakley & Brennan 2014), in euros per cohort and for the population
the user gave.  The model is not evaluated here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ..errors import OutputError
from .artefacts import read_json
from .formats import count, eur, finite, number, prob, small_percent
from .html import Section, esc, html_table
from .labels import ACTOR_LABELS, factor_label, knop_label, param_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .context import Context

#: Research questions shown per perspective in the tables and the figure.
VOI_TOP: Final[int] = 10
#: Perspectives of the figure (one panel each).
FIGURE_PERSPECTIVES: Final[tuple[str, ...]] = ("society", "gemeente")

TEXTS: Final[dict[str, dict[str, str]]] = {
    "nl": {
        "title": "Welk onderzoek loont?",
        "intro": ("Stel dat we vóór de beslissing om de aanpak in te voeren alle onzekerheid konden wegnemen. "
                  "De verwachte waarde van volledige informatie (EVPI) zegt hoeveel een betere beslissing dan "
                  "gemiddeld oplevert; het is de bovengrens van wat onderzoek waard is. De waarde van "
                  "informatie over één onderdeel (EVPPI) zegt wat zekerheid over alleen dat onderdeel waard is: "
                  "onderzoek dat duurder is dan dit bedrag loont niet. Bedragen per jaar aanpak (één cohort) en "
                  "voor {population} (gemeenten × jaren)."),
        "caption": ("{n} trekkingen van het risico van dit plan (dezelfde als de Monte Carlo-analyse met seed "
                    "{seed}); regressiemethode van Strong, Oakley & Brennan (2014). ± is de standaardfout."),
        "evpi_head": "Volledige informatie per perspectief",
        "perspective": "Perspectief", "mean": "Verwacht saldo", "p_pos": "Kans saldo > 0",
        "evpi": "EVPI per cohort", "evpi_pop": "EVPI voor alle cohorten",
        "rank_head": "Onderzoeksvragen gerangschikt — {who}",
        "factor": "Onderwerp", "kind": "Soort", "evppi": "EVPPI per cohort", "evppi_pop": "EVPPI voor alle cohorten",
        "share": "Deel van EVPI", "r2": "R²",
        "parameter": "invoergrootheid", "knop": "knop (groep invoer)",
        "zero": ("Voor {who} is de beslissing vrijwel zeker (EVPI {evpi}): extra onderzoek verandert haar niet."),
        "none_alone": ("Voor {who} is volledige informatie {evpi} waard, maar zekerheid over één onderwerp of knop "
                       "alleen verandert de beslissing niet."),
        "figure_alt": "Waarde van informatie per onderzoeksvraag",
        "axis": "EVPPI per cohort",
        "flagged": ("{k} schattingen vielen buiten 0 ≤ EVPPI ≤ EVPI of hadden een gemiddeld residu ongelijk aan "
                    "nul en zijn begrensd; ze zijn met * gemarkeerd."),
        "console": "Waarde van informatie ({n} trekkingen; bedragen per cohort en voor {population})",
    },
    "en": {
        "title": "Which research is worth funding?",
        "intro": ("Suppose all uncertainty could be removed before deciding to adopt the approach. The expected "
                  "value of perfect information (EVPI) is what a better decision yields on average: the upper "
                  "limit of what research is worth. The expected value of partial perfect information (EVPPI) "
                  "of one topic is what certainty about that topic alone is worth: research costing more than "
                  "this does not pay. Amounts per year of the approach (one cohort) and for {population} "
                  "(municipalities × years)."),
        "caption": ("{n} draws of this plan's risk (the same as the Monte Carlo run with seed {seed}); "
                    "regression method of Strong, Oakley & Brennan (2014). ± is the standard error."),
        "evpi_head": "Perfect information per perspective",
        "perspective": "Perspective", "mean": "Expected balance", "p_pos": "Chance balance > 0",
        "evpi": "EVPI per cohort", "evpi_pop": "EVPI for all cohorts",
        "rank_head": "Research questions ranked — {who}",
        "factor": "Topic", "kind": "Kind", "evppi": "EVPPI per cohort", "evppi_pop": "EVPPI for all cohorts",
        "share": "Share of EVPI", "r2": "R²",
        "parameter": "input", "knop": "knob (group of inputs)",
        "zero": "For {who} the decision is all but certain (EVPI {evpi}): more research does not change it.",
        "none_alone": ("For {who} perfect information is worth {evpi}, but certainty about one topic or knob alone "
                       "does not change the decision."),
        "figure_alt": "Value of information per research question",
        "axis": "EVPPI per cohort",
        "flagged": ("{k} estimates fell outside 0 ≤ EVPPI ≤ EVPI or had a mean residual different from zero and "
                    "were clipped; they are marked with *."),
        "console": "Value of information ({n} draws; amounts per cohort and for {population})",
    },
}


def cohorts(k: float, lang: str) -> str:
    """The population in words: '1 cohort', '12 cohorten' ('12 cohorts')."""
    word = ("cohort" if k == 1 else "cohorten") if lang == "nl" else ("cohort" if k == 1 else "cohorts")
    return f"{number(k, lang)} {word}"


def perspective_label(p: str, lang: str) -> str:
    """Plain name of a perspective: society, the municipality or an actor."""
    return ACTOR_LABELS[lang].get("total" if p == "society" else p, p)


def _factor(name: str, kind: str, lang: str) -> str:
    if kind == "knop":
        return knop_label(name[5:] if name.startswith("knop:") else name, lang)
    return param_label(name, lang)


def read_voi(folder: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``voi.csv`` and the manifest beside it."""
    try:
        df = pd.read_csv(folder / "voi.csv", keep_default_na=False, na_values=[""])
    except (OSError, ValueError) as exc:
        raise OutputError(f"{folder}: cannot read voi.csv ({exc})") from exc
    need = {"factor", "kind", "perspective", "evppi", "evppi_se", "evpi", "evpi_se", "evppi_population"}
    if not need <= set(df.columns):
        raise OutputError(f"{folder}: voi.csv lacks the columns {', '.join(sorted(need - set(df.columns)))}")
    df["flag"] = [f if isinstance(f, str) else "" for f in df["flag"]] if "flag" in df.columns else ""
    man = read_json(folder / "manifest.json") if (folder / "manifest.json").is_file() else {}
    return df, man


def ordered_perspectives(df: pd.DataFrame) -> list[str]:
    """Perspectives in the file's order with society and the municipality first."""
    ps = list(dict.fromkeys(df["perspective"]))
    return [p for p in FIGURE_PERSPECTIVES if p in ps] + [p for p in ps if p not in FIGURE_PERSPECTIVES]


def _pm(v: float, se: float, lang: str) -> str:
    return f"{eur(v, lang)} ± {eur(se, lang)}" if finite(se) else eur(v, lang)


def ranked(df: pd.DataFrame, p: str) -> pd.DataFrame:
    """The research questions of perspective ``p`` by EVPPI, largest first; a
    knop of one parameter is the same question as that parameter and is left out,
    and so is a question worth nothing (EVPPI 0: it cannot change the decision),
    as on the console (:func:`render_voi`)."""
    sub = df[(df["perspective"] == p) & (df["evppi"] > 0)]
    if "members" in sub.columns:
        single = (sub["kind"] == "knop") & ~sub["members"].astype(str).str.contains(",")
        sub = sub[~single]
    return sub.sort_values("evppi", ascending=False, kind="stable")


def fig_voi(df: pd.DataFrame, lang: str) -> Figure:
    """Bars of the largest EVPPI per perspective (society, municipality) with ± 2 standard errors."""
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    from .figures import localise, new_figure

    W = TEXTS[lang]
    panels = [p for p in FIGURE_PERSPECTIVES if p in set(df["perspective"])] or ordered_perspectives(df)[:1]
    fig = new_figure(10, (0.3 * VOI_TOP + 1.4) * len(panels))
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    colours = {"parameter": "#2b5d8a", "knop": "#d9822b"}
    for ax, p in zip(axes, panels):
        sub = ranked(df, p).head(VOI_TOP)
        y = np.arange(len(sub))[::-1]
        ax.barh(y, sub["evppi"], xerr=2 * sub["evppi_se"], color=[colours.get(k, "#777") for k in sub["kind"]],
                height=0.62, capsize=2)
        ax.set_yticks(y, [_factor(str(f), str(k), lang) for f, k in zip(sub["factor"], sub["kind"])], fontsize=9)
        evpi = float(df.loc[df["perspective"] == p, "evpi"].iloc[0])
        ax.axvline(evpi, color="#c62828", lw=1.5, ls="--", label="EVPI")
        ax.set_title(f"{perspective_label(p, lang)}: EVPI {eur(evpi, lang)}", fontsize=10.5, loc="left")
        ax.set_xlabel(W["axis"], fontsize=9.5)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: eur(v, lang)))
        ax.grid(axis="x", alpha=0.3)
        ax.legend(handles=[Patch(color=colours["parameter"], label=W["parameter"]),
                           Patch(color=colours["knop"], label=W["knop"]),
                           ax.get_lines()[-1]], fontsize=8.5, loc="lower right")
    return localise(fig, lang)


def section_voi(ctx: Context) -> Section:
    """"Welk onderzoek loont?": EVPI per perspective, ranked EVPPI tables and a figure."""
    lang = ctx.lang
    W = TEXTS[lang]
    folder = getattr(ctx.art, "voi", None)
    if folder is None:
        return Section("voi", W["title"], ctx.not_computed(W["title"], "voi.csv + voi.nc", "mkba-mc voi SCENARIO --out DIR"))
    df, man = read_voi(folder)
    ctx.code_names.update(str(f) for f in df["factor"])
    population = float(man.get("population", 1.0))
    parts = [f"<p>{esc(W['intro'].format(population=cohorts(population, lang)))}</p>",
             f"<p>{esc(W['caption'].format(n=count(int(man.get('n', 0)), lang), seed=man.get('seed', '?')))}</p>"]
    persp = ordered_perspectives(df)
    first = df.drop_duplicates("perspective").set_index("perspective")
    has_mean = {"mean_net_benefit", "p_net_benefit_positive"} <= set(first.columns)
    rows = [[esc(perspective_label(p, lang)),
             *((esc(eur(first.at[p, "mean_net_benefit"], lang)), esc(prob(first.at[p, "p_net_benefit_positive"], lang)))
               if has_mean else ()),
             esc(_pm(first.at[p, "evpi"], first.at[p, "evpi_se"], lang)), esc(eur(first.at[p, "evpi_population"], lang))]
            for p in persp]
    head = ("perspective", "mean", "p_pos", "evpi", "evpi_pop") if has_mean else ("perspective", "evpi", "evpi_pop")
    parts.append(f"<h3>{esc(W['evpi_head'])}</h3>" + html_table([esc(W[k]) for k in head], rows))
    parts.append(ctx.figure("voi.png", fig_voi(df, lang), W["figure_alt"], esc(W["caption"].format(
        n=count(int(man.get("n", 0)), lang), seed=man.get("seed", "?")))))
    flagged = int((df["flag"] != "").sum())
    for i, p in enumerate(persp):
        sub = ranked(df, p)
        evpi = float(df.loc[df["perspective"] == p, "evpi"].iloc[0])
        who = perspective_label(p, lang)
        if not evpi > 0:
            parts.append(f"<p>{esc(W['zero'].format(who=who, evpi=eur(evpi, lang)))}</p>")
            continue
        if sub.empty:
            parts.append(f"<p>{esc(W['none_alone'].format(who=who, evpi=eur(evpi, lang)))}</p>")
            continue
        trs = [[esc(_factor(str(r.factor), str(r.kind), lang) + ("*" if r.flag else "")),
                esc(W[str(r.kind)] if str(r.kind) in ("parameter", "knop") else str(r.kind)),
                esc(_pm(r.evppi, r.evppi_se, lang)), esc(eur(r.evppi_population, lang)),
                esc(small_percent(r.evppi / evpi, lang, 1))] for r in sub.head(VOI_TOP).itertuples()]
        table = html_table([esc(W[k]) for k in ("factor", "kind", "evppi", "evppi_pop", "share")], trs)
        head = f"<h3>{esc(W['rank_head'].format(who=who))}</h3>"
        parts.append(head + table if i < 2 else f"<details><summary>{esc(W['rank_head'].format(who=who))}</summary>"
                     + table + "</details>")
    if flagged:
        parts.append(f"<p>{esc(W['flagged'].format(k=flagged))}</p>")
    return Section("voi", W["title"], "".join(parts))



#: The summary's sentence on the value of information (society and the municipality).
SUMMARY_TEXT: Final[dict[str, str]] = {
    "nl": "Waarde van extra onderzoek (EVPI per cohort): {items}.",
    "en": "Value of further research (EVPI per cohort): {items}.",
}
SUMMARY_ITEM: Final[dict[str, str]] = {
    "nl": "{who} {evpi}, het meest door {top} ({evppi})",
    "en": "{who} {evpi}, most of it through {top} ({evppi})",
}


def voi_summary(ctx: Context) -> str | None:
    """One summary line: the EVPI of society and of the municipality and the
    research question worth most to each; ``None`` when voi was not run."""
    folder = getattr(ctx.art, "voi", None)
    if folder is None:
        return None
    lang = ctx.lang
    df, _ = read_voi(folder)
    items = []
    for p in (q for q in FIGURE_PERSPECTIVES if q in set(df["perspective"])):
        sub = ranked(df, p)
        evpi = float(df.loc[df["perspective"] == p, "evpi"].iloc[0])
        who = perspective_label(p, lang)
        if evpi > 0 and len(sub):
            top = sub.iloc[0]
            label = _factor(str(top.factor), str(top.kind), lang)
            label = label[:1].lower() + label[1:] if label[1:2].islower() else label  # mid-sentence; not "QALY"
            items.append(SUMMARY_ITEM[lang].format(who=who, evpi=eur(evpi, lang), top=label,
                                                   evppi=eur(float(top.evppi), lang)))
        else:
            items.append(f"{who} {eur(evpi, lang)}")
    return esc(SUMMARY_TEXT[lang].format(items="; ".join(items))) if items else None


def render_voi(ds: Any, lang: str = "nl", top: int = VOI_TOP) -> Any:
    """Console table of ``mkba-mc voi``: per perspective the EVPI and the largest EVPPI."""
    from rich.table import Table

    W = TEXTS[lang]
    K = float(ds.attrs.get("population", 1.0))
    t = Table(title=W["console"].format(n=count(int(ds.attrs.get("n", 0)), lang), population=cohorts(K, lang)),
              title_justify="left", header_style="bold")
    for h in (W["perspective"], W["factor"], W["evppi"], W["evppi_pop"]):
        t.add_column(h, justify="left" if h in (W["perspective"], W["factor"]) else "right")
    persp = [str(p) for p in ds["perspective"].values]
    persp = [p for p in FIGURE_PERSPECTIVES if p in persp] + [p for p in persp if p not in FIGURE_PERSPECTIVES]
    for p in persp:
        sub = ds.sel(perspective=p)
        t.add_row(perspective_label(p, lang), "EVPI", _pm(float(sub["evpi"]), float(sub["evpi_se"]), lang),
                  eur(float(sub["evpi_population"]), lang), style="bold")
        members = ds["members"].values if "members" in ds.coords else ds["factor"].values
        keep = [i for i in np.argsort(-sub["evppi"].values, kind="stable")
                if sub["evppi"].values[i] > 0 and not (str(ds["kind"].values[i]) == "knop" and "," not in str(members[i]))]
        for i in keep[:top]:
            t.add_row("", factor_label(str(ds["factor"].values[i]), lang) if str(ds["kind"].values[i]) == "parameter"
                      else _factor(str(ds["factor"].values[i]), "knop", lang),
                      _pm(float(sub["evppi"].values[i]), float(sub["evppi_se"].values[i]), lang),
                      eur(float(sub["evppi_population"].values[i]), lang))
    return t


__all__ = ["FIGURE_PERSPECTIVES", "TEXTS", "VOI_TOP", "fig_voi", "perspective_label", "ranked", "read_voi",
           "render_voi", "section_voi", "voi_summary"]
