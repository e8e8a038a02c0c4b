"""Dependent inputs in a sensitivity analysis: which inputs move together, and
how to sample them jointly.

Sobol' indices are defined for independent factors (Sobol' 1993; Saltelli et
al. 2010): with a Gaussian copula between inputs (:mod:`mkba_mc.uncertainty.copula`)
or a Dirichlet share vector (:mod:`mkba_mc.uncertainty.shares`) the indices of
single parameters lose their meaning.  They stay valid for *groups* that are
independent of each other (Jacques, Lavergne & Devictor 2006, "Sensitivity
analysis in presence of model uncertainty and correlated inputs", Reliab.
Eng. Syst. Saf. 91; Iooss & Prieur 2019, §2): each connected component of the
correlation graph and each share vector is one group, sampled jointly with its
real dependence inside, independently between groups.

* :func:`dependence_units` -- the smallest independent units of a scenario:
  single parameters, correlated sets, share vectors;
* :func:`grouped_factors` -- the factors of a grouped analysis (per parameter:
  the units; per knop: knoppen linked by a dependence merged, labelled
  ``"knop A + knop B (samenhangend)"``);
* :class:`Dependence` -- the joint transform of a design's uniforms
  (copula blocks, inverse CDFs, Dirichlet groups), row by row so it does not
  depend on the chunking.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from scipy import special

from ..uncertainty import libm
from ..uncertainty.copula import Correlation, cholesky, correlate
from ..uncertainty.shares import dirichlet_shares

Array = NDArray[np.float64]

#: How a ``sobol`` analysis treated dependent inputs (``attrs["dependence"]``).
DEPENDENCE_MODES: Final[dict[str, str]] = {
    "none": "no dependent inputs: plain Sobol' indices",
    "grouped": "each correlated set and each share vector is one group, sampled jointly; indices between "
               "independent groups (Jacques et al. 2006)",
    "ignored": "dependence IGNORED on request (--ignore-dependence): inputs sampled independently, "
               "correlations and share vectors left out; not the scenario's joint distribution",
    "shapley": "Shapley effects with exact conditional sampling (Song, Nelson & Staum 2016)",
}
#: Suffix of a factor that joins knoppen linked by a dependence.
LINKED: Final[str] = " (samenhangend)"


@dataclass(frozen=True)
class Unit:
    """An independent unit of a scenario's inputs.

    Attributes
    ----------
    name : str
        The parameter, the share vector's name, or a compact label of a
        correlated set (:func:`set_label`).
    members : tuple of str
        Its parameters.
    kind : str
        ``parameter``, ``correlated`` or ``shares``.
    """

    name: str
    members: tuple[str, ...]
    kind: str


def set_label(members: Sequence[str]) -> str:
    """A short label of a correlated set: parameters joined by ``+``, an
    indexed family written ``root.*`` when two or more of its members are in
    the set (``new_care_fraction + care_profile.*``)."""
    roots: dict[str, list[str]] = {}
    for m in members:
        roots.setdefault(m.split(".")[0], []).append(m)
    parts = [f"{r}.*" if len(ms) > 1 else ms[0] for r, ms in roots.items()]
    return " + ".join(parts)


def components(corr: Correlation) -> list[tuple[str, ...]]:
    """Connected components of the correlation graph (an edge where the
    rank correlation is not 0), each in the order of ``corr.names``."""
    k = len(corr.names)
    parent = list(range(k))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(k):
        for j in range(i):
            if corr.spearman[i, j] != 0.0:
                parent[find(i)] = find(j)
    comps: dict[int, list[str]] = {}
    for i, nm in enumerate(corr.names):
        comps.setdefault(find(i), []).append(nm)
    return [tuple(c) for c in comps.values()]


def dependence_units(names: Sequence[str], correlation: Correlation | None,
                     share_groups: Mapping[str, tuple[tuple[str, ...], tuple[float, ...]]]) -> list[Unit]:
    """The independent units of the sampled ``names`` and the share vectors,
    in design order: each parameter alone, each correlated set (a component
    with more than one member) at its first member's place, then each share
    vector (one unit)."""
    comp_of: dict[str, tuple[str, ...]] = {}
    if correlation is not None:
        for comp in components(correlation):
            if len(comp) > 1:
                for m in comp:
                    comp_of[m] = comp
    units: list[Unit] = []
    seen: set[tuple[str, ...]] = set()
    for nm in names:
        comp = comp_of.get(nm)
        if comp is None:
            units.append(Unit(nm, (nm,), "parameter"))
        elif comp not in seen:
            seen.add(comp)
            units.append(Unit(set_label(comp), tuple(m for m in names if m in comp), "correlated"))
    for group, (members, _) in share_groups.items():
        units.append(Unit(group, tuple(members), "shares"))
    return units


def grouped_factors(units: Sequence[Unit], knop_of: Mapping[str, str] | None,
                    compact: bool = False) -> dict[str, str]:
    """Factor of every parameter in a grouped analysis.

    Per parameter (``knop_of`` None) the factors are the units.  Per knop,
    every knop whose parameters share a unit with another knop is merged with
    it (union-find), and the merged factor is named ``"knop A + knop B
    (samenhangend)"`` in the order the knoppen first appear; with ``compact``
    (keys that are parameters or the user's groups) ``"a + b"`` as
    :func:`set_label` writes it.
    """
    if knop_of is None:
        return {m: u.name for u in units for m in u.members}
    order = list(dict.fromkeys(knop_of[m] for u in units for m in u.members))
    parent = {k: k for k in order}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for u in units:
        ks = [knop_of[m] for m in u.members]
        for k in ks[1:]:
            a, b = find(ks[0]), find(k)
            if a != b:
                parent[max(a, b, key=order.index)] = min(a, b, key=order.index)
    members: dict[str, list[str]] = {}
    for k in order:
        members.setdefault(find(k), []).append(k)
    def name(ms: list[str]) -> str:
        if len(ms) == 1:
            return ms[0]
        return set_label(ms) if compact else " + ".join(ms) + LINKED

    label = {k: name(ms) for ms in members.values() for k in ms}
    return {m: label[knop_of[m]] for u in units for m in u.members}


@dataclass(frozen=True)
class Dependence:
    """The joint transform of a design with dependent inputs.

    Attributes
    ----------
    blocks : tuple of (rows, cholesky)
        Design rows of one correlated set and the lower Cholesky factor of
        its normal-score correlation (``2 sin(pi rho_s / 6)``, Kruskal 1958).
    shares : tuple of (rows, alpha)
        Design rows of one share vector and its Dirichlet parameters.
    """

    blocks: tuple[tuple[tuple[int, ...], Array], ...] = ()
    shares: tuple[tuple[tuple[int, ...], tuple[float, ...]], ...] = ()
    #: The normal-score correlation matrix of each block.
    normals: tuple[Array, ...] = ()

    def values(self, u: Array, dists: Sequence[Any], scores: bool = False) -> Array:
        """Uniforms ``(d, rows)`` to parameter values in place: the copula
        within each correlated set (:func:`~mkba_mc.uncertainty.copula.correlate`),
        the inverse CDF of each single parameter, the Dirichlet shares
        (:func:`~mkba_mc.uncertainty.shares.dirichlet_shares`).  With
        ``scores`` the rows of each correlated set already hold correlated
        normal scores, which go through the normal CDF instead."""
        for rows, chol in self.blocks:
            if scores:
                u[list(rows)] = special.ndtr(u[list(rows)])
            else:
                correlate(u, rows, chol)
        for j, dist in enumerate(dists):
            if dist is not None:
                dist.ppf(u[j], out=u[j])
        for rows, alpha in self.shares:
            lo, hi = rows[0], rows[-1] + 1
            dirichlet_shares(u[lo:hi], alpha)
        return u


def dependence_for(names: Sequence[str], correlation: Correlation | None,
                   share_groups: Mapping[str, tuple[tuple[str, ...], tuple[float, ...]]]) -> Dependence:
    """The :class:`Dependence` of a design whose rows are ``names`` (the
    sampled parameters, then every share vector's members in one run)."""
    blocks = []
    normals = []
    if correlation is not None:
        r = 2.0 * libm.sin(np.pi * correlation.spearman / 6.0)
        np.fill_diagonal(r, 1.0)
        for comp in components(correlation):
            if len(comp) < 2:
                continue
            idx = [correlation.names.index(m) for m in comp]
            normals.append(np.ascontiguousarray(r[np.ix_(idx, idx)]))
            blocks.append((tuple(names.index(m) for m in comp), cholesky(normals[-1])))
    shares = tuple((tuple(names.index(m) for m in members), tuple(alpha))
                   for members, alpha in share_groups.values())
    return Dependence(tuple(blocks), shares, tuple(normals))


def members_json(problem: Any) -> str:
    """The parameters of every factor of a problem as JSON text (a netCDF attribute)."""
    import json

    return json.dumps({f: [problem.names[j] for j in cols]
                       for f, cols in zip(problem.factor_names, problem.factor_columns)})


def parse_groups(specs: Sequence[str]) -> dict[str, list[str]]:
    """``--group NAME=PARAMETER,PARAMETER,...`` (repeatable) as a mapping.

    Raises
    ------
    ConfigError
        For a spec without ``=``, an empty name or a name given twice.
    """
    from ..errors import ConfigError, Problem

    out: dict[str, list[str]] = {}
    problems = []
    for spec in specs:
        name, sep, rest = spec.partition("=")
        name = name.strip()
        if not sep or not name:
            problems.append(Problem("--group", "group", spec, "NAME=PARAMETER,PARAMETER,..."))
        elif name in out:
            problems.append(Problem("--group", f"group.{name}", spec, "each group name once"))
        else:
            out[name] = [p.strip() for p in rest.split(",") if p.strip()]
    if problems:
        raise ConfigError(problems)
    return out


def has_dependence(correlation: Correlation | None, share_groups: Mapping[str, Any]) -> bool:
    """Whether a scenario's sampled inputs are dependent (a correlation with a
    non-zero off-diagonal entry, or a share vector)."""
    if share_groups:
        return True
    return correlation is not None and any(len(c) > 1 for c in components(correlation))


__all__ = ["DEPENDENCE_MODES", "LINKED", "Dependence", "Unit", "components", "dependence_for", "dependence_units",
           "grouped_factors", "has_dependence", "members_json", "parse_groups", "set_label"]
