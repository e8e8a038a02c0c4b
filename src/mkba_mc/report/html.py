"""HTML building blocks of the report and the page around its sections.

The page opens offline: inline CSS, figures as ``data:`` URIs, and a small
script that counts the images that loaded (``data-images-ok`` on
``<body>``, read by the browser test).  Key figures carry a ``data-key``
attribute (:func:`key_figure`).
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

#: The page style (inline, so the file opens offline).
CSS: Final[str] = """
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;color:#1a1a1a;margin:0;background:#fff;line-height:1.45}
main{max-width:1120px;margin:0 auto;padding:24px 32px 48px}
h1{font-size:1.7em;margin:0 0 4px}h2{font-size:1.3em;border-bottom:2px solid #2b5d8a;padding-bottom:3px;margin-top:34px}
h3{font-size:1.08em;margin:18px 0 6px}.sub{color:#555;margin:0 0 18px}
.summary{background:#f3f7fb;border-left:5px solid #2b5d8a;padding:10px 18px}.summary li{margin:4px 0}
.verdict{font-weight:bold}.notes{background:#fff4e5;border-left:5px solid #e08a00;padding:8px 18px}
.missing{color:#7a4b00;background:#fff8ec;padding:8px 12px;border:1px dashed #e0b060}
table{border-collapse:collapse;margin:8px 0 14px;font-size:.92em}
th,td{border:1px solid #ccd3da;padding:3px 9px;text-align:right;vertical-align:top}
th{background:#e8eef4}td.l,th.l{text-align:left}tr.b td{font-weight:bold}
figure{margin:12px 0 22px}figure img{width:100%;height:auto;border:1px solid #dde3e8}
figcaption{font-size:.9em;color:#333;margin-top:4px}.key{font-weight:bold;white-space:nowrap}
code{font-size:.88em;word-break:break-all}.ev{font-size:.92em;color:#333}details{margin:6px 0 14px}.screens{display:flex;flex-wrap:wrap;gap:26px}
"""

#: Counts the images that loaded into ``data-images-ok`` of ``<body>``.
SCRIPT: Final[str] = """
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (im) { return im.complete && im.naturalWidth > 0; }).length;
  document.body.dataset.imagesOk = ok + "/" + imgs.length;
});
"""


@dataclass
class Section:
    """One section of the report: anchor, title and HTML body; ``present`` is
    False for an optional analysis the folder does not hold (its body says
    so), which the summary then lists neither as contained nor as missing."""
    anchor: str
    title: str
    body: str
    present: bool = True


def key_figure(key: str, text: str) -> str:
    """A key figure, marked for readers and tests."""
    return f'<span class="key" data-key="{html.escape(key)}">{html.escape(text)}</span>'


def esc(s: Any) -> str:
    """HTML-escaped text."""
    return html.escape(str(s))


def fill(template: str, **values: str) -> str:
    """Escape a template, then insert already-escaped HTML values."""
    out = esc(template)
    for k, v in values.items():
        out = out.replace("{" + k + "}", v)
    return out


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1, bold: Sequence[int] = (),
           also_left: Sequence[int] = ()) -> str:
    """An HTML table; cells are already escaped HTML; the first ``left``
    columns and those in ``also_left`` are left-aligned."""
    def is_left(i: int) -> bool:
        return i < left or i in also_left

    th = "".join(f'<th class="l">{h}</th>' if is_left(i) else f"<th>{h}</th>" for i, h in enumerate(header))
    body = []
    for r, row in enumerate(rows):
        cells = "".join(f'<td class="l">{c}</td>' if is_left(i) else f"<td>{c}</td>" for i, c in enumerate(row))
        body.append(f'<tr class="b">{cells}</tr>' if r in bold else f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_page(lang: str, T: Mapping[str, str], notes: Sequence[str], sections: Sequence[Section],
                title: str, links: str = "") -> str:
    """The whole HTML page: title, navigation, ``links`` (HTML, e.g. to the
    comparison page of a batch), the notes (each once) and the sections."""
    created = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    box = ""
    if notes:
        box = (f'<div class="notes"><b>{esc(T["notes"])}</b><ul>'
               + "".join(f"<li>{esc(n)}</li>" for n in dict.fromkeys(notes)) + "</ul></div>")
    nav = " · ".join(f'<a href="#{s.anchor}">{esc(s.title)}</a>' for s in sections)
    body = "".join(f'<section id="{s.anchor}"><h2>{esc(s.title)}</h2>{s.body}</section>' for s in sections)
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            f"<h1>{esc(title)}</h1>\n<p class=\"sub\">{esc(T['subtitle'].format(created=created))}</p>\n"
            f"<nav>{nav}</nav>\n{links}{box}\n{body}\n</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n")


__all__ = ["CSS", "SCRIPT", "Section", "esc", "fill", "html_table", "key_figure", "render_page"]
