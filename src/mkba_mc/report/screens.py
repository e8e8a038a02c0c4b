"""The two output screens of the LPBL MKBA-tool, as data and as text.

Screen A is the MKBA of one year of approach (NCW of every post, saldo and
ratios); screen B is the budget after two years per actor (Bijlage 2 of the
meta-analysis).  :func:`point_summary` gives the machine-readable form that
``mkba-mc point --json`` prints; :func:`render_point` the human one, with
Dutch labels by default.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..model.sets import ACTORS, BUDGET_COLUMNS, GEMEENTE_ACTORS

#: Cost posts of screen A, in order ("extra zorg": the care added where
#: substitution is negative, Tabel 4.5, booked as a cost as in §4.2).
COST_KEYS: Final[tuple[str, ...]] = ("cost_team", "cost_one_off", "cost_newly_found", "cost_extra_care")

#: Keys of ``point --json``, in order (the issue's contract).
POINT_KEYS: Final[tuple[str, ...]] = (
    "cost_team", "cost_one_off", "cost_newly_found", "cost_extra_care", "cost_total",
    "benefit_new_for_old", "benefit_substitution", "benefit_effectiveness", "benefit_escalation",
    "benefit_children", "benefit_quality_of_life", "benefit_nuisance", "benefit_financial",
    "benefit_total", "balance", "ratio_financial", "ratio_social", "ratio_gemeente",
    "ratio_gemeente_realised", "fte_need", "payback_year", "prefinancing",
)
ACTOR_KEYS: Final[tuple[str, ...]] = ("ncw_cost", "ncw_benefit", "budget_year2_cost", "budget_year2_benefit")

LABELS: Final[dict[str, dict[str, str]]] = {
    "nl": {
        "screen_a": "A  Resultaat MKBA: netto contante waarde van één jaar aanpak",
        "screen_b": "B  Resultaat begroting na 2 jaar (kasstromen, niet verdisconteerd)",
        "screen_b_note": ("stationair jaar: de kosten van één cohort tegenover de baten van drie gelijke cohorten "
                          "van 0, 1 en 2 jaar oud, zonder opbouw; financiële baten na verzilvering"),
        "costs": "KOSTEN", "benefits": "BATEN", "ncw": "NCW (€)",
        "cost_total": "Totale kosten",
        "cost_team": "1 Kosten nieuwe aanpak",
        "cost_one_off": "2 Eenmalige (frictie)kosten",
        "cost_newly_found": "3 Kosten a.g.v. meer gevonden huishoudens",
        "cost_extra_care": "4 Extra zorg in bekende en nieuw gevonden huishoudens",
        "benefit_total": "Totale baten",
        "organisation": "1 Besparing organisatiekosten",
        "benefit_new_for_old": "  a Nieuw voor oud",
        "benefit_substitution": "  b Minder trajecten a.g.v. substitutie",
        "benefit_effectiveness": "2 Toename effectiviteit trajecten",
        "benefit_escalation": "3 Voorkomen (escalatie)kosten",
        "immaterial": "4 Immateriële baten",
        "benefit_children": "  a Ontwikkelingskansen kinderen",
        "benefit_quality_of_life": "  b Toename kwaliteit van leven",
        "benefit_nuisance": "  c Reductie overlast en onveiligheid",
        "balance": "Saldo (baten minus kosten)",
        "ratio_financial": "Financiële K-B-verhouding",
        "ratio_social": "Maatschappelijke K-B-verhouding",
        "ratio_gemeente": "Gemeentelijke K-B-verhouding",
        "ratio_gemeente_realised": "Gemeentelijke K-B-verhouding, verzilverd",
        "realisation": "Verzilvering (aandeel financiële baten dat budget wordt; niet in de NCW)",
        "realisation_all": "alle actoren 100 % (aanname van de MKBA-tool)",
        "gemeente": "Gemeente", "zorgverzekeraar": "Zorgverzekeraar", "huishoudens": "Huishoudens",
        "overige_partijen": "Overige partijen",
        "total_costs": "Totale kosten", "total_benefits": "Totale baten", "saldo": "Saldo",
        "team": "Formatie", "fte_line": "benodigd volgens caseload {need:.2f} fte; team {team:.2f} fte",
        "programme": "Programma (opbouw over {ramp} jaar, {years} jaar; elk jaar bevat de opbouw, dus jaar 2 is niet scherm B)",
        "payback": "terugverdiend in jaar", "prefinancing": "voorfinanciering", "never": "niet binnen {years} jaar",
        "total": "totaal", "title": "MKBA sociale wijkteams: {name}",
    },
    "en": {
        "screen_a": "A  MKBA result: net present value of one year of approach",
        "screen_b": "B  Budget after 2 years (cash flows, undiscounted)",
        "screen_b_note": ("a steady-state year: one cohort's costs against the benefits of three equal cohorts "
                          "aged 0, 1 and 2, without build-up; financial benefits after realisation"),
        "costs": "COSTS", "benefits": "BENEFITS", "ncw": "NPV (€)",
        "cost_total": "Total costs",
        "cost_team": "1 Cost of the new approach",
        "cost_one_off": "2 One-off (friction) costs",
        "cost_newly_found": "3 Costs of more households found",
        "cost_extra_care": "4 Extra care in known and newly found households",
        "benefit_total": "Total benefits",
        "organisation": "1 Savings in organisation costs",
        "benefit_new_for_old": "  a New-for-old",
        "benefit_substitution": "  b Fewer trajectories through substitution",
        "benefit_effectiveness": "2 More effective trajectories",
        "benefit_escalation": "3 Prevented (escalation) costs",
        "immaterial": "4 Immaterial benefits",
        "benefit_children": "  a Development chances of children",
        "benefit_quality_of_life": "  b Quality of life",
        "benefit_nuisance": "  c Less nuisance and insecurity",
        "balance": "Balance (benefits minus costs)",
        "ratio_financial": "Financial cost-benefit ratio",
        "ratio_social": "Social cost-benefit ratio",
        "ratio_gemeente": "Municipal cost-benefit ratio",
        "ratio_gemeente_realised": "Municipal cost-benefit ratio, realised",
        "realisation": "Realisation (share of financial benefits that becomes budget; not in the NPV)",
        "realisation_all": "every actor 100 % (the MKBA-tool's assumption)",
        "gemeente": "Municipality", "zorgverzekeraar": "Health insurer", "huishoudens": "Households",
        "overige_partijen": "Other parties",
        "total_costs": "Total costs", "total_benefits": "Total benefits", "saldo": "Balance",
        "team": "Team size", "fte_line": "needed by caseload {need:.2f} fte; team {team:.2f} fte",
        "programme": "Programme (build-up over {ramp} years, {years} years; every year includes the build-up, so year 2 is not screen B)",
        "payback": "paid back in year", "prefinancing": "pre-financing need", "never": "not within {years} years",
        "total": "total", "title": "MKBA social teams: {name}",
    },
}


def _num(x: Any) -> float | None:
    v = float(np.asarray(x).reshape(-1)[0])
    return None if math.isnan(v) else v


def point_summary(out: Mapping[str, np.ndarray], row: int = 0) -> dict[str, Any]:
    """The ``point --json`` object for sample ``row`` of a model result.

    NaN (an undefined ratio, no payback) becomes ``None`` (JSON ``null``).
    """
    summary: dict[str, Any] = {k: _num(out[k][row]) for k in POINT_KEYS}
    sources = {
        "ncw_cost": out["actor_ncw_cost"][row],
        "ncw_benefit": out["actor_ncw_benefit"][row],
        "budget_year2_cost": out["actor_budget_year2_cost"][row],
        "budget_year2_benefit": out["actor_budget_year2_benefit"][row],
    }
    actors: dict[str, dict[str, float | None]] = {}
    for i, actor in enumerate(ACTORS):
        actors[actor] = {k: _num(v[i]) for k, v in sources.items()}
    g = [ACTORS.index(a) for a in GEMEENTE_ACTORS]
    actors["gemeente"] = {k: _num(v[g].sum()) for k, v in sources.items()}
    summary["actors"] = actors
    return summary


def budget_columns(out: Mapping[str, np.ndarray], row: int = 0) -> dict[str, tuple[float, float]]:
    """Screen B: (costs, benefits) per printed column of the LPBL tool."""
    cost = out["actor_budget_year2_cost"][row]
    ben = out["actor_budget_year2_benefit"][row]
    return {
        col: (float(sum(cost[ACTORS.index(a)] for a in actors)), float(sum(ben[ACTORS.index(a)] for a in actors)))
        for col, actors in BUDGET_COLUMNS.items()
    }


def _eur(v: float | None) -> str:
    return "–" if v is None else f"€ {v:,.0f}".replace(",", ".")


def _ratio(v: float | None, lang: str) -> str:
    if v is None:
        return "n.v.t." if lang == "nl" else "n/a"
    s = f"{v:.2f}"
    return s.replace(".", ",") if lang == "nl" else s


def realisation_text(realisation: Mapping[str, float] | None, lang: str = "nl") -> str:
    """One line with the verzilvering settings: the actors below 100 %."""
    L = LABELS[lang]
    below = {a: v for a, v in (realisation or {}).items() if v != 1.0}
    if not below:
        return f"{L['realisation']}: {L['realisation_all']}"
    parts = ", ".join(f"{a} {v:.0%}".replace("%", " %") for a, v in below.items())
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
    eur = _eur if lang == "nl" else (lambda v: "–" if v is None else f"€ {v:,.0f}")

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
        a.add_row(L[k], _ratio(s[k], lang))

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
    fte_line = L["fte_line"].format(need=need, team=team)
    if lang == "nl":
        fte_line = fte_line.replace(".", ",")
    lines = [Text(f"{L['team']}: {fte_line}"), Text(realisation_text(realisation, lang))]

    def payback(v: float | None) -> str:
        return L["never"].format(years=programme_years) if v is None else f"{L['payback']} {v:.0f}"

    lines.append(Text(L["programme"].format(ramp=ramp_years, years=programme_years) + ":"))
    lines.append(Text(f"  {L['total']}: {payback(s['payback_year'])}; {L['prefinancing']} {eur(s['prefinancing'])}"))
    lines.append(Text(f"  {L['gemeente'].lower()}: {payback(_num(out['payback_year_gemeente'][0]))}; "
                      f"{L['prefinancing']} {eur(_num(out['prefinancing_gemeente'][0]))}"))
    return Group(Text(L["title"].format(name=name), style="bold"), a, b, *lines)


__all__ = ["ACTOR_KEYS", "COST_KEYS", "LABELS", "POINT_KEYS", "budget_columns", "point_summary", "realisation_of",
           "realisation_text", "render_point"]
