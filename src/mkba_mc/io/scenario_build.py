"""From a scenario dict or file to a :class:`~mkba_mc.io.scenario.Scenario`.

The last layer of loading (read file -> validate dict -> typed object):
:func:`parse_scenario` merges defaults (:mod:`mkba_mc.io.distfile`), a
scenario dict checked by :func:`~mkba_mc.io.scenario_parse.check_scenario`
and ``--set`` overrides; :func:`load_scenario` reads the file first.  An
inline dict works as well as a file::

    parse_scenario({"scenario": {"name": "x"}, "reach": {...}}, "inline")
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, Problem
from ..model.core import Structure
from ..model.discounting import DEFAULT_REGIME, REGIMES
from ..model.parameters import PARAMETERS, REQUIRED
from ..model.sets import ACTORS, HORIZON, PAYER_POSTS
from ..uncertainty.copula import Correlation, check_correlation
from .distfile import (
    CorrelationSpec,
    Defaults,
    ParameterInfo,
    load_distributions,
    parse_distributions,
)
from .payers import resolve_payers
from .scenario import Scenario, restricted_correlation
from .scenario_parse import (
    FROM_CASELOAD,
    SET_SOURCE,
    check_scenario,
    check_sums,
    check_value,
    parse_set,
)
from .toml import read_toml

if TYPE_CHECKING:
    from ..uncertainty.distributions import Distribution

def _from_scenario(problems: Sequence[Problem], paths: Sequence[Path] | None, source: str) -> list[Problem]:
    """Problems of the files named by ``scenario.distributions``: a file that
    cannot be read at all (missing, a device, a folder, too large) is reported
    at the scenario key that names it, so the message names the scenario file."""
    index = {str(p): i for i, p in enumerate(paths or [])}
    out = []
    for p in problems:
        if p.key == "<file>" and p.source in index:
            out.append(Problem(source, f"scenario.distributions[{index[p.source]}]", p.source,
                               f"{p.expected} (it is {p.value})"))
        else:
            out.append(p)
    return out


def parse_scenario(
    data: Mapping[str, Any],
    source: str,
    *,
    defaults: Defaults | None = None,
    overrides: Mapping[str, Any] | None = None,
    path: Path | None = None,
) -> Scenario:
    """Merge defaults, a scenario dict and ``--set`` overrides into a Scenario.

    The dict is what :func:`~mkba_mc.io.toml.read_toml` gives for a scenario
    file, so a scenario can be written inline (tests, notebooks).

    Parameters
    ----------
    data : mapping
        The scenario's content: ``[scenario]``, ``[reach]``, ``[team]``, ...
    source : str
        Named in every problem (the file name, or e.g. ``"inline"``).
    defaults : Defaults, optional
        The distribution files' content; by default those the scenario
        names (``scenario.distributions``, relative to ``path``) or the
        shipped ones.
    overrides : mapping, optional
        ``--set`` values (numbers, or ``"from_caseload"`` for ``team_fte``).
    path : Path, optional
        The scenario file, for provenance and relative distribution files.

    Returns
    -------
    Scenario
        Point values, structure, the distributions of the run space and the
        ranges of the levers and normative inputs.

    Raises
    ------
    ConfigError
        With every problem found in the scenario and the overrides.

    Examples
    --------
    >>> from mkba_mc.io.scenario_build import parse_scenario
    >>> from mkba_mc.io.toml import read_toml
    >>> data = read_toml("scenarios/bijlage2_voorbeeld.toml")
    >>> data["effects"]["attribution"] = 0.4
    >>> parse_scenario(data, "inline").params["attribution"]
    0.4
    """
    if "scenario" not in data and ("meta" in data or "parameters" in data):
        raise ConfigError([Problem(source, "<top level>", sorted(data),
                                   "a scenario file with a [scenario] table (this looks like a distribution file)")])
    checked = check_scenario(data, source)
    doc, values, problems = checked.doc, dict(checked.values), list(checked.problems)
    if defaults is None:
        dist_paths = None
        if doc is not None and doc.scenario.distributions:
            base = path.parent if path is not None else Path.cwd()
            dist_paths = [base / p for p in doc.scenario.distributions]
        try:
            defaults = load_distributions(dist_paths)
        except ConfigError as exc:
            problems.extend(_from_scenario(exc.problems, dist_paths, source))
            raise ConfigError(problems) from None

    from ..uncertainty.distributions import Distribution

    share_groups = dict(checked.groups)
    where: dict[str, tuple[str, str]] = {n: (source, k) for n, (_, k) in values.items()}
    kinds: dict[str, str] = {n: i.kind for n, i in defaults.parameters.items()}
    for name, kind in (doc.kinds.items() if doc is not None else ()):
        if name not in PARAMETERS:
            problems.append(Problem(source, f"kinds.{name}", kind, "a known parameter name"))
        else:
            kinds[name] = kind
    # What `run` samples (reference/uncertainty.md §1): the distribution of
    # every uncertainty; levers get their implementation uncertainty below;
    # normative inputs are fixed.
    dists: dict[str, Distribution] = {}
    sampled_from: dict[str, str] = {}
    for n, i in defaults.parameters.items():
        table = i.distribution if kinds[n] == "uncertainty" else None
        if kinds[n] == "uncertainty" and table is None and i.kind != "uncertainty":
            table = i.range  # declared uncertain by this scenario: sampled over its plausible range
        if table is not None:
            dists[n], sampled_from[n] = table, ("distribution" if i.kind == "uncertainty" else "range")
    merged: dict[str, Any] = {}
    for name, (value, key) in values.items():
        if isinstance(value, Distribution):
            if kinds.get(name) == "normative":
                problems.append(Problem(source, key, dict(value.params), "a number: a normative input (a valuation) "
                                        "is fixed in `run`; sweep it with `mkba-mc curve --over` or declare it "
                                        f'uncertain with [kinds] {name} = "uncertainty"'))
                continue
            dists[name], sampled_from[name] = value, "scenario"
            merged[name] = value.mean()  # the point value is the expected value (uncertainty.md §2)
        else:  # a number fixes an uncertainty; for a lever it is the plan's value
            dists.pop(name, None)
            sampled_from.pop(name, None)
            merged[name] = value
    for name, value in (overrides or {}).items():
        if name not in PARAMETERS:
            problems.append(Problem(SET_SOURCE, name, value, "a known parameter name (dotted, e.g. escalation_rate.families)"))
            continue
        problems.extend(check_value(SET_SOURCE, name, name, value))
        merged[name] = value
        dists.pop(name, None)
        sampled_from.pop(name, None)
        where[name] = (SET_SOURCE, name)

    regime = (doc.scenario.discount_regime if doc is not None else None) or DEFAULT_REGIME
    if "discount_rate" not in merged and regime in REGIMES:
        merged["discount_rate"] = REGIMES[regime].rate
        where["discount_rate"] = (source, "scenario.discount_regime")

    for name in REQUIRED:
        if name not in merged:
            spec = PARAMETERS[name]
            problems.append(Problem(source, f"{spec.section}.{name}", "<missing>",
                                    f"{spec.domain.describe()} ({spec.unit}); every scenario must give it"))
    numeric = {n: float(v) for n, v in merged.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    problems.extend(check_sums(numeric, where))
    problems.extend(_implementation(defaults, kinds, numeric, dists, sampled_from, where))
    ranges = {n: i.range for n, i in defaults.parameters.items()
              if i.range is not None and kinds[n] in ("lever", "normative") and n not in (overrides or {})}
    correlation: Correlation | None = None
    corr_spec_run = None
    if doc is not None and doc.correlation is not None:
        c = doc.correlation
        corr_spec = CorrelationSpec(list(c.parameters), [list(r) for r in c.matrix], source, c.source or "")
    else:
        corr_spec = defaults.correlation
        if corr_spec is not None:  # the defaults' blocks: only the parameters this scenario samples
            try:
                restricted_correlation(corr_spec, {n: None for n in corr_spec.names})
                correlation = restricted_correlation(corr_spec, dists)
            except ConfigError as exc:
                problems.extend(exc.problems)
            corr_spec_run, corr_spec = corr_spec, None
    if corr_spec is not None:
        names, matrix, csource, ctext = corr_spec.names, corr_spec.matrix, corr_spec.source, corr_spec.text
        missing = [n for n in names if n not in dists]
        for n in missing:
            why = "a known parameter" if n not in PARAMETERS else "a parameter that has a distribution (it is fixed here)"
            problems.append(Problem(csource, "correlation.parameters", n, why))
        if not missing:
            try:
                correlation = check_correlation(names, matrix, csource, corr_source=ctext)
            except ConfigError as exc:
                problems.extend(exc.problems)
        corr_spec_run = corr_spec
    if problems:
        raise ConfigError(problems)
    assert doc is not None  # no problems means the schema passed

    team_from_caseload = merged.get("team_fte") == FROM_CASELOAD
    if team_from_caseload:
        dists.pop("team_fte", None)
    params: dict[str, float] = {n: info.value for n, info in defaults.parameters.items()}
    params.update({n: float(v) for n, v in numeric.items()})
    if team_from_caseload:
        params["team_fte"] = math.nan  # replaced by fte_need inside the model

    payers = resolve_payers(doc.payers, defaults.payers)
    payer = np.array([[payers[post].get(a, 0.0) for a in ACTORS] for post in PAYER_POSTS])
    profiles = {**defaults.profiles, **doc.time_profiles}
    prof = {k: np.pad(np.asarray(w, float), (0, HORIZON + 1 - len(w))) for k, w in profiles.items()}
    structure = Structure(payer=payer, profiles=prof, team_from_caseload=team_from_caseload,
                          ramp_years=doc.programme.ramp_years, programme_years=doc.programme.programme_years)

    info = dict(defaults.parameters)
    for name, (src, key) in where.items():
        spec = PARAMETERS[name]
        base = info.get(name)
        value = params[name]
        origin = f"{src}:{key}"
        if base is None:
            info[name] = ParameterInfo(name, value, spec.unit, f"scenario ({origin})", "scenario", "lever", origin=origin)
        else:
            info[name] = dataclasses.replace(base, value=value, origin=origin)
    for name, kind in kinds.items():
        if info[name].kind != kind:
            info[name] = dataclasses.replace(info[name], kind=kind)
    files = ((path,) if path is not None else ()) + defaults.files
    return Scenario(
        name=doc.scenario.name,
        params=params,
        structure=structure,
        info=info,
        files=files,
        path=path,
        description=doc.scenario.description or "",
        approach_type=doc.scenario.approach_type or "",
        discount_regime=regime if where.get("discount_rate", ("", ""))[1] == "scenario.discount_regime" else "custom",
        overrides=tuple(f"{k}={v}" for k, v in (overrides or {}).items()),
        meta={"sources": list(doc.scenario.sources or [])},
        distributions=dists,
        correlation=correlation,
        share_groups=share_groups,
        ranges=ranges,
        sampled_from=sampled_from,
        correlation_spec=corr_spec_run,
    )


def _implementation(defaults: Defaults, kinds: Mapping[str, str], values: Mapping[str, float],
                    dists: dict[str, Distribution], sampled_from: dict[str, str],
                    where: Mapping[str, tuple[str, str]]) -> list[Problem]:
    """Give every lever its implementation uncertainty around the plan's value.

    ``run`` samples ``value * ratio`` with ``ratio`` the lever's
    ``implementation`` distribution (realised / planned, mean 1), so a
    scenario that sets a lever's value gets the uncertainty around *that*
    value and the value stays the expected value. A lever planned at 0 has
    nothing to realise and stays at 0. A lever the scenario gives a
    distribution itself keeps that distribution.
    """
    from ..uncertainty.distributions import Scaled

    problems = []
    for name, info in defaults.parameters.items():
        if kinds[name] != "lever" or info.implementation is None or name in dists:
            continue
        value = values.get(name, info.value)
        if not math.isfinite(value):
            continue  # a bad value, reported elsewhere
        # a lever planned at 0 has nothing to realise: 0 x ratio = 0, still a
        # row of the design so that the sampled set (and common random
        # numbers over a grid of the lever, `curve`) does not depend on the value
        dist = Scaled(info.implementation, float(value))
        dom = PARAMETERS[name].domain
        lo, hi = dist.support()
        inside_lo = lo > dom.low if dom.low_open else lo >= dom.low
        inside_hi = hi < dom.high if dom.high_open else hi <= dom.high
        if not (inside_lo and inside_hi):
            src, key = where.get(name, (info.origin.rsplit(":", 1)[0], info.origin.rsplit(":", 1)[-1]))
            problems.append(Problem(src, key, value, f"a plan value whose implementation range "
                                    f"[{lo:g}, {hi:g}] (value x the ratio realised / planned of {info.origin}) lies "
                                    f"inside the domain of {name}: {dom.describe()}"))
            continue
        dists[name], sampled_from[name] = dist, "implementation"
    return problems


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | Sequence[str] | None = None,
                  distributions: Sequence[str | Path] | None = None) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        The scenario TOML file.
    overrides : mapping or sequence of "key=value", optional
        Parameter values replacing those of the file and the defaults.
    distributions : sequence of paths, optional
        Distribution files to use instead of the scenario's own or the
        shipped defaults.

    Returns
    -------
    Scenario

    Raises
    ------
    ConfigError
        Every problem found, each naming file, key, value and expectation.
    """
    p = Path(path)
    if overrides is not None and not isinstance(overrides, Mapping):
        overrides = parse_set(list(overrides))
    defaults = load_distributions(distributions) if distributions is not None else None
    return parse_scenario(read_toml(p), str(p), defaults=defaults, overrides=overrides, path=p)


def validate_file(path: str | Path) -> str:
    """Validate a scenario or distribution file; return its kind.

    The kind is told by the top-level table: ``[scenario]`` or ``[meta]``.
    """
    p = Path(path)
    data = read_toml(p)
    if "scenario" in data:
        load_scenario(p)
        return "scenario"
    if "meta" in data or "parameters" in data:
        parse_distributions(data, str(p))
        return "distributions"
    raise ConfigError([Problem(str(p), "<top level>", sorted(data), "a [scenario] table (scenario file) or a [meta] table (distribution file)")])
