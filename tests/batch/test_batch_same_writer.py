"""`batch` writes every file of the single commands, with the same numbers (issue 11).

Each batch step goes through the writer of its command (``mkba_mc.io.results``,
``mkba_mc.io.analysis_results``): the step folder holds exactly the files of
``run``/``sobol``/``tornado``/``curve``/``breakeven``/``voi``/``discover --out`` and, for the same seed, the same
numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import xarray as xr
from typer.testing import CliRunner

from mkba_mc.cli import app

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
N, SOBOL_N, SEED = 2000, 64, 8
runner = CliRunner()

#: The single command of each batch step, with the batch's settings.
SINGLE = {
    "run": ["run", str(SCENARIO), "-n", str(N), "--seed", str(SEED), "--all-outputs", "--workers", "1"],
    "sobol": ["sobol", str(SCENARIO), "-n", str(SOBOL_N), "--seed", str(SEED), "--workers", "1"],
    "tornado": ["tornado", str(SCENARIO)],
    "curve": ["curve", str(SCENARIO), "-n", str(N), "--seed", str(SEED), "--workers", "1"],
    # the command's defaults: the levers with a range, 11 grid values
    "breakeven": ["breakeven", str(SCENARIO), "-n", str(N), "--seed", str(SEED)],
    # issue 13: the run's samples (n, seed, sampler), every perspective / every event
    "voi": ["voi", str(SCENARIO), "-n", str(N), "--seed", str(SEED), "--workers", "1"],
    "discover": ["discover", str(SCENARIO), "-n", str(N), "--seed", str(SEED), "--workers", "1"],
}


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The batch's scenario folder and a folder of single-command results."""
    root = tmp_path_factory.mktemp("same_writer")
    r = runner.invoke(app, ["batch", str(SCENARIO), "--out", str(root / "batch"), "-n", str(N), "--sobol-n",
                            str(SOBOL_N), "--seed", str(SEED), "--workers", "1", "--skip", "report"])
    assert r.exit_code == 0, r.output
    for step, args in SINGLE.items():
        r = runner.invoke(app, [*args, "--out", str(root / "single" / step), "--json"])
        assert r.exit_code == 0, r.output
    return root / "batch" / SCENARIO.stem, root / "single"


def files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize("step", sorted(SINGLE))
def test_a_batch_step_has_the_files_of_its_command(folders: tuple[Path, Path], step: str) -> None:
    batch, single = folders
    assert files(batch / step) == files(single / step)


def test_the_tornado_step_writes_tornado_nc(folders: tuple[Path, Path]) -> None:
    batch, _ = folders
    assert {"tornado.csv", "tornado.nc", "spider.csv", "manifest.json"} <= files(batch / "tornado")


@pytest.mark.parametrize("step", sorted(SINGLE))
def test_a_batch_step_has_the_numbers_of_its_command(folders: tuple[Path, Path], step: str) -> None:
    batch, single = folders
    for name in sorted(files(single / step)):
        a, b = batch / step / name, single / step / name
        if name.endswith(".csv"):
            assert a.read_bytes() == b.read_bytes(), name
        elif name.endswith(".nc"):
            with xr.open_dataset(a) as da, xr.open_dataset(b) as db:
                assert set(da.variables) == set(db.variables), name
                for v in da.variables:
                    assert da[v].values.tobytes() == db[v].values.tobytes() or (
                        da[v].dtype == object and list(da[v].values) == list(db[v].values)), (name, v)


def test_the_manifests_name_the_same_analysis(folders: tuple[Path, Path]) -> None:
    import json

    batch, single = folders
    for step in ("sobol", "tornado", "curve", "breakeven", "voi", "discover"):
        mb = json.loads((batch / step / "manifest.json").read_text())
        ms = json.loads((single / step / "manifest.json").read_text())
        assert mb.get("analysis") == ms.get("analysis") == step
        assert mb["batch_key"] and "batch_key" not in ms
        assert set(ms) <= set(mb), set(ms) - set(mb)


def test_the_breakeven_step_covers_the_levers_with_a_range(folders: tuple[Path, Path]) -> None:
    import pandas as pd

    batch, _ = folders
    table = pd.read_csv(batch / "breakeven" / "breakeven.csv")
    assert list(table["lever"]) == ["substitution_new", "substitution_existing", "newly_found_share",
                                    "additional_share_team", "caseload.mv_nzr"]
    robustness = pd.read_csv(batch / "breakeven" / "robustness.csv")
    assert robustness.groupby("lever").size().to_dict() == dict.fromkeys(table["lever"], 11)
