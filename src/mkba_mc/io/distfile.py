"""The distribution files: defaults, ranges, payers, profiles and correlations.

Layered like every input (read file -> validate dict -> typed object):
:func:`~mkba_mc.io.toml.read_toml` reads a file, :func:`parse_distributions`
checks one file's dict and returns its :class:`Defaults`, and
:func:`load_distributions` merges several files (later files override
earlier ones), collecting every problem of every file into one
:class:`~mkba_mc.errors.ConfigError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import ConfigError, Problem
from ..model.parameters import PARAMETERS, REQUIRED
from ..model.sets import ACTORS, HORIZON, PAYER_KEYS, PAYER_POSTS, PROFILE_POSTS
from .parameter_tables import (
    kind_problems,
    parse_implementation,
    parse_parameter_distribution,
)
from .payers import (
    PAYER_EXPECTED,
    check_profile,
    check_shares,
    merge_payers,
    resolve_payers,
)
from .price_index import price_index_factor
from .schema import DistributionFile, ParameterEntry, problems_from
from .toml import flatten, is_number, raw_table, read_toml

if TYPE_CHECKING:
    from ..uncertainty.distributions import Distribution

def default_distribution_files() -> list[Path]:
    """The shipped ``distributions/*.toml``: the repository's folder when run
    from a checkout, otherwise the copy installed with the package."""
    here = Path(__file__).resolve()
    pkg = here.parents[1]  # src/mkba_mc
    candidates = [pkg.parents[1] / "distributions", pkg / "_data" / "distributions"]
    for folder in candidates:
        files = sorted(folder.glob("*.toml"))
        if files:
            return files
    raise ConfigError([Problem(str(candidates[0]), "<folder>", "<empty>", "the shipped distributions/*.toml")])


@dataclass(frozen=True)
class ParameterInfo:
    """Metadata of a parameter's default (unit, source, knop, kind)."""

    name: str
    value: float
    unit: str
    source: str
    knop: str
    kind: str
    price_year: int | None = None
    distribution: Distribution | None = None
    origin: str = ""
    #: A lever's implementation uncertainty: distribution of realised / planned (mean 1).
    implementation: Distribution | None = None
    #: A lever's or normative input's plausible range (the "which knob" space).
    range: Distribution | None = None
    #: Evidence of each table: ``{"distribution" | "implementation" | "range": text}``.
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CorrelationSpec:
    """A correlation matrix as given in a file, before it is checked.

    Attributes
    ----------
    names : list of str
        The correlated parameters, in the order of the matrix rows.
    matrix : list of list of float
        The (Spearman rank) correlation matrix.
    source : str
        The file that gives it (for problems).
    text : str
        The matrix's own ``source`` citation ("" when none).
    """

    names: list[str]
    matrix: list[list[float]]
    source: str
    text: str = ""


@dataclass(frozen=True)
class Defaults:
    """Merged content of one or more distribution files."""

    parameters: dict[str, ParameterInfo]
    payers: dict[str, dict[str, float]]
    profiles: dict[str, list[float]]
    files: tuple[Path, ...]
    correlation: CorrelationSpec | None = None


def parse_distributions(data: Mapping[str, Any], source: str) -> Defaults:
    """Validate the content of one distribution file.

    Raises
    ------
    ConfigError
        With every problem in the file.
    """
    problems: list[Problem] = []
    try:
        doc = DistributionFile.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from(exc, source))
        raw = data.get("parameters", {}) if isinstance(data.get("parameters"), dict) else {}
        doc = None
    else:
        raw = doc.parameters
    params: dict[str, ParameterInfo] = {}
    raw_meta = raw_table(data, "meta")
    meta_year = raw_meta.get("price_year") if isinstance(raw_meta.get("price_year"), int) else None
    if meta_year is not None:
        problems.extend(price_index_factor(meta_year, meta_year, source, "meta.price_year")[1])
    leaves = flatten(raw, "", lambda d: "value" in d or "unit" in d or "source" in d)
    for name, entry in leaves.items():
        key = f"parameters.{name}"
        if name not in PARAMETERS:
            problems.append(Problem(source, key, entry if not isinstance(entry, dict) else "<table>",
                                    "a known parameter name (see `mkba-mc validate --list`)"))
            continue
        if not isinstance(entry, dict):
            problems.append(Problem(source, key, entry, "a table with value, unit, source, knop and kind"))
            continue
        try:
            e: ParameterEntry | None = ParameterEntry.model_validate(entry)
        except ValidationError as exc:
            problems.extend(problems_from(exc, source, key))
            e = None
        # checked on the raw entry too, so a schema error does not hide them
        spec = PARAMETERS[name]
        value = entry.get("value")
        if is_number(value) and not spec.domain.contains(float(value)):
            problems.append(Problem(source, f"{key}.value", float(value), spec.domain.describe()))
        if spec.is_money and entry.get("price_year") is None:
            problems.append(Problem(source, f"{key}.price_year", "<missing>", "the price year of this euro amount"))
        dist = impl = rng = None
        evidence: dict[str, str] = {}
        kind = entry.get("kind")
        for table in ("distribution", "implementation", "range"):
            raw_t = entry.get(table)
            if not isinstance(raw_t, dict):
                continue
            if isinstance(raw_t.get("evidence"), str):
                evidence[table] = raw_t["evidence"]
            tkey = f"{key}.{table}"
            if table == "implementation":
                impl, t_problems = parse_implementation(raw_t, source, tkey)
            else:
                parsed, t_problems = parse_parameter_distribution(raw_t, source, tkey, name)
                dist, rng = (parsed, rng) if table == "distribution" else (dist, parsed)
            problems.extend(t_problems)
        problems.extend(kind_problems(source, key, kind, entry))
        factor, cpi_problems = price_index_factor(entry.get("price_year"), meta_year, source, f"{key}.price_year")
        problems.extend(cpi_problems)
        if e is None:
            continue
        value = e.value
        if factor != 1.0:  # money of another price year, indexed with the CBS CPI
            from ..uncertainty.distributions import Scaled

            value = e.value * factor
            dist = Scaled(dist, factor) if dist is not None else None
            rng = Scaled(rng, factor) if rng is not None else None
        params[name] = ParameterInfo(name, value, e.unit, e.source, e.knop, e.kind,
                                     meta_year if factor != 1.0 else e.price_year,
                                     dist, origin=f"{source}:{key}", implementation=impl, range=rng,
                                     evidence=evidence)
    payers: dict[str, dict[str, float]] = {}
    profiles: dict[str, list[float]] = {}
    if doc is not None:
        payer_shares = {post: pe.shares for post, pe in doc.payers.items()}
        profile_weights = {post: prof.weights for post, prof in doc.time_profiles.items()}
    else:
        # The schema failed somewhere: still check the well-typed payer and
        # profile tables so every problem of the file is reported at once.
        payer_shares = {post: pe["shares"] for post, pe in raw_table(data, "payers").items()
                        if isinstance(pe, dict) and isinstance(pe.get("shares"), dict)
                        and all(is_number(v) for v in pe["shares"].values())}
        profile_weights = {post: prof["weights"] for post, prof in raw_table(data, "time_profiles").items()
                           if isinstance(prof, dict) and isinstance(prof.get("weights"), list)
                           and 1 <= len(prof["weights"]) <= HORIZON + 1
                           and all(is_number(v) for v in prof["weights"])}
    for post, shares in payer_shares.items():
        if post not in PAYER_KEYS:
            problems.append(Problem(source, f"payers.{post}", "<table>", PAYER_EXPECTED))
            continue
        problems.extend(check_shares(source, f"payers.{post}.shares", shares, ACTORS, "actors"))
        payers[post] = dict(shares)
    for post, weights in profile_weights.items():
        if post not in PROFILE_POSTS:
            problems.append(Problem(source, f"time_profiles.{post}", "<table>", f"one of: {', '.join(PROFILE_POSTS)}"))
            continue
        problems.extend(check_profile(source, f"time_profiles.{post}.weights", weights))
        profiles[post] = list(weights)
    correlation = None
    if doc is not None and (doc.correlation is not None or doc.correlations):
        blocks = ([doc.correlation] if doc.correlation is not None else []) + list(doc.correlations)
        correlation = _block_diagonal(blocks, source)
    if problems:
        raise ConfigError(problems)
    return Defaults(params, payers, profiles, (Path(source),), correlation)


def _block_diagonal(blocks: Sequence[Any], source: str) -> CorrelationSpec:
    """Merge independent correlation blocks into one block-diagonal spec
    (a block's own size and symmetry are checked when the scenario is built)."""
    names: list[str] = []
    for b in blocks:
        names.extend(b.parameters)
    k = len(names)
    m = [[1.0 if i == j else 0.0 for j in range(k)] for i in range(k)]
    at = 0
    for b in blocks:
        size = len(b.parameters)
        for i, row in enumerate(b.matrix[:size]):
            for j, v in enumerate(row[:size]):
                m[at + i][at + j] = float(v)
        at += size
    text = "; ".join(f"{', '.join(b.parameters)}: {b.source}" for b in blocks if b.source)
    return CorrelationSpec(names, m, source, text)


def load_distributions(paths: Iterable[str | Path] | None = None) -> Defaults:
    """Read and merge distribution files (later files override earlier ones).

    Every file is checked and all problems of all files are raised together.
    The merged set must give a default for every parameter a scenario need
    not state, a payer vector for every post and a profile for every
    profiled post.
    """
    files = [Path(p) for p in (paths if paths is not None else default_distribution_files())]
    problems: list[Problem] = []
    merged = Defaults({}, {}, {}, tuple(files))
    for f in files:
        try:
            d = parse_distributions(read_toml(f), str(f))
        except ConfigError as exc:
            problems.extend(exc.problems)
            continue
        merged.parameters.update(d.parameters)
        merge_payers(merged.payers, d.payers)
        merged.profiles.update(d.profiles)
        if d.correlation is not None:
            merged = Defaults(merged.parameters, merged.payers, merged.profiles, merged.files, d.correlation)
    if not problems:
        where = str(files[-1]) if files else "<distributions>"
        for name in PARAMETERS:
            if name not in REQUIRED and name != "discount_rate" and name not in merged.parameters:
                problems.append(Problem(where, f"parameters.{name}", "<missing>",
                                        "a default for every parameter a scenario need not give"))
        resolved = resolve_payers(merged.payers)
        for post in PAYER_POSTS:
            if post not in resolved:
                problems.append(Problem(where, f"payers.{post}", "<missing>",
                                        "a payer-share vector for every post (per type or one for all types)"))
        for post in PROFILE_POSTS:
            if post not in merged.profiles:
                problems.append(Problem(where, f"time_profiles.{post}", "<missing>", "a time profile for every profiled post"))
    if problems:
        raise ConfigError(problems)
    return merged
