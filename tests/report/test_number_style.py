"""One number style per language through every output: the CLI tables
(``--lang nl``/``en``), the report's text and tables. Dutch writes
``€ 1.234.567``, ``1,31`` and ``87,4 %``; English ``€1,234,567``, ``1.31`` and
``87.4 %``; neither uses e-notation."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from report_helpers import B2, invoke

from mkba_mc.report import build_report

BREAKEVEN = ("--lever", "substitution_existing", "--grid", 3, "-n", 200)
E_NOTATION = re.compile(r"\d[eE][+-]?\d")
#: A separator between digits and the digits after it: ``1.234`` -> (".", "234").
SEPARATED = re.compile(r"(?<=\d)([.,])(\d+)")
#: References to the source (§ 4.7, Tabel 4.7, Bijlage 2.1) keep their point.
REFERENCE = re.compile(r"(§|tabel|table|figuur|figure|bijlage|annex|par\.)\s*\d+(\.\d+)+", re.I)


def style_problems(text: str, lang: str) -> list[str]:
    """Numbers in ``text`` not written in ``lang``'s style, each with some context."""
    text = REFERENCE.sub("", text)
    problems = [f"e-notation: {text[max(m.start() - 20, 0):m.end() + 10]!r}" for m in E_NOTATION.finditer(text)]
    decimal, group = (",", ".") if lang == "nl" else (".", ",")
    for m in SEPARATED.finditer(text):
        sep, digits = m.group(1), m.group(2)
        if sep == group and len(digits) != 3:  # "1.31" in Dutch, "1,31" in English
            problems.append(f"decimal {sep!r}: {text[max(m.start() - 20, 0):m.end() + 10]!r}")
    euro = r"€ -?\d" if lang == "nl" else r"-?€\d"
    for m in re.finditer(r"-?€\s*-?\d", text):
        if not re.fullmatch(euro, m.group(0)):
            problems.append(f"euro: {text[max(m.start() - 20, 0):m.end() + 15]!r}")
    problems += [f"ungrouped: {m.group(0)!r}" for m in re.finditer(r"€\s?-?\d{4,}", text)]
    return problems


def visible_text(page: str) -> str:
    """The text a reader sees in the report, without the technical appendix
    (provenance: versions, hashes, commands) and without the evidence notes
    quoted from the distribution files (``<span class="ev">``)."""
    page = re.split(r'<section id="(?:appendix|manifest)"', page, maxsplit=1)[0]
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<span class="ev">.*?</span>', " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_style_problems_finds_each_wrong_style() -> None:
    assert style_problems("verhouding 1,31; P = 87,4 %; € 1.234.567; Tabel 4.7", "nl") == []
    assert style_problems("ratio 1.31; P = 87.4 %; €1,234,567; -€12,000", "en") == []
    assert len(style_problems("verhouding 1.31", "nl")) == 1
    assert len(style_problems("ratio 1,31", "en")) == 1
    assert len(style_problems("3.139e+04", "en")) == 1
    assert len(style_problems("€ 384778", "nl")) == 1
    assert len(style_problems("€ 1,234", "en")) == 1


@pytest.fixture(scope="module")
def cli_tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """What ``point``, ``run``, ``tornado``, ``sobol``, ``breakeven``, ``curve`` and
    ``compare`` print, per language."""
    tmp = tmp_path_factory.mktemp("style")
    invoke("run", B2, "-n", 500, "--seed", 3, "--workers", 1, "--out", tmp / "a")
    out: dict[str, dict[str, str]] = {}
    for lang in ("nl", "en"):
        out[lang] = {
            "point": invoke("point", B2, "--lang", lang),
            "run": invoke("run", B2, "-n", 500, "--seed", 3, "--workers", 1, "--lang", lang),
            "tornado": invoke("tornado", B2, "--lang", lang),
            "sobol": invoke("sobol", B2, "-n", 32, "--resamples", 10, "--workers", 1, "--lang", lang),
            "breakeven": invoke("breakeven", B2, *BREAKEVEN, "--lang", lang),
            "curve": invoke("curve", B2, "-n", 200, "--values", "20000,50000", "--workers", 1, "--lang", lang),
            "compare": invoke("compare", tmp / "a", tmp / "a", "--lang", lang),
        }
    return out


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("command", ["point", "run", "tornado", "sobol", "breakeven", "curve", "compare"])
def test_cli_tables_in_the_language_style(cli_tables: dict[str, dict[str, str]], command: str, lang: str) -> None:
    text = cli_tables[lang][command]
    assert re.search(r"\d", text), text
    assert style_problems(text, lang) == [], text


def test_cli_tables_show_the_language_markers(cli_tables: dict[str, dict[str, str]]) -> None:
    assert "€ 454.318" in cli_tables["nl"]["point"] and "€454,318" in cli_tables["en"]["point"]
    assert "1,31" in cli_tables["nl"]["point"] and "1.31" in cli_tables["en"]["point"]
    assert re.search(r"\d+,\d %", cli_tables["nl"]["run"]) and re.search(r"\d+\.\d %", cli_tables["en"]["run"])
    assert "31.357" in cli_tables["nl"]["tornado"] and "31,357" in cli_tables["en"]["tornado"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_report_text_in_the_language_style(analyses_dir: Path, fresh_copy, lang: str) -> None:
    root = fresh_copy(analyses_dir, f"style-{lang}")
    text = visible_text(build_report(root, lang=lang).read_text(encoding="utf-8"))
    assert style_problems(text, lang) == []
    assert re.search(r"€ \d{3}\.\d{3}" if lang == "nl" else r"€\d{3},\d{3}", text)
    assert re.search(r"\b1[,.]\d\d\b", text)  # a ratio


@pytest.mark.parametrize(("lang", "expected"), [("nl", "1,5"), ("en", "1.5")])
def test_plot_axes_in_the_language_style(lang: str, expected: str) -> None:
    from mkba_mc.report.figures import localise, new_figure

    fig = new_figure(4, 3)
    ax = fig.subplots()
    ax.plot([0.0, 2.0], [0.0, 30_000.0])
    ax.set_xticks([0.0, 0.5, 1.0, 1.5, 2.0])
    ax.set_yticks([0.0, 15_000.0, 30_000.0])
    localise(fig, lang)
    fig.canvas.draw()
    xs = [t.get_text() for t in ax.get_xticklabels()]
    ys = [t.get_text() for t in ax.get_yticklabels()]
    assert expected in xs
    assert ys == (["0", "15.000", "30.000"] if lang == "nl" else ["0", "15,000", "30,000"])
