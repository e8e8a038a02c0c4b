"""File schemas (pydantic) for distribution and scenario files.

The schemas check structure and types only: unknown keys are rejected
(``extra="forbid"``), numbers must be finite, strings are not numbers.
Cross-field rules (domains, sums, required parameters) live in
:mod:`mkba_mc.io.loading`, which reports them together with the schema errors.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from ..errors import Problem

#: A finite float; ints are accepted, bools and strings are not.
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Text = Annotated[str, Strict(), Field(min_length=1)]

#: Lever groups ("knoppen") of the meta-analysis §5.1 plus financing,
#: caseload, attribution, prices and valuation (MODEL.md §7).
KNOPPEN: tuple[str, ...] = (
    "vindstrategie",
    "selectie",
    "diagnose_integraliteit",
    "inzet_netwerk",
    "voorkomen_terugval",
    "escalatie",
    "financiering",
    "caseload",
    "teamkosten",
    "attributie",
    "prijzen",
    "waardering",
    "doelgroep",
    "discontering",
)


#: The three kinds of input (reference/uncertainty.md §1): a fact nobody
#: controls, a municipal choice, a valuation choice.
KINDS: tuple[str, ...] = ("uncertainty", "lever", "normative")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ParameterEntry(_Strict):
    """One kengetal in a distribution file."""

    value: Number
    unit: Text
    source: Text
    knop: Literal[KNOPPEN]  # type: ignore[valid-type]
    kind: Literal[KINDS]  # type: ignore[valid-type]
    price_year: Annotated[int, Field(ge=1990, le=2100)] | None = None
    description: Text | None = None
    #: What ``run`` samples for an uncertainty (its mean is the point value).
    distribution: dict[str, Any] | None = None
    #: A lever's implementation uncertainty: the distribution of realised /
    #: planned effect (mean 1), multiplied by the plan's value in ``run``.
    implementation: dict[str, Any] | None = None
    #: A lever's or normative input's plausible range (the "which knob" space).
    range: dict[str, Any] | None = None


class PayerEntry(_Strict):
    """Payer-share vector of one post."""

    shares: dict[str, Number]
    source: Text


class ProfileEntry(_Strict):
    """Time profile of one benefit post over years 0..9."""

    weights: Annotated[list[Number], Field(min_length=1, max_length=10)]
    source: Text


class CorrelationEntry(_Strict):
    """Target Spearman rank correlations between sampled parameters."""

    parameters: Annotated[list[Text], Field(min_length=2)]
    matrix: list[list[Number]]
    source: Text | None = None


class DistributionMeta(_Strict):
    name: Text
    description: Text | None = None
    price_year: Annotated[int, Field(ge=1990, le=2100)] | None = None


class DistributionFile(_Strict):
    """A ``distributions/*.toml`` file (parameters are validated per entry)."""

    meta: DistributionMeta
    parameters: dict[str, Any] = {}
    payers: dict[str, PayerEntry] = {}
    time_profiles: dict[str, ProfileEntry] = {}
    correlation: CorrelationEntry | None = None
    #: Independent blocks of rank correlations, merged block-diagonally.
    correlations: list[CorrelationEntry] = []


class ScenarioMeta(_Strict):
    name: Text
    description: Text | None = None
    approach_type: Text | None = None
    sources: list[Text] | None = None
    discount_regime: Text | None = None
    distributions: list[Text] | None = None


class Programme(_Strict):
    ramp_years: Annotated[int, Field(ge=1, le=20)] = 4
    programme_years: Annotated[int, Field(ge=1, le=50)] = 10


class ScenarioFile(_Strict):
    """A ``scenarios/*.toml`` file (section contents are validated per key)."""

    scenario: ScenarioMeta
    programme: Programme = Programme()
    reach: dict[str, Any] = {}
    team: dict[str, Any] = {}
    financing: dict[str, Any] = {}
    effects: dict[str, Any] = {}
    prices: dict[str, Any] = {}
    payers: dict[str, dict[str, Number]] = {}
    time_profiles: dict[str, Annotated[list[Number], Field(min_length=1, max_length=10)]] = {}
    correlation: CorrelationEntry | None = None
    #: Per-parameter override of the kind declared in the distribution files.
    kinds: dict[str, Literal[KINDS]] = {}  # type: ignore[valid-type]


def _expected(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "no such key (unknown keys are rejected; check the spelling)"
    if kind == "missing":
        return "this key to be present"
    msg: str = err["msg"]
    return msg[0].lower() + msg[1:] if msg else kind


def problems_from(error: ValidationError, source: str, prefix: str = "") -> list[Problem]:
    """Turn a pydantic :class:`ValidationError` into :class:`Problem` items."""
    out = []
    for err in error.errors():
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        key = f"{prefix}.{loc}" if prefix and loc else (prefix or loc)
        value = "<missing>" if err["type"] == "missing" else err.get("input")
        out.append(Problem(source, key, value, _expected(err)))
    return out


__all__ = [
    "KINDS",
    "KNOPPEN",
    "CorrelationEntry",
    "DistributionFile",
    "ParameterEntry",
    "PayerEntry",
    "ProfileEntry",
    "ScenarioFile",
    "problems_from",
]
