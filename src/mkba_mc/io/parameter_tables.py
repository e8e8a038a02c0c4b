"""A parameter's distribution tables: ``distribution``, ``implementation``, ``range``.

Each table is a distribution spec (parsed by
:func:`mkba_mc.uncertainty.distributions.parse_distribution`) with its
``evidence`` text; which tables a parameter may have depends on its kind
(reference/uncertainty.md §1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, Problem
from ..model.parameters import PARAMETERS

if TYPE_CHECKING:
    from ..uncertainty.distributions import Distribution

def parse_parameter_distribution(spec: Mapping[str, Any], source: str, key: str,
                                 name: str) -> tuple[Distribution | None, list[Problem]]:
    """Check a distribution table for parameter ``name``: the spec itself
    (via :func:`mkba_mc.uncertainty.distributions.parse_distribution`) and that its support
    lies inside the parameter's domain."""
    from ..uncertainty.distributions import parse_distribution

    spec_in = spec
    spec, evidence_problems = split_evidence(spec, source, key)
    try:
        dist = parse_distribution(spec, source, key)
    except ConfigError as exc:
        return None, evidence_problems + list(exc.problems)
    if evidence_problems:
        return None, evidence_problems
    object.__setattr__(dist, "_evidence", spec_evidence(spec_in))
    dom = PARAMETERS[name].domain
    lo, hi = dist.support()
    inside_lo = lo > dom.low if dom.low_open else lo >= dom.low
    inside_hi = hi < dom.high if dom.high_open else hi <= dom.high
    if not (inside_lo and inside_hi):
        return None, [Problem(source, key, dict(spec),
                              f"a distribution whose support [{lo:g}, {hi:g}] lies inside the domain of {name}: "
                              f"{dom.describe()} (use a bounded or truncated distribution)")]
    return dist, []


EVIDENCE_EXPECTED = ('an evidence text: a citation (a table or section of the meta-analysis, a row of '
                     'reference/kengetallen.md, another named public source) or "assumption: <one-line reason>"')


def split_evidence(spec: Mapping[str, Any], source: str, key: str) -> tuple[dict[str, Any], list[Problem]]:
    """Take the ``evidence`` text out of a distribution table.

    Every range carries its evidence (reference/uncertainty.md §2-3): a
    missing or empty ``evidence`` is a problem.
    """
    if not isinstance(spec, Mapping):
        return spec, []  # type: ignore[return-value]
    rest = {k: v for k, v in spec.items() if k != "evidence"}
    ev = spec.get("evidence")
    if not isinstance(ev, str) or not ev.strip():
        return rest, [Problem(source, f"{key}.evidence", "<missing>" if ev is None else ev, EVIDENCE_EXPECTED)]
    return rest, []


def spec_evidence(spec: Any) -> str:
    """The evidence text of a distribution table ("" when absent)."""
    ev = spec.get("evidence") if isinstance(spec, Mapping) else None
    return ev if isinstance(ev, str) else ""


def evidence_of(dist: Any) -> str:
    """The evidence text a loaded distribution carries ("" when none)."""
    if dist is None:
        return ""
    ev = getattr(dist, "_evidence", "")
    return ev or evidence_of(getattr(dist, "base", None))


def parse_implementation(spec: Mapping[str, Any], source: str, key: str) -> tuple[Distribution | None, list[Problem]]:
    """Check a lever's implementation uncertainty: the distribution of the
    ratio realised / planned effect, non-negative, with mean 1 (so the
    plan's value stays the expected value; CPB/PBL Algemene leidraad 2013)."""
    from ..uncertainty.distributions import parse_distribution

    ev = spec_evidence(spec)
    spec, problems = split_evidence(spec, source, key)
    try:
        dist = parse_distribution(spec, source, key)
    except ConfigError as exc:
        return None, problems + list(exc.problems)
    object.__setattr__(dist, "_evidence", ev)
    lo, hi = dist.support()
    if lo < 0 or not math.isfinite(hi):
        problems.append(Problem(source, key, dict(spec), f"a ratio realised / planned on a bounded range >= 0 "
                                f"(support is [{lo:g}, {hi:g}])"))
    elif abs(dist.mean() - 1.0) > 1e-9:
        problems.append(Problem(source, key, dict(spec), f"a ratio realised / planned with mean 1 "
                                f"(its mean is {dist.mean():.6g}; write mean = 1.0)"))
    return (None if problems else dist), problems


def kind_problems(source: str, key: str, kind: Any, entry: Mapping[str, Any]) -> list[Problem]:
    """Which tables each kind of input takes (reference/uncertainty.md §1).

    * uncertainty: ``distribution`` (what ``run`` samples), no range;
    * lever: ``range`` (its plausible range across approaches, for the
      "which knob" analyses) and optionally ``implementation``;
    * normative: ``range`` only -- a valuation is fixed in ``run`` (CPB/PBL
      2020: one value in the headline, its uncertainty a separate
      sensitivity) and swept by ``curve``.
    """
    problems = []
    has = {t: isinstance(entry.get(t), dict) for t in ("distribution", "implementation", "range")}
    if kind == "uncertainty":
        for t in ("implementation", "range"):
            if has[t]:
                problems.append(Problem(source, f"{key}.{t}", "<table>",
                                        "no such table for an uncertainty (its `distribution` is its range)"))
    elif kind in ("lever", "normative"):
        if has["distribution"]:
            what = ("its `implementation` (ratio realised / planned) and its `range`" if kind == "lever"
                    else "its `range`: a valuation is not sampled in `run`")
            problems.append(Problem(source, f"{key}.distribution", "<table>", f"no distribution for a {kind}; give {what}"))
        if not has["range"]:
            problems.append(Problem(source, f"{key}.range", "<missing>",
                                    f"the plausible range of this {kind} (a distribution table with evidence)"))
        if kind == "normative" and has["implementation"]:
            problems.append(Problem(source, f"{key}.implementation", "<table>", "no implementation for a normative input"))
    return problems
