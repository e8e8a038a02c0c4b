"""Sections of the other analyses: tornado and switch values, Sobol'
indices, break-even and robustness, and the provenance of every file used."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import OutputError
from .artefacts import manifest_hashes, read_json
from .context import Context
from .figures import SOBOL_TOP, TORNADO_TOP, fig_sobol, fig_tornado, sobol_output_title, sobol_panels
from .formats import count, decimal, finite, number, prob, ratio
from .html import Section, esc, html_table
from .labels import factor_label, knop_label, param_label
from .text import space_sentence

def section_tornado(ctx: Context) -> Section:
    """Tornado figure and the switch values of every parameter."""
    T, lang = ctx.T, ctx.lang
    if ctx.art.tornado is None:
        return Section("tornado", T["tornado"], ctx.not_computed(T["tornado"], "tornado.csv", "mkba-mc tornado SCENARIO --out DIR"))
    try:
        df = pd.read_csv(ctx.art.tornado)
    except (OSError, ValueError) as exc:
        raise OutputError(f"{ctx.art.tornado}: cannot read ({exc})") from exc
    need = {"parameter", "ratio_social_base", "ratio_social_at_low", "ratio_social_at_high", "ratio_social_swing"}
    if not need <= set(df.columns):
        raise OutputError(f"{ctx.art.tornado}: expected the columns {', '.join(sorted(need))} (mkba-mc tornado)")
    df = df.sort_values("ratio_social_swing", ascending=False, ignore_index=True)
    ctx.code_names.update(str(v) for c in ("parameter", "knop") if c in df.columns for v in df[c])
    tman = (read_json(ctx.art.tornado.parent / "manifest.json")
            if (ctx.art.tornado.parent / "manifest.json").is_file() else {})
    caption = esc(T["tornado_caption"].format(k=min(TORNADO_TOP, len(df)), total=len(df)) + " "
                 + space_sentence(T, tman.get("input_space")))
    body = ctx.figure("tornado.png", fig_tornado(df, lang), T["tornado"], caption)
    header = [T["parameter"], T["knop"], T["p10"], T["p90"], T["point_value"], T["ratio_range"], T["switch_social"]]
    has_g = "ratio_gemeente_switch" in df.columns
    if has_g:
        header.append(T["switch_gemeente"])
    rows = []
    for r in df.itertuples():
        row = [esc(param_label(r.parameter, lang)), esc(knop_label(getattr(r, "knop", ""), lang)), esc(number(getattr(r, "low", None), lang)),
               esc(number(getattr(r, "high", None), lang)), esc(number(getattr(r, "point", None), lang)),
               esc(f"{ratio(r.ratio_social_at_low, lang)} – {ratio(r.ratio_social_at_high, lang)}"),
               esc(number(getattr(r, "ratio_social_switch", None), lang))]
        if has_g:
            row.append(esc(number(r.ratio_gemeente_switch, lang)))
        rows.append(row)
    body += f"<h3>{esc(T['switch_table'])}</h3>" + html_table([esc(h) for h in header], rows, left=2)
    return Section("tornado", T["tornado"], body)


def section_sobol(ctx: Context) -> Section:
    """Sobol' figure and the full table of indices; how dependent inputs were
    treated, and the Shapley effects where a ``shapley.nc`` is present
    (:mod:`mkba_mc.report.dependence`)."""
    from .dependence import dependence_sentence, group_label, relabelled, shapley_html

    T, lang = ctx.T, ctx.lang
    shapley = getattr(ctx.art, "shapley", None)  # found and checked for its scenario with the other results
    words = {"knop": T["knop"], "parameter": T["parameter"]}
    if ctx.sobol is None:
        if shapley is not None:
            return Section("sobol", T["sobol"], shapley_html(ctx, shapley, words))
        return Section("sobol", T["sobol"], ctx.not_computed(T["sobol"], "sobol.nc", "mkba-mc sobol SCENARIO --out DIR"))
    ds, dim = ctx.sobol
    factor = T["knop"] if dim == "knop" else T["parameter"]
    n_factors = int(ds.sizes[dim])
    top = T["sobol_top"].format(k=SOBOL_TOP, factor=factor) if n_factors > SOBOL_TOP else ""
    dependence = dependence_sentence(ds.attrs, lang)
    caption = esc(T["sobol_caption"].format(factor=factor, n=ds.attrs.get("n", "?"),
                                           evaluations=count(int(ds.attrs.get("evaluations", 0)), lang), top=top)
                 + " " + space_sentence(T, ds.attrs.get("input_space")) + (" " + dependence if dependence else ""))
    parts = [f"<p>{esc(dependence)}</p>"] if dependence else []
    if sobol_panels([str(o) for o in ds["output"].values]):
        parts.append(ctx.figure("sobol.png", fig_sobol(relabelled(ds, dim, lang), dim, lang), T["sobol"], caption))
    label = group_label if "group_members" in ds.attrs else factor_label  # files written before issue 13: plain factors
    rows = []
    for o in ds["output"].values:
        sub = ds.sel(output=o)
        order = np.argsort(-np.nan_to_num(sub["ST"].values.astype(float), nan=-np.inf))
        for i in order:
            rows.append([esc(sobol_output_title(str(o), lang)), esc(label(str(sub[dim].values[i]), lang)), *(esc(decimal(float(sub[v].values[i]), lang, 3))
                                                          for v in ("S1", "S1_conf", "ST", "ST_conf"))])
    parts.append(f"<details><summary>{esc(T['sobol_table'])}</summary>"
                 + html_table([esc(T["output"]), esc(factor), "S1", "± (95 %)", "ST", "± (95 %)"], rows, left=2)
                 + "</details>")
    if shapley is not None:
        parts.append(shapley_html(ctx, shapley, words))
    return Section("sobol", T["sobol"], "".join(parts))


def section_breakeven(ctx: Context) -> Section:
    """Break-even per lever and the robustness table."""
    T, lang = ctx.T, ctx.lang
    folder = ctx.art.breakeven
    if folder is None:
        return Section("breakeven", T["breakeven"],
                        ctx.not_computed(T["breakeven"], "breakeven.csv + robustness.csv", "mkba-mc breakeven SCENARIO --out DIR"))
    try:
        summary = pd.read_csv(folder / "breakeven.csv")
        table = pd.read_csv(folder / "robustness.csv")
    except (OSError, ValueError) as exc:
        raise OutputError(f"{folder}: cannot read breakeven.csv / robustness.csv ({exc})") from exc
    man = read_json(folder / "manifest.json") if (folder / "manifest.json").is_file() else {}
    ctx.code_names.update(str(v) for v in summary["lever"])
    rows = [[esc(param_label(r.lever, lang)), esc(f"{number(r.low, lang)} – {number(r.high, lang)}"), esc(number(r.point, lang)), esc(prob(r.p_at_point, lang)),
             esc(number(r.breakeven, lang) if finite(r.breakeven) else T["none_in_range"])] for r in summary.itertuples()]
    caption = (T["breakeven_caption"].format(n=count(int(man.get("n", 0)), lang), seed=man.get("seed", "?"))
               + " " + space_sentence(T, "breakeven"))
    body = f"<p>{esc(caption)}</p>"
    body += html_table([esc(T[k]) for k in ("lever", "range", "point_value", "p_at_point", "breakeven_col")], rows)
    rrows = [[esc(param_label(r.lever, lang)), esc(number(r.value, lang)),
              esc(f"{prob(r.p_ratio_social_ge_1, lang)} ± {prob(getattr(r, 'se_social', None), lang)}"),
              esc(f"{prob(r.p_ratio_gemeente_ge_1, lang)} ± {prob(getattr(r, 'se_gemeente', None), lang)}")]
             for r in table.itertuples()]
    body += f"<p>{esc(T['robustness_caption'])}</p>"
    body += html_table([esc(T[k]) for k in ("lever", "value", "p_social", "p_gemeente")], rrows)
    return Section("breakeven", T["breakeven"], body)


def check_other_inputs(ctx: Context) -> None:
    """Note analyses made with other input files than the run."""
    wanted = set(manifest_hashes(ctx.run.manifest).values())
    folders = [(kind, getattr(ctx.art, kind)) for kind in ("sobol", "tornado", "breakeven")]
    folders += [("curve", c.folder) for c in ctx.curves]
    for kind, path in folders:
        if path is None or not wanted:
            continue
        folder = path if path.is_dir() else path.parent
        if (folder / "manifest.json").is_file():
            other = set(manifest_hashes(read_json(folder / "manifest.json")).values())
            if other and other != wanted:
                ctx.notes.append(ctx.T["other_inputs"].format(analysis=kind))


__all__ = ["check_other_inputs", "section_breakeven", "section_sobol", "section_tornado"]
