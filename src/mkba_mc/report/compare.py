"""Several scenarios side by side: ranges of the ratios and the chance of a
gain per actor, as a table, a figure and an Excel workbook.

Each input folder is a Monte Carlo result (``summary.csv`` + ``manifest.json``
written by ``mkba-mc run``) or a folder that holds one in a subfolder (a
scenario folder of ``mkba-mc batch``).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import OutputError
from ..model.sets import ACTORS
from .figures import localise, new_figure, wrap_label
from .formats import prob, visible_text
from .labels import ACTOR_LABELS, COMPARE_LABELS

RATIOS = ("ratio_social", "ratio_financial", "ratio_gemeente")


def find_run(folder: str | Path) -> Path:
    """The folder holding a run's ``summary.csv`` and ``manifest.json``."""
    p = Path(folder)
    # hidden folders are skipped: a staging folder of a live or killed writer is not a result
    for cand in (p, *sorted(c for c in p.iterdir() if c.is_dir() and not c.name.startswith("."))) if p.is_dir() else ():
        if (cand / "summary.csv").is_file() and (cand / "manifest.json").is_file():
            return cand
    raise OutputError(f"{p}: no Monte Carlo result found (expected summary.csv and manifest.json from "
                      "`mkba-mc run --out`, in the folder or one of its subfolders)")


def row_for(folder: str | Path) -> dict[str, Any]:
    """One scenario's comparison row."""
    run = find_run(folder)
    manifest = json.loads((run / "manifest.json").read_text())
    df = pd.read_csv(run / "summary.csv").set_index("output")
    stats = df[df["kind"] == "statistic"]
    probs = df[df["kind"] == "probability"]
    row: dict[str, Any] = {"scenario": manifest.get("scenario", run.name), "folder": str(run), "n": manifest.get("n"),
                           "seed": manifest.get("seed")}
    for r in RATIOS:
        if r in stats.index:
            for q in ("p5", "p50", "p95"):
                row[f"{r}_{q}"] = float(stats.loc[r, q])
        if f"{r}_ge_1" in probs.index:
            row[f"P({r} >= 1)"] = float(probs.loc[f"{r}_ge_1", "p"])
    for key, label in (("balance", "balance"), ("balance_gemeente", "balance_gemeente")):
        if key in stats.index:
            row[f"{label}_p50"] = float(stats.loc[key, "p50"])
    if "balance_gemeente_ge_0" in probs.index:
        row["P(gemeente balance >= 0)"] = float(probs.loc["balance_gemeente_ge_0", "p"])
    flat = []
    for actor in ACTORS:
        key = f"actor_balance_ge_0.{actor}"
        if key in probs.index:
            row[f"P({actor} balance >= 0)"] = float(probs.loc[key, "p"])
        stat = f"actor_balance.{actor}"
        if stat in stats.index and float(stats.loc[stat, "mean"]) == 0.0 and float(stats.loc[stat, "sd"]) == 0.0:
            flat.append(actor)  # € 0 in every draw: no flows, P(balance >= 0) = 1 says nothing
    row["no_flows"] = " ".join(flat)
    if "split_incentive" in probs.index:
        row["P(split incentive)"] = float(probs.loc["split_incentive", "p"])
    # the median payback year is summary.csv's p50 of payback_year: the one
    # definition shared with run and the report (inf: more than half never pay back)
    for key in ("payback_year", "prefinancing"):
        if key in stats.index:
            row[f"{key}_p50"] = float(stats.loc[key, "p50"])
    return row


def comparison_table(folders: Sequence[str | Path]) -> pd.DataFrame:
    """The comparison table, one row per scenario."""
    if not folders:
        raise OutputError("give at least one result folder to compare")
    return pd.DataFrame([row_for(f) for f in folders])


def comparison_figure(table: pd.DataFrame, path: str | Path, lang: str = "nl") -> None:
    """Write :func:`comparison_plot` as a PNG to ``path``."""
    comparison_plot(table, lang).savefig(path, dpi=130, format="png", facecolor="white")


def comparison_plot(table: pd.DataFrame, lang: str = "nl") -> Any:
    """Ratio ranges (P5-P95 with the median) per scenario, and P(ratio >= 1):
    a matplotlib figure (scenario names wrapped, control characters shown as
    ``\\xNN``, every note inside its panel)."""
    labels = COMPARE_LABELS[lang]
    n = len(table)
    fig = new_figure(11, 1.2 + 0.6 * n)
    axes = fig.subplots(1, 2, sharey=True)
    for ax, ratio in zip(axes, ("ratio_social", "ratio_gemeente")):
        for i, (_, r) in enumerate(table.iterrows()):
            if f"{ratio}_p5" not in r or pd.isna(r.get(f"{ratio}_p5")):
                continue
            ax.plot([r[f"{ratio}_p5"], r[f"{ratio}_p95"]], [i, i], lw=6, color="#4c72b0", solid_capstyle="butt")
            ax.plot(r[f"{ratio}_p50"], i, "o", color="black")
            p = r.get(f"P({ratio} >= 1)")
            if p is not None and not pd.isna(p):
                ax.annotate(f"{labels['p']} {prob(p, lang)}", (r[f"{ratio}_p95"], i), xytext=(6, -3),
                            textcoords="offset points", fontsize=9)
        ax.axvline(1.0, color="#c44e52", lw=1)
        if f"{ratio}_p5" in table and table[f"{ratio}_p5"].notna().any():
            left = min(1.0, float(table[f"{ratio}_p5"].min()))
            right = max(1.0, float(table[f"{ratio}_p95"].max()))
            span = max(right - left, 0.1)
            # room right of the widest range for its "P(>= 1) 100,0 %" note, inside this panel
            ax.set_xlim(left - 0.05 * span, right + 0.42 * span)
        ax.set_title(labels[ratio])
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(range(n))
    axes[0].set_yticklabels([wrap_label(visible_text(str(s)), width=36, lines=2) for s in table["scenario"]])
    axes[0].invert_yaxis()
    fig.suptitle(labels["title"])
    return localise(fig, lang)


def comparison_format(_row: Any, column: Any) -> str:
    """The Excel number format of a comparison column: chances as a
    percentage, ratios with two decimals, euros, years; ``n`` and ``seed`` whole."""
    from .excel import EURO, PERCENT, RATIO

    col = str(column)
    if col.startswith("P("):
        return PERCENT
    if col.startswith("ratio"):
        return RATIO
    if col.startswith(("balance", "prefinancing")):
        return EURO
    return "0.0" if col.startswith("payback") else "0"


#: Fixed headers of comparison.xlsx per language.
FIXED_HEADERS: dict[str, dict[str, str]] = {
    "nl": {"scenario": "Scenario", "folder": "Map", "n": "Aantal trekkingen", "seed": "Startgetal (seed)",
           "P(gemeente balance >= 0)": "Kans saldo gemeente ≥ 0", "P(split incentive)": "Kans gesplitste prikkel",
           "no_flows": "Actoren zonder stromen", "chance": "Kans", "balance": "saldo"},
    "en": {"scenario": "Scenario", "folder": "Folder", "n": "Number of draws", "seed": "Seed",
           "P(gemeente balance >= 0)": "Probability municipal balance ≥ 0",
           "P(split incentive)": "Probability of a split incentive", "no_flows": "Actors without flows",
           "chance": "Probability", "balance": "balance"},
}


#: Text of the workbook's cells that hold no number: an actor without flows, a median that never pays back.
CELL_TEXT: dict[str, dict[str, str]] = {
    "nl": {"no_flows": "geen stromen", "never": "niet binnen het programma"},
    "en": {"no_flows": "no flows", "never": "not within the programme"},
}


def comparison_header(column: str, lang: str = "nl") -> str:
    """The header of a column of the comparison table in ``lang``
    (``ratio_social_p5`` -> ``Maatschappelijke K-B-verhouding, 5e percentiel (P5)``,
    ``P(zorgverzekeraar balance >= 0)`` -> ``Kans saldo Zorgverzekeraar ≥ 0``);
    the column name itself when it has none."""
    from .excel import headers, output_name

    fixed = FIXED_HEADERS[lang]
    if column in fixed and column not in ("chance", "balance"):
        return fixed[column]
    stat = re.fullmatch(r"(.+)_(p5|p50|p95)", column)
    if stat:
        text = headers(lang)[stat[2]]
        return f"{output_name(stat[1], lang)}, {text[0].lower()}{text[1:]}"
    chance = re.fullmatch(r"P\((\S+)( balance)? >= ([01])\)", column)
    if chance:
        name = (output_name(chance[1], lang) if not chance[2]
                else f"{fixed['balance']} {ACTOR_LABELS[lang].get(chance[1], chance[1])}")
        return f"{fixed['chance']} {name} ≥ {chance[3]}"
    return column


def relative_folders(folders: pd.Series) -> list[str]:
    """Each result folder relative to the folder that holds them all (the
    batch or compare root), e.g. ``bijlage2/run``: no machine path in a workbook."""
    paths = [Path(f) for f in folders]
    if not paths:
        return []
    root = Path(os.path.commonpath([p.parent for p in paths])) if len({p.parent for p in paths}) > 1 else paths[0].parent
    return [p.relative_to(root).as_posix() if p.is_relative_to(root) else p.name for p in paths]


def workbook_table(table: pd.DataFrame, lang: str = "nl") -> tuple[pd.DataFrame, Any]:
    """The comparison table as ``comparison.xlsx`` shows it, with its cell format.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`comparison_table` (machine-readable columns, absolute folders).
    lang : {"nl", "en"}
        Language of the headers (:func:`comparison_header`; ``comparison.csv``
        keeps the machine-readable column names).

    Returns
    -------
    frame : pandas.DataFrame
        The table with the ``folder`` column relative to the common root
        (:func:`relative_folders`) and, in Dutch, readable headers.
    fmt : callable
        The number format by row label and header (:func:`comparison_format`).
    """
    out = table.assign(folder=relative_folders(table["folder"])) if "folder" in table else table.copy()
    words = CELL_TEXT[lang]
    if "no_flows" in out:  # an actor without flows has balance 0 in every draw: its P(balance >= 0) = 1 says nothing
        flat = [set(v.split()) if isinstance(v, str) else set() for v in out["no_flows"]]
        for a in ACTORS:
            col = f"P({a} balance >= 0)"
            if col in out:
                out[col] = [words["no_flows"] if a in f else v for v, f in zip(out[col], flat)]
    if "payback_year_p50" in out:  # inf: more than half of the draws never pay back (as comparison.html says)
        out["payback_year_p50"] = [words["never"] if isinstance(v, float) and math.isinf(v) else v
                                   for v in out["payback_year_p50"]]
    if "no_flows" in out:  # actor names, not code names
        out["no_flows"] = [", ".join(ACTOR_LABELS[lang].get(a, a) for a in str(v).split()) if isinstance(v, str) else ""
                           for v in out["no_flows"]]
    heads = {comparison_header(str(c), lang): c for c in out.columns}
    return out.set_axis(list(heads), axis=1), lambda row, col: comparison_format(row, heads.get(col, col))


def write_comparison(table: pd.DataFrame, out_dir: str | Path, *, force: bool = False, lang: str = "nl",
                     manifest: dict[str, Any] | None = None) -> dict[str, Path]:
    """``comparison.csv``, ``comparison.xlsx``, ``comparison.png`` and
    ``comparison.html`` (:mod:`mkba_mc.report.comparison_page`), all or nothing
    (:func:`mkba_mc.io.output.write_bundle`); scenario names stay text in the workbook."""
    from ..io.excel import write_sheets
    from ..io.output import write_bundle
    from .comparison_page import write_comparison_page

    def xlsx(p: Path) -> None:
        frame, fmt = workbook_table(table, lang)
        write_sheets(p, [("vergelijking" if lang == "nl" else "comparison", frame, False, fmt)])

    return write_bundle(out_dir, {"comparison.csv": lambda p: table.to_csv(p, index=False), "comparison.xlsx": xlsx,
                                  "comparison.png": lambda p: comparison_figure(table, p, lang),
                                  # after the figure: the page embeds it; links relative to the final folder
                                  "comparison.html": lambda p: write_comparison_page(table, p, lang,
                                                                                     page_dir=Path(out_dir))},
                        manifest or {"analysis": "compare", "folders": list(table["folder"])}, force=force)


__all__ = ["FIXED_HEADERS", "comparison_figure", "comparison_format", "comparison_header", "comparison_plot",
           "comparison_table", "find_run", "relative_folders", "row_for", "workbook_table", "write_comparison"]
