"""Index sets of the MKBA model (MODEL.md §2) and the labels that go with them.

The household typology and the severity classes follow the meta-analysis
("Meta analyse MKBA's sociale (wijk)teams", LPBL for BZK, January 2014,
§2.2): three household types and four severity classes, from "no or a single
problem" to "top / intramural".  The actors are the payers and receivers of
the cost and benefit posts (§4.5 and Bijlage 2, screen B).
"""

from __future__ import annotations

from typing import Final

#: Household types ``t`` (gezinnen, ouderen, overige huishoudens).
TYPES: Final[tuple[str, ...]] = ("families", "elderly", "other")

#: Severity classes ``s`` (meta-analyse §2.2): ev = none or single problem,
#: mv_zr = multiple and self-reliant, mv_nzr = multiple and not self-reliant,
#: top = top / intramural (MPG).
SEVERITIES: Final[tuple[str, ...]] = ("ev", "mv_zr", "mv_nzr", "top")

#: The multi-problem severities ("mv" in MODEL.md).
MV: Final[tuple[str, ...]] = ("mv_zr", "mv_nzr", "top")

#: Years of effect, 0 .. H with H = 9; long-term effects sit in year 9
#: (meta-analyse §4.4).
HORIZON: Final[int] = 9
YEARS: Final[tuple[int, ...]] = tuple(range(HORIZON + 1))

#: Actors that pay costs or receive benefits.  The four ``gemeente_*``
#: actors together are "gemeente" (the municipality).
ACTORS: Final[tuple[str, ...]] = (
    "gemeente_werk_inkomen",
    "gemeente_wmo_welzijn",
    "gemeente_jeugd",
    "gemeente_overig",
    "zorgverzekeraar",
    "rijk_wlz",
    "corporatie",
    "huishoudens",
    "overig",
)
GEMEENTE_ACTORS: Final[tuple[str, ...]] = ACTORS[:4]

#: Budget columns of screen B of the LPBL tool (Bijlage 2): which actors
#: fall under each printed column.
BUDGET_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "gemeente": GEMEENTE_ACTORS,
    "zorgverzekeraar": ("zorgverzekeraar",),
    "huishoudens": ("huishoudens",),
    "overige_partijen": ("rijk_wlz", "corporatie", "overig"),
}

#: Posts whose financier depends on who is helped (meta-analyse §4.5: youth
#: care, shelter and debt help are municipal for families after the
#: decentralisations; care for non-self-reliant elderly stays with insurers
#: and the Wlz).  Each carries one payer vector per household type, written
#: ``<post>.<type>`` (``substitution.elderly``); a file that gives one vector
#: ``<post>`` applies it to every type.
TYPED_PAYER_POSTS: Final[tuple[str, ...]] = (
    "newly_found",
    "extra_care",
    "substitution",
    "work_benefit",
    "work_income",
    "first_line",
    "second_line",
    "escalation",
)


def _typed(post: str) -> tuple[str, ...]:
    return tuple(f"{post}.{t}" for t in TYPES)


#: Cost posts (all fall in year 0 of a cohort).  ``extra_care`` is the care
#: added where substitution is negative (more trajectories than taken over,
#: Tabel 4.5; booked as a cost as in §4.2 and Figuur 4.3), in newly found
#: and known households together.
COST_POSTS: Final[tuple[str, ...]] = ("team", "one_off", *_typed("newly_found"), *_typed("extra_care"))

#: Financial benefit posts that are split over actors.
FINANCIAL_POSTS: Final[tuple[str, ...]] = (
    "new_for_old",
    *_typed("substitution"),
    *_typed("work_benefit"),
    *_typed("work_income"),
    *_typed("first_line"),
    *_typed("second_line"),
    *_typed("escalation"),
)

#: Immaterial benefit posts (not in the financial ratio, not in screen B).
IMMATERIAL_POSTS: Final[tuple[str, ...]] = ("children", "quality_of_life", "nuisance")

#: Every post that carries a payer-share vector.
PAYER_POSTS: Final[tuple[str, ...]] = COST_POSTS + FINANCIAL_POSTS + IMMATERIAL_POSTS

#: Names a file may use for a payer vector: every post, plus the bare name of
#: a typed post (one vector for every household type).
PAYER_KEYS: Final[tuple[str, ...]] = PAYER_POSTS + TYPED_PAYER_POSTS

#: Benefit posts with a time profile given in the files (work is derived
#: from ``work_years``; quality of life and nuisance follow the profiles of
#: the effects they come from).
PROFILE_POSTS: Final[tuple[str, ...]] = (
    "new_for_old",
    "substitution",
    "first_line",
    "second_line",
    "debt",
    "escalation",
    "children",
)
