"""One label table of the reports, Dutch and English.

Labels of the posts and screens of the LPBL MKBA-tool (screen A: the NCW of
one year of approach, screen B: the budget after two years, Bijlage 2 of the
meta-analysis 2014), of the actors (Tabel 4.1's budget holders), of the
comparison of scenarios and of the conclusions about benefits and costs.
The console tables (:mod:`mkba_mc.report.console`), the HTML report and
``compare`` all read their names from here; the longer report sentences
are in :mod:`mkba_mc.report.text`.
"""

from __future__ import annotations

import re
from typing import Final

#: Labels of screens A and B, the posts and the programme view (LPBL MKBA-tool, Bijlage 2).
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
        "team": "Formatie", "fte_line": "benodigd volgens caseload {need} fte; team {team} fte",
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
        "team": "Team size", "fte_line": "needed by caseload {need} fte; team {team} fte",
        "programme": "Programme (build-up over {ramp} years, {years} years; every year includes the build-up, so year 2 is not screen B)",
        "payback": "paid back in year", "prefinancing": "pre-financing need", "never": "not within {years} years",
        "total": "total", "title": "MKBA social teams: {name}",
    },
}

#: Names of the actors (Tabel 4.1) and of the two aggregates, gemeente and society.
ACTOR_LABELS: Final[dict[str, dict[str, str]]] = {
    "nl": {
        "gemeente_werk_inkomen": "Gemeente: werk en inkomen", "gemeente_wmo_welzijn": "Gemeente: Wmo en welzijn",
        "gemeente_jeugd": "Gemeente: jeugd", "gemeente_overig": "Gemeente: overig",
        "zorgverzekeraar": "Zorgverzekeraar", "rijk_wlz": "Rijk / Wlz", "corporatie": "Woningcorporatie",
        "huishoudens": "Huishoudens", "overig": "Overige partijen",
        "gemeente": "Gemeente (totaal)", "total": "Maatschappij (saldo)",
    },
    "en": {
        "gemeente_werk_inkomen": "Municipality: work and income",
        "gemeente_wmo_welzijn": "Municipality: Wmo and welfare",
        "gemeente_jeugd": "Municipality: youth", "gemeente_overig": "Municipality: other",
        "zorgverzekeraar": "Health insurer", "rijk_wlz": "State / Wlz", "corporatie": "Housing association",
        "huishoudens": "Households", "overig": "Other parties",
        "gemeente": "Municipality (total)", "total": "Society (balance)",
    },
}

#: Figure labels of ``compare`` (:func:`mkba_mc.report.compare.comparison_figure`).
COMPARE_LABELS: Final[dict[str, dict[str, str]]] = {
    "nl": {"ratio_social": "maatschappelijke K-B-verhouding", "ratio_gemeente": "gemeentelijke K-B-verhouding",
           "title": "Scenario's vergeleken (P5-P95, mediaan)", "p": "P(≥ 1)"},
    "en": {"ratio_social": "social cost-benefit ratio", "ratio_gemeente": "municipal cost-benefit ratio",
           "title": "Scenarios compared (P5-P95, median)", "p": "P(≥ 1)"},
}

#: "Not applicable": an undefined ratio (costs <= 0).
NOT_APPLICABLE: Final[dict[str, str]] = {"nl": "n.v.t.", "en": "n/a"}

#: Conclusions of :func:`mkba_mc.report.wording.classify_balance`.
VERDICTS: Final[tuple[str, ...]] = ("uncertain", "roughly_equal", "exceeds", "falls_short")


def post_label(post: str, lang: str) -> str:
    """Label of a post in screen A, without its numbering (``1``, ``a``)."""
    return re.sub(r"^\s*(\d+|[a-z])\s+", "", LABELS[lang][post]).strip()


__all__ = ["ACTOR_LABELS", "COMPARE_LABELS", "LABELS", "NOT_APPLICABLE", "VERDICTS", "post_label"]
