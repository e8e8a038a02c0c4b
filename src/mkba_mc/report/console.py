"""Console tables of the commands (rich renderables; the CLI prints them).

Each ``render_*`` function turns a result the engine computed into what
``mkba-mc <command>`` prints without ``--json``; none computes anything
beyond formatting (the point percentiles of a run come from
:func:`mkba_mc.io.results.point_percentiles`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

RUN_LABELS = {
    "nl": {"title": "Monte Carlo: {name} (n = {n:,}, seed {seed}, {sampler})", "output": "uitkomst",
           "mean": "gemiddelde", "prob": "kans", "se": "st.fout", "event": "gebeurtenis",
           "ratio_social_ge_1": "P(maatschappelijke K-B-verhouding >= 1)",
           "ratio_financial_ge_1": "P(financiële K-B-verhouding >= 1)",
           "ratio_gemeente_ge_1": "P(gemeentelijke K-B-verhouding >= 1)",
           "balance_ge_0": "P(saldo >= 0)", "balance_gemeente_ge_0": "P(saldo gemeente >= 0)",
           "split_incentive": "P(maatschappij wint, gemeente verliest)", "actor": "P(saldo {actor} >= 0)",
           "point": "puntschatting", "pct": "percentiel punt", "space": "invoerruimte"},
    "en": {"title": "Monte Carlo: {name} (n = {n:,}, seed {seed}, {sampler})", "output": "output",
           "mean": "mean", "prob": "probability", "se": "std.err", "event": "event",
           "ratio_social_ge_1": "P(social cost-benefit ratio >= 1)",
           "ratio_financial_ge_1": "P(financial cost-benefit ratio >= 1)",
           "ratio_gemeente_ge_1": "P(municipal cost-benefit ratio >= 1)",
           "balance_ge_0": "P(balance >= 0)", "balance_gemeente_ge_0": "P(municipal balance >= 0)",
           "split_incentive": "P(society gains, municipality loses)", "actor": "P(balance {actor} >= 0)",
           "point": "point", "pct": "point pct", "space": "input space"},
}


def render_run(result: Any, lang: str) -> Any:
    """The table of ``mkba-mc run``: key outputs (point, its percentile, P50,
    mean, P5, P95) and the probabilities with their standard errors."""
    from ..io.results import point_percentiles
    from ..uncertainty.spaces import INPUT_SPACES

    L = RUN_LABELS[lang]
    df = result.summary()
    points = point_percentiles(result)
    title = Text(L["title"].format(name=result.scenario.name, n=result.n, seed=result.plan.seed,
                                   sampler=result.plan.sampler), style="bold")
    space = Text(f"{L['space']}: {INPUT_SPACES.get(result.scenario.space, result.scenario.space)}")
    t = Table(header_style="bold")
    t.add_column(L["output"])
    for col in (L["point"], L["pct"], "P50", L["mean"], "P5", "P95"):
        t.add_column(col, justify="right")
    for key in ("ratio_social", "ratio_financial", "ratio_gemeente", "balance", "balance_gemeente",
                "cost_total", "benefit_total", "payback_year", "prefinancing"):
        if key in df.index:
            row = df.loc[key]
            fmt = "{:,.2f}" if key.startswith("ratio") or key == "payback_year" else "{:,.0f}"
            pt, pct = points.get(key, (float("nan"), float("nan")))
            t.add_row(key, fmt.format(pt) if pt == pt else "–", f"{pct:.0f}" if pct == pct else "–",
                      *(fmt.format(row[c]) if row[c] == row[c] else "–" for c in ("p50", "mean", "p5", "p95")))
    p = Table(header_style="bold")
    p.add_column(L["event"])
    p.add_column(L["prob"], justify="right")
    p.add_column(L["se"], justify="right")
    for key, v in result.probabilities().items():
        label = L["actor"].format(actor=key.split(".", 1)[1]) if key.startswith("actor_balance_ge_0.") else L.get(key, key)
        p.add_row(label, f"{v['p']:.3f}", f"{v['se']:.4f}")
    return Group(title, space, t, p)


def space_line(space: str) -> str:
    """The line naming the input space an analysis covers."""
    from ..uncertainty.spaces import INPUT_SPACES

    return f"input space ({space}): {INPUT_SPACES.get(space, space)}"


def render_sobol(res: Any, group_by: str) -> Any:
    """One table per output of ``mkba-mc sobol``: S1 and ST with their 95 %
    half-widths, sorted by ST."""
    parts: list[Any] = [Text(space_line(res.input_space))]
    for o in res.outputs:
        ix = res.indices[o]
        t = Table(title=f"Sobol' {o} (n = {res.n:,}, {res.evaluations:,} evaluations)", title_justify="left",
                  header_style="bold")
        for col in (group_by, "S1", "±", "ST", "±"):
            t.add_column(col, justify="left" if col == group_by else "right")
        for i in np.argsort(-ix["ST"]):
            t.add_row(res.problem.factor_names[i], f"{ix['S1'][i]:.3f}", f"{ix['S1_conf'][i]:.3f}",
                      f"{ix['ST'][i]:.3f}", f"{ix['ST_conf'][i]:.3f}")
        parts.append(t)
    return Group(*parts)


def render_morris(ds: Any) -> Any:
    """One table per output of ``mkba-mc morris``: mu*, its interval and sigma."""
    parts: list[Any] = [Text(space_line(ds.attrs["input_space"]))]
    for o in ds["output"].values:
        sub = ds.sel(output=o)
        t = Table(title=f"Morris {o} ({ds.attrs['evaluations']:,} evaluations)", title_justify="left", header_style="bold")
        for col in ("parameter", "knop", "mu*", "±", "sigma"):
            t.add_column(col, justify="left" if col in ("parameter", "knop") else "right")
        for i in np.argsort(-sub["mu_star"].values):
            t.add_row(str(sub["parameter"].values[i]), str(sub["knop"].values[i]), f"{sub['mu_star'].values[i]:.4g}",
                      f"{sub['mu_star_conf'].values[i]:.2g}", f"{sub['sigma'].values[i]:.4g}")
        parts.append(t)
    return Group(*parts)


def render_tornado(df: Any, name: str) -> Any:
    """The tornado table of ``mkba-mc tornado`` with its switch values."""
    t = Table(title=f"Tornado: {name} (P10 - P90, others at point values)", title_justify="left", header_style="bold")
    for col in ("parameter", "P10", "P90", "ratio_social", "swing", "switch", "ratio_gemeente", "swing", "switch"):
        t.add_column(col, justify="left" if col == "parameter" else "right", no_wrap=True)

    def sw(v: Any) -> str:
        return "–" if v is None or v != v else f"{v:.4g}"

    for _, r in df.iterrows():
        t.add_row(r["parameter"], f"{r['low']:.4g}", f"{r['high']:.4g}",
                  f"{r['ratio_social_at_low']:.2f}–{r['ratio_social_at_high']:.2f}", f"{r['ratio_social_swing']:.3f}",
                  sw(r["ratio_social_switch"]),
                  f"{r['ratio_gemeente_at_low']:.2f}–{r['ratio_gemeente_at_high']:.2f}",
                  f"{r['ratio_gemeente_swing']:.3f}", sw(r["ratio_gemeente_switch"]))
    return Group(Text(space_line(df.attrs["input_space"])), t,
                 Text("switch: value where the ratio crosses 1 with the others at their point values "
                      "(– = no switch within the range)"))


def render_breakeven(summary: Any, table: Any, n: int) -> Any:
    """The break-even and robustness tables of ``mkba-mc breakeven``."""
    t = Table(title=f"Break-even: P(ratio_social >= 1) = 50 % ({n:,} samples per value)", title_justify="left",
              header_style="bold")
    for col in ("lever", "range", "point", "P at point", "break-even"):
        t.add_column(col, justify="left" if col == "lever" else "right")
    for _, r in summary.iterrows():
        be = "none in range" if r["breakeven"] is None or r["breakeven"] != r["breakeven"] else f"{r['breakeven']:.4g}"
        t.add_row(r["lever"], f"{r['low']:.4g} – {r['high']:.4g}", f"{r['point']:.4g}", f"{r['p_at_point']:.3f}", be)
    rt = Table(title="Robustness: P(ratio >= 1) over the grid", title_justify="left", header_style="bold")
    for col in ("lever", "value", "P(social >= 1)", "P(gemeente >= 1)"):
        rt.add_column(col, justify="left" if col == "lever" else "right")
    for _, r in table.iterrows():
        rt.add_row(r["lever"], f"{r['value']:.4g}", f"{r['p_ratio_social_ge_1']:.3f}", f"{r['p_ratio_gemeente_ge_1']:.3f}")
    return Group(t, rt)


def render_curve(obj: dict[str, Any], over: str) -> Any:
    """The acceptability curve of ``mkba-mc curve`` (from
    :func:`mkba_mc.sensitivity.curve.curve_json`) and where it crosses 50 % and 80 %."""
    events = [e for e in ("ratio_social_ge_1", "ratio_gemeente_ge_1", "balance_ge_0", "balance_gemeente_ge_0")
              if e in obj["probabilities"]]
    t = Table(title=f"Acceptability curve over {over} (n = {obj['n']:,}, seed {obj['seed']}, {obj['sampler']})",
              title_justify="left", header_style="bold")
    for col in (over, *events, "median ratio_social", "median ratio_gemeente"):
        t.add_column(col, justify="right")
    for i, v in enumerate(obj["values"]):
        t.add_row(f"{v:,.6g}", *(f"{obj['probabilities'][e][i]:.3f}" for e in events),
                  f"{obj['median']['ratio_social'][i]:.2f}", f"{obj['median']['ratio_gemeente'][i]:.2f}")
    parts: list[Any] = [Text(space_line(obj["input_space"])), t]
    for e in events:
        sw = obj["switch_values"][e]
        parts.append(Text(f"{e}: crosses 50 % at {sw['0.5'] if sw['0.5'] is not None else '–'}, "
                          f"80 % at {sw['0.8'] if sw['0.8'] is not None else '–'}"))
    return Group(*parts)


def render_comparison(table: Any, lang: str) -> Any:
    """The table of ``mkba-mc compare``: ratio ranges and P(gain) per scenario."""
    t = Table(title="Vergelijking" if lang == "nl" else "Comparison", title_justify="left", header_style="bold")
    cols = ["scenario", "ratio_social_p50", "P(ratio_social >= 1)", "ratio_gemeente_p50", "P(ratio_gemeente >= 1)",
            "P(split incentive)", "payback_year_p50"]
    for c in cols:
        t.add_column(c, justify="left" if c == "scenario" else "right")
    for _, r in table.iterrows():
        t.add_row(*(str(r[c]) if c == "scenario" else ("–" if c not in r or r[c] != r[c] else f"{r[c]:.3g}")
                    for c in cols))
    return t


__all__ = ["RUN_LABELS", "render_breakeven", "render_comparison", "render_curve", "render_morris", "render_run",
           "render_sobol", "render_tornado", "space_line"]
