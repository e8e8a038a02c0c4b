"""Inputs of the Sobol' space that rest on assumptions, with their total index.

The evidence of each input comes from the run's scenario put in the Sobol'
result's input space (loaded, not evaluated); an input whose evidence
starts with "assumption" is listed with its ST, and the summary gives the
sum of ST over those factors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .context import Context
from .formats import decimal, finite
from .html import Section, esc, fill, html_table, key_figure
from .labels import PARAMETER_LABELS, knop_label, param_label
from .text import space_sentence

if TYPE_CHECKING:
    from ..io.loading import Scenario

def sobol_parameters(ds: Any, dim: str) -> dict[str, str]:
    """The sampled parameters of a Sobol' result and their factor (the
    parameter itself, or its knop or group from the ``groups`` attribute;
    per parameter with dependent inputs a correlated set is one group)."""
    if dim == "parameter" and not ds.attrs.get("groups"):
        return {str(p): str(p) for p in ds["parameter"].values}
    out = {}
    for item in str(ds.attrs.get("groups", "")).split(","):
        name, _, knop = item.strip().partition("=")
        if name and knop:
            out[name] = knop
    return out


def is_assumption(evidence: str) -> bool:
    """True when an input's evidence is an assumption (it starts with "assumption")."""
    return str(evidence).strip().lower().startswith("assumption")


def assumption_rows(scenario: Scenario, ds: Any, dim: str, output: str = "ratio_social") -> list[dict[str, Any]]:
    """The sampled inputs of a Sobol' analysis whose evidence is an assumption.

    Parameters
    ----------
    scenario : Scenario
        The run's scenario (its overrides applied); it is put in the Sobol'
        result's input space (``input_space`` attribute, default ``all``)
        to find the distribution each input is sampled from there.
    ds : xarray.Dataset
        ``sobol.nc``: ``ST`` over ``output`` and ``dim``.
    dim : {"parameter", "knop"}
        The factor dimension of ``ds``.
    output : str
        The output whose ST sorts the rows.

    Returns
    -------
    list of dict
        Per input: ``name``, ``kind``, ``knop``, ``factor`` (the parameter or
        its knop), ``evidence`` (of the distribution sampled in the Sobol'
        space: for a lever or normative input its plausible range),
        ``st`` (the factor's ST for ``output``) and ``st_gemeente`` (for
        ``ratio_gemeente``, NaN when absent); sorted by ``st``, highest first.
    """
    from ..io.loading import INPUT_SPACES, evidence_of

    space = str(ds.attrs.get("input_space") or "all")
    sc = scenario.in_space(space) if space in INPUT_SPACES and scenario.space in ("run", "plan") else scenario
    outputs = [str(o) for o in ds["output"].values]

    def st_of(out: str) -> dict[str, float]:
        if out not in outputs:
            return {}
        sub = ds.sel(output=out)
        return {str(f): float(v) for f, v in zip(sub[dim].values, sub["ST"].values)}

    st, stg = st_of(output), st_of("ratio_gemeente")
    rows = []
    for name, factor in sobol_parameters(ds, dim).items():
        evidence = evidence_of(sc.distributions.get(name))
        if not is_assumption(evidence):
            continue
        info = sc.info.get(name)
        rows.append({"name": name, "kind": sc.kind(name), "knop": info.knop if info is not None else factor,
                     "factor": factor, "evidence": evidence, "st": st.get(factor, math.nan),
                     "st_gemeente": stg.get(factor, math.nan)})
    rows.sort(key=lambda r: (-np.nan_to_num(r["st"], nan=-np.inf), r["name"]))
    return rows


def assumption_total(rows: Sequence[Mapping[str, Any]]) -> float:
    """Sum of ST over the factors of ``rows`` (each knop once)."""
    per_factor = {r["factor"]: r["st"] for r in rows}
    return float(np.nansum(list(per_factor.values())))


def prepare_assumptions(ctx: Context) -> None:
    """The assumption rows of the Sobol' space (when Sobol' and the scenario are there)."""
    if ctx.sobol is not None and ctx.scenario is not None:
        ds, dim = ctx.sobol
        ctx.assumptions = assumption_rows(ctx.scenario, ds, dim)


#: A code name in a note: words joined by ``_`` (``qaly_per_escalation``), with an optional ``.index``.
_CODE = re.compile(r"(?<![\w.])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)((?:\.[a-z_]+)*)(?![\w])")


def named(text: str, lang: str) -> str:
    """``text`` with every parameter code name (``qaly_per_escalation``,
    ``care_profile``) replaced by its plain-language label in quotes, so that
    code names stay in the appendix."""
    def label(m: re.Match[str]) -> str:
        name = m.group(0)
        if name.split(".")[0] not in PARAMETER_LABELS:
            return name
        return f"‘{param_label(name, lang)}’"

    return _CODE.sub(label, text)


def evidence_html(evidence: str, lang: str, T: Mapping[str, str]) -> str:
    """An input's evidence note as a table cell.  The notes of
    ``distributions/kengetallen.toml`` are written in English: a Dutch report
    translates the leading word ("assumption" -> "aanname") and marks the rest
    as English text (``lang="en"``, the column header says so)."""
    text = named(str(evidence).strip(), lang)
    if lang == "en":
        return f'<span class="ev">{esc(text)}</span>'
    head, sep, rest = text.partition(":")
    if sep and is_assumption(head):
        return f'<span class="ev">{esc(T["assumption_word"])}: <i lang="en">{esc(rest.strip())}</i></span>'
    return f'<span class="ev"><i lang="en">{esc(text)}</i></span>'


def section_assumptions(ctx: Context) -> Section:
    """Table of the assumption-based inputs of the Sobol' space with their ST, and the sum of ST."""
    T = ctx.T
    if ctx.sobol is None:
        return Section("assumptions", T["assumptions"], ctx.not_computed(T["assumptions"], "sobol.nc", "mkba-mc sobol SCENARIO --out DIR"))
    if ctx.assumptions is None:
        return Section("assumptions", T["assumptions"], f'<p class="missing">{esc(T["assumptions_no_scenario"])}</p>')
    ds, dim = ctx.sobol
    rows = ctx.assumptions
    body = f"<p>{esc(T['assumptions_intro'])} {esc(space_sentence(T, ds.attrs.get('input_space')))}</p>"
    if dim == "knop":
        body += f"<p>{esc(T['assumptions_knop'])}</p>"
    if not rows:
        return Section("assumptions", T["assumptions"], body + f"<p>{esc(T['assumptions_none'])}</p>")
    total = assumption_total(rows)
    k = len({r["factor"] for r in rows})
    template = T["assumptions_sum_knop"] if dim == "knop" else T["assumptions_sum"]
    body += "<p>" + fill(template, k=esc(k), s=key_figure("assumption_st_sum", decimal(total, ctx.lang, 2))) + "</p>"
    has_g = any(finite(r["st_gemeente"]) for r in rows)
    st_head = T["st_knop"] if dim == "knop" else "ST"
    header = [T["parameter"], T["kind"], T["knop"], st_head]
    if has_g:
        header.append(T["st_knop_gemeente"] if dim == "knop" else T["st_gemeente"])
    header.append(T["evidence"])
    trows = []
    for r in rows:
        row = [f'<span data-assumption="{esc(r["name"])}">{esc(param_label(r["name"], ctx.lang))}</span>', esc(T.get(f"kind_{r['kind']}", r["kind"])),
               esc(knop_label(r["knop"], ctx.lang)), esc(decimal(r["st"], ctx.lang, 3))]
        if has_g:
            row.append(esc(decimal(r["st_gemeente"], ctx.lang, 3)))
        row.append(evidence_html(r["evidence"], ctx.lang, T))
        trows.append(row)
    body += html_table([esc(h) for h in header], trows, left=3, also_left=(len(header) - 1,))
    return Section("assumptions", T["assumptions"], body)


__all__ = ["assumption_rows", "assumption_total", "is_assumption", "prepare_assumptions", "section_assumptions",
           "sobol_parameters"]
