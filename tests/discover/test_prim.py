"""PRIM (Friedman & Fisher 1999) on synthetic events with a known box.

The event holds inside [a1, b1] x [a2, b2] of two of six uniform inputs, with
5 % of the labels flipped at random: the box found must have those limits
within 10 % of each input's range and leave the four other inputs
unrestricted.  The peeling is checked against a plain re-implementation
(sort instead of partition, loops instead of masks) and its statistics
against counts made from the limits alone.
"""

from __future__ import annotations

import numpy as np
import pytest

from mkba_mc.sensitivity import prim, prim_refine
from mkba_mc.sensitivity.discover import discover_boxes


def _synthetic(n: int, seed: int, box: dict[int, tuple[float, float]], d: int = 6, noise: float = 0.05):
    rng = np.random.default_rng(seed)
    X = rng.random((d, n))
    y = np.ones(n, dtype=bool)
    for j, (a, b) in box.items():
        y &= (X[j] >= a) & (X[j] <= b)
    y ^= rng.random(n) < noise
    return X, y


def _as_outputs(y: np.ndarray) -> dict[str, np.ndarray]:
    """Outputs whose event ``ratio_gemeente_lt_1`` is ``y``."""
    r = np.where(y, 0.5, 1.5)
    return {"ratio_social": r, "ratio_gemeente": r, "balance": r - 1, "balance_gemeente": r - 1}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recovers_a_two_dimensional_box(seed: int) -> None:
    truth = {1: (0.2, 0.6), 3: (0.5, 0.9)}
    X, y = _synthetic(20_000, seed, truth)
    res = discover_boxes(X, [f"x{j}" for j in range(6)], _as_outputs(y), ["ratio_gemeente_lt_1"])
    b = res.boxes[0]
    assert b.status == "box"
    res_dims = np.flatnonzero(prim.restricted(b.lower, b.upper, res.lo0, res.hi0))
    assert list(res_dims) == [1, 3]  # the irrelevant inputs 0, 2, 4, 5 are not restricted
    for j, (a, hi) in truth.items():
        assert abs(b.lower[j] - a) < 0.1 and abs(b.upper[j] - hi) < 0.1, (j, b.lower[j], b.upper[j])
    # inside the true box 95 % have the event, outside 5 %: density near 0.95, coverage near 0.16*0.95/0.194
    assert b.stats.density > 0.9 and b.stats.coverage > 0.6


def test_a_one_sided_box_restricts_one_side() -> None:
    X, y = _synthetic(20_000, 7, {4: (0.0, 0.3)})
    res = discover_boxes(X, [f"x{j}" for j in range(6)], _as_outputs(y), ["ratio_gemeente_lt_1"])
    b = res.boxes[0]
    assert list(np.flatnonzero(prim.restricted(b.lower, b.upper, res.lo0, res.hi0))) == [4]
    assert b.lower[4] == res.lo0[4]  # no lower limit
    assert abs(b.upper[4] - 0.3) < 0.1


def test_pure_noise_gives_no_box() -> None:
    rng = np.random.default_rng(5)
    X = rng.random((6, 10_000))
    y = rng.random(10_000) < 0.3
    res = discover_boxes(X, [f"x{j}" for j in range(6)], _as_outputs(y), ["ratio_gemeente_lt_1"])
    assert res.boxes[0].status == "no_box"


def _naive_peel(X: np.ndarray, y: np.ndarray, alpha: float, mass_min: float) -> list[tuple[list, list]]:
    """Peeling written plainly: sorted columns, Python loops (the same criterion)."""
    d, n = X.shape
    lo, hi = list(X.min(axis=1)), list(X.max(axis=1))
    idx = list(range(n))
    out = [(lo[:], hi[:])]
    while True:
        m = len(idx)
        k = max(1, int(alpha * m))
        if m - k < mass_min * n:
            return out
        best = None
        for j in range(d):
            vals = sorted(X[j, i] for i in idx)
            for side, v in ((0, vals[k]), (1, vals[m - 1 - k])):
                keep = [i for i in idx if (X[j, i] >= v if side == 0 else X[j, i] <= v)]
                if len(keep) in (0, m):
                    continue
                key = (-sum(bool(y[i]) for i in keep) / len(keep), m - len(keep), j, side)
                if best is None or key < best[0]:
                    best = (key, keep, v)
        if best is None:
            return out
        (_, _, j, side), idx, v = best
        if side == 0:
            lo[j] = v
        else:
            hi[j] = v
        out.append((lo[:], hi[:]))


def test_peeling_equals_a_plain_implementation() -> None:
    X, y = _synthetic(600, 11, {0: (0.1, 0.5), 2: (0.3, 1.0)}, d=4)
    traj = prim.peel(X, y, 0.1, 0.1)
    naive = _naive_peel(X, y, 0.1, 0.1)
    assert len(traj) == len(naive)
    for i, (lo, hi) in enumerate(naive):
        np.testing.assert_array_equal(traj.lower[i], lo)
        np.testing.assert_array_equal(traj.upper[i], hi)


def test_trajectory_statistics_match_the_limits() -> None:
    X, y = _synthetic(5_000, 13, {1: (0.2, 0.7)})
    traj = prim.peel(X, y)
    for i in range(0, len(traj), 7):
        inside = np.all((X >= traj.lower[i][:, None]) & (X <= traj.upper[i][:, None]), axis=0)
        assert traj.n_box[i] == inside.sum()
        assert traj.coverage[i] == pytest.approx((inside & y).sum() / y.sum(), abs=1e-15)
        assert traj.density[i] == pytest.approx((inside & y).sum() / inside.sum(), abs=1e-15)
        assert traj.mass[i] == pytest.approx(inside.mean(), abs=1e-15)
    # each peel removes floor(alpha m) samples of the m in the box (continuous inputs: no ties)
    np.testing.assert_array_equal(traj.n_box[1:], traj.n_box[:-1] - np.maximum(1, (0.05 * traj.n_box[:-1]).astype(int)))
    assert traj.mass[-1] >= 0.05 and traj.mass[-1] * 0.95 < 0.05 + 1e-3


def test_quasi_p_is_the_binomial_tail() -> None:
    """Hand-checkable: 10 samples, the box holds 4 (3 events); without the
    restriction the box holds all 10 with 4 events: qp = P(Bin(4, 0.4) >= 3)."""
    X = np.array([[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]])
    y = np.array([1, 1, 0, 1, 0, 0, 0, 1, 0, 0], dtype=bool)
    qp, gain = prim_refine.quasi_p(X, y, np.array([0.0]), np.array([0.3]), np.array([0.0]), np.array([0.9]))
    expected = 4 * 0.4**3 * 0.6 + 0.4**4
    assert qp[0] == pytest.approx(expected, rel=1e-12)
    assert gain[0] == pytest.approx(0.75 - 0.4)


def test_an_event_in_almost_every_sample_is_not_called_too_rare() -> None:
    # ratio_gemeente < 1 in 2,995 of 3,000 samples (ouderenteam-like): PRIM has too few samples *without* the
    # event; the sentence must not say the event is too rare ("te weinig" of it), and says how often it occurs
    from mkba_mc.report.section_discover import box_sentence
    from mkba_mc.sensitivity.discover import discover_boxes

    n = 3000
    X = np.random.default_rng(4).random((2, n))
    rg = np.full(n, 0.3)
    rg[:5] = 1.2
    few = np.full(n, 1.5)
    few[:5] = 0.5
    outputs = {"ratio_social": few, "ratio_gemeente": rg, "balance": np.ones(n), "balance_gemeente": -np.ones(n)}
    ds = discover_boxes(X, ["a", "b"], outputs, ["ratio_social_lt_1", "ratio_gemeente_lt_1"]).to_dataset()
    ds.attrs["n"] = n
    many_nl, many_en = (box_sentence(ds, "ratio_gemeente_lt_1", lang) for lang in ("nl", "en"))
    assert "2.995 van de 3.000" in many_nl and "bijna altijd" in many_nl and "te weinig trekkingen zonder" in many_nl
    assert "2,995 of the 3,000" in many_en and "almost always" in many_en and "too few samples without it" in many_en
    rare_nl = box_sentence(ds, "ratio_social_lt_1", "nl")
    assert "5 van de 3.000" in rare_nl and "te weinig om een gebied af te bakenen" in rare_nl
    assert "bijna altijd" not in rare_nl
