"""The sentences of the HTML report, Dutch and English.

The wording follows what the Dutch MKBA guidance asks of an uncertainty
analysis (the base case and every sensitivity shown together, the
conclusion worded after the spread of the balance); short names of posts,
actors and screens are in :mod:`mkba_mc.report.labels`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..errors import ConfigError, Problem

#: The report's texts per language: ``{lang: {key: template}}``.
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
        "no_balance": ("De run bewaarde saldo en kosten niet: geen conclusie over baten en kosten (mkba-mc run zonder "
                "--output bewaart ze)."),
        "no_sobol": "Sobol-indices zijn niet berekend; de belangrijkste knoppen zijn dus niet bepaald.",
        "not_kept": "niet bewaard in de run",
        "point": "Puntschatting (basisvariant)",
        "point_source_json": "Bron: de puntschatting die bij de run is opgeslagen (basisvariant, zonder trekkingen).",
        "calibration": ("Kalibratie: de standaardkengetallen zijn gekalibreerd op het rekenvoorbeeld van Bijlage 2 "
                        "(meta-analyse 2014); dat voorbeeld nadoen is een consistentiecontrole, geen validatie. "
                        "Gekalibreerd op Bijlage 2: {names}."),
        "point_json_bad": "{file} is geen uitvoer van mkba-mc point --json en is niet gebruikt.",
        "point_missing": ("Niet berekend: de puntschatting zit niet in deze resultatenmap (zie de technische bijlage); "
                "het rapport rekent het model niet zelf door."),
        "programme_line": "Programma (opbouw over {ramp} jaar, {years} jaar)",
        "ratios": "Verdeling van de K-B-verhoudingen",
        "ratios_caption": "Histogram (boven) en cumulatieve verdeling (onder) van de maatschappelijke en de "
                          "gemeentelijke K-B-verhouding over alle {n} trekkingen van de run; de rode lijn ligt bij 1. "
                          "P(≥ 1) komt uit de samenvatting van de run en is gelijk aan het aandeel in de trekkingen. "
                          "Niet-gedefinieerde verhoudingen (kosten ≤ 0; {nan} trekkingen) tellen als niet ≥ 1. "
                          "Het histogram toont P0,5–P99,5.",
        "posts": "NCW per post",
        "posts_caption_run": "Mediaan (staaf) en P10–P90 (lijn) van elke post over alle {n} trekkingen van de run"
                             "; de ruit is de puntschatting.",
        "actors": "Saldo per actor",
        "actors_caption": "P10–P90 (balk) en mediaan (streep) van het saldo (NCW baten min kosten) per actor en voor "
                          "de gemeente als geheel, over alle {n} trekkingen; rechts P(saldo ≥ 0). "
                          "Gesplitste prikkel (maatschappij wint, gemeente verliest): {split}.",
        "actor": "Actor", "p_ge_0": "P(saldo ≥ 0)", "no_flows": "geen stromen",
        "cashflow": "Programma: kasstroom over de jaren",
        "cashflow_caption": ("Cumulatief saldo van het programma (een cohort per jaar, opbouw over {ramp} jaar), totaal en "
                "gemeente. De band (P10–P90) en de mediaan per jaar komen uit de trekkingen van de run ({m} "
                "trekkingen, seed {seed}, {sampler}); gemarkeerd zijn het terugverdienjaar en de voorfinanciering van "
                "de puntschatting en het mediane terugverdienjaar van de run."),
        "cashflow_missing": ("Niet berekend: de run bevat geen kasstroom van het programma (zie de technische "
                "bijlage)."),
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
        "not_computed": ("Niet berekend: {what} zit niet in deze resultatenmap (de technische bijlage zegt hoe "
                         "het te maken)."),
        "no_scenario_file": "manifest.json noemt geen scenario_file", "file_not_found": "bestand niet gevonden",
        "scenario_missing": ("Het scenariobestand van de run ({file}) is niet gevonden of niet te laden ({why}); de verzilvering, "
                "de kalibratie en de tabel van aannames ontbreken daardoor."),
        "hash_mismatch": ("De invoerbestanden verschillen van die van de run ({what}); wat het rapport uit het scenario leest "
                "(verzilvering, aannames) past mogelijk niet bij samples.nc."),
        "other_inputs": "De {analysis} is gemaakt met andere invoerbestanden dan de run (andere SHA-256).",
        "duplicate": "Meerdere {what} gevonden; gebruikt: {used}.", "left_out": "Niet gebruikt (ander scenario of andere invoer): {folders}.",
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
        "ratio_financial_ge_1": "financiële K-B-verhouding ≥ 1", "split_incentive": "maatschappij wint, gemeente verliest",
        "parameter": "parameter", "knop": "knop", "p10": "P10", "p90": "P90", "switch_social": "omslagpunt (maatsch.)",
        "switch_gemeente": "omslagpunt (gemeente)", "ratio_range": "maatsch. K-B bij P10–P90", "none": "–",
        "output": "uitkomst", "seed": "seed", "sampler": "sampler", "n": "n (trekkingen)",
        "n_requested": "n gevraagd", "created": "gemaakt (UTC)", "scenario": "scenario", "scenario_file":
        "scenariobestand", "overrides": "overschreven waarden (--set)", "discount_regime": "discontoregime",
        "elapsed": "rekentijd (s)", "chunk_size": "chunkgrootte", "workers": "workers",
        "sampled": "getrokken parameters", "team_line": "Formatie: {line}",
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
                             "in plaats van een bron. De onderbouwing is die "
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
        "evidence": "onderbouwing (bronnotitie, in het Engels)", "assumption_word": "aanname", "kind": "soort", "st_knop": "ST (knop)", "st_gemeente": "ST gemeente",
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
        "no_balance": ("The run kept neither balance nor costs: no conclusion on benefits and costs (mkba-mc run without "
                "--output keeps them)."),
        "no_sobol": "Sobol indices were not computed, so the most important knoppen are not determined.",
        "not_kept": "not kept in the run",
        "point": "Point estimate (base case)",
        "point_source_json": "Source: the point estimate stored with the run (base case, no sampling).",
        "calibration": ("Calibration: the default kengetallen are calibrated to the worked example of Bijlage 2 "
                        "(meta-analysis 2014); matching that example is a consistency check, not a validation. "
                        "Calibrated to Bijlage 2: {names}."),
        "point_json_bad": "{file} is not output of mkba-mc point --json and was not used.",
        "point_missing": ("Not computed: the point estimate is not in this results folder (see the technical appendix); "
                "the report does not evaluate the model itself."),
        "programme_line": "Programme (build-up over {ramp} years, {years} years)",
        "ratios": "Distribution of the cost-benefit ratios",
        "ratios_caption": "Histogram (top) and cumulative distribution (bottom) of the social and the municipal "
                          "cost-benefit ratio over all {n} samples of the run; the red line is at 1. P(≥ 1) is read "
                          "from the run's summary and equals the share in the samples. Undefined ratios (costs ≤ 0; {nan} "
                          "samples) count as not ≥ 1. The histogram shows P0.5–P99.5.",
        "posts": "NPV per post",
        "posts_caption_run": "Median (bar) and P10–P90 (line) of every post over all {n} samples of the run"
                             "; the diamond is the point estimate.",
        "actors": "Balance per actor",
        "actors_caption": "P10–P90 (bar) and median (tick) of the balance (NPV benefits minus costs) per actor and "
                          "for the municipality as a whole, over all {n} samples; at the right P(balance ≥ 0). "
                          "Split incentive (society gains, municipality loses): {split}.",
        "actor": "Actor", "p_ge_0": "P(balance ≥ 0)", "no_flows": "no flows",
        "cashflow": "Programme: cash flow over the years",
        "cashflow_caption": ("Cumulative balance of the programme (one cohort a year, build-up over {ramp} years), in total and "
                "for the municipality. The band (P10–P90) and the median per year are read from the run's samples "
                "({m} samples, seed {seed}, {sampler}); marked are the payback year and the "
                "pre-financing need of the point estimate and the median payback year of the run."),
        "cashflow_missing": ("Not computed: the run holds no programme cash flow (see the technical "
                "appendix)."),
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
        "not_computed": ("Not computed: {what} is not in this results folder (the technical appendix says how to "
                         "make it)."),
        "no_scenario_file": "manifest.json names no scenario_file", "file_not_found": "file not found",
        "scenario_missing": ("The run's scenario file ({file}) was not found or cannot be loaded ({why}); the realisation, the "
                "calibration note and the table of assumptions are therefore missing."),
        "hash_mismatch": ("The input files differ from the run's ({what}); what the report reads from the scenario "
                "(realisation, assumptions) may not match samples.nc."),
        "other_inputs": "The {analysis} was made with other input files than the run (different SHA-256).",
        "duplicate": "Several {what} found; used: {used}.", "left_out": "Not used (another scenario or other inputs): {folders}.",
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
        "ratio_financial_ge_1": "financial cost-benefit ratio ≥ 1", "split_incentive": "society gains, municipality loses",
        "parameter": "parameter", "knop": "knop", "p10": "P10", "p90": "P90", "switch_social": "switch (social)",
        "switch_gemeente": "switch (municipal)", "ratio_range": "social ratio at P10–P90", "none": "–",
        "output": "output", "seed": "seed", "sampler": "sampler", "n": "n (samples)",
        "n_requested": "n requested", "created": "created (UTC)", "scenario": "scenario", "scenario_file":
        "scenario file", "overrides": "overridden values (--set)", "discount_regime": "discount regime",
        "elapsed": "run time (s)", "chunk_size": "chunk size", "workers": "workers",
        "sampled": "sampled parameters", "team_line": "Team size: {line}",
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
        "evidence": "evidence", "assumption_word": "assumption", "kind": "kind", "st_knop": "ST (knop)", "st_gemeente": "ST municipal",
        "st_knop_gemeente": "ST municipal (knop)",
        "kind_uncertainty": "uncertainty", "kind_lever": "lever", "kind_normative": "normative",
    },
}


def texts(lang: str) -> dict[str, str]:
    """The report's texts in ``lang``; a ConfigError for an unknown language."""
    if lang not in TEXT:
        raise ConfigError([Problem("--lang", "lang", lang, "nl or en")])
    return TEXT[lang]


def param_label(parameter: str, lang: str) -> str:
    """The name of a swept input in the report's language: the report's short
    name (``QALY-waarde``), else the label of the parameter table
    (:func:`mkba_mc.report.labels.param_label`)."""
    from .labels import param_label as table_label

    return texts(lang).get(f"param_{parameter}") or table_label(parameter, lang)


def space_sentence(T: Mapping[str, str], space: str | None, **values: str) -> str:
    """"Input space (<name>): <what it covers>." in the report's language."""
    key = "run" if space == "plan" else space
    if not key or f"space_{key}" not in T:
        return T["space"].format(name=space or "?", text=T["space_unknown"])
    return T["space"].format(name=space, text=T[f"space_{key}"].format(**values))


def space_text(space: str, lang: str) -> str:
    """What the input space ``space`` covers, in ``lang`` (the name itself when unknown)."""
    key = "run" if space == "plan" else space
    return TEXT[lang].get(f"space_{key}", space) if key != "curve" else space


__all__ = ["TEXT", "param_label", "space_sentence", "space_text", "texts"]
