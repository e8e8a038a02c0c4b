"""A self-contained HTML report of a results folder.

:func:`build_report` collects what the ``mkba-mc`` commands wrote into one
folder (and its immediate subfolders) -- a Monte Carlo run (``samples.nc``,
``summary.csv``, ``manifest.json``), Sobol' indices (``sobol.nc``), a
tornado (``tornado.csv``), a break-even analysis (``breakeven.csv`` and
``robustness.csv``), acceptability curves (``curve.csv`` with its
``manifest.json``, one folder per swept valuation) and optionally the point
estimate (``point.json``) -- and writes

* ``figures/*.png``: the figures (matplotlib, Agg, 150 dpi);
* ``report.html``: one file that opens offline (inline CSS, figures as
  ``data:`` URIs), Dutch by default, English with ``lang="en"``.

The text follows what the Dutch MKBA guidance asks of an uncertainty
analysis: the base case (point estimate) and every sensitivity are shown
together, none dropped, and the conclusion about benefits and costs is
worded after the spread of the balance (:func:`uncertainty_wording`).
Every analysis says which input space it covers: the run's headline figures
the risk of this plan, the Sobol' indices which knob decides (levers over
their plausible range and the valuations included), the curve which
valuation (a normative choice shown as a curve, not folded into one
probability).  Inputs of the Sobol' space whose evidence is an assumption are
listed with their total index (:func:`assumption_rows`).

Key figures in the HTML have a stable format that tests and readers can
search for: probabilities with three decimals (``0.777``), ratios with two
(``1.31``), both with a decimal point in either language, and the payback
year as an integer; each also carries a ``data-key`` attribute.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import math
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import ConfigError, MkbaError, OutputError, Problem
from ..io.output import hold_lock, open_netcdf, remove_stale, sha256, staged_files
from .screens import COST_KEYS, LABELS, budget_columns, point_summary, realisation_of, realisation_text
from ..sensitivity.analyses import INDICATORS
from ..model.sets import ACTORS, BUDGET_COLUMNS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..io.loading import Scenario

Array = NDArray[np.float64]

#: Resolution of the PNG figures.
FIGURE_DPI: Final[int] = 150
#: Samples of the run's design evaluated again for the programme cash flow
#: (and for the posts when the run did not keep them).
DESIGN_SAMPLES: Final[int] = 20_000
#: Parameters shown in the tornado figure.
TORNADO_TOP: Final[int] = 15
#: Factors per panel of the Sobol' figure when indices are per parameter.
SOBOL_TOP: Final[int] = 15
#: A sign change of the balance counts as "small" when both |P5| and |P95|
#: are below this share of the mean total cost.
SMALL_SHARE: Final[float] = 0.10
#: Figure files, in report order.
FIGURE_FILES: Final[tuple[str, ...]] = ("ratios.png", "posts.png", "actors.png", "cashflow.png", "tornado.png",
                                        "sobol.png")
#: Figure of an acceptability curve: ``curve_<parameter>.png`` (one per swept input).
CURVE_FIGURE: Final[str] = "curve_{parameter}.png"
#: Actors outside the municipality, shown in the right panel of a curve figure.
OTHER_ACTORS: Final[tuple[str, ...]] = tuple(a for a in ACTORS if not a.startswith("gemeente"))
#: The NCW cost and benefit posts of screen A.
POSTS: Final[tuple[str, ...]] = (
    "cost_team", "cost_one_off", "cost_newly_found", "cost_extra_care",
    "benefit_new_for_old", "benefit_substitution", "benefit_effectiveness", "benefit_escalation",
    "benefit_children", "benefit_quality_of_life", "benefit_nuisance",
)
#: Conclusions of :func:`classify_balance`.
VERDICTS: Final[tuple[str, ...]] = ("uncertain", "roughly_equal", "exceeds", "falls_short")

_SKIP_DIRS: Final[frozenset[str]] = frozenset({"figures"})

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

TEXT: Final[dict[str, dict[str, str]]] = {
    "nl": {
        "subtitle": "Onzekerheids- en gevoeligheidsanalyse (Monte Carlo), rapport gemaakt {created}",
        "notes": "Let op",
        "summary": "Samenvatting",
        "together": "De puntschatting (basisvariant) en alle gevoeligheidsanalyses staan in dit rapport samen; "
                    "geen variant of parameter is weggelaten.",
        "verdict_uncertain": "Conclusie: onzeker of baten de kosten overtreffen. Het saldo wisselt van teken binnen "
                             "de plausibele bandbreedte (P5 {p5} < 0 < P95 {p95}).",
        "verdict_roughly_equal": "Conclusie: baten ongeveer gelijk aan kosten. Het saldo wisselt van teken, maar "
                                 "alleen met kleine bedragen: |P5| ({p5}) en |P95| ({p95}) liggen beide onder "
                                 "10 % van de gemiddelde totale kosten ({cost}).",
        "verdict_exceeds": "Conclusie: baten overtreffen de kosten in meer dan 95 % van de trekkingen "
                           "(P5 van het saldo {p5} ≥ 0).",
        "verdict_falls_short": "Conclusie: baten blijven in meer dan 95 % van de trekkingen achter bij de kosten "
                               "(P95 van het saldo {p95} ≤ 0).",
        "balance_range": "Het saldo (baten min kosten, NCW) ligt met 90 % waarschijnlijkheid tussen {p5} en {p95} "
                         "(mediaan {p50}); P(saldo ≥ 0) = {p}.",
        "p_ratios": "P(maatschappelijke K-B-verhouding ≥ 1) = {ps}; P(gemeentelijke K-B-verhouding ≥ 1) = {pg}.",
        "point_ratios": "Puntschatting (basisvariant): maatschappelijke K-B-verhouding {rs}, financiële {rf}, "
                        "gemeentelijke {rg}; saldo {bal}.",
        "split": "Kans op een gesplitste prikkel (de maatschappij wint, de gemeente verliest): {p}.",
        "payback": "Programma: {pt} (puntschatting); mediaan terugverdienjaar over de trekkingen: {pm}; "
                   "P(terugverdiend binnen {years} jaar) = {pp}.",
        "year": "jaar {y}", "never": "niet binnen {years} jaar",
        "paid_back": "terugverdiend in jaar {y}", "not_paid_back": "niet terugverdiend binnen {years} jaar",
        "prefin": "Voorfinanciering: {pt} (puntschatting); mediaan {pm}, P90 {p90}.",
        "gemeente_programme": "Gemeente: {pt} (puntschatting); voorfinanciering {pf}.",
        "top_knoppen": "Belangrijkste {kind} voor de maatschappelijke K-B-verhouding (totale Sobol-index ST): {items}.",
        "top_knoppen_g": "Voor de gemeentelijke K-B-verhouding: {items}.",
        "knoppen": "knoppen", "parameters": "parameters",
        "no_balance": "De run bewaarde saldo en kosten niet en het scenario is niet te laden: geen conclusie over "
                      "baten en kosten.",
        "balance_from_design": "(De run bewaarde saldo of kosten niet: berekend over de eerste {m} trekkingen van "
                               "het ontwerp van de run.)",
        "no_sobol": "Sobol-indices zijn niet berekend; de belangrijkste knoppen zijn dus niet bepaald.",
        "not_kept": "niet bewaard in de run",
        "point": "Puntschatting (basisvariant)",
        "point_source_json": "Bron: {file} (uitvoer van mkba-mc point --json).",
        "point_source_scenario": "Bron: het scenario van de run ({file}), doorgerekend op de puntwaarden.",
        "calibration": ("Kalibratie: de standaardkengetallen zijn gekalibreerd op het rekenvoorbeeld van Bijlage 2 "
                        "(meta-analyse 2014); dat voorbeeld nadoen is een consistentiecontrole, geen validatie. "
                        "Gekalibreerd op Bijlage 2: {names}."),
        "point_json_bad": "{file} is geen uitvoer van mkba-mc point --json en is niet gebruikt.",
        "point_missing": "Niet berekend: geen point.json en het scenariobestand van de run is niet te laden.",
        "programme_line": "Programma (opbouw over {ramp} jaar, {years} jaar)",
        "ratios": "Verdeling van de K-B-verhoudingen",
        "ratios_caption": "Histogram (boven) en cumulatieve verdeling (onder) van de maatschappelijke en de "
                          "gemeentelijke K-B-verhouding over alle {n} trekkingen van de run; de rode lijn ligt bij 1. "
                          "P(≥ 1) komt uit summary.csv en is gelijk aan het aandeel in samples.nc. "
                          "Niet-gedefinieerde verhoudingen (kosten ≤ 0; {nan} trekkingen) tellen als niet ≥ 1. "
                          "Het histogram toont P0.5–P99.5.",
        "posts": "NCW per post",
        "posts_caption_run": "Mediaan (staaf) en P10–P90 (lijn) van elke post over alle {n} trekkingen van de run "
                             "(summary.csv); de ruit is de puntschatting.",
        "posts_caption_design": "De run bewaarde de posten niet (geen --all-outputs). Ze zijn hier opnieuw berekend "
                                "voor de eerste {m} trekkingen van het ontwerp van de run (zelfde seed, sampler en "
                                "n); mediaan (staaf) en P10–P90 (lijn); de ruit is de puntschatting.",
        "actors": "Saldo per actor",
        "actors_caption": "P10–P90 (balk) en mediaan (streep) van het saldo (NCW baten min kosten) per actor en voor "
                          "de gemeente als geheel, over alle {n} trekkingen; rechts P(saldo ≥ 0). "
                          "Gesplitste prikkel (maatschappij wint, gemeente verliest): {split}.",
        "actor": "Actor", "p_ge_0": "P(saldo ≥ 0)",
        "cashflow": "Programma: kasstroom over de jaren",
        "cashflow_caption": "Cumulatief saldo van het programma (een cohort per jaar, opbouw over {ramp} jaar), "
                            "totaal en gemeente. De band (P10–P90) en de mediaan gebruiken de eerste {m} trekkingen "
                            "van de run, opnieuw doorgerekend met hetzelfde ontwerp (seed {seed}, {sampler}); "
                            "{check} De stippellijn is de puntschatting; gemarkeerd zijn het terugverdienjaar en "
                            "de voorfinanciering van de puntschatting.",
        "check_ok": "ze reproduceren de maatschappelijke K-B-verhouding van samples.nc exact.",
        "check_bad": "LET OP: ze reproduceren samples.nc niet (max. verschil {diff:.3g}); de invoer is veranderd.",
        "design_failed": "De trekkingen van de run zijn niet opnieuw te maken uit manifest.json ({why}); de "
                         "kasstroom ontbreekt daardoor.",
        "check_none": "samples.nc bevat geen ratio_social om tegen te controleren.",
        "cashflow_missing": "Niet berekend: het scenario of de trekkingen van de run zijn niet opnieuw door te "
                            "rekenen (zie Let op bovenaan).",
        "tornado": "Tornado en omslagpunten",
        "tornado_caption": "Maatschappelijke K-B-verhouding als één parameter van P10 naar P90 gaat en de andere op "
                           "hun puntwaarde blijven; de {k} parameters met de grootste uitslag (van {total}). "
                           "Rode lijn: verhouding 1; grijze streepjeslijn: puntschatting. De tabel geeft alle "
                           "parameters met hun omslagpunt (de waarde waarbij de verhouding 1 wordt).",
        "switch_table": "Omslagpunten (alle parameters)",
        "sobol": "Sobol-indices",
        "sobol_caption": "Eerste-orde (S1) en totale (ST) Sobol-index per {factor} met 95 %-betrouwbaarheidsinterval "
                         "(bootstrap), n = {n}, {evaluations} modelevaluaties. {top}De volledige tabel staat "
                         "eronder.",
        "sobol_top": "Per paneel de {k} {factor}s met de hoogste ST. ",
        "sobol_table": "Alle Sobol-indices",
        "breakeven": "Break-even en robuustheid",
        "breakeven_caption": "Per hefboom de waarde waarbij P(maatschappelijke K-B-verhouding ≥ 1) = 50 % terwijl "
                             "alle andere onzekerheden getrokken worden ({n} trekkingen per waarde, seed {seed}).",
        "robustness_caption": "Robuustheid: P(K-B-verhouding ≥ 1) over het rooster van elke hefboom.",
        "lever": "hefboom", "range": "bereik", "point_value": "puntwaarde", "p_at_point": "P bij puntwaarde",
        "breakeven_col": "break-even", "none_in_range": "geen binnen bereik", "value": "waarde",
        "p_social": "P(maatschappelijk ≥ 1)", "p_gemeente": "P(gemeente ≥ 1)",
        "manifest": "Verantwoording van de run",
        "manifest_caption": "Alles wat nodig is om de run te herhalen (uit manifest.json).",
        "key": "sleutel", "val": "waarde", "file": "bestand", "hash": "SHA-256",
        "versions": "Versies", "hashes": "Invoerbestanden (SHA-256)", "analyses": "Gebruikte bestanden en analyses",
        "analysis": "analyse", "folder": "map", "settings": "instellingen", "command": "commando",
        "not_computed": "Niet berekend: geen {files} gevonden in {folder} of een directe submap "
                        "(maak het met: {how}).",
        "no_scenario_file": "manifest.json noemt geen scenario_file", "file_not_found": "bestand niet gevonden",
        "scenario_missing": "Het scenariobestand van de run ({file}) is niet gevonden of niet te laden ({why}); "
                            "de puntschatting en de kasstroom ontbreken daardoor.",
        "hash_mismatch": "De invoerbestanden verschillen van die van de run ({what}); opnieuw berekende onderdelen "
                         "(puntschatting, kasstroom) passen mogelijk niet bij samples.nc.",
        "other_inputs": "De {analysis} is gemaakt met andere invoerbestanden dan de run (andere SHA-256).",
        "duplicate": "Meerdere {what} gevonden; gebruikt: {used}.",
        "prob_mismatch": "P({output} ≥ 1) in summary.csv ({a}) verschilt van samples.nc ({b}).",
        "hist_y": "aandeel trekkingen", "cdf_y": "cumulatief aandeel", "p_text": "P(≥ 1) = {p}",
        "ncw_axis": "NCW (× € 1.000)", "costs": "kosten", "benefits": "baten", "median": "mediaan",
        "point_marker": "puntschatting", "balance_axis": "saldo NCW (× € 1.000)",
        "split_title": "Gesplitste prikkel: P(maatschappij wint, gemeente verliest) = {p}",
        "cum_axis": "cumulatief saldo (× € 1.000)", "prog_year": "programmajaar", "total": "Totaal",
        "gemeente": "Gemeente", "band": "P10–P90 ({m} trekkingen)",
        "payback_mark": "terugverdiend: jaar {y} (puntschatting)", "payback_median": "mediaan terugverdienjaar: {y}",
        "prefin_mark": "voorfinanciering {v} (puntschatting)",
        "tornado_title": "Tornado: maatschappelijke K-B-verhouding (P10–P90, rest op puntwaarde)",
        "at_p10": "parameter op P10", "at_p90": "parameter op P90", "ratio_axis": "maatschappelijke K-B-verhouding",
        "sobol_axis": "Sobol-index", "indicator": "indicator: {what}",
        "ratio_social_ge_1": "maatschappelijke K-B-verhouding ≥ 1",
        "ratio_gemeente_ge_1": "gemeentelijke K-B-verhouding ≥ 1",
        "balance_gemeente_ge_0": "saldo gemeente ≥ 0", "balance_ge_0": "saldo ≥ 0",
        "parameter": "parameter", "knop": "knop", "p10": "P10", "p90": "P90", "switch_social": "omslagpunt (maatsch.)",
        "switch_gemeente": "omslagpunt (gemeente)", "ratio_range": "maatsch. K-B bij P10–P90", "none": "–",
        "output": "uitkomst", "seed": "seed", "sampler": "sampler", "n": "n (trekkingen)",
        "n_requested": "n gevraagd", "created": "gemaakt (UTC)", "scenario": "scenario", "scenario_file":
        "scenariobestand", "overrides": "overschreven waarden (--set)", "discount_regime": "discontoregime",
        "elapsed": "rekentijd (s)", "chunk_size": "chunkgrootte", "workers": "workers",
        "sampled": "getrokken parameters", "na": "n.v.t.", "team_line": "Formatie: {line}",
        # input spaces (mkba_mc.io.loading.INPUT_SPACES), the curve and the assumptions
        "space": "Invoerruimte ({name}) – {text}.",
        "space_run": "risico van dit plan: de onzekerheden getrokken, de hefbomen op de waarde van het plan met hun "
                     "uitvoeringsonzekerheid, de normatieve keuzes (QALY-waarde, discontovoet) vast op de waarde "
                     "van het scenario",
        "space_levers": "wat-als over de hefbomen: de onzekerheden getrokken, de hefbomen over hun plausibele bereik "
                        "tussen aanpakken, de normatieve keuzes vast op de waarde van het scenario",
        "space_uncertainties": "alleen de onzekerheden: hefbomen en normatieve keuzes vast op de waarde van het "
                               "scenario",
        "space_all": "welke knop beslist: de onzekerheden getrokken, de hefbomen over hun plausibele bereik en de "
                     "waarderingen (QALY-waarde, discontovoet) over hun bereik",
        "space_curve": "welke waardering: de onzekerheden en de uitvoeringsonzekerheid van de hefbomen getrokken "
                       "zoals in de run (risico van dit plan), {param} over het rooster, de overige normatieve "
                       "keuzes vast",
        "space_breakeven": "risico van dit plan zoals in de run, met de hefboom vast op elke roosterwaarde",
        "space_unknown": "niet vastgelegd in de uitvoer",
        "headline_space": "Kopcijfers en verdelingen komen uit de run. {space}",
        "curve": "Waardering: acceptatiecurve",
        "curve_intro": "De QALY-waarde en de discontovoet zijn geen onzekerheden die met meer onderzoek kleiner "
                       "worden, maar normatieve keuzes: wat is een gezond levensjaar waard, en hoe zwaar tellen "
                       "latere jaren? Daarom trekt de run ze niet mee in één kans. De kopcijfers rekenen met één "
                       "waarde ({headline}); deze curve laat zien hoe de kans dat de baten de kosten dekken "
                       "verschuift bij een andere keuze. Dat sluit aan bij CPB/PBL: één discontovoet in de "
                       "kopcijfers en de onzekerheid daarover als aparte gevoeligheidsanalyse.",
        "curve_caption": "P(baten ≥ kosten) bij elke waarde van {param} ({k} roosterwaarden, de stippen). Links de "
                         "maatschappij (maatschappelijke K-B-verhouding ≥ 1) en de gemeente (gemeentelijke "
                         "K-B-verhouding ≥ 1), rechts het saldo ≥ 0 van de andere actoren. Grijze streepjeslijnen: "
                         "50 % en 80 %; gestippelde verticale lijnen: de omslagwaarden waar de kans van maatschappij "
                         "of gemeente 50 % of 80 % kruist (lineair tussen roosterwaarden); doorgetrokken grijze "
                         "lijn: de waarde in de kopcijfers. Elke roosterwaarde gebruikt dezelfde {n} trekkingen "
                         "(seed {seed}, {sampler}), dus verschillen tussen waarden zijn geen toevalsruis.",
        "curve_table": "Kans per waarde van {param}", "curve_switch": "Omslagwaarden",
        "curve_all": "Alle kansen per actor", "curve_source": "Bron: {file}.",
        "switch_none": "niet binnen het rooster", "switch_above": "overal boven {level}",
        "switch_below": "overal onder {level}", "switch_50": "omslag bij 50 %", "switch_80": "omslag bij 80 %",
        "event": "uitkomst", "median_social": "mediaan maatsch. K-B", "median_gemeente": "mediaan gem. K-B",
        "p_balance": "P(saldo ≥ 0)",
        "curve_left": "Maatschappij en gemeente: P(K-B-verhouding ≥ 1)",
        "curve_right": "Andere actoren: P(saldo ≥ 0)", "p_axis": "kans",
        "society_line": "maatschappij", "gemeente_line": "gemeente",
        "headline_mark": "in de kopcijfers: {v}", "switch_mark": "omslag {who} bij {level}: {v}",
        "constant": "{label} (overal {p})",
        "curve_summary": "Waardering ({param} van {lo} tot {hi}; acceptatiecurve): P(maatschappelijke "
                         "K-B-verhouding ≥ 1) van {p_lo} tot {p_hi}, omslag bij 80 %: {s80}; P(gemeentelijke "
                         "K-B-verhouding ≥ 1) van {g_lo} tot {g_hi}.",
        "curve_duplicate": "Meerdere acceptatiecurves over {param} gevonden; gebruikt: {used}.",
        "param_qaly_value": "QALY-waarde", "param_discount_rate": "discontovoet",
        "assumptions": "Invoer die op aannames rust",
        "assumptions_intro": "Elke getrokken invoer van de Sobol-analyse waarvan de onderbouwing een aanname is "
                             "(de evidence begint met ‘assumption’) in plaats van een bron. De onderbouwing is die "
                             "van de verdeling die in deze invoerruimte getrokken wordt: voor hefbomen en "
                             "waarderingen hun plausibele bereik. Gesorteerd op de totale Sobol-index ST voor de "
                             "maatschappelijke K-B-verhouding.",
        "assumptions_knop": "De Sobol-indices zijn per knop berekend: ST is hier die van de hele knop (alle invoer "
                            "van die knop samen, ook invoer met een bron), niet van de parameter alleen.",
        "assumptions_sum": "Hoeveel van de conclusie op aannames rust: de som van ST over deze {k} invoeren is {s} "
                           "(maatschappelijke K-B-verhouding). ST telt interacties mee, dus de som is een "
                           "bovengrens voor het deel van de variantie waarin een aanname meespeelt.",
        "assumptions_sum_knop": "Hoeveel van de conclusie op aannames rust: de som van ST over de {k} knoppen met "
                                "ten minste één invoer op een aanname is {s} (maatschappelijke K-B-verhouding). Dat "
                                "is een bovengrens: een knop telt volledig mee zodra één van zijn invoeren op een "
                                "aanname rust, en ST telt interacties mee.",
        "assumptions_summary": "Op aannames rusten {k} getrokken invoeren van de Sobol-analyse; som van ST {s} "
                               "(maatschappelijke K-B-verhouding, {per}).",
        "per_parameter": "per parameter", "per_knop": "per knop, bovengrens",
        "assumptions_none": "Geen van de getrokken invoeren van de Sobol-analyse rust op een aanname.",
        "assumptions_no_scenario": "Niet te bepalen: het scenario van de run is niet te laden, dus de onderbouwing "
                                   "van de invoer is onbekend.",
        "evidence": "onderbouwing", "kind": "soort", "st_knop": "ST (knop)", "st_gemeente": "ST gemeente",
        "st_knop_gemeente": "ST gemeente (knop)",
        "kind_uncertainty": "onzekerheid", "kind_lever": "hefboom", "kind_normative": "normatief",
    },
    "en": {
        "subtitle": "Uncertainty and sensitivity analysis (Monte Carlo), report made {created}",
        "notes": "Note",
        "summary": "Summary",
        "together": "This report shows the point estimate (base case) and every sensitivity analysis together; "
                    "no variant or parameter has been dropped.",
        "verdict_uncertain": "Conclusion: uncertain whether benefits exceed costs. The balance changes sign within "
                             "the plausible range (P5 {p5} < 0 < P95 {p95}).",
        "verdict_roughly_equal": "Conclusion: benefits roughly equal to costs. The balance changes sign, but only by "
                                 "small amounts: |P5| ({p5}) and |P95| ({p95}) are both below 10 % of the mean "
                                 "total cost ({cost}).",
        "verdict_exceeds": "Conclusion: benefits exceed costs in more than 95 % of the samples "
                           "(P5 of the balance {p5} ≥ 0).",
        "verdict_falls_short": "Conclusion: benefits fall short of costs in more than 95 % of the samples "
                               "(P95 of the balance {p95} ≤ 0).",
        "balance_range": "The balance (benefits minus costs, NPV) lies between {p5} and {p95} with 90 % probability "
                         "(median {p50}); P(balance ≥ 0) = {p}.",
        "p_ratios": "P(social cost-benefit ratio ≥ 1) = {ps}; P(municipal cost-benefit ratio ≥ 1) = {pg}.",
        "point_ratios": "Point estimate (base case): social cost-benefit ratio {rs}, financial {rf}, municipal {rg}; "
                        "balance {bal}.",
        "split": "Chance of a split incentive (society gains, the municipality loses): {p}.",
        "payback": "Programme: {pt} (point estimate); median payback year over the samples: {pm}; "
                   "P(paid back within {years} years) = {pp}.",
        "year": "year {y}", "never": "not within {years} years",
        "paid_back": "paid back in year {y}", "not_paid_back": "not paid back within {years} years",
        "prefin": "Pre-financing need: {pt} (point estimate); median {pm}, P90 {p90}.",
        "gemeente_programme": "Municipality: {pt} (point estimate); pre-financing need {pf}.",
        "top_knoppen": "Most important {kind} for the social cost-benefit ratio (total Sobol index ST): {items}.",
        "top_knoppen_g": "For the municipal cost-benefit ratio: {items}.",
        "knoppen": "knoppen (levers)", "parameters": "parameters",
        "no_balance": "The run kept neither balance nor costs and the scenario cannot be loaded: no conclusion on "
                      "benefits and costs.",
        "balance_from_design": "(The run did not keep balance or costs: computed over the first {m} samples of the "
                               "run's design.)",
        "no_sobol": "Sobol indices were not computed, so the most important knoppen are not determined.",
        "not_kept": "not kept in the run",
        "point": "Point estimate (base case)",
        "point_source_json": "Source: {file} (output of mkba-mc point --json).",
        "point_source_scenario": "Source: the run's scenario ({file}) evaluated at its point values.",
        "calibration": ("Calibration: the default kengetallen are calibrated to the worked example of Bijlage 2 "
                        "(meta-analysis 2014); matching that example is a consistency check, not a validation. "
                        "Calibrated to Bijlage 2: {names}."),
        "point_json_bad": "{file} is not output of mkba-mc point --json and was not used.",
        "point_missing": "Not computed: no point.json and the run's scenario file cannot be loaded.",
        "programme_line": "Programme (build-up over {ramp} years, {years} years)",
        "ratios": "Distribution of the cost-benefit ratios",
        "ratios_caption": "Histogram (top) and cumulative distribution (bottom) of the social and the municipal "
                          "cost-benefit ratio over all {n} samples of the run; the red line is at 1. P(≥ 1) is read "
                          "from summary.csv and equals the share in samples.nc. Undefined ratios (costs ≤ 0; {nan} "
                          "samples) count as not ≥ 1. The histogram shows P0.5–P99.5.",
        "posts": "NPV per post",
        "posts_caption_run": "Median (bar) and P10–P90 (line) of every post over all {n} samples of the run "
                             "(summary.csv); the diamond is the point estimate.",
        "posts_caption_design": "The run did not keep the posts (no --all-outputs). They are computed here again for "
                                "the first {m} samples of the run's design (same seed, sampler and n); median (bar) "
                                "and P10–P90 (line); the diamond is the point estimate.",
        "actors": "Balance per actor",
        "actors_caption": "P10–P90 (bar) and median (tick) of the balance (NPV benefits minus costs) per actor and "
                          "for the municipality as a whole, over all {n} samples; at the right P(balance ≥ 0). "
                          "Split incentive (society gains, municipality loses): {split}.",
        "actor": "Actor", "p_ge_0": "P(balance ≥ 0)",
        "cashflow": "Programme: cash flow over the years",
        "cashflow_caption": "Cumulative balance of the programme (one cohort a year, build-up over {ramp} years), in "
                            "total and for the municipality. The band (P10–P90) and the median use the first {m} "
                            "samples of the run, evaluated again with the same design (seed {seed}, {sampler}); "
                            "{check} The dashed line is the point estimate; marked are the payback year and the "
                            "pre-financing need of the point estimate.",
        "check_ok": "they reproduce the social cost-benefit ratio of samples.nc exactly.",
        "check_bad": "NOTE: they do not reproduce samples.nc (max. difference {diff:.3g}); the inputs have changed.",
        "design_failed": "The run's samples cannot be made again from manifest.json ({why}); the cash flow is "
                         "therefore missing.",
        "check_none": "samples.nc has no ratio_social to check them against.",
        "cashflow_missing": "Not computed: the run's scenario or samples cannot be evaluated again (see the note at "
                            "the top).",
        "tornado": "Tornado and switch values",
        "tornado_caption": "Social cost-benefit ratio as one parameter moves from its P10 to its P90 with the others "
                           "at their point values; the {k} parameters with the largest swing (of {total}). Red line: "
                           "ratio 1; grey dashed line: point estimate. The table lists every parameter with its "
                           "switch value (where the ratio becomes 1).",
        "switch_table": "Switch values (all parameters)",
        "sobol": "Sobol indices",
        "sobol_caption": "First-order (S1) and total (ST) Sobol index per {factor} with 95 % confidence interval "
                         "(bootstrap), n = {n}, {evaluations} model evaluations. {top}The full table is below.",
        "sobol_top": "Each panel shows the {k} {factor}s with the highest ST. ",
        "sobol_table": "All Sobol indices",
        "breakeven": "Break-even and robustness",
        "breakeven_caption": "Per lever the value where P(social cost-benefit ratio ≥ 1) = 50 % while every other "
                             "uncertainty is sampled ({n} samples per value, seed {seed}).",
        "robustness_caption": "Robustness: P(cost-benefit ratio ≥ 1) over each lever's grid.",
        "lever": "lever", "range": "range", "point_value": "point value", "p_at_point": "P at point value",
        "breakeven_col": "break-even", "none_in_range": "none in range", "value": "value",
        "p_social": "P(social ≥ 1)", "p_gemeente": "P(municipal ≥ 1)",
        "manifest": "Run provenance",
        "manifest_caption": "Everything needed to repeat the run (from manifest.json).",
        "key": "key", "val": "value", "file": "file", "hash": "SHA-256",
        "versions": "Versions", "hashes": "Input files (SHA-256)", "analyses": "Files and analyses used",
        "analysis": "analysis", "folder": "folder", "settings": "settings", "command": "command",
        "not_computed": "Not computed: no {files} found in {folder} or an immediate subfolder "
                        "(make it with: {how}).",
        "no_scenario_file": "manifest.json names no scenario_file", "file_not_found": "file not found",
        "scenario_missing": "The run's scenario file ({file}) was not found or cannot be loaded ({why}); the point "
                            "estimate and the cash flow are therefore missing.",
        "hash_mismatch": "The input files differ from the run's ({what}); parts computed again (point estimate, "
                         "cash flow) may not match samples.nc.",
        "other_inputs": "The {analysis} was made with other input files than the run (different SHA-256).",
        "duplicate": "Several {what} found; used: {used}.",
        "prob_mismatch": "P({output} ≥ 1) in summary.csv ({a}) differs from samples.nc ({b}).",
        "hist_y": "share of samples", "cdf_y": "cumulative share", "p_text": "P(≥ 1) = {p}",
        "ncw_axis": "NPV (€ thousand)", "costs": "costs", "benefits": "benefits", "median": "median",
        "point_marker": "point estimate", "balance_axis": "NPV balance (€ thousand)",
        "split_title": "Split incentive: P(society gains, municipality loses) = {p}",
        "cum_axis": "cumulative balance (€ thousand)", "prog_year": "programme year", "total": "Total",
        "gemeente": "Municipality", "band": "P10–P90 ({m} samples)",
        "payback_mark": "paid back: year {y} (point estimate)", "payback_median": "median payback: {y}",
        "prefin_mark": "pre-financing {v} (point estimate)",
        "tornado_title": "Tornado: social cost-benefit ratio (P10–P90, others at point values)",
        "at_p10": "parameter at P10", "at_p90": "parameter at P90", "ratio_axis": "social cost-benefit ratio",
        "sobol_axis": "Sobol index", "indicator": "indicator: {what}",
        "ratio_social_ge_1": "social cost-benefit ratio ≥ 1",
        "ratio_gemeente_ge_1": "municipal cost-benefit ratio ≥ 1",
        "balance_gemeente_ge_0": "municipal balance ≥ 0", "balance_ge_0": "balance ≥ 0",
        "parameter": "parameter", "knop": "knop", "p10": "P10", "p90": "P90", "switch_social": "switch (social)",
        "switch_gemeente": "switch (municipal)", "ratio_range": "social ratio at P10–P90", "none": "–",
        "output": "output", "seed": "seed", "sampler": "sampler", "n": "n (samples)",
        "n_requested": "n requested", "created": "created (UTC)", "scenario": "scenario", "scenario_file":
        "scenario file", "overrides": "overridden values (--set)", "discount_regime": "discount regime",
        "elapsed": "run time (s)", "chunk_size": "chunk size", "workers": "workers",
        "sampled": "sampled parameters", "na": "n/a", "team_line": "Team size: {line}",
        # input spaces (mkba_mc.io.loading.INPUT_SPACES), the curve and the assumptions
        "space": "Input space ({name}) – {text}.",
        "space_run": "risk of this plan: uncertainties sampled, levers at the plan's value with their "
                     "implementation uncertainty, normative inputs (QALY value, discount rate) fixed at the "
                     "scenario's values",
        "space_levers": "what-if over the levers: uncertainties sampled, levers over their plausible range across "
                        "approaches, normative inputs fixed at the scenario's values",
        "space_uncertainties": "uncertainties only: levers and normative inputs fixed at the scenario's values",
        "space_all": "which knob decides: uncertainties sampled, levers over their plausible range and the "
                     "valuations (QALY value, discount rate) over their range",
        "space_curve": "which valuation: uncertainties and the levers' implementation uncertainty sampled as in "
                       "the run (risk of this plan), {param} over the grid, the other normative inputs fixed",
        "space_breakeven": "risk of this plan as in the run, with the lever fixed at each grid value",
        "space_unknown": "not recorded in the output",
        "headline_space": "The headline figures and distributions come from the run. {space}",
        "curve": "Valuation: acceptability curve",
        "curve_intro": "The QALY value and the discount rate are not uncertainties that more research would "
                       "narrow, but normative choices: what is a healthy life year worth, and how much do later "
                       "years count? The run therefore does not fold them into one probability. The headline "
                       "figures use one value ({headline}); this curve shows how the chance that benefits cover "
                       "costs shifts under another choice. This follows CPB/PBL: one discount rate in the "
                       "headline, its uncertainty as a separate sensitivity analysis.",
        "curve_caption": "P(benefits ≥ costs) at each value of {param} ({k} grid values, the dots). Left society "
                         "(social cost-benefit ratio ≥ 1) and the municipality (municipal cost-benefit ratio ≥ 1), "
                         "right the balance ≥ 0 of the other actors. Grey dashed lines: 50 % and 80 %; dotted "
                         "vertical lines: the switch values where the chance of society or the municipality "
                         "crosses 50 % or 80 % (linear between grid values); solid grey line: the value in the "
                         "headline figures. Every grid value uses the same {n} samples (seed {seed}, {sampler}), "
                         "so differences between values are not Monte Carlo noise.",
        "curve_table": "Probability per value of {param}", "curve_switch": "Switch values",
        "curve_all": "All probabilities per actor", "curve_source": "Source: {file}.",
        "switch_none": "not within the grid", "switch_above": "above {level} throughout",
        "switch_below": "below {level} throughout", "switch_50": "switch at 50 %", "switch_80": "switch at 80 %",
        "event": "outcome", "median_social": "median social ratio", "median_gemeente": "median municipal ratio",
        "p_balance": "P(balance ≥ 0)",
        "curve_left": "Society and municipality: P(cost-benefit ratio ≥ 1)",
        "curve_right": "Other actors: P(balance ≥ 0)", "p_axis": "probability",
        "society_line": "society", "gemeente_line": "municipality",
        "headline_mark": "headline figures: {v}", "switch_mark": "switch {who} at {level}: {v}",
        "constant": "{label} (constant {p})",
        "curve_summary": "Valuation ({param} from {lo} to {hi}; acceptability curve): P(social cost-benefit ratio "
                         "≥ 1) from {p_lo} to {p_hi}, switch at 80 %: {s80}; P(municipal cost-benefit ratio ≥ 1) "
                         "from {g_lo} to {g_hi}.",
        "curve_duplicate": "Several acceptability curves over {param} found; used: {used}.",
        "param_qaly_value": "QALY value", "param_discount_rate": "discount rate",
        "assumptions": "Inputs that rest on assumptions",
        "assumptions_intro": "Every sampled input of the Sobol analysis whose evidence is an assumption (it starts "
                             "with ‘assumption’) rather than a source. The evidence is that of the distribution "
                             "sampled in this input space: for levers and valuations their plausible range. Sorted "
                             "by the total Sobol index ST for the social cost-benefit ratio.",
        "assumptions_knop": "The Sobol indices were computed per knop: ST here is the whole knop's (all its inputs "
                            "together, sourced ones included), not the parameter's alone.",
        "assumptions_sum": "How much of the conclusion rests on assumptions: the sum of ST over these {k} inputs is "
                           "{s} (social cost-benefit ratio). ST counts interactions, so the sum is an upper bound "
                           "on the share of the variance in which an assumption plays a part.",
        "assumptions_sum_knop": "How much of the conclusion rests on assumptions: the sum of ST over the {k} knoppen "
                                "with at least one input resting on an assumption is {s} (social cost-benefit "
                                "ratio). This is an upper bound: a knop counts in full as soon as one of its inputs "
                                "rests on an assumption, and ST counts interactions.",
        "assumptions_summary": "{k} sampled inputs of the Sobol analysis rest on assumptions; sum of ST {s} (social "
                               "cost-benefit ratio, {per}).",
        "per_parameter": "per parameter", "per_knop": "per knop, upper bound",
        "assumptions_none": "None of the sampled inputs of the Sobol analysis rests on an assumption.",
        "assumptions_no_scenario": "Cannot be determined: the run's scenario cannot be loaded, so the evidence of "
                                   "the inputs is unknown.",
        "evidence": "evidence", "kind": "kind", "st_knop": "ST (knop)", "st_gemeente": "ST municipal",
        "st_knop_gemeente": "ST municipal (knop)",
        "kind_uncertainty": "uncertainty", "kind_lever": "lever", "kind_normative": "normative",
    },
}

_CSS: Final[str] = """
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;color:#1a1a1a;margin:0;background:#fff;line-height:1.45}
main{max-width:1120px;margin:0 auto;padding:24px 32px 48px}
h1{font-size:1.7em;margin:0 0 4px}h2{font-size:1.3em;border-bottom:2px solid #2b5d8a;padding-bottom:3px;margin-top:34px}
h3{font-size:1.08em;margin:18px 0 6px}.sub{color:#555;margin:0 0 18px}
.summary{background:#f3f7fb;border-left:5px solid #2b5d8a;padding:10px 18px}.summary li{margin:4px 0}
.verdict{font-weight:bold}.notes{background:#fff4e5;border-left:5px solid #e08a00;padding:8px 18px}
.missing{color:#7a4b00;background:#fff8ec;padding:8px 12px;border:1px dashed #e0b060}
table{border-collapse:collapse;margin:8px 0 14px;font-size:.92em}
th,td{border:1px solid #ccd3da;padding:3px 9px;text-align:right;vertical-align:top}
th{background:#e8eef4}td.l,th.l{text-align:left}tr.b td{font-weight:bold}
figure{margin:12px 0 22px}figure img{width:100%;height:auto;border:1px solid #dde3e8}
figcaption{font-size:.9em;color:#333;margin-top:4px}.key{font-weight:bold;white-space:nowrap}
code{font-size:.88em;word-break:break-all}.ev{font-size:.92em;color:#333}details{margin:6px 0 14px}.screens{display:flex;flex-wrap:wrap;gap:26px}
"""

_SCRIPT: Final[str] = """
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (im) { return im.complete && im.naturalWidth > 0; }).length;
  document.body.dataset.imagesOk = ok + "/" + imgs.length;
});
"""


# ----------------------------------------------------------------- wording
def classify_balance(p5: float, p95: float, mean_cost: float, small_share: float = SMALL_SHARE) -> str:
    """Classify the spread of the balance (benefits minus costs).

    Parameters
    ----------
    p5, p95 : float
        5th and 95th percentile of the balance: the plausible range.
    mean_cost : float
        Mean total cost; sets the scale of a "small" amount.
    small_share : float
        A sign change is small when both ``|p5|`` and ``|p95|`` are below
        ``small_share * mean_cost``.

    Returns
    -------
    str
        ``"roughly_equal"`` when the sign flips inside the plausible range
        (``p5 < 0 < p95``) by small amounts only; ``"uncertain"`` when it
        flips otherwise; ``"exceeds"`` when ``p5 >= 0`` (benefits exceed
        costs in at least 95 % of the samples); ``"falls_short"`` when
        ``p95 <= 0``.

    Raises
    ------
    ValueError
        If an argument is not a finite number or ``p5 > p95``.
    """
    values = (p5, p95, mean_cost)
    if not all(isinstance(v, (int, float, np.floating, np.integer)) and math.isfinite(float(v)) for v in values):
        raise ValueError(f"p5, p95 and mean_cost must be finite numbers, got {values}")
    if p5 > p95:
        raise ValueError(f"p5 ({p5}) must not exceed p95 ({p95})")
    if p5 < 0.0 < p95:
        limit = small_share * float(mean_cost)
        if abs(p5) < limit and abs(p95) < limit:
            return "roughly_equal"
        return "uncertain"
    return "exceeds" if p5 >= 0.0 else "falls_short"


def uncertainty_wording(p5: float, p95: float, mean_cost: float, lang: str = "nl") -> str:
    """The conclusion about benefits and costs in the guidance's wording.

    Dutch MKBA guidance asks to state, next to the base case, whether the
    conclusion holds over the plausible range: "onzeker of baten de kosten
    overtreffen" when the sign of the balance flips between its P5 and P95,
    "baten ongeveer gelijk aan kosten" when it flips only by small amounts
    (both below 10 % of the mean total cost), and otherwise that benefits
    exceed (fall short of) costs in more than 95 % of the samples.

    Parameters
    ----------
    p5, p95 : float
        5th and 95th percentile of the balance.
    mean_cost : float
        Mean total cost.
    lang : {"nl", "en"}
        Language of the sentence.

    Returns
    -------
    str
        One sentence, starting with "Conclusie:" (or "Conclusion:").
    """
    T = _text(lang)
    verdict = classify_balance(p5, p95, mean_cost)
    return T[f"verdict_{verdict}"].format(p5=_eur(p5, lang), p95=_eur(p95, lang), cost=_eur(mean_cost, lang))


# -------------------------------------------------------------- formatting
def _text(lang: str) -> dict[str, str]:
    """The report's texts in ``lang``; a ConfigError for an unknown language."""
    if lang not in TEXT:
        raise ConfigError([Problem("--lang", "lang", lang, "nl or en")])
    return TEXT[lang]


def _finite(v: Any) -> bool:
    """True for a finite real number (not None, NaN or inf)."""
    return v is not None and isinstance(v, (int, float, np.floating, np.integer)) and math.isfinite(float(v))


def _eur(v: Any, lang: str) -> str:
    """Euros without decimals: ``€ 1.234.567`` (nl) or ``€ 1,234,567`` (en)."""
    if not _finite(v):
        return "–"
    s = f"€ {float(v):,.0f}"
    return s.replace(",", ".") if lang == "nl" else s


def _p(v: Any) -> str:
    """A probability with three decimals (stable format in both languages)."""
    return f"{float(v):.3f}" if _finite(v) else "–"


def _ratio(v: Any, lang: str) -> str:
    """A ratio with two decimals (stable format in both languages)."""
    return f"{float(v):.2f}" if _finite(v) else _text(lang)["na"]


def _num(v: Any, digits: int = 4) -> str:
    """A plain number: ``digits`` significant digits, or whole numbers grouped
    by a narrow space from 10 000 on (a point or comma would be ambiguous
    between the languages)."""
    if not _finite(v):
        return "–"
    x = float(v)
    if abs(x) >= 10_000:
        return f"{x:,.0f}".replace(",", "\u202f")
    return f"{x:.{digits}g}"


def _key(key: str, text: str) -> str:
    """A key figure, marked for readers and tests."""
    return f'<span class="key" data-key="{html.escape(key)}">{html.escape(text)}</span>'


def _e(s: Any) -> str:
    """HTML-escaped text."""
    return html.escape(str(s))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1, bold: Sequence[int] = (),
           also_left: Sequence[int] = ()) -> str:
    """An HTML table; cells are already escaped HTML; the first ``left``
    columns and those in ``also_left`` are left-aligned."""
    def is_left(i: int) -> bool:
        return i < left or i in also_left

    th = "".join(f'<th class="l">{h}</th>' if is_left(i) else f"<th>{h}</th>" for i, h in enumerate(header))
    body = []
    for r, row in enumerate(rows):
        cells = "".join(f'<td class="l">{c}</td>' if is_left(i) else f"<td>{c}</td>" for i, c in enumerate(row))
        body.append(f'<tr class="b">{cells}</tr>' if r in bold else f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _post_label(post: str, lang: str) -> str:
    """Label of a post in screen A, without its numbering (``1``, ``a``)."""
    return re.sub(r"^\s*(\d+|[a-z])\s+", "", LABELS[lang][post]).strip()


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence numpy's warnings about NaN (undefined ratios, no payback)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


# --------------------------------------------------------------- discovery
@dataclass(frozen=True)
class Artefacts:
    """Result files found in a folder and its immediate subfolders.

    Attributes
    ----------
    folder : Path
        The folder searched.
    run : Path or None
        Folder holding ``samples.nc``, ``summary.csv`` and ``manifest.json``.
    sobol : Path or None
        ``sobol.nc``.
    tornado : Path or None
        ``tornado.csv``.
    breakeven : Path or None
        Folder holding ``breakeven.csv`` and ``robustness.csv``.
    point : Path or None
        ``point.json`` (the object of ``mkba-mc point --json``).
    curves : tuple of Path
        Folders holding ``curve.csv`` (``mkba-mc curve --out``), in search
        order; one per swept input is used.
    duplicates : dict of str to list of Path
        Kinds found more than once (the first is used).
    """

    folder: Path
    run: Path | None = None
    sobol: Path | None = None
    tornado: Path | None = None
    breakeven: Path | None = None
    point: Path | None = None
    curves: tuple[Path, ...] = ()
    duplicates: dict[str, list[Path]] = field(default_factory=dict)


_KINDS: Final[dict[str, tuple[tuple[str, ...], bool]]] = {
    # kind -> (file names that must all be present, the artefact is the folder)
    "run": (("samples.nc", "summary.csv", "manifest.json"), True),
    "sobol": (("sobol.nc",), False),
    "tornado": (("tornado.csv",), False),
    "breakeven": (("breakeven.csv", "robustness.csv"), True),
    "point": (("point.json",), False),
    "curve": (("curve.csv",), True),  # several allowed: one per swept input
}


def find_artefacts(folder: str | Path) -> Artefacts:
    """Look up result files in ``folder`` and its immediate subfolders.

    The folder itself is searched first, then its subfolders in name order
    (hidden folders and ``figures`` are skipped); the first match of each
    kind is used.

    Parameters
    ----------
    folder : str or Path
        The results folder.

    Returns
    -------
    Artefacts

    Raises
    ------
    OutputError
        If ``folder`` is not an existing folder.
    """
    root = Path(folder)
    if not root.is_dir():
        raise OutputError(f"{root}: not a folder; give the folder that holds the results of mkba-mc run "
                          "(samples.nc, summary.csv, manifest.json) and optionally sobol, tornado and breakeven")
    dirs = [root] + sorted((p for p in root.iterdir()
                            if p.is_dir() and not p.name.startswith(".") and p.name not in _SKIP_DIRS),
                           key=lambda p: p.name)
    found: dict[str, list[Path]] = {}
    for d in dirs:
        for kind, (names, is_dir) in _KINDS.items():
            if all((d / nm).is_file() for nm in names):
                found.setdefault(kind, []).append(d if is_dir else d / names[0])
    curves = tuple(found.pop("curve", ()))
    return Artefacts(root, **{k: v[0] for k, v in found.items()}, curves=curves,
                     duplicates={k: v for k, v in found.items() if len(v) > 1})


# ------------------------------------------------------------------ inputs
@dataclass
class _Run:
    """What the report needs from a Monte Carlo run folder."""

    folder: Path
    manifest: dict[str, Any]
    stats: pd.DataFrame
    probs: dict[str, float]
    samples: dict[str, Array]
    n: int


_SAMPLE_VARS: Final[tuple[str, ...]] = ("ratio_social", "ratio_gemeente", "balance", "cost_total", "payback_year",
                                        "prefinancing", "payback_year_gemeente", "prefinancing_gemeente")


def _read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a result folder; OutputError when unreadable."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise OutputError(f"{path}: cannot read JSON ({exc})") from exc
    if not isinstance(obj, dict):
        raise OutputError(f"{path}: expected a JSON object")
    return obj


def _load_run(folder: Path) -> _Run:
    """Manifest, summary statistics, probabilities and the needed samples of a run folder."""
    manifest = _read_json(folder / "manifest.json")
    try:
        table = pd.read_csv(folder / "summary.csv")
    except (OSError, ValueError) as exc:
        raise OutputError(f"{folder / 'summary.csv'}: cannot read ({exc})") from exc
    if not {"output", "kind"} <= set(table.columns):
        raise OutputError(f"{folder / 'summary.csv'}: expected the columns output and kind (written by mkba-mc run)")
    stats = table[table["kind"] == "statistic"].set_index("output")
    probs = {str(k): float(v) for k, v in table[table["kind"] == "probability"].set_index("output")["p"].items()}
    try:
        with open_netcdf(folder / "samples.nc") as ds:
            samples = {k: np.array(ds[k].values, dtype=np.float64) for k in _SAMPLE_VARS if k in ds.data_vars}
            n = int(ds.sizes["sample"])
    except (OSError, ValueError, KeyError) as exc:
        raise OutputError(f"{folder / 'samples.nc'}: cannot read ({exc})") from exc
    return _Run(folder, manifest, stats, probs, samples, n)


def _candidates(name: str, bases: Sequence[Path]) -> list[Path]:
    """Where a manifest's (possibly relative) file name may be, most likely first."""
    p = Path(name)
    if p.is_absolute():
        return [p]
    out = [Path.cwd() / p]
    for base in bases:
        out.extend(b / p for b in (base, *base.resolve().parents))
    return out


def _resolve(name: str, expected_hash: str | None, bases: Sequence[Path]) -> Path | None:
    """An input file named in a manifest: the first existing candidate whose
    SHA-256 matches, else the first existing one."""
    existing = [c for c in dict.fromkeys(_candidates(name, bases)) if c.is_file()]
    for c in existing:
        if expected_hash is None or sha256(c) == expected_hash:
            return c
    return existing[0] if existing else None


def _load_run_scenario(run: _Run, root: Path, notes: list[str], T: Mapping[str, str]) -> Scenario | None:
    """The run's scenario with its overrides, or None (with a note)."""
    from ..io.loading import load_scenario

    m = run.manifest
    name = m.get("scenario_file")
    hashes: dict[str, str] = dict(m.get("input_hashes") or {})
    if not name:
        notes.append(T["scenario_missing"].format(file="–", why=T["no_scenario_file"]))
        return None
    # a relative name is relative to where the run was started: try the
    # current folder, the results folders and the folders above the run's
    # other (absolute) input files, such as the shipped distributions
    bases = [run.folder, root, *(Path(f).parent for f in hashes if Path(f).is_absolute())]
    path = _resolve(str(name), hashes.get(str(name)), bases)
    if path is None:
        notes.append(T["scenario_missing"].format(file=name, why=T["file_not_found"]))
        return None
    overrides = [str(o) for o in m.get("overrides") or []]
    try:
        sc = load_scenario(path, overrides=overrides)
    except (MkbaError, OSError) as exc:
        notes.append(T["scenario_missing"].format(file=name, why=str(exc).splitlines()[0]))
        return None
    wanted = set(hashes.values())
    if wanted and set(sc.input_hashes().values()) != wanted:
        # the run may have used --distributions: try the other files of its manifest
        others = [_resolve(f, h, bases) for f, h in hashes.items() if f != str(name)]
        dist_files = [p for p in others if p is not None]
        if dist_files:
            try:
                alt = load_scenario(path, overrides=overrides, distributions=dist_files)
            except (MkbaError, OSError):
                alt = None
            if alt is not None and set(alt.input_hashes().values()) == wanted:
                return alt
        differ = [f for f, h in sc.input_hashes().items() if h not in wanted] or sorted(hashes)
        notes.append(T["hash_mismatch"].format(what=", ".join(differ)))
    return sc


def _evaluate_quiet(sc: Scenario, values: Mapping[str, Any] | None, outputs: Sequence[str]) -> dict[str, Array]:
    """The model at the scenario's point values with ``values`` replacing some, without NaN warnings."""
    from ..model.core import evaluate

    with _quiet():
        return evaluate({**sc.params, **(values or {})}, sc.structure, list(outputs))


def design_outputs(scenario: Scenario, manifest: Mapping[str, Any], outputs: Sequence[str],
                   samples: int = DESIGN_SAMPLES) -> dict[str, Array]:
    """Evaluate the model on the first samples of a run's own design.

    The design of a run is fixed by its seed, sampler and requested ``n``
    (``n_requested`` in the manifest; it sets the Latin hypercube block), so
    :meth:`mkba_mc.uncertainty.plan.SamplingPlan.inputs` gives exactly the
    parameter sets of the run's first samples.

    Parameters
    ----------
    scenario : Scenario
        The run's scenario (with its overrides).
    manifest : mapping
        The run's ``manifest.json``: ``n``, ``n_requested``, ``seed``, ``sampler``.
    outputs : sequence of str
        Model outputs to compute (any of :data:`mkba_mc.model.core.ALL_OUTPUTS`).
    samples : int
        Number of samples, at most the run's ``n``.

    Returns
    -------
    dict of str to numpy.ndarray
        The outputs for samples ``0 .. m - 1`` with ``m = min(n, samples)``.
    """
    from ..uncertainty.plan import SamplingPlan

    n = int(manifest["n"])
    plan = SamplingPlan.from_scenario(scenario, n=int(manifest.get("n_requested") or n), seed=int(manifest["seed"]),
                                      sampler=str(manifest.get("sampler") or "random"))
    m = max(1, min(n, int(samples)))
    return _evaluate_quiet(scenario, plan.inputs(0, m), outputs)


def _point_from_json(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``point --json`` object, or None when it lacks the keys the report needs."""
    if not all(k in obj for k in ("ratio_social", "cost_total", "actors")):
        return None
    return dict(obj)


# ----------------------------------------------------------------- figures
def _new_figure(width: float, height: float) -> Figure:
    """A matplotlib figure drawn by the Agg canvas (no pyplot, no global backend)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=FIGURE_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: Path) -> bytes:
    """Write a figure as PNG to ``path`` (a staged temporary); return its bytes."""
    fig.savefig(path, format="png", dpi=FIGURE_DPI, facecolor="white")
    return path.read_bytes()


def _thousands(lang: str) -> Callable[[float, Any], str]:
    """Tick formatter: euros in thousands with the language's grouping."""
    sep = "." if lang == "nl" else ","

    def fmt(v: float, _pos: Any = None) -> str:
        return f"{v / 1000:,.0f}".replace(",", sep)

    return fmt


def _fig_ratios(run: _Run, lang: str) -> Figure:
    """Histogram and cumulative curve of the ratios with a line at 1 and P(>= 1)."""
    from matplotlib.ticker import PercentFormatter

    T = _text(lang)
    keys = [k for k in ("ratio_social", "ratio_gemeente") if k in run.samples]
    colours = {"ratio_social": "#2b5d8a", "ratio_gemeente": "#d9822b"}
    fig = _new_figure(11, 7.2)
    axes = fig.subplots(2, len(keys), squeeze=False)
    for j, key in enumerate(keys):
        x = run.samples[key]
        ok = x[np.isfinite(x)]
        p = run.probs.get(f"{key}_ge_1", float(np.mean(x >= 1.0)))
        lo, hi = (np.quantile(ok, [0.005, 0.995]) if ok.size else (0.0, 2.0))
        lo, hi = min(lo, 0.95), max(hi, 1.05)
        ax = axes[0, j]
        ax.hist(ok[(ok >= lo) & (ok <= hi)], bins=60, range=(lo, hi), weights=np.full(
            int(np.count_nonzero((ok >= lo) & (ok <= hi))), 1.0 / x.size), color=colours[key], alpha=0.85)
        ax.set_title(LABELS[lang][key], fontsize=12)
        ax.set_ylabel(T["hist_y"], fontsize=10)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
        ax2 = axes[1, j]
        q = np.linspace(0.0, 1.0, 501)
        share = ok.size / x.size
        if ok.size:
            ax2.plot(np.quantile(ok, q), q * share, color=colours[key], lw=2)
        ax2.set_xlim(lo, hi)
        ax2.set_ylim(0, 1.02)
        ax2.set_ylabel(T["cdf_y"], fontsize=10)
        ax2.set_xlabel(LABELS[lang][key], fontsize=10)
        ax2.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlim(lo, hi)
        for a in (ax, ax2):
            a.axvline(1.0, color="#c62828", lw=1.8)
            a.grid(alpha=0.3)
            a.tick_params(labelsize=9)
            a.text(0.98, 0.93 if a is ax else 0.1, T["p_text"].format(p=_p(p)), transform=a.transAxes,
                   ha="right", va="top" if a is ax else "bottom", fontsize=12, fontweight="bold",
                   bbox={"facecolor": "white", "edgecolor": "#c62828", "boxstyle": "round,pad=0.3"})
    return fig


def _fig_posts(rows: Sequence[tuple[str, float, float, float, float | None]], lang: str) -> Figure:
    """NCW posts: median bars, P10-P90 whiskers and the point estimate."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    T = _text(lang)
    fig = _new_figure(11, 5.4)
    ax = fig.subplots()
    y = np.arange(len(rows))[::-1]
    for yi, (post, p10, p50, p90, point) in zip(y, rows):
        colour = "#c0504d" if post.startswith("cost") else "#4f8f3a"
        ax.barh(yi, p50, color=colour, alpha=0.75, height=0.62)
        ax.plot([p10, p90], [yi, yi], color="#222", lw=2.2, solid_capstyle="butt")
        ax.plot([p10, p10], [yi - 0.18, yi + 0.18], color="#222", lw=1.6)
        ax.plot([p90, p90], [yi - 0.18, yi + 0.18], color="#222", lw=1.6)
        if _finite(point):
            ax.plot(point, yi, marker="D", color="black", markersize=6, markerfacecolor="#ffd54f")
    ax.set_yticks(y, [_post_label(r[0], lang) for r in rows], fontsize=10)
    ax.xaxis.set_major_formatter(FuncFormatter(_thousands(lang)))
    ax.set_xlabel(T["ncw_axis"], fontsize=10)
    ax.axvline(0, color="#555", lw=0.8)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(handles=[Patch(color="#c0504d", alpha=0.75, label=T["costs"] + f" ({T['median']})"),
                       Patch(color="#4f8f3a", alpha=0.75, label=T["benefits"] + f" ({T['median']})"),
                       Line2D([], [], color="#222", lw=2.2, label="P10–P90"),
                       Line2D([], [], marker="D", color="black", markerfacecolor="#ffd54f", lw=0,
                              label=T["point_marker"])], loc="lower right", fontsize=9)
    ax.set_title(LABELS[lang]["screen_a"].split("  ", 1)[-1], fontsize=12)
    return fig


def _fig_actors(rows: Sequence[tuple[str, float, float, float, float | None]], split: float | None,
                lang: str) -> Figure:
    """Balance per actor: P10-P90 bars, median ticks and P(balance >= 0)."""
    from matplotlib.ticker import FuncFormatter

    T = _text(lang)
    fig = _new_figure(11, 0.42 * len(rows) + 1.6)
    ax = fig.subplots()
    y = np.arange(len(rows))[::-1]
    for yi, (actor, p10, p50, p90, _p_ge) in zip(y, rows):
        colour = "#2b5d8a" if actor in ("gemeente", "total") else "#7fa7c9"
        ax.barh(yi, p90 - p10, left=p10, height=0.6, color=colour, alpha=0.85)
        ax.plot([p50, p50], [yi - 0.3, yi + 0.3], color="black", lw=2.2)
    ax.set_yticks(y, [ACTOR_LABELS[lang][r[0]] for r in rows], fontsize=10)
    for yi, row in zip(y, rows):
        ax.text(1.01, yi, f"P(≥ 0) = {_p(row[4])}", transform=ax.get_yaxis_transform(), va="center", fontsize=10)
    ax.axvline(0, color="#c62828", lw=1.5)
    ax.xaxis.set_major_formatter(FuncFormatter(_thousands(lang)))
    ax.set_xlabel(T["balance_axis"], fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(T["split_title"].format(p=_p(split)), fontsize=12)
    return fig


def _fig_cashflow(cum: Mapping[str, Array], point_cum: Mapping[str, Array | None],
                  point_marks: Mapping[str, tuple[float | None, float | None]], lang: str) -> Figure:
    """Cumulative programme balance: P10-P90 band, median, point estimate, payback and pre-financing."""
    from matplotlib.ticker import FuncFormatter

    T = _text(lang)
    fig = _new_figure(11, 4.8)
    axes = fig.subplots(1, len(cum), squeeze=False)[0]
    for ax, (label, c) in zip(axes, cum.items()):
        years = np.arange(1, c.shape[1] + 1)
        p10, p50, p90 = np.quantile(c, [0.1, 0.5, 0.9], axis=0)
        ax.fill_between(years, p10, p90, color="#7fa7c9", alpha=0.45,
                        label=T["band"].format(m=_count(c.shape[0], lang)))
        ax.plot(years, p50, color="#2b5d8a", lw=2.2, label=T["median"])
        pc = point_cum.get(label)
        if pc is not None:
            ax.plot(years, pc, color="black", lw=1.6, ls="--", label=T["point_marker"])
        ax.axhline(0, color="#555", lw=0.9)
        payback, prefin = point_marks.get(label, (None, None))
        if _finite(payback):
            ax.axvline(float(payback), color="#2e7d32", lw=1.6, ls="-.",
                       label=T["payback_mark"].format(y=int(payback)))
        elif label in point_marks:
            ax.plot([], [], lw=0, label=f"{T['not_paid_back'].format(years=c.shape[1])} ({T['point_marker']})")
        if _finite(prefin) and prefin and prefin > 0:
            ax.axhline(-float(prefin), color="#c62828", lw=1.4, ls=":",
                       label=T["prefin_mark"].format(v=_eur(prefin, lang)))
        median_payback = _median_payback(_payback_from_cumulative(c))
        ax.plot([], [], lw=0, label=T["payback_median"].format(
            y=T["year"].format(y=int(median_payback)) if _finite(median_payback)
            else T["never"].format(years=c.shape[1])))
        ax.set_xticks(years)
        ax.set_xlabel(T["prog_year"], fontsize=10)
        ax.set_ylabel(T["cum_axis"], fontsize=10)
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands(lang)))
        ax.set_title(T[label], fontsize=12)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    return fig


def _fig_tornado(df: pd.DataFrame, lang: str) -> Figure:
    """Tornado of the social ratio: the parameters with the largest swing, a line at 1."""
    T = _text(lang)
    top = df.sort_values("ratio_social_swing", ascending=False).head(TORNADO_TOP)
    fig = _new_figure(11, 0.38 * len(top) + 1.8)
    ax = fig.subplots()
    y = np.arange(len(top))[::-1]
    base = float(top["ratio_social_base"].iloc[0]) if len(top) else 1.0
    low = top["ratio_social_at_low"].to_numpy(dtype=float)
    high = top["ratio_social_at_high"].to_numpy(dtype=float)
    ax.barh(y, low - base, left=base, height=0.62, color="#2b5d8a", label=T["at_p10"])
    ax.barh(y, high - base, left=base, height=0.62, color="#d9822b", label=T["at_p90"])
    labels = [f"{r.parameter} ({r.knop})" if "knop" in top.columns else str(r.parameter) for r in top.itertuples()]
    ax.set_yticks(y, labels, fontsize=9.5)
    ax.axvline(1.0, color="#c62828", lw=1.8)
    ax.axvline(base, color="#555", lw=1.2, ls="--")
    ax.set_xlabel(T["ratio_axis"], fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=9, loc="lower right")
    ax.set_title(T["tornado_title"], fontsize=12)
    return fig


def _sobol_panels(outputs: Sequence[str]) -> list[str]:
    """Outputs shown in the Sobol' figure: the two ratios and the indicators present."""
    return [o for o in ("ratio_social", "ratio_gemeente", *INDICATORS) if o in outputs]


def _sobol_title(output: str, lang: str) -> str:
    """Panel title of a Sobol' output."""
    T = _text(lang)
    if output in INDICATORS:
        return T["indicator"].format(what=T[output])
    return LABELS[lang].get(output, output)


def _fig_sobol(ds: Any, factor_dim: str, lang: str) -> Figure:
    """S1 and ST per factor with their 95 % intervals, one panel per output."""
    T = _text(lang)
    panels = _sobol_panels([str(o) for o in ds["output"].values])
    factors = [str(f) for f in ds[factor_dim].values]
    k = min(len(factors), SOBOL_TOP)
    cols = 2 if len(panels) > 1 else 1
    rows = math.ceil(len(panels) / cols)
    fig = _new_figure(11, rows * (0.34 * k + 1.4))
    axes = fig.subplots(rows, cols, squeeze=False)
    for idx, ax in enumerate(axes.flat):
        if idx >= len(panels):
            ax.set_visible(False)
            continue
        sub = ds.sel(output=panels[idx])
        st = sub["ST"].values.astype(float)
        order = np.argsort(-np.nan_to_num(st, nan=-np.inf))[:k]
        y = np.arange(len(order))[::-1]
        s1, s1c = sub["S1"].values[order], sub["S1_conf"].values[order]
        stv, stc = st[order], sub["ST_conf"].values[order]
        ax.barh(y + 0.19, stv, height=0.38, xerr=stc, color="#2b5d8a", ecolor="#222", capsize=2.5, label="ST")
        ax.barh(y - 0.19, s1, height=0.38, xerr=s1c, color="#9cc3e4", ecolor="#222", capsize=2.5, label="S1")
        ax.set_yticks(y, [factors[i] for i in order], fontsize=9.5)
        ax.axvline(0, color="#555", lw=0.8)
        ax.set_xlim(min(0.0, float(np.nanmin(s1 - s1c))) - 0.02, max(0.1, float(np.nanmax(stv + stc))) * 1.08)
        ax.set_xlabel(T["sobol_axis"], fontsize=10)
        ax.set_title(_sobol_title(panels[idx], lang), fontsize=11)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(fontsize=9, loc="lower right")
    return fig


# -------------------------------------------------------------- statistics
def _count(n: int, lang: str) -> str:
    """A count with the language's thousands separator."""
    s = f"{n:,}"
    return s.replace(",", ".") if lang == "nl" else s


def _payback_from_cumulative(cum: Array) -> Array:
    """Payback year (1-based, NaN if never) from cumulative balances ``(n, years)``."""
    ok = cum >= 0.0
    first = np.argmax(ok, axis=1).astype(np.float64) + 1.0
    return np.where(ok.any(axis=1), first, np.nan)


def _median_payback(payback: Array) -> float:
    """Median payback year over all samples, "never" (NaN) counting as later
    than any year; NaN when more than half never pay back."""
    if payback.size == 0:
        return math.nan
    v = np.where(np.isnan(payback), np.inf, payback)
    med = float(np.quantile(v, 0.5, method="inverted_cdf"))
    return med if math.isfinite(med) else math.nan


def _stat(run: _Run, output: str, col: str) -> float | None:
    """A statistic of summary.csv, or None when absent or not finite."""
    if output in run.stats.index and col in run.stats.columns:
        v = run.stats.at[output, col]
        return float(v) if _finite(v) else None
    return None


# ------------------------------------------------------------------ report
@dataclass
class _Section:
    """One section of the report: anchor, title and HTML body."""
    anchor: str
    title: str
    body: str


@dataclass
class _Context:
    """Everything the sections share while a report is built."""
    lang: str
    root: Path
    art: Artefacts
    run: _Run
    scenario: Scenario | None
    notes: list[str]
    figures_dir: Path
    stage: Callable[[str], Path] = field(default=lambda name: Path(name))
    written: dict[str, bytes] = field(default_factory=dict)
    point: dict[str, Any] | None = None
    point_out: dict[str, Array] | None = None
    point_source: str = ""
    design: dict[str, Array] | None = None
    design_check: str = ""
    sobol: Any = None
    curves: list[_Curve] = field(default_factory=list)
    assumptions: list[dict[str, Any]] | None = None

    @property
    def T(self) -> dict[str, str]:
        """The texts of the report's language."""
        return _text(self.lang)

    def figure(self, name: str, fig: Figure, alt: str, caption: str) -> str:
        """Write ``figures/<name>`` and return it as an HTML figure with a data: URI."""
        data = _save(fig, self.stage(f"{self.figures_dir.name}/{name}"))
        self.written[name] = data
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        return (f'<figure><img src="{uri}" alt="{_e(alt)}" data-file="figures/{_e(name)}">'
                f"<figcaption>{caption}</figcaption></figure>")

    def not_computed(self, files: str, how: str) -> str:
        """A paragraph saying which files were not found and how to make them."""
        text = self.T["not_computed"].format(files=files, folder=self.root, how=how)
        return f'<p class="missing">{_e(text)}</p>'


def _prepare_point(ctx: _Context) -> None:
    """Point estimate: point.json when present, else the scenario at its point values."""
    T = ctx.T
    if ctx.art.point is not None:
        obj = _point_from_json(_read_json(ctx.art.point))
        if obj is not None:
            ctx.point = obj
            ctx.point_source = T["point_source_json"].format(file=ctx.art.point)
        else:
            ctx.notes.append(T["point_json_bad"].format(file=ctx.art.point))
    if ctx.scenario is not None:
        ctx.point_out = _evaluate_quiet(ctx.scenario, None, _all_outputs())
        if ctx.point is None:
            ctx.point = point_summary(ctx.point_out)
            ctx.point_source = T["point_source_scenario"].format(file=ctx.scenario.path)


def _all_outputs() -> list[str]:
    """Every model output name."""
    from ..model.core import ALL_OUTPUTS

    return list(ALL_OUTPUTS)


def _prepare_design(ctx: _Context) -> None:
    """Evaluate the run's first samples again and check that they reproduce samples.nc."""
    if ctx.scenario is None:
        return
    from ..model.core import PROGRAMME_OUTPUTS

    T = ctx.T
    wanted = [*PROGRAMME_OUTPUTS, "ratio_social", "balance", "cost_total", *POSTS]
    try:
        ctx.design = design_outputs(ctx.scenario, ctx.run.manifest, wanted)
    except (KeyError, TypeError, ValueError, MkbaError) as exc:
        ctx.notes.append(T["design_failed"].format(why=exc))
        return
    mine = ctx.design["ratio_social"]
    theirs = ctx.run.samples.get("ratio_social")
    if theirs is None:
        ctx.design_check = T["check_none"]
        return
    ref = theirs[:mine.size]
    same = np.array_equal(np.isnan(mine), np.isnan(ref)) and np.allclose(
        np.nan_to_num(mine), np.nan_to_num(ref), rtol=1e-9, atol=0.0)
    if same:
        ctx.design_check = T["check_ok"]
    else:
        with _quiet():
            diff = float(np.nanmax(np.abs(mine - ref)))
        ctx.design_check = T["check_bad"].format(diff=diff)
        ctx.notes.append(T["check_bad"].format(diff=diff))


def _balance_stats(ctx: _Context) -> tuple[float, float, float, float, float | None, str] | None:
    """P5, P50, P95 of the balance, the mean total cost, P(balance >= 0) and
    a remark on their source: the run's summary, else the first samples of
    its design evaluated again; None when neither is available."""
    run = ctx.run
    p5, p50, p95 = (_stat(run, "balance", c) for c in ("p5", "p50", "p95"))
    cost = _stat(run, "cost_total", "mean")
    if p5 is not None and p50 is not None and p95 is not None and cost is not None:
        return p5, p50, p95, cost, run.probs.get("balance_ge_0"), ""
    if ctx.design is None:
        return None
    b = ctx.design["balance"]
    q5, q50, q95 = (float(v) for v in np.quantile(b, [0.05, 0.5, 0.95]))
    source = " " + ctx.T["balance_from_design"].format(m=_count(b.size, ctx.lang))
    return q5, q50, q95, float(np.mean(ctx.design["cost_total"])), float(np.mean(b >= 0.0)), source


def _section_summary(ctx: _Context) -> _Section:
    """The text summary in the wording of the Dutch guidance."""
    T, lang, run = ctx.T, ctx.lang, ctx.run
    items: list[str] = [_e(T["together"]),
                        _e(T["headline_space"].format(space=_space_sentence(T, _run_space(run))))]
    balance = _balance_stats(ctx)
    if balance is not None:
        p5, p50, p95, cost, p_ge_0, source = balance
        verdict = classify_balance(p5, p95, cost)
        sentence = uncertainty_wording(p5, p95, cost, lang)
        items.append(f'<span class="verdict" data-verdict="{verdict}">{_e(sentence)}</span>')
        items.append(_fill(T["balance_range"], p5=_e(_eur(p5, lang)), p95=_e(_eur(p95, lang)),
                           p50=_e(_eur(p50, lang)), p=_key("p_balance_ge_0", _p(p_ge_0))) + _e(source))
    else:
        items.append(_e(T["no_balance"]))
    ps = run.probs.get("ratio_social_ge_1")
    pg = run.probs.get("ratio_gemeente_ge_1")
    items.append(_fill(T["p_ratios"], ps=_key("p_ratio_social_ge_1", _p(ps)),
                       pg=_key("p_ratio_gemeente_ge_1", _p(pg)) if pg is not None else _e(T["not_kept"])))
    pt = ctx.point
    if pt is not None:
        items.append(_fill(T["point_ratios"], rs=_key("ratio_social", _ratio(pt.get("ratio_social"), lang)),
                           rf=_key("ratio_financial", _ratio(pt.get("ratio_financial"), lang)),
                           rg=_key("ratio_gemeente", _ratio(pt.get("ratio_gemeente"), lang)),
                           bal=_e(_eur(pt.get("balance"), lang))))
    split = run.probs.get("split_incentive")
    items.append(_fill(T["split"], p=_key("p_split_incentive", _p(split)) if split is not None else _e(T["not_kept"])))
    years = ctx.scenario.structure.programme_years if ctx.scenario is not None else _programme_years(ctx)
    pay = run.samples.get("payback_year")
    if pay is None and ctx.design is not None:
        pay = _payback_from_cumulative(np.cumsum(ctx.design["cashflow_total"], axis=1))
    point_pay = pt.get("payback_year") if pt is not None else None
    if pt is None:
        pt_text = "–"
    elif _finite(point_pay):
        pt_text = _fill(T["paid_back"], y=_key("payback_year", str(int(point_pay))))
    else:
        pt_text = _e(T["not_paid_back"].format(years=years))
    if pay is not None:
        med = _median_payback(pay)
        med_text = _key("payback_year_median", T["year"].format(y=int(med))) if _finite(med) else _e(
            T["never"].format(years=years))
        pp = _key("p_payback", _p(float(np.mean(~np.isnan(pay)))))
    else:
        med_text, pp = _e(T["not_kept"]), "–"
    items.append(_fill(T["payback"], pt=pt_text, pm=med_text, pp=pp, years=_e(years)))
    pf_point = pt.get("prefinancing") if pt is not None else None
    items.append(_fill(T["prefin"], pt=_key("prefinancing", _eur(pf_point, lang)),
                       pm=_e(_eur(_stat(run, "prefinancing", "p50"), lang)),
                       p90=_e(_eur(_stat(run, "prefinancing", "p90"), lang))))
    if ctx.point_out is not None:
        gp = float(ctx.point_out["payback_year_gemeente"][0])
        items.append(_fill(T["gemeente_programme"],
                           pt=_e(T["paid_back"].format(y=int(gp)) if _finite(gp)
                                 else T["not_paid_back"].format(years=years)),
                           pf=_e(_eur(float(ctx.point_out["prefinancing_gemeente"][0]), lang))))
    if ctx.sobol is not None:
        ds, dim = ctx.sobol
        kind = T["knoppen"] if dim == "knop" else T["parameters"]
        for out_name, template in (("ratio_social", "top_knoppen"), ("ratio_gemeente", "top_knoppen_g")):
            if out_name in [str(o) for o in ds["output"].values]:
                sub = ds.sel(output=out_name)
                st = sub["ST"].values.astype(float)
                order = np.argsort(-np.nan_to_num(st, nan=-np.inf))[:3]
                names = [str(sub[dim].values[i]) for i in order]
                listed = ", ".join(f"{_key(f'top_{out_name}_{r + 1}', nm)} (ST {st[i]:.2f})"
                                   for r, (i, nm) in enumerate(zip(order, names)))
                items.append(_fill(T[template], kind=_e(kind), items=listed))
        items.append(_e(_space_sentence(T, ds.attrs.get("input_space"))))
        if ctx.assumptions:
            per = T["per_knop"] if dim == "knop" else T["per_parameter"]
            items.append(_fill(T["assumptions_summary"], k=_e(len(ctx.assumptions)), per=_e(per),
                               s=_key("assumption_st_sum_summary", f"{_assumption_total(ctx.assumptions):.2f}")))
    else:
        items.append(_e(T["no_sobol"]))
    items.extend(_curve_summary(ctx, c) for c in ctx.curves)
    body = '<ul class="summary">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
    return _Section("summary", T["summary"], body)


def _run_space(run: _Run) -> str:
    """The input space of a run (``run`` for runs made before it was recorded)."""
    return str(run.manifest.get("input_space") or "run")


def _fill(template: str, **values: str) -> str:
    """Escape a template, then insert already-escaped HTML values."""
    out = _e(template)
    for k, v in values.items():
        out = out.replace("{" + k + "}", v)
    return out


def _programme_years(ctx: _Context) -> int:
    """Programme length when the scenario is not available."""
    if ctx.design is not None:
        return int(ctx.design["cashflow_total"].shape[1])
    return 10


def calibrated_parameters(info: Mapping[str, Any]) -> list[str]:
    """Parameters whose default is calibrated to Bijlage 2 (their source says so)."""
    return [n for n, i in info.items() if "calibrated to bijlage 2" in str(getattr(i, "source", "")).lower()]


def _section_point(ctx: _Context) -> _Section:
    """Screens A and B of the point estimate, team size and programme."""
    T, lang, L = ctx.T, ctx.lang, LABELS[ctx.lang]
    s = ctx.point
    if s is None:
        return _Section("point", T["point"], f'<p class="missing">{_e(T["point_missing"])}</p>')

    def eur(k: str) -> str:
        return _e(_eur(s.get(k), lang))

    def val(k: str) -> float:
        v = s.get(k)
        return float(v) if _finite(v) else 0.0

    rows = [[f"<b>{_e(L['costs'])}</b>", ""], [_e(L["cost_total"]), eur("cost_total")]]
    rows += [[_e(L[k]), eur(k)] for k in COST_KEYS]
    benefit_row = len(rows) + 1
    rows += [[f"<b>{_e(L['benefits'])}</b>", ""], [_e(L["benefit_total"]), eur("benefit_total")],
             [_e(L["organisation"]), _e(_eur(val("benefit_new_for_old") + val("benefit_substitution"), lang))]]
    rows += [[_e(L[k]).replace("  ", "&nbsp;&nbsp;&nbsp;&nbsp;"), eur(k)]
             for k in ("benefit_new_for_old", "benefit_substitution", "benefit_effectiveness", "benefit_escalation")]
    rows.append([_e(L["immaterial"]), _e(_eur(sum(val(k) for k in ("benefit_children", "benefit_quality_of_life",
                                                                      "benefit_nuisance")), lang))])
    rows += [[_e(L[k]).replace("  ", "&nbsp;&nbsp;&nbsp;&nbsp;"), eur(k)]
             for k in ("benefit_children", "benefit_quality_of_life", "benefit_nuisance")]
    rows.append([_e(L["balance"]), eur("balance")])
    rows += [[_e(L[k]), _key(f"point_{k}", _ratio(s.get(k), lang))]
             for k in ("ratio_financial", "ratio_social", "ratio_gemeente")]
    if "ratio_gemeente_realised" in s:
        rows.append([_e(L["ratio_gemeente_realised"]), _e(_ratio(s.get("ratio_gemeente_realised"), lang))])
    bold = (1, benefit_row, rows.index([_e(L["balance"]), eur("balance")]))  # total costs, total benefits, balance
    screen_a = f"<div><h3>{_e(L['screen_a'])}</h3>" + _table(["", _e(L["ncw"])], rows, bold=bold) + "</div>"

    if ctx.point_out is not None:
        cols = budget_columns(ctx.point_out)
    else:
        actors = s.get("actors") or {}
        cols = {col: (sum(float(actors.get(a, {}).get("budget_year2_cost") or 0.0) for a in members),
                      sum(float(actors.get(a, {}).get("budget_year2_benefit") or 0.0) for a in members))
                for col, members in BUDGET_COLUMNS.items()}
    b_rows = [[_e(L["total_costs"]), *(_e(_eur(c, lang)) for c, _ in cols.values())],
              [_e(L["total_benefits"]), *(_e(_eur(b, lang)) for _, b in cols.values())],
              [_e(L["saldo"]), *(_e(_eur(b - c, lang)) for c, b in cols.values())]]
    screen_b = (f"<div><h3>{_e(L['screen_b'])}</h3>" + _table(["", *(_e(L[c]) for c in cols)], b_rows, bold=(2,))
                + f"<p>{_e(L['screen_b_note'])}</p></div>")
    lines = [f"<p>{_e(ctx.point_source)}</p>"]
    if ctx.scenario is not None:
        lines.append(f"<p>{_e(realisation_text(realisation_of(ctx.scenario.params), lang))}</p>")
        calibrated = calibrated_parameters(ctx.scenario.info)
        if calibrated:
            lines.append(f"<p>{_e(T['calibration'].format(names=', '.join(calibrated)))}</p>")
    if ctx.point_out is not None and ctx.scenario is not None:
        o = ctx.point_out
        fte = L["fte_line"].format(need=float(o["fte_need"][0]), team=float(o["team_fte"][0]))
        lines.append(f"<p>{_e(T['team_line'].format(line=fte))}</p>")
        st = ctx.scenario.structure

        def payback(v: float) -> str:
            return L["never"].format(years=st.programme_years) if not _finite(v) else f"{L['payback']} {int(v)}"

        lines.append("<p>" + _e(L["programme"].format(ramp=st.ramp_years, years=st.programme_years)) + ":<br>"
                     + _e(f"{L['total']}: {payback(float(o['payback_year'][0]))}; {L['prefinancing']} "
                          f"{_eur(float(o['prefinancing'][0]), lang)}") + "<br>"
                     + _e(f"{L['gemeente'].lower()}: {payback(float(o['payback_year_gemeente'][0]))}; "
                          f"{L['prefinancing']} {_eur(float(o['prefinancing_gemeente'][0]), lang)}") + "</p>")
    body = f'<div class="screens">{screen_a}{screen_b}</div>' + "".join(lines)
    return _Section("point", T["point"], body)


def _section_ratios(ctx: _Context) -> _Section:
    """Distribution of the ratios (and a check of P(>= 1) against samples.nc)."""
    T, run = ctx.T, ctx.run
    for key in ("ratio_social", "ratio_gemeente"):
        x = run.samples.get(key)
        listed = run.probs.get(f"{key}_ge_1")
        if x is not None and listed is not None:
            recomputed = float(np.count_nonzero(x >= 1.0)) / x.size
            if recomputed != listed:
                ctx.notes.append(T["prob_mismatch"].format(output=key, a=_p(listed), b=_p(recomputed)))
    nan = int(np.count_nonzero(np.isnan(run.samples["ratio_social"]))) if "ratio_social" in run.samples else 0
    caption = _e(T["ratios_caption"].format(n=_count(run.n, ctx.lang), nan=nan) + " "
                 + _space_sentence(T, _run_space(run)))
    body = ctx.figure("ratios.png", _fig_ratios(run, ctx.lang), T["ratios"], caption)
    return _Section("ratios", T["ratios"], body)


def _section_posts(ctx: _Context) -> _Section:
    """NCW posts from the run's statistics, or from its design when not kept."""
    T, run, lang = ctx.T, ctx.run, ctx.lang
    point = ctx.point or {}
    if all(p in run.stats.index for p in POSTS):
        rows = [(p, float(run.stats.at[p, "p10"]), float(run.stats.at[p, "p50"]), float(run.stats.at[p, "p90"]),
                 point.get(p)) for p in POSTS]
        caption = T["posts_caption_run"].format(n=_count(run.n, lang))
    elif ctx.design is not None:
        rows = []
        for p in POSTS:
            v = ctx.design[p]
            with _quiet():
                q10, q50, q90 = np.nanquantile(v, [0.1, 0.5, 0.9])
            rows.append((p, float(q10), float(q50), float(q90), point.get(p)))
        caption = T["posts_caption_design"].format(m=_count(ctx.design[POSTS[0]].size, lang))
    else:
        return _Section("posts", T["posts"], ctx.not_computed("cost_team … benefit_nuisance (summary.csv)",
                                                                "mkba-mc run SCENARIO --all-outputs --out DIR"))
    body = ctx.figure("posts.png", _fig_posts(rows, lang), T["posts"], _e(caption))
    return _Section("posts", T["posts"], body)


def _section_actors(ctx: _Context) -> _Section:
    """Balance per actor: figure and table."""
    T, run, lang = ctx.T, ctx.run, ctx.lang
    rows: list[tuple[str, float, float, float, float | None]] = []
    sources = [("total", "balance", "balance_ge_0"), ("gemeente", "balance_gemeente", "balance_gemeente_ge_0")]
    sources += [(a, f"actor_balance.{a}", f"actor_balance_ge_0.{a}") for a in ACTORS]
    for actor, stat_row, prob in sources:
        if stat_row in run.stats.index:
            rows.append((actor, *(float(run.stats.at[stat_row, c]) for c in ("p10", "p50", "p90")),
                         run.probs.get(prob)))
    if not rows:
        return _Section("actors", T["actors"], ctx.not_computed("actor_balance (summary.csv)",
                                                                  "mkba-mc run SCENARIO --out DIR"))
    split = run.probs.get("split_incentive")
    caption = _fill(T["actors_caption"], n=_e(_count(run.n, lang)),
                    split=_key("p_split_incentive_fig", _p(split)) if split is not None else _e(T["not_kept"]))
    body = ctx.figure("actors.png", _fig_actors(rows, split, lang), T["actors"], caption)
    table_rows = [[_e(ACTOR_LABELS[lang][a]), _e(_eur(p10, lang)), _e(_eur(p50, lang)), _e(_eur(p90, lang)),
                   _key(f"p_balance_ge_0.{a}", _p(pg))] for a, p10, p50, p90, pg in rows]
    body += _table([_e(T["actor"]), "P10", "P50", "P90", _e(T["p_ge_0"])], table_rows, bold=(0, 1))
    return _Section("actors", T["actors"], body)


def _section_cashflow(ctx: _Context) -> _Section:
    """Programme cash flow from the run's first samples."""
    T, lang = ctx.T, ctx.lang
    if ctx.design is None or ctx.scenario is None:
        return _Section("cashflow", T["cashflow"], f'<p class="missing">{_e(T["cashflow_missing"])}</p>')
    cum = {"total": np.cumsum(ctx.design["cashflow_total"], axis=1),
           "gemeente": np.cumsum(ctx.design["cashflow_gemeente"], axis=1)}
    point_cum: dict[str, Array | None] = {"total": None, "gemeente": None}
    marks: dict[str, tuple[float | None, float | None]] = {}
    if ctx.point_out is not None:
        o = ctx.point_out
        point_cum = {"total": np.cumsum(o["cashflow_total"][0]), "gemeente": np.cumsum(o["cashflow_gemeente"][0])}
        marks = {"total": (float(o["payback_year"][0]), float(o["prefinancing"][0])),
                 "gemeente": (float(o["payback_year_gemeente"][0]), float(o["prefinancing_gemeente"][0]))}
    m = cum["total"].shape[0]
    man = ctx.run.manifest
    caption = T["cashflow_caption"].format(ramp=ctx.scenario.structure.ramp_years, m=_count(m, lang),
                                           seed=man.get("seed"), sampler=man.get("sampler"), check=ctx.design_check)
    body = ctx.figure("cashflow.png", _fig_cashflow(cum, point_cum, marks, lang), T["cashflow"], _e(caption))
    return _Section("cashflow", T["cashflow"], body)


def _section_tornado(ctx: _Context) -> _Section:
    """Tornado figure and the switch values of every parameter."""
    T, lang = ctx.T, ctx.lang
    if ctx.art.tornado is None:
        return _Section("tornado", T["tornado"], ctx.not_computed("tornado.csv", "mkba-mc tornado SCENARIO --out DIR"))
    try:
        df = pd.read_csv(ctx.art.tornado)
    except (OSError, ValueError) as exc:
        raise OutputError(f"{ctx.art.tornado}: cannot read ({exc})") from exc
    need = {"parameter", "ratio_social_base", "ratio_social_at_low", "ratio_social_at_high", "ratio_social_swing"}
    if not need <= set(df.columns):
        raise OutputError(f"{ctx.art.tornado}: expected the columns {', '.join(sorted(need))} (mkba-mc tornado)")
    df = df.sort_values("ratio_social_swing", ascending=False, ignore_index=True)
    tman = (_read_json(ctx.art.tornado.parent / "manifest.json")
            if (ctx.art.tornado.parent / "manifest.json").is_file() else {})
    caption = _e(T["tornado_caption"].format(k=min(TORNADO_TOP, len(df)), total=len(df)) + " "
                 + _space_sentence(T, tman.get("input_space")))
    body = ctx.figure("tornado.png", _fig_tornado(df, lang), T["tornado"], caption)
    header = [T["parameter"], T["knop"], T["p10"], T["p90"], T["point_value"], T["ratio_range"], T["switch_social"]]
    has_g = "ratio_gemeente_switch" in df.columns
    if has_g:
        header.append(T["switch_gemeente"])
    rows = []
    for r in df.itertuples():
        row = [_e(r.parameter), _e(getattr(r, "knop", "")), _e(_num(getattr(r, "low", None))),
               _e(_num(getattr(r, "high", None))), _e(_num(getattr(r, "point", None))),
               _e(f"{_ratio(r.ratio_social_at_low, lang)} – {_ratio(r.ratio_social_at_high, lang)}"),
               _e(_num(getattr(r, "ratio_social_switch", None)))]
        if has_g:
            row.append(_e(_num(r.ratio_gemeente_switch)))
        rows.append(row)
    body += f"<h3>{_e(T['switch_table'])}</h3>" + _table([_e(h) for h in header], rows, left=2)
    return _Section("tornado", T["tornado"], body)


def _load_sobol(path: Path) -> tuple[Any, str]:
    """sobol.nc and the name of its factor dimension (knop or parameter)."""
    try:
        with open_netcdf(path) as ds:
            ds = ds.load()
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: cannot read ({exc})") from exc
    if not {"S1", "S1_conf", "ST", "ST_conf"} <= set(ds.data_vars) or "output" not in ds.dims:
        raise OutputError(f"{path}: expected variables S1, S1_conf, ST, ST_conf over output (mkba-mc sobol)")
    dims = [d for d in ds["ST"].dims if d != "output"]
    return ds, dims[0]


def _section_sobol(ctx: _Context) -> _Section:
    """Sobol' figure and the full table of indices."""
    T, lang = ctx.T, ctx.lang
    if ctx.sobol is None:
        return _Section("sobol", T["sobol"], ctx.not_computed("sobol.nc", "mkba-mc sobol SCENARIO --out DIR"))
    ds, dim = ctx.sobol
    factor = T["knop"] if dim == "knop" else T["parameter"]
    n_factors = int(ds.sizes[dim])
    top = T["sobol_top"].format(k=SOBOL_TOP, factor=factor) if n_factors > SOBOL_TOP else ""
    caption = _e(T["sobol_caption"].format(factor=factor, n=ds.attrs.get("n", "?"),
                                           evaluations=_count(int(ds.attrs.get("evaluations", 0)), lang), top=top)
                 + " " + _space_sentence(T, ds.attrs.get("input_space")))
    parts = []
    if _sobol_panels([str(o) for o in ds["output"].values]):
        parts.append(ctx.figure("sobol.png", _fig_sobol(ds, dim, lang), T["sobol"], caption))
    rows = []
    for o in ds["output"].values:
        sub = ds.sel(output=o)
        order = np.argsort(-np.nan_to_num(sub["ST"].values.astype(float), nan=-np.inf))
        for i in order:
            rows.append([_e(o), _e(sub[dim].values[i]), *(_e(f"{float(sub[v].values[i]):.3f}")
                                                          for v in ("S1", "S1_conf", "ST", "ST_conf"))])
    parts.append(f"<details><summary>{_e(T['sobol_table'])}</summary>"
                 + _table([_e(T["output"]), _e(factor), "S1", "± (95 %)", "ST", "± (95 %)"], rows, left=2)
                 + "</details>")
    return _Section("sobol", T["sobol"], "".join(parts))


def _section_breakeven(ctx: _Context) -> _Section:
    """Break-even per lever and the robustness table."""
    T, lang = ctx.T, ctx.lang
    folder = ctx.art.breakeven
    if folder is None:
        return _Section("breakeven", T["breakeven"],
                        ctx.not_computed("breakeven.csv + robustness.csv", "mkba-mc breakeven SCENARIO --out DIR"))
    try:
        summary = pd.read_csv(folder / "breakeven.csv")
        table = pd.read_csv(folder / "robustness.csv")
    except (OSError, ValueError) as exc:
        raise OutputError(f"{folder}: cannot read breakeven.csv / robustness.csv ({exc})") from exc
    man = _read_json(folder / "manifest.json") if (folder / "manifest.json").is_file() else {}
    rows = [[_e(r.lever), _e(f"{_num(r.low)} – {_num(r.high)}"), _e(_num(r.point)), _e(_p(r.p_at_point)),
             _e(_num(r.breakeven) if _finite(r.breakeven) else T["none_in_range"])] for r in summary.itertuples()]
    caption = (T["breakeven_caption"].format(n=_count(int(man.get("n", 0)), lang), seed=man.get("seed", "?"))
               + " " + _space_sentence(T, "breakeven"))
    body = f"<p>{_e(caption)}</p>"
    body += _table([_e(T[k]) for k in ("lever", "range", "point_value", "p_at_point", "breakeven_col")], rows)
    rrows = [[_e(r.lever), _e(_num(r.value)),
              _e(f"{_p(r.p_ratio_social_ge_1)} ± {_p(getattr(r, 'se_social', None))}"),
              _e(f"{_p(r.p_ratio_gemeente_ge_1)} ± {_p(getattr(r, 'se_gemeente', None))}")]
             for r in table.itertuples()]
    body += f"<p>{_e(T['robustness_caption'])}</p>"
    body += _table([_e(T[k]) for k in ("lever", "value", "p_social", "p_gemeente")], rrows)
    return _Section("breakeven", T["breakeven"], body)


# ------------------------------------------------------------ input spaces
def _space_sentence(T: Mapping[str, str], space: str | None, **values: str) -> str:
    """"Input space (<name>): <what it covers>." in the report's language."""
    key = "run" if space == "plan" else space
    if not key or f"space_{key}" not in T:
        return T["space"].format(name=space or "?", text=T["space_unknown"])
    return T["space"].format(name=space, text=T[f"space_{key}"].format(**values))


def _param_label(parameter: str, lang: str) -> str:
    """The name of a swept input in the report's language (the parameter name when it has none)."""
    return _text(lang).get(f"param_{parameter}", parameter)


def _value_text(parameter: str, v: Any, lang: str) -> str:
    """A value of a swept input: euros for the QALY value, a percentage for
    the discount rate, else a plain number."""
    if not _finite(v):
        return "–"
    if parameter == "qaly_value":
        return _eur(v, lang)
    if parameter == "discount_rate":
        return f"{100.0 * float(v):.4g} %"
    return _num(v)


# -------------------------------------------------------------- the curve
@dataclass
class _Curve:
    """An acceptability curve folder (``mkba-mc curve --out``)."""

    folder: Path
    parameter: str
    table: pd.DataFrame
    manifest: dict[str, Any]
    switch: dict[str, dict[str, float | None]]

    @property
    def values(self) -> Array:
        """The grid values."""
        return self.table["value"].to_numpy(dtype=float)

    def p(self, event: str) -> Array | None:
        """P(event) over the grid, or None when the curve lacks the event."""
        col = f"p_{event}"
        return self.table[col].to_numpy(dtype=float) if col in self.table.columns else None


def _load_curve(folder: Path) -> _Curve:
    """``curve.csv`` and ``manifest.json`` of a curve folder; the switch
    values are computed from the table (:func:`mkba_mc.sensitivity.curve.switch_values`)."""
    from ..sensitivity.curve import switch_values

    path = folder / "curve.csv"
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: cannot read ({exc})") from exc
    if "value" not in table.columns or "p_ratio_social_ge_1" not in table.columns or len(table) < 2:
        raise OutputError(f"{path}: expected the columns value and p_ratio_social_ge_1 over at least two grid "
                          "values (mkba-mc curve --out)")
    table = table.sort_values("value", ignore_index=True)
    manifest = _read_json(folder / "manifest.json") if (folder / "manifest.json").is_file() else {}
    parameter = str(manifest.get("parameter") or "value")
    switch = {c[2:]: switch_values(table["value"].to_numpy(float), table[c].to_numpy(float))
              for c in table.columns if c.startswith("p_")}
    return _Curve(folder, parameter, table, manifest, switch)


def _load_curves(ctx: _Context) -> None:
    """Every curve folder found, one per swept input (the first; a note for the others)."""
    seen: dict[str, _Curve] = {}
    for folder in ctx.art.curves:
        c = _load_curve(folder)
        if c.parameter in seen:
            ctx.notes.append(ctx.T["curve_duplicate"].format(param=c.parameter, used=seen[c.parameter].folder))
            continue
        seen[c.parameter] = c
    ctx.curves = list(seen.values())


def _headline_value(ctx: _Context, parameter: str) -> float | None:
    """The value of a swept input in the run's headline figures: the run's
    ``fixed_normative``, else the scenario's point value."""
    fixed = ctx.run.manifest.get("fixed_normative")
    if isinstance(fixed, Mapping) and _finite(fixed.get(parameter)):
        return float(fixed[parameter])
    if ctx.scenario is not None and _finite(ctx.scenario.params.get(parameter)):
        return float(ctx.scenario.params[parameter])
    return None


def _fig_curve(curve: _Curve, headline: float | None, lang: str) -> Figure:
    """P(B >= C) over the grid: society and municipality (left) with the
    50 %/80 % lines, switch values and the headline value; the other actors (right)."""
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    T = _text(lang)
    x = curve.values
    fig = _new_figure(11, 5.6)
    left, right = fig.subplots(1, 2, sharey=True)
    main = [("ratio_social_ge_1", T["society_line"], "#2b5d8a", "o"),
            ("ratio_gemeente_ge_1", T["gemeente_line"], "#d9822b", "s")]
    for event, who, colour, marker in main:
        p = curve.p(event)
        if p is None:
            continue
        left.plot(x, p, color=colour, lw=2.4, marker=marker, markersize=6, label=T[event])
        for level, style in (("0.5", (0, (1, 1.5))), ("0.8", (0, (3, 1.5, 1, 1.5)))):
            sw = curve.switch.get(event, {}).get(level)
            if sw is not None:
                left.axvline(sw, color=colour, lw=1.4, ls=style, label=T["switch_mark"].format(
                    who=who, level=f"{float(level):.0%}".replace("%", " %"),
                    v=_value_text(curve.parameter, sw, lang)))
    others = [a for a in OTHER_ACTORS if curve.p(f"actor_balance_ge_0.{a}") is not None]
    colours = ["#4f8f3a", "#8e44ad", "#c0504d", "#16a085", "#7f6a00", "#555555"]
    markers = ["o", "s", "^", "D", "v", "P"]
    for i, actor in enumerate(others):
        p = curve.p(f"actor_balance_ge_0.{actor}")
        assert p is not None
        label = ACTOR_LABELS[lang][actor]
        if np.nanmax(p) - np.nanmin(p) == 0:
            label = T["constant"].format(label=label, p=f"{100 * float(p[0]):.0f} %")
        right.plot(x, p, color=colours[i % len(colours)], lw=1.8, marker=markers[i % len(markers)],
                   markersize=5 + 1.5 * (len(others) - i) / max(1, len(others)), label=label, alpha=0.9)
    for ax, title in ((left, T["curve_left"]), (right, T["curve_right"])):
        for level in (0.5, 0.8):
            ax.axhline(level, color="#777", lw=1.0, ls="--", zorder=0)
        if headline is not None:
            ax.axvline(headline, color="#888", lw=2.0, alpha=0.6, zorder=0,
                       label=T["headline_mark"].format(v=_value_text(curve.parameter, headline, lang))
                       if ax is left else None)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xticks(x)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if curve.parameter == "qaly_value":
            ax.xaxis.set_major_formatter(FuncFormatter(_thousands(lang)))
            ax.set_xlabel(f"{_param_label(curve.parameter, lang)} (× € 1.000)" if lang == "nl"
                          else f"{_param_label(curve.parameter, lang)} (€ thousand)", fontsize=10)
        elif curve.parameter == "discount_rate":
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos=None: f"{100 * v:.3g}"))
            ax.set_xlabel(f"{_param_label(curve.parameter, lang)} (%)", fontsize=10)
        else:
            ax.set_xlabel(_param_label(curve.parameter, lang), fontsize=10)
        ax.tick_params(labelsize=8.5)
        ax.grid(alpha=0.3)
        ax.set_title(title, fontsize=11)
        # below the plot, so the legend never covers a curve
        ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1, frameon=False)
    left.set_ylabel(T["p_axis"], fontsize=10)
    for ax in (left, right):
        ax.text(1.0, 0.5, "50 %", transform=ax.get_yaxis_transform(), ha="right", va="bottom", fontsize=8,
                color="#555")
        ax.text(1.0, 0.8, "80 %", transform=ax.get_yaxis_transform(), ha="right", va="bottom", fontsize=8,
                color="#555")
    return fig


def _curve_cell(curve: _Curve, column: str, i: int, text: str) -> str:
    """A table cell of a curve value, marked with ``data-curve="<parameter>:<column>:<row>"``."""
    return f'<span data-curve="{_e(curve.parameter)}:{_e(column)}:{i}">{_e(text)}</span>'


def _switch_text(curve: _Curve, event: str, level: str, lang: str) -> str:
    """The switch value of an event at a level, or where the probability
    stays over the whole grid when it does not cross the level."""
    T = _text(lang)
    sw = curve.switch.get(event, {}).get(level)
    if sw is not None:
        return _value_text(curve.parameter, sw, lang)
    p = curve.p(event)
    pct = f"{100 * float(level):.0f} %"
    if p is not None and np.all(p > float(level)):
        return T["switch_above"].format(level=pct)
    if p is not None and np.all(p < float(level)):
        return T["switch_below"].format(level=pct)
    return T["switch_none"]


def _curve_body(ctx: _Context, curve: _Curve) -> str:
    """Intro, figure, table, switch values and the full table of one curve."""
    T, lang = ctx.T, ctx.lang
    param = _param_label(curve.parameter, lang)
    headline = _headline_value(ctx, curve.parameter)
    man = curve.manifest
    parts = []
    if curve.parameter in ("qaly_value", "discount_rate"):
        parts.append(f"<p>{_e(T['curve_intro'].format(headline=f'{param} {_value_text(curve.parameter, headline, lang)}'))}</p>")
    parts.append(f"<p>{_e(_space_sentence(T, 'curve', param=param))}</p>")
    caption = T["curve_caption"].format(param=param, k=len(curve.table), n=_count(int(man.get("n") or 0), lang),
                                        seed=man.get("seed", "?"), sampler=man.get("sampler", "?"))
    name = CURVE_FIGURE.format(parameter=re.sub(r"[^\w.-]+", "_", curve.parameter))
    parts.append(ctx.figure(name, _fig_curve(curve, headline, lang), T["curve"], _e(caption)))
    cols = [("p_ratio_social_ge_1", T["p_social"], _p), ("p_ratio_gemeente_ge_1", T["p_gemeente"], _p),
            ("p_balance_ge_0", T["p_balance"], _p),
            ("median_ratio_social", T["median_social"], lambda v: _ratio(v, lang)),
            ("median_ratio_gemeente", T["median_gemeente"], lambda v: _ratio(v, lang))]
    cols = [c for c in cols if c[0] in curve.table.columns]
    rows, bold = [], []
    for i, r in curve.table.iterrows():
        v = float(r["value"])
        if headline is not None and math.isclose(v, headline, rel_tol=1e-9, abs_tol=1e-12):
            bold.append(len(rows))
        rows.append([_curve_cell(curve, "value", int(i), _value_text(curve.parameter, v, lang)),
                     *(_curve_cell(curve, c, int(i), fmt(r[c])) for c, _, fmt in cols)])
    parts.append(f"<h3>{_e(T['curve_table'].format(param=param))}</h3>"
                 + _table([_e(param), *(_e(h) for _, h, _ in cols)], rows, bold=bold))
    events = [("ratio_social_ge_1", T["ratio_social_ge_1"]), ("ratio_gemeente_ge_1", T["ratio_gemeente_ge_1"]),
              *((f"actor_balance_ge_0.{a}", f"{ACTOR_LABELS[lang][a]}: {T['balance_ge_0']}") for a in OTHER_ACTORS)]
    srows = [[_e(label), *(_e(_switch_text(curve, event, level, lang)) for level in ("0.5", "0.8"))]
             for event, label in events if event in curve.switch]
    parts.append(f"<h3>{_e(T['curve_switch'])}</h3>"
                 + _table([_e(T["event"]), _e(T["switch_50"]), _e(T["switch_80"])], srows))
    pcols = [c for c in curve.table.columns if c.startswith("p_")]

    def head(c: str) -> str:
        e = c[2:]
        if e.startswith("actor_balance_ge_0."):
            return ACTOR_LABELS[lang].get(e.split(".", 1)[1], e)
        return T.get(e, e)

    frows = [[_e(_value_text(curve.parameter, float(r["value"]), lang)), *(_e(_p(r[c])) for c in pcols)]
             for _, r in curve.table.iterrows()]
    parts.append(f"<details><summary>{_e(T['curve_all'])}</summary>"
                 + _table([_e(param), *(_e(head(c)) for c in pcols)], frows) + "</details>")
    parts.append(f"<p>{_e(T['curve_source'].format(file=curve.folder / 'curve.csv'))}</p>")
    return "".join(parts)


def _section_curve(ctx: _Context) -> _Section:
    """Acceptability curves: one figure, table and switch values per swept valuation."""
    T = ctx.T
    if not ctx.curves:
        return _Section("curve", T["curve"], ctx.not_computed(
            "curve.csv", "mkba-mc curve SCENARIO --over qaly_value --out DIR"))
    return _Section("curve", T["curve"], "".join(_curve_body(ctx, c) for c in ctx.curves))


def _curve_summary(ctx: _Context, curve: _Curve) -> str:
    """One summary line of a curve: the range of P over the grid and the 80 % switch."""
    T, lang = ctx.T, ctx.lang
    ps, pg = curve.p("ratio_social_ge_1"), curve.p("ratio_gemeente_ge_1")
    x = curve.values
    return _fill(T["curve_summary"], param=_e(_param_label(curve.parameter, lang)),
                 lo=_e(_value_text(curve.parameter, x[0], lang)), hi=_e(_value_text(curve.parameter, x[-1], lang)),
                 p_lo=_e(_p(ps[0] if ps is not None else None)), p_hi=_e(_p(ps[-1] if ps is not None else None)),
                 s80=_e(_switch_text(curve, "ratio_social_ge_1", "0.8", lang)),
                 g_lo=_e(_p(pg[0] if pg is not None else None)), g_hi=_e(_p(pg[-1] if pg is not None else None)))


# ------------------------------------------------------------ assumptions
def _sobol_parameters(ds: Any, dim: str) -> dict[str, str]:
    """The sampled parameters of a Sobol' result and their factor (the
    parameter itself, or its knop from the ``groups`` attribute)."""
    if dim == "parameter":
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
    for name, factor in _sobol_parameters(ds, dim).items():
        evidence = evidence_of(sc.distributions.get(name))
        if not is_assumption(evidence):
            continue
        info = sc.info.get(name)
        rows.append({"name": name, "kind": sc.kind(name), "knop": info.knop if info is not None else factor,
                     "factor": factor, "evidence": evidence, "st": st.get(factor, math.nan),
                     "st_gemeente": stg.get(factor, math.nan)})
    rows.sort(key=lambda r: (-np.nan_to_num(r["st"], nan=-np.inf), r["name"]))
    return rows


def _assumption_total(rows: Sequence[Mapping[str, Any]]) -> float:
    """Sum of ST over the factors of ``rows`` (each knop once)."""
    per_factor = {r["factor"]: r["st"] for r in rows}
    return float(np.nansum(list(per_factor.values())))


def _prepare_assumptions(ctx: _Context) -> None:
    """The assumption rows of the Sobol' space (when Sobol' and the scenario are there)."""
    if ctx.sobol is not None and ctx.scenario is not None:
        ds, dim = ctx.sobol
        ctx.assumptions = assumption_rows(ctx.scenario, ds, dim)


def _section_assumptions(ctx: _Context) -> _Section:
    """Table of the assumption-based inputs of the Sobol' space with their ST, and the sum of ST."""
    T = ctx.T
    if ctx.sobol is None:
        return _Section("assumptions", T["assumptions"], ctx.not_computed("sobol.nc", "mkba-mc sobol SCENARIO --out DIR"))
    if ctx.assumptions is None:
        return _Section("assumptions", T["assumptions"], f'<p class="missing">{_e(T["assumptions_no_scenario"])}</p>')
    ds, dim = ctx.sobol
    rows = ctx.assumptions
    body = f"<p>{_e(T['assumptions_intro'])} {_e(_space_sentence(T, ds.attrs.get('input_space')))}</p>"
    if dim == "knop":
        body += f"<p>{_e(T['assumptions_knop'])}</p>"
    if not rows:
        return _Section("assumptions", T["assumptions"], body + f"<p>{_e(T['assumptions_none'])}</p>")
    total = _assumption_total(rows)
    k = len({r["factor"] for r in rows})
    template = T["assumptions_sum_knop"] if dim == "knop" else T["assumptions_sum"]
    body += "<p>" + _fill(template, k=_e(k), s=_key("assumption_st_sum", f"{total:.2f}")) + "</p>"
    has_g = any(_finite(r["st_gemeente"]) for r in rows)
    st_head = T["st_knop"] if dim == "knop" else "ST"
    header = [T["parameter"], T["kind"], T["knop"], st_head]
    if has_g:
        header.append(T["st_knop_gemeente"] if dim == "knop" else T["st_gemeente"])
    header.append(T["evidence"])
    trows = []
    for r in rows:
        row = [f'<span data-assumption="{_e(r["name"])}">{_e(r["name"])}</span>', _e(T.get(f"kind_{r['kind']}", r["kind"])),
               _e(r["knop"]), _e(f"{r['st']:.3f}" if _finite(r["st"]) else "–")]
        if has_g:
            row.append(_e(f"{r['st_gemeente']:.3f}" if _finite(r["st_gemeente"]) else "–"))
        row.append(f'<span class="ev">{_e(r["evidence"])}</span>')
        trows.append(row)
    body += _table([_e(h) for h in header], trows, left=3, also_left=(len(header) - 1,))
    return _Section("assumptions", T["assumptions"], body)


def _section_manifest(ctx: _Context) -> _Section:
    """The run's provenance and the files and settings of every analysis used."""
    T, m = ctx.T, ctx.run.manifest
    fields = [("scenario", m.get("scenario")), ("scenario_file", m.get("scenario_file")),
              ("overrides", ", ".join(m.get("overrides") or []) or "–"), ("seed", m.get("seed")),
              ("sampler", m.get("sampler")), ("n", m.get("n")), ("n_requested", m.get("n_requested")),
              ("discount_regime", m.get("discount_regime")), ("chunk_size", m.get("chunk_size")),
              ("workers", m.get("workers")), ("elapsed", m.get("elapsed_seconds")), ("created", m.get("created_utc")),
              ("sampled", len(m.get("sampled_parameters") or []))]
    rows = [[_e(T[k]), _e("–" if v is None else v)] for k, v in fields]
    rows.append([_e(T["command"]), f"<code>{_e(' '.join(str(w) for w in m.get('command') or []))}</code>"])
    body = f"<p>{_e(T['manifest_caption'])}</p>" + _table([_e(T["key"]), _e(T["val"])], rows, left=2)
    versions = m.get("versions") or {}
    body += f"<h3>{_e(T['versions'])}</h3>" + _table([_e(T["key"]), _e(T["val"])],
                                                      [[_e(k), _e(v)] for k, v in versions.items()], left=2)
    hashes = m.get("input_hashes") or {}
    body += f"<h3>{_e(T['hashes'])}</h3>" + _table([_e(T["file"]), _e(T["hash"])],
                                                    [[_e(k), f"<code>{_e(v)}</code>"] for k, v in hashes.items()],
                                                    left=2)
    used = [("run", ctx.art.run, m)]
    for kind in ("sobol", "tornado", "breakeven", "point"):
        path = getattr(ctx.art, kind)
        if path is None:
            continue
        folder = path if path.is_dir() else path.parent
        other = _read_json(folder / "manifest.json") if (folder / "manifest.json").is_file() else {}
        used.append((kind, path, other))
    used.extend(("curve", c.folder, c.manifest) for c in ctx.curves)
    arows = []
    for kind, path, man in used:
        settings = {k: man.get(k) for k in ("n", "seed", "group_by", "evaluations", "grid", "levers", "quantiles",
                                            "sampler", "parameter", "values", "input_space")
                    if man.get(k) is not None}
        arows.append([_e(kind), f"<code>{_e(path)}</code>", _e(json.dumps(settings, ensure_ascii=False)),
                      f"<code>{_e(' '.join(str(w) for w in man.get('command') or []))}</code>"])
    body += f"<h3>{_e(T['analyses'])}</h3>" + _table(
        [_e(T[k]) for k in ("analysis", "file", "settings", "command")], arows, left=4)
    return _Section("manifest", T["manifest"], body)


def _check_other_inputs(ctx: _Context) -> None:
    """Note analyses made with other input files than the run."""
    wanted = set(_hashes(ctx.run.manifest).values())
    folders = [(kind, getattr(ctx.art, kind)) for kind in ("sobol", "tornado", "breakeven")]
    folders += [("curve", c.folder) for c in ctx.curves]
    for kind, path in folders:
        if path is None or not wanted:
            continue
        folder = path if path.is_dir() else path.parent
        if (folder / "manifest.json").is_file():
            other = set(_hashes(_read_json(folder / "manifest.json")).values())
            if other and other != wanted:
                ctx.notes.append(ctx.T["other_inputs"].format(analysis=kind))


def _hashes(manifest: Mapping[str, Any]) -> dict[str, str]:
    """``input_hashes`` of a manifest as a dict (some writers store it as a
    JSON or Python-literal string); empty when absent or unreadable."""
    import ast

    h = manifest.get("input_hashes")
    if isinstance(h, str):
        for parse in (json.loads, ast.literal_eval):
            try:
                h = parse(h)
                break
            except (ValueError, SyntaxError):
                continue
    return {str(k): str(v) for k, v in h.items()} if isinstance(h, Mapping) else {}


def _render(ctx: _Context, sections: Sequence[_Section], title: str) -> str:
    """The whole HTML page."""
    T = ctx.T
    created = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    notes = ""
    if ctx.notes:
        notes = (f'<div class="notes"><b>{_e(T["notes"])}</b><ul>'
                 + "".join(f"<li>{_e(n)}</li>" for n in dict.fromkeys(ctx.notes)) + "</ul></div>")
    nav = " · ".join(f'<a href="#{s.anchor}">{_e(s.title)}</a>' for s in sections)
    body = "".join(f'<section id="{s.anchor}"><h2>{_e(s.title)}</h2>{s.body}</section>' for s in sections)
    return (f'<!DOCTYPE html>\n<html lang="{ctx.lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            f"<h1>{_e(title)}</h1>\n<p class=\"sub\">{_e(T['subtitle'].format(created=created))}</p>\n"
            f"<nav>{nav}</nav>\n{notes}\n{body}\n</main>\n<script>{_SCRIPT}</script>\n</body>\n</html>\n")


def build_report(folder: str | Path, lang: str = "nl") -> Path:
    """Build ``report.html`` (and ``figures/*.png``) from a results folder.

    Parameters
    ----------
    folder : str or Path
        Folder holding the output of ``mkba-mc run --out`` (``samples.nc``,
        ``summary.csv``, ``manifest.json``), directly or in an immediate
        subfolder, and optionally ``sobol.nc``, ``tornado.csv``,
        ``breakeven.csv`` + ``robustness.csv``, ``point.json`` and
        acceptability curves (folders with ``curve.csv``, one per swept
        input) likewise.
        Missing analyses get a section saying they were not computed.
    lang : {"nl", "en"}
        Language of the labels and the text (Dutch by default).

    Returns
    -------
    Path
        ``folder/report.html``: self-contained (inline CSS, figures as
        ``data:`` URIs), written atomically; the figures are also written
        to ``folder/figures/`` (``ratios.png``, ``posts.png``,
        ``actors.png``, ``cashflow.png``, ``tornado.png``, ``sobol.png``,
        ``curve_<parameter>.png``, as far as their inputs exist).

    Raises
    ------
    OutputError
        If ``folder`` is not a folder, holds no Monte Carlo run, or a result
        file cannot be read.
    ConfigError
        If ``lang`` is not ``"nl"`` or ``"en"``.

    Notes
    -----
    The scenario is loaded from the run's ``manifest.json``
    (``scenario_file`` with its ``overrides``) to compute the point estimate
    (when there is no ``point.json``) and the programme cash flow; the cash
    flow band uses the first ``min(n, 20 000)`` samples of the run's own
    design, evaluated again (the report says whether they reproduce
    ``samples.nc``).  When the scenario cannot be loaded those parts are
    marked as missing and the rest of the report is still built.  The same
    scenario, put in the Sobol' result's input space, gives the evidence of
    each sampled input for the table of inputs resting on assumptions
    (:func:`assumption_rows`).
    """
    T = _text(lang)
    art = find_artefacts(folder)
    root = art.folder
    if art.run is None:
        raise OutputError(f"{root}: no Monte Carlo run found; expected samples.nc, summary.csv and manifest.json "
                          "in this folder or one of its immediate subfolders (written by "
                          "'mkba-mc run SCENARIO --out DIR')")
    with hold_lock(root):  # one writer of the folder at a time (mkba_mc.io.output)
        remove_stale(root)  # temporaries of a killed report
        remove_stale(root / "figures")  # and of versions that staged figures there
        return _build_locked(T, art, root, lang)


def _build_locked(T: dict[str, str], art: Artefacts, root: Path, lang: str) -> Path:
    """:func:`build_report` under the folder's lock: every file is staged and
    renamed into place at the end, the HTML last, so a killed or failing
    report leaves the earlier report and figures, or the new ones."""
    assert art.run is not None
    run = _load_run(art.run)
    notes: list[str] = []
    for kind, paths in art.duplicates.items():
        notes.append(T["duplicate"].format(what=kind, used=paths[0]))
    scenario = _load_run_scenario(run, root, notes, T)
    figures_dir = root / "figures"
    with staged_files(root) as stage:
        ctx = _Context(lang, root, art, run, scenario, notes, figures_dir, stage)
        if art.sobol is not None:
            ctx.sobol = _load_sobol(art.sobol)
        _load_curves(ctx)
        _check_other_inputs(ctx)
        _prepare_point(ctx)
        _prepare_design(ctx)
        _prepare_assumptions(ctx)
        sections = [_section_summary(ctx), _section_point(ctx), _section_ratios(ctx), _section_posts(ctx),
                    _section_actors(ctx), _section_cashflow(ctx), _section_tornado(ctx), _section_sobol(ctx),
                    _section_assumptions(ctx), _section_curve(ctx), _section_breakeven(ctx),
                    _section_manifest(ctx)]
        name = run.manifest.get("scenario") or (scenario.name if scenario is not None else root.name)
        page = _render(ctx, sections, LABELS[lang]["title"].format(name=name))
        stage("report.html").write_text(page, encoding="utf-8")
    for stale in FIGURE_FILES:  # figures of an earlier report whose inputs are gone
        if stale not in ctx.written:
            (figures_dir / stale).unlink(missing_ok=True)
    for old in figures_dir.glob(CURVE_FIGURE.format(parameter="*")):
        if old.name not in ctx.written:
            old.unlink(missing_ok=True)
    return root / "report.html"

__all__ = [
    "ACTOR_LABELS",
    "Artefacts",
    "CURVE_FIGURE",
    "DESIGN_SAMPLES",
    "FIGURE_FILES",
    "POSTS",
    "VERDICTS",
    "assumption_rows",
    "build_report",
    "classify_balance",
    "design_outputs",
    "find_artefacts",
    "is_assumption",
    "uncertainty_wording",
]
