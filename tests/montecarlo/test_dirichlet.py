"""Share vectors that must sum to 1 sampled jointly from a Dirichlet distribution."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mkba_mc.errors import ConfigError
from mkba_mc.io.loading import build_scenario, read_toml
from mkba_mc.execution.montecarlo import run

B2 = Path(__file__).resolve().parents[2] / "scenarios" / "bijlage2_voorbeeld.toml"
ALPHA = {"families": 48.0, "elderly": 31.0, "other": 21.0}


def scenario(spec):
    data = read_toml(B2)
    data["reach"]["type_share"] = spec
    return build_scenario(data, "inline")


def test_dirichlet_type_share_sums_to_one_with_dirichlet_moments() -> None:
    sc = scenario({"dist": "dirichlet", "alpha": ALPHA})
    # point values are the means alpha_i / sum(alpha): the published 48/31/21 %
    assert sc.params["type_share.families"] == pytest.approx(0.48)
    res = run(sc, 50_000, seed=3, keep_inputs=True, outputs=["ratio_social"])
    x = np.vstack([res.inputs[f"type_share.{t}"] for t in ALPHA])
    np.testing.assert_allclose(x.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    a = np.array(list(ALPHA.values()))
    mean = a / a.sum()
    var = mean * (1 - mean) / (a.sum() + 1)
    np.testing.assert_allclose(x.mean(axis=1), mean, atol=5 * np.sqrt(var / 50_000).max())
    np.testing.assert_allclose(x.var(axis=1), var, rtol=0.05)
    # the point estimate is the one of the published shares
    assert sc.evaluate()["ratio_social"][0] == pytest.approx(1.3105, abs=1e-3)


@pytest.mark.parametrize("spec, key", [
    ({"dist": "dirichlet", "alpha": {"families": 1.0, "elderly": 1.0}}, "reach.type_share.alpha"),
    ({"dist": "dirichlet", "alpha": {"families": 1.0, "elderly": -1.0, "other": 1.0}}, "reach.type_share.alpha.elderly"),
    ({"dist": "uniform", "low": 0, "high": 1}, "reach.type_share.dist"),
])
def test_bad_dirichlet(spec, key) -> None:
    with pytest.raises(ConfigError) as err:
        scenario(spec)
    assert any(p.key == key for p in err.value.problems), err.value
