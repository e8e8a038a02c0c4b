"""The public Python API: every analysis of the command line, returning xarray.

Each function takes a :class:`~mkba_mc.io.loading.Scenario` or the path of a
scenario file, has the defaults of the matching ``mkba-mc`` command, and
returns an :class:`xarray.Dataset` with the provenance in ``attrs`` (seed,
n, input space, versions, the scenario's name and input hashes), the same
numbers as the command's ``--json`` for the same seed.  Soft problems (a
Monte Carlo target not reached, wide Sobol' intervals) are
``warnings.warn(..., MkbaWarning)``; wrong options raise
:class:`~mkba_mc.errors.ConfigError` naming the option, the value and what
is expected.

Heavy modules (xarray, SALib, the report) are imported when a function is
called, so ``import mkba_mc`` stays quick.  The functions live in
:mod:`.runs` (Monte Carlo, report), :mod:`.sensitivity` (Sobol', Morris,
tornado, break-even, acceptability curve) and :mod:`.decision` (value of
information, scenario discovery); what they share is in :mod:`._common`.
"""

from __future__ import annotations

from ..io.loading import load_scenario
from ..model.core import evaluate
from ._common import ScenarioLike
from .decision import discover, voi
from .runs import build_report, run_monte_carlo
from .sensitivity import acceptability_curve, breakeven, morris, sobol, tornado

__all__ = ["ScenarioLike", "acceptability_curve", "breakeven", "build_report", "discover", "evaluate", "load_scenario",
           "morris", "run_monte_carlo", "sobol", "tornado", "voi"]
