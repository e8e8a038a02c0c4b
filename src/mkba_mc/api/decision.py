"""What to do about the uncertainty (issue 13): the value of information and scenario
discovery (``mkba-mc voi``, ``discover``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..execution.montecarlo import DEFAULT_CHUNK

if TYPE_CHECKING:
    import xarray as xr

    from ..execution.evaluators import Evaluator

from ._common import ScenarioLike, _attrs, _evaluator, _scenario, _warn


def voi(scenario: ScenarioLike, n: int = 100_000, *, seed: int | None = None, sampler: str = "random",
        actors: Sequence[str] | None = None, population: float = 1.0, chunk_size: int = DEFAULT_CHUNK,
        workers: int | None = None, scheduler: str | None = None, evaluator: Evaluator | None = None,
        progress: Callable[[int, int], None] | None = None) -> xr.Dataset:
    """Value of information: EVPI and EVPPI per parameter and knop, per actor (``mkba-mc voi``).

    On the samples of :func:`run_monte_carlo` (same ``n``, ``seed``,
    ``sampler``; the other arguments as there); ``actors``: perspectives
    (default :data:`~mkba_mc.sensitivity.voi.PERSPECTIVES`), ``population``:
    cohorts the ``*_population`` values are scaled by.  Method: Strong, Oakley
    & Brennan (2014), see :mod:`mkba_mc.sensitivity.voi`.  Returns ``evpi``
    (by ``perspective``), ``evppi`` (by ``factor`` and ``perspective``) with
    standard errors and checks, euros per cohort; provenance in ``attrs``.

    >>> from mkba_mc import voi
    >>> voi("scenarios/bijlage2_voorbeeld.toml", seed=2014)["evppi"].sel(perspective="gemeente")  # doctest: +SKIP
    """
    from ..sensitivity.voi import voi_dataset

    sc = _scenario(scenario)
    with _evaluator(evaluator, workers, scheduler) as ev:
        ds, warns = voi_dataset(sc, n, seed=seed, sampler=sampler, perspectives=actors, population=population,
                                chunk_size=chunk_size, evaluator=ev, progress=progress)
    _warn(warns)
    ds.attrs.update(_attrs(sc, analysis="voi", n=n, seed=ds.attrs["seed"], sampler=sampler, input_space=sc.space))
    return ds


def discover(scenario: ScenarioLike, events: Sequence[str] | None = None, *, n: int = 100_000, seed: int | None = None,
             sample_levers: bool = False, workers: int | None = None, scheduler: str | None = None,
             evaluator: Evaluator | None = None, **options: Any) -> xr.Dataset:
    """Scenario discovery with PRIM: where the conclusion flips (``mkba-mc discover``).

    ``events`` default to all of :data:`mkba_mc.sensitivity.discover.EVENTS` (one that never or always occurs
    gets no box; a named one must occur); the samples are those of :func:`run_monte_carlo` with the same
    ``n``, ``seed`` and ``sampler``; ``sample_levers`` ranges the levers over their plausible range;
    ``options`` (``sampler``, ``box``, ``peel_alpha``, ``paste_alpha``, ``mass_min``, ``coverage_min``) as
    :func:`mkba_mc.sensitivity.discover.discover`.  Returns the Dataset of
    :meth:`~mkba_mc.sensitivity.discover.DiscoverResult.to_dataset`, provenance in ``attrs``.

    >>> from mkba_mc import discover
    >>> discover("scenarios/bijlage2_voorbeeld.toml", ["ratio_gemeente_lt_1"], n=20_000)["lower"]  # doctest: +SKIP
    """
    from ..execution.montecarlo import new_seed
    from ..sensitivity.discover import DEFAULT_EVENTS
    from ..sensitivity.discover import discover as run_discover

    sc = _scenario(scenario).in_space("levers") if sample_levers else _scenario(scenario)
    with _evaluator(evaluator, workers, scheduler) as ev:
        seed = new_seed() if seed is None else seed  # recorded in attrs, as run_monte_carlo does
        res = run_discover(sc, list(events or DEFAULT_EVENTS), n=n, seed=seed, explicit=bool(events), evaluator=ev,
                           **options)
    ds = res.to_dataset()
    ds.attrs.update(_attrs(sc, analysis="discover", events=list(ds["event"].values), **res.settings))
    return ds
