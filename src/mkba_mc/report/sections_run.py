"""Sections of the run itself: the point estimate (screens A and B), the
ratios, the posts, the actors and the programme cash flow.

Everything shown is read from the run folder (``summary.csv``,
``samples.nc`` with its ``programme_band``) and ``point.json``; the
scenario, when it loads, adds only its realisation shares and calibration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np

from ..model.outputs import COST_KEYS
from ..model.sets import ACTORS, BUDGET_COLUMNS
from .context import Context, run_space
from .figures import fig_actors, fig_cashflow, fig_posts, fig_ratios
from .formats import count, decimal, eur, finite, prob, ratio
from .html import Section, esc, fill, html_table, key_figure
from .labels import ACTOR_LABELS, LABELS, param_label
from .screens import realisation_of, realisation_text
from .text import space_sentence

#: The NCW cost and benefit posts of screen A.
POSTS: Final[tuple[str, ...]] = (
    "cost_team", "cost_one_off", "cost_newly_found", "cost_extra_care",
    "benefit_new_for_old", "benefit_substitution", "benefit_effectiveness", "benefit_escalation",
    "benefit_children", "benefit_quality_of_life", "benefit_nuisance",
)


def calibrated_parameters(info: Mapping[str, Any]) -> list[str]:
    """Parameters whose default is calibrated to Bijlage 2 (their source says so)."""
    return [n for n, i in info.items() if "calibrated to bijlage 2" in str(getattr(i, "source", "")).lower()]


def _screen_a(s: Mapping[str, Any], lang: str) -> str:
    """Screen A of the point estimate: the NCW of every post, the balance and the ratios."""
    L = LABELS[lang]

    def cell(k: str) -> str:
        return esc(eur(s.get(k), lang))

    def val(k: str) -> float:
        v = s.get(k)
        return float(v) if finite(v) else 0.0

    rows = [[f"<b>{esc(L['costs'])}</b>", ""], [esc(L["cost_total"]), cell("cost_total")]]
    rows += [[esc(L[k]), cell(k)] for k in COST_KEYS]
    benefit_row = len(rows) + 1
    rows += [[f"<b>{esc(L['benefits'])}</b>", ""], [esc(L["benefit_total"]), cell("benefit_total")],
             [esc(L["organisation"]), esc(eur(val("benefit_new_for_old") + val("benefit_substitution"), lang))]]
    rows += [[esc(L[k]).replace("  ", "&nbsp;&nbsp;&nbsp;&nbsp;"), cell(k)]
             for k in ("benefit_new_for_old", "benefit_substitution", "benefit_effectiveness", "benefit_escalation")]
    rows.append([esc(L["immaterial"]), esc(eur(sum(val(k) for k in ("benefit_children", "benefit_quality_of_life",
                                                                     "benefit_nuisance")), lang))])
    rows += [[esc(L[k]).replace("  ", "&nbsp;&nbsp;&nbsp;&nbsp;"), cell(k)]
             for k in ("benefit_children", "benefit_quality_of_life", "benefit_nuisance")]
    rows.append([esc(L["balance"]), cell("balance")])
    rows += [[esc(L[k]), key_figure(f"point_{k}", ratio(s.get(k), lang))]
             for k in ("ratio_financial", "ratio_social", "ratio_gemeente")]
    if "ratio_gemeente_realised" in s:
        rows.append([esc(L["ratio_gemeente_realised"]), esc(ratio(s.get("ratio_gemeente_realised"), lang))])
    bold = (1, benefit_row, rows.index([esc(L["balance"]), cell("balance")]))  # total costs, total benefits, balance
    return f"<div><h3>{esc(L['screen_a'])}</h3>" + html_table(["", esc(L["ncw"])], rows, bold=bold) + "</div>"


def _screen_b(s: Mapping[str, Any], lang: str) -> str:
    """Screen B of the point estimate: the budget after two years per column of the LPBL tool."""
    L = LABELS[lang]
    actors = s.get("actors") or {}
    cols = {col: (sum(float(actors.get(a, {}).get("budget_year2_cost") or 0.0) for a in members),
                  sum(float(actors.get(a, {}).get("budget_year2_benefit") or 0.0) for a in members))
            for col, members in BUDGET_COLUMNS.items()}
    b_rows = [[esc(L["total_costs"]), *(esc(eur(c, lang)) for c, _ in cols.values())],
              [esc(L["total_benefits"]), *(esc(eur(b, lang)) for _, b in cols.values())],
              [esc(L["saldo"]), *(esc(eur(b - c, lang)) for c, b in cols.values())]]
    return (f"<div><h3>{esc(L['screen_b'])}</h3>" + html_table(["", *(esc(L[c]) for c in cols)], b_rows, bold=(2,))
            + f"<p>{esc(L['screen_b_note'][0].upper() + L['screen_b_note'][1:])}.</p></div>")


def section_point(ctx: Context) -> Section:
    """Screens A and B of the point estimate (point.json), team size and programme."""
    T, lang, L = ctx.T, ctx.lang, LABELS[ctx.lang]
    s = ctx.point
    if s is None:
        ctx.missing.append((T["point"], "point.json", "mkba-mc point SCENARIO --json > DIR/point.json"))
        return Section("point", T["point"], f'<p class="missing">{esc(T["point_missing"])}</p>')
    lines = [f"<p>{esc(ctx.point_source)}</p>"]
    if ctx.scenario is not None:
        lines.append(f"<p>{esc(realisation_text(realisation_of(ctx.scenario.params), lang))}</p>")
        calibrated = calibrated_parameters(ctx.scenario.info)
        if calibrated:
            lines.append(f"<p>{esc(T['calibration'].format(names=', '.join(param_label(n, lang) for n in calibrated)))}</p>")
    if finite(s.get("fte_need")) and finite(s.get("team_fte")):
        fte = L["fte_line"].format(need=decimal(s["fte_need"], lang, 2), team=decimal(s["team_fte"], lang, 2))
        lines.append(f"<p>{esc(T['team_line'].format(line=fte))}</p>")
    years = ctx.programme_years

    def payback(v: Any) -> str:
        return L["never"].format(years=years) if not finite(v) else f"{L['payback']} {int(v)}"

    programme = [f"{L['total']}: {payback(s.get('payback_year'))}; {L['prefinancing']} "
                 f"{eur(s.get('prefinancing'), lang)}"]
    if "payback_year_gemeente" in s:
        programme.append(f"{L['gemeente'].lower()}: {payback(s.get('payback_year_gemeente'))}; "
                         f"{L['prefinancing']} {eur(s.get('prefinancing_gemeente'), lang)}")
    ramp = ctx.scenario.structure.ramp_years if ctx.scenario is not None else "?"
    lines.append("<p>" + esc(L["programme"].format(ramp=ramp, years=years)) + ":<br>"
                 + "<br>".join(esc(p) for p in programme) + "</p>")
    body = f'<div class="screens">{_screen_a(s, lang)}{_screen_b(s, lang)}</div>' + "".join(lines)
    return Section("point", T["point"], body)


def section_ratios(ctx: Context) -> Section:
    """Distribution of the ratios (and a check of P(>= 1) against samples.nc)."""
    T, run = ctx.T, ctx.run
    for key in ("ratio_social", "ratio_gemeente"):
        x = run.samples.get(key)
        listed = run.probs.get(f"{key}_ge_1")
        if x is not None and listed is not None:
            recomputed = float(np.count_nonzero(x >= 1.0)) / x.size
            if recomputed != listed:
                ctx.notes.append(T["prob_mismatch"].format(output=key, a=prob(listed, ctx.lang, 3), b=prob(recomputed, ctx.lang, 3)))
    nan = int(np.count_nonzero(np.isnan(run.samples["ratio_social"]))) if "ratio_social" in run.samples else 0
    caption = esc(T["ratios_caption"].format(n=count(run.n, ctx.lang), nan=nan) + " "
                 + space_sentence(T, run_space(run)))
    body = ctx.figure("ratios.png", fig_ratios(run, ctx.lang), T["ratios"], caption)
    return Section("ratios", T["ratios"], body)


def section_posts(ctx: Context) -> Section:
    """NCW posts from the run's statistics (kept with ``run --all-outputs``)."""
    T, run, lang = ctx.T, ctx.run, ctx.lang
    point = ctx.point or {}
    if not all(p in run.stats.index for p in POSTS):
        return Section("posts", T["posts"], ctx.not_computed(T["posts"], "cost_team … benefit_nuisance (summary.csv)",
                                                               "mkba-mc run SCENARIO --all-outputs --out DIR"))
    rows = [(p, float(run.stats.at[p, "p10"]), float(run.stats.at[p, "p50"]), float(run.stats.at[p, "p90"]),
             point.get(p)) for p in POSTS]
    caption = T["posts_caption_run"].format(n=count(run.n, lang))
    body = ctx.figure("posts.png", fig_posts(rows, lang), T["posts"], esc(caption))
    return Section("posts", T["posts"], body)


def no_flows(stats: Any) -> bool:
    """True when an actor's balance is € 0 in every draw (mean and standard
    deviation 0, no invalid draw): it has no flows, so P(balance ≥ 0) = 100 %
    says nothing and the report shows "geen stromen" instead."""
    return float(stats["mean"]) == 0.0 and float(stats["sd"]) == 0.0 and not float(stats.get("n_nan", 0) or 0)


def section_actors(ctx: Context) -> Section:
    """Balance per actor: figure and table."""
    T, run, lang = ctx.T, ctx.run, ctx.lang
    rows: list[tuple[str, float, float, float, float | None]] = []
    sources = [("total", "balance", "balance_ge_0"), ("gemeente", "balance_gemeente", "balance_gemeente_ge_0")]
    sources += [(a, f"actor_balance.{a}", f"actor_balance_ge_0.{a}") for a in ACTORS]
    for actor, stat_row, event in sources:
        if stat_row in run.stats.index:
            rows.append((actor, *(float(run.stats.at[stat_row, c]) for c in ("p10", "p50", "p90")),
                         None if no_flows(run.stats.loc[stat_row]) else run.probs.get(event)))
    if not rows:
        return Section("actors", T["actors"], ctx.not_computed(T["actors"], "actor_balance (summary.csv)",
                                                                  "mkba-mc run SCENARIO --out DIR"))
    split = run.probs.get("split_incentive")
    caption = fill(T["actors_caption"], n=esc(count(run.n, lang)),
                    split=key_figure("p_split_incentive_fig", prob(split, lang)) if split is not None else esc(T["not_kept"]))
    body = ctx.figure("actors.png", fig_actors(rows, split, lang), T["actors"], caption)
    table_rows = [[esc(ACTOR_LABELS[lang][a]), esc(eur(p10, lang)), esc(eur(p50, lang)), esc(eur(p90, lang)),
                   key_figure(f"p_balance_ge_0.{a}", prob(pg, lang) if pg is not None else T["no_flows"])]
                  for a, p10, p50, p90, pg in rows]
    body += html_table([esc(T["actor"]), "P10", "P50", "P90", esc(T["p_ge_0"])], table_rows, bold=(0, 1))
    return Section("actors", T["actors"], body)


def section_cashflow(ctx: Context) -> Section:
    """Programme cash flow: the band the run wrote (``programme_band`` of samples.nc)."""
    T, lang, run = ctx.T, ctx.lang, ctx.run
    if not run.band:
        ctx.missing.append((T["cashflow"], "programme_band (samples.nc)", "mkba-mc run SCENARIO --programme --out DIR"))
        return Section("cashflow", T["cashflow"], f'<p class="missing">{esc(T["cashflow_missing"])}</p>')
    marks: dict[str, tuple[float | None, float | None]] = {}
    if ctx.point is not None:
        marks["total"] = (ctx.point.get("payback_year"), ctx.point.get("prefinancing"))
        if "payback_year_gemeente" in ctx.point:
            marks["gemeente"] = (ctx.point.get("payback_year_gemeente"), ctx.point.get("prefinancing_gemeente"))
    median = {"total": run.median_payback("payback_year"), "gemeente": run.median_payback("payback_year_gemeente")}
    man = run.manifest
    ramp = ctx.scenario.structure.ramp_years if ctx.scenario is not None else "?"
    caption = T["cashflow_caption"].format(ramp=ramp, m=count(run.n, lang), seed=man.get("seed"),
                                           sampler=man.get("sampler"))
    body = ctx.figure("cashflow.png", fig_cashflow(run.band, run.n, marks, median, lang), T["cashflow"], esc(caption))
    return Section("cashflow", T["cashflow"], body)


__all__ = ["POSTS", "calibrated_parameters", "section_actors", "section_cashflow", "section_point",
           "section_posts", "section_ratios"]
