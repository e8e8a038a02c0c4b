"""Morris elementary-effects screening of a scenario (Morris 1991,
Technometrics 33(2), 161-174; ``mu_star`` of Campolongo, Cariboni & Saltelli
2007, Environmental Modelling & Software 22(10), 1509-1518), in the
probability space of the inputs: the design is made on the unit cube by
SALib (:mod:`mkba_mc.sensitivity.salib`) and mapped by the inverse CDFs, so
a step is a change of quantile.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import Problem
from .problem import DEFAULT_INPUTS, _space_text, check_outputs, in_space, model_for, problem_for
from .salib import morris_analyze, morris_sample

if TYPE_CHECKING:
    from ..io.loading import Scenario

Array = NDArray[np.float64]

#: Memory of one model evaluation of a Morris design: an upper bound (as for
#: the break-even grid of the command line: about 1.2 kB measured, the rest
#: is room for the design and the sampled inputs).
MORRIS_BYTES_PER_EVALUATION = 8 * 1024


def morris(scenario: Scenario, trajectories: int = 100, *, levels: int = 4, outputs: Sequence[str] = ("ratio_social",
           "ratio_gemeente"), seed: int = 0, inputs: str | None = DEFAULT_INPUTS) -> Any:
    """Morris screening (SALib) of the sampled parameters of the input space
    ``inputs`` (:func:`in_space`).

    Returns an :class:`xarray.Dataset` with ``mu``, ``mu_star``, ``sigma`` and
    ``mu_star_conf`` per output and parameter; elementary effects are in the
    inputs' probability space (a step is a change of quantile).
    """
    import xarray as xr

    from ..checks import at_least, memory_problems, raise_problems, seed_problems

    problems = seed_problems(seed) + at_least(levels, 2, "--levels", "levels", "grid levels of the Morris design")
    if trajectories < 2:
        problems.append(Problem("-n", "trajectories", trajectories, "at least 2 trajectories"))
    raise_problems(problems)
    check_outputs(outputs)
    scenario = in_space(scenario, inputs)
    problem = problem_for(scenario)
    # a trajectory is d + 1 model evaluations; the design, its inputs and the
    # model's intermediates are held at once (about 8 kB per evaluation, an upper bound)
    raise_problems(memory_problems(trajectories, (problem.d + 1) * MORRIS_BYTES_PER_EVALUATION,
                                   what=f"the Morris design ({problem.d + 1} model evaluations per trajectory)",
                                   advice="lower -n (trajectories)"))
    u = morris_sample(problem, trajectories, levels, seed)
    u = np.clip(u, 1e-9, 1 - 1e-9)  # the grid reaches 0 and 1: keep inverse CDFs finite
    x = {nm: problem.dists[j].ppf(np.ascontiguousarray(u[:, j])) for j, nm in enumerate(problem.names)}
    y = model_for(scenario, outputs)(x)
    data: dict[str, list[Array]] = {k: [] for k in ("mu", "mu_star", "sigma", "mu_star_conf")}
    for o in outputs:
        res = morris_analyze(problem, u, y[o], levels, seed)
        for k in data:
            data[k].append(res[k])
    ds = xr.Dataset({k: (("output", "parameter"), np.array(v)) for k, v in data.items()},
                    coords={"output": list(outputs), "parameter": list(problem.names),
                            "knop": ("parameter", [scenario.info[n].knop for n in problem.names]),
                            "kind": ("parameter", [scenario.kind(n) for n in problem.names])})
    ds.attrs.update(trajectories=trajectories, levels=levels, seed=seed, evaluations=len(u),
                    input_space=scenario.space, input_space_text=_space_text(scenario.space),
                    method="Morris (1991) elementary effects, SALib; mu_star per Campolongo et al. (2007)")
    return ds


__all__ = ["MORRIS_BYTES_PER_EVALUATION", "morris"]
