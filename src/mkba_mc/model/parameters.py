"""The parameter registry: every model input of MODEL.md §3, its domain and
the scenario section it belongs to.

The registry is the single place that knows which names exist.  Files are
validated against it (unknown names are rejected, values outside the domain
are reported), and the model reads exactly these names.  Indexed parameters
use dots: ``escalation_rate.families``, ``severity_share.families.mv_nzr``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from .sets import ACTORS, MV, SEVERITIES, TYPES

#: Scenario sections, in the order a scenario file lists them.
SECTIONS: Final[tuple[str, ...]] = ("reach", "team", "financing", "effects", "prices")
#: Largest magnitude of any parameter value (1e15 euros is a thousand times
#: the Dutch GDP; 1e15 households many times the world's): beyond it the
#: model's products overflow and the results become infinite.
MAX_MAGNITUDE: Final[float] = 1e15


@dataclass(frozen=True)
class Domain:
    """Closed or half-open interval a parameter must lie in.

    Parameters
    ----------
    low, high : float
        Bounds; ``math.inf`` for none.
    low_open, high_open : bool
        Whether the bound itself is excluded.
    """

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False

    def contains(self, value: float) -> bool:
        """Return whether ``value`` is finite, of magnitude at most
        :data:`MAX_MAGNITUDE`, and inside the interval."""
        if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
            return False
        lo_ok = value > self.low if self.low_open else value >= self.low
        hi_ok = value < self.high if self.high_open else value <= self.high
        return lo_ok and hi_ok

    def describe(self) -> str:
        """Human-readable form such as ``[0, 1]`` or ``> 0``."""
        if self.high == math.inf:
            return f"{'>' if self.low_open else '>='} {_fmt(self.low)} (and <= {_fmt(MAX_MAGNITUDE)})"
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"a number in {left}{_fmt(self.low)}, {_fmt(self.high)}{right}"


def _fmt(x: float) -> str:
    return f"{x:g}"


SHARE = Domain(0.0, 1.0)
NONNEG = Domain(0.0)
POSITIVE = Domain(0.0, low_open=True)
SIGNED_SHARE = Domain(-1.0, 1.0)
RATE = Domain(0.0, 1.0, high_open=True)


@dataclass(frozen=True)
class ParameterSpec:
    """Static description of one model input.

    Parameters
    ----------
    name : str
        Dotted parameter name as used in files and ``--set``.
    section : str
        Scenario section the parameter belongs to (one of :data:`SECTIONS`).
    domain : Domain
        Allowed values.
    unit : str
        Unit of the value (``EUR`` entries also need a price year).
    required : bool
        ``True`` when every scenario must give it (reach and team); other
        parameters fall back to the defaults in ``distributions/``.
    sum_group : str or None
        Parameters sharing a group must sum to 1 (tolerance 1e-6).
    description : str
        One line in English.
    """

    name: str
    section: str
    domain: Domain
    unit: str
    required: bool = False
    sum_group: str | None = None
    description: str = ""

    @property
    def is_money(self) -> bool:
        """Whether the unit is a euro amount (needs a price year)."""
        return self.unit.startswith("EUR")


def _build() -> dict[str, ParameterSpec]:
    specs: list[ParameterSpec] = []

    def add(*args: object, **kw: object) -> None:
        specs.append(ParameterSpec(*args, **kw))  # type: ignore[arg-type]

    # --- A. reach -----------------------------------------------------
    add("households", "reach", POSITIVE, "households/year", required=True,
        description="households in the approach in one year")
    for t in TYPES:
        add(f"type_share.{t}", "reach", SHARE, "share", required=True, sum_group="type_share",
            description=f"share of {t} among the households")
        for s in SEVERITIES:
            add(f"severity_share.{t}.{s}", "reach", SHARE, "share", required=True,
                sum_group=f"severity_share.{t}", description=f"share of severity {s} among {t}")
    add("kids_per_family", "reach", NONNEG, "children/family", description="average number of children per family")
    for t in TYPES:
        add(f"debt_share.{t}", "reach", SHARE, "share", description=f"share of mv {t} with problematic debts")
        add(f"no_work_share.{t}", "reach", SHARE, "share", description=f"share of mv {t} without work")
        add(f"nuisance_share.{t}", "reach", SHARE, "share", description=f"share of mv {t} causing nuisance")
    for s in SEVERITIES:
        add(f"caseload.{s}", "reach", POSITIVE, "households/fte/year", description=f"caseload for severity {s}")
    add("client_hours_per_fte", "reach", POSITIVE, "hours/fte/year", description="client hours per fte per year")

    # --- B. costs (team) ----------------------------------------------
    add("team_fte", "team", POSITIVE, "fte", required=True,
        description='team size in fte (a scenario may write "from_caseload")')
    add("cost_per_fte", "team", POSITIVE, "EUR/fte/year", description="cost per fte incl. housing and overhead")
    add("other_team_costs", "team", NONNEG, "EUR/year", description="other yearly team costs")
    add("friction_share", "team", SHARE, "share of team cost", description="one-off friction cost as share of team cost")
    add("one_off_costs", "team", NONNEG, "EUR", description="other one-off costs")
    add("amortisation_years", "team", POSITIVE, "years", description="years over which one-off costs are spread")

    # --- financing ------------------------------------------------------
    add("additional_share_team", "financing", SHARE, "share", required=True,
        description="share of fte costs that is additional money (rest is new-for-old)")
    add("additional_share_other", "financing", SHARE, "share", description="share of other team costs that is additional")
    add("coordination_saving_per_household", "financing", NONNEG, "EUR/household",
        description="coordination saving per household in the approach")
    for a in ACTORS:
        add(f"realisation_share.{a}", "financing", SHARE, "share of financial benefits",
            description=f"share of the financial benefits of {a} that becomes budget (verzilvering; budget views only)")

    # --- C. effects -----------------------------------------------------
    add("newly_found_share", "effects", SHARE, "share", description="share of households that are newly found")
    add("new_care_fraction", "effects", NONNEG, "share of profile",
        description="share of its care profile a newly found household starts receiving")
    for t in TYPES:
        add(f"substitutable_share.{t}", "effects", SHARE, "share of profile",
            description=f"share of the care of {t} that can be substituted")
    add("substitution_new", "effects", SIGNED_SHARE, "share",
        description="substitution of substitutable care in newly found cases (negative = more care)")
    add("substitution_existing", "effects", SIGNED_SHARE, "share",
        description="substitution of substitutable care in existing cases (negative = more care)")
    add("to_work_rate", "effects", SHARE, "share", description="share of mv households without work that moves to work (gross)")
    add("debt_success_rate", "effects", SHARE, "share", description="share of mv households with debts that becomes stable (gross)")
    add("school_dropout_reduction", "effects", SHARE, "per child", description="prevented dropouts per child of mv families (gross)")
    add("first_line_reduction", "effects", SHARE, "share", description="share of mv households avoiding first-line care (gross)")
    add("second_line_reduction", "effects", SHARE, "share", description="share of mv households avoiding a second-line referral (gross)")
    add("effectiveness_multiplier", "effects", NONNEG, "factor", description="integrality of the team (1 = reference)")
    for t in TYPES:
        add(f"escalation_rate.{t}", "effects", SHARE, "share", description=f"share of {t} whose escalation is prevented (gross)")
    add("attribution", "effects", SHARE, "share", description="share of the gross effect attributable to the approach")
    add("relapse", "effects", SHARE, "share", description="share of achieved effects later lost")

    # --- D. prices and valuation ----------------------------------------
    for t in TYPES:
        for s in SEVERITIES:
            add(f"care_profile.{t}.{s}", "prices", NONNEG, "EUR/household/year",
                description=f"professional care used per year by {t}, severity {s}")
    add("benefit_saving_per_year", "prices", NONNEG, "EUR/person/year", description="benefits saved per person to work per year")
    add("income_gain_per_year", "prices", NONNEG, "EUR/person/year", description="own income gain of a person moving to work")
    add("work_years", "prices", Domain(0.0, 10.0, low_open=True), "years",
        description="years a move to work lasts (within the 10-year horizon)")
    add("first_line_cost", "prices", NONNEG, "EUR/case", description="first-line care avoided per case")
    add("second_line_cost", "prices", NONNEG, "EUR/case", description="second-line care avoided per referral")
    for t in TYPES:
        add(f"escalation_cost.{t}", "prices", NONNEG, "EUR/escalation", description=f"cost avoided per prevented escalation of {t}")
    add("qaly_value", "prices", NONNEG, "EUR/QALY", description="value of one quality-adjusted life year")
    add("qaly_per_debt_success", "prices", NONNEG, "QALY/household", description="QALYs gained per household made financially stable")
    add("qaly_per_work", "prices", NONNEG, "QALY/person", description="QALYs gained per person moving to work")
    add("qaly_per_escalation", "prices", NONNEG, "QALY/household", description="QALYs gained per prevented escalation")
    add("value_per_prevented_dropout", "prices", NONNEG, "EUR/dropout", description="value of a prevented school dropout (year 9)")
    add("nuisance_value", "prices", NONNEG, "EUR/household", description="value per prevented escalation of a nuisance-causing household")
    add("discount_rate", "prices", RATE, "per year", description="discount rate")
    return {s.name: s for s in specs}


#: All parameters by name.
PARAMETERS: Final[dict[str, ParameterSpec]] = _build()

#: Names of the sum-to-one groups and their members.
SUM_GROUPS: Final[dict[str, tuple[str, ...]]] = {}
for _spec in PARAMETERS.values():
    if _spec.sum_group:
        SUM_GROUPS.setdefault(_spec.sum_group, ())
        SUM_GROUPS[_spec.sum_group] += (_spec.name,)

#: Parameters every scenario must give.
REQUIRED: Final[tuple[str, ...]] = tuple(n for n, s in PARAMETERS.items() if s.required)

#: Relative tolerance for shares that must sum to one.
SUM_TOLERANCE: Final[float] = 1e-6

__all__ = [
    "Domain",
    "MV",
    "PARAMETERS",
    "REQUIRED",
    "SECTIONS",
    "SUM_GROUPS",
    "SUM_TOLERANCE",
    "ParameterSpec",
]
