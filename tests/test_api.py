"""The public Python API: the README example runs, and each analysis returns
an xarray.Dataset with provenance whose numbers equal the command line's."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

import mkba_mc
from mkba_mc import MkbaWarning

ROOT = Path(__file__).resolve().parents[1]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"


def readme_example() -> str:
    """The first Python block of the README's "## Python API" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks and "run_monte_carlo" in blocks[0] and "sobol" in blocks[0]
    return blocks[0]


@pytest.fixture(scope="module")
def example(monkeypatch_module: Any) -> dict[str, Any]:
    monkeypatch_module.chdir(ROOT)
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MkbaWarning)  # n = 1024 gives wide intervals
        exec(compile(readme_example(), "README.md", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def monkeypatch_module() -> Any:
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def cli_json(*args: str) -> Any:
    from mkba_mc.cli import app

    r = CliRunner().invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_public_names() -> None:
    for name in ("load_scenario", "evaluate", "run_monte_carlo", "sobol", "morris", "tornado", "breakeven",
                 "acceptability_curve", "build_report"):
        assert name in mkba_mc.__all__ and callable(getattr(mkba_mc, name))


def test_readme_monte_carlo_is_the_cli_run(example: dict[str, Any]) -> None:
    mc = example["mc"]
    assert isinstance(mc, xr.Dataset)
    assert mc.sizes["sample"] == 20_000 and mc.sizes["actor"] == len(mkba_mc.ACTORS)
    assert mc.attrs["seed"] == 1 and mc.attrs["n"] == 20_000 and mc.attrs["input_space"] == "run"
    assert "attribution=0.4" in mc.attrs["overrides"] and "numpy" in mc.attrs["versions"]
    ref = cli_json("run", str(B2), "-n", "20000", "--seed", "1", "--set", "attribution=0.4", "--workers", "1")
    assert example["p"] == ref["probabilities"]["ratio_social_ge_1"]["p"]
    ratio = mc["ratio_social"].values
    assert float(np.median(ratio)) == ref["ratio_social"]["p50"]
    assert float(np.mean(ratio)) == pytest.approx(ref["ratio_social"]["mean"], rel=1e-12)


def test_readme_sobol_is_the_cli_sobol(example: dict[str, Any]) -> None:
    si = example["si"]
    assert isinstance(si, xr.Dataset)
    assert set(si.dims) == {"output", "knop"} and si.attrs["n"] == 1024 and si.attrs["seed"] == 3
    assert si.attrs["analysis"] == "sobol" and "input_hashes" in si.attrs
    ref = cli_json("sobol", str(B2), "-n", "1024", "--seed", "3", "--set", "attribution=0.4", "--workers", "1")
    for output, by_knop in ref["indices"].items():
        for knop, ix in by_knop.items():
            for key in ("S1", "ST", "S1_conf", "ST_conf"):
                assert float(si[key].sel(output=output, knop=knop)) == ix[key], (output, knop, key)


def test_workers_and_evaluators_give_the_same_numbers() -> None:
    from mkba_mc.execution.evaluators import SerialEvaluator, ThreadEvaluator

    serial = mkba_mc.run_monte_carlo(B2, 70_000, seed=4, evaluator=SerialEvaluator())
    with ThreadEvaluator(2) as threads:
        threaded = mkba_mc.run_monte_carlo(B2, 70_000, seed=4, evaluator=threads)
    forked = mkba_mc.run_monte_carlo(B2, 70_000, seed=4, workers=2)
    for ds in (threaded, forked):
        assert all(np.array_equal(serial[v].values, ds[v].values, equal_nan=True) for v in serial.data_vars)


def test_other_analyses_return_datasets_with_provenance() -> None:
    sc = mkba_mc.load_scenario(B2)
    td = mkba_mc.tornado(sc)
    assert "parameter" in td.dims and td.attrs["analysis"] == "tornado"
    ref = cli_json("tornado", str(B2))
    assert [r["parameter"] for r in ref] == list(td["parameter"].values)
    # the command prints pandas' JSON (10 decimals)
    assert [r["ratio_social_swing"] for r in ref] == pytest.approx(list(td["ratio_social_swing"].values), abs=1e-9)
    be = mkba_mc.breakeven(sc, ["newly_found_share"], n=2_000, grid=5, seed=6, workers=1)
    assert be.sizes == {"lever": 1, "step": 5} and be.attrs["seed"] == 6
    ref = cli_json("breakeven", str(B2), "--lever", "newly_found_share", "-n", "2000", "--grid", "5", "--seed", "6")
    assert [r["p_ratio_social_ge_1"] for r in ref["robustness"]] == pytest.approx(
        list(be["p_ratio_social_ge_1"].values[0]), abs=1e-9)
    mo = mkba_mc.morris(sc, 4, seed=5)
    assert set(mo.dims) == {"output", "parameter"} and mo.attrs["seed"] == 5


def test_soft_problems_are_mkba_warnings() -> None:
    with pytest.warns(MkbaWarning, match="half-width"):
        mkba_mc.sobol(B2, 256, seed=0, outputs=["ratio_social"], workers=1)
    with pytest.warns(MkbaWarning, match="target standard error"):
        mkba_mc.run_monte_carlo(B2, 1_000, seed=0, target_se=1e-4, workers=1)


def test_options_are_checked_by_the_library() -> None:
    with pytest.raises(mkba_mc.ConfigError, match="power of 2"):
        mkba_mc.sobol(B2, 1000)
    with pytest.raises(mkba_mc.ConfigError, match="grid"):
        mkba_mc.breakeven(B2, n=1_000, grid=1)
    with pytest.raises(mkba_mc.ConfigError, match="workers"):
        mkba_mc.run_monte_carlo(B2, 100, workers=0)
