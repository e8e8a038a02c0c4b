"""Value of information: EVPI and EVPPI per parameter and knop, per actor.

The decision is "invest in the approach or not"; the net benefit of
investing is the NCW balance of society (``balance``), of the municipality
(``balance_gemeente``) or of one actor (``actor_balance``), and not
investing is worth 0.  With ``y`` the net benefit of a sample,

* EVPI = E[max(y, 0)] - max(E[y], 0) (the expected value of perfect
  information; Raiffa & Schlaifer 1961; Briggs, Claxton & Sculpher 2006,
  *Decision Modelling for Health Economic Evaluation*, §7.2);
* EVPPI(theta) = E[max(g(theta), 0)] - max(E[y], 0), with ``g(theta)`` a
  regression of ``y`` on the parameter(s) ``theta`` standing in for
  E[y | theta] (Strong, Oakley & Brennan 2014, *Med Decis Making*
  34:311-326, eq. 6 and §2.2; bases in :mod:`.voi_basis`).

The samples are those of the plan's risk run (``mkba-mc run``: the same
:class:`~mkba_mc.uncertainty.plan.SamplingPlan`, seed and ``n`` give the same
samples).  Three streamed passes go over them through the evaluator's
``map``, each regenerating the samples from the seed, so no sample is kept:
(1) the EVPI sums and the normal equations of every parameter, (2) the
normal equations of every knop (its interactions chosen by the parameters'
fits of pass 1) and the EVPPI sums of the parameters, (3) the EVPPI sums of
the knops.

Standard errors (the method is first order and cheap at 10^6 samples):
the Monte Carlo error of the outer mean, ``sd(z) / sqrt(N)`` with
``z = max(g, 0) - 1{E[y] > 0} g`` (for the EVPI ``g = y``;
exact for random sampling, conservative for LHS and Sobol'), and the
error of the fitted coefficients by the delta method,
``sigma^2 G' (X'X)^-1 G`` with ``G = E[1{g > 0} x] - 1{E[y] > 0} E[x]`` the
gradient of the EVPPI in the coefficients -- the first-order version of the
draws from the coefficients' posterior of Strong et al. (2014, §2.3).  The
two are added in quadrature.  Checks: the mean residual (zero up to
rounding for a least-squares fit with an intercept) and 0 <= EVPPI <= EVPI,
clipped and flagged when violated by more than two standard errors.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray

from ..errors import ConfigError, Problem
from ..execution.evaluators import Evaluator, local_evaluator
from ..execution.job import sample_tasks, tune_malloc
from ..model.core import evaluate
from ..model.sets import ACTORS
from ..uncertainty.plan import SamplingPlan
from .voi_basis import (
    ACC_BLOCK, Basis, evpi_sums, finish, fit_sums, fit_width, gain_sums, gain_width, knop_pairs, solve, spline_for,
    unpack_fit,
)

if TYPE_CHECKING:
    from ..io.loading import Scenario

Array = NDArray[np.float64]

#: Decision perspectives: society, the municipality (its four actors), each actor.
PERSPECTIVES: Final[tuple[str, ...]] = ("society", "gemeente", *ACTORS)
#: Knots of a single parameter's spline and of each member of a knop.
KNOTS: Final[int] = 6
KNOP_KNOTS: Final[int] = 4
#: Members of a knop whose pairwise interactions enter its basis (the best fitting, by pass 1).
PAIR_MEMBERS: Final[int] = 8
#: Fewest samples of a value-of-information analysis.
MIN_SAMPLES: Final[int] = 1000


@dataclass(frozen=True)
class ModelNetBenefit:
    """Net benefit of investing per perspective, from the MKBA model."""

    scenario: Scenario
    perspectives: tuple[str, ...]

    def __call__(self, names: Sequence[str], x: Array) -> Array:
        params = dict(self.scenario.params)
        for j, nm in enumerate(names):
            params[nm] = x[j]
        res = evaluate(params, self.scenario.structure, ["balance", "balance_gemeente", "actor_balance"])
        cols = [res["balance"] if p == "society" else res["balance_gemeente"] if p == "gemeente"
                else res["actor_balance"][:, ACTORS.index(p)] for p in self.perspectives]
        return np.vstack([np.broadcast_to(np.asarray(c, dtype=float), (x.shape[1],)) for c in cols])


@dataclass(frozen=True)
class VoiJob:
    """One streamed pass: every task returns its per-accumulation-block sums."""

    plan: SamplingPlan
    net_benefit: Callable[[Sequence[str], Array], Array]
    chunk: int
    q: int
    evpi: bool = False
    fit: tuple[Basis, ...] = ()
    gain: tuple[tuple[Basis, Array], ...] = ()
    sign: Array | None = None

    @property
    def width(self) -> int:
        return ((6 * self.q if self.evpi else 0) + sum(fit_width(b, self.q) for b in self.fit)
                + sum(gain_width(b, self.q) for b, _ in self.gain))

    def sums(self, task: tuple[int, int]) -> Array:
        """Sums of samples ``task[0] .. task[1] - 1``, one row per accumulation block."""
        tune_malloc()
        parts = []
        for _, x in self.plan.chunks(task[0], task[1], self.chunk):
            Y = self.net_benefit(self.plan.names, x)
            out = np.zeros((-(-x.shape[1] // ACC_BLOCK), self.width))
            off = 0
            if self.evpi:
                evpi_sums(Y, out)
                off = 6 * self.q
            for b in self.fit:
                off = fit_sums(b.design(x), Y, out, off)
            for b, beta in self.gain:
                off = gain_sums(b.design(x), Y, beta, self.sign, out, off)
            parts.append(out)
        return np.concatenate(parts)


@dataclass
class VoiResult:
    """EVPI by perspective and EVPPI by factor (parameter or knop) and perspective.

    Amounts are euros per cohort (one year of the approach); ``population``
    is the number of cohorts (municipalities x years) the ``*_population``
    values of :meth:`to_dataset` are scaled by.
    """

    perspectives: tuple[str, ...]
    factors: tuple[str, ...]
    kinds: tuple[str, ...]
    knops: tuple[str, ...]
    members: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]
    mean: Array
    p_positive: Array
    evpi: Array
    evpi_se: Array
    evppi: Array
    evppi_raw: Array
    evppi_se: Array
    r2: Array
    residual_mean: Array
    flags: list[list[str]]
    n: int
    seed: int
    sampler: str
    population: float
    elapsed: float
    warnings: list[str] = field(default_factory=list)

    def to_dataset(self) -> Any:
        """The result as an :class:`xarray.Dataset` (``voi.nc``)."""
        import xarray as xr

        K = self.population
        fp = ("factor", "perspective")
        ds = xr.Dataset(
            {"mean_net_benefit": ("perspective", self.mean), "p_net_benefit_positive": ("perspective", self.p_positive),
             "evpi": ("perspective", self.evpi), "evpi_se": ("perspective", self.evpi_se),
             "evpi_population": ("perspective", self.evpi * K),
             "evppi": (fp, self.evppi), "evppi_se": (fp, self.evppi_se), "evppi_population": (fp, self.evppi * K),
             "evppi_raw": (fp, self.evppi_raw), "r2": (fp, self.r2), "residual_mean": (fp, self.residual_mean),
             "flag": (fp, np.array([[";".join(f) for f in row] for row in self.flags], dtype=object).astype(str))},
            coords={"perspective": list(self.perspectives), "factor": list(self.factors),
                    "kind": ("factor", list(self.kinds)), "knop": ("factor", list(self.knops)),
                    "members": ("factor", [",".join(m) for m in self.members]),
                    "basis_width": ("factor", list(self.widths))})
        ds.attrs.update({"analysis": "voi", "n": self.n, "seed": self.seed, "sampler": self.sampler,
                         "population": self.population, "elapsed_seconds": round(self.elapsed, 3),
                         "method": "regression (Strong, Oakley & Brennan 2014): restricted cubic splines per "
                                   "parameter, additive splines with pairwise interactions per knop",
                         "se_method": "Monte Carlo error of the outer mean plus the delta-method error of the "
                                      "fitted coefficients, in quadrature",
                         "knots": KNOTS, "knop_knots": KNOP_KNOTS, "pair_members": PAIR_MEMBERS})
        return ds

    def table(self) -> Any:
        """A long table (factor x perspective) for ``voi.csv``."""
        ds = self.to_dataset()
        df = ds[["evppi", "evppi_se", "evppi_population", "evppi_raw", "r2", "residual_mean", "flag"]
                ].to_dataframe().reset_index()
        for v in ("evpi", "evpi_se", "evpi_population", "mean_net_benefit", "p_net_benefit_positive"):
            df[v] = df["perspective"].map(dict(zip(self.perspectives, ds[v].values)))
        df["rank"] = df.groupby("perspective")["evppi"].rank(ascending=False, method="first").astype(int)
        return df


def check_voi(n: int, perspectives: Sequence[str], population: float, chunk_size: int) -> None:
    """All problems of a value-of-information analysis's options at once (:class:`ConfigError`)."""
    problems = [Problem("--actor", "actor", p, f"one of: {', '.join(PERSPECTIVES)}") for p in perspectives
                if p not in PERSPECTIVES]
    if len(set(perspectives)) != len(perspectives) or not perspectives:
        problems.append(Problem("--actor", "actor", list(perspectives), "distinct perspectives, at least one"))
    if n < MIN_SAMPLES:
        problems.append(Problem("-n", "n", n, f"at least {MIN_SAMPLES:,} samples"))
    if not (isinstance(population, (int, float)) and np.isfinite(population) and population > 0):
        problems.append(Problem("--population", "population", population,
                                "a positive number of cohorts (municipalities x years)"))
    if chunk_size < 1:
        problems.append(Problem("--chunk-size", "chunk_size", chunk_size, "a positive number of samples"))
    if problems:
        raise ConfigError(problems)


def _quantile(plan: SamplingPlan, j: int) -> Callable[[Array], Array]:
    """Inverse CDF of the marginal of design row ``j`` (a share member: its beta marginal)."""
    dist = plan.dists[j]
    if dist is not None:
        return lambda u: dist.ppf(np.array(u, dtype=float))
    from scipy import stats

    row = sum(d is not None for d in plan.dists)
    for g in plan.groups:
        if row <= j < row + len(g.members):
            a = np.asarray(g.alpha, dtype=float)
            return lambda u: stats.beta.ppf(u, a[j - row], a.sum() - a[j - row])
        row += len(g.members)
    raise ValueError(f"design row {j} has no marginal")  # pragma: no cover - every row has one


def analyse(plan: SamplingPlan, net_benefit: Callable[[Sequence[str], Array], Array], perspectives: Sequence[str],
            knops: Mapping[str, Sequence[str]], *, parameter_knop: Mapping[str, str] | None = None,
            evaluator: Evaluator | None = None, chunk_size: int = 1 << 14, population: float = 1.0,
            progress: Callable[[int, int], None] | None = None) -> VoiResult:
    """EVPI and EVPPI of every sampled input and knop from streamed passes over ``plan``.

    Parameters
    ----------
    plan : SamplingPlan
        The samples (the plan's risk run for :func:`voi`).
    net_benefit : callable
        ``net_benefit(plan.names, x)`` -> ``(len(perspectives), rows)`` net
        benefit of investing for the design rows ``x`` (``(dims, rows)``).
    perspectives : sequence of str
        Names of the net-benefit columns.
    knops : mapping of str to sequence of str
        Groups of inputs (names of ``plan.names``) whose joint EVPPI is wanted.
    parameter_knop : mapping, optional
        The knop of each input (recorded only).
    evaluator : Evaluator, optional
        Where the tasks run (default: this process).
    chunk_size : int
        Samples per model call, rounded down to a multiple of
        :data:`~mkba_mc.sensitivity.voi_basis.ACC_BLOCK` (at least one); the
        numbers do not depend on it.
    population : float
        Cohorts the ``*_population`` values are scaled by.
    progress : callable, optional
        ``progress(done, total)`` over the three passes.
    """
    t0 = time.perf_counter()
    ev = evaluator if evaluator is not None else local_evaluator(1)
    n, q, N = plan.n, len(perspectives), float(plan.n)
    chunk = max(ACC_BLOCK, chunk_size // ACC_BLOCK * ACC_BLOCK)
    tasks = sample_tasks(0, n, plan.block_size, chunk)
    ev.expect(len(tasks))
    done = [0]

    def stream(job: VoiJob) -> Array:
        total = np.zeros(job.width)
        for arr, (s, e) in zip(ev.map(job.sums, tasks), tasks):
            for row in arr:  # accumulation blocks in sample order: a fixed order
                total += row
            done[0] += e - s
            if progress is not None:
                progress(done[0], 3 * n)
        return total

    names = plan.names
    singles = tuple(Basis(nm, "parameter", (spline_for(j, _quantile(plan, j), KNOTS),)) for j, nm in enumerate(names))
    s1 = stream(VoiJob(plan, net_benefit, chunk, q, evpi=True, fit=singles))
    S = s1[:6 * q].reshape(6, q) / N
    mean, pos_mean = S[0], S[2]
    sign = (mean > 0).astype(float)
    evpi = pos_mean - np.maximum(mean, 0.0)
    var0 = S[3] - 2 * sign * S[4] + sign * S[1] - (pos_mean - sign * mean) ** 2
    evpi_se = np.sqrt(np.maximum(var0, 0.0) / N)
    tss = S[1] * N - N * mean ** 2
    fits: dict[str, tuple[Basis, Array, Array, Array]] = {}
    off = 6 * q
    r2_single = {}
    for b in singles:
        w = fit_width(b, q)
        XtX, XtY = unpack_fit(s1[off:off + w], b.width, q)
        beta, inv = solve(XtX, XtY)
        fits[b.name] = (b, beta, inv, XtX)
        explained = np.einsum("pq,pq->q", beta, XtY) - N * mean ** 2
        r2_single[b.name] = float(np.sum(np.where(tss > 0, explained / np.where(tss > 0, tss, 1.0), 0.0)))
        off += w
    knop_bases = []
    index = {nm: j for j, nm in enumerate(names)}
    for kn, mem in knops.items():
        rows = [index[m] for m in mem]
        spl = tuple(spline_for(j, _quantile(plan, j), KNOP_KNOTS) for j in rows)
        pairs = knop_pairs(rows, [r2_single[m] for m in mem], PAIR_MEMBERS)
        knop_bases.append(Basis(kn, "knop", spl, pairs))
    s2 = stream(VoiJob(plan, net_benefit, chunk, q, fit=tuple(knop_bases),
                       gain=tuple((fits[b.name][0], fits[b.name][1]) for b in singles), sign=sign))
    off = 0
    for b in knop_bases:
        w = fit_width(b, q)
        XtX, XtY = unpack_fit(s2[off:off + w], b.width, q)
        beta, inv = solve(XtX, XtY)
        fits[b.name] = (b, beta, inv, XtX)
        off += w
    gains = {b.name: s2[off + k:off + k + gain_width(b, q)] for b, k in
             zip(singles, np.cumsum([0] + [gain_width(b, q) for b in singles[:-1]]))}
    s3 = stream(VoiJob(plan, net_benefit, chunk, q, gain=tuple((b, fits[b.name][1]) for b in knop_bases), sign=sign))
    k = 0
    for b in knop_bases:
        gains[b.name] = s3[k:k + gain_width(b, q)]
        k += gain_width(b, q)
    order = [*singles, *knop_bases]
    res = finish(order, fits, gains, N, mean, sign, evpi, evpi_se, tss)
    pk = parameter_knop or {}
    return VoiResult(tuple(perspectives), tuple(b.name for b in order), tuple(b.kind for b in order),
                     tuple(pk.get(b.name, "") if b.kind == "parameter" else b.name for b in order),
                     tuple((b.name,) if b.kind == "parameter" else tuple(knops[b.name]) for b in order),
                     tuple(b.width for b in order), mean, S[5], evpi, evpi_se, *res[:5], res[5],
                     n, plan.seed, plan.sampler, float(population), time.perf_counter() - t0, res[6])


def voi(scenario: Scenario, n: int, *, seed: int, sampler: str = "random", perspectives: Sequence[str] | None = None,
        population: float = 1.0, chunk_size: int = 1 << 14, evaluator: Evaluator | None = None,
        progress: Callable[[int, int], None] | None = None) -> VoiResult:
    """Value of information of a scenario's plan (``mkba-mc voi``).

    The samples are those of ``mkba-mc run`` with the same ``n``, ``seed``
    and ``sampler`` (the scenario as loaded: levers at the plan's values with
    their implementation uncertainty, valuations fixed).  Knoppen are the
    ``knop`` of each sampled input (``scenario.info``).
    """
    persp = tuple(perspectives) if perspectives is not None else PERSPECTIVES
    check_voi(n, persp, population, chunk_size)
    plan = SamplingPlan.from_scenario(scenario, n, seed, sampler)
    knops: dict[str, list[str]] = {}
    pk = {}
    for nm in plan.names:
        kn = scenario.info[nm].knop if nm in scenario.info else ""
        pk[nm] = kn
        if kn:
            knops.setdefault(f"knop:{kn}" if kn in plan.names else kn, []).append(nm)
    own = evaluator is None
    ev = evaluator if evaluator is not None else local_evaluator(1)
    try:
        return analyse(plan, ModelNetBenefit(scenario, persp), persp, knops, parameter_knop=pk, evaluator=ev,
                       chunk_size=chunk_size, population=population, progress=progress)
    finally:
        if own:
            ev.close()


def voi_dataset(scenario: Scenario, n: int, *, seed: int | None = None, sampler: str = "random",
                perspectives: Sequence[str] | None = None, population: float = 1.0, chunk_size: int = 1 << 14,
                evaluator: Evaluator | None = None, progress: Callable[[int, int], None] | None = None
                ) -> tuple[Any, list[str]]:
    """:func:`voi` as an :class:`xarray.Dataset` and its warnings (for :func:`mkba_mc.api.voi`);
    the options are checked before anything is sampled and a fresh seed is drawn if none is given."""
    from ..execution.montecarlo import new_seed

    persp = list(perspectives) if perspectives is not None else list(PERSPECTIVES)
    check_voi(n, persp, population, chunk_size)
    res = voi(scenario, n, seed=new_seed() if seed is None else seed, sampler=sampler, perspectives=persp,
              population=population, chunk_size=chunk_size, evaluator=evaluator, progress=progress)
    return res.to_dataset(), res.warnings


__all__ = ["KNOP_KNOTS", "KNOTS", "PAIR_MEMBERS", "PERSPECTIVES", "ModelNetBenefit", "VoiJob", "VoiResult",
           "analyse", "check_voi", "voi", "voi_dataset"]
