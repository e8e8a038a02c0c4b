"""Console tables of the commands (rich renderables; the CLI prints them).

Each ``render_*`` function turns a result the engine computed into what
``mkba-mc <command>`` prints without ``--json``; none computes anything
beyond formatting (the point percentiles of a run come from
:func:`mkba_mc.io.results.point_percentiles`).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from .formats import MISSING, count, decimal, eur, number, prob, ratio, small_percent
from .labels import factor_label, knop_label, output_label, param_label

RUN_LABELS = {
    "nl": {"title": "Monte Carlo: {name} (n = {n}, seed {seed}, {sampler})", "output": "uitkomst",
           "mean": "gemiddelde", "prob": "kans", "se": "st.fout", "event": "gebeurtenis",
           "ratio_social_ge_1": "P(maatschappelijke K-B-verhouding ≥ 1)",
           "ratio_financial_ge_1": "P(financiële K-B-verhouding ≥ 1)",
           "ratio_gemeente_ge_1": "P(gemeentelijke K-B-verhouding ≥ 1)",
           "balance_ge_0": "P(saldo ≥ 0)", "balance_gemeente_ge_0": "P(saldo gemeente ≥ 0)",
           "split_incentive": "P(maatschappij wint, gemeente verliest)", "actor": "P(saldo {actor} ≥ 0)",
           "point": "puntschatting", "pct": "percentiel punt", "space": "invoerruimte",
           "payback_year": "terugverdienjaar", "prefinancing": "voorfinanciering"},
    "en": {"title": "Monte Carlo: {name} (n = {n}, seed {seed}, {sampler})", "output": "output",
           "mean": "mean", "prob": "probability", "se": "std.err", "event": "event",
           "ratio_social_ge_1": "P(social cost-benefit ratio ≥ 1)",
           "ratio_financial_ge_1": "P(financial cost-benefit ratio ≥ 1)",
           "ratio_gemeente_ge_1": "P(municipal cost-benefit ratio ≥ 1)",
           "balance_ge_0": "P(balance ≥ 0)", "balance_gemeente_ge_0": "P(municipal balance ≥ 0)",
           "split_incentive": "P(society gains, municipality loses)", "actor": "P(balance {actor} ≥ 0)",
           "point": "point", "pct": "point pct", "space": "input space",
           "payback_year": "payback year", "prefinancing": "pre-financing need"},
}


#: An actor whose balance is € 0 in every draw (as the report: "geen stromen").
NO_FLOWS = {"nl": "geen stromen", "en": "no flows"}


def _run_format(key: str, lang: str) -> Any:
    """The formatter of one output of the ``run`` table: ratios, a year, or euros."""
    if key.startswith("ratio"):
        return lambda v: ratio(v, lang) if v == v else MISSING
    if key == "payback_year":
        return lambda v: decimal(v, lang, 2)
    return lambda v: eur(v, lang)


def render_run(result: Any, lang: str) -> Any:
    """The table of ``mkba-mc run``: key outputs (point, its percentile, P50,
    mean, P5, P95) and the probabilities with their standard errors."""
    from ..io.results import point_percentiles
    from .text import space_text

    L = RUN_LABELS[lang]
    stats = result.summary_stats()  # a mapping: no pandas for the console table
    points = point_percentiles(result)
    title = Text(L["title"].format(name=result.scenario.name, n=count(result.n, lang), seed=result.plan.seed,
                                   sampler=result.plan.sampler), style="bold")
    space = Text(f"{L['space']}: {space_text(result.scenario.space, lang)}")
    t = Table(header_style="bold")
    t.add_column(L["output"])
    for col in (L["point"], L["pct"], "P50", L["mean"], "P5", "P95"):
        t.add_column(col, justify="right")
    for key in ("ratio_social", "ratio_financial", "ratio_gemeente", "balance", "balance_gemeente",
                "cost_total", "benefit_total", "payback_year", "prefinancing"):
        if key in stats:
            row = stats[key]
            fmt = _run_format(key, lang)
            pt, pct = points.get(key, (float("nan"), float("nan")))
            t.add_row(L.get(key) or output_label(key, lang), fmt(pt), decimal(pct, lang, 0), *(fmt(row[c]) for c in ("p50", "mean", "p5", "p95")))
    p = Table(header_style="bold")
    p.add_column(L["event"])
    p.add_column(L["prob"], justify="right")
    p.add_column(L["se"], justify="right")
    for key, v in result.probabilities().items():
        label = L["actor"].format(actor=output_label(key.split(".", 1)[1], lang)) if key.startswith("actor_balance_ge_0.") else L.get(key, key)
        stat = "actor_balance." + key.split(".", 1)[1] if key.startswith("actor_balance_ge_0.") else ""
        if stat in stats and float(stats[stat]["mean"]) == 0.0 and float(stats[stat]["sd"]) == 0.0:
            p.add_row(label, NO_FLOWS[lang], MISSING)  # € 0 in every draw: "100 %" would say nothing
            continue
        # one decimal; "< 0,1 %" rather than a standard error of "0,0 %" at large n
        p.add_row(label, prob(v["p"], lang), small_percent(v["se"], lang, 1))
    return Group(title, space, t, p)


def space_line(space: str, lang: str = "en") -> str:
    """The line naming the input space an analysis covers."""
    from .text import space_text

    return f"{TABLE_WORDS[lang]['space']} ({space}): {space_text(space, lang)}"


#: Titles and headers of the analysis tables, nl and en.
_TABLE_WORDS: Final[dict[str, tuple[Any, Any]]] = {
    "space": ("invoerruimte", "input space"),
    "evaluations": ("evaluaties", "evaluations"),
    "parameter": ("parameter", "parameter"),
    "sobol": ("Sobol' {o} (n = {n}, {e} evaluaties)", "Sobol' {o} (n = {n}, {e} evaluations)"),
    "morris": ("Morris {o} ({e} evaluaties)", "Morris {o} ({e} evaluations)"),
    "tornado": ("Tornado: {name} (P10 - P90, overige op hun puntwaarde)",
                "Tornado: {name} (P10 - P90, others at point values)"),
    "swing": ("zwaai", "swing"),
    "social_short": ("maatsch. K-B", "social ratio"),
    "gemeente_short": ("gem. K-B", "municipal ratio"),
    "switch": ("omslag", "switch"),
    "switch_note": ("omslag: waarde waarbij de verhouding door 1 gaat met de overige op hun puntwaarde (– = geen omslag binnen het bereik)",
                    "switch: value where the ratio crosses 1 with the others at their point values (– = no switch within the range)"),
    "breakeven": ("Break-even: P(maatschappelijke K-B-verhouding ≥ 1) = 50 % ({n} trekkingen per waarde)",
                  "Break-even: P(social cost-benefit ratio ≥ 1) = 50 % ({n} samples per value)"),
    "lever": ("knop", "lever"),
    "range": ("bereik", "range"),
    "point": ("puntwaarde", "point"),
    "p_point": ("P bij puntwaarde", "P at point"),
    "none": ("niet binnen bereik", "none in range"),
    "robust": ("Robuustheid: P(verhouding ≥ 1) over het raster", "Robustness: P(ratio ≥ 1) over the grid"),
    "value": ("waarde", "value"),
    "p_social": ("P(maatschappelijk ≥ 1)", "P(social ≥ 1)"),
    "p_gemeente": ("P(gemeente ≥ 1)", "P(municipal ≥ 1)"),
    "curve": ("Acceptatiecurve over {over} (n = {n}, seed {seed}, {sampler})",
              "Acceptability curve over {over} (n = {n}, seed {seed}, {sampler})"),
    "median_social": ("mediaan maatsch. K-B", "median social ratio"),
    "median_gemeente": ("mediaan gem. K-B", "median municipal ratio"),
    "crosses": ("{e}: gaat door 50 % bij {a}, 80 % bij {b}", "{e}: crosses 50 % at {a}, 80 % at {b}"),
    "comparison": ("Vergelijking", "Comparison"),
    "compare_cols": (("scenario", "maatsch.\nK-B\nP50", "P(maat-\nsch. ≥ 1)", "gem.\nK-B\nP50", "P(gem.\n≥ 1)",
                      "P(gesplit-\nste\nprikkel)", "terugver-\ndienjaar\nP50"),
                     ("scenario", "social\nratio\nP50", "P(social\n≥ 1)", "munic.\nratio\nP50", "P(munic.\n≥ 1)",
                      "P(split\nincen-\ntive)", "payback\nyear\nP50")),
}
TABLE_WORDS: Final[dict[str, dict[str, Any]]] = {lang: {k: v[i] for k, v in _TABLE_WORDS.items()}
                                               for i, lang in enumerate(("nl", "en"))}


def render_sobol(res: Any, group_by: str, lang: str = "nl") -> Any:
    """One table per output of ``mkba-mc sobol``: S1 and ST with their 95 %
    half-widths, sorted by ST (indices as shares, two decimals)."""
    W = TABLE_WORDS[lang]
    parts: list[Any] = [Text(space_line(res.input_space, lang))]
    for o in res.outputs:
        ix = res.indices[o]
        t = Table(title=W["sobol"].format(o=o, n=count(res.n, lang), e=count(res.evaluations, lang)),
                  title_justify="left", header_style="bold")
        for col in (group_by, "S1", "±", "ST", "±"):
            t.add_column(col, justify="left" if col == group_by else "right")
        for i in np.argsort(-ix["ST"]):
            t.add_row(factor_label(res.problem.factor_names[i], lang), *(decimal(ix[k][i], lang, 3)
                                                      for k in ("S1", "S1_conf", "ST", "ST_conf")))
        parts.append(t)
    return Group(*parts)


def render_morris(ds: Any, lang: str = "nl") -> Any:
    """One table per output of ``mkba-mc morris``: mu*, its interval and sigma."""
    W = TABLE_WORDS[lang]
    parts: list[Any] = [Text(space_line(ds.attrs["input_space"], lang))]
    for o in ds["output"].values:
        sub = ds.sel(output=o)
        t = Table(title=W["morris"].format(o=o, e=count(ds.attrs["evaluations"], lang)), title_justify="left",
                  header_style="bold")
        for col in (W["parameter"], W["lever"], "mu*", "±", "sigma"):
            t.add_column(col, justify="left" if col in (W["parameter"], W["lever"]) else "right")
        for i in np.argsort(-sub["mu_star"].values):
            t.add_row(param_label(str(sub["parameter"].values[i]), lang), knop_label(str(sub["knop"].values[i]), lang),
                      *(number(sub[k].values[i], lang) for k in ("mu_star", "mu_star_conf", "sigma")))
        parts.append(t)
    return Group(*parts)


def render_tornado(df: Any, name: str, lang: str = "nl") -> Any:
    """The tornado table of ``mkba-mc tornado`` with its switch values."""
    W = TABLE_WORDS[lang]
    t = Table(title=W["tornado"].format(name=name), title_justify="left", header_style="bold")
    t.add_column(W["parameter"], justify="left", ratio=1)  # wraps, so that no number is cut
    for col in ("P10", "P90", W["social_short"], W["swing"], W["switch"], W["gemeente_short"], W["swing"],
                W["switch"]):
        t.add_column(col, justify="right", no_wrap=True)
    for _, r in df.iterrows():
        cells = [number(r["low"], lang), number(r["high"], lang)]
        for o in ("ratio_social", "ratio_gemeente"):
            cells += [f"{ratio(r[f'{o}_at_low'], lang)}–{ratio(r[f'{o}_at_high'], lang)}",
                      ratio(r[f"{o}_swing"], lang), number(r[f"{o}_switch"], lang)]
        t.add_row(param_label(r["parameter"], lang), *cells)
    return Group(Text(space_line(df.attrs["input_space"], lang)), t, Text(W["switch_note"]))


def render_breakeven(summary: Any, table: Any, n: int, lang: str = "nl") -> Any:
    """The break-even and robustness tables of ``mkba-mc breakeven``."""
    W = TABLE_WORDS[lang]
    t = Table(title=W["breakeven"].format(n=count(n, lang)), title_justify="left", header_style="bold")
    for col in (W["lever"], W["range"], W["point"], W["p_point"], "break-even"):
        t.add_column(col, justify="left" if col == W["lever"] else "right")
    for _, r in summary.iterrows():
        be = number(r["breakeven"], lang) if r["breakeven"] is not None and r["breakeven"] == r["breakeven"] else W["none"]
        t.add_row(param_label(r["lever"], lang), f"{number(r['low'], lang)} – {number(r['high'], lang)}", number(r["point"], lang),
                  prob(r["p_at_point"], lang), be)
    rt = Table(title=W["robust"], title_justify="left", header_style="bold")
    for col in (W["lever"], W["value"], W["p_social"], W["p_gemeente"]):
        rt.add_column(col, justify="left" if col == W["lever"] else "right")
    for _, r in table.iterrows():
        rt.add_row(param_label(r["lever"], lang), number(r["value"], lang), prob(r["p_ratio_social_ge_1"], lang),
                   prob(r["p_ratio_gemeente_ge_1"], lang))
    return Group(t, rt)


def render_curve(obj: dict[str, Any], over: str, lang: str = "nl") -> Any:
    """The acceptability curve of ``mkba-mc curve`` (from
    :func:`mkba_mc.sensitivity.curve.curve_json`) and where it crosses 50 % and 80 %."""
    W = TABLE_WORDS[lang]
    events = [e for e in ("ratio_social_ge_1", "ratio_gemeente_ge_1", "balance_ge_0", "balance_gemeente_ge_0")
              if e in obj["probabilities"]]
    t = Table(title=W["curve"].format(over=over, n=count(obj["n"], lang), seed=obj["seed"], sampler=obj["sampler"]),
              title_justify="left", header_style="bold")
    for col in (over, *events, W["median_social"], W["median_gemeente"]):
        t.add_column(col, justify="right")
    for i, v in enumerate(obj["values"]):
        t.add_row(number(v, lang, 6), *(prob(obj["probabilities"][e][i], lang) for e in events),
                  ratio(obj["median"]["ratio_social"][i], lang), ratio(obj["median"]["ratio_gemeente"][i], lang))
    parts: list[Any] = [Text(space_line(obj["input_space"], lang)), t]
    for e in events:
        sw = obj["switch_values"][e]
        parts.append(Text(W["crosses"].format(e=e, a=number(sw["0.5"], lang, 6), b=number(sw["0.8"], lang, 6))))
    return Group(*parts)


def render_comparison(table: Any, lang: str) -> Any:
    """The table of ``mkba-mc compare``: ratio ranges and P(gain) per scenario."""
    W = TABLE_WORDS[lang]
    # no outer edge: the seven columns fit an 80-character terminal with every header whole
    t = Table(title=W["comparison"], title_justify="left", header_style="bold", show_edge=False)
    cols = ["scenario", "ratio_social_p50", "P(ratio_social >= 1)", "ratio_gemeente_p50", "P(ratio_gemeente >= 1)",
            "P(split incentive)", "payback_year_p50"]
    for c, head in zip(cols, W["compare_cols"]):
        if c == "scenario":  # the names wrap; the numeric columns keep their whole header
            t.add_column(head, justify="left", ratio=1, overflow="fold", min_width=10)
        else:
            t.add_column(head, justify="right", no_wrap=True, min_width=max(7, *map(len, head.split("\n"))))

    def cell(r: Any, c: str) -> str:
        if c == "scenario":
            return str(r[c])
        v = r[c] if c in r else None
        if c.startswith("P("):
            return prob(v, lang)
        return ratio(v, lang) if c.startswith("ratio") else decimal(v, lang, 1)

    for _, r in table.iterrows():
        t.add_row(*(cell(r, c) for c in cols))
    return t


__all__ = ["RUN_LABELS", "TABLE_WORDS", "render_breakeven", "render_comparison", "render_curve", "render_morris",
           "render_run", "render_sobol", "render_tornado", "space_line"]
