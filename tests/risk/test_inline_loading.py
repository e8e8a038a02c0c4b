"""Loading is layered: inline dicts give the same Scenario and Defaults as files (issue 11).

read file (``read_toml``) -> validate dict (``parse_distributions``,
``check_scenario``) -> typed object (``Defaults``, ``Scenario`` via
``parse_scenario``); every layer works on a dict written in the test.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from mkba_mc.errors import ConfigError
from mkba_mc.io.distfile import CorrelationSpec, Defaults, load_distributions, parse_distributions
from mkba_mc.io.scenario import Scenario
from mkba_mc.io.scenario_build import load_scenario, parse_scenario
from mkba_mc.io.scenario_parse import CheckedScenario, check_scenario
from mkba_mc.io.toml import read_toml

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"


@pytest.fixture(scope="module")
def b2_dict() -> dict:
    return read_toml(B2)


def test_an_inline_scenario_equals_the_file(b2_dict: dict) -> None:
    inline = parse_scenario(copy.deepcopy(b2_dict), "inline")
    from_file = load_scenario(B2)
    assert isinstance(inline, Scenario)
    assert inline.params == from_file.params
    assert np.array_equal(inline.structure.payer, from_file.structure.payer)
    assert set(inline.distributions) == set(from_file.distributions)
    assert inline.evaluate()["ratio_social"] == from_file.evaluate()["ratio_social"]


def test_problems_of_an_inline_scenario_name_its_source(b2_dict: dict) -> None:
    data = copy.deepcopy(b2_dict)
    data["reach"]["households"] = -5
    data["team"]["no_such_parameter"] = 1.0
    with pytest.raises(ConfigError) as exc:
        parse_scenario(data, "my-inline-dict")
    keys = {p.key for p in exc.value.problems}
    assert {"reach.households", "team.no_such_parameter"} <= keys
    assert {p.source for p in exc.value.problems} == {"my-inline-dict"}


def test_check_scenario_returns_typed_values_and_groups(b2_dict: dict) -> None:
    data = copy.deepcopy(b2_dict)
    data["reach"]["type_share"] = {"dist": "dirichlet", "alpha": {"families": 48, "elderly": 31, "other": 21}}
    checked = check_scenario(data, "inline")
    assert isinstance(checked, CheckedScenario) and checked.problems == []
    assert list(checked.groups) == ["type_share"]
    members, alpha = checked.groups["type_share"]
    assert alpha == (48.0, 31.0, 21.0) and len(members) == 3
    assert not any(name.startswith("<") for name in checked.values)
    sc = parse_scenario(data, "inline")
    assert sc.share_groups == checked.groups
    assert sc.params[members[0]] == pytest.approx(0.48)


def test_a_distribution_file_as_an_inline_dict() -> None:
    defaults = load_distributions()
    path = defaults.files[0]
    parsed = parse_distributions(read_toml(path), "inline-distributions")
    assert isinstance(parsed, Defaults)
    assert parsed.files == (Path("inline-distributions"),)
    assert all(info.origin.startswith("inline-distributions:") for info in parsed.parameters.values())


def test_an_inline_distribution_dict_with_a_typo_is_refused() -> None:
    data = {"meta": {"name": "inline", "price_year": 2014}, "parameters": {"no_such_parameter": {"value": 1.0}}}
    with pytest.raises(ConfigError) as exc:
        parse_distributions(data, "inline")
    assert [p.key for p in exc.value.problems] == ["parameters.no_such_parameter"]


def test_the_correlation_is_a_typed_spec() -> None:
    defaults = load_distributions()
    assert defaults.correlation is None or isinstance(defaults.correlation, CorrelationSpec)
    sc = load_scenario(B2)
    if sc.correlation_spec is not None:
        spec = sc.correlation_spec
        assert len(spec.matrix) == len(spec.names) and all(len(r) == len(spec.names) for r in spec.matrix)
