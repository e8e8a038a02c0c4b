"""Reading and validating distribution and scenario files.

Loading is layered so every layer can be tested on inline data:

1. :func:`read_toml` -- bytes on disk to a dict (file and syntax errors);
2. :func:`parse_distributions` / :func:`parse_scenario` -- dict to checked
   content, collecting *every* problem before raising one
   :class:`~mkba_mc.errors.ConfigError`;
3. :func:`build_scenario` -- defaults, scenario and ``--set`` overrides
   merged into a :class:`Scenario` whose point values and structure feed
   :func:`mkba_mc.model.core.evaluate`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
import stat
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ValidationError

from ..model.discounting import DEFAULT_REGIME, REGIMES
from ..errors import ConfigError, Problem
from ..model.core import Structure
from ..uncertainty.sampling import Correlation, check_correlation
from ..model.parameters import PARAMETERS, REQUIRED, SECTIONS, SUM_GROUPS, SUM_TOLERANCE
from .schema import (
    DistributionFile,
    ParameterEntry,
    ScenarioFile,
    problems_from,
)
from ..model.sets import ACTORS, HORIZON, PAYER_KEYS, PAYER_POSTS, PROFILE_POSTS, TYPED_PAYER_POSTS

if TYPE_CHECKING:
    from ..uncertainty.distributions import Distribution

FROM_CASELOAD = "from_caseload"
SET_SOURCE = "--set"


# --------------------------------------------------------------------- files
#: Largest input file read (a scenario or distribution file is a few kB).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Deepest nesting of tables and arrays accepted in an input file.
MAX_DEPTH = 32
#: TOML integers are 64-bit signed (TOML 1.0, "Integer"); larger ones are refused.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "directory"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISFIFO, "FIFO (named pipe)"),
                       (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"


def _int_shown(value: int) -> str:
    digits = int(value.bit_length() * 0.30103) + 1
    return f"<integer of about {digits} digits>" if digits > 40 else repr(value)


def check_structure(data: Any, source: str) -> list[Problem]:
    """Problems of a parsed TOML document that no schema can catch.

    Integers outside the 64-bit range of TOML (Python reads them exactly,
    but every later ``float()`` overflows) and nesting deeper than
    :data:`MAX_DEPTH` (recursive code would exhaust the stack).  The walk
    is iterative, so it is itself safe on any depth.
    """
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, key, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                shown = key if len(key) <= 60 else key[:60] + "..."
                problems.append(Problem(source, shown or "<top level>", "<nested deeper>",
                                        f"tables and arrays nested at most {MAX_DEPTH} levels deep"))
                continue
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for k, v in items:
                sub = (f"{key}.{k}" if key else str(k)) if isinstance(value, dict) else f"{key}[{k}]"
                stack.append((v, sub, depth + 1))
        elif isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
            problems.append(Problem(source, key, _int_shown(value),
                                    "an integer in the 64-bit range of TOML (-2**63 .. 2**63 - 1); "
                                    "a realistic value is far smaller"))
    return sorted(problems, key=lambda p: p.key)


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, turning every file, encoding and syntax error into a ConfigError.

    The file must be a regular file (not a directory, device or FIFO) of at
    most :data:`MAX_FILE_BYTES`, encoded in UTF-8, valid TOML, and pass
    :func:`check_structure`.
    """
    p = Path(path)
    src = str(p)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ConfigError([Problem(src, "<file>", "<missing>", "an existing TOML file")]) from None
    except NotADirectoryError:
        raise ConfigError([Problem(src, "<file>", "<missing>", "an existing TOML file (a part of the path is a file)")]
                          ) from None
    if not stat.S_ISREG(st.st_mode):
        kind = _file_kind(st.st_mode)
        raise ConfigError([Problem(src, "<file>", f"<{kind}>", f"a regular TOML file, not a {kind}")])
    if st.st_size > MAX_FILE_BYTES:
        raise ConfigError([Problem(src, "<file>", f"<{st.st_size:,} bytes>",
                                   f"a TOML file of at most {MAX_FILE_BYTES >> 20} MiB")])
    with p.open("rb") as fh:
        raw = fh.read(MAX_FILE_BYTES + 1)  # a file may grow or lie about its size
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError([Problem(src, "<file>", "<more than 16 MiB>", f"a TOML file of at most {MAX_FILE_BYTES >> 20} MiB")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError([Problem(src, "<encoding>", f"<byte 0x{raw[exc.start]:02x} at offset {exc.start}, line {line}>",
                                   "a UTF-8 encoded text file (save the file as UTF-8)")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(src, "<syntax>", str(exc), "valid TOML")]) from exc
    except RecursionError:
        raise ConfigError([Problem(src, "<syntax>", "<nested too deep to parse>",
                                   f"tables and arrays nested at most {MAX_DEPTH} levels deep")]) from None
    except ValueError as exc:  # e.g. an integer beyond Python's int/str conversion limit
        raise ConfigError([Problem(src, "<syntax>", str(exc)[:200], "valid TOML with realistic numbers")]) from None
    problems = check_structure(data, src)
    if problems:
        raise ConfigError(problems)
    return data


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (for provenance)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


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


def _flatten(table: Mapping[str, Any], prefix: str, is_leaf: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and not is_leaf(value):
            out.update(_flatten(value, name, is_leaf))
        else:
            out[name] = value
    return out


# ------------------------------------------------------------ price index
CPI_FILE = Path("price_index") / "cpi_cbs.toml"


@functools.lru_cache(maxsize=1)
def cpi_table() -> dict[int, float]:
    """The shipped CBS consumer price index (2015 = 100, yearly averages),
    ``distributions/price_index/cpi_cbs.toml`` (source: CBS StatLine,
    Consumentenprijzen; jaarmutatie CPI, 2015=100)."""
    folder = default_distribution_files()[0].parent
    data = read_toml(folder / CPI_FILE)
    return {int(y): float(v) for y, v in data.get("index", {}).items()}


def price_index_factor(year: Any, base_year: Any, source: str, key: str) -> tuple[float, list[Problem]]:
    """The factor ``CPI[base_year] / CPI[year]`` that turns euros of ``year``
    into euros of ``base_year`` (1 when either is not given).

    A year outside the CPI table is a problem naming ``key``.
    """
    if not isinstance(year, int) or isinstance(year, bool) or not isinstance(base_year, int):
        return 1.0, []
    table = cpi_table()
    for y in {year, base_year}:
        if y not in table:
            return 1.0, [Problem(source, key, y, f"a price year of the CPI table {min(table)}-{max(table)} "
                                 f"({CPI_FILE}; CBS CPI 2015 = 100)")]
    return table[base_year] / table[year], []


# ------------------------------------------------------------ distributions
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
class Defaults:
    """Merged content of one or more distribution files."""

    parameters: dict[str, ParameterInfo]
    payers: dict[str, dict[str, float]]
    profiles: dict[str, list[float]]
    files: tuple[Path, ...]
    correlation: tuple[list[str], list[list[float]], str, str] | None = None


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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _raw_table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    table = data.get(key)
    return table if isinstance(table, dict) else {}


def _check_vector(source: str, key: str, shares: Mapping[str, float], names: Sequence[str],
                  what: str) -> list[Problem]:
    problems = []
    for k, v in shares.items():
        if k not in names:
            problems.append(Problem(source, f"{key}.{k}", v, f"one of the {what}: {', '.join(names)}"))
        elif not 0.0 <= v <= 1.0:
            problems.append(Problem(source, f"{key}.{k}", v, "a share in [0, 1]"))
    total = math.fsum(shares.values())
    if abs(total - 1.0) > SUM_TOLERANCE:
        problems.append(Problem(source, key, dict(shares), f"shares that sum to 1 (they sum to {total:.6g})"))
    return problems


_PAYER_EXPECTED = (f"one of the posts {', '.join(p for p in PAYER_KEYS if '.' not in p)}; the posts "
                   f"{', '.join(TYPED_PAYER_POSTS)} may also be given per household type as "
                   f"\"<post>.<type>\" with type one of families, elderly, other")


def _base_post(post: str) -> str | None:
    """``substitution`` for ``substitution.elderly``; None for an untyped post."""
    base, _, _ = post.partition(".")
    return base if base in TYPED_PAYER_POSTS and base != post else None


def resolve_payers(*levels: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """The payer vector of every post of :data:`~mkba_mc.model.sets.PAYER_POSTS`.

    ``levels`` go from strongest to weakest (scenario, then defaults).  At
    each level a post's own vector (``substitution.elderly``) wins over the
    vector of its bare name (``substitution``, which applies to every
    household type); a stronger level wins over a weaker one, so a scenario
    that gives one vector for ``substitution`` replaces the per-type defaults.
    Posts that no level gives are left out.
    """
    out: dict[str, dict[str, float]] = {}
    for post in PAYER_POSTS:
        base = _base_post(post)
        for level in levels:
            if post in level:
                out[post] = dict(level[post])
                break
            if base is not None and base in level:
                out[post] = dict(level[base])
                break
    return out


def _merge_payers(into: dict[str, dict[str, float]], new: Mapping[str, Mapping[str, float]]) -> None:
    """Merge a later distribution file's payers: its bare vectors replace the
    earlier files' per-type vectors of the same post."""
    for post in new:
        if post in TYPED_PAYER_POSTS:
            for key in [k for k in into if _base_post(k) == post and k not in new]:
                del into[key]
    into.update({k: dict(v) for k, v in new.items()})


def _check_profile(source: str, key: str, weights: Sequence[float]) -> list[Problem]:
    problems = [Problem(source, f"{key}[{i}]", w, "a weight >= 0") for i, w in enumerate(weights) if w < 0]
    total = math.fsum(weights)
    if abs(total - 1.0) > SUM_TOLERANCE:
        problems.append(Problem(source, key, list(weights), f"weights over years 0..{HORIZON} that sum to 1 (they sum to {total:.6g})"))
    return problems


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
    raw_meta = _raw_table(data, "meta")
    meta_year = raw_meta.get("price_year") if isinstance(raw_meta.get("price_year"), int) else None
    if meta_year is not None:
        problems.extend(price_index_factor(meta_year, meta_year, source, "meta.price_year")[1])
    leaves = _flatten(raw, "", lambda d: "value" in d or "unit" in d or "source" in d)
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
        if _is_number(value) and not spec.domain.contains(float(value)):
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
        problems.extend(_kind_problems(source, key, kind, entry))
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
        payer_shares = {post: pe["shares"] for post, pe in _raw_table(data, "payers").items()
                        if isinstance(pe, dict) and isinstance(pe.get("shares"), dict)
                        and all(_is_number(v) for v in pe["shares"].values())}
        profile_weights = {post: prof["weights"] for post, prof in _raw_table(data, "time_profiles").items()
                           if isinstance(prof, dict) and isinstance(prof.get("weights"), list)
                           and 1 <= len(prof["weights"]) <= HORIZON + 1
                           and all(_is_number(v) for v in prof["weights"])}
    for post, shares in payer_shares.items():
        if post not in PAYER_KEYS:
            problems.append(Problem(source, f"payers.{post}", "<table>", _PAYER_EXPECTED))
            continue
        problems.extend(_check_vector(source, f"payers.{post}.shares", shares, ACTORS, "actors"))
        payers[post] = dict(shares)
    for post, weights in profile_weights.items():
        if post not in PROFILE_POSTS:
            problems.append(Problem(source, f"time_profiles.{post}", "<table>", f"one of: {', '.join(PROFILE_POSTS)}"))
            continue
        problems.extend(_check_profile(source, f"time_profiles.{post}.weights", weights))
        profiles[post] = list(weights)
    correlation = None
    if doc is not None and (doc.correlation is not None or doc.correlations):
        blocks = ([doc.correlation] if doc.correlation is not None else []) + list(doc.correlations)
        correlation = _block_diagonal(blocks, source)
    if problems:
        raise ConfigError(problems)
    return Defaults(params, payers, profiles, (Path(source),), correlation)


def _block_diagonal(blocks: Sequence[Any], source: str) -> tuple[list[str], list[list[float]], str, str]:
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
    return names, m, source, text


def _kind_problems(source: str, key: str, kind: Any, entry: Mapping[str, Any]) -> list[Problem]:
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
        _merge_payers(merged.payers, d.payers)
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


# ------------------------------------------------------------------ scenario
#: The input spaces of the analyses (reference/uncertainty.md §1), with the
#: sentence every output uses to say which one it covers.
INPUT_SPACES: dict[str, str] = {
    "run": "risk of this plan: uncertainties sampled; levers at the plan's value with their implementation "
           "uncertainty; normative inputs (QALY value, discount rate) fixed at the scenario's values",
    "plan": "risk of this plan: uncertainties sampled; levers at the plan's value with their implementation "
            "uncertainty; normative inputs (QALY value, discount rate) fixed at the scenario's values",
    "levers": "what-if over the levers: uncertainties sampled; levers over their plausible range across "
              "approaches; normative inputs fixed at the scenario's values",
    "uncertainties": "uncertainties only: levers and normative inputs fixed at the scenario's values",
    "all": "which knob decides: uncertainties sampled; levers and normative inputs over their plausible ranges",
}


def _restricted_correlation(spec: tuple[list[str], list[list[float]], str, str],
                            dists: Mapping[str, Any]) -> Correlation | None:
    """The correlation of the parameters of ``spec`` that ``dists`` samples
    (a principal submatrix of a positive definite matrix stays positive
    definite); None when fewer than two remain."""
    names, matrix, csource, ctext = spec
    keep = [i for i, n in enumerate(names) if n in dists]
    if len(keep) < 2:
        return None
    return check_correlation([names[i] for i in keep], [[matrix[i][j] for j in keep] for i in keep], csource,
                             corr_source=ctext)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: point values of every parameter plus structure.

    Attributes
    ----------
    name : str
        The scenario's name.
    params : dict of str to float
        Point value of every parameter of :data:`~mkba_mc.model.parameters.PARAMETERS`.
    structure : Structure
        Payer shares, time profiles and programme settings.
    info : dict of str to ParameterInfo
        Unit, source, knop and kind of every parameter; ``origin`` says
        which file and key the value came from.
    files : tuple of Path
        Every input file (scenario first), for provenance hashes.
    """

    name: str
    params: dict[str, float]
    structure: Structure
    info: dict[str, ParameterInfo]
    files: tuple[Path, ...]
    path: Path | None = None
    description: str = ""
    approach_type: str = ""
    discount_regime: str = DEFAULT_REGIME
    overrides: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    distributions: dict[str, Distribution] = field(default_factory=dict)
    correlation: Correlation | None = None
    share_groups: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = field(default_factory=dict)
    #: Plausible range of every lever and normative input (the "which knob" space).
    ranges: dict[str, Distribution] = field(default_factory=dict)
    #: The input space ``distributions`` describes (a key of :data:`INPUT_SPACES`).
    space: str = "run"
    #: Per sampled parameter, which table it is sampled from: ``distribution``
    #: (an uncertainty), ``implementation`` (a lever around the plan's value),
    #: ``range`` (a lever's or normative input's plausible range) or
    #: ``scenario`` (a distribution the scenario gives itself).
    sampled_from: dict[str, str] = field(default_factory=dict)
    #: The correlation of the run space (restricted to the sampled parameters of another space).
    correlation_spec: tuple[list[str], list[list[float]], str, str] | None = None

    @property
    def sampled(self) -> tuple[str, ...]:
        """Names of the parameters that carry a distribution, in registry order."""
        return tuple(n for n in PARAMETERS if n in self.distributions)

    def kind(self, name: str) -> str:
        """The kind of a parameter: uncertainty, lever or normative."""
        return self.info[name].kind if name in self.info else "lever"

    def in_space(self, space: str) -> Scenario:
        """This scenario with the distributions of another input space.

        Parameters
        ----------
        space : str
            A key of :data:`INPUT_SPACES`: ``run`` / ``plan`` (uncertainties
            and the implementation uncertainty of levers; normative inputs
            fixed), ``levers`` (uncertainties and levers over their plausible
            range; normative fixed: ``run --sample-levers``), ``uncertainties``
            (uncertainties only) or ``all`` (uncertainties, levers and
            normative inputs over their plausible ranges: the "which knob
            decides" space).

        Returns
        -------
        Scenario
            A copy whose ``distributions``, ``sampled_from``, ``space`` and
            correlation (restricted to the parameters still sampled) follow
            the space. Point values are unchanged.
        """
        if space not in INPUT_SPACES:
            raise ConfigError([Problem("--inputs", "inputs", space, f"one of: {', '.join(INPUT_SPACES)}")])
        if self.space not in ("run", "plan"):
            raise ValueError(f"in_space works on the run space of a scenario, not on {self.space!r}")
        base = self
        if space in ("run", "plan"):
            return dataclasses.replace(base, space=space) if space != base.space else base
        dists: dict[str, Distribution] = {}
        origin: dict[str, str] = {}
        for name, dist in base.distributions.items():
            if base.kind(name) == "uncertainty":
                dists[name], origin[name] = dist, base.sampled_from.get(name, "distribution")
        over = {"levers": ("lever",), "all": ("lever", "normative"), "uncertainties": ()}[space]
        for name, rng in base.ranges.items():
            if base.kind(name) in over:
                dists[name], origin[name] = rng, "range"
        corr = _restricted_correlation(base.correlation_spec, dists) if base.correlation_spec else None
        return dataclasses.replace(base, distributions=dists, sampled_from=origin, space=space, correlation=corr)

    def evaluate(self, values: Mapping[str, Any] | None = None, outputs: Iterable[str] | None = None
                 ) -> dict[str, np.ndarray]:
        """Evaluate the model at the point values, with ``values`` (scalars or
        arrays over samples) replacing any of them."""
        from ..model.core import evaluate

        params = dict(self.params)
        if values:
            unknown = sorted(set(values) - set(PARAMETERS))
            if unknown:
                raise KeyError(f"unknown parameters {unknown}")
            params.update(values)
        return evaluate(params, self.structure, None if outputs is None else list(outputs))

    def input_hashes(self) -> dict[str, str]:
        """SHA-256 of every input file."""
        return {str(f): file_sha256(f) for f in self.files}


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


def _check_value(source: str, key: str, name: str, value: Any) -> list[Problem]:
    spec = PARAMETERS[name]
    if name == "team_fte" and value == FROM_CASELOAD:
        return []
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        extra = f' or "{FROM_CASELOAD}"' if name == "team_fte" else ""
        return [Problem(source, key, value, f"a number{extra} ({spec.unit})")]
    if not spec.domain.contains(float(value)):
        return [Problem(source, key, value, f"{spec.domain.describe()} ({spec.unit})")]
    return []


def parse_scenario(data: Mapping[str, Any], source: str) -> tuple[ScenarioFile | None, dict[str, tuple[Any, str]], list[Problem]]:
    """Check a scenario dict; return the document, the parameter values by
    name with the key they were given under, and the problems found."""
    problems: list[Problem] = []
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
        for name, value in _flatten(table, "", lambda d: "dist" in d).items():
            key = f"{section}.{name}"
            spec = PARAMETERS.get(name)
            if spec is None and name in SUM_GROUPS and isinstance(value, dict):
                group, group_problems = _parse_dirichlet(name, value, source, key)
                problems.extend(group_problems)
                if group is not None:
                    for member, share in zip(group[0], np.asarray(group[1]) / sum(group[1])):
                        values[member] = (float(share), key)
                    values[f"<group>{name}"] = (group, key)
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
            problems.extend(_check_value(source, key, name, value))
            values[name] = (value, key)
    if doc is not None:
        payers, profiles, regime = doc.payers, doc.time_profiles, doc.scenario.discount_regime
    else:
        # The schema failed somewhere: still check the well-typed payer and
        # profile tables and the regime so every problem is reported at once.
        payers = {post: shares for post, shares in _raw_table(data, "payers").items()
                  if isinstance(shares, dict) and all(_is_number(v) for v in shares.values())}
        profiles = {post: weights for post, weights in _raw_table(data, "time_profiles").items()
                    if isinstance(weights, list) and 1 <= len(weights) <= HORIZON + 1
                    and all(_is_number(v) for v in weights)}
        raw_regime = _raw_table(data, "scenario").get("discount_regime")
        regime = raw_regime if isinstance(raw_regime, str) and raw_regime else None
    for post, shares in payers.items():
        if post not in PAYER_KEYS:
            problems.append(Problem(source, f"payers.{post}", "<table>", _PAYER_EXPECTED))
        else:
            problems.extend(_check_vector(source, f"payers.{post}", shares, ACTORS, "actors"))
    for post, weights in profiles.items():
        if post not in PROFILE_POSTS:
            problems.append(Problem(source, f"time_profiles.{post}", "<list>", f"one of: {', '.join(PROFILE_POSTS)}"))
        else:
            problems.extend(_check_profile(source, f"time_profiles.{post}", weights))
    if regime is not None and regime not in REGIMES:
        problems.append(Problem(source, "scenario.discount_regime", regime, f"one of: {', '.join(REGIMES)}"))
    if regime is not None and "discount_rate" in values:
        problems.append(Problem(source, "prices.discount_rate", values["discount_rate"][0],
                                "either scenario.discount_regime or prices.discount_rate, not both"))
    return doc, values, problems


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
        if not _is_number(a) or a <= 0:
            problems.append(Problem(source, f"{key}.alpha.{s_name}", a, "a positive number"))
        else:
            values.append(float(a))
    if problems:
        return None, problems
    return (tuple(members), tuple(values)), []


def _check_sums(values: Mapping[str, float], where: Mapping[str, tuple[str, str]]) -> list[Problem]:
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


def build_scenario(
    data: Mapping[str, Any],
    source: str,
    *,
    defaults: Defaults | None = None,
    overrides: Mapping[str, Any] | None = None,
    path: Path | None = None,
) -> Scenario:
    """Merge defaults, a scenario dict and ``--set`` overrides into a Scenario.

    Raises
    ------
    ConfigError
        With every problem found in the scenario and the overrides.
    """
    if "scenario" not in data and ("meta" in data or "parameters" in data):
        raise ConfigError([Problem(source, "<top level>", sorted(data),
                                   "a scenario file with a [scenario] table (this looks like a distribution file)")])
    doc, values, problems = parse_scenario(data, source)
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

    share_groups = {name[len("<group>"):]: v for name, (v, _) in values.items() if name.startswith("<group>")}
    values = {n: v for n, v in values.items() if not n.startswith("<group>")}
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
        problems.extend(_check_value(SET_SOURCE, name, name, value))
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
    problems.extend(_check_sums(numeric, where))
    problems.extend(_implementation(defaults, kinds, numeric, dists, sampled_from, where))
    ranges = {n: i.range for n, i in defaults.parameters.items()
              if i.range is not None and kinds[n] in ("lever", "normative") and n not in (overrides or {})}
    correlation: Correlation | None = None
    corr_spec_run = None
    if doc is not None and doc.correlation is not None:
        c = doc.correlation
        corr_spec = (list(c.parameters), [list(r) for r in c.matrix], source, c.source or "")
    else:
        corr_spec = defaults.correlation
        if corr_spec is not None:  # the defaults' blocks: only the parameters this scenario samples
            try:
                _restricted_correlation(corr_spec, {n: None for n in corr_spec[0]})
                correlation = _restricted_correlation(corr_spec, dists)
            except ConfigError as exc:
                problems.extend(exc.problems)
            corr_spec_run, corr_spec = corr_spec, None
    if corr_spec is not None:
        names, matrix, csource, ctext = corr_spec
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
    return build_scenario(read_toml(p), str(p), defaults=defaults, overrides=overrides, path=p)


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


__all__ = [
    "Defaults",
    "ParameterInfo",
    "Scenario",
    "build_scenario",
    "default_distribution_files",
    "file_sha256",
    "load_distributions",
    "load_scenario",
    "parse_distributions",
    "parse_scenario",
    "parse_set",
    "read_toml",
    "validate_file",
]
