"""Sobol' indices for dependent inputs (issue 13, item 3): grouped indices of
jointly sampled groups against their closed form, the groups of a scenario,
share vectors as one factor, the explicit --ignore-dependence, bit-identity."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from mkba_mc.errors import ConfigError
from mkba_mc.execution.evaluators import ProcessEvaluator, SerialEvaluator
from mkba_mc.io.loading import build_scenario, read_toml
from mkba_mc.sensitivity.analyses import in_space, problem_for, sobol
from mkba_mc.sensitivity.dependence import components, dependence_for, dependence_units, grouped_factors
from mkba_mc.sensitivity.sobol import Problem, sobol_indices
from mkba_mc.uncertainty.copula import Correlation
from mkba_mc.uncertainty.distributions import parse_distribution

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
NAMES = ("x1", "x2", "x3")


def normal(sd: float, name: str):
    return parse_distribution({"dist": "normal", "mean": 0.0, "sd": sd}, "test", name)


def test_grouped_indices_of_a_dependent_group_match_the_closed_form() -> None:
    """Y = b1 X1 + b2 X2 + b3 X3 + X1 X3, (X1, X2) normal with correlation rho
    (one group G), X3 independent, all with mean 0.  By hand:
    Var(lin_G) = b1^2 s1^2 + b2^2 s2^2 + 2 rho b1 b2 s1 s2, Var(X1 X3) = s1^2 s3^2,
    S_G = Var(lin_G) / V, ST_G = (Var(lin_G) + s1^2 s3^2) / V, S_3 = b3^2 s3^2 / V,
    ST_3 = (b3^2 + s1^2) s3^2 / V."""
    b1, b2, b3, s1, s2, s3, rho = 1.0, 2.0, 1.5, 1.0, 0.7, 1.2, 0.6
    rs = 6.0 / np.pi * np.arcsin(rho / 2.0)          # Spearman of the copula with normal correlation rho
    dep = dependence_for(NAMES, Correlation(("x1", "x2"), np.array([[1.0, rs], [rs, 1.0]])), {})
    prob = Problem(NAMES, (normal(s1, "x1"), normal(s2, "x2"), normal(s3, "x3")), ("G", "G", "x3"), dep)
    res = sobol_indices(lambda x: {"y": b1 * x["x1"] + b2 * x["x2"] + b3 * x["x3"] + x["x1"] * x["x3"]},
                        prob, 1 << 15, outputs=["y"], seed=4)
    lin = b1 ** 2 * s1 ** 2 + b2 ** 2 * s2 ** 2 + 2 * rho * b1 * b2 * s1 * s2
    v = lin + b3 ** 2 * s3 ** 2 + s1 ** 2 * s3 ** 2
    ix = res.indices["y"]
    np.testing.assert_allclose(ix["S1"], [lin / v, b3 ** 2 * s3 ** 2 / v], atol=0.015)
    np.testing.assert_allclose(ix["ST"], [(lin + s1 ** 2 * s3 ** 2) / v, (b3 ** 2 + s1 ** 2) * s3 ** 2 / v], atol=0.015)
    # without the copula the group's variance would be b1^2 s1^2 + b2^2 s2^2: its S1 0.42 instead of 0.50
    assert abs(ix["S1"][0] - (b1 ** 2 * s1 ** 2 + b2 ** 2 * s2 ** 2) / (v - 2 * rho * b1 * b2 * s1 * s2)) > 0.05


def test_components_of_the_correlation_graph() -> None:
    m = np.eye(5)
    m[0, 2] = m[2, 0] = 0.3
    m[2, 4] = m[4, 2] = -0.2
    assert components(Correlation(tuple("abcde"), m)) == [("a", "c", "e"), ("b",), ("d",)]


def test_bijlage2_groups_the_correlated_sets_and_merges_the_knoppen_they_link(sc) -> None:
    space = in_space(sc)
    by_par = problem_for(space, "parameter")
    assert by_par.dependence is not None and len(by_par.dependence.blocks) == 2
    assert "new_care_fraction + care_profile.*" in by_par.factor_names
    assert "qaly_per_work + qaly_per_escalation + qaly_per_debt_success" in by_par.factor_names
    assert "new_care_fraction" not in by_par.factor_names and "substitution_existing" in by_par.factor_names
    by_knop = problem_for(space, "knop")
    # new_care_fraction (selectie) is correlated with the care profiles (prijzen): one factor;
    # the three QALY gains are all knop waardering: it stays as it is
    assert "selectie + prijzen (samenhangend)" in by_knop.factor_names
    assert "selectie" not in by_knop.factor_names and "prijzen" not in by_knop.factor_names
    assert "waardering" in by_knop.factor_names
    cols = by_knop.factor_columns[by_knop.factor_names.index("selectie + prijzen (samenhangend)")]
    members = {by_knop.names[j] for j in cols}
    assert members == {n for n in space.sampled if space.info[n].knop in ("selectie", "prijzen")}
    # every copula block lies inside one factor, so the factors are independent
    for rows, _ in by_knop.dependence.blocks:
        assert len({by_knop.groups[j] for j in rows}) == 1


def test_output_says_what_was_done(sc) -> None:
    res = sobol(sc, 256, outputs=["ratio_social"], seed=1, group_by="knop")
    ds = res.to_dataset()
    assert ds.attrs["dependence"] == "grouped" and "group" in ds.attrs["dependence_text"]
    members = json.loads(ds.attrs["group_members"])
    assert "care_profile.elderly.top" in members["selectie + prijzen (samenhangend)"]
    ign = sobol(sc, 256, outputs=["ratio_social"], seed=1, group_by="knop", ignore_dependence=True).to_dataset()
    assert ign.attrs["dependence"] == "ignored" and "IGNORED" in ign.attrs["dependence_text"]
    assert "selectie" in list(ign["knop"].values) and "prijzen" in list(ign["knop"].values)


def test_without_dependence_the_numbers_are_those_of_plain_sobol(sc) -> None:
    """A scenario without correlations: mode "none", the old computation; and
    --ignore-dependence on a dependent one is that same computation."""
    space = in_space(sc)
    indep = dataclasses.replace(space, correlation=None, correlation_spec=None)
    a = sobol(indep, 512, outputs=["ratio_social"], seed=2)
    b = sobol(sc, 512, outputs=["ratio_social"], seed=2, ignore_dependence=True)
    assert a.dependence == "none" and a.problem.dependence is None
    for k in ("S1", "ST", "S1_conf", "ST_conf"):
        assert np.array_equal(a.indices["ratio_social"][k], b.indices["ratio_social"][k])
    g = sobol(sc, 512, outputs=["ratio_social"], seed=2)
    assert g.dependence == "grouped" and len(g.problem.factor_names) < len(a.problem.factor_names)


def dirichlet_scenario():
    data = read_toml(B2)
    data["reach"]["type_share"] = {"dist": "dirichlet", "alpha": {"families": 48.0, "elderly": 31.0, "other": 21.0}}
    return build_scenario(data, "inline")


def test_a_share_vector_is_reported_as_a_whole() -> None:
    sc = dirichlet_scenario()
    res = sobol(sc, 256, outputs=["ratio_social"], seed=1, group_by="parameter")
    names = res.problem.factor_names
    assert "type_share" in names and not any(n.startswith("type_share.") for n in names)
    members = json.loads(res.to_dataset().attrs["group_members"])
    assert members["type_share"] == ["type_share.families", "type_share.elderly", "type_share.other"]
    # the vector is sampled jointly: its draws sum to one
    u = np.random.default_rng(0).random((res.problem.d, 1000))
    x = res.problem.dependence.values(u, res.problem.dists)
    np.testing.assert_allclose(x[[res.problem.names.index(m) for m in members["type_share"]]].sum(axis=0), 1.0)
    sh = sobol(sc, 32, outputs=["ratio_social"], seed=1, group_by="parameter", method="shapley")
    assert "type_share" in sh.problem.factor_names and "type_share.families" not in sh.problem.factor_names
    # ignoring dependence leaves the share vector out altogether (as before issue 13)
    ign = sobol(sc, 256, outputs=["ratio_social"], seed=1, group_by="parameter", ignore_dependence=True)
    assert not any(n.startswith("type_share") for n in ign.problem.factor_names)


def test_grouped_factors_merge_knoppen_linked_by_one_unit() -> None:
    units = dependence_units(["a", "b", "c", "d"], Correlation(("b", "c"), np.array([[1.0, 0.4], [0.4, 1.0]])), {})
    knop = {"a": "k1", "b": "k1", "c": "k2", "d": "k3"}
    assert grouped_factors(units, knop) == {"a": "k1 + k2 (samenhangend)", "b": "k1 + k2 (samenhangend)",
                                            "c": "k1 + k2 (samenhangend)", "d": "k3"}
    assert grouped_factors(units, None) == {"a": "a", "b": "b + c", "c": "b + c", "d": "d"}


def test_grouped_sobol_and_shapley_same_numbers_whatever_the_evaluator(sc) -> None:
    out = []
    for ev in (SerialEvaluator(), ProcessEvaluator(2)):
        with ev:
            s = sobol(sc, 1 << 14, outputs=["ratio_social"], seed=6, evaluator=ev)  # two tasks of 8,192 rows
            h = sobol(sc, 1000, outputs=["ratio_social"], seed=6, evaluator=ev, method="shapley")  # 9 tasks
            out.append((s.indices["ratio_social"], h.indices["ratio_social"]))
    for a, b in zip(out[0], out[1]):
        for k in a:
            assert np.array_equal(a[k], b[k]), k


@pytest.mark.parametrize("kw, key", [
    ({"method": "shapley", "second_order": True}, "second_order"),
    ({"method": "shapley", "ignore_dependence": True}, "ignore_dependence"),
    ({"method": "shapley", "target_ci": 0.01}, "target_ci"),
    ({"method": "morris"}, "method"),
])
def test_options_that_do_not_go_together_are_clean_errors(sc, kw, key) -> None:
    with pytest.raises(ConfigError) as exc:
        sobol(sc, 256, outputs=["ratio_social"], **kw)
    assert key in {p.key for p in exc.value.problems}
