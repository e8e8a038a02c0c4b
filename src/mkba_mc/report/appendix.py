"""The technical appendix of the report and the report's account of itself.

The main text names analyses, never files or commands; what a reader needs
to repeat or complete the work is here: which analyses are not in the
folder and the command that makes each, the provenance of every result used
(files, settings, commands, versions, input hashes) with paths relative to
the results folder, and the code names behind the plain-language labels.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Final

from .artefacts import read_json
from .context import Context
from .html import Section, esc, html_table
from .formats import decimal
from .labels import INDEX_LABELS, KNOP_LABELS, PARAMETER_LABELS, SEVERITY_GLOSSARY, factor_label

#: Sentences of the appendix and of the contents statement, nl and en.
_APPENDIX_TEXT: Final[dict[str, tuple[Any, Any]]] = {
    "appendix": ("Technische bijlage", "Technical appendix"),
    "contains": ("Dit rapport bevat: {present}.", "This report contains: {present}."),
    "absent": ("Niet berekend en dus niet in dit rapport: {absent}.", "Not computed, so not in this report: {absent}."),
    "missing": ("Niet in deze resultatenmap", "Not in this results folder"),
    "missing_caption": ("Wat ontbreekt en hoe het te maken is.", "What is missing and how to make it."),
    "looked_for": ("gezocht naar", "looked for"),
    "make": ("maken met", "make with"),
    "codes": ("Codenamen", "Code names"),
    "codes_caption": ("De namen in de resultaatbestanden (JSON, CSV, netCDF) achter de namen in dit rapport.",
                      "The names in the result files (JSON, CSV, netCDF) behind the names in this report."),
    "label": ("naam in het rapport", "name in the report"),
    "code": ("codenaam", "code name"),
    "paths": ("Paden zijn relatief aan de resultatenmap; van een bestand daarbuiten staan alleen map en naam (…/map/naam), de SHA-256 identificeert het.",
              "Paths are relative to the results folder; a file outside it is shown by folder and name only (…/folder/name), its SHA-256 identifies it."),
    "glossary": ("Begrippen: zwaarte van de problematiek", "Terms: severity of the problems"),
    "glossary_caption": ("De huishoudens in de aanpak zijn ingedeeld naar de zwaarte van hun problematiek "
                         "(meta-analyse 2014, §2.2 en tabel 3.10). In de codenamen staan daarvoor de afkortingen "
                         "hieronder.",
                         "The households in the approach are grouped by the severity of their problems "
                         "(meta-analysis 2014, §2.2 and table 3.10). The code names use the abbreviations below."),
    "term": ("naam in het rapport", "name in the report"),
    "meaning": ("betekenis", "meaning"),
}
APPENDIX_TEXT: Final[dict[str, dict[str, Any]]] = {lang: {k: v[i] for k, v in _APPENDIX_TEXT.items()}
                                                 for i, lang in enumerate(("nl", "en"))}

#: The sections that may be missing, in report order (their anchors).
ANALYSES: Final[tuple[str, ...]] = ("point", "posts", "actors", "cashflow", "tornado", "sobol", "assumptions",
                                    "curve", "breakeven", "voi", "discover")


def relative(path: Any, root: Path) -> str:
    """An absolute path relative to ``root`` (``run/samples.nc``); one outside
    ``root`` by its folder and name only (``…/scenarios/x.toml``: the SHA-256
    beside it identifies the file, the machine's layout is nobody's business);
    other text unchanged."""
    s = str(path)
    if not os.path.isabs(s):
        return s
    rel = Path(os.path.relpath(s, root)).as_posix()
    return "…/" + "/".join(Path(s).parts[-2:]) if rel.startswith("../") else rel


def command_text(command: Any, root: Path) -> str:
    """A recorded command line with its absolute paths made relative to ``root``."""
    return " ".join(relative(w, root) for w in command or [])


def contents_items(ctx: Context, sections: list[Section]) -> list[str]:
    """The report's statement about itself: the analyses it contains, those
    not run, and the completeness sentence only when nothing is missing."""
    A = APPENDIX_TEXT[ctx.lang]
    missing = {what for what, _, _ in ctx.missing}
    titles = [s.title for s in sections if s.anchor in ANALYSES and s.present]
    present = [t for t in titles if t not in missing]
    absent = [t for t in titles if t in missing]
    # titles quoted: one ends in a question mark ("Welk onderzoek loont?"), and the sentence's full stop follows it
    quoted = (lambda ts: ", ".join(f"\u2018{t}\u2019" for t in ts))
    items = [esc(A["contains"].format(present=quoted(present)))]
    items.append(esc(A["absent"].format(absent=quoted(absent))) if absent else esc(ctx.T["together"]))
    return items


def _provenance(ctx: Context) -> str:
    """The run's manifest, versions, input hashes and every analysis used."""
    T, m, root = ctx.T, ctx.run.manifest, ctx.root
    fields = [("scenario", m.get("scenario")), ("scenario_file", relative(m.get("scenario_file") or "–", root)),
              ("overrides", ", ".join(m.get("overrides") or []) or "–"), ("seed", m.get("seed")),
              ("sampler", m.get("sampler")), ("n", m.get("n")), ("n_requested", m.get("n_requested")),
              ("discount_regime", m.get("discount_regime")), ("chunk_size", m.get("chunk_size")),
              ("workers", m.get("workers")), ("elapsed", m.get("elapsed_seconds")), ("created", m.get("created_utc")),
              ("sampled", len(m.get("sampled_parameters") or []))]
    rows = [[esc(T[k]), esc("–" if v is None else decimal(v, ctx.lang, 3) if isinstance(v, float) else v)]
            for k, v in fields]
    rows.append([esc(T["command"]), f"<code>{esc(command_text(m.get('command'), root))}</code>"])
    body = (f"<h3>{esc(T['manifest'])}</h3><p>{esc(T['manifest_caption'])}</p>"
            + html_table([esc(T["key"]), esc(T["val"])], rows, left=2))
    versions = m.get("versions") or {}
    body += f"<h3>{esc(T['versions'])}</h3>" + html_table([esc(T["key"]), esc(T["val"])],
                                                      [[esc(k), esc(v)] for k, v in versions.items()], left=2)
    hashes = m.get("input_hashes") or {}
    body += f"<h3>{esc(T['hashes'])}</h3>" + html_table(
        [esc(T["file"]), esc(T["hash"])], [[esc(relative(k, root)), f"<code>{esc(v)}</code>"] for k, v in hashes.items()],
        left=2)
    used = [("run", ctx.art.run, m)]
    for kind in ("sobol", "tornado", "breakeven", "point"):
        path = getattr(ctx.art, kind)
        if path is None:
            continue
        folder = path if path.is_dir() else path.parent
        other = read_json(folder / "manifest.json") if (folder / "manifest.json").is_file() else {}
        used.append((kind, path, other))
    used.extend(("curve", c.folder, c.manifest) for c in ctx.curves)
    arows = []
    for kind, path, man in used:
        settings = {k: man.get(k) for k in ("n", "seed", "group_by", "evaluations", "grid", "levers", "quantiles",
                                            "sampler", "parameter", "values", "input_space")
                    if man.get(k) is not None}
        arows.append([esc(kind), f"<code>{esc(ctx.rel(path))}</code>", esc(json.dumps(settings, ensure_ascii=False)),
                      f"<code>{esc(command_text(man.get('command'), root))}</code>"])
    body += f"<h3>{esc(T['analyses'])}</h3>" + html_table(
        [esc(T[k]) for k in ("analysis", "file", "settings", "command")], arows, left=4)
    return body


def _code_names(ctx: Context) -> str:
    """Label -> code name of every parameter and knop the report names."""
    names: set[str] = set()
    if ctx.sobol is not None:
        ds, dim = ctx.sobol
        names.update(str(f) for f in ds[dim].values)
    for rows in (ctx.assumptions or []):
        names.update((str(rows["name"]), str(rows["knop"])))
    names.update(n for n in ctx.code_names)
    known = [n for n in sorted(names) if n.split(".")[0] in PARAMETER_LABELS or n in KNOP_LABELS]
    rows = [[esc(factor_label(n, ctx.lang)), f"<code>{esc(n)}</code>"] for n in known]
    A = APPENDIX_TEXT[ctx.lang]
    return (f"<h3>{esc(A['codes'])}</h3><p>{esc(A['codes_caption'])}</p>"
            + html_table([esc(A["label"]), esc(A["code"])], rows, left=2))


def glossary(lang: str) -> str:
    """The severity codes (``ev``, ``mv_zr``, ``mv_nzr``, ``top``) with their
    name in the report and what they mean (:data:`~mkba_mc.report.labels.SEVERITY_GLOSSARY`)."""
    A = APPENDIX_TEXT[lang]
    i = 0 if lang == "nl" else 1
    rows = [[f"<code>{esc(code)}</code>", esc(INDEX_LABELS[code][i]), esc(text[i])]
            for code, text in SEVERITY_GLOSSARY.items()]
    return (f'<h3 id="glossary">{esc(A["glossary"])}</h3><p>{esc(A["glossary_caption"])}</p>'
            + html_table([esc(A["code"]), esc(A["term"]), esc(A["meaning"])], rows, left=3))


def section_appendix(ctx: Context) -> Section:
    """The technical appendix: what is missing and how to make it, provenance, code names."""
    A = APPENDIX_TEXT[ctx.lang]
    body = f"<p>{esc(A['paths'])}</p>"
    if ctx.missing:
        rows = [[esc(what), f"<code>{esc(files)}</code>", f"<code>{esc(how)}</code>"] for what, files, how in ctx.missing]
        body += (f"<h3>{esc(A['missing'])}</h3><p>{esc(A['missing_caption'])}</p>"
                 + html_table([esc(ctx.T["analysis"]), esc(A["looked_for"]), esc(A["make"])], rows, left=3))
    body += _provenance(ctx) + glossary(ctx.lang) + _code_names(ctx)
    return Section("appendix", A["appendix"], body)


__all__ = ["ANALYSES", "APPENDIX_TEXT", "command_text", "contents_items", "glossary", "relative", "section_appendix"]
