"""Excel workbooks that show text as text: the one writer of every ``.xlsx``.

Scenario names, file paths and parameter names are user input.  openpyxl
stores a string that starts with ``=`` as a formula, so a scenario named
``=HYPERLINK("http://…")`` would become a live formula in ``summary.xlsx``;
and Excel evaluates text starting with ``+``, ``-`` or ``@`` (or a tab or
carriage return, the OWASP "CSV injection" list) as soon as a user edits the
cell.  :func:`write_sheets` therefore stores every such string as a text cell
with Excel's *quote prefix* (the leading ``'`` a user types to force text),
keeping the value unchanged.  Control characters that the XML of a workbook
cannot hold (openpyxl raises ``IllegalCharacterError`` for them) are written
as a visible ``\\xNN`` escape instead of failing the whole run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

#: First characters that spreadsheet programs treat as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_text(value: Any) -> Any:
    """``value`` with the control characters openpyxl refuses escaped (strings only)."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose string values, labels and label names pass :func:`excel_text`."""
    out = df.map(excel_text) if hasattr(df, "map") else df.applymap(excel_text)
    out = out.rename(index=excel_text, columns=excel_text)
    out.index.names = [excel_text(n) for n in out.index.names]
    out.columns.names = [excel_text(n) for n in out.columns.names]
    return out


def protect_cells(workbook: Any) -> int:
    """Make every string cell of an openpyxl ``workbook`` that would start a
    formula a plain text cell with a quote prefix; return how many."""
    changed = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, str) and v.startswith(FORMULA_START):
                    cell.data_type = "s"  # the value stays the original string
                    cell.quotePrefix = True
                    changed += 1
    return changed


def write_sheets(path: str | Path, sheets: Sequence[tuple[str, pd.DataFrame, bool]]) -> None:
    """Write ``(sheet name, frame, with index)`` triples as one workbook.

    Every text is stored as text (see the module notes); this is the only
    place mkba_mc writes Excel.
    """
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, df, index in sheets:
            safe_frame(df).to_excel(xl, sheet_name=excel_text(name), index=index)
        protect_cells(xl.book)


__all__ = ["FORMULA_START", "excel_text", "protect_cells", "safe_frame", "write_sheets"]
