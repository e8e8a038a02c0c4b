"""Probabilistic break-even of the levers and a robustness table.

Per lever, the lever is fixed at each of ``grid`` values over its range while
every other uncertainty is sampled -- the same draws at every value (common
random numbers) -- and P(ratio_social >= 1) and P(ratio_gemeente >= 1) are
computed at each value.  The break-even is the value where P(ratio_social >=
1) crosses 50 % (linear interpolation between grid points): the value of
information question "how good must this lever be" of the meta-analyse
(issue 4).  Every (lever, value) is a task on an evaluator
(:mod:`mkba_mc.execution.evaluators`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray

from ..errors import ConfigError, Problem
from ..execution.evaluators import Evaluator, local_evaluator
from ..model.core import evaluate
from ..model.parameters import PARAMETERS
from ..uncertainty.plan import SamplingPlan
from .curve import MAX_GRID_VALUES
from .oat import range_of
from .problem import DEFAULT_LEVERS

if TYPE_CHECKING:
    from ..io.loading import Scenario

Array = NDArray[np.float64]

#: Fewest samples per grid value (the grid's size is at most :data:`MAX_GRID_VALUES`).
MIN_SAMPLES: Final[int] = 100
#: Memory of one sample of one grid value's model evaluation: an upper bound
#: (about 1.2 kB measured; the rest is room for the sampled inputs).
BYTES_PER_SAMPLE: Final[int] = 8 * 1024


@dataclass(frozen=True)
class BreakevenJob:
    """The sampled inputs of a break-even and the model: each task evaluates
    the probabilities with one lever fixed at one value."""

    scenario: Scenario
    inputs: dict[str, Array]

    def probabilities(self, task: tuple[str, float]) -> tuple[float, float]:
        """P(ratio_social >= 1) and P(ratio_gemeente >= 1) with ``lever = value``."""
        lever, value = task
        params = {**self.scenario.params, **self.inputs, lever: value}
        res = evaluate(params, self.scenario.structure, ["ratio_social", "ratio_gemeente"])
        return float(np.mean(res["ratio_social"] >= 1.0)), float(np.mean(res["ratio_gemeente"] >= 1.0))


def check_breakeven(levers: Sequence[str], n: int, grid: int) -> None:
    """All problems of a break-even's options at once.

    Raises
    ------
    ConfigError
        For an unknown lever, fewer than :data:`MIN_SAMPLES` samples, a grid
        outside 2..:data:`MAX_GRID_VALUES`, or more memory than is available.
    """
    from ..checks import memory_problems

    problems = [Problem("--lever", "lever", lever, "a known parameter name") for lever in levers
                if lever not in PARAMETERS]
    if n < MIN_SAMPLES:
        problems.append(Problem("-n", "n", n, f"at least {MIN_SAMPLES} samples"))
    if not 2 <= grid <= MAX_GRID_VALUES:
        problems.append(Problem("--grid", "grid", grid, f"2 to {MAX_GRID_VALUES:,} grid values"))
    if not problems:
        problems = memory_problems(n, BYTES_PER_SAMPLE, what="one grid value's model evaluation")
    if problems:
        raise ConfigError(problems)


def breakeven(scenario: Scenario, levers: Sequence[str] = DEFAULT_LEVERS, *, n: int = 20_000, grid: int = 11,
              seed: int = 0, evaluator: Evaluator | None = None, workers: int = 1) -> tuple[Any, Any]:
    """Probabilistic break-even and robustness table.

    Parameters
    ----------
    scenario : Scenario
        The scenario; its uncertainties are sampled (``n`` samples of its plan).
    levers : sequence of str
        Levers (parameter names) to fix in turn; each needs a range
        (:func:`~mkba_mc.sensitivity.oat.range_of`).
    n : int
        Samples, the same at every grid value (at least :data:`MIN_SAMPLES`).
    grid : int
        Values per lever, evenly over its range (2 to :data:`MAX_GRID_VALUES`).
    seed : int
        Seed of the samples.
    evaluator : Evaluator, optional
        Where the (lever, value) tasks run (used, not closed).
    workers : int
        Without ``evaluator``: local workers (forked processes where available).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Break-even per lever (``breakeven`` None when P does not cross 50 %
        in the range), and the robustness table (lever, value,
        probabilities with standard errors).
    """
    import pandas as pd

    check_breakeven(levers, n, grid)
    ranges = {lever: range_of(scenario, lever) for lever in levers}
    plan = SamplingPlan.from_scenario(scenario, n, seed)
    job = BreakevenJob(scenario, plan.inputs(0, n))
    values = {lever: np.linspace(lo, hi, grid) for lever, (lo, hi) in ranges.items()}
    tasks = [(lever, v) for lever in levers for v in values[lever]]
    tasks += [(lever, scenario.params[lever]) for lever in levers]  # the probability at the point value
    own = evaluator is None
    evaluator = local_evaluator(workers) if evaluator is None else evaluator
    try:
        evaluator.expect(len(tasks))
        probs = list(evaluator.map(job.probabilities, tasks))
    finally:
        if own:
            evaluator.close()
    rows = []
    best = []
    for i, lever in enumerate(levers):
        lo, hi = ranges[lever]
        p_social = []
        for j, v in enumerate(values[lever]):
            ps, pg = probs[i * grid + j]
            p_social.append(ps)
            rows.append({"lever": lever, "value": float(v), "p_ratio_social_ge_1": ps,
                         "se_social": float(np.sqrt(ps * (1 - ps) / n)), "p_ratio_gemeente_ge_1": pg,
                         "se_gemeente": float(np.sqrt(pg * (1 - pg) / n))})
        best.append({"lever": lever, "low": lo, "high": hi, "point": scenario.params[lever],
                     "breakeven": _crossing(values[lever], np.array(p_social) - 0.5),
                     "p_at_point": probs[len(levers) * grid + i][0]})
    table = pd.DataFrame(rows)
    summary = pd.DataFrame(best)
    summary.attrs.update(n=n, seed=seed, grid=grid)
    return summary, table


def _crossing(values: Array, p: Array) -> float | None:
    """The first value where ``p`` changes sign (linear interpolation), or None."""
    cross = np.flatnonzero(np.sign(p[:-1]) * np.sign(p[1:]) <= 0)
    if not cross.size:
        return None
    i = int(cross[0])
    return float(values[i] if p[i] == p[i + 1] else values[i] + (values[i + 1] - values[i]) * (-p[i]) / (p[i + 1] - p[i]))


__all__ = ["BYTES_PER_SAMPLE", "BreakevenJob", "MAX_GRID_VALUES", "MIN_SAMPLES", "breakeven", "check_breakeven"]
