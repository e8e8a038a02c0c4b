"""Sensitivity with dependent inputs in the report and on the console: labels
of grouped factors, the sentence that says how dependence was treated, and the
Shapley effects (figure, table, console).

What the engine did is in the result's attributes (``dependence``,
``group_members``; :mod:`mkba_mc.sensitivity.dependence`): ``grouped``
Sobol' indices (each correlated set and share vector one group, Jacques et
al. 2006), ``ignored`` (only on request, and said so), or Shapley effects
(Song, Nelson & Staum 2016).  The report reads ``shapley.nc``; it never
evaluates the model.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from ..sensitivity.dependence import LINKED
from .formats import count, decimal
from .html import esc, html_table
from .labels import factor_label, param_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: nl and en text of this module.
TEXT: Final[dict[str, dict[str, str]]] = {
    "nl": {
        "linked": " (samenhangend)", "all": " (alle)",
        "grouped": "Sommige invoeren hangen samen: ze zijn gecorreleerd, of het zijn aandelen die samen 100 % zijn. "
                   "Zulke invoeren zijn als één groep getrokken, mét hun samenhang, zodat de indices per groep "
                   "kloppen. Knoppen die zo samenhangen staan samen, als 'knop A + knop B (samenhangend)'.",
        "ignored": "Let op: de samenhang tussen invoeren is op verzoek genegeerd; alle invoeren zijn los van elkaar "
                   "getrokken. Deze indices beschrijven de onzekerheid dus niet zoals het scenario die opgeeft.",
        "shapley_title": "Shapley-effecten (invoeren die samenhangen)",
        "shapley_intro": "Een Shapley-effect verdeelt de spreiding van de uitkomst eerlijk over de invoeren, ook als "
                         "invoeren samenhangen; samen tellen de effecten op tot 1. Aandelen die samen 100 % zijn, "
                         "tellen als één invoer.",
        "shapley_caption": "Shapley-effect per {factor} met 95 %-betrouwbaarheidsinterval ({n} willekeurige "
                           "volgordes, {evaluations} modelberekeningen).",
        "shapley_table": "Alle Shapley-effecten", "effect": "Shapley-effect", "axis": "Shapley-effect",
        "console": "Shapley-effecten voor {o} ({n} volgordes, {e} evaluaties)",
    },
    "en": {
        "linked": " (dependent)", "all": " (all)",
        "grouped": "Some inputs move together: they are correlated, or they are shares that add up to 100 %. Such "
                   "inputs were drawn as one group, with their dependence, so that the indices per group are "
                   "valid. Knoppen linked this way are shown together, as 'knop A + knop B (dependent)'.",
        "ignored": "Note: the dependence between inputs was ignored on request; every input was drawn on its own. "
                   "These indices therefore do not describe the uncertainty as the scenario states it.",
        "shapley_title": "Shapley effects (inputs that move together)",
        "shapley_intro": "A Shapley effect shares the spread of the outcome fairly among the inputs, also when "
                         "inputs move together; the effects add up to 1. Shares that add up to 100 % count as "
                         "one input.",
        "shapley_caption": "Shapley effect per {factor} with 95 % confidence interval ({n} random orders, "
                           "{evaluations} model evaluations).",
        "shapley_table": "All Shapley effects", "effect": "Shapley effect", "axis": "Shapley effect",
        "console": "Shapley effects for {o} ({n} orders, {e} evaluations)",
    },
}


def group_label(name: str, lang: str) -> str:
    """A factor in plain language, grouped factors included: ``"selectie +
    prijzen (samenhangend)"`` -> both knoppen's labels, ``care_profile.*`` ->
    the parameter's label with "(alle)"."""
    W = TEXT[lang]
    linked = name.endswith(LINKED)
    core = name[: -len(LINKED)] if linked else name
    if " + " not in core and not core.endswith(".*"):
        return factor_label(core, lang) + (W["linked"] if linked else "")
    parts = []
    for part in core.split(" + "):
        parts.append(param_label(part[:-2], lang) + W["all"] if part.endswith(".*") else factor_label(part, lang))
    # "Selectie + prijzen": later members in lower case (not an acronym such as "QALY")
    parts[1:] = [p[:1].lower() + p[1:] if p[1:2].islower() else p for p in parts[1:]]
    return " + ".join(parts) + (W["linked"] if linked else "")


def dependence_sentence(attrs: Any, lang: str) -> str:
    """The sentence that says how dependent inputs were treated ("" without any)."""
    mode = str(attrs.get("dependence", ""))
    return TEXT[lang].get(mode, "") if mode in ("grouped", "ignored") else ""


def relabelled(ds: Any, dim: str, lang: str) -> Any:
    """``ds`` with its factors named in plain language (for figures that label by name)."""
    return ds.assign_coords({dim: [group_label(str(v), lang) for v in ds[dim].values]})


def find_shapley(root: Path) -> Path | None:
    """The ``shapley.nc`` of a results folder (the folder itself or one level down)."""
    for cand in [root / "shapley.nc", *sorted(root.glob("*/shapley.nc"))]:
        if cand.is_file():
            return cand
    return None


def fig_shapley(ds: Any, dim: str, lang: str, top: int = 15) -> Figure:
    """Shapley effects with their 95 % intervals, one panel per ratio output."""
    import math

    from .figures import localise, new_figure, sobol_output_title

    outputs = [str(o) for o in ds["output"].values if str(o).startswith("ratio_")][:4] or [str(ds["output"].values[0])]
    k = min(int(ds.sizes[dim]), top)
    cols = 2 if len(outputs) > 1 else 1
    rows = math.ceil(len(outputs) / cols)
    fig = new_figure(11, rows * (0.34 * k + 1.4))
    axes = fig.subplots(rows, cols, squeeze=False)
    for idx, ax in enumerate(axes.flat):
        if idx >= len(outputs):
            ax.set_visible(False)
            continue
        sub = ds.sel(output=outputs[idx])
        sh = sub["Sh"].values.astype(float)
        order = np.argsort(-np.nan_to_num(sh, nan=-np.inf))[:k]
        y = np.arange(len(order))[::-1]
        ax.barh(y, sh[order], height=0.6, xerr=sub["Sh_conf"].values[order], color="#2b5d8a", ecolor="#222",
                capsize=2.5)
        ax.set_yticks(y, [group_label(str(sub[dim].values[i]), lang) for i in order], fontsize=9.5)
        ax.axvline(0, color="#555", lw=0.8)
        ax.set_xlabel(TEXT[lang]["axis"], fontsize=10)
        ax.set_title(sobol_output_title(outputs[idx], lang), fontsize=11)
        ax.grid(axis="x", alpha=0.3)
    return localise(fig, lang)


def shapley_html(ctx: Any, path: Path, factor_word: dict[str, str]) -> str:
    """The Shapley part of the Sobol' section: intro, figure, table."""
    import xarray as xr

    from .figures import sobol_output_title

    W, lang = TEXT[ctx.lang], ctx.lang
    with xr.open_dataset(path, engine="h5netcdf") as f:
        ds = f.load()
    dim = "knop" if "knop" in ds.dims else "parameter"
    ctx.code_names.update(str(v) for v in ds[dim].values)
    caption = esc(W["shapley_caption"].format(factor=factor_word[dim], n=count(int(ds.attrs.get("n", 0)), lang),
                                              evaluations=count(int(ds.attrs.get("evaluations", 0)), lang)))
    body = f"<h3>{esc(W['shapley_title'])}</h3><p>{esc(W['shapley_intro'])}</p>"
    body += ctx.figure("shapley.png", fig_shapley(ds, dim, lang), W["shapley_title"], caption)
    rows = []
    for o in ds["output"].values:
        sub = ds.sel(output=o)
        for i in np.argsort(-np.nan_to_num(sub["Sh"].values.astype(float), nan=-np.inf)):
            rows.append([esc(sobol_output_title(str(o), lang)), esc(group_label(str(sub[dim].values[i]), lang)),
                         esc(decimal(float(sub["Sh"].values[i]), lang, 3)),
                         esc(decimal(float(sub["Sh_conf"].values[i]), lang, 3))])
    body += (f"<details><summary>{esc(W['shapley_table'])}</summary>"
             + html_table([esc(ctx.T["output"]), esc(factor_word[dim]), esc(W["effect"]), "± (95 %)"], rows, left=2)
             + "</details>")
    return body


def render_shapley(res: Any, group_by: str, lang: str = "nl") -> Any:
    """One console table per output of ``mkba-mc sobol --method shapley``."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from .console import space_line

    parts: list[Any] = [Text(space_line(res.input_space, lang))]
    for o in res.outputs:
        ix = res.indices[o]
        t = Table(title=TEXT[lang]["console"].format(o=o, n=count(res.n, lang), e=count(res.evaluations, lang)),
                  title_justify="left", header_style="bold")
        for col in (group_by, "Sh", "±"):
            t.add_column(col, justify="left" if col == group_by else "right")
        for i in np.argsort(-ix["Sh"]):
            t.add_row(group_label(res.problem.factor_names[i], lang), decimal(ix["Sh"][i], lang, 3),
                      decimal(ix["Sh_conf"][i], lang, 3))
        parts.append(t)
    return Group(*parts)


__all__ = ["TEXT", "dependence_sentence", "fig_shapley", "find_shapley", "group_label", "relabelled",
           "render_shapley", "shapley_html"]
