"""The summary section: the conclusion in the guidance's wording and the key figures.

Every figure is read from the result files: the balance range and the
probabilities from ``summary.csv``, the point estimate from ``point.json``,
the median payback year from ``summary.csv`` (``p50`` of ``payback_year``:
the one definition shared with ``run`` and ``compare``), the most
important knoppen from ``sobol.nc``.
"""

from __future__ import annotations

import numpy as np

from .assumptions import assumption_total
from .context import Context, run_space
from .curves import curve_summary
from .formats import decimal, eur, finite, prob, ratio
from .html import Section, esc, fill, key_figure
from .labels import factor_label
from .section_discover import discover_summary
from .section_voi import voi_summary
from .text import space_sentence
from .wording import classify_balance, uncertainty_wording


def _balance_items(ctx: Context) -> list[str]:
    """The verdict and the range of the balance (P5, P50, P95 and P(balance >= 0) of summary.csv)."""
    T, lang, run = ctx.T, ctx.lang, ctx.run
    p5, p50, p95 = (run.stat("balance", c) for c in ("p5", "p50", "p95"))
    cost = run.stat("cost_total", "mean")
    if p5 is None or p50 is None or p95 is None or cost is None:
        return [esc(T["no_balance"])]
    verdict = classify_balance(p5, p95, cost)
    sentence = uncertainty_wording(p5, p95, cost, lang)
    return [f'<span class="verdict" data-verdict="{verdict}">{esc(sentence)}</span>',
            fill(T["balance_range"], p5=esc(eur(p5, lang)), p95=esc(eur(p95, lang)), p50=esc(eur(p50, lang)),
                 p=key_figure("p_balance_ge_0", prob(run.probs.get("balance_ge_0"), lang)))]


def _paid_back(ctx: Context, year: float | None) -> str:
    """"paid back in year y" or "not paid back within the programme" (escaped HTML)."""
    T = ctx.T
    if year is not None and finite(year):
        return esc(T["paid_back"].format(y=int(year)))
    return esc(T["not_paid_back"].format(years=ctx.programme_years))


def _programme_items(ctx: Context) -> list[str]:
    """Payback and pre-financing: the point estimate (point.json) and the run (summary.csv)."""
    T, lang, run, pt = ctx.T, ctx.lang, ctx.run, ctx.point
    years = ctx.programme_years
    point_pay = pt.get("payback_year") if pt is not None else None
    if pt is None:
        pt_text = "–"
    elif finite(point_pay):
        pt_text = fill(T["paid_back"], y=key_figure("payback_year", str(int(point_pay))))
    else:
        pt_text = esc(T["not_paid_back"].format(years=years))
    med = run.median_payback()
    if med is not None:
        med_text = (key_figure("payback_year_median", T["year"].format(y=int(med))) if finite(med)
                    else esc(T["never"].format(years=years)))
        pp = key_figure("p_payback", prob(run.p_paid_back(), lang))
    else:
        med_text, pp = esc(T["not_kept"]), "–"
    items = [fill(T["payback"], pt=pt_text, pm=med_text, pp=pp, years=esc(years))]
    pf_point = pt.get("prefinancing") if pt is not None else None
    items.append(fill(T["prefin"], pt=key_figure("prefinancing", eur(pf_point, lang)),
                      pm=esc(eur(run.stat("prefinancing", "p50"), lang)),
                      p90=esc(eur(run.stat("prefinancing", "p90"), lang))))
    if pt is not None and "payback_year_gemeente" in pt:
        items.append(fill(T["gemeente_programme"], pt=_paid_back(ctx, pt.get("payback_year_gemeente")),
                          pf=esc(eur(pt.get("prefinancing_gemeente"), lang))))
    return items


def _sobol_items(ctx: Context) -> list[str]:
    """The three most important factors per ratio (ST of sobol.nc) and the share resting on assumptions."""
    T = ctx.T
    if ctx.sobol is None:
        return [esc(T["no_sobol"])]
    ds, dim = ctx.sobol
    kind = T["knoppen"] if dim == "knop" else T["parameters"]
    items = []
    for out_name, template in (("ratio_social", "top_knoppen"), ("ratio_gemeente", "top_knoppen_g")):
        if out_name in [str(o) for o in ds["output"].values]:
            sub = ds.sel(output=out_name)
            st = sub["ST"].values.astype(float)
            order = np.argsort(-np.nan_to_num(st, nan=-np.inf))[:3]
            names = [factor_label(str(sub[dim].values[i]), ctx.lang) for i in order]
            listed = ", ".join(f"{key_figure(f'top_{out_name}_{r + 1}', nm)} (ST {decimal(st[i], ctx.lang, 2)})"
                               for r, (i, nm) in enumerate(zip(order, names)))
            items.append(fill(T[template], kind=esc(kind), items=listed))
    items.append(esc(space_sentence(T, ds.attrs.get("input_space"))))
    if ctx.assumptions:
        per = T["per_knop"] if dim == "knop" else T["per_parameter"]
        items.append(fill(T["assumptions_summary"], k=esc(len(ctx.assumptions)), per=esc(per),
                          s=key_figure("assumption_st_sum_summary", decimal(assumption_total(ctx.assumptions), ctx.lang, 2))))
    return items


def section_summary(ctx: Context) -> Section:
    """The text summary in the wording of the Dutch guidance."""
    T, lang, run = ctx.T, ctx.lang, ctx.run
    items: list[str] = [*ctx.contents,
                        esc(T["headline_space"].format(space=space_sentence(T, run_space(run))))]
    items.extend(_balance_items(ctx))
    ps = run.probs.get("ratio_social_ge_1")
    pg = run.probs.get("ratio_gemeente_ge_1")
    items.append(fill(T["p_ratios"], ps=key_figure("p_ratio_social_ge_1", prob(ps, lang)),
                      pg=key_figure("p_ratio_gemeente_ge_1", prob(pg, lang)) if pg is not None else esc(T["not_kept"])))
    pt = ctx.point
    if pt is not None:
        items.append(fill(T["point_ratios"], rs=key_figure("ratio_social", ratio(pt.get("ratio_social"), lang)),
                          rf=key_figure("ratio_financial", ratio(pt.get("ratio_financial"), lang)),
                          rg=key_figure("ratio_gemeente", ratio(pt.get("ratio_gemeente"), lang)),
                          bal=esc(eur(pt.get("balance"), lang))))
    split = run.probs.get("split_incentive")
    items.append(fill(T["split"], p=key_figure("p_split_incentive", prob(split, lang)) if split is not None
                      else esc(T["not_kept"])))
    items.extend(_programme_items(ctx))
    items.extend(_sobol_items(ctx))
    items.extend(curve_summary(ctx, c) for c in ctx.curves)
    items.extend(i for i in (voi_summary(ctx), discover_summary(ctx)) if i)  # issue 13, when they were run
    body = '<ul class="summary">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
    return Section("summary", T["summary"], body)


__all__ = ["section_summary"]
