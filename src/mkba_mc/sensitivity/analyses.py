"""Which knob decides it: the sensitivity analyses of a scenario.

* :func:`sobol` -- Sobol' indices per knop or parameter
  (:mod:`mkba_mc.sensitivity.sobol`, estimators in
  :mod:`mkba_mc.sensitivity.estimators`), grouped where inputs are dependent
  (:mod:`mkba_mc.sensitivity.dependence`), or Shapley effects
  (:mod:`mkba_mc.sensitivity.shapley`);
* :func:`~mkba_mc.sensitivity.morris.morris` -- Morris screening (SALib);
* :func:`~mkba_mc.sensitivity.oat.tornado`, :func:`~mkba_mc.sensitivity.oat.spider`,
  :func:`~mkba_mc.sensitivity.oat.switch_value` -- one parameter at a time;
* :func:`~mkba_mc.sensitivity.breakeven.breakeven` -- per lever the value
  where P(ratio_social >= 1) = 50 %.

The scenario as a problem (input space, factors, model with indicators) is
:mod:`mkba_mc.sensitivity.problem`.  The other analyses are re-exported here
so that ``from mkba_mc.sensitivity.analyses import tornado`` keeps working.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from ..errors import ConfigError, Problem
from ..execution.evaluators import Evaluator
from .breakeven import breakeven
from .morris import morris
from .oat import SwitchValue, spider, switch_value, tornado
from .problem import (
    DEFAULT_INPUTS,
    DEFAULT_LEVERS,
    DEFAULT_SOBOL_OUTPUTS,
    INDICATORS,
    SENSITIVITY_OUTPUTS,
    check_outputs,
    dependence_mode,
    in_space,
    model_for,
    problem_for,
    shapley_problem_for,
)
from .shapley import ShapleyResult
from .sobol import SobolResult, sobol_indices

if TYPE_CHECKING:
    from ..io.loading import Scenario


def sobol(scenario: Scenario, n: int, *, outputs: Sequence[str] = DEFAULT_SOBOL_OUTPUTS, seed: int = 0,
          second_order: bool = False, group_by: str = "knop", evaluator: Evaluator | None = None,
          workers: int = 1, resamples: int = 100,
          target_ci: float | None = None, n_max: int | None = None,
          progress: Callable[[int, int], None] | None = None,
          inputs: str | None = DEFAULT_INPUTS,
          method: str = "sobol", ignore_dependence: bool = False,
          groups: Mapping[str, Sequence[str]] | None = None,
          ) -> SobolResult | ShapleyResult:
    """Sobol' indices of a scenario.

    The options are those of :func:`mkba_mc.sensitivity.sobol.sobol_indices`
    (``evaluator`` or ``workers``: where the tasks run), checked here all at once;
    ``group_by`` is ``knop`` or ``parameter`` (:func:`problem_for`) and
    ``inputs`` the input space (:func:`in_space`), recorded as
    ``result.input_space``.

    Dependent inputs (a correlation, a share vector; issue 13):

    * ``method="sobol"`` (default): grouped indices -- every correlated set
      and share vector is one group sampled with its dependence
      (:func:`problem_for`), so the indices between groups are valid;
      ``ignore_dependence=True`` samples every input independently instead
      (the scenario's joint distribution is then *not* what is analysed),
      recorded as ``result.dependence = "ignored"``;
    * ``method="shapley"``: Shapley effects per parameter or knop
      (:func:`~mkba_mc.sensitivity.shapley.shapley_effects`, ``n`` random
      permutations), valid for dependent inputs.

    ``groups`` (name -> parameters, ``--group``) adds groups of the user's
    own; a group that is not a subset of the sampled inputs is a ConfigError.

    Raises
    ------
    ConfigError
        For a seed out of range, ``n`` (or ``n_max``) not a power of 2, fewer
        than 2 resamples, a target half-width outside (0, 1), an unknown
        output, group, input space or method, or an option that does not go
        with the method.
    """
    from ..checks import at_least, seed_problems

    scenario = in_space(scenario, inputs)
    problems = seed_problems(seed) + at_least(resamples, 2, "--resamples", "resamples", "bootstrap replicates")
    if method not in METHODS:
        raise ConfigError([Problem("--method", "method", method, f"one of: {', '.join(METHODS)}")])
    if method == "shapley":
        return _shapley(scenario, n, problems, outputs=outputs, seed=seed, second_order=second_order,
                        group_by=group_by, evaluator=evaluator, workers=workers, resamples=resamples,
                        target_ci=target_ci, ignore_dependence=ignore_dependence, progress=progress,
                        groups=groups)
    if n < 2 or n & (n - 1):
        problems.append(Problem("-n", "n", n, "a power of 2 (Sobol' designs balance only there), e.g. 1024, 65536"))
    if target_ci is not None and not 0 < target_ci < 1:
        problems.append(Problem("--target-ci", "target_ci", target_ci, "a half-width in (0, 1)"))
    if n_max is not None and (n_max < n or n_max & (n_max - 1)):
        problems.append(Problem("--n-max", "n_max", n_max, f"a power of 2 >= n ({n})"))
    if problems:
        raise ConfigError(problems)
    check_outputs(outputs)
    mode = dependence_mode(scenario, ignore_dependence)
    problem = problem_for(scenario, group_by, mode, groups)
    res = sobol_indices(model_for(scenario, outputs), problem, n, outputs=outputs, seed=seed,
                        second_order=second_order, evaluator=evaluator, workers=workers, resamples=resamples, target_ci=target_ci,
                        n_max=n_max, progress=progress)
    res.input_space = scenario.space
    res.kinds = tuple(scenario.kind(n) for n in problem.names)
    res.factor_dim = group_by
    res.dependence = mode
    return res


#: ``--method`` choices of ``sobol``.
METHODS = ("sobol", "shapley")


def _shapley(scenario: Scenario, n: int, problems: list[Problem], *, outputs: Sequence[str], seed: int,
             second_order: bool, group_by: str, evaluator: Evaluator | None, workers: int, resamples: int,
             target_ci: float | None, ignore_dependence: bool,
             progress: Callable[[int, int], None] | None,
             groups: Mapping[str, Sequence[str]] | None = None) -> ShapleyResult:
    """``sobol(..., method="shapley")``: options checked together, then the effects."""
    from .shapley import shapley_effects

    if n < 16:
        problems.append(Problem("-n", "n", n, "at least 16 random permutations (Shapley effects), e.g. 4096"))
    for flag, key, value in (("--second-order", "second_order", second_order), ("--target-ci", "target_ci", target_ci),
                             ("--ignore-dependence", "ignore_dependence", ignore_dependence)):
        if value:
            problems.append(Problem(flag, key, value, "not with --method shapley (Shapley effects account for "
                                                       "dependence and have no second order or target interval)"))
    if problems:
        raise ConfigError(problems)
    check_outputs(outputs)
    problem = shapley_problem_for(scenario, group_by, groups)
    res = shapley_effects(model_for(scenario, outputs), problem, n, outputs=outputs, seed=seed, resamples=resamples,
                          evaluator=evaluator, workers=workers, progress=progress)
    res.input_space = scenario.space
    res.kinds = tuple(scenario.kind(n) for n in problem.names)
    res.factor_dim = group_by
    return res


__all__ = [
    "DEFAULT_INPUTS",
    "DEFAULT_LEVERS",
    "DEFAULT_SOBOL_OUTPUTS",
    "INDICATORS",
    "METHODS",
    "SENSITIVITY_OUTPUTS",
    "SwitchValue",
    "breakeven",
    "check_outputs",
    "in_space",
    "model_for",
    "morris",
    "problem_for",
    "sobol",
    "spider",
    "switch_value",
    "tornado",
]
