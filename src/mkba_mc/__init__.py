"""mkba_mc: Monte Carlo uncertainty and sensitivity for the MKBA of Dutch social teams.

The public API (:mod:`mkba_mc.api`): load a scenario, evaluate the model at
points, and run every analysis of the command line, each returning an
:class:`xarray.Dataset` with its provenance in ``attrs``:

>>> from mkba_mc import load_scenario, run_monte_carlo, sobol
>>> sc = load_scenario("scenarios/bijlage2_voorbeeld.toml")      # doctest: +SKIP
>>> out = sc.evaluate({"qaly_value": [20_000, 100_000]})          # doctest: +SKIP
>>> mc = run_monte_carlo(sc, 20_000, seed=1)                      # doctest: +SKIP
>>> si = sobol(sc, 1024, seed=3)                                  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .api import acceptability_curve, breakeven, build_report, morris, run_monte_carlo, sobol, tornado
from .errors import ConfigError, MkbaError, MkbaWarning, Problem
from .io.loading import Scenario, load_distributions, load_scenario
from .model.core import ALL_OUTPUTS, SCALAR_OUTPUTS, Structure, evaluate
from .model.parameters import PARAMETERS
from .model.sets import ACTORS, TYPES

try:
    __version__ = version("mkba-mc")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = [
    "ACTORS",
    "ALL_OUTPUTS",
    "ConfigError",
    "MkbaError",
    "MkbaWarning",
    "PARAMETERS",
    "Problem",
    "SCALAR_OUTPUTS",
    "Scenario",
    "Structure",
    "TYPES",
    "__version__",
    "acceptability_curve",
    "breakeven",
    "build_report",
    "evaluate",
    "load_distributions",
    "load_scenario",
    "morris",
    "run_monte_carlo",
    "sobol",
    "tornado",
]
