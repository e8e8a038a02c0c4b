"""One parameter at a time: tornado, spider and switch values (omslagpunten).

Each sampled parameter of the input space moves through its range (P10 to
P90 for the tornado, a set of quantiles for the spider) with the others at
their point values, ranked by the swing of the output, plus the value where
a ratio crosses 1 (:func:`switch_value`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ConfigError, Problem
from ..model.core import evaluate
from ..model.parameters import PARAMETERS
from .problem import DEFAULT_INPUTS, check_outputs, in_space

if TYPE_CHECKING:
    from ..io.loading import Scenario

Array = NDArray[np.float64]


def _point_eval(scenario: Scenario, values: Mapping[str, Array], outputs: Sequence[str]) -> dict[str, Array]:
    return evaluate({**scenario.params, **values}, scenario.structure, list(outputs))


@dataclass(frozen=True)
class SwitchValue:
    parameter: str
    output: str
    value: float | None  # None: no switch within the range
    low: float
    high: float


def range_of(scenario: Scenario, name: str) -> tuple[float, float]:
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
    lo, hi = range_of(scenario, name)
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


__all__ = ["SwitchValue", "range_of", "spider", "switch_value", "tornado"]
