"""The scenario as a sensitivity problem: its input space, its factors and a
vectorised model of them.

* :func:`in_space` -- the input space of the "which knob decides" analyses
  (reference/uncertainty.md §1);
* :func:`problem_for` -- the sampled parameters as a :class:`~mkba_mc.sensitivity.sobol.Problem`,
  per parameter or grouped per knop (meta-analyse §5.1);
* :func:`model_for` -- a vectorised function of those parameters that also
  returns the decision indicators (:data:`INDICATORS`: 1 where the
  conclusion holds, 0 elsewhere).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import NDArray

from ..errors import ConfigError, Problem
from ..model.core import ALL_OUTPUTS, PROGRAMME_OUTPUTS, evaluate
from ..uncertainty.spaces import GROUP_BY
from .dependence import dependence_for, dependence_units, grouped_factors, has_dependence
from .sobol import Problem as SobolProblem

if TYPE_CHECKING:
    from ..io.loading import Scenario

Array = NDArray[np.float64]

#: Indicator outputs: name -> (output, threshold).
INDICATORS: Final[dict[str, tuple[str, float]]] = {
    "ratio_social_ge_1": ("ratio_social", 1.0),
    "ratio_gemeente_ge_1": ("ratio_gemeente", 1.0),
    "balance_gemeente_ge_0": ("balance_gemeente", 0.0),
    "balance_ge_0": ("balance", 0.0),
}
DEFAULT_SOBOL_OUTPUTS: Final[tuple[str, ...]] = (
    "ratio_social", "ratio_financial", "ratio_gemeente", "balance", "balance_gemeente",
    "ratio_social_ge_1", "balance_gemeente_ge_0",
)
SENSITIVITY_OUTPUTS: Final[tuple[str, ...]] = tuple(
    o for o in ALL_OUTPUTS if o not in PROGRAMME_OUTPUTS and not o.startswith("actor_")) + tuple(INDICATORS)
#: Levers of issue 4: substitution, caseload, newly found share, new-for-old share.
DEFAULT_LEVERS: Final[tuple[str, ...]] = (
    "substitution_new", "substitution_existing", "newly_found_share", "additional_share_team", "caseload.mv_nzr",
)


def check_outputs(outputs: Sequence[str], source: str = "--output") -> None:
    bad = [o for o in outputs if o not in SENSITIVITY_OUTPUTS]
    if bad:
        raise ConfigError([Problem(source, "output", o, f"one of: {', '.join(SENSITIVITY_OUTPUTS)}") for o in bad])


#: Input space of the "which knob decides" analyses unless told otherwise:
#: uncertainties, levers over their plausible range and normative inputs over
#: their range (reference/uncertainty.md §1), so that the knoppen
#: ``waardering`` and ``discontering`` appear beside the levers.
DEFAULT_INPUTS: Final[str] = "all"
#: ``--inputs`` choices of sobol, morris and tornado, and the space each means.
SENSITIVITY_INPUTS: Final[dict[str, str]] = {"all": "all", "plan": "plan", "uncertainties": "uncertainties"}


def in_space(scenario: Scenario, inputs: str | None = DEFAULT_INPUTS) -> Scenario:
    """The scenario over the input space of a sensitivity analysis.

    ``all`` (default): uncertainties, levers over their plausible range and
    normative inputs over their range; ``plan``: the space of ``run``
    (uncertainties and the levers' implementation uncertainty);
    ``uncertainties``: uncertainties only. A scenario already converted by
    :meth:`~mkba_mc.io.loading.Scenario.in_space` is returned as it is.
    """
    if inputs is None or scenario.space not in ("run", "plan"):
        return scenario
    if inputs not in SENSITIVITY_INPUTS:
        raise ConfigError([Problem("--inputs", "inputs", inputs, f"one of: {', '.join(SENSITIVITY_INPUTS)}")])
    return scenario.in_space(SENSITIVITY_INPUTS[inputs])


def dependence_mode(scenario: Scenario, ignore_dependence: bool = False) -> str:
    """How a Sobol' analysis treats the scenario's dependent inputs
    (:data:`~mkba_mc.sensitivity.dependence.DEPENDENCE_MODES`): ``none``
    without correlations or share vectors, else ``grouped``, or ``ignored``
    only when asked for explicitly."""
    if not has_dependence(scenario.correlation, scenario.share_groups):
        return "none"
    return "ignored" if ignore_dependence else "grouped"


def _factor_keys(scenario: Scenario, design: Sequence[str], group_by: str,
                 groups: Mapping[str, Sequence[str]] | None) -> dict[str, str] | None:
    """Per design row the key factors are built from: its knop (``group_by="knop"``)
    or itself, overridden by the user's ``groups``; ``None`` for plain
    parameters.  A group with a parameter outside ``design`` or a parameter in
    two groups is a clean error, all problems at once."""
    if not groups and group_by != "knop":
        return None
    keys = {n: (scenario.info[n].knop if n in scenario.info else n) if group_by == "knop" else n for n in design}
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for name, members in (groups or {}).items():
        if not members:
            problems.append(Problem("--group", f"group.{name}", [], "at least one parameter"))
        for m in members:
            if m not in keys:
                problems.append(Problem("--group", f"group.{name}", m, "a parameter sampled in this input space "
                                        f"({scenario.space}; see mkba-mc validate --list)"))
            elif m in seen:
                problems.append(Problem("--group", f"group.{name}", m, f"a parameter of one group only (also in {seen[m]})"))
            else:
                seen[m] = name
                keys[m] = name
    if problems:
        raise ConfigError(problems)
    return keys


def _checked(scenario: Scenario, group_by: str) -> tuple[str, ...]:
    if group_by not in GROUP_BY:
        raise ConfigError([Problem("--group-by", "group_by", group_by, "knop or parameter")])
    if not scenario.sampled:
        raise ConfigError([Problem(str(scenario.path), "parameters", "<none>",
                                   "at least one parameter with a distribution")])
    return tuple(scenario.sampled)


def problem_for(scenario: Scenario, group_by: str = "parameter", dependence: str = "grouped",
                groups: Mapping[str, Sequence[str]] | None = None) -> SobolProblem:
    """The scenario's sampled parameters as a sensitivity problem.

    ``group_by="knop"`` groups them by the knop of their kengetal (the
    lever groups of meta-analyse §5.1); ``groups`` (name -> parameters) puts
    parameters in groups of the user's own.  With dependent inputs and
    ``dependence="grouped"`` (the default) every correlated set and every
    share vector is one group, sampled jointly with its copula or Dirichlet
    distribution (:mod:`mkba_mc.sensitivity.dependence`; Jacques et al. 2006),
    and the knoppen (or groups) such a set links are merged.  With
    ``dependence="ignored"`` correlations and share vectors are left out, as
    before issue 13: Sobol' indices of independent inputs, which the scenario
    does not have.

    Raises
    ------
    ConfigError
        For an unknown ``group_by``, no sampled parameter, or a group that is
        empty, names a parameter not sampled here, or shares one with another.
    """
    names = _checked(scenario, group_by)
    if dependence == "ignored" or not has_dependence(scenario.correlation, scenario.share_groups):
        keys = _factor_keys(scenario, names, group_by, groups)
        return SobolProblem(names, tuple(scenario.distributions[n] for n in names),
                            None if keys is None else tuple(keys[n] for n in names))
    units = dependence_units(names, scenario.correlation, scenario.share_groups)
    design = list(names) + [m for u in units if u.kind == "shares" for m in u.members]
    dists = tuple(scenario.distributions.get(n) if n in names else None for n in design)
    factor = grouped_factors(units, _factor_keys(scenario, design, group_by, groups), compact=group_by != "knop")
    return SobolProblem(tuple(design), dists, tuple(factor[n] for n in design),
                        dependence_for(design, scenario.correlation, scenario.share_groups))


def shapley_problem_for(scenario: Scenario, group_by: str = "parameter",
                        groups: Mapping[str, Sequence[str]] | None = None) -> SobolProblem:
    """The players of a Shapley analysis (:mod:`mkba_mc.sensitivity.shapley`).

    Per parameter every sampled parameter is a player, correlated ones too
    (the estimator samples them conditionally), and every share vector one
    player; per knop (or per user group) the knoppen, merged only where a
    share vector spans two.
    """
    names = _checked(scenario, group_by)
    units = dependence_units(names, None, scenario.share_groups)
    design = list(names) + [m for u in units if u.kind == "shares" for m in u.members]
    dists = tuple(scenario.distributions.get(n) if n in names else None for n in design)
    factor = grouped_factors(units, _factor_keys(scenario, design, group_by, groups), compact=group_by != "knop")
    return SobolProblem(tuple(design), dists, tuple(factor[n] for n in design),
                        dependence_for(design, scenario.correlation, scenario.share_groups))


def model_for(scenario: Scenario, outputs: Sequence[str]) -> Callable[[Mapping[str, Array]], dict[str, Array]]:
    """A vectorised function of the sampled parameters returning ``outputs``
    (model outputs or the indicators of :data:`INDICATORS`)."""
    check_outputs(outputs)
    needed = sorted({INDICATORS[o][0] if o in INDICATORS else o for o in outputs})
    base = dict(scenario.params)
    structure = scenario.structure

    def func(x: Mapping[str, Array]) -> dict[str, Array]:
        params = dict(base)
        params.update(x)
        res = evaluate(params, structure, needed)
        out = {}
        for o in outputs:
            if o in INDICATORS:
                src, thr = INDICATORS[o]
                out[o] = (res[src] >= thr).astype(np.float64)
            else:
                out[o] = res[o]
        return out

    return func


def _space_text(space: str) -> str:
    from ..uncertainty.spaces import INPUT_SPACES

    return INPUT_SPACES.get(space, space)


__all__ = ["DEFAULT_INPUTS", "dependence_mode", "DEFAULT_LEVERS", "DEFAULT_SOBOL_OUTPUTS", "INDICATORS", "SENSITIVITY_INPUTS",
           "SENSITIVITY_OUTPUTS", "check_outputs", "in_space", "model_for", "problem_for",
           "shapley_problem_for"]
