"""``mkba-mc sobol`` with dependent inputs: what --json, the files and the
report say; --method shapley; --ignore-dependence only explicitly; --group errors."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import xarray as xr

from mkba_mc.report import build_report

ROOT = Path(__file__).resolve().parents[2]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"


def sobol_json(cli_ok, *args) -> dict:
    return json.loads(cli_ok("sobol", B2, "-n", 64, "--workers", 1, "--output", "ratio_social", "--json", *args).stdout)


def test_json_says_the_inputs_were_grouped(cli_ok) -> None:
    obj = sobol_json(cli_ok)
    assert obj["method"] == "sobol" and obj["dependence"] == "grouped"
    assert "selectie + prijzen (samenhangend)" in obj["indices"]["ratio_social"]
    assert "new_care_fraction" in obj["groups"]["selectie + prijzen (samenhangend)"]
    assert set(obj["groups"]["waardering"]) >= {"qaly_per_work", "qaly_per_escalation", "qaly_per_debt_success"}


def test_ignoring_dependence_is_explicit_and_labelled(cli_runner) -> None:
    from mkba_mc.cli import app

    res = cli_runner.invoke(app, ["sobol", str(B2), "-n", "64", "--workers", "1", "--output", "ratio_social",
                                  "--json", "--ignore-dependence"])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert obj["dependence"] == "ignored" and "IGNORED" in obj["dependence_text"]
    assert "--ignore-dependence" in res.stderr and "not of the scenario's joint distribution" in res.stderr
    assert "selectie" in obj["indices"]["ratio_social"]


def test_shapley_files_and_json(cli_ok, tmp_path: Path) -> None:
    out = tmp_path / "sh"
    cli_ok("sobol", B2, "-n", 32, "--method", "shapley", "--workers", 1, "--output", "ratio_social", "--out", out)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "shapley.csv", "shapley.nc"]
    man = json.loads((out / "manifest.json").read_text())
    assert man["method"] == "shapley" and man["dependence"] == "shapley" and man["n"] == 32
    assert "selectie" in man["group_members"]
    with xr.open_dataset(out / "shapley.nc", engine="h5netcdf") as ds:
        assert set(ds.data_vars) == {"Sh", "Sh_conf"} and ds.attrs["method"] == "shapley"
        assert float(ds["Sh"].sum()) == pytest.approx(1.0, abs=1e-9)
    obj = sobol_json(cli_ok, "--method", "shapley", "--group-by", "parameter")
    assert set(obj["indices"]["ratio_social"]["attribution"]) == {"Sh", "Sh_conf"}
    assert obj["dependence"] == "shapley"


@pytest.mark.parametrize("args, message", [
    (["--group", "g=attribution,not_a_parameter"], "group.g = 'not_a_parameter'"),
    (["--group", "g=attribution", "--group", "h=attribution"], "a parameter of one group only"),
    (["--group", "nameless"], "NAME=PARAMETER"),
    (["--method", "shapley", "--second-order"], "not with --method shapley"),
    (["--method", "anova"], "one of: sobol, shapley"),
])
def test_bad_options_are_clean_errors(cli_runner, args, message) -> None:
    from mkba_mc.cli import app

    res = cli_runner.invoke(app, ["sobol", str(B2), "-n", "64", "--workers", "1", *args])
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output


def test_a_group_of_ones_own_is_one_factor(cli_ok) -> None:
    obj = sobol_json(cli_ok, "--group-by", "parameter", "--group", "effect=attribution,relapse")
    assert obj["groups"]["effect"] == ["attribution", "relapse"]
    assert "attribution" not in obj["indices"]["ratio_social"]


def test_report_shows_grouping_and_shapley_in_plain_dutch(analyses_dir: Path, fresh_copy, cli_ok) -> None:
    root = fresh_copy(analyses_dir, "dep")
    cli_ok("sobol", B2, "-n", 32, "--method", "shapley", "--workers", 1, "--out", root / "shapley")
    page = html.unescape(build_report(root).read_text(encoding="utf-8"))
    sec = re.search(r'<section id="sobol">(.*?)</section>', page, flags=re.S).group(1)
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)\b.*?</\1>", " ", sec, flags=re.S))
    assert "Zulke invoeren zijn als één groep getrokken" in text           # the grouped Sobol' run says so
    assert "Selectie + prijzen (samenhangend)" in text
    assert "Shapley-effecten" in text and "tellen de effecten op tot 1" in text
    assert re.findall(r"\b\w+_\w+\b", text) == []                          # no code names
    assert (root / "figures" / "shapley.png").is_file()


def test_every_label_of_a_group_is_plain_language() -> None:
    """The summary, figures and tables label factors with factor_label; a group of dependent inputs gets its
    members' labels, never the code names the engine gives the group."""
    from mkba_mc.report.labels import factor_label

    assert factor_label("selectie + prijzen (samenhangend)", "nl") == "Selectie + prijzen (samenhangend)"
    assert factor_label("selectie + prijzen (samenhangend)", "en") == "Selection + prices (dependent)"
    label = factor_label("new_care_fraction + care_profile.*", "nl")
    assert "new_care_fraction" not in label and "care_profile" not in label and label.endswith("(alle)")
