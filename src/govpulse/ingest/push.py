"""Data pushed to govpulse by a source system: a JSON or CSV body turned into one chunk, then one batch.

Accepted bodies (the source's ``mapping`` then applies, exactly as to what a connector reads):

* JSON: a list of records (objects), or an object with the list under ``records``, ``dataValues`` (DHIS2's
  data value set) or ``data``; nested objects become dotted column names;
* CSV (``text/csv``): a header row and records, any of the usual delimiters and encodings.

The lineage location of every row is ``push:<first 12 hex digits of the body's SHA-256>``, and its row is the
record's position (for CSV, the row number in the file, the header being row 1). Pushing the same body twice is
the same batch, so a retried push changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import datetime

from govpulse.ingest.batches import BatchReport, IngestStores, run_batch
from govpulse.ingest.connectors.base import RecordChunk, SourceDataError
from govpulse.ingest.connectors.tables import ChunkBuilder, RecordBuffer, clean_header
from govpulse.ingest.parsing import decode_bytes, sniff_delimiter

__all__ = ["PushError", "chunk_from_body", "push_values"]

_LISTS = ("records", "dataValues", "data")
MAX_ROWS = 1_000_000


class PushError(ValueError):
    """A body that is not a readable set of records; the message says what is wrong."""


def chunk_from_body(body: bytes, content_type: str) -> RecordChunk:
    """The records of a pushed body as one chunk (see the module docstring)."""
    location = f"push:{hashlib.sha256(body).hexdigest()[:12]}"
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("text/csv", "application/csv", "text/plain"):
        return _csv_chunk(body, location)
    if kind in ("application/json", "") or kind.endswith("+json"):
        return _json_chunk(body, location)
    raise PushError(f"unsupported content type {content_type!r}: send application/json or text/csv")


def _json_chunk(body: bytes, location: str) -> RecordChunk:
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise PushError(f"the body is not valid JSON: {error}") from None
    records = document
    if isinstance(document, dict):
        found = [key for key in _LISTS if isinstance(document.get(key), list)]
        if not found:
            raise PushError("a JSON object body must hold its records in a list under one of: " + ", ".join(_LISTS))
        records = document[found[0]]
    if not isinstance(records, list):
        raise PushError("the JSON body must be a list of records or an object holding one")
    if len(records) > MAX_ROWS:
        raise PushError(f"{len(records):,} records in one push; send at most {MAX_ROWS:,}")
    buffer = RecordBuffer(location, chunk_rows=max(1, len(records)))
    for record in records:
        buffer.add(record, location)
    return buffer.flush()


def _csv_chunk(body: bytes, location: str) -> RecordChunk:
    try:
        text, _ = decode_bytes(body)
    except ValueError as error:
        raise PushError(f"the CSV body cannot be read: {error}") from None
    if not text.strip():
        raise PushError("the CSV body is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text[:64 * 1024]))
    try:
        rows = list(reader)
    except csv.Error as error:
        raise PushError(f"the CSV body cannot be split into fields at line {reader.line_num}: {error}") from None
    try:
        names = clean_header(rows[0], origin=location, row=1)
    except SourceDataError as error:
        raise PushError(str(error)) from None
    if len(rows) - 1 > MAX_ROWS:
        raise PushError(f"{len(rows) - 1:,} rows in one push; send at most {MAX_ROWS:,}")
    builder = ChunkBuilder(names, origin=location, chunk_rows=max(1, len(rows)))
    width = len(names)
    for number, fields in enumerate(rows[1:], start=2):
        if not any(fields):
            continue
        if len(fields) == width:
            builder.add(number, fields)
        elif len(fields) > width and not any(fields[width:]):
            builder.add(number, fields[:width])
        else:
            builder.reject(number, f"has {len(fields)} fields where the header has {width}")
    return builder.flush()


def push_values(stores: IngestStores, code: str, body: bytes, content_type: str, *, now: datetime | None = None,
                triggered_by: str = "push") -> BatchReport:
    """Run a pushed body as one batch of source ``code``; raises ``PushError`` for an unreadable body."""
    chunk = chunk_from_body(body, content_type)
    return run_batch(stores, code, [chunk], trigger="push", now=now, triggered_by=triggered_by)
