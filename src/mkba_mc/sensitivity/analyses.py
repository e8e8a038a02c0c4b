"""Which knob decides it: sensitivity of the MKBA of a scenario.

* :func:`problem_for` / :func:`model_for` -- the scenario as a sensitivity
  problem (its parameters with a distribution, grouped per parameter or per
  knop) and a vectorised model that also returns the decision indicators
  ``ratio_social_ge_1`` and ``balance_gemeente_ge_0`` (1 where the
  conclusion holds, 0 elsewhere);
* :func:`sobol` -- Sobol' indices (:mod:`mkba_mc.sensitivity.sobol`);
* :func:`morris` -- Morris elementary-effects screening through SALib, in
  the probability space of the inputs (uniforms mapped by the inverse CDFs);
* :func:`tornado` -- one parameter at a time from its P10 to its P90 with the
  others at their point values, ranked by swing, plus the switch value
  (omslagpunt) where the ratio crosses 1;
* :func:`breakeven` -- per lever the value where P(ratio_social >= 1) = 50 %
  with all uncertainties sampled, and a robustness table over a grid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray

from ..errors import ConfigError, Problem
from ..model.core import ALL_OUTPUTS, PROGRAMME_OUTPUTS, evaluate
from ..model.parameters import PARAMETERS
from .sobol import Problem as SobolProblem
from .sobol import SobolResult, sobol_indices

if TYPE_CHECKING:
    from ..io.loading import Scenario

Array = NDArray[np.float64]

#: Indicator outputs: name -> (output, threshold).
INDICATORS: Final[dict[str, tuple[str, float]]] = {
    "ratio_social_ge_1": ("ratio_social", 1.0),
    "ratio_gemeente_ge_1": ("ratio_gemeente", 1.0),
    "balance_gemeente_ge_0": ("balance_gemeente", 0.0),
    "balance_ge_0": ("balance", 0.0),
}
DEFAULT_SOBOL_OUTPUTS: Final[tuple[str, ...]] = (
    "ratio_social", "ratio_financial", "ratio_gemeente", "balance", "balance_gemeente",
    "ratio_social_ge_1", "balance_gemeente_ge_0",
)
SENSITIVITY_OUTPUTS: Final[tuple[str, ...]] = tuple(
    o for o in ALL_OUTPUTS if o not in PROGRAMME_OUTPUTS and not o.startswith("actor_")) + tuple(INDICATORS)
#: Levers of issue 4: substitution, caseload, newly found share, new-for-old share.
DEFAULT_LEVERS: Final[tuple[str, ...]] = (
    "substitution_new", "substitution_existing", "newly_found_share", "additional_share_team", "caseload.mv_nzr",
)


def check_outputs(outputs: Sequence[str], source: str = "--output") -> None:
    bad = [o for o in outputs if o not in SENSITIVITY_OUTPUTS]
    if bad:
        raise ConfigError([Problem(source, "output", o, f"one of: {', '.join(SENSITIVITY_OUTPUTS)}") for o in bad])


#: Input space of the "which knob decides" analyses unless told otherwise:
#: uncertainties, levers over their plausible range and normative inputs over
#: their range (reference/uncertainty.md §1), so that the knoppen
#: ``waardering`` and ``discontering`` appear beside the levers.
DEFAULT_INPUTS: Final[str] = "all"
#: ``--inputs`` choices of sobol, morris and tornado, and the space each means.
SENSITIVITY_INPUTS: Final[dict[str, str]] = {"all": "all", "plan": "plan", "uncertainties": "uncertainties"}


def in_space(scenario: Scenario, inputs: str | None = DEFAULT_INPUTS) -> Scenario:
    """The scenario over the input space of a sensitivity analysis.

    ``all`` (default): uncertainties, levers over their plausible range and
    normative inputs over their range; ``plan``: the space of ``run``
    (uncertainties and the levers' implementation uncertainty);
    ``uncertainties``: uncertainties only. A scenario already converted by
    :meth:`~mkba_mc.io.loading.Scenario.in_space` is returned as it is.
    """
    if inputs is None or scenario.space not in ("run", "plan"):
        return scenario
    if inputs not in SENSITIVITY_INPUTS:
        raise ConfigError([Problem("--inputs", "inputs", inputs, f"one of: {', '.join(SENSITIVITY_INPUTS)}")])
    return scenario.in_space(SENSITIVITY_INPUTS[inputs])


def problem_for(scenario: Scenario, group_by: str = "parameter") -> SobolProblem:
    """The scenario's sampled parameters as a sensitivity problem.

    ``group_by="knop"`` groups them by the knop of their kengetal (the
    lever groups of meta-analyse §5.1); correlations are not used (Sobol'
    indices assume independent inputs).
    """
    if group_by not in ("parameter", "knop"):
        raise ConfigError([Problem("--group-by", "group_by", group_by, "knop or parameter")])
    names = scenario.sampled
    if not names:
        raise ConfigError([Problem(str(scenario.path), "parameters", "<none>",
                                   "at least one parameter with a distribution")])
    groups = tuple(scenario.info[n].knop for n in names) if group_by == "knop" else None
    return SobolProblem(tuple(names), tuple(scenario.distributions[n] for n in names), groups)


def model_for(scenario: Scenario, outputs: Sequence[str]) -> Callable[[Mapping[str, Array]], dict[str, Array]]:
    """A vectorised function of the sampled parameters returning ``outputs``
    (model outputs or the indicators of :data:`INDICATORS`)."""
    check_outputs(outputs)
    needed = sorted({INDICATORS[o][0] if o in INDICATORS else o for o in outputs})
    base = dict(scenario.params)
    structure = scenario.structure

    def func(x: Mapping[str, Array]) -> dict[str, Array]:
        params = dict(base)
        params.update(x)
        res = evaluate(params, structure, needed)
        out = {}
        for o in outputs:
            if o in INDICATORS:
                src, thr = INDICATORS[o]
                out[o] = (res[src] >= thr).astype(np.float64)
            else:
                out[o] = res[o]
        return out

    return func


def sobol(scenario: Scenario, n: int, *, outputs: Sequence[str] = DEFAULT_SOBOL_OUTPUTS, seed: int = 0,
          second_order: bool = False, group_by: str = "knop", workers: int = 1, resamples: int = 100,
          target_ci: float | None = None, n_max: int | None = None,
          progress: Callable[[int, int], None] | None = None,
          map_tasks: Callable[[Callable[[Any], Any], Sequence[Any]], Iterable[tuple[Any, Any]]] | None = None,
          inputs: str | None = DEFAULT_INPUTS,
          ) -> SobolResult:
    """Sobol' indices of a scenario (see :func:`mkba_mc.sensitivity.sobol.sobol_indices`;
    ``map_tasks`` runs the tasks on another scheduler, see
    :func:`mkba_mc.execution.scheduling.scheduler_mapper`); ``inputs`` is the input
    space (:func:`in_space`), recorded as ``result.input_space``."""
    from ..checks import at_least, seed_problems

    scenario = in_space(scenario, inputs)
    problems = seed_problems(seed) + at_least(resamples, 2, "--resamples", "resamples", "bootstrap replicates")
    if n < 2 or n & (n - 1):
        problems.append(Problem("-n", "n", n, "a power of 2 (Sobol' designs balance only there), e.g. 1024, 65536"))
    if target_ci is not None and not 0 < target_ci < 1:
        problems.append(Problem("--target-ci", "target_ci", target_ci, "a half-width in (0, 1)"))
    if n_max is not None and (n_max < n or n_max & (n_max - 1)):
        problems.append(Problem("--n-max", "n_max", n_max, f"a power of 2 >= n ({n})"))
    if problems:
        raise ConfigError(problems)
    check_outputs(outputs)
    problem = problem_for(scenario, group_by)
    res = sobol_indices(model_for(scenario, outputs), problem, n, outputs=outputs, seed=seed,
                        second_order=second_order, workers=workers, resamples=resamples, target_ci=target_ci,
                        n_max=n_max, progress=progress, map_tasks=map_tasks)
    res.input_space = scenario.space
    res.kinds = tuple(scenario.kind(n) for n in problem.names)
    return res


# ----------------------------------------------------------------- Morris
#: Memory of one model evaluation of a Morris design: an upper bound (as for
#: the break-even grid of the command line: about 1.2 kB measured, the rest
#: is room for the design and the sampled inputs).
MORRIS_BYTES_PER_EVALUATION = 8 * 1024


def morris(scenario: Scenario, trajectories: int = 100, *, levels: int = 4, outputs: Sequence[str] = ("ratio_social",
           "ratio_gemeente"), seed: int = 0, inputs: str | None = DEFAULT_INPUTS) -> Any:
    """Morris screening (SALib) of the sampled parameters of the input space
    ``inputs`` (:func:`in_space`).

    Returns an :class:`xarray.Dataset` with ``mu``, ``mu_star``, ``sigma`` and
    ``mu_star_conf`` per output and parameter; elementary effects are in the
    inputs' probability space (a step is a change of quantile).
    """
    import xarray as xr
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    from ..checks import at_least, memory_problems, raise_problems, seed_problems

    problems = seed_problems(seed) + at_least(levels, 2, "--levels", "levels", "grid levels of the Morris design")
    if trajectories < 2:
        problems.append(Problem("-n", "trajectories", trajectories, "at least 2 trajectories"))
    raise_problems(problems)
    check_outputs(outputs)
    scenario = in_space(scenario, inputs)
    problem = problem_for(scenario)
    # a trajectory is d + 1 model evaluations; the design, its inputs and the
    # model's intermediates are held at once (about 8 kB per evaluation, an upper bound)
    raise_problems(memory_problems(trajectories, (problem.d + 1) * MORRIS_BYTES_PER_EVALUATION,
                                   what=f"the Morris design ({problem.d + 1} model evaluations per trajectory)",
                                   advice="lower -n (trajectories)"))
    salib_problem = {"num_vars": problem.d, "names": list(problem.names), "bounds": [[0.0, 1.0]] * problem.d}
    u = morris_sample.sample(salib_problem, trajectories, num_levels=levels, seed=seed)
    u = np.clip(u, 1e-9, 1 - 1e-9)  # the grid reaches 0 and 1: keep inverse CDFs finite
    x = {nm: problem.dists[j].ppf(np.ascontiguousarray(u[:, j])) for j, nm in enumerate(problem.names)}
    y = model_for(scenario, outputs)(x)
    data: dict[str, list[Array]] = {k: [] for k in ("mu", "mu_star", "sigma", "mu_star_conf")}
    for o in outputs:
        res = morris_analyze.analyze(salib_problem, u, y[o], num_levels=levels, seed=seed)
        for k in data:
            data[k].append(np.asarray(res[k], dtype=float))
    ds = xr.Dataset({k: (("output", "parameter"), np.array(v)) for k, v in data.items()},
                    coords={"output": list(outputs), "parameter": list(problem.names),
                            "knop": ("parameter", [scenario.info[n].knop for n in problem.names]),
                            "kind": ("parameter", [scenario.kind(n) for n in problem.names])})
    ds.attrs.update(trajectories=trajectories, levels=levels, seed=seed, evaluations=len(u),
                    input_space=scenario.space, input_space_text=_space_text(scenario.space),
                    method="Morris (1991) elementary effects, SALib; mu_star per Campolongo et al. (2007)")
    return ds


# ------------------------------------------------------- one at a time
def _point_eval(scenario: Scenario, values: Mapping[str, Array], outputs: Sequence[str]) -> dict[str, Array]:
    return evaluate({**scenario.params, **values}, scenario.structure, list(outputs))


@dataclass(frozen=True)
class SwitchValue:
    parameter: str
    output: str
    value: float | None  # None: no switch within the range
    low: float
    high: float


def _range_of(scenario: Scenario, name: str) -> tuple[float, float]:
    """Search range of a parameter: its distribution's support (P0.1-P99.9
    where unbounded) -- the default distribution of the kengetal when the
    scenario fixed it -- else the domain when finite."""
    # a lever's or normative input's plausible range; an uncertainty's distribution
    dist = scenario.ranges.get(name) or scenario.distributions.get(name)
    if dist is None and name in scenario.info:
        # fixed in the scenario: the range of its default kengetal still applies
        dist = scenario.info[name].range or scenario.info[name].distribution
    if dist is not None:
        lo, hi = dist.support()
        if not np.isfinite(lo):
            lo = float(dist.ppf(np.array([0.001]))[0])
        if not np.isfinite(hi):
            hi = float(dist.ppf(np.array([0.999]))[0])
        return float(lo), float(hi)
    dom = PARAMETERS[name].domain
    if np.isfinite(dom.low) and np.isfinite(dom.high):
        return float(dom.low), float(dom.high)
    raise ConfigError([Problem("--lever", "lever", name,
                               "a parameter with a range: give it a distribution in the scenario or choose a "
                               f"share or rate (domain of {name}: {dom.describe()})")])


def switch_value(scenario: Scenario, name: str, output: str = "ratio_social", threshold: float = 1.0,
                 grid: int = 201) -> SwitchValue:
    """The value of ``name`` (others at their point values) where ``output``
    crosses ``threshold``, found on a grid and refined by bisection; ``None``
    when it does not cross within the range."""
    lo, hi = _range_of(scenario, name)
    xs = np.linspace(lo, hi, grid)
    ys = _point_eval(scenario, {name: xs}, [output])[output] - threshold
    sign = np.sign(ys)
    idx = np.flatnonzero(sign[:-1] * sign[1:] <= 0)
    idx = idx[~(np.isnan(ys[idx]) | np.isnan(ys[idx + 1]))]
    if idx.size == 0:
        return SwitchValue(name, output, None, lo, hi)
    i = int(idx[0])
    a, b = xs[i], xs[i + 1]
    fa = ys[i]
    for _ in range(60):
        m = 0.5 * (a + b)
        fm = float(_point_eval(scenario, {name: np.array([m])}, [output])[output][0] - threshold)
        if fm == 0 or b - a < 1e-12 * max(1.0, abs(m)):
            a = b = m
            break
        if np.sign(fm) == np.sign(fa):
            a, fa = m, fm
        else:
            b = m
    return SwitchValue(name, output, float(0.5 * (a + b)), lo, hi)


def tornado(scenario: Scenario, outputs: Sequence[str] = ("ratio_social", "ratio_gemeente"),
            quantiles: tuple[float, float] = (0.10, 0.90), inputs: str | None = DEFAULT_INPUTS) -> Any:
    """Tornado and switch values of every sampled parameter of the input
    space ``inputs`` (:func:`in_space`; default: uncertainties, levers and
    normative inputs over their plausible ranges).

    Returns a :class:`pandas.DataFrame` with per parameter and output the
    values at P10 and P90 (others at their point values), the swing, and the
    switch value where the output crosses 1; ranked by the swing of the
    first output. ``df.attrs["input_space"]`` names the space.
    """
    import pandas as pd

    check_outputs(outputs)
    scenario = in_space(scenario, inputs)
    base = _point_eval(scenario, {}, outputs)
    rows = []
    for name in scenario.sampled:
        dist = scenario.distributions[name]
        lo, hi = (float(v) for v in dist.ppf(np.array(quantiles)))
        res = _point_eval(scenario, {name: np.array([lo, hi])}, outputs)
        row: dict[str, Any] = {"parameter": name, "knop": scenario.info[name].knop, "kind": scenario.info[name].kind,
                               "point": scenario.params[name], "low": lo, "high": hi}
        for o in outputs:
            row[f"{o}_base"] = float(base[o][0])
            row[f"{o}_at_low"] = float(res[o][0])
            row[f"{o}_at_high"] = float(res[o][1])
            row[f"{o}_swing"] = abs(float(res[o][1] - res[o][0]))
            if o.startswith("ratio"):
                sv = switch_value(scenario, name, o, 1.0)
                row[f"{o}_switch"] = sv.value
        rows.append(row)
    df = pd.DataFrame(rows).sort_values(f"{outputs[0]}_swing", ascending=False, ignore_index=True)
    df.attrs["quantiles"] = quantiles
    df.attrs["input_space"] = scenario.space
    return df


def _space_text(space: str) -> str:
    from ..io.loading import INPUT_SPACES

    return INPUT_SPACES.get(space, space)


def spider(scenario: Scenario, output: str = "ratio_social", quantiles: Sequence[float] = (
        0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95), inputs: str | None = DEFAULT_INPUTS) -> Any:
    """Spider table: the output as each parameter moves through its quantiles."""
    import pandas as pd

    check_outputs([output])
    scenario = in_space(scenario, inputs)
    q = np.asarray(quantiles)
    data = {}
    for name in scenario.sampled:
        xs = scenario.distributions[name].ppf(q.copy())
        data[name] = _point_eval(scenario, {name: xs}, [output])[output]
    return pd.DataFrame(data, index=pd.Index(q, name="quantile")).T


# ------------------------------------------------------- break-even
def breakeven(scenario: Scenario, levers: Sequence[str] = DEFAULT_LEVERS, *, n: int = 20_000, grid: int = 11,
              seed: int = 0, workers: int = 1) -> tuple[Any, Any]:
    """Probabilistic break-even and robustness table.

    For each lever, the lever is fixed at each of ``grid`` values over its
    range while every other uncertainty is sampled (``n`` samples, the same
    draws at every value: common random numbers); P(ratio_social >= 1) and
    P(ratio_gemeente >= 1) are computed at each value, and the break-even is
    the value where P(ratio_social >= 1) crosses 50 % (linear interpolation
    between grid points), or None.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Break-even per lever, and the robustness table (lever, value,
        probabilities with standard errors).
    """
    import pandas as pd

    from ..uncertainty.plan import SamplingPlan

    problems = []
    for lever in levers:
        if lever not in PARAMETERS:
            problems.append(Problem("--lever", "lever", lever, "a known parameter name"))
    if problems:
        raise ConfigError(problems)
    ranges = {lever: _range_of(scenario, lever) for lever in levers}
    plan = SamplingPlan.from_scenario(scenario, n, seed)
    x = plan.inputs(0, n)
    rows = []
    best = []
    for lever in levers:
        lo, hi = ranges[lever]
        values = np.linspace(lo, hi, grid)
        p_social = []
        for v in values:
            params = {**scenario.params, **x, lever: v}
            res = evaluate(params, scenario.structure, ["ratio_social", "ratio_gemeente"])
            ps = float(np.mean(res["ratio_social"] >= 1.0))
            pg = float(np.mean(res["ratio_gemeente"] >= 1.0))
            p_social.append(ps)
            rows.append({"lever": lever, "value": float(v), "p_ratio_social_ge_1": ps,
                         "se_social": float(np.sqrt(ps * (1 - ps) / n)), "p_ratio_gemeente_ge_1": pg,
                         "se_gemeente": float(np.sqrt(pg * (1 - pg) / n))})
        p = np.array(p_social) - 0.5
        cross = np.flatnonzero(np.sign(p[:-1]) * np.sign(p[1:]) <= 0)
        value = None
        if cross.size:
            i = int(cross[0])
            value = float(values[i] if p[i] == p[i + 1] else values[i] + (values[i + 1] - values[i]) * (-p[i]) / (p[i + 1] - p[i]))
        at_point = evaluate({**scenario.params, **x, lever: scenario.params[lever]}, scenario.structure,
                            ["ratio_social"])["ratio_social"]
        best.append({"lever": lever, "low": lo, "high": hi, "point": scenario.params[lever], "breakeven": value,
                     "p_at_point": float(np.mean(at_point >= 1.0))})
    table = pd.DataFrame(rows)
    summary = pd.DataFrame(best)
    summary.attrs.update(n=n, seed=seed, grid=grid)
    return summary, table


__all__ = [
    "DEFAULT_INPUTS",
    "DEFAULT_LEVERS",
    "DEFAULT_SOBOL_OUTPUTS",
    "INDICATORS",
    "SwitchValue",
    "breakeven",
    "in_space",
    "model_for",
    "morris",
    "problem_for",
    "sobol",
    "spider",
    "switch_value",
    "tornado",
]
