"""A ``Table`` as a CSV or an Excel file, with exactly the numbers and order of the page.

CSV: UTF-8 with a byte-order mark (so Excel opens Gujarati, Hindi and Malayalam names correctly), one
heading row in the reader's language, then the rows; numbers are written plain (``1234567.8``), statuses as
their words. Excel: the table's title, what it covers and the data's date above the table, headings frozen,
numbers kept as numbers with the Indian grouping (12,34,567) as their number format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from govpulse.core.enums import Rag, Severity
from govpulse.web.ui.tables import Column, Table, header_row, plain

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel's own way of writing lakh and crore groups (12,34,56,789), chosen by the size of the number.
INDIAN_GROUPING = "[>=10000000]##\\,##\\,##\\,##0{d};[>=100000]##\\,##\\,##0{d};##,##0{d}"


def _cell_value(column: Column, value: Any, status_words: Callable[[Rag | Severity], str]) -> Any:
    if isinstance(value, Rag | Severity):
        return status_words(value)
    return plain(value, column.kind)


def to_csv(table: Table, status_words: Callable[[Rag | Severity], str]) -> bytes:
    """The table as CSV bytes (UTF-8 with BOM)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header_row(table.columns))
    for row in table.rows:
        writer.writerow(["" if (v := _cell_value(c, row.cells[c.key].value if c.key in row.cells else None,
                                                 status_words)) is None else v
                         for c in table.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _number_format(column: Column) -> str | None:
    decimals = "." + "0" * column.decimals if column.decimals > 0 else ""
    if column.kind == "value" and column.unit.strip() == "%":
        return "0" + decimals + '"%"'
    if column.kind == "percent":
        return "0" + decimals + '"%"'
    if column.kind == "change":
        return "+0" + decimals + ";-0" + decimals + ";0" + decimals
    if column.kind in ("value", "score"):
        return INDIAN_GROUPING.format(d=decimals)
    if column.kind == "number":
        return INDIAN_GROUPING.format(d="")
    return None


def to_xlsx(table: Table, status_words: Callable[[Rag | Severity], str], *, data_as_of_label: str = "Data as of") -> bytes:
    """The table as an Excel workbook (one sheet named after the table)."""
    book = Workbook()
    sheet = book.active
    sheet.title = table.name[:31]
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([table.description])
    as_of = table.data_as_of
    sheet.append([f"{data_as_of_label}: {as_of.isoformat(timespec='minutes')}" if isinstance(as_of, datetime) else ""])
    header_at = 5  # title, description, date, a blank row, then the headings
    for index, heading in enumerate(header_row(table.columns), start=1):
        sheet.cell(row=header_at, column=index, value=heading)
    for cell in sheet[header_at]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE3EA")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    formats = [_number_format(c) for c in table.columns]
    for row in table.rows:
        sheet.append([_cell_value(c, row.cells[c.key].value if c.key in row.cells else None, status_words)
                      for c in table.columns])
        for index, number_format in enumerate(formats, start=1):
            if number_format:
                sheet.cell(row=sheet.max_row, column=index).number_format = number_format
    sheet.freeze_panes = sheet.cell(row=header_at + 1, column=2)
    for index, column in enumerate(table.columns, start=1):
        width = max(len(str(column.label)), *(len(str(plain(r.cells[column.key].value, column.kind)))
                                              for r in table.rows if column.key in r.cells), 6)
        sheet.column_dimensions[get_column_letter(index)].width = min(48, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
