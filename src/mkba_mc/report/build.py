"""Build a self-contained HTML report of a results folder.

:func:`build_report` collects what the ``mkba-mc`` commands wrote into one
folder (and its immediate subfolders) -- a Monte Carlo run (``samples.nc``,
``summary.csv``, ``manifest.json``), Sobol' indices (``sobol.nc``), a
tornado (``tornado.csv``), a break-even analysis (``breakeven.csv`` and
``robustness.csv``), acceptability curves (``curve.csv`` with its
``manifest.json``, one folder per swept valuation) and the point estimate
(``point.json``) -- and writes

* ``figures/*.png``: the figures (matplotlib, Agg, 150 dpi);
* ``report.html``: one file that opens offline (inline CSS, figures as
  ``data:`` URIs), Dutch by default, English with ``lang="en"``.

The text follows what the Dutch MKBA guidance asks of an uncertainty
analysis: the base case (point estimate) and every sensitivity are shown
together, none dropped, and the conclusion about benefits and costs is
worded after the spread of the balance
(:func:`mkba_mc.report.wording.uncertainty_wording`).  Every analysis says
which input space it covers.  The report reads results; it never evaluates
the model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from ..errors import OutputError
from ..io.output import hold_lock, remove_stale, staged_files
from .artefacts import Artefacts, find_artefacts, load_run, load_run_scenario, load_sobol, point_from_json, read_json
from .appendix import contents_items, section_appendix
from .appendix import relative as relative_folder
from .assumptions import prepare_assumptions, section_assumptions
from .comparison_page import comparison_link
from .consistency import one_scenario
from .context import Context
from .curves import CURVE_FIGURE, load_curves, section_curve
from .html import render_page
from .labels import LABELS
from .sections_analyses import check_other_inputs, section_breakeven, section_sobol, section_tornado
from .section_voi import section_voi
from .sections_run import section_actors, section_cashflow, section_point, section_posts, section_ratios
from .section_s2 import section_sobol_pairs
from .summary import section_summary
from .section_discover import section_discover
from .text import texts

#: Figure files, in report order.
FIGURE_FILES: Final[tuple[str, ...]] = ("ratios.png", "posts.png", "actors.png", "cashflow.png", "tornado.png",
                                        "sobol.png", "voi.png", "discover.png")


def prepare_point(ctx: Context) -> None:
    """The point estimate from point.json (the object of ``mkba-mc point --json``), when present."""
    T = ctx.T
    if ctx.art.point is None:
        return
    obj = point_from_json(read_json(ctx.art.point))
    if obj is not None:
        ctx.point = obj
        ctx.point_source = T["point_source_json"]
    else:
        ctx.notes.append(T["point_json_bad"].format(file=ctx.rel(ctx.art.point)))


def build_report(folder: str | Path, lang: str = "nl", *, run: str | None = None) -> Path:
    """Build ``report.html`` (and ``figures/*.png``) from a results folder.

    Parameters
    ----------
    folder : str or Path
        Folder holding the output of ``mkba-mc run --out`` (``samples.nc``,
        ``summary.csv``, ``manifest.json``), directly or in an immediate
        subfolder, and optionally ``sobol.nc``, ``tornado.csv``,
        ``breakeven.csv`` + ``robustness.csv``, ``point.json`` and
        acceptability curves (folders with ``curve.csv``, one per swept
        input) likewise.
        Missing analyses get a section saying they were not computed.
    lang : {"nl", "en"}
        Language of the labels and the text (Dutch by default).
    run : str, optional
        The subfolder holding the run to report on, when the folder holds
        results of several scenarios or input files (the others are left
        out, and the report's notes say which).

    Returns
    -------
    Path
        ``folder/report.html``: self-contained (inline CSS, figures as
        ``data:`` URIs), written atomically; the figures are also written
        to ``folder/figures/`` (``ratios.png``, ``posts.png``,
        ``actors.png``, ``cashflow.png``, ``tornado.png``, ``sobol.png``,
        ``curve_<parameter>.png``, as far as their inputs exist).

    Raises
    ------
    OutputError
        If ``folder`` is not a folder, holds no Monte Carlo run, a result
        file cannot be read, or the results come from different scenarios or
        input files and ``run`` does not name the one to use
        (:func:`mkba_mc.report.consistency.one_scenario`).
    ConfigError
        If ``lang`` is not ``"nl"`` or ``"en"``.

    Notes
    -----
    Every number is read from the result files; the model is not
    evaluated.  The point estimate comes from ``point.json`` (without it
    the point section says how to make it), the programme cash-flow band
    from ``programme_band`` in ``samples.nc`` (written by
    ``run --programme``), the median payback year from ``summary.csv``
    (``p50`` of ``payback_year``, the definition ``run`` and ``compare``
    use).  The scenario is loaded from the run's ``manifest.json``
    (``scenario_file`` with its ``overrides``) for its realisation shares,
    calibration and, put in the Sobol' result's input space, the evidence
    of each sampled input (:func:`mkba_mc.report.assumptions.assumption_rows`);
    when it cannot be loaded those parts are marked as missing and the rest
    of the report is still built.
    """
    T = texts(lang)
    art, left_out = one_scenario(find_artefacts(folder), run)
    root = art.folder
    if art.run is None:
        raise OutputError(f"{root}: no Monte Carlo run found; expected samples.nc, summary.csv and manifest.json "
                          "in this folder or one of its immediate subfolders (written by "
                          "'mkba-mc run SCENARIO --out DIR')")
    with hold_lock(root):  # one writer of the folder at a time (mkba_mc.io.output)
        remove_stale(root)  # temporaries of a killed report
        remove_stale(root / "figures")  # and of versions that staged figures there
        return _build_locked(T, art, root, lang, left_out)


def _build_locked(T: dict[str, str], art: Artefacts, root: Path, lang: str, left_out: list[str]) -> Path:
    """:func:`build_report` under the folder's lock: every file is staged and
    renamed into place at the end, the HTML last, so a killed or failing
    report leaves the earlier report and figures, or the new ones."""
    assert art.run is not None
    run = load_run(art.run)
    notes: list[str] = [T["left_out"].format(folders=", ".join(left_out))] if left_out else []
    for kind, paths in art.duplicates.items():
        notes.append(T["duplicate"].format(what=kind, used=relative_folder(paths[0].resolve(), root.resolve())))
    scenario = load_run_scenario(run, root, notes, T)
    figures_dir = root / "figures"
    with staged_files(root) as stage:
        ctx = Context(lang, root, art, run, scenario, notes, figures_dir, stage)
        if art.sobol is not None:
            ctx.sobol = load_sobol(art.sobol)
        load_curves(ctx)
        check_other_inputs(ctx)
        prepare_point(ctx)
        prepare_assumptions(ctx)
        sections = [section_point(ctx), section_ratios(ctx), section_posts(ctx),
                    section_actors(ctx), section_cashflow(ctx), section_tornado(ctx), section_sobol(ctx),
                    section_sobol_pairs(ctx),  # None without S2 (sobol --second-order)
                    section_assumptions(ctx), section_curve(ctx), section_breakeven(ctx),
                    section_voi(ctx), section_discover(ctx, ctx.art.discover)]
        sections = [s for s in sections if s is not None]
        ctx.contents = contents_items(ctx, sections)  # what the sections found, for the summary
        sections = [section_summary(ctx), *sections, section_appendix(ctx)]
        name = run.manifest.get("scenario") or (scenario.name if scenario is not None else root.name)
        page = render_page(lang, ctx.T, ctx.notes, sections, LABELS[lang]["title"].format(name=name),
                           comparison_link(root, lang))
        stage("report.html").write_text(page, encoding="utf-8")
    for stale in FIGURE_FILES:  # figures of an earlier report whose inputs are gone
        if stale not in ctx.written:
            (figures_dir / stale).unlink(missing_ok=True)
    for old in figures_dir.glob(CURVE_FIGURE.format(parameter="*")):
        if old.name not in ctx.written:
            old.unlink(missing_ok=True)
    return root / "report.html"


__all__ = ["FIGURE_FILES", "build_report", "prepare_point"]
