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

from collections.abc import Callable, Mapping, Sequence
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


#: Number format of a cell: its row label and column header -> an Excel number
#: format code (``"0.00"``, ``'"€" #,##0'``), or None for the default.
CellFormat = Callable[[Any, Any], "str | None"]


def default_format(value: float) -> str:
    """The number format of a numeric cell no sheet format covers: whole
    numbers grouped (``#,##0``), others with two decimals (``#,##0.00``).
    Excel shows them in the reader's locale (``1.234,50`` in a Dutch Excel)."""
    return "#,##0" if float(value).is_integer() else "#,##0.00"


#: Row styles of a sheet: row label -> (bold, indent level of the label), as
#: the LPBL MKBA-tool lays out its screens (headings and totals bold, posts indented).
RowStyles = Mapping[str, "tuple[bool, int]"]


def lay_out(ws: Any, index: bool, fmt: CellFormat | None, rows: RowStyles | None = None) -> None:
    """Freeze the header row (and the index column), size the columns to their
    text (at most 60 characters), give every numeric cell an explicit number
    format (``fmt`` by row label and header, else :func:`default_format`) and
    style the rows named in ``rows`` (bold; the label indented)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "B2" if index else "A2"
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        label = row[0].value
        for cell in row:
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                code = fmt(label, headers[cell.column - 1]) if fmt is not None else None
                cell.number_format = code or default_format(cell.value)
        bold, indent = (rows or {}).get(label, (False, 0)) if isinstance(label, str) else (False, 0)
        if bold:
            for cell in row:
                cell.font = Font(bold=True)
        if indent:
            row[0].alignment = Alignment(indent=indent, horizontal="left")
    for i, column in enumerate(ws.iter_cols(), start=1):
        width = max((len(str(c.value)) + 2 * ((rows or {}).get(c.value, (False, 0))[1] if isinstance(c.value, str) else 0)
                     if not isinstance(c.value, (int, float)) else 12
                     for c in column if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(60, width + 2)


def write_sheets(path: str | Path, sheets: Sequence[tuple[Any, ...]]) -> None:
    """Write ``(sheet name, frame, with index[, cell format[, row styles]])`` tuples as one workbook.

    Every text is stored as text (see the module notes); every numeric cell
    gets an explicit number format (:func:`lay_out`), the header row is
    frozen, the columns are as wide as their text and the rows named in the
    row styles are bold or indented. This is the only place mkba_mc writes Excel.
    """
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, df, index, *rest in sheets:
            sheet = excel_text(name)
            safe_frame(df).to_excel(xl, sheet_name=sheet, index=index)
            lay_out(xl.book[sheet], index, rest[0] if rest else None, rest[1] if len(rest) > 1 else None)
        protect_cells(xl.book)


__all__ = ["FORMULA_START", "CellFormat", "RowStyles", "default_format", "excel_text", "lay_out", "protect_cells", "safe_frame",
           "write_sheets"]
