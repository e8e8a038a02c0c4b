"""View 4 of MODEL.md §5: the programme over time (Figuur 4.8 of the
meta-analysis, LPBL for BZK, January 2014).

A cohort starts every programme year; reach and new-for-old share build up
linearly over ``ramp_years`` (:class:`~mkba_mc.model.structure.Structure`), so
the programme's year 2 still contains the build-up.  Each post's undiscounted
amount is spread over the programme years by its time profile and the cohort
matrix; one-off costs are cash in the first programme year (the MKBA of one
year of approach spreads them over ``amortisation_years``, so both views
charge the same total).  Benefits count as far as they are realised
(verzilvering, §3.3.5 and §5.2).

Outputs: the yearly cash flow in total and for the municipality, the payback
year (the first year whose cumulative balance is >= 0, 1-based, NaN if never
within the programme) and the pre-financing need (the most negative
cumulative balance).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from numpy.typing import ArrayLike

from .arith import Array
from .costs import Costs
from .outputs import PAYBACK_OUTPUTS, PROGRAMME_OUTPUTS
from .payers import FIN_PROFILE_KEYS, GEMEENTE_INDEX, Payers
from .sets import ACTORS, COST_POSTS, TYPES
from .structure import Structure

#: Outputs of this view.
OUTPUTS: frozenset[str] = frozenset(PROGRAMME_OUTPUTS + PAYBACK_OUTPUTS)

Flow = tuple[ArrayLike, Array]


def programme_flows(structure: Structure, payers: Payers, costs: Costs, w_work: Array,
                    fin_amounts: Sequence[ArrayLike]) -> dict[str, list[Flow]]:
    """Signed amounts and their weight per programme year, for ``total`` and ``gemeente``.

    The cash of programme year ``Y`` is ``sum amount * weight[Y]`` over the
    flows: the cash of all cohorts alive in that year.  Posts that share a
    weight vector are summed later (:func:`_group`), which keeps the
    per-sample work small.
    """
    prof = structure.profiles
    M = structure.cohort_matrix
    n_prog = structure.programme_years
    first_year = np.zeros(n_prog)
    first_year[0] = 1.0
    conv_sub = _spread(prof["substitution"], M)
    cost_flows: list[tuple[ArrayLike, Array, int]] = [
        (-costs.team, np.ones(n_prog), 0),
        (-costs.one_off_cash, first_year, 1),
    ]
    cost_flows += [(-costs.newly_found_by_type[t], structure.ramp, 2 + i) for i, t in enumerate(TYPES)]
    cost_flows += [(-costs.extra_care_by_type[t], conv_sub, 2 + len(TYPES) + i) for i, t in enumerate(TYPES)]
    conv_work = _spread(w_work, M)
    conv = {k: _spread(prof[k], M) for k in set(FIN_PROFILE_KEYS) - {"work"}}
    n_cost = len(COST_POSTS)
    benefit_flows = [(amount, conv_work if k == "work" else conv[k], n_cost + j)
                     for j, (amount, k) in enumerate(zip(fin_amounts, FIN_PROFILE_KEYS))]
    g_share = payers.gemeente
    all_actors = list(range(len(ACTORS)))
    series: dict[str, list[Flow]] = {"total": [], "gemeente": []}
    for amount, w, i in cost_flows:
        series["total"].append((amount, w))
        if g_share[i] != 0.0:
            series["gemeente"].append((amount * float(g_share[i]), w))
    for amount, w, i in benefit_flows:
        if payers.all_realised:
            series["total"].append((amount, w))
            if g_share[i] != 0.0:
                series["gemeente"].append((amount * float(g_share[i]), w))
        else:
            series["total"].append((amount * payers.realised_weight(payers.rows[i], all_actors), w))
            series["gemeente"].append((amount * payers.realised_weight(payers.rows[i], GEMEENTE_INDEX), w))
    return series


def programme(want: Collection[str], n: int, structure: Structure, payers: Payers, costs: Costs, w_work: Array,
              fin_amounts: Sequence[ArrayLike]) -> dict[str, Array]:
    """Cash flows ``(n, programme_years)``, payback years and pre-financing (as far as asked for)."""
    out: dict[str, Array] = {}
    n_prog = structure.programme_years
    for label, fl in programme_flows(structure, payers, costs, w_work, fin_amounts).items():
        if f"cashflow_{label}" in want:
            out[f"cashflow_{label}"] = _cash(n, n_prog, fl).T
        suffix = "" if label == "total" else "_gemeente"
        if f"payback_year{suffix}" in want or f"prefinancing{suffix}" in want:
            pb, pf = _payback_cumulative(n, n_prog, fl)
            out[f"payback_year{suffix}"] = pb
            out[f"prefinancing{suffix}"] = pf
    return out


def _spread(w: Array, M: Array) -> Array:
    """Programme-year weights ``out[Y] = sum_y w[y] M[y, Y]`` of a profile ``w``.

    ``w`` is one profile ``(10,)`` (giving ``(years,)``) or per-sample
    profiles ``(10, n)`` (giving ``(years, n)``).  The sum runs over ``y`` in
    ascending order, elementwise (no BLAS, whose summation order depends on
    its thread count and the CPU), so the weights are bit-identical on every
    machine and a single profile gets the same numbers as a per-sample one.
    """
    if w.ndim == 1:
        return np.add.reduce(w[:, None] * M, axis=0)  # sequential over y (a non-contiguous axis)
    out = np.zeros((M.shape[1], w.shape[1]))
    for y, Y in zip(*np.nonzero(M)):
        out[Y] += w[y] * M[y, Y]
    return out


def _group(flows: Sequence[tuple[ArrayLike, Array]]) -> list[tuple[ArrayLike, Array]]:
    """Sum the amounts of flows whose weight vectors are equal."""
    groups: list[tuple[ArrayLike, Array]] = []
    for amount, weights in flows:
        for i, (acc, w) in enumerate(groups):
            if w.shape == weights.shape and np.array_equal(w, weights):
                groups[i] = (np.add(acc, amount), w)
                break
        else:
            groups.append((amount, weights))
    return groups


def _payback_cumulative(n: int, years: int, flows: Sequence[tuple[ArrayLike, Array]]) -> tuple[Array, Array]:
    """Payback year (1-based, NaN if never) and pre-financing need.

    The cash of year ``Y`` is ``sum_g A_g w_g[Y]`` over groups of flows that
    share a weight vector.  Years are accumulated one by one until every
    weight vector has become constant (year ``Y*``, after the build-up and
    the last effect year); from there the cumulative balance is linear in
    the year, so its minimum lies at ``Y*`` or at the last year, and the
    first non-negative year follows from ``ceil(-cum / cash)``.  The payback
    year counts the years whose cumulative balance stayed negative.
    """
    groups = [(np.asarray(a, dtype=np.float64), w) for a, w in _group(flows)]
    steady = 0
    for _, w in groups:
        if w.ndim > 1:
            steady = years - 1
            break
        changes = np.flatnonzero(w[1:] != w[:-1])
        if changes.size:
            steady = max(steady, int(changes[-1]) + 1)
    cum = np.zeros(n)
    cash = np.empty(n)
    tmp = np.empty(n)
    low = np.full(n, np.inf)
    pending = np.ones(n, dtype=bool)
    neg = np.empty(n, dtype=bool)
    count = np.zeros(n)
    for year in range(steady + 1):
        cash.fill(0.0)
        for a, w in groups:
            wy = w[year]
            if wy.ndim or wy != 0.0:
                np.multiply(a, wy, out=tmp)
                cash += tmp
        cum += cash
        np.minimum(low, cum, out=low)
        np.less(cum, 0.0, out=neg)
        np.logical_and(pending, neg, out=pending)
        count += pending
    rest = years - 1 - steady
    if rest > 0:  # cum + k * cash for k = 1 .. rest
        np.multiply(cash, float(rest), out=tmp)
        tmp += cum
        np.minimum(low, tmp, out=low)
        with np.errstate(divide="ignore", invalid="ignore"):
            first = np.ceil(-cum / cash)  # first k with cum + k cash >= 0 (cash > 0)
        extra = np.where(cash > 0.0, np.clip(first - 1.0, 0.0, rest), float(rest))
        count += np.where(pending, extra, 0.0)
    payback = np.where(count < years, count + 1.0, np.nan)
    return payback, np.maximum(0.0, -low)


def _cash(n: int, years: int, flows: Sequence[tuple[ArrayLike, Array]]) -> Array:
    """Cash flow ``(years, n)`` from signed amounts and weight vectors; flows
    whose weights are equal are summed before they are spread over years."""
    groups = _group(flows)
    cash = np.zeros((years, n))
    for amount, weights in groups:
        a = np.asarray(amount)
        if weights.ndim == 1:
            for y in np.flatnonzero(weights):
                cash[y] += a * weights[y]
        else:  # per-sample weights, shape (years, n)
            cash += a * weights
    return cash


__all__ = ["OUTPUTS", "programme", "programme_flows"]
