"""Checking a scenario dict and ``--set`` overrides (the scenario file's schema layer).

:func:`check_scenario` validates the content of a scenario file and
returns its values as a :class:`CheckedScenario`, with every problem
found; :func:`mkba_mc.io.scenario_build.parse_scenario` merges it with the
defaults into a :class:`~mkba_mc.io.scenario.Scenario`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError

from ..errors import ConfigError, Problem
from ..model.discounting import REGIMES
from ..model.parameters import PARAMETERS, SECTIONS, SUM_GROUPS, SUM_TOLERANCE
from ..model.sets import ACTORS, HORIZON, PAYER_KEYS, PROFILE_POSTS
from .parameter_tables import parse_parameter_distribution
from .payers import PAYER_EXPECTED, check_profile, check_shares
from .schema import ScenarioFile, problems_from
from .toml import flatten, is_number, raw_table

FROM_CASELOAD = "from_caseload"
SET_SOURCE = "--set"


def parse_set(items: Sequence[str]) -> dict[str, Any]:
    """Parse ``--set key=value`` options (values are numbers, or
    ``from_caseload`` for ``team_fte``)."""
    problems = []
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key:
            problems.append(Problem(SET_SOURCE, item, item, "KEY=VALUE, for example attribution=0.4"))
            continue
        if raw == FROM_CASELOAD:
            out[key] = raw
            continue
        try:
            out[key] = float(raw)
        except ValueError:
            problems.append(Problem(SET_SOURCE, key, raw, "a number"))
    if problems:
        raise ConfigError(problems)
    return out


def check_value(source: str, key: str, name: str, value: Any) -> list[Problem]:
    spec = PARAMETERS[name]
    if name == "team_fte" and value == FROM_CASELOAD:
        return []
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        extra = f' or "{FROM_CASELOAD}"' if name == "team_fte" else ""
        return [Problem(source, key, value, f"a number{extra} ({spec.unit})")]
    if not spec.domain.contains(float(value)):
        return [Problem(source, key, value, f"{spec.domain.describe()} ({spec.unit})")]
    return []


@dataclass(frozen=True)
class CheckedScenario:
    """The content of a scenario dict after :func:`check_scenario`.

    Attributes
    ----------
    doc : ScenarioFile or None
        The schema-validated document (None when the schema failed).
    values : dict of str to (value, key)
        Each parameter's number or distribution, with the key it was given under.
    groups : dict of str to (members, alpha)
        The Dirichlet distribution of each share vector given one
        (:data:`~mkba_mc.model.parameters.SUM_GROUPS`).
    problems : list of Problem
        Every problem found.
    """

    doc: ScenarioFile | None
    values: dict[str, tuple[Any, str]] = field(default_factory=dict)
    groups: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def check_scenario(data: Mapping[str, Any], source: str) -> CheckedScenario:
    """Check a scenario dict: the document, the parameter values by name with
    the key they were given under, the Dirichlet groups and every problem found."""
    problems: list[Problem] = []
    groups: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {}
    try:
        doc = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from(exc, source))
        doc = None
    values: dict[str, tuple[Any, str]] = {}
    for section in SECTIONS:
        table = data.get(section, {})
        if not isinstance(table, dict):
            continue  # reported by the schema
        for name, value in flatten(table, "", lambda d: "dist" in d).items():
            key = f"{section}.{name}"
            spec = PARAMETERS.get(name)
            if spec is None and name in SUM_GROUPS and isinstance(value, dict):
                group, group_problems = _parse_dirichlet(name, value, source, key)
                problems.extend(group_problems)
                if group is not None:
                    for member, share in zip(group[0], np.asarray(group[1]) / sum(group[1])):
                        values[member] = (float(share), key)
                    groups[name] = group
                continue
            if spec is None and name.startswith("realisation_share."):
                problems.append(Problem(source, key, value, "realisation_share.<actor> with actor one of: "
                                        + ", ".join(ACTORS)))
                continue
            if spec is None:
                problems.append(Problem(source, key, value, f"a known parameter of [{section}] "
                                        f"({', '.join(sorted(n for n, s in PARAMETERS.items() if s.section == section and '.' not in n)[:12])}, ...)"))
                continue
            if spec.section != section:
                problems.append(Problem(source, key, value, f"this parameter under [{spec.section}], not [{section}]"))
                continue
            if isinstance(value, dict):
                if spec.sum_group is not None or name == "team_fte":
                    problems.append(Problem(source, key, value, "a fixed number (shares that must sum to 1 and the "
                                            "team size are design choices; vary them in separate scenarios)"))
                    continue
                dist, dist_problems = parse_parameter_distribution(value, source, key, name)
                problems.extend(dist_problems)
                if dist is not None:
                    values[name] = (dist, key)
                continue
            problems.extend(check_value(source, key, name, value))
            values[name] = (value, key)
    if doc is not None:
        payers, profiles, regime = doc.payers, doc.time_profiles, doc.scenario.discount_regime
    else:
        # The schema failed somewhere: still check the well-typed payer and
        # profile tables and the regime so every problem is reported at once.
        payers = {post: shares for post, shares in raw_table(data, "payers").items()
                  if isinstance(shares, dict) and all(is_number(v) for v in shares.values())}
        profiles = {post: weights for post, weights in raw_table(data, "time_profiles").items()
                    if isinstance(weights, list) and 1 <= len(weights) <= HORIZON + 1
                    and all(is_number(v) for v in weights)}
        raw_regime = raw_table(data, "scenario").get("discount_regime")
        regime = raw_regime if isinstance(raw_regime, str) and raw_regime else None
    for post, shares in payers.items():
        if post not in PAYER_KEYS:
            problems.append(Problem(source, f"payers.{post}", "<table>", PAYER_EXPECTED))
        else:
            problems.extend(check_shares(source, f"payers.{post}", shares, ACTORS, "actors"))
    for post, weights in profiles.items():
        if post not in PROFILE_POSTS:
            problems.append(Problem(source, f"time_profiles.{post}", "<list>", f"one of: {', '.join(PROFILE_POSTS)}"))
        else:
            problems.extend(check_profile(source, f"time_profiles.{post}", weights))
    if regime is not None and regime not in REGIMES:
        problems.append(Problem(source, "scenario.discount_regime", regime, f"one of: {', '.join(REGIMES)}"))
    if regime is not None and "discount_rate" in values:
        problems.append(Problem(source, "prices.discount_rate", values["discount_rate"][0],
                                "either scenario.discount_regime or prices.discount_rate, not both"))
    return CheckedScenario(doc, values, groups, problems)


def _parse_dirichlet(group: str, spec: Mapping[str, Any], source: str, key: str
                     ) -> tuple[tuple[tuple[str, ...], tuple[float, ...]] | None, list[Problem]]:
    """A Dirichlet distribution for a share vector that must sum to 1:
    ``{ dist = "dirichlet", alpha = { member = a, ... } }``; the point value
    of each share is its mean ``alpha_i / sum(alpha)``."""
    members = SUM_GROUPS[group]
    short = [m.rsplit(".", 1)[-1] for m in members]
    problems = []
    if spec.get("dist") != "dirichlet":
        return None, [Problem(source, f"{key}.dist", spec.get("dist"),
                              'dirichlet (a share vector that sums to 1 takes a Dirichlet distribution or fixed numbers)')]
    extra = sorted(set(spec) - {"dist", "alpha"})
    if extra:
        problems.append(Problem(source, f"{key}.{extra[0]}", spec[extra[0]], "only dist and alpha"))
    alpha = spec.get("alpha")
    if not isinstance(alpha, dict) or sorted(alpha) != sorted(short):
        problems.append(Problem(source, f"{key}.alpha", alpha, f"a table with a positive number for each of: {', '.join(short)}"))
        return None, problems
    values = []
    for s_name in short:
        a = alpha[s_name]
        if not is_number(a) or a <= 0:
            problems.append(Problem(source, f"{key}.alpha.{s_name}", a, "a positive number"))
        else:
            values.append(float(a))
    if problems:
        return None, problems
    return (tuple(members), tuple(values)), []


def check_sums(values: Mapping[str, float], where: Mapping[str, tuple[str, str]]) -> list[Problem]:
    problems = []
    for group, members in SUM_GROUPS.items():
        if not all(m in values for m in members):
            continue
        total = math.fsum(values[m] for m in members)
        if abs(total - 1.0) > SUM_TOLERANCE:
            source, key = where[members[0]]
            section_key = key.rsplit(".", 1)[0] if key.endswith(members[0].rsplit(".", 1)[-1]) else key
            shown = {m.rsplit(".", 1)[-1]: values[m] for m in members}
            problems.append(Problem(source, section_key, shown, f"shares that sum to 1 (they sum to {total:.6g})"))
    return problems
