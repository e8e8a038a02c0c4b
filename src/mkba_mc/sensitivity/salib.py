"""The one place mkba_mc calls SALib (Herman & Usher 2017, JOSS 2(9), 97;
Iwanaga, Usher & Herman 2022, Socio-Environmental Systems Modelling 4, 18155).

SALib is imported only inside these functions, so importing mkba_mc does not
import it.  The Sobol' indices of mkba_mc are computed by its own bounded-memory
estimators (:mod:`mkba_mc.sensitivity.estimators`), checked against
``SALib.analyze.sobol`` by the tests; Morris screening uses SALib directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .sobol import Problem

Array = NDArray[np.float64]


def salib_problem(problem: Problem) -> dict[str, Any]:
    """SALib's problem dictionary of a problem on the unit cube: the design
    is made in the inputs' probability space and mapped by their inverse CDFs."""
    return {"num_vars": problem.d, "names": list(problem.names), "bounds": [[0.0, 1.0]] * problem.d}


def morris_sample(problem: Problem, trajectories: int, levels: int, seed: int) -> Array:
    """A Morris (1991) design of ``trajectories`` trajectories on a grid of
    ``levels`` levels (``SALib.sample.morris.sample``), ``(trajectories (d + 1), d)``."""
    from SALib.sample import morris

    return np.asarray(morris.sample(salib_problem(problem), trajectories, num_levels=levels, seed=seed))


def morris_analyze(problem: Problem, u: Array, y: Array, levels: int, seed: int) -> dict[str, Array]:
    """Elementary effects of outputs ``y`` on the design ``u``
    (``SALib.analyze.morris.analyze``): ``mu``, ``mu_star`` (Campolongo,
    Cariboni & Saltelli 2007), ``sigma`` and ``mu_star_conf``."""
    from SALib.analyze import morris

    res = morris.analyze(salib_problem(problem), u, y, num_levels=levels, seed=seed)
    return {k: np.asarray(res[k], dtype=float) for k in ("mu", "mu_star", "sigma", "mu_star_conf")}


__all__ = ["morris_analyze", "morris_sample", "salib_problem"]
