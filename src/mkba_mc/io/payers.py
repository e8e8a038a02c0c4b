"""Payer-share vectors and time profiles: the checks and the merge rules.

Shared by the distribution file (:mod:`mkba_mc.io.distfile`) and the
scenario file (:mod:`mkba_mc.io.scenario_parse`), which give the same
tables in slightly different shapes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..errors import Problem
from ..model.parameters import SUM_TOLERANCE
from ..model.sets import HORIZON, PAYER_KEYS, PAYER_POSTS, TYPED_PAYER_POSTS


def check_shares(source: str, key: str, shares: Mapping[str, float], names: Sequence[str],
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


PAYER_EXPECTED = (f"one of the posts {', '.join(p for p in PAYER_KEYS if '.' not in p)}; the posts "
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


def merge_payers(into: dict[str, dict[str, float]], new: Mapping[str, Mapping[str, float]]) -> None:
    """Merge a later distribution file's payers: its bare vectors replace the
    earlier files' per-type vectors of the same post."""
    for post in new:
        if post in TYPED_PAYER_POSTS:
            for key in [k for k in into if _base_post(k) == post and k not in new]:
                del into[key]
    into.update({k: dict(v) for k, v in new.items()})


def check_profile(source: str, key: str, weights: Sequence[float]) -> list[Problem]:
    problems = [Problem(source, f"{key}[{i}]", w, "a weight >= 0") for i, w in enumerate(weights) if w < 0]
    total = math.fsum(weights)
    if abs(total - 1.0) > SUM_TOLERANCE:
        problems.append(Problem(source, key, list(weights), f"weights over years 0..{HORIZON} that sum to 1 (they sum to {total:.6g})"))
    return problems
