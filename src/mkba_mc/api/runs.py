"""The Monte Carlo run of a plan and the report of a results folder (``mkba-mc run``, ``report``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..execution.montecarlo import DEFAULT_CHUNK, PROGRAMME_KEPT

if TYPE_CHECKING:
    import xarray as xr

    from ..execution.evaluators import Evaluator

from ._common import ScenarioLike, _evaluator, _scenario, _warn


def run_monte_carlo(scenario: ScenarioLike, n: int = 100_000, *, seed: int | None = None, sampler: str = "random",
                    outputs: Sequence[str] | None = None, programme: bool = False, keep_inputs: bool = False,
                    target_se: float | None = None, chunk_size: int = DEFAULT_CHUNK, workers: int | None = None,
                    scheduler: str | None = None, evaluator: Evaluator | None = None,
                    progress: Callable[[int, int], None] | None = None) -> xr.Dataset:
    """Monte Carlo: the risk of a plan (``mkba-mc run``).

    Parameters
    ----------
    scenario : Scenario or path
        The scenario (a path is loaded with :func:`load_scenario`).
    n : int
        Samples (the maximum with ``target_se``).
    seed : int, optional
        Seed of the design; a fresh one is drawn and recorded in
        ``attrs["seed"]`` if omitted.
    sampler : {"random", "lhs", "sobol"}
        Design on the unit cube.
    outputs : sequence of str, optional
        Outputs to keep (default
        :data:`~mkba_mc.execution.montecarlo.DEFAULT_OUTPUTS`).
    programme : bool
        Also the programme view (payback year, pre-financing need, and the
        band of the cumulative cash flow).
    keep_inputs : bool
        Also the sampled inputs (variable ``inputs``, dims ``sample, parameter``).
    target_se : float, optional
        Double ``n`` until the standard error of P(ratio_social >= 1) is below it.
    chunk_size : int
        Samples per model evaluation (numbers do not depend on it).
    workers : int, optional
        Local workers (default: the machine's cores, at most 8).
    scheduler : str, optional
        ``threads``, ``processes``, ``local-cluster:N`` or a Dask scheduler
        address (see :func:`mkba_mc.execution.scheduling.open_evaluator`).
    evaluator : Evaluator, optional
        An evaluator of your own (:mod:`mkba_mc.execution.evaluators`),
        instead of ``workers``/``scheduler``.
    progress : callable, optional
        ``progress(done, total)`` after each task.

    Returns
    -------
    xarray.Dataset
        The kept samples (dims ``sample``, ``actor``), provenance in ``attrs``
        (seed, n, sampler, input space, versions, input hashes, ...).

    Warns
    -----
    MkbaWarning
        When ``target_se`` is not reached, or ``n`` is not a power of 2 with
        the Sobol' sampler.

    Examples
    --------
    >>> from mkba_mc import run_monte_carlo
    >>> ds = run_monte_carlo("scenarios/bijlage2_voorbeeld.toml", 20_000, seed=1)  # doctest: +SKIP
    >>> float((ds["ratio_social"] >= 1).mean())                                     # doctest: +SKIP
    """
    from ..execution.montecarlo import DEFAULT_OUTPUTS
    from ..execution.montecarlo import run as mc_run
    from ..io.results import to_dataset

    sc = _scenario(scenario)
    kept = list(dict.fromkeys([*(outputs or DEFAULT_OUTPUTS), *(PROGRAMME_KEPT if programme else ())]))
    with _evaluator(evaluator, workers, scheduler) as ev:
        result = mc_run(sc, n, seed=seed, sampler=sampler, chunk_size=chunk_size, outputs=kept,
                        keep_inputs=keep_inputs, target_se=target_se, progress=progress, evaluator=ev)
    _warn(result.warnings)
    return to_dataset(result)



def build_report(folder: str | Path, lang: str = "nl", *, run: str | None = None) -> Path:
    """Build ``report.html`` from a results folder (``mkba-mc report``); see
    :func:`mkba_mc.report.build.build_report`.

    Examples
    --------
    >>> from mkba_mc import build_report
    >>> build_report("results/bijlage2")   # doctest: +SKIP
    """
    from ..report import build_report as build

    return build(folder, lang=lang, run=run)
