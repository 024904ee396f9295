"""Reading one delimited text file (CSV, semicolon, tab or pipe separated) as a stream of chunks.

The file is read once to settle its encoding (a UTF-8 check over the whole file is fast, and deciding on a
sample alone breaks on the one accented name in row 90,000), then streamed line by line through the standard
``csv`` module, so memory holds one chunk of rows at a time whatever the size of the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator
from pathlib import Path

from govpulse.ingest.connectors.base import RecordChunk, SourceDataError
from govpulse.ingest.connectors.tables import ChunkBuilder, clean_header
from govpulse.ingest.parsing import detect_encoding, sniff_delimiter

__all__ = ["read_delimited_file"]

_BLOCK = 1 << 20
_SNIFF_CHARS = 64 * 1024
# The csv module's default limit (128 KiB per field) is too small for the free-text columns of some portals.
_FIELD_LIMIT = 64 * 1024 * 1024


def read_delimited_file(
    path: Path,
    *,
    encoding: str = "auto",
    delimiter: str = "auto",
    quotechar: str = '"',
    header_row: int = 1,
    skip_rows: int = 0,
    chunk_rows: int = 50_000,
) -> Iterator[RecordChunk]:
    """Yield the records of one delimited file in chunks (at least one chunk, empty for a header-only file).

    ``header_row`` is the 1-based row of the column names (rows above it, such as report titles, are skipped);
    ``skip_rows`` rows right below the header are skipped too (units, column numbers). Rows are counted as a
    spreadsheet shows them: one per record, blank ones included, a quoted multi-line cell inside one row.
    Raises ``SourceDataError`` (naming the file) when the file is empty, undecodable or its header is unusable.
    """
    origin = str(path)
    if path.stat().st_size == 0:
        raise SourceDataError(f"{origin}: the file is empty (0 bytes)")
    codec = _encoding_of(path, encoding)
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    with path.open("rb") as raw:
        if codec in ("utf-16-le", "utf-16-be") and raw.read(2) not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=codec, newline="")
        try:
            yield from _read_text(text, origin, delimiter, quotechar, header_row, skip_rows, chunk_rows)
        except UnicodeDecodeError as error:
            raise SourceDataError(f"{origin}: not valid {codec} text ({error.reason}); set the encoding") from None


def _encoding_of(path: Path, encoding: str) -> str:
    if encoding != "auto":
        return encoding
    with path.open("rb") as raw:
        try:
            return detect_encoding(iter(lambda: raw.read(_BLOCK), b""))
        except ValueError as error:
            raise SourceDataError(f"{path}: {error}") from None


def _read_text(
    text: io.TextIOBase,
    origin: str,
    delimiter: str,
    quotechar: str,
    header_row: int,
    skip_rows: int,
    chunk_rows: int,
) -> Iterator[RecordChunk]:
    head = _first_lines(text)
    if not any(line.strip() for line in head):
        raise SourceDataError(f"{origin}: the file holds no rows (only blank space)")
    if delimiter == "auto":
        delimiter = sniff_delimiter("".join(head[header_row - 1 :]))
    records = csv.reader(itertools.chain(head, text), delimiter=delimiter, quotechar=quotechar)
    numbered = enumerate(_records(records, origin), start=1)
    header = _header(numbered, origin, header_row)
    names = clean_header(header, origin=origin, row=header_row)
    builder = ChunkBuilder(names, origin=origin, chunk_rows=chunk_rows)
    width = len(names)
    for row_number, fields in numbered:
        if row_number <= header_row + skip_rows or not any(fields):
            continue
        if len(fields) == width:
            builder.add(row_number, fields)
        elif len(fields) > width and not any(fields[width:]):
            builder.add(row_number, fields[:width])  # trailing delimiters, as many exports write
        else:
            builder.reject(row_number, f"has {len(fields)} fields where the header has {width}")
        if builder.full:
            yield builder.flush()
    yield from builder.remainder()


def _first_lines(text: io.TextIOBase) -> list[str]:
    """Whole lines from the start of the text, about ``_SNIFF_CHARS`` of them, for sniffing the delimiter."""
    lines, size = [], 0
    while size < _SNIFF_CHARS and (line := text.readline()):
        lines.append(line)
        size += len(line)
    return lines


def _records(records: Iterator[list[str]], origin: str) -> Iterator[list[str]]:
    try:
        yield from records
    except csv.Error as error:
        line = getattr(records, "line_num", "?")
        raise SourceDataError(f"{origin}: line {line}: cannot be split into fields ({error})") from None


def _header(numbered: Iterator[tuple[int, list[str]]], origin: str, header_row: int) -> list[str]:
    for row_number, fields in numbered:
        if row_number == header_row:
            return fields
    raise SourceDataError(f"{origin}: the file has fewer than {header_row} rows, so no header on row {header_row}")
