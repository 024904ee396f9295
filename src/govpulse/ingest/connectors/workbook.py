"""Reading one sheet of an Excel ``.xlsx`` workbook as a stream of chunks.

openpyxl's read-only mode streams the sheet's XML, so a large workbook is never held whole. Cells become the
strings a person would type to get them: whole numbers without ``.0``, real Excel dates as ISO dates
(``2026-11-24``, with `` 10:30:00`` only when there is a time), booleans as ``TRUE``/``FALSE``. A date typed into a
cell formatted as a plain number stays its serial number (``46350``); ``parsing.parse_date`` reads that.
A formula gives the value Excel last computed for it (a workbook written by a program that never computed its
formulas gives empty cells there). Old binary ``.xls`` workbooks are refused with a message saying so.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from govpulse.ingest.connectors.base import RecordChunk, SourceDataError
from govpulse.ingest.connectors.tables import ChunkBuilder, clean_header

__all__ = ["excel_cell", "read_excel_file"]


def read_excel_file(
    path: Path,
    *,
    sheet: str | int | None = None,
    header_row: int = 1,
    skip_rows: int = 0,
    chunk_rows: int = 50_000,
) -> Iterator[RecordChunk]:
    """Yield the records of one sheet in chunks (at least one chunk, empty for a header-only sheet).

    ``sheet`` is a sheet name or a 1-based position (default: the first sheet). ``header_row`` and ``skip_rows``
    mean what they mean for CSV files; ``_source_row`` is the Excel row number. Merged title cells above the
    header need nothing special: only their top-left cell holds a value and the rows are skipped.
    """
    origin = str(path)
    if path.stat().st_size == 0:
        raise SourceDataError(f"{origin}: the file is empty (0 bytes)")
    if path.suffix.lower() == ".xls":
        raise SourceDataError(f"{origin}: old-style .xls workbooks cannot be read; save it as .xlsx or CSV")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise SourceDataError(f"{origin}: not a readable .xlsx workbook ({error})") from None
    try:
        worksheet = _sheet(workbook, sheet, origin)
        worksheet.reset_dimensions()  # trust the rows themselves, not the size the writer recorded
        rows = enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1)
        header = _header(rows, origin, worksheet.title, header_row)
        names = clean_header([excel_cell(value) for value in header], origin=origin, row=header_row)
        yield from _chunks(rows, names, origin, header_row + skip_rows, chunk_rows)
    finally:
        workbook.close()


def _sheet(workbook: Any, sheet: str | int | None, origin: str) -> Any:
    names = workbook.sheetnames
    if sheet is None:
        return workbook[names[0]]
    if isinstance(sheet, int):
        if not 1 <= sheet <= len(names):
            raise SourceDataError(f"{origin}: has {len(names)} sheet(s), so no sheet number {sheet}")
        return workbook[names[sheet - 1]]
    if sheet not in names:
        raise SourceDataError(f"{origin}: no sheet named {sheet!r}; its sheets are {', '.join(map(repr, names))}")
    return workbook[sheet]


def _header(rows: Iterator[tuple[int, tuple]], origin: str, title: str, header_row: int) -> tuple:
    for row_number, values in rows:
        if row_number == header_row:
            return values
    raise SourceDataError(f"{origin}: sheet {title!r} has fewer than {header_row} rows, so no header there")


def _chunks(
    rows: Iterator[tuple[int, tuple]], names: list[str], origin: str, last_skipped: int, chunk_rows: int
) -> Iterator[RecordChunk]:
    builder = ChunkBuilder(names, origin=origin, chunk_rows=chunk_rows)
    width = len(names)
    for row_number, values in rows:
        if row_number <= last_skipped:
            continue
        cells = [excel_cell(value) for value in values[:width]]
        if not any(cells):
            continue
        if any(value is not None and value != "" for value in values[width:]):
            extra = next(i for i, value in enumerate(values[width:], start=width + 1) if value not in (None, ""))
            builder.reject(row_number, f"has a value in column {extra}, right of the {width} named columns")
            continue
        cells.extend([None] * (width - len(cells)))  # read-only rows stop at their last filled cell
        builder.add(row_number, cells)
        if builder.full:
            yield builder.flush()
    yield from builder.remainder()


def excel_cell(value: Any) -> str | None:
    """One cell value as the string a person would type to get it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)
