"""Differential test: the vectorised model against the independent per-sample
implementation in ``benchmarks/naive_model.py`` (written from MODEL.md and the
README, importing nothing from the model).

Every output and every view is compared -- the posts and totals of screen A,
the ratios, the actor NCW split, screen B per actor, the programme cash flows,
payback years and pre-financing, in total and for the municipality -- over
parameter sets drawn from each scenario's default distributions and over
deliberately extreme ones (negative substitution, zero costs, realisation
shares at 0 and 1, short and long work years), under several structures
(team from caseload, other build-ups and programme lengths).

Tolerance: money outputs agree within ``RTOL = 1e-9`` of the sample's gross
money flow (the sum of the absolute cost and benefit posts, times the
programme length for programme outputs), so that outputs that are small
differences of large posts (balances, cash flows) are held to the precision
of the posts they come from; ratios and counts within ``RTOL`` of their own
value; payback years exactly.  The two implementations sum in different
orders and discount with powers versus repeated products, so they differ in
the last bits only.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

from mkba_mc import load_scenario
from mkba_mc.model.core import ACTOR_OUTPUTS, ALL_OUTPUTS, PROGRAMME_OUTPUTS, evaluate
from mkba_mc.model.sets import ACTORS, PAYER_POSTS
from mkba_mc.uncertainty.plan import SamplingPlan

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import naive_model as naive  # noqa: E402

RTOL = 1e-9
N_DEFAULT = 200
UNITLESS = {"ratio_financial", "ratio_social", "ratio_gemeente", "ratio_gemeente_realised", "fte_need", "team_fte",
            "persons_to_work", "prevented_escalations"}
EXACT = {"payback_year", "payback_year_gemeente"}


def _draws(scenario, n: int, seed: int) -> dict[str, np.ndarray]:
    plan = SamplingPlan.from_scenario(scenario, n, seed)
    params = {k: np.full(n, float(v)) for k, v in scenario.params.items()}
    params.update(plan.inputs(0, n))
    return params


def _extreme(params: dict[str, np.ndarray], seed: int) -> dict[str, np.ndarray]:
    """The same sets with the edges of the domain: negative substitution,
    realisation at 0 and 1, zero costs, very short and long work years."""
    rng = np.random.default_rng(seed)
    n = len(next(iter(params.values())))
    p = {k: v.copy() for k, v in params.items()}
    p["substitution_new"] = rng.choice([-0.4, -0.1, 0.0, 0.3, 0.8], n)
    p["substitution_existing"] = rng.choice([-0.4, -0.05, 0.0, 0.1, 0.6], n)
    for a in ACTORS:
        p[f"realisation_share.{a}"] = rng.choice([0.0, 0.35, 1.0], n)
    p["work_years"] = rng.choice([0.5, 1.0, 2.5, 9.0, 14.0], n)
    zero = rng.random(n) < 0.15  # no costs at all: every ratio NaN
    for k in ("cost_per_fte", "other_team_costs", "one_off_costs", "friction_share", "new_care_fraction"):
        p[k] = np.where(zero, 0.0, p[k])
    p["substitution_new"] = np.where(zero, np.maximum(p["substitution_new"], 0.0), p["substitution_new"])
    p["substitution_existing"] = np.where(zero, np.maximum(p["substitution_existing"], 0.0),
                                          p["substitution_existing"])
    p["newly_found_share"] = np.where(rng.random(n) < 0.1, rng.choice([0.0, 1.0], n), p["newly_found_share"])
    p["discount_rate"] = rng.choice([0.0, 0.0225, 0.055, 0.15], n)
    return p


def _compare(params: dict[str, np.ndarray], structure) -> None:
    vec = evaluate(params, structure)
    payer = structure.payer.tolist()
    prof = {k: [float(x) for x in v] for k, v in structure.profiles.items()}
    n = len(vec["balance"])
    failures = []
    for i in range(n):
        row = {k: float(v[i]) for k, v in params.items()}
        ref = naive.naive_model(row, payer, prof, structure.ramp_years, structure.programme_years,
                                team_from_caseload=structure.team_from_caseload)
        gross = (abs(ref["cost_total"]) + sum(abs(x) for x in ref["actor_ncw_benefit"])
                 + sum(abs(x) for x in ref["actor_budget_year2_benefit"]) + abs(ref["cost_one_off"])
                 * structure.programme_years)
        for name in ALL_OUTPUTS:
            got = np.asarray(vec[name][i], dtype=float)
            want = np.asarray(ref[name], dtype=float)
            if name in EXACT:
                ok = np.array_equal(got, want, equal_nan=True)
            elif name in UNITLESS:
                ok = np.allclose(got, want, rtol=RTOL, atol=1e-12, equal_nan=True)
            else:
                scale = gross * (structure.programme_years if name in PROGRAMME_OUTPUTS else 1.0)
                ok = np.allclose(got, want, rtol=RTOL, atol=RTOL * scale, equal_nan=True)
            if not ok:
                failures.append(f"sample {i} {name}: model {got} naive {want}")
    assert not failures, "\n".join(failures[:20])


def test_naive_model_uses_the_same_post_order() -> None:
    assert tuple(naive.PAYER_POSTS) == PAYER_POSTS
    assert naive.ACTORS == ACTORS


def test_naive_model_returns_every_output() -> None:
    sc = load_scenario(ROOT / "scenarios" / "bijlage2_voorbeeld.toml")
    ref = naive.naive_model({k: float(v) for k, v in sc.params.items()}, sc.structure.payer.tolist(),
                            {k: list(v) for k, v in sc.structure.profiles.items()})
    assert set(ref) == set(ALL_OUTPUTS)
    for name in ACTOR_OUTPUTS:
        assert len(ref[name]) == len(ACTORS)


@pytest.mark.parametrize("scenario", ["bijlage2_voorbeeld", "ouderenteam", "mpg_aanpak"])
def test_model_equals_naive_on_default_distributions(scenario: str) -> None:
    sc = load_scenario(ROOT / "scenarios" / f"{scenario}.toml")
    _compare(_draws(sc, N_DEFAULT, seed=17), sc.structure)


@pytest.mark.parametrize("scenario", ["bijlage2_voorbeeld", "wijkteam_achterstandswijk"])
def test_model_equals_naive_on_extreme_sets(scenario: str) -> None:
    sc = load_scenario(ROOT / "scenarios" / f"{scenario}.toml")
    _compare(_extreme(_draws(sc, N_DEFAULT, seed=23), seed=5), sc.structure)


def _random_structure(structure, seed: int):
    """Random payer rows (each summing to one, some actors left out) and
    random time profiles over years 0-9 (some years left empty)."""
    rng = np.random.default_rng(seed)
    payer = rng.random(structure.payer.shape) * (rng.random(structure.payer.shape) < 0.6)
    payer[:, 0] += 1e-3
    payer /= payer.sum(axis=1, keepdims=True)
    profiles = {}
    for k, w in structure.profiles.items():
        v = rng.random(len(w)) * (rng.random(len(w)) < 0.5)
        v[rng.integers(len(w))] += 0.5
        profiles[k] = v / v.sum()
    return dataclasses.replace(structure, payer=payer, profiles=profiles)


@pytest.mark.parametrize("changes", [dict(team_from_caseload=True), dict(ramp_years=1, programme_years=6),
                                     dict(ramp_years=7, programme_years=15), dict(random=3), dict(random=4)])
def test_model_equals_naive_under_other_structures(changes: dict) -> None:
    sc = load_scenario(ROOT / "scenarios" / "stedelijk_nieuw_voor_oud.toml")
    if "random" in changes:
        structure = _random_structure(sc.structure, changes["random"])
    else:
        structure = dataclasses.replace(sc.structure, **changes)
    _compare(_extreme(_draws(sc, 80, seed=29), seed=7), structure)
