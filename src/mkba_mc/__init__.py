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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import (acceptability_curve, breakeven, build_report, discover, morris, run_monte_carlo, sobol, tornado,
                      voi)
    from .errors import ConfigError, MkbaError, MkbaWarning, Problem
    from .io.loading import Scenario, load_distributions, load_scenario
    from .model.core import ALL_OUTPUTS, SCALAR_OUTPUTS, Structure, evaluate
    from .model.parameters import PARAMETERS
    from .model.sets import ACTORS, TYPES

#: Where each public name lives.  The names (and ``__version__``, read from
#: the installed metadata) are looked up on first use (PEP 562
#: ``__getattr__``), so ``import mkba_mc`` -- and ``mkba-mc --help`` -- does
#: not pay for scipy, pandas, xarray or importlib.metadata.
_API = ("acceptability_curve", "breakeven", "build_report", "discover", "morris", "run_monte_carlo", "sobol",
        "tornado", "voi")
_ERRORS = ("ConfigError", "MkbaError", "MkbaWarning", "Problem")
_LOADING = ("Scenario", "load_distributions", "load_scenario")
_CORE = ("ALL_OUTPUTS", "SCALAR_OUTPUTS", "Structure", "evaluate")


def __getattr__(name: str) -> Any:
    """The public name ``name``, imported from its module on first use.

    Raises
    ------
    AttributeError
        If ``name`` is not a public name of :mod:`mkba_mc`.
    """
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("mkba-mc")
        except PackageNotFoundError:  # running from a source tree without install
            return "0.0.0+unknown"
    if name in _API:
        from . import api as module
    elif name in _ERRORS:
        from . import errors as module
    elif name in _LOADING:
        from .io import loading as module
    elif name in _CORE:
        from .model import core as module
    elif name == "PARAMETERS":
        from .model import parameters as module
    elif name in ("ACTORS", "TYPES"):
        from .model import sets as module
    else:
        raise AttributeError(f"module 'mkba_mc' has no attribute {name!r}")
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


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
    "discover",
    "evaluate",
    "load_distributions",
    "load_scenario",
    "morris",
    "run_monte_carlo",
    "sobol",
    "tornado",
    "voi",
]
