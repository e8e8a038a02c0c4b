"""Which knob decides it: Sobol', Morris, tornado, break-even and the acceptability curve
(``mkba-mc sobol``, ``morris``, ``tornado``, ``breakeven``, ``curve``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..io.loading import Scenario
from ..sensitivity.problem import DEFAULT_INPUTS, DEFAULT_LEVERS, DEFAULT_SOBOL_OUTPUTS

if TYPE_CHECKING:
    import xarray as xr

    from ..execution.evaluators import Evaluator

from ._common import ScenarioLike, _attrs, _evaluator, _scenario, _warn


def sobol(scenario: ScenarioLike, n: int = 4096, *, seed: int = 0, outputs: Sequence[str] | None = None,
          second_order: bool = False, group_by: str = "knop", resamples: int = 100, target_ci: float | None = None,
          n_max: int | None = None, inputs: str = DEFAULT_INPUTS, workers: int | None = None,
          scheduler: str | None = None, evaluator: Evaluator | None = None,
          progress: Callable[[int, int], None] | None = None, method: str = "sobol",
          ignore_dependence: bool = False, groups: Mapping[str, Sequence[str]] | None = None) -> xr.Dataset:
    """Sobol' indices per knop or parameter with bootstrap intervals (``mkba-mc sobol``).

    Parameters
    ----------
    scenario : Scenario or path
        The scenario.
    n : int
        Base samples, a power of 2.
    seed : int
        Seed of the design and the bootstrap.
    outputs : sequence of str, optional
        Outputs (default :data:`~mkba_mc.sensitivity.problem.DEFAULT_SOBOL_OUTPUTS`).
    second_order : bool
        Also second-order indices (``S2``).
    group_by : {"knop", "parameter"}
        Factors: knoppen (groups of parameters) or parameters.
    resamples : int
        Bootstrap replicates.
    target_ci : float, optional
        Double ``n`` (up to ``n_max``, default ``max(n, 2**20)``) until every
        half-width is at most this.
    inputs : {"all", "plan", "uncertainties"}
        Input space (:func:`mkba_mc.sensitivity.problem.in_space`).
    workers, scheduler, evaluator
        Where the tasks run, as for :func:`run_monte_carlo`.
    progress : callable, optional
        ``progress(base_rows_done, total)``.
    method : {"sobol", "shapley"}
        ``sobol``: Sobol' indices; where the scenario has correlations or
        share vectors, every correlated set and share vector is one group
        sampled with its dependence (``attrs["dependence"] = "grouped"``,
        the groups in ``attrs["group_members"]``).  ``shapley``: Shapley
        effects ``Sh`` (Song, Nelson & Staum 2016) per parameter or knop,
        ``n`` random permutations.
    ignore_dependence : bool
        Sobol' indices with every input sampled independently although the
        scenario's inputs are dependent (``attrs["dependence"] = "ignored"``);
        never done without this.
    groups : mapping of str to list of str, optional
        Groups of the user's own (name -> parameters), each reported as one
        factor; a parameter that is not sampled in the input space raises
        :class:`~mkba_mc.errors.ConfigError`.

    Returns
    -------
    xarray.Dataset
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (and ``S2``) by ``output`` and
        ``knop`` (or ``parameter``), or ``Sh``, ``Sh_conf`` with
        ``method="shapley"``; provenance in ``attrs``.

    Warns
    -----
    MkbaWarning
        When intervals are wide or ``target_ci`` is not reached.

    Examples
    --------
    >>> from mkba_mc import sobol
    >>> ds = sobol("scenarios/bijlage2_voorbeeld.toml", 1024, seed=3)   # doctest: +SKIP
    >>> ds["ST"].sel(output="ratio_social").to_series()               # doctest: +SKIP
    """
    from ..sensitivity.analyses import sobol as run_sobol

    sc = _scenario(scenario)
    with _evaluator(evaluator, workers, scheduler) as ev:
        res = run_sobol(sc, n, outputs=list(outputs or DEFAULT_SOBOL_OUTPUTS), seed=seed, second_order=second_order,
                        group_by=group_by, evaluator=ev, resamples=resamples, target_ci=target_ci,
                        n_max=n_max if n_max is not None else (max(n, 1 << 20) if target_ci else None),
                        progress=progress, inputs=inputs, method=method, ignore_dependence=ignore_dependence,
                        groups=groups)
    wide = res.wide_intervals()
    if wide:
        o, kind, name, _, w = max(wide, key=lambda x: x[4])
        _warn([f"{len(wide)} indices have a 95 % half-width above max(10 % of the index, 0.02); widest: "
               f"{kind} of {name} for {o} (+/- {w:.3f}); increase n or use target_ci"])
    if target_ci is not None and res.max_half_width() > target_ci:
        _warn([f"target_ci {target_ci:g} not reached at n = {res.n:,} (widest half-width {res.max_half_width():.4f})"])
    ds = res.to_dataset()
    ds.attrs.update(_attrs(sc, analysis="sobol", rounds=res.rounds, method=method))
    return ds


def morris(scenario: ScenarioLike, trajectories: int = 100, *, levels: int = 4,
           outputs: Sequence[str] = ("ratio_social", "ratio_gemeente"), seed: int = 0,
           inputs: str = DEFAULT_INPUTS) -> xr.Dataset:
    """Morris screening of every uncertain parameter (``mkba-mc morris``).

    Returns
    -------
    xarray.Dataset
        ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf`` by ``output`` and
        ``parameter``; provenance in ``attrs``.

    Examples
    --------
    >>> from mkba_mc import morris
    >>> morris("scenarios/bijlage2_voorbeeld.toml", seed=5)["mu_star"]   # doctest: +SKIP
    """
    from ..sensitivity.morris import morris as run_morris

    sc = _scenario(scenario)
    ds = run_morris(sc, trajectories, levels=levels, outputs=outputs, seed=seed, inputs=inputs)
    ds.attrs.update(_attrs(sc, analysis="morris"))
    return ds


def tornado(scenario: ScenarioLike, *, outputs: Sequence[str] = ("ratio_social", "ratio_gemeente"),
            quantiles: tuple[float, float] = (0.10, 0.90), inputs: str = DEFAULT_INPUTS) -> xr.Dataset:
    """Tornado (P10-P90 one at a time) and switch values (``mkba-mc tornado``).

    Returns
    -------
    xarray.Dataset
        By ``parameter`` (ranked by the swing of the first output): ``low``,
        ``high``, ``<output>_at_low``/``_at_high``/``_swing``/``_switch``
        (``tornado.nc`` of the command); provenance in ``attrs``.

    Examples
    --------
    >>> from mkba_mc import tornado
    >>> tornado("scenarios/bijlage2_voorbeeld.toml")["ratio_social_swing"]   # doctest: +SKIP
    """
    from ..sensitivity.oat import tornado as run_tornado

    sc = _scenario(scenario)
    df = run_tornado(sc, outputs, quantiles, inputs)
    ds = df.set_index("parameter").to_xarray()
    ds.attrs.update(_attrs(sc, analysis="tornado", quantiles=list(quantiles), input_space=df.attrs["input_space"]))
    return ds


def breakeven(scenario: ScenarioLike, levers: Sequence[str] = DEFAULT_LEVERS, *, n: int = 20_000, grid: int = 11,
              seed: int = 0, workers: int | None = None, evaluator: Evaluator | None = None) -> xr.Dataset:
    """Probabilistic break-even per lever and a robustness table (``mkba-mc breakeven``).

    Returns
    -------
    xarray.Dataset
        By ``lever`` and grid ``step``: ``value``, ``p_ratio_social_ge_1``,
        ``se_social``, ``p_ratio_gemeente_ge_1``, ``se_gemeente`` (the
        robustness table); by ``lever``: ``low``, ``high``, ``point``,
        ``breakeven`` (NaN: none in the range) and ``p_at_point``; provenance
        in ``attrs``.

    Examples
    --------
    >>> from mkba_mc import breakeven
    >>> breakeven("scenarios/bijlage2_voorbeeld.toml", seed=6)["breakeven"]   # doctest: +SKIP
    """
    import numpy as np
    import xarray as xr

    from ..sensitivity.breakeven import breakeven as run_breakeven

    sc = _scenario(scenario)
    with _evaluator(evaluator, workers, None) as ev:
        summary, table = run_breakeven(sc, list(levers), n=n, grid=grid, seed=seed, evaluator=ev)
    shape = (len(summary), grid)  # the table is lever by lever, grid values in order
    data: dict[str, Any] = {c: (("lever", "step"), table[c].to_numpy().reshape(shape)) for c in table.columns
                            if c != "lever"}
    data.update({c: ("lever", summary[c].to_numpy(dtype=float)) for c in ("low", "high", "point", "p_at_point")})
    data["breakeven"] = ("lever", np.array([np.nan if v is None else v for v in summary["breakeven"]], dtype=float))
    ds = xr.Dataset(data, coords={"lever": list(summary["lever"]), "step": np.arange(grid)})
    ds.attrs.update(_attrs(sc, analysis="breakeven", n=n, grid=grid, seed=seed))
    return ds


def acceptability_curve(scenario: ScenarioLike, parameter: str = "qaly_value", values: Sequence[float] | None = None,
                        *, n: int = 100_000, seed: int | None = None, sampler: str = "random",
                        overrides: Mapping[str, Any] | None = None, workers: int | None = None,
                        evaluator: Evaluator | None = None, distributions: Sequence[str | os.PathLike[str]] | None = None,
                        command: Sequence[str] | None = None) -> xr.Dataset:
    """P(benefits >= costs) per actor over a grid of one input (``mkba-mc curve``).

    Parameters
    ----------
    scenario : Scenario or path
        The scenario file (a Scenario is reloaded from its file at each grid
        value, with its overrides).
    parameter : str
        The input swept (default the QALY value).
    values : sequence of float, optional
        The grid (default :func:`mkba_mc.sensitivity.curve.default_grid`).
    n, seed, sampler, workers, evaluator
        As for :func:`run_monte_carlo`; the same samples at every value.
    overrides : mapping, optional
        Further parameter values.
    distributions : sequence of paths, optional
        Distribution files instead of the shipped defaults (paths only).
    command : sequence of str, optional
        The command line recorded in the provenance.

    Returns
    -------
    xarray.Dataset
        ``p_<event>`` and ``median_<output>`` by ``value``; provenance in ``attrs``.

    Examples
    --------
    >>> from mkba_mc import acceptability_curve
    >>> acceptability_curve("scenarios/bijlage2_voorbeeld.toml", n=20_000, seed=7)  # doctest: +SKIP
    """
    from ..io.loading import load_scenario, parse_set
    from ..io.results import provenance
    from ..sensitivity.curve import acceptability_curve as run_curve

    if isinstance(scenario, Scenario):
        if scenario.path is None:
            raise TypeError("acceptability_curve needs a scenario loaded from a file (it reloads it per grid value)")
        base: dict[str, Any] = dict(parse_set(list(scenario.overrides))) if scenario.overrides else {}
        path: str | os.PathLike[str] = scenario.path
    else:
        base, path = {}, scenario
    sets = {**base, **(overrides or {})}

    def scenario_at(value: float | None) -> Scenario:
        return load_scenario(path, overrides=sets if value is None else {**sets, parameter: value},
                             distributions=distributions)

    with _evaluator(evaluator, workers, None) as ev:
        return run_curve(scenario_at, parameter, values, n=n, seed=seed, sampler=sampler, evaluator=ev,
                         describe=lambda res: provenance(res, command))
