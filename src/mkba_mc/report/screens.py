"""The two output screens of the LPBL MKBA-tool, as data and as text.

Screen A is the MKBA of one year of approach (NCW of every post, saldo and
ratios); screen B is the budget after two years per actor (Bijlage 2 of the
meta-analysis).  :func:`point_summary` gives the machine-readable form that
``mkba-mc point --json`` prints; :func:`render_point` the human one, with
Dutch labels by default.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..model.outputs import COST_KEYS
from ..model.point import budget_columns, json_number, point_summary
from ..model.sets import ACTORS
from .formats import eur as _format_eur
from .formats import decimal, percent, ratio
from .labels import LABELS


def realisation_text(realisation: Mapping[str, float] | None, lang: str = "nl") -> str:
    """One line with the verzilvering settings: the actors below 100 %."""
    L = LABELS[lang]
    below = {a: v for a, v in (realisation or {}).items() if v != 1.0}
    if not below:
        return f"{L['realisation']}: {L['realisation_all']}"
    parts = ", ".join(f"{a} {percent(v, lang)}" for a, v in below.items())
    return f"{L['realisation']}: {parts}; {'overige 100 %' if lang == 'nl' else 'others 100 %'}"


def realisation_of(params: Mapping[str, float]) -> dict[str, float]:
    """The ``realisation_share.<actor>`` values of a parameter set, by actor."""
    return {a: float(params.get(f"realisation_share.{a}", 1.0)) for a in ACTORS}


def render_point(out: Mapping[str, np.ndarray], name: str, lang: str = "nl", *,
                 ramp_years: int = 4, programme_years: int = 10,
                 realisation: Mapping[str, float] | None = None) -> Group:
    """Screens A and B plus team size, verzilvering and programme view, as a
    rich renderable."""
    L = LABELS[lang]
    s = point_summary(out)

    def eur(v: float | None) -> str:
        return _format_eur(v, lang)


    a = Table(title=L["screen_a"], title_justify="left", show_header=True, header_style="bold")
    a.add_column("", min_width=44)
    a.add_column(L["ncw"], justify="right")
    a.add_row(Text(L["costs"], style="bold"), "")
    a.add_row(Text(L["cost_total"], style="bold"), Text(eur(s["cost_total"]), style="bold"))
    for k in COST_KEYS:
        a.add_row(L[k], eur(s[k]))
    a.add_row(Text(L["benefits"], style="bold"), "")
    a.add_row(Text(L["benefit_total"], style="bold"), Text(eur(s["benefit_total"]), style="bold"))
    a.add_row(L["organisation"], eur((s["benefit_new_for_old"] or 0) + (s["benefit_substitution"] or 0)))
    a.add_row(L["benefit_new_for_old"], eur(s["benefit_new_for_old"]))
    a.add_row(L["benefit_substitution"], eur(s["benefit_substitution"]))
    a.add_row(L["benefit_effectiveness"], eur(s["benefit_effectiveness"]))
    a.add_row(L["benefit_escalation"], eur(s["benefit_escalation"]))
    immaterial = sum((s[k] or 0) for k in ("benefit_children", "benefit_quality_of_life", "benefit_nuisance"))
    a.add_row(L["immaterial"], eur(immaterial))
    for k in ("benefit_children", "benefit_quality_of_life", "benefit_nuisance"):
        a.add_row(L[k], eur(s[k]))
    a.add_row(Text(L["balance"], style="bold"), Text(eur(s["balance"]), style="bold"))
    for k in ("ratio_financial", "ratio_social", "ratio_gemeente", "ratio_gemeente_realised"):
        a.add_row(L[k], ratio(s[k], lang))

    b = Table(title=L["screen_b"], title_justify="left", header_style="bold", caption=L["screen_b_note"],
              caption_justify="left")
    b.add_column("")
    cols = budget_columns(out)
    for col in cols:
        b.add_column(L[col], justify="right")
    b.add_row(L["total_costs"], *(eur(c) for c, _ in cols.values()))
    b.add_row(L["total_benefits"], *(eur(v) for _, v in cols.values()))
    b.add_row(Text(L["saldo"], style="bold"), *(Text(eur(v - c), style="bold") for c, v in cols.values()))

    team = float(out["team_fte"][0])
    need = float(out["fte_need"][0])
    fte_line = L["fte_line"].format(need=decimal(need, lang, 2), team=decimal(team, lang, 2))
    lines = [Text(f"{L['team']}: {fte_line}"), Text(realisation_text(realisation, lang))]

    def payback(v: float | None) -> str:
        return L["never"].format(years=programme_years) if v is None else f"{L['payback']} {v:.0f}"

    lines.append(Text(L["programme"].format(ramp=ramp_years, years=programme_years) + ":"))
    lines.append(Text(f"  {L['total']}: {payback(s['payback_year'])}; {L['prefinancing']} {eur(s['prefinancing'])}"))
    lines.append(Text(f"  {L['gemeente'].lower()}: {payback(json_number(out['payback_year_gemeente'][0]))}; "
                      f"{L['prefinancing']} {eur(json_number(out['prefinancing_gemeente'][0]))}"))
    return Group(Text(L["title"].format(name=name), style="bold"), a, b, *lines)


__all__ = ["LABELS", "realisation_of", "realisation_text", "render_point"]
