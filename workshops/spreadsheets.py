"""CSV and XLSX files that a spreadsheet program opens safely: no typed text ever runs as a formula.

CSV: UTF-8 with a byte order mark (so spreadsheet programs read the Nordic letters right), and a
leading apostrophe before a text that starts like a formula (= + - @, tab, carriage return).
XLSX: every text is a string cell, never a formula; one that starts like a formula is also
marked "quote prefix", so it stays text when someone edits the cell. Characters XML 1.0 cannot
hold become U+FFFD in the sheet only.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is imported where used: the app starts without it
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_TITLE_ILLEGAL = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula, made plain with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: Sequence[object], rows: Sequence[Sequence[object]]) -> bytes:
    """A header and rows as CSV bytes (None is an empty cell), formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sheet_title(title: str, fallback: str = "Sheet") -> str:
    """A title XLSX accepts for a sheet: no [ ] : * ? / \\, at most 31 characters."""
    cleaned = _SHEET_TITLE_ILLEGAL.sub(" ", title).strip() or fallback
    return cleaned[:31]


def fill_sheet(
    sheet: Worksheet, header: Sequence[object], rows: Sequence[Sequence[object]]
) -> None:
    """Write a bold, frozen header and the rows; texts as string cells, widths to fit."""
    from openpyxl.styles import Font

    for c, value in enumerate(header, start=1):
        _write(sheet, 1, c, value).font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if value is not None:
                _write(sheet, r, c, value)
    sheet.freeze_panes = "A2"
    for column, name in enumerate(header, start=1):
        width = max([len(str(name))] + [_width(row, column) for row in rows[:200]])
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = min(60, max(8, width + 2))


def to_xlsx(header: Sequence[object], rows: Sequence[Sequence[object]], title: str) -> bytes:
    """A workbook of one sheet named `title`, as bytes."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(title)
    fill_sheet(sheet, header, rows)
    return workbook_bytes(workbook)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook saved as XLSX bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write(sheet: Worksheet, row: int, column: int, value: object):
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = _ILLEGAL_XML.sub("\ufffd", value)
        cell.data_type = "s"  # openpyxl would store "=..." as a formula: it is text
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _width(row: Sequence[object], column: int) -> int:
    if column > len(row) or row[column - 1] is None:
        return 0
    return len(str(row[column - 1]))
