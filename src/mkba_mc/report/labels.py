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
        "balance_gemeente": "Saldo gemeente",
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
        "balance_gemeente": "Municipal balance",
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

#: Plain-language names of the parameters of the registry
#: (:data:`mkba_mc.model.parameters.PARAMETERS`), by the name before the first
#: dot: ``(nl, en)``. An indexed parameter adds its household type, severity
#: or actor (:func:`param_label`).
PARAMETER_LABELS: Final[dict[str, tuple[str, str]]] = {
    "households": ("huishoudens in de aanpak per jaar", "households in the approach per year"),
    "type_share": ("aandeel huishoudtype", "share of household type"),
    "severity_share": ("aandeel zwaarte", "share of severity"),
    "kids_per_family": ("kinderen per gezin", "children per family"),
    "debt_share": ("aandeel met problematische schulden", "share with problematic debts"),
    "no_work_share": ("aandeel zonder werk", "share without work"),
    "nuisance_share": ("aandeel dat overlast veroorzaakt", "share causing nuisance"),
    "caseload": ("caseload (huishoudens per fte)", "caseload (households per fte)"),
    "client_hours_per_fte": ("cliënturen per fte per jaar", "client hours per fte per year"),
    "team_fte": ("omvang team (fte)", "team size (fte)"),
    "cost_per_fte": ("kosten per fte", "cost per fte"),
    "other_team_costs": ("overige teamkosten per jaar", "other team costs per year"),
    "friction_share": ("frictiekosten (aandeel teamkosten)", "friction costs (share of team costs)"),
    "one_off_costs": ("overige eenmalige kosten", "other one-off costs"),
    "amortisation_years": ("afschrijvingstermijn eenmalige kosten", "years over which one-off costs are spread"),
    "additional_share_team": ("aandeel extra geld in de formatiekosten", "share of additional money in team costs"),
    "additional_share_other": ("aandeel extra geld in overige teamkosten", "share of additional money in other costs"),
    "coordination_saving_per_household": ("besparing op coördinatie per huishouden",
                                          "coordination saving per household"),
    "realisation_share": ("verzilvering", "realisation"),
    "newly_found_share": ("aandeel nieuw gevonden huishoudens", "share of newly found households"),
    "new_care_fraction": ("zorg die een nieuw gevonden huishouden gaat krijgen",
                          "care a newly found household starts receiving"),
    "substitutable_share": ("aandeel vervangbare zorg", "share of substitutable care"),
    "substitution_new": ("substitutie van zorg bij nieuw gevonden huishoudens",
                         "substitution of care in newly found households"),
    "substitution_existing": ("substitutie van zorg bij bekende huishoudens",
                              "substitution of care in known households"),
    "to_work_rate": ("uitstroom naar werk", "moves to work"),
    "debt_success_rate": ("huishoudens die financieel stabiel worden", "households becoming financially stable"),
    "school_dropout_reduction": ("voorkomen voortijdig schoolverlaten", "prevented school dropout"),
    "first_line_reduction": ("minder eerstelijnszorg", "less first-line care"),
    "second_line_reduction": ("minder verwijzingen naar de tweede lijn", "fewer second-line referrals"),
    "effectiveness_multiplier": ("integraliteit van het team", "integrality of the team"),
    "escalation_rate": ("voorkomen escalaties", "prevented escalations"),
    "attribution": ("toerekening aan de aanpak", "attribution to the approach"),
    "relapse": ("terugval", "relapse"),
    "care_profile": ("zorggebruik per jaar", "care used per year"),
    "benefit_saving_per_year": ("besparing op uitkering per jaar", "benefit saving per year"),
    "income_gain_per_year": ("inkomenswinst bij werk per jaar", "income gain from work per year"),
    "work_years": ("jaren dat werk standhoudt", "years a job lasts"),
    "first_line_cost": ("kosten eerstelijnszorg per geval", "first-line care cost per case"),
    "second_line_cost": ("kosten tweedelijnszorg per verwijzing", "second-line care cost per referral"),
    "escalation_cost": ("kosten per escalatie", "cost per escalation"),
    "qaly_value": ("waarde van een gezond levensjaar (QALY)", "value of a healthy life year (QALY)"),
    "qaly_per_debt_success": ("QALY per financieel stabiel huishouden", "QALY per household made stable"),
    "qaly_per_work": ("QALY per persoon aan het werk", "QALY per person moving to work"),
    "qaly_per_escalation": ("QALY per voorkomen escalatie", "QALY per prevented escalation"),
    "value_per_prevented_dropout": ("waarde van voorkomen schooluitval", "value of a prevented dropout"),
    "nuisance_value": ("waarde van minder overlast", "value of less nuisance"),
    "discount_rate": ("discontovoet", "discount rate"),
}

#: Household types and severities (meta-analyse §2.2) as an index of a parameter.
INDEX_LABELS: Final[dict[str, tuple[str, str]]] = {
    "families": ("gezinnen", "families"), "elderly": ("ouderen", "elderly"), "other": ("overige huishoudens", "other"),
    "ev": ("enkelvoudige problematiek", "single problem"),
    "mv_zr": ("meervoudig, zelfredzaam", "multiple, self-reliant"),
    "mv_nzr": ("meervoudig, niet zelfredzaam", "multiple, not self-reliant"),
    "top": ("top / intramuraal", "top / intramural"),
}

#: What the severity codes mean (meta-analyse 2014 §2.2 and Tabel 3.10, with
#: the caseload per fte per year of each), for the report's glossary.
SEVERITY_GLOSSARY: Final[dict[str, tuple[str, str]]] = {
    "ev": ("geen of enkelvoudige problematiek: één probleem; het huishouden redt zich verder zelf "
           "(caseload 300 huishoudens per fte per jaar)",
           "no or a single problem: one problem; the household otherwise copes on its own "
           "(caseload 300 households per fte a year)"),
    "mv_zr": ("meervoudige problematiek, zelfredzaam: meerdere problemen tegelijk, maar met steun kan het "
              "huishouden zelf verder (caseload 150)",
              "multiple problems, self-reliant: several problems at once, but with support the household "
              "manages on its own (caseload 150)"),
    "mv_nzr": ("meervoudige problematiek, niet zelfredzaam: meerdere problemen en het huishouden heeft langdurig "
               "begeleiding nodig (caseload 40)",
               "multiple problems, not self-reliant: several problems and the household needs long-term "
               "support (caseload 40)"),
    "top": ("top / intramuraal: de zwaarste groep, vaak multiprobleemgezinnen (MPG) met opname of "
            "uithuisplaatsing (caseload 10)",
            "top / intramural: the heaviest group, often multi-problem families with admission or out-of-home "
            "placement (caseload 10)"),
}

#: The knoppen (lever groups of ``distributions/kengetallen.toml``) of the
#: meta-analysis §5.1.
KNOP_LABELS: Final[dict[str, tuple[str, str]]] = {
    "attributie": ("toerekening", "attribution"), "caseload": ("caseload", "caseload"),
    "diagnose_integraliteit": ("diagnose en integraliteit", "diagnosis and integrality"),
    "discontering": ("discontering", "discounting"), "doelgroep": ("doelgroep", "target group"),
    "escalatie": ("escalatie", "escalation"), "financiering": ("financiering", "financing"),
    "inzet_netwerk": ("inzet van het netwerk", "use of the network"), "prijzen": ("prijzen", "prices"),
    "selectie": ("selectie", "selection"), "teamkosten": ("teamkosten", "team costs"),
    "vindstrategie": ("vindstrategie", "finding strategy"),
    "voorkomen_terugval": ("voorkomen van terugval", "preventing relapse"),
    "waardering": ("waardering", "valuation"),
}


def param_label(name: str, lang: str) -> str:
    """The plain-language name of a parameter, e.g. ``escalation_rate.elderly``
    -> ``Voorkomen escalaties: ouderen`` (nl), ``Prevented escalations: elderly`` (en).

    Parameters
    ----------
    name : str
        Dotted parameter name of the registry.
    lang : {"nl", "en"}

    Returns
    -------
    str
        The label; the name itself when the table has none (a test checks
        that every registry name has one).
    """
    i = 0 if lang == "nl" else 1
    base, *index = name.split(".")
    if base not in PARAMETER_LABELS:
        return name
    parts = []
    for part in index:
        if part in INDEX_LABELS:
            parts.append(INDEX_LABELS[part][i])
        elif part in ACTOR_LABELS[lang]:
            parts.append(ACTOR_LABELS[lang][part])
        else:
            return name
    text = PARAMETER_LABELS[base][i]
    text = text[0].upper() + text[1:]
    return f"{text}: {', '.join(parts)}" if parts else text


def output_label(output: str, lang: str) -> str:
    """The name of a model output (``ratio_social`` -> ``Maatschappelijke K-B-verhouding``)."""
    return LABELS[lang].get(output) or ACTOR_LABELS[lang].get(output) or output


def knop_label(knop: str, lang: str) -> str:
    """The plain-language name of a knop (``diagnose_integraliteit`` -> ``Diagnose en integraliteit``)."""
    text = KNOP_LABELS.get(knop, (knop, knop))[0 if lang == "nl" else 1]
    return text[0].upper() + text[1:]


def factor_label(name: str, lang: str) -> str:
    """A Sobol' or tornado factor: a knop or a parameter, in plain language; a
    group of dependent inputs (``"selectie + prijzen (samenhangend)"``,
    ``care_profile.*``) by :func:`mkba_mc.report.dependence.group_label`."""
    if " + " in name or name.endswith((".*", " (samenhangend)")):  # sensitivity.dependence.LINKED
        from .dependence import group_label  # it labels the group's members with this function

        return group_label(name, lang)
    return knop_label(name, lang) if name in KNOP_LABELS else param_label(name, lang)


def post_label(post: str, lang: str) -> str:
    """Label of a post in screen A, without its numbering (``1``, ``a``)."""
    return re.sub(r"^\s*(\d+|[a-z])\s+", "", LABELS[lang][post]).strip()


__all__ = ["ACTOR_LABELS", "COMPARE_LABELS", "INDEX_LABELS", "KNOP_LABELS", "LABELS", "NOT_APPLICABLE",
           "PARAMETER_LABELS", "SEVERITY_GLOSSARY", "VERDICTS", "factor_label", "knop_label", "output_label", "param_label", "post_label"]
