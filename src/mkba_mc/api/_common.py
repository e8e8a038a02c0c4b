"""What every function of the public API shares: loading a scenario, opening an
evaluator, the provenance ``attrs`` and the warnings."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..errors import MkbaWarning
from ..execution.montecarlo import default_workers
from ..io.loading import Scenario, load_scenario

if TYPE_CHECKING:

    from ..execution.evaluators import Evaluator

ScenarioLike = Scenario | str | os.PathLike[str]


def _scenario(scenario: ScenarioLike) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


@contextmanager
def _evaluator(evaluator: Evaluator | None, workers: int | None, scheduler: str | None) -> Iterator[Evaluator]:
    """The caller's evaluator, or one of ``scheduler``/``workers`` (closed on exit)."""
    if evaluator is not None:
        yield evaluator
        return
    from ..execution.scheduling import open_evaluator

    with open_evaluator(scheduler, default_workers() if workers is None else workers) as ev:
        yield ev


def _attrs(sc: Scenario, **settings: Any) -> dict[str, Any]:
    """Provenance attrs: settings, scenario, its input hashes and the versions
    (nested values as JSON, so the Dataset writes to netCDF)."""
    from ..io.results import versions

    prov = {**settings, "scenario": sc.name, "scenario_file": str(sc.path.resolve()) if sc.path else None,
            "overrides": list(sc.overrides), "input_hashes": sc.input_hashes(), "versions": versions()}
    return {k: (v if isinstance(v, (str, int, float)) else json.dumps(v)) for k, v in prov.items() if v is not None}


def _warn(messages: Iterable[str]) -> None:
    for m in messages:
        warnings.warn(m, MkbaWarning, stacklevel=3)
