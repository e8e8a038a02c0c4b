"""Scenario discovery: under which input values does the conclusion flip?

The samples are those of the plan's risk run (``mkba-mc run``: the same
seed, n and sampler give the same samples, :func:`mkba_mc.execution.montecarlo.run`
with ``keep_inputs``); with ``sample_levers`` the levers range over their
plausible range too (:meth:`~mkba_mc.io.loading.Scenario.in_space`
``"levers"``), so that a box names the lever settings under which the
conclusion flips.  For each event (:data:`EVENTS`) PRIM
(:mod:`mkba_mc.sensitivity.prim`: peeling, a box chosen on the trajectory,
pruning, pasting) finds one box of inputs where the event is concentrated
(Bryant & Lempert 2010).  Inputs that do not vary in the samples are left
out.  PRIM draws no random numbers: the boxes of a seed are bit-identical
whatever the chunk size or the number of workers of the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray

from ..errors import ConfigError, Problem
from . import prim, prim_refine

if TYPE_CHECKING:
    from ..execution.evaluators import Evaluator
    from ..io.loading import Scenario

Array = NDArray[np.float64]

#: The events where the conclusion flips, with their meaning (the complements
#: of the run's decision probabilities, :func:`mkba_mc.execution.summary.probabilities`).
EVENTS: Final[dict[str, str]] = {
    "ratio_social_lt_1": "society loses: social cost-benefit ratio below 1",
    "ratio_gemeente_lt_1": "the municipality loses: municipal cost-benefit ratio below 1",
    "split_incentive": "split incentive: society gains (balance >= 0), the municipality loses (balance < 0)",
}
#: Default: every event (events that never or always occur get no box, with the reason).
DEFAULT_EVENTS: Final[tuple[str, ...]] = tuple(EVENTS)
#: Outputs the events need.
EVENT_OUTPUTS: Final[tuple[str, ...]] = ("ratio_social", "ratio_gemeente", "balance", "balance_gemeente")
#: Fewest samples of a discovery.
MIN_SAMPLES: Final[int] = 1000
#: Fewest samples with, and without, the event for PRIM to look for a box.
MIN_EVENTS: Final[int] = 20


def event_mask(event: str, outputs: dict[str, Array]) -> NDArray[np.bool_]:
    """The samples where ``event`` holds."""
    if event == "ratio_social_lt_1":
        return outputs["ratio_social"] < 1.0
    if event == "ratio_gemeente_lt_1":
        return outputs["ratio_gemeente"] < 1.0
    if event == "split_incentive":
        return (outputs["balance"] >= 0.0) & (outputs["balance_gemeente"] < 0.0)
    raise KeyError(event)


@dataclass
class EventBox:
    """One event's discovery: trajectory, the box chosen and its statistics.

    ``status`` is ``"box"`` (a box with at least one restriction),
    ``"no_box"`` (no restriction survives pruning), ``"never"``, ``"always"``
    or ``"rare"`` (fewer than :data:`MIN_EVENTS` samples with or without the event).
    """

    event: str
    events: int
    status: str
    trajectory: prim.Trajectory | None = None
    chosen: int = -1
    lower: Array | None = None
    upper: Array | None = None
    stats: prim.BoxStats | None = None
    qp: Array | None = None
    gain: Array | None = None


@dataclass
class DiscoverResult:
    """Boxes per event over the named inputs, with the settings used."""

    names: list[str]
    lo0: Array
    hi0: Array
    n: int
    boxes: list[EventBox]
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dataset(self) -> Any:
        """The result as an :class:`xarray.Dataset` (``discover.nc``).

        By ``event``: ``status``, ``events`` (samples with the event),
        ``event_share``, ``chosen`` (the box's number on the trajectory, -1
        without one), ``coverage``, ``density``, ``mass``, ``n_box``; by
        ``event`` and ``parameter``: ``lower``/``upper`` (NaN where the box
        does not restrict the input), ``qp`` (quasi-p-value) and ``gain``
        (density gain of the restriction); by ``event`` and ``step``: the
        peeling trajectory ``traj_coverage``, ``traj_density``,
        ``traj_mass``, ``traj_res_dim`` (NaN past its end) and, with
        ``parameter``, ``traj_lower``/``traj_upper``; by ``parameter``:
        ``data_min``/``data_max``; the settings in ``attrs``.
        """
        import xarray as xr

        E, d = len(self.boxes), len(self.names)
        steps = max([len(b.trajectory) for b in self.boxes if b.trajectory is not None] or [0])
        traj = {k: np.full((E, steps), np.nan) for k in ("coverage", "density", "mass", "res_dim")}
        tlo, thi = np.full((E, steps, d), np.nan), np.full((E, steps, d), np.nan)
        per = {k: np.full(E, np.nan) for k in ("coverage", "density", "mass", "n_box")}
        lim = {k: np.full((E, d), np.nan) for k in ("lower", "upper", "qp", "gain")}
        for i, b in enumerate(self.boxes):
            if b.trajectory is None or b.lower is None or b.upper is None or b.stats is None:
                continue
            t = b.trajectory
            for k in traj:
                traj[k][i, :len(t)] = getattr(t, k)
            tlo[i, :len(t)], thi[i, :len(t)] = t.lower, t.upper
            for k in per:
                per[k][i] = getattr(b.stats, k)
            res = prim.restricted(b.lower, b.upper, self.lo0, self.hi0)
            lim["lower"][i, res], lim["upper"][i, res] = b.lower[res], b.upper[res]
            lim["qp"][i], lim["gain"][i] = b.qp, b.gain
        data: dict[str, Any] = {"status": ("event", np.array([b.status for b in self.boxes], dtype=object)),
                                "events": ("event", np.array([b.events for b in self.boxes], dtype=np.int64)),
                                "event_share": ("event", np.array([b.events / self.n for b in self.boxes])),
                                "chosen": ("event", np.array([b.chosen for b in self.boxes], dtype=np.int64))}
        data.update({k: ("event", v) for k, v in per.items()})
        data.update({k: (("event", "parameter"), v) for k, v in lim.items()})
        data.update({f"traj_{k}": (("event", "step"), v) for k, v in traj.items()})
        data.update(traj_lower=(("event", "step", "parameter"), tlo), traj_upper=(("event", "step", "parameter"), thi),
                    data_min=("parameter", self.lo0), data_max=("parameter", self.hi0))
        ds = xr.Dataset(data, coords={"event": [b.event for b in self.boxes], "parameter": list(self.names),
                                      "step": np.arange(steps)})
        ds.attrs.update({k: v for k, v in self.settings.items() if v is not None})
        return ds


def check_discover(events: Sequence[str], n: int, box: int | None, peel_alpha: float, paste_alpha: float,
                   mass_min: float, coverage_min: float) -> None:
    """All problems of a discovery's options at once (:class:`ConfigError`)."""
    problems = [Problem("--event", "event", e, f"one of {', '.join(EVENTS)}") for e in events if e not in EVENTS]
    if not events:
        problems.append(Problem("--event", "event", "", f"at least one of {', '.join(EVENTS)}"))
    if n < MIN_SAMPLES:
        problems.append(Problem("-n", "n", n, f"at least {MIN_SAMPLES:,} samples"))
    if box is not None and len(events) != 1:
        problems.append(Problem("--box", "box", box, "one --event with --box (the trajectories differ per event)"))
    if box is not None and box < 0:
        problems.append(Problem("--box", "box", box, "a box number of the peeling trajectory, 0 or more"))
    for opt, v, hi in (("--peel-alpha", peel_alpha, 0.5), ("--paste-alpha", paste_alpha, 0.5),
                       ("--mass-min", mass_min, 1.0), ("--coverage-min", coverage_min, 1.0)):
        if not 0.0 < v < hi:
            problems.append(Problem(opt, opt.lstrip("-").replace("-", "_"), v, f"a number between 0 and {hi:g}"))
    if problems:
        raise ConfigError(problems)


def discover_boxes(X: Array, names: Sequence[str], outputs: dict[str, Array], events: Sequence[str], *,
                   box: int | None = None, peel_alpha: float = prim.PEEL_ALPHA,
                   paste_alpha: float = prim.PASTE_ALPHA, mass_min: float = prim.MASS_MIN,
                   coverage_min: float = prim.COVERAGE_MIN, explicit: bool = False,
                   threads: int = 1) -> DiscoverResult:
    """PRIM boxes for each event over inputs ``X`` (``(d, n)``).

    Parameters
    ----------
    threads : int
        Events searched at once (numpy's partition releases the GIL); the
        boxes do not depend on it.
    explicit : bool
        The events were named by the user: an event that never or always
        occurs (or too rarely) is a :class:`ConfigError` instead of a
        ``status`` without a box.

    Raises
    ------
    ConfigError
        For ``box`` beyond the trajectory, or (``explicit``) an event that
        cannot be bounded.
    """
    n = X.shape[1]
    lo0, hi0 = X.min(axis=1), X.max(axis=1)
    result = DiscoverResult(list(names), lo0, hi0, n, [], dict(peel_alpha=peel_alpha, paste_alpha=paste_alpha,
                                                                mass_min=mass_min, coverage_min=coverage_min,
                                                                box=-1 if box is None else box))
    problems = []
    for ev in events:
        k = int(np.count_nonzero(event_mask(ev, outputs)))
        if explicit and (k < MIN_EVENTS or n - k < MIN_EVENTS):
            problems.append(Problem("--event", "event", ev, f"an event that occurs in at least {MIN_EVENTS} and "
                                    f"at most n - {MIN_EVENTS} samples; it occurs in {k:,} of {n:,}"))
    if problems:
        raise ConfigError(problems)

    order = prim.sorted_orders(X)  # once for all events

    def one(ev: str) -> EventBox:
        y = event_mask(ev, outputs)
        k = int(np.count_nonzero(y))
        status = "never" if k == 0 else "always" if k == n else "rare" if min(k, n - k) < MIN_EVENTS else ""
        if status:
            return EventBox(ev, k, status)
        traj = prim.peel(X, y, peel_alpha, mass_min, order)
        if box is not None and box >= len(traj):
            raise ConfigError([Problem("--box", "box", box, f"a box of the peeling trajectory, 0 to {len(traj) - 1}")])
        if box is None:  # the default box, refined: limits that do not matter pruned, then pasted
            i = prim.select_box(traj, coverage_min)
            lower, upper = prim_refine.prune(X, y, traj.lower[i], traj.upper[i], lo0, hi0)
            lower, upper = prim_refine.paste(X, y, lower, upper, paste_alpha)
        else:  # the user's box exactly as on the trajectory (EMA Workbench's inspect(i)), unrefined
            i = box
            lower, upper = traj.lower[i].copy(), traj.upper[i].copy()
        qp, gain = prim_refine.quasi_p(X, y, lower, upper, lo0, hi0)
        any_res = bool(prim.restricted(lower, upper, lo0, hi0).any())
        return EventBox(ev, k, "box" if any_res else "no_box", traj, i, lower, upper,
                        prim.box_stats(X, y, lower, upper), qp, gain)

    if threads > 1 and len(events) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(threads, len(events))) as pool:
            result.boxes.extend(pool.map(one, events))
    else:
        result.boxes.extend(one(ev) for ev in events)
    return result


def discover(scenario: Scenario, events: Sequence[str] = DEFAULT_EVENTS, *, n: int = 100_000, seed: int = 0,
             sampler: str = "random", box: int | None = None, peel_alpha: float = prim.PEEL_ALPHA,
             paste_alpha: float = prim.PASTE_ALPHA, mass_min: float = prim.MASS_MIN,
             coverage_min: float = prim.COVERAGE_MIN, explicit: bool = False,
             evaluator: Evaluator | None = None) -> DiscoverResult:
    """Scenario discovery on the samples of the scenario's run.

    Parameters
    ----------
    scenario : Scenario
        Used as given: the plan's risk run, or (after
        ``scenario.in_space("levers")``) the what-if over the levers.
    events : sequence of str
        Keys of :data:`EVENTS`.
    n, seed, sampler
        The samples: equal to those of ``run`` with the same values.
    box : int, optional
        The box on the peeling trajectory (one event only); default
        :func:`mkba_mc.sensitivity.prim.select_box`.
    peel_alpha, paste_alpha, mass_min, coverage_min : float
        PRIM's settings (:mod:`mkba_mc.sensitivity.prim`; Friedman & Fisher
        1999 §2-§4).
    explicit : bool
        See :func:`discover_boxes`.
    evaluator : Evaluator, optional
        Where the run's tasks run.

    Returns
    -------
    DiscoverResult

    Raises
    ------
    ConfigError
        For bad options (:func:`check_discover`), ``box`` beyond the
        trajectory, or a named event that cannot be bounded.
    """
    from ..execution.montecarlo import run

    check_discover(events, n, box, peel_alpha, paste_alpha, mass_min, coverage_min)
    res = run(scenario, n, seed=seed, sampler=sampler, outputs=list(EVENT_OUTPUTS), keep_inputs=True,
              evaluator=evaluator)
    assert res.inputs is not None
    names = [nm for nm in res.plan.names if np.ptp(res.inputs[nm]) > 0]
    X = np.empty((len(names), res.n))
    for i, nm in enumerate(names):
        X[i] = res.inputs[nm]
    out = discover_boxes(X, names, res.outputs, events, box=box, peel_alpha=peel_alpha, paste_alpha=paste_alpha,
                         mass_min=mass_min, coverage_min=coverage_min, explicit=explicit,
                         threads=getattr(evaluator, "workers", 1) or 1)
    out.settings.update(n=res.n, seed=seed, sampler=sampler, input_space=scenario.space)
    return out


__all__ = ["DEFAULT_EVENTS", "EVENTS", "EVENT_OUTPUTS", "MIN_EVENTS", "MIN_SAMPLES", "DiscoverResult", "EventBox",
           "check_discover", "discover", "discover_boxes", "event_mask"]
