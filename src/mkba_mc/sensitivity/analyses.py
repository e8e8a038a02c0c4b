"""Which knob decides it: the sensitivity analyses of a scenario.

* :func:`sobol` -- Sobol' indices per knop or parameter
  (:mod:`mkba_mc.sensitivity.sobol`, estimators in
  :mod:`mkba_mc.sensitivity.estimators`);
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

from collections.abc import Callable, Sequence
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
    in_space,
    model_for,
    problem_for,
)
from .sobol import SobolResult, sobol_indices

if TYPE_CHECKING:
    from ..io.loading import Scenario


def sobol(scenario: Scenario, n: int, *, outputs: Sequence[str] = DEFAULT_SOBOL_OUTPUTS, seed: int = 0,
          second_order: bool = False, group_by: str = "knop", evaluator: Evaluator | None = None,
          workers: int = 1, resamples: int = 100,
          target_ci: float | None = None, n_max: int | None = None,
          progress: Callable[[int, int], None] | None = None,
          inputs: str | None = DEFAULT_INPUTS,
          ) -> SobolResult:
    """Sobol' indices of a scenario.

    The options are those of :func:`mkba_mc.sensitivity.sobol.sobol_indices`
    (``evaluator`` or ``workers``: where the tasks run), checked here all at once;
    ``group_by`` is ``knop`` or ``parameter`` (:func:`problem_for`) and
    ``inputs`` the input space (:func:`in_space`), recorded as
    ``result.input_space``.

    Raises
    ------
    ConfigError
        For a seed out of range, ``n`` (or ``n_max``) not a power of 2, fewer
        than 2 resamples, a target half-width outside (0, 1) or an unknown
        output, group or input space.
    """
    from ..checks import at_least, seed_problems

    scenario = in_space(scenario, inputs)
    problems = seed_problems(seed) + at_least(resamples, 2, "--resamples", "resamples", "bootstrap replicates")
    if n < 2 or n & (n - 1):
        problems.append(Problem("-n", "n", n, "a power of 2 (Sobol' designs balance only there), e.g. 1024, 65536"))
    if target_ci is not None and not 0 < target_ci < 1:
        problems.append(Problem("--target-ci", "target_ci", target_ci, "a half-width in (0, 1)"))
    if n_max is not None and (n_max < n or n_max & (n_max - 1)):
        problems.append(Problem("--n-max", "n_max", n_max, f"a power of 2 >= n ({n})"))
    if problems:
        raise ConfigError(problems)
    check_outputs(outputs)
    problem = problem_for(scenario, group_by)
    res = sobol_indices(model_for(scenario, outputs), problem, n, outputs=outputs, seed=seed,
                        second_order=second_order, evaluator=evaluator, workers=workers, resamples=resamples, target_ci=target_ci,
                        n_max=n_max, progress=progress)
    res.input_space = scenario.space
    res.kinds = tuple(scenario.kind(n) for n in problem.names)
    return res


__all__ = [
    "DEFAULT_INPUTS",
    "DEFAULT_LEVERS",
    "DEFAULT_SOBOL_OUTPUTS",
    "INDICATORS",
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
