"""The inputs of a scenario as a table: kind, value, distributions, evidence.

``mkba-mc validate --list --json`` prints :func:`parameter_listing`;
``mkba-mc validate`` warns with :func:`centring_warnings` where a point value
is not the mean of the distribution ``run`` samples (expected-value centring:
CPB/PBL Algemene leidraad 2013; reference/uncertainty.md §2).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Final, Sequence

import numpy as np

from ..model.parameters import PARAMETERS
from .distfile import load_distributions, parse_distributions
from .parameter_tables import evidence_of
from .scenario_build import load_scenario
from .toml import read_toml

#: A point value more than this share of the P5-P95 width from its
#: distribution's mean gets a warning.
CENTRING_TOLERANCE: Final[float] = 0.05


def _spec(dist: Any) -> dict[str, Any] | None:
    if dist is None:
        return None
    return {"dist": dist.name, **{k: v for k, v in dist.params.items()}}


def _quantiles(dist: Any) -> tuple[float, float]:
    p5, p95 = dist.ppf(np.array([0.05, 0.95]))
    return float(p5), float(p95)


def _num(x: Any) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def parameter_listing(scenario: str | Path | None = None,
                      distributions: Sequence[str | Path] | None = None) -> list[dict[str, Any]]:
    """One object per parameter: ``name``, ``kind``, ``knop``, ``unit``,
    ``price_year``, ``value``, ``distribution`` (what ``run`` samples, as a
    dict, or None), ``sampled_from``, ``range`` (a lever's or normative
    input's plausible range, or None), ``mean``, ``p5``, ``p95`` (of the run
    distribution; None when fixed), ``evidence`` (of the run distribution;
    for a fixed lever or normative input the range's) and
    ``range_evidence``.

    With a scenario its values and overrides apply; without one, the shipped
    (or given) defaults, with each lever's implementation uncertainty around
    its default value.
    """
    from ..uncertainty.distributions import Scaled

    rows = []
    if scenario is not None:
        sc = load_scenario(scenario, distributions=distributions)
        info, values, run = sc.info, sc.params, sc.distributions
        origin = dict(sc.sampled_from)
        ranges = sc.ranges
    else:
        d = load_distributions(distributions)
        info = d.parameters
        values = {n: i.value for n, i in info.items()}
        run, origin, ranges = {}, {}, {}
        for n, i in info.items():
            if i.kind == "uncertainty" and i.distribution is not None:
                run[n], origin[n] = i.distribution, "distribution"
            elif i.kind == "lever" and i.implementation is not None:
                run[n], origin[n] = Scaled(i.implementation, i.value), "implementation"
            if i.kind in ("lever", "normative") and i.range is not None:
                ranges[n] = i.range
    for name, spec in PARAMETERS.items():
        i = info.get(name)
        dist = run.get(name)
        rng = ranges.get(name) if name in ranges else (i.range if i is not None else None)
        p5 = p95 = mean = None
        if dist is not None:
            mean = dist.mean()
            p5, p95 = _quantiles(dist)
        evidence = evidence_of(dist) if dist is not None else evidence_of(rng)
        value = values.get(name)
        rows.append({
            "name": name,
            "kind": i.kind if i is not None else "lever",
            "knop": i.knop if i is not None else "scenario",
            "unit": spec.unit,
            "price_year": i.price_year if i is not None else None,
            "value": _num(value) if value is not None else None,
            "distribution": _spec(dist),
            "sampled_from": origin.get(name),
            "range": _spec(rng),
            "mean": _num(mean),
            "p5": _num(p5),
            "p95": _num(p95),
            "evidence": evidence,
            "range_evidence": evidence_of(rng),
        })
    return rows


def centring_warnings(path: str | Path) -> list[str]:
    """Warnings where a point value and the mean of its run distribution
    differ by more than :data:`CENTRING_TOLERANCE` of the P5-P95 width."""
    p = Path(path)
    data = read_toml(p)
    pairs: list[tuple[str, float, Any]] = []
    if "scenario" in data:
        sc = load_scenario(p)
        pairs = [(n, sc.params[n], d) for n, d in sc.distributions.items()]
    else:
        d = parse_distributions(data, str(p))
        pairs = [(n, i.value, i.distribution) for n, i in d.parameters.items() if i.distribution is not None]
    out = []
    for name, value, dist in pairs:
        p5, p95 = _quantiles(dist)
        width = p95 - p5
        gap = abs(dist.mean() - value)
        if width > 0 and gap > CENTRING_TOLERANCE * width:
            out.append(f"{p}: {name}: point value {value:g} is not the mean {dist.mean():.6g} of its distribution "
                       f"(gap {gap:.3g} > 5 % of the P5-P95 width {width:.3g}); write mean = {value:g} in the "
                       "distribution (expected-value centring)")
    return out


__all__ = ["CENTRING_TOLERANCE", "centring_warnings", "parameter_listing"]
