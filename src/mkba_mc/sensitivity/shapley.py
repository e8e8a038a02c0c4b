"""Shapley effects of dependent inputs: the random-permutation estimator with
exact conditional sampling.

The Shapley effect of a player ``i`` (a parameter, a share vector, or a knop)
is its Shapley value in the cooperative game ``c(J) = E[Var(Y | X_{-J})]``
(Owen 2014, SIAM/ASA J. Uncertainty Quantification 2; Song, Nelson & Staum
2016, SIAM/ASA JUQ 4, 1060-1083), divided by ``Var Y``.  Unlike Sobol'
indices the effects stay meaningful for dependent inputs, are non-negative
and sum to one (Owen & Prieur 2017; Iooss & Prieur 2019).

Estimator (Song, Nelson & Staum 2016, Algorithm 1 with random permutations,
as R's ``sensitivity::shapleyPermRand``): for each of ``M`` random
permutations ``pi`` of the players and each ``j < P``, with
``J = {pi_1 .. pi_j}``, draw one ``x`` from the joint distribution
(``N_O = 1``), redraw ``X_J`` from its conditional law given
``X_{-J} = x_{-J}`` ``N_I`` times (:data:`INNER`, 3, the authors'
recommendation), and take the sample variance of the ``N_I`` outputs as
``c_hat(J)``; ``c(all) = Var Y`` from :data:`VARIANCE_ROWS` joint draws.
The increments ``c_hat(pi_1..pi_j) - c_hat(pi_1..pi_{j-1})`` summed per
player over the permutations, divided by ``M Var Y``, are the effects (they
sum to one exactly).

Conditional sampling is exact: players in different correlated sets are
independent; inside a set the Gaussian copula makes the normal scores
``Z ~ N(0, R)`` (``R = 2 sin(pi rho_s / 6)``), and with the coordinates
ordered fixed-first, the Cholesky factor ``L`` of the reordered ``R`` gives
``Z_free = L_{fG} L_{GG}^{-1} z_G + L_{ff} eps`` (the conditional Gaussian,
e.g. Rasmussen & Williams 2006, A.2).  A share vector is one player (its
Dirichlet law has no density on the unit cube's full dimension, so its
members are never split).  Every row's arithmetic is elementwise in a fixed
order and each task of :func:`perms_per_task` permutations has its own
seed stream (:func:`~mkba_mc.uncertainty.streams.shapley_stream`), so the
numbers do not depend on the workers or the scheduler.

Intervals: Poisson bootstrap over the permutations and the variance rows
(Hanley & MacGibbon 2006), half-width ``z * sd`` as for the Sobol' indices.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from ..execution.evaluators import Evaluator, local_evaluator
from ..uncertainty.copula import cholesky
from ..uncertainty.streams import SHAPLEY_BOOTSTRAP, SHAPLEY_PERMUTATIONS, SHAPLEY_VARIANCE, shapley_stream
from .dependence import Dependence
from .sobol import Problem

Array = NDArray[np.float64]
ModelFn = Callable[[Mapping[str, Array]], Mapping[str, Array]]

#: Inner conditional draws per (permutation, position) (Song et al. 2016 §5: N_O = 1, N_I = 3).
INNER: Final[int] = 3
#: Model rows per permutation task (about): a task holds ``TASK_ROWS // ((P - 1) N_I)``
#: permutations, fixed by the problem, so a task's streams and rows do not depend on the workers.
TASK_ROWS: Final[int] = 1 << 14


def perms_per_task(players: int) -> int:
    """Permutations per task of a problem with ``players`` players."""
    return max(1, TASK_ROWS // (max(players - 1, 1) * INNER))
#: Joint draws for Var Y, and per task.
VARIANCE_ROWS: Final[int] = 1 << 16
VARIANCE_TASK_ROWS: Final[int] = 1 << 13


@dataclass(frozen=True)
class ShapleyJob:
    """The state of every task of a Shapley analysis (bound to forked workers).

    Attributes
    ----------
    problem : Problem
        Parameters, inverse CDFs, players (``groups``) and the dependence.
    func : callable
        The vectorised model.
    outputs : tuple of str
        Outputs analysed.
    seed : int
        Seed of the permutations, the draws and the bootstrap.
    """

    problem: Problem
    func: ModelFn
    outputs: tuple[str, ...]
    seed: int
    #: Per correlated block and free-set code: (order, Cholesky factor of the reordered block).
    _cache: dict[tuple[int, int], tuple[NDArray[np.intp], Array]] = field(default_factory=dict, compare=False)

    @property
    def dep(self) -> Dependence:
        return self.problem.dependence if self.problem.dependence is not None else Dependence()

    def joint(self, rng: np.random.Generator, rows: int) -> Array:
        """``rows`` joint draws ``(d, rows)``: uniforms, and correlated normal
        scores ``L eps`` in the rows of each correlated set."""
        u = rng.random((self.problem.d, rows))
        for rows_b, chol in self.dep.blocks:
            eps = rng.standard_normal((len(rows_b), rows))
            for i in range(len(rows_b)):
                acc = eps[0] * chol[i, 0]
                for j in range(1, i + 1):
                    acc += eps[j] * chol[i, j]
                u[rows_b[i]] = acc
        return u

    def _factor(self, b: int, code: int) -> tuple[NDArray[np.intp], Array]:
        """Order (fixed members first, then free ones) and Cholesky factor of
        block ``b`` reordered so, for the free set of bit code ``code``."""
        key = (b, code)
        if key not in self._cache:
            k = self.dep.normals[b].shape[0]
            free = [i for i in range(k) if code >> i & 1]
            order = np.array([i for i in range(k) if not code >> i & 1] + free, dtype=np.intp)
            self._cache[key] = (order, cholesky(self.dep.normals[b][np.ix_(order, order)]))
        return self._cache[key]

    def conditional(self, b: int, z: Array, free: NDArray[np.bool_], eps: Array) -> Array:
        """Redraw the free members of block ``b`` given the fixed ones.

        ``z`` ``(k, R)`` normal scores, ``free`` ``(R, k)``, ``eps`` ``(k, R)``
        fresh standard normals; returns the new scores ``(k, R)``."""
        k, R = z.shape
        codes = (free.astype(np.int64) << np.arange(k)).sum(axis=1)
        uniq, inv = np.unique(codes, return_inverse=True)
        facs = [self._factor(b, int(c)) for c in uniq]
        order = np.stack([f[0] for f in facs])[inv]                 # (R, k)
        low = np.stack([f[1] for f in facs])[inv]                   # (R, k, k)
        nfix = k - free.sum(axis=1)
        zo = np.take_along_axis(z.T, order, axis=1)                 # scores in the rows' order
        e = np.empty((R, k))
        new = np.empty((R, k))
        for i in range(k):
            acc = np.zeros(R)
            for j in range(i):
                acc += low[:, i, j] * e[:, j]
            fixed = i < nfix
            diag = low[:, i, i]
            e[:, i] = np.where(fixed, (zo[:, i] - acc) / diag, eps[i])
            new[:, i] = np.where(fixed, zo[:, i], acc + diag * e[:, i])
        out = np.empty((R, k))
        np.put_along_axis(out, order, new, axis=1)
        return np.ascontiguousarray(out.T)

    def evaluate(self, x: Array) -> Mapping[str, Array]:
        """Model outputs of latent draws ``x`` (transformed in place)."""
        self.dep.values(x, self.problem.dists, scores=True)
        return self.func({nm: x[j] for j, nm in enumerate(self.problem.names)})

    def task(self, spec: tuple[str, int, int]) -> dict[str, Any]:
        """One task: ``("perm", task, permutations)`` -> the permutations and
        ``c_hat`` per output ``(T, P - 1)``; ``("var", task, rows)`` -> joint outputs."""
        kind, task, count = spec
        if kind == "var":
            rng = np.random.Generator(np.random.PCG64(shapley_stream(self.seed, SHAPLEY_VARIANCE, task)))
            y = self.evaluate(self.joint(rng, count))
            return {o: np.asarray(y[o], dtype=np.float64) for o in self.outputs}
        rng = np.random.Generator(np.random.PCG64(shapley_stream(self.seed, SHAPLEY_PERMUTATIONS, task)))
        cols = self.problem.factor_columns
        P = len(cols)
        perm = rng.permuted(np.tile(np.arange(P), (count, 1)), axis=1)
        rank = np.argsort(perm, axis=1)
        S = count * (P - 1)
        pos = np.tile(np.arange(1, P), count)
        in_j = rank[np.repeat(np.arange(count), P - 1)] < pos[:, None]         # (S, P): player redrawn
        player_of = np.empty(self.problem.d, dtype=np.intp)
        for p, c in enumerate(cols):
            player_of[list(c)] = p
        R = S * INNER
        x = np.repeat(self.joint(rng, S), INNER, axis=1)                     # outer draw, N_I times
        fresh = self.joint(rng, R)
        free = np.repeat(in_j[:, player_of], INNER, axis=0)                  # (R, d)
        x = np.where(free.T, fresh, x)
        for b, (rows_b, _) in enumerate(self.dep.blocks):
            eps = rng.standard_normal((len(rows_b), R))
            x[list(rows_b)] = self.conditional(b, x[list(rows_b)], free[:, list(rows_b)], eps)
        y = self.evaluate(np.ascontiguousarray(x))
        c = {o: np.asarray(y[o], dtype=np.float64).reshape(S, INNER).var(axis=1, ddof=1).reshape(count, P - 1)
             for o in self.outputs}
        return {"perm": perm, "c": c}


@dataclass
class ShapleyResult:
    """Shapley effects per output and player, with their design."""

    problem: Problem
    outputs: tuple[str, ...]
    n: int
    seed: int
    resamples: int
    conf_level: float
    indices: dict[str, dict[str, Array]]
    evaluations: int
    elapsed: float = 0.0
    input_space: str = ""
    kinds: tuple[str, ...] = ()
    factor_dim: str = "parameter"
    dependence: str = "shapley"
    second_order: bool = False
    rounds: list[dict[str, Any]] = field(default_factory=list)

    def wide_intervals(self) -> list[tuple[str, str, str, float, float]]:
        """Effects whose half-width exceeds max(10 % of the effect, 0.02)."""
        return [(o, "Sh", nm, float(s), float(w)) for o, ix in self.indices.items()
                for nm, s, w in zip(self.problem.factor_names, ix["Sh"], ix["Sh_conf"]) if w > max(0.1 * abs(s), 0.02)]

    def max_half_width(self) -> float:
        return max(float(np.nanmax(ix["Sh_conf"])) for ix in self.indices.values())

    def to_dataset(self) -> Any:
        import xarray as xr

        from .dependence import DEPENDENCE_MODES, members_json

        dim = self.factor_dim
        data = {k: (("output", dim), np.array([self.indices[o][k] for o in self.outputs])) for k in ("Sh", "Sh_conf")}
        ds = xr.Dataset(data, coords={"output": list(self.outputs), dim: list(self.problem.factor_names)})
        ds.attrs.update(method="shapley", n=self.n, permutations=self.n, inner=INNER, d=self.problem.d,
                        factors=len(self.problem.factor_names), seed=self.seed, resamples=self.resamples,
                        conf_level=self.conf_level, evaluations=self.evaluations, group_by=dim,
                        estimators="Shapley effects: Song, Nelson & Staum 2016 random permutations, exact "
                                   "conditional sampling (N_O = 1, N_I = 3); CI Poisson bootstrap",
                        elapsed_seconds=round(self.elapsed, 3), dependence=self.dependence,
                        dependence_text=DEPENDENCE_MODES[self.dependence], group_members=members_json(self.problem))
        if self.input_space:
            from ..uncertainty.spaces import INPUT_SPACES

            ds.attrs["input_space"] = self.input_space
            ds.attrs["input_space_text"] = INPUT_SPACES.get(self.input_space, self.input_space)
        if self.kinds:
            ds.attrs["kinds"] = ", ".join(f"{n}={k}" for n, k in zip(self.problem.names, self.kinds))
        return ds


def _weighted_var(y: Array, w: Array) -> float:
    """Weighted sample variance (frequency weights), elementwise sums."""
    sw = w.sum()
    mu = (w * y).sum() / sw
    return float((w * (y - mu) ** 2).sum() / (sw - 1.0))


def effects(perm: Array, c: Array, var_y: float, w: Array | None = None, var_w: float | None = None) -> Array:
    """Shapley effects from the permutations ``(M, P)`` and ``c_hat`` ``(M, P - 1)``.

    Increment at position ``j``: ``c_hat(pi_1..pi_j) - c_hat(pi_1..pi_{j-1})``
    with ``c_hat(empty) = 0`` and ``c_hat(all) = Var Y`` (Song et al. 2016,
    Algorithm 1); with weights ``w`` (``M``) the weighted mean over permutations."""
    M = perm.shape[0]
    v = var_y if var_w is None else var_w
    cc = np.hstack([np.zeros((M, 1)), c, np.full((M, 1), v)])
    delta = np.empty_like(cc[:, 1:])
    np.put_along_axis(delta, perm, np.diff(cc, axis=1), axis=1)
    if w is None:
        return delta.mean(axis=0) / v
    return (w[:, None] * delta).sum(axis=0) / w.sum() / v


def shapley_effects(func: ModelFn, problem: Problem, n: int, *, outputs: Sequence[str], seed: int = 0,
                    resamples: int = 100, conf_level: float = 0.95, evaluator: Evaluator | None = None,
                    workers: int = 1, progress: Callable[[int, int], None] | None = None) -> ShapleyResult:
    """Shapley effects of a vectorised model with dependent inputs.

    Parameters
    ----------
    func : callable
        ``func(x)``, ``x`` a mapping of parameter name to a 1-D array.
    problem : Problem
        Parameters and inverse CDFs; the players are its factors
        (``groups``, one per parameter without); ``dependence`` the copula
        blocks (which may span players) and share vectors (inside one player).
    n : int
        Random permutations ``M`` (evaluations ``M (P - 1) N_I + 65,536``).
    outputs : sequence of str
        Outputs analysed.
    seed : int
        Seed of every stream (:func:`~mkba_mc.uncertainty.streams.shapley_stream`).
    resamples, conf_level
        Poisson bootstrap replicates and the intervals' level.
    evaluator, workers
        Where the tasks run (as :func:`~mkba_mc.sensitivity.sobol.sobol_indices`).
    progress : callable, optional
        ``progress(model_rows_done, total)``.

    Returns
    -------
    ShapleyResult
        ``indices[output]["Sh"]`` and ``["Sh_conf"]`` per player.
    """
    if n < 2:
        raise ValueError(f"n must be at least 2 permutations, got {n}")
    t0 = time.perf_counter()
    P = len(problem.factor_names)
    job = ShapleyJob(problem, func, tuple(outputs), int(seed))
    per = perms_per_task(P)
    specs = ([("var", t, min(VARIANCE_TASK_ROWS, VARIANCE_ROWS - t * VARIANCE_TASK_ROWS))
              for t in range(VARIANCE_ROWS // VARIANCE_TASK_ROWS)]
             + [("perm", t, min(per, n - t * per)) for t in range(-(-n // per))])
    own = evaluator is None
    if evaluator is None:
        evaluator = local_evaluator(workers)
    evaluator.expect(len(specs))
    yv: dict[str, list[Array]] = {o: [] for o in outputs}
    perms: list[Array] = []
    cs: dict[str, list[Array]] = {o: [] for o in outputs}
    try:
        for spec, part in zip(specs, evaluator.map(job.task, specs)):
            if spec[0] == "var":
                for o in outputs:
                    yv[o].append(part[o])
            else:
                perms.append(part["perm"])
                for o in outputs:
                    cs[o].append(part["c"][o])
            if progress is not None:
                progress(spec[2] * (1 if spec[0] == "var" else (P - 1) * INNER), VARIANCE_ROWS + n * (P - 1) * INNER)
    finally:
        if own:
            evaluator.close()
    perm = np.vstack(perms)
    rng = np.random.default_rng(shapley_stream(int(seed), SHAPLEY_BOOTSTRAP, 0))
    wp = rng.poisson(1.0, size=(resamples, n)).astype(np.float64)
    wv = rng.poisson(1.0, size=(resamples, VARIANCE_ROWS)).astype(np.float64)
    z = float(stats.norm.ppf(0.5 + conf_level / 2))
    indices: dict[str, dict[str, Array]] = {}
    for o in outputs:
        y = np.concatenate(yv[o])
        c = np.vstack(cs[o])
        var_y = float(y.var(ddof=1))
        if not var_y > float(np.finfo(float).eps) * max(1.0, float(np.mean(y)) ** 2):
            indices[o] = {"Sh": np.zeros(P), "Sh_conf": np.zeros(P)}
            continue
        sh = effects(perm, c, var_y)
        boot = np.array([effects(perm, c, var_y, wp[b], _weighted_var(y, wv[b])) for b in range(resamples)])
        indices[o] = {"Sh": sh, "Sh_conf": z * boot.std(axis=0, ddof=1)}
    evaluations = VARIANCE_ROWS + n * (P - 1) * INNER
    return ShapleyResult(problem, tuple(outputs), n, int(seed), resamples, conf_level, indices, evaluations,
                         elapsed=time.perf_counter() - t0)


__all__ = ["INNER", "TASK_ROWS", "perms_per_task", "VARIANCE_ROWS", "ShapleyJob", "ShapleyResult", "effects", "shapley_effects"]
