"""Provenance: everything needed to repeat a result, for every result type.

One builder for the ``manifest.json`` of every result folder and the
``attrs`` of its netCDF files: :func:`provenance` for a Monte Carlo run,
:func:`analysis_manifest` for the analyses (Sobol', Morris, tornado,
break-even) -- both name the scenario, its overrides, the SHA-256 of every
input file, the package versions and the command.
"""

from __future__ import annotations

import datetime as _dt
import platform
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..execution.montecarlo import MonteCarloResult
    from .scenario import Scenario

def versions() -> dict[str, str]:
    """Versions of mkba_mc and the libraries that shape its numbers."""
    out = {"python": platform.python_version()}
    for pkg in ("mkba-mc", "numpy", "scipy", "xarray", "pandas", "SALib"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def provenance(result: MonteCarloResult, command: Sequence[str] | None = None) -> dict[str, Any]:
    """Everything needed to repeat a run."""
    sc = result.scenario
    plan = result.plan
    return {
        "mkba_mc_version": versions()["mkba-mc"],
        "versions": versions(),
        "created_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "scenario": sc.name,
        "scenario_file": str(sc.path.resolve()) if sc.path else None,
        "overrides": list(sc.overrides),
        "input_hashes": sc.input_hashes(),
        "seed": plan.seed,
        "sampler": plan.sampler,
        "n": result.n,
        "n_requested": plan.n,
        "chunk_size": result.chunk_size,
        "workers": result.workers,
        "sampled_parameters": list(plan.names),
        "input_space": sc.space,
        "input_space_text": space_text(sc.space),
        "sampled_from": {nm: sc.sampled_from.get(nm, "distribution") for nm in plan.names},
        "fixed_normative": {nm: sc.params[nm] for nm, i in sc.info.items() if i.kind == "normative"
                            and nm not in plan.names},
        "correlated_parameters": list(sc.correlation.names) if sc.correlation else [],
        "discount_regime": sc.discount_regime,
        "elapsed_seconds": round(result.elapsed, 3),
        "convergence": result.convergence,
        "command": list(command if command is not None else sys.argv),
    }


def space_text(space: str) -> str:
    from ..uncertainty.spaces import INPUT_SPACES

    return INPUT_SPACES.get(space, space)


def analysis_manifest(sc: Scenario, command: Sequence[str] | None = None, **settings: Any) -> dict[str, Any]:
    """The manifest of an analysis of ``sc``: command, scenario, its file and
    overrides, the SHA-256 of every input file and the package versions,
    then ``settings`` (``analysis``, ``n``, ``seed``, ...)."""
    return {"command": list(command if command is not None else sys.argv), "scenario": sc.name,
            "scenario_file": str(sc.path.resolve()) if sc.path else None,
            "overrides": list(sc.overrides), "input_hashes": sc.input_hashes(), "versions": versions(), **settings}
