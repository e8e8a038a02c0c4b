"""Acceptability curves: does the conclusion hold under another valuation?

The probability that the approach pays off (P(ratio_social >= 1), P(ratio_
gemeente >= 1), P(balance >= 0) per actor) as a function of one input --
usually a normative one, the QALY value or the discount rate -- with every
other input sampled as in ``run``. This is the cost-effectiveness
acceptability curve of health economics (CEAC; Fenwick, Claxton & Sculpher
2001; BCEA, dampack) applied to an MKBA, and the way CPB/PBL ask to show a
normative choice: one value in the headline, the others as a separate
sensitivity (reference/uncertainty.md §4).

Common random numbers: every grid value is evaluated on the *same* sampled
inputs -- the same seed, n and sampler as ``run`` -- because each grid value
is the scenario loaded with ``--set <parameter>=<value>``, whose sampling
plan (the sampled parameters and their order) does not depend on the value.
So the curve at a value equals ``run --set <parameter>=<value>`` with the
same seed and n exactly, and differences between grid values are not Monte
Carlo noise.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from ..errors import ConfigError, Problem
from ..execution.evaluators import Evaluator, local_evaluator
from ..execution.montecarlo import DEFAULT_CHUNK
from ..model.parameters import PARAMETERS

if TYPE_CHECKING:
    from ..io.scenario import Scenario

#: Default grids of the normative inputs: the QALY value from the tool's
#: EUR 20,000 (meta-analysis footnote 21) through the Zorginstituut reference
#: values 50k/80k to the EUR 100,000 of other MKBAs; the discount rate from
#: 0 through 2.25 % (Werkgroep 2020) and 3 % (2015) to 5.5 % (LPBL 2014).
DEFAULT_GRIDS: Final[dict[str, tuple[float, ...]]] = {
    "qaly_value": (20000.0, 30000.0, 40000.0, 50000.0, 60000.0, 70000.0, 80000.0, 90000.0, 100000.0),
    "discount_rate": (0.0, 0.0225, 0.03, 0.04, 0.055, 0.07),
}
#: Probabilities a probability crosses for a switch value.
SWITCH_LEVELS: Final[tuple[float, ...]] = (0.5, 0.8)
#: Outputs whose median is reported per grid value.
MEDIAN_OUTPUTS: Final[tuple[str, ...]] = ("ratio_social", "ratio_financial", "ratio_gemeente", "balance",
                                          "balance_gemeente")
GRID_POINTS: Final[int] = 9


def default_grid(scenario: Any, parameter: str) -> tuple[float, ...]:
    """The grid of a parameter: :data:`DEFAULT_GRIDS`, else 9 values evenly
    over its plausible range or distribution (P1-P99 where unbounded)."""
    if parameter in DEFAULT_GRIDS:
        return DEFAULT_GRIDS[parameter]
    if parameter not in PARAMETERS:
        raise ConfigError([Problem("--over", "over", parameter, "a known parameter name (see `mkba-mc validate --list`)")])
    info = scenario.info.get(parameter)
    dist = scenario.ranges.get(parameter) or scenario.distributions.get(parameter)
    if dist is None and info is not None:
        dist = info.range or info.distribution
    if dist is None:
        raise ConfigError([Problem("--over", "over", parameter, "a parameter with a range or distribution, "
                                   "or give the grid with --values")])
    lo, hi = dist.support()
    if not math.isfinite(lo):
        lo = float(dist.ppf(np.array([0.01]))[0])
    if not math.isfinite(hi):
        hi = float(dist.ppf(np.array([0.99]))[0])
    return tuple(float(v) for v in np.linspace(lo, hi, GRID_POINTS))


#: Most grid values of a curve (or a break-even grid): each is a model evaluation of all samples.
MAX_GRID_VALUES = 1000


def check_grid(parameter: str, values: Sequence[float], source: str = "--values") -> tuple[float, ...]:
    """A grid of at least two distinct finite values (at most
    :data:`MAX_GRID_VALUES`), sorted ascending; a value given twice is refused."""
    problems = []
    if parameter not in PARAMETERS:
        problems.append(Problem("--over", "over", parameter, "a known parameter name (see `mkba-mc validate --list`)"))
    vals = [float(v) for v in values]
    if len(set(vals)) < 2:
        problems.append(Problem(source, "values", list(values), "at least two distinct grid values, e.g. 20000,50000,80000"))
    elif len(vals) > MAX_GRID_VALUES:
        problems.append(Problem(source, "values", f"<{len(vals):,} values>", f"at most {MAX_GRID_VALUES:,} grid values"))
    twice = sorted({v for v in vals if vals.count(v) > 1 and v == v}) if len(vals) <= MAX_GRID_VALUES else []
    if twice:
        problems.append(Problem(source, "values", twice, "distinct grid values (these are given more than once)"))
    bad = [v for v in vals if not math.isfinite(v)]
    if bad:
        problems.append(Problem(source, "values", bad, "finite numbers"))
    if problems:
        raise ConfigError(problems)
    return tuple(sorted(set(vals)))


def switch_values(values: Sequence[float], probs: Sequence[float], levels: Sequence[float] = SWITCH_LEVELS
                  ) -> dict[str, float | None]:
    """Where a probability first crosses each level, by linear interpolation
    between grid values (None when it does not cross inside the grid)."""
    x = np.asarray(values, float)
    p = np.asarray(probs, float)
    out: dict[str, float | None] = {}
    for level in levels:
        d = p - level
        value = None
        for i in range(len(x) - 1):
            if d[i] == 0:
                value = float(x[i])
                break
            if d[i] * d[i + 1] < 0:
                value = float(x[i] + (x[i + 1] - x[i]) * (-d[i]) / (d[i + 1] - d[i]))
                break
        else:
            if len(d) and d[-1] == 0:
                value = float(x[-1])
        out[f"{level:g}"] = value
    return out


def acceptability_curve(scenario_at: Callable[[float | None], Scenario], parameter: str,
                        values: Sequence[float] | None = None, *,
                        n: int = 100_000, seed: int | None = None, sampler: str = "random",
                        chunk_size: int = DEFAULT_CHUNK, workers: int = 1, evaluator: Evaluator | None = None,
                        describe: Callable[[Any], Mapping[str, Any]] | None = None) -> Any:
    """P(B >= C) per actor and median ratios over a grid of one input.

    Parameters
    ----------
    scenario_at : callable
        ``scenario_at(value)`` is the scenario with ``parameter`` set to
        ``value``, ``scenario_at(None)`` the scenario as given (loaded by the caller: :func:`mkba_mc.api.acceptability_curve`
        reads it from its file with the other ``--set`` values).
    parameter : str
        The input swept (``qaly_value``, ``discount_rate`` or any parameter).
    values : sequence of float, optional
        The grid; default :func:`default_grid`. At least two distinct values.
    n, seed, sampler, chunk_size, workers, evaluator
        As for :func:`mkba_mc.execution.montecarlo.run`; one seed (drawn once when
        omitted) serves every grid value (common random numbers), and one
        evaluator (made from ``workers`` when not given) every run.
    describe : callable, optional
        ``describe(result)`` gives the provenance of the run at the first grid
        value (:func:`mkba_mc.io.results.provenance`), stored in ``attrs``.

    Returns
    -------
    xarray.Dataset
        Dimension ``value``; variables ``p_<event>`` (the event names of
        ``run --json``, e.g. ``p_ratio_social_ge_1``,
        ``p_actor_balance_ge_0.gemeente_jeugd``) and ``median_<output>``;
        attrs: parameter, n, seed, sampler, input_space, switch_values (JSON)
        and the provenance of the run at the first grid value.
    """
    import xarray as xr

    from ..checks import memory_problems, raise_problems, run_bytes_per_sample
    from ..execution.montecarlo import new_seed
    from ..execution.montecarlo import run as mc_run

    first = scenario_at(None)
    grid = check_grid(parameter, values if values is not None else default_grid(first, parameter))
    # every grid value is a Monte Carlo run of n samples, one after the other
    raise_problems(memory_problems(n, run_bytes_per_sample(first, None, False, workers),
                                   what="the Monte Carlo run at each grid value", advice="lower -n"))
    seed = new_seed() if seed is None else int(seed)
    probs: dict[str, list[float]] = {}
    medians: dict[str, list[float]] = {o: [] for o in MEDIAN_OUTPUTS}
    prov: dict[str, Any] = {}
    space = ""
    with contextlib.ExitStack() as stack:
        if evaluator is None:
            evaluator = stack.enter_context(local_evaluator(workers))
        for i, v in enumerate(grid):
            sc = scenario_at(v)
            res = mc_run(sc, n, seed=seed, sampler=sampler, chunk_size=chunk_size, evaluator=evaluator)
            for event, stat in res.probabilities().items():
                probs.setdefault(event, [math.nan] * len(grid))[i] = stat["p"]
            summary = res.summary()
            for o in MEDIAN_OUTPUTS:
                medians[o].append(float(summary.loc[o, "p50"]) if o in summary.index else math.nan)
            if i == 0:
                prov = dict(describe(res)) if describe is not None else {}
                space = sc.space
    switch = {event: switch_values(grid, p) for event, p in probs.items()}
    data = {f"p_{e}": ("value", np.asarray(p)) for e, p in probs.items()}
    data.update({f"median_{o}": ("value", np.asarray(m)) for o, m in medians.items()})
    ds = xr.Dataset(data, coords={"value": np.asarray(grid)})
    ds["value"].attrs["parameter"] = parameter
    ds["value"].attrs["unit"] = PARAMETERS[parameter].unit
    attrs = {k: (v if isinstance(v, (str, int, float)) else json.dumps(v)) for k, v in prov.items() if v is not None}
    attrs.update(title=f"mkba_mc acceptability curve over {parameter}: {first.name}", analysis="curve",
                 parameter=parameter, n=int(n), seed=seed, sampler=sampler, input_space=space,
                 switch_values=json.dumps(switch), method="acceptability curve with common random numbers "
                 "(the sampled inputs of `run` at every grid value)")
    ds.attrs = attrs
    return ds


def curve_json(ds: Any) -> dict[str, Any]:
    """The curve as the object of ``curve --json``: ``parameter``, ``values``,
    ``probabilities`` (event -> list), ``median`` (output -> list) and
    ``switch_values`` (event -> {"0.5": value, "0.8": value})."""

    def clean(xs: Any) -> list[float | None]:
        return [None if not math.isfinite(float(x)) else float(x) for x in np.asarray(xs)]

    return {
        "parameter": ds.attrs["parameter"],
        "values": clean(ds["value"].values),
        "probabilities": {k[2:]: clean(ds[k].values) for k in ds.data_vars if k.startswith("p_")},
        "median": {k[7:]: clean(ds[k].values) for k in ds.data_vars if k.startswith("median_")},
        "switch_values": json.loads(ds.attrs["switch_values"]),
        "n": int(ds.attrs["n"]), "seed": int(ds.attrs["seed"]), "sampler": ds.attrs["sampler"],
        "input_space": ds.attrs.get("input_space", ""),
    }


__all__ = ["DEFAULT_GRIDS", "acceptability_curve", "check_grid", "curve_json", "default_grid", "switch_values"]
