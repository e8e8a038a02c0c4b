"""The MKBA of one year of a social-team approach, vectorised over samples.

This module is pure: no I/O, no randomness, no logging.  :func:`evaluate`
takes every input of MODEL.md §3 as a scalar or an array over samples and
returns every output of MODEL.md §4–5 as an array over samples.  Scalars stay
scalars inside the computation, so fixed inputs cost nothing per sample.

Equations and their sources
---------------------------
Post names and structure follow the LPBL MKBA-tool ("Meta analyse MKBA's
sociale (wijk)teams", LPBL for BZK, January 2014; Bijlage 2 output screens A
and B; §3.2 and §4.2–4.5 for the posts):

* Costs (all in year 0 of the cohort, so NCW = nominal):
  ``C_team = team_fte * cost_per_fte + other_team_costs``;
  ``C_oneoff = (friction_share * C_team + one_off_costs) / amortisation_years``;
  ``C_found = newly_found_share * new_care_fraction * sum_ts n[t,s] * care_profile[t,s]``;
  ``C_extra = sum_{g,t} max(0, -S[g,t])``: the care added where substitution is
  negative (Tabel 4.5 observes -40 %), a cost post of its own as in §4.2 and
  Figuur 4.3 ("extra trajecten"), never a negative benefit.
* Substitution per household group ``g`` (newly found, known) and type ``t``
  (footnote 15, Tabel 4.5):
  ``S[new,t] = newly_found_share * new_care_fraction * care_t * substitutable_share[t] * substitution_new``,
  ``S[existing,t] = (1 - newly_found_share) * care_t * substitutable_share[t] * substitution_existing``;
  ``B_substitution = sum max(0, S)``.  Booking the negative part as a cost
  leaves the balance unchanged and keeps every ratio non-negative.
* Benefits, each an undiscounted amount ``A_p`` times a discount factor
  ``DF_p = sum_y w_p[y] (1 + r)^-y`` over its time profile ``w_p``:
  new-for-old (incl. the coordination saving), substitution of substitutable
  care (footnote 15, Tabel 4.5), more effective trajectories (work, first- and
  second-line care; §4.3), prevented escalation (Tabel 4.7) and the immaterial
  posts (children's development in year 9, quality of life valued with QALYs,
  footnote 21; less nuisance, §4.3).
* Net multipliers (Tabel 4.7): ``m_esc = attribution * (1 - relapse)`` and
  ``m_eff = m_esc * effectiveness_multiplier``; they act on effectiveness,
  escalation and the immaterial benefits derived from them, never on
  substitution or new-for-old.
* Payers (§4.5): every post is split over the actors by a payer-share
  vector; the posts whose financier depends on who is helped (extra care,
  substitution, work, first- and second-line care, escalation) carry one
  vector per household type.
* Views: NCW per actor (each post split by its payer shares), the budget
  after two years (screen B: a steady-state year -- one cohort's costs
  against the benefits of three equal cohorts aged 0, 1 and 2, undiscounted,
  financial posts only) and the programme over time (Figuur 4.8: cohorts
  each year with a linear build-up of reach and new-for-old share over
  ``ramp_years``, so its year 2 still contains the build-up).
* Realisation (verzilvering, §3.3.5 and §5.2): ``realisation_share[a]`` is
  the share of actor ``a``'s financial benefits that becomes budget.  It acts
  on the budget views (screen B, programme cash flows, payback and
  pre-financing) and on ``ratio_gemeente_realised``; the MKBA itself (every
  NCW post, the balance and the plain ratios) is never reduced by it.
* One-off costs (friction and other one-off costs) are cash in the first
  programme year and are spread over ``amortisation_years`` in the MKBA of
  one year of approach, so both views charge the same total.

The code
--------
:func:`evaluate` is :func:`compute`, a short orchestration of one module per stage:
:mod:`~mkba_mc.model.reach`, :mod:`~mkba_mc.model.costs` (one function per
cost post), :mod:`~mkba_mc.model.benefits` (one function per benefit post),
:mod:`~mkba_mc.model.discounting`, and the views
:mod:`~mkba_mc.model.actors` (NCW per actor), :mod:`~mkba_mc.model.budget`
(screen B) and :mod:`~mkba_mc.model.programme` (Figuur 4.8).  Sums run in a
fixed order (:mod:`~mkba_mc.model.arith`), so a sample's numbers do not
depend on the chunk it is evaluated in; :func:`evaluate` then makes arrays
of the values.  The same :func:`compute`, traced once
(:mod:`~mkba_mc.model.trace`), gives the compiled kernel of large runs
(:mod:`~mkba_mc.model.kernel_source`), with the same bits.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
from numpy.typing import ArrayLike

from .actors import NCW_OUTPUTS, actor_ncw
from .arith import Array, param, safe_ratio, stack_columns
from .benefits import benefits, substitution
from .budget import budget_year2
from .costs import care_use, costs
from .discounting import factors
from .outputs import ACTOR_OUTPUTS, ALL_OUTPUTS, PROGRAMME_OUTPUTS, SCALAR_OUTPUTS
from .payers import FIN_PROFILE_KEYS, Payers, budget_profiles
from .programme import OUTPUTS as PROGRAMME_VIEW
from .programme import programme
from .reach import reach
from .sets import TYPES
from .structure import BUDGET_YEARS, N_YEARS, Structure


def sample_count(params: Mapping[str, ArrayLike]) -> int:
    """Number of samples: the common length of the array inputs (1 if all scalar)."""
    n = 1
    for name, value in params.items():
        shape = np.shape(value)
        if len(shape) > 1:
            raise ValueError(f"parameter {name!r} must be a scalar or 1-D array, got shape {shape}")
        if shape:
            if n not in (1, shape[0]) and shape[0] != 1:
                raise ValueError(f"parameter {name!r} has {shape[0]} samples, others have {n}")
            n = max(n, shape[0])
    return n


def check_outputs(outputs: Collection[str] | None) -> set[str]:
    """The outputs asked for (default all); unknown names raise a :class:`KeyError` listing the valid ones."""
    want = set(ALL_OUTPUTS if outputs is None else outputs)
    unknown = want - set(ALL_OUTPUTS)
    if unknown:
        raise KeyError(f"unknown outputs {sorted(unknown)}; valid: {', '.join(ALL_OUTPUTS)}")
    return want


def evaluate(
    params: Mapping[str, ArrayLike],
    structure: Structure,
    outputs: Collection[str] | None = None,
) -> dict[str, Array]:
    """Evaluate the MKBA of one year of approach for every sample.

    Parameters
    ----------
    params : Mapping[str, array_like]
        Every parameter of :data:`mkba_mc.model.parameters.PARAMETERS`, each a
        scalar or a 1-D array of a common length ``n``.
    structure : Structure
        Payer shares, time profiles and programme settings.
    outputs : collection of str, optional
        Names from :data:`ALL_OUTPUTS` to return; default all.  Actor and
        programme outputs are only computed when asked for.

    Returns
    -------
    dict of str to numpy.ndarray
        Scalar outputs have shape ``(n,)``, actor outputs ``(n, 9)`` in the
        order of :data:`mkba_mc.model.sets.ACTORS`, programme outputs
        ``(n, programme_years)``.  Ratios are NaN where the cost they divide
        by is not positive.
    """
    want = check_outputs(outputs)
    n = sample_count(params)
    out = compute(params, structure, want, n)
    result: dict[str, Array] = {}
    for name in want:
        value = out[name]
        if name in ACTOR_OUTPUTS:
            result[name] = stack_columns(n, value)  # type: ignore[arg-type]
        elif name in PROGRAMME_OUTPUTS:
            result[name] = np.asarray(value, dtype=np.float64)
        else:
            value = np.asarray(value, dtype=np.float64)
            result[name] = np.full(n, value) if value.ndim == 0 else value
    return result


def compute(params: Mapping[str, ArrayLike], structure: Structure, want: Collection[str],
            n: int = 1) -> dict[str, ArrayLike | list[ArrayLike]]:
    """The outputs in ``want`` (and the scalar ones) as the stages leave them.

    Values are scalars where they depend on fixed parameters only, arrays
    over samples (or traced values, :mod:`mkba_mc.model.trace`) elsewhere;
    an actor output is a list of one value per actor.  :func:`evaluate`
    makes arrays of them; a compiled kernel
    (:mod:`mkba_mc.model.kernel_source`) is generated from a trace of this
    function.  ``n`` is only used by the programme view (numpy only).
    """
    want = set(want)
    r = reach(params)
    care_t = care_use(params, r)
    sub_t, extra_t = substitution(params, care_t)
    prof = structure.profiles
    f = factors(param(params, "discount_rate"), param(params, "work_years"), prof)
    c = costs(params, r, structure.team_from_caseload, care_t, extra_t, f.profile["substitution"])
    b = benefits(params, r, c.team, c.other_team, sub_t, f)

    out: dict[str, ArrayLike | list[ArrayLike]] = {
        "cost_team": c.team,
        "cost_one_off": c.one_off,
        "cost_newly_found": c.newly_found,
        "cost_extra_care": c.extra_care,
        "cost_total": c.total,
        "benefit_new_for_old": b.new_for_old,
        "benefit_substitution": b.substitution,
        "benefit_effectiveness": b.effectiveness,
        "benefit_escalation": b.escalation,
        "benefit_children": b.children,
        "benefit_quality_of_life": b.quality_of_life,
        "benefit_nuisance": b.nuisance,
        "benefit_financial": b.financial,
        "benefit_total": b.total,
        "balance": b.total - c.total,
        "ratio_financial": safe_ratio(b.financial, c.total),
        "ratio_social": safe_ratio(b.total, c.total),
        "fte_need": r.fte_need,
        "team_fte": c.team_fte,
        "persons_to_work": b.persons_to_work,
        "prevented_escalations": b.prevented_escalations,
    }

    # --- views (MODEL.md §5 views 2-4; meta-analyse §4.5) ------------------
    # Post order follows sets.PAYER_POSTS: cost posts, financial, immaterial.
    # Costs fall in year 0 except extra care, which follows substitution.
    payers = Payers.of(structure, params)
    fin_amounts = b.financial_amounts()
    fin_profiles = budget_profiles(prof, f.work_weights)
    if want & NCW_OUTPUTS:
        df_sub = f.profile["substitution"]
        cost_amounts = (c.team, c.one_off, *(c.newly_found_by_type[t] for t in TYPES),
                        *(c.extra_care_by_type[t] * df_sub for t in TYPES))
        fin_df = tuple(f.work if k == "work" else f.profile[k] for k in FIN_PROFILE_KEYS)
        ncw_fin = [a * d for a, d in zip(fin_amounts, fin_df)]
        out.update(actor_ncw(want, payers, cost_amounts, ncw_fin, b.immaterial()))
    out.update(budget_year2(want, payers, c, prof, fin_amounts, fin_profiles))
    if want & PROGRAMME_VIEW:
        out.update(programme(want, n, structure, payers, c, f.work_weights, fin_amounts))
    return out

__all__ = [
    "ACTOR_OUTPUTS",
    "ALL_OUTPUTS",
    "BUDGET_YEARS",
    "N_YEARS",
    "PROGRAMME_OUTPUTS",
    "SCALAR_OUTPUTS",
    "Structure",
    "budget_profiles",
    "check_outputs",
    "compute",
    "evaluate",
    "sample_count",
]
