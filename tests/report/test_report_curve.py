"""The report's acceptability curve, its inputs-on-assumptions table and the
input space every analysis states (issue "Risk ranges a ministry can defend")."""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from report_helpers import B2, PNG_MAGIC, ROOT, invoke, styled

from mkba_mc.report import build_report, find_artefacts
from mkba_mc.report.labels import knop_label

KENGETALLEN = ROOT / "distributions" / "kengetallen.toml"
GRID = (20000.0, 40000.0, 60000.0, 80000.0, 100000.0)

@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """run + Sobol' per parameter + a QALY curve, each in its own subfolder."""
    root = tmp_path_factory.mktemp("curve_report")
    invoke("run", B2, "-n", 3000, "--seed", 5, "--workers", 1, "--out", root / "run")
    invoke("sobol", B2, "-n", 128, "--group-by", "parameter", "--resamples", 20, "--workers", 1,
           "--out", root / "sobol")
    invoke("curve", B2, "--over", "qaly_value", "--values", ",".join(f"{v:g}" for v in GRID), "-n", 2000,
           "--seed", 5, "--workers", 1, "--out", root / "curve")
    return root


@pytest.fixture(scope="module")
def page(folder: Path) -> str:
    return build_report(folder).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page_en(folder: Path, fresh_copy) -> str:
    return build_report(fresh_copy(folder, "curve_report_en"), lang="en").read_text(encoding="utf-8")


def section(page: str, anchor: str) -> str:
    m = re.search(rf'<section id="{anchor}">(.*?)</section>', page, flags=re.S)
    assert m, f"no section {anchor}"
    return m.group(1)


def assumption_inputs_from_toml() -> dict[str, str]:
    """Independently of mkba_mc: the inputs of the default Sobol' space
    (uncertainties with a distribution, levers and normative inputs with a
    range) whose evidence starts with "assumption", with their kind."""
    data = tomllib.loads(KENGETALLEN.read_text(encoding="utf-8"))

    def walk(table: dict[str, Any], prefix: str = ""):
        for key, value in table.items():
            if isinstance(value, dict) and "value" in value:
                yield prefix + key, value
            elif isinstance(value, dict):
                yield from walk(value, f"{prefix}{key}.")

    out = {}
    for name, entry in walk(data["parameters"]):
        table = "distribution" if entry["kind"] == "uncertainty" else "range"
        spec = entry.get(table)
        if isinstance(spec, dict) and str(spec.get("evidence", "")).lower().startswith("assumption"):
            out[name] = entry["kind"]
    return out


def test_scenario_keeps_the_default_distributions() -> None:
    """The expected set below comes from kengetallen.toml alone: Bijlage 2 must not bring its own."""
    data = tomllib.loads(B2.read_text(encoding="utf-8"))
    text = repr(data)
    assert "'distribution'" not in text and "'range'" not in text and "'implementation'" not in text


def test_curve_is_found(folder: Path) -> None:
    art = find_artefacts(folder)
    assert art.curves == (folder / "curve",)
    assert art.run == folder / "run" and art.sobol == folder / "sobol" / "sobol.nc"


def test_curve_figure_exists_is_a_png_and_is_in_the_html(folder: Path, page: str) -> None:
    png = folder / "figures" / "curve_qaly_value.png"
    data = png.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 20_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 1000 and height > 500
    body = section(page, "curve")
    m = re.search(r'<img src="data:image/png;base64,([^"]+)"[^>]*data-file="figures/curve_qaly_value.png"', body)
    assert m, "the curve figure is not referenced in the curve section"
    assert base64.b64decode(m.group(1)) == data


def test_curve_table_equals_curve_csv(folder: Path, page: str) -> None:
    csv = pd.read_csv(folder / "curve" / "curve.csv").sort_values("value", ignore_index=True)
    cells = dict(re.findall(r'data-curve="qaly_value:([^"]+)">([^<]*)<', section(page, "curve")))
    assert len(csv) == len(GRID)
    for i, row in csv.iterrows():
        euros = html.unescape(cells[f"value:{i}"])
        assert int(re.sub(r"\D", "", euros)) == int(row["value"]) == int(GRID[i])
        for col in ("p_ratio_social_ge_1", "p_ratio_gemeente_ge_1", "p_balance_ge_0"):
            assert cells[f"{col}:{i}"] == styled(row[col], digits=1, pct=True), (col, i)
        for col in ("median_ratio_social", "median_ratio_gemeente"):
            assert cells[f"{col}:{i}"] == styled(row[col])


def test_curve_switch_values_and_text(folder: Path, page: str) -> None:
    csv = pd.read_csv(folder / "curve" / "curve.csv").sort_values("value", ignore_index=True)
    x, p = csv["value"].to_numpy(), csv["p_ratio_social_ge_1"].to_numpy()
    body = html.unescape(section(page, "curve"))
    for level in (0.5, 0.8):
        above = np.flatnonzero((p[:-1] - level) * (p[1:] - level) < 0)
        if above.size:  # linear interpolation between the two grid values around the crossing
            i = above[0]
            sw = x[i] + (x[i + 1] - x[i]) * (level - p[i]) / (p[i + 1] - p[i])
            assert f"€ {sw:,.0f}".replace(",", ".") in body
        elif np.all(p > level):
            assert f"overal boven {level:.0%}".replace("%", " %") in body
        else:
            assert f"overal onder {level:.0%}".replace("%", " %") in body
    # normative choice: shown as a curve, with one value in the headline (CPB/PBL)
    assert "normatieve keuzes" in body and "CPB/PBL" in body and "één discontovoet in de kopcijfers" in body
    assert "in de kopcijfers" in body and "QALY-waarde € 20.000" in body  # Bijlage 2's headline QALY value
    assert "Invoerruimte (curve) – welke waardering" in body


def test_assumptions_table_lists_exactly_the_assumption_based_inputs(folder: Path, page: str) -> None:
    expected = assumption_inputs_from_toml()
    with xr.open_dataset(folder / "sobol" / "sobol.nc") as ds:
        st = ds["ST"].sel(output="ratio_social").to_series()
        # since issue 13 a correlated set is one factor; its members are in group_members
        members = json.loads(ds.attrs["group_members"])
    factor_of = {p: f for f, ps in members.items() for p in ps}
    assert set(expected) <= set(factor_of)  # every one of them is sampled by the Sobol' analysis
    st = {p: st[f] for p, f in factor_of.items()}
    body = section(page, "assumptions")
    listed = re.findall(r'data-assumption="([^"]+)"', body)
    assert len(listed) == len(set(listed))
    assert set(listed) == set(expected)
    # each row: the parameter's ST, sorted from high to low
    rows = re.findall(r'<tr><td class="l"><span data-assumption="([^"]+)">.*?</td><td class="l">([^<]*)</td>'
                      r'<td class="l">([^<]*)</td><td>([^<]*)</td>', body)
    assert [r[0] for r in rows] == listed
    shown = [float(r[3].replace(",", ".")) for r in rows]
    assert shown == sorted(shown, reverse=True)
    kinds = {"uncertainty": "onzekerheid", "lever": "hefboom", "normative": "normatief"}
    for name, kind, _knop, value in rows:
        assert float(value.replace(",", ".")) == pytest.approx(st[name], abs=0.0005)
        assert kind == kinds[expected[name]]
    total = sum(float(v) for v in {factor_of[n]: st[n] for n in expected}.values())  # a group's ST once
    assert re.search(r'data-key="assumption_st_sum">([^<]+)<', body).group(1) == styled(total)
    # the sum runs over factors: a correlated set of assumption-based inputs counts once
    assert f"de som van ST over deze {len({factor_of[n] for n in expected})} invoeren" in body


def test_assumptions_per_knop_show_the_knops_st(tmp_path: Path) -> None:
    invoke("run", B2, "-n", 2000, "--seed", 2, "--workers", 1, "--out", tmp_path / "run")
    invoke("sobol", B2, "-n", 128, "--group-by", "knop", "--resamples", 20, "--workers", 1, "--out", tmp_path / "sobol")
    body = section(build_report(tmp_path).read_text(encoding="utf-8"), "assumptions")
    expected = assumption_inputs_from_toml()
    knop_of = {}
    data = tomllib.loads(KENGETALLEN.read_text(encoding="utf-8"))
    for name in expected:
        entry: Any = data["parameters"]
        for part in name.split("."):
            entry = entry[part]
        knop_of[name] = entry["knop"]
    with xr.open_dataset(tmp_path / "sobol" / "sobol.nc") as ds:
        st = ds["ST"].sel(output="ratio_social").to_series()
        # since issue 13 knoppen linked by a correlation are one factor ("selectie + prijzen (samenhangend)")
        factor_of = {p: f for f, ps in json.loads(ds.attrs["group_members"]).items() for p in ps}
    rows = re.findall(r'<span data-assumption="([^"]+)">.*?</td><td class="l">[^<]*</td>'
                      r'<td class="l">([^<]*)</td><td>([^<]*)</td>', body)
    assert {r[0] for r in rows} == set(expected)
    for name, knop, value in rows:
        assert knop == knop_label(knop_of[name], "nl")
        assert float(value.replace(",", ".")) == pytest.approx(st[factor_of[name]], abs=0.0005)
    assert "per knop berekend" in body  # and it says that the ST is the knop's
    total = sum(float(st[k]) for k in {factor_of[n] for n in expected})
    assert re.search(r'data-key="assumption_st_sum">([^<]+)<', body).group(1) == styled(total)


def test_every_analysis_states_its_input_space(page: str, page_en: str) -> None:
    summary = html.unescape(section(page, "summary"))
    assert "Invoerruimte (run) – risico van dit plan" in summary
    assert "Invoerruimte (all) – welke knop beslist" in summary
    assert "QALY-waarde van € 20.000 tot € 100.000" in summary
    assert "Invoerruimte (all) – welke knop beslist" in html.unescape(section(page, "sobol"))
    assert "Invoerruimte (run) – risico van dit plan" in html.unescape(section(page, "ratios"))
    assert "Input space" not in page  # no English left in the Dutch report
    en = html.unescape(page_en)
    for text in ("Input space (run) – risk of this plan", "Input space (all) – which knob decides",
                 "Input space (curve) – which valuation", "one discount rate in the headline"):
        assert text in en
    assert "Invoerruimte" not in en


def test_rebuild_without_the_curve_removes_its_figure(folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "r"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("report.html"))
    assert (copy / "figures" / "curve_qaly_value.png").is_file()
    shutil.rmtree(copy / "curve")
    page = build_report(copy).read_text(encoding="utf-8")
    assert not (copy / "figures" / "curve_qaly_value.png").exists()
    assert "Niet berekend" in html.unescape(section(page, "curve"))
    assert "mkba-mc curve SCENARIO --over qaly_value" in html.unescape(section(page, "appendix"))
