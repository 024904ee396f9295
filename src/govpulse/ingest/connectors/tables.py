"""Turning rows and JSON records into ``RecordChunk`` tables of strings, with lineage columns.

Shared by every connector: header clean-up and checks (``clean_header``), a row accumulator that emits a chunk
every ``chunk_rows`` rows (``ChunkBuilder``), its counterpart for JSON records (``RecordBuffer``: nested objects
flattened into dotted column names, values into string cells) and dotted-path lookup in JSON (``value_at``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from govpulse.ingest.connectors.base import (
    LINEAGE_COLUMNS,
    SOURCE_FILE,
    SOURCE_ROW,
    RecordChunk,
    RowProblem,
    SourceDataError,
)

__all__ = [
    "MISSING",
    "ChunkBuilder",
    "RecordBuffer",
    "clean_header",
    "columns_of",
    "flatten_record",
    "json_cell",
    "records_chunk",
    "value_at",
]

_NULL = pa.scalar(None, pa.string())


def clean_header(cells: Sequence[object], *, origin: str, row: int | None = None) -> list[str]:
    """Column names from a header row: whitespace collapsed (Excel headers often hold line breaks), trailing
    empty cells dropped, an empty cell in between named ``column_<n>`` (its 1-based position).

    Raises ``SourceDataError`` naming the origin and row when the header is empty, when two columns share a name
    (compared without regard to case, as the warehouse will), or when a name is one of the lineage columns.
    """
    where = "the column names" if row is None else f"the header (row {row})"
    names = ["" if cell is None else " ".join(str(cell).split()) for cell in cells]
    while names and not names[-1]:
        names.pop()
    if not names:
        hint = "" if row is None else "; set header_row to the row that holds the column names"
        raise SourceDataError(f"{origin}: {where} is empty{hint}")
    names = [name or f"column_{position}" for position, name in enumerate(names, start=1)]
    first_seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in LINEAGE_COLUMNS:
            raise SourceDataError(f"{origin}: {where}, column {position}: the name {name!r} is reserved for lineage")
        earlier = first_seen.setdefault(name.casefold(), position)
        if earlier != position:
            raise SourceDataError(
                f"{origin}: {where} repeats the column name {name!r} (columns {earlier} and {position}); "
                "give every column its own name"
            )
    return names


class ChunkBuilder:
    """Collects rows of one origin and turns them into ``RecordChunk`` tables of ``chunk_rows`` rows at most."""

    def __init__(self, columns: Sequence[str], *, origin: str, location: str | None = None, chunk_rows: int) -> None:
        self.columns = list(columns)
        self.origin = origin
        self.location = origin if location is None else location
        self.chunk_rows = chunk_rows
        self._rows: list[Sequence[str | None]] = []
        self._row_numbers: list[int] = []
        self._problems: list[RowProblem] = []
        self._emitted = 0

    def add(self, row_number: int, values: Sequence[str | None]) -> None:
        """Add one row whose values line up with ``columns`` (empty strings become null)."""
        self._rows.append(values)
        self._row_numbers.append(row_number)

    def reject(self, row_number: int, message: str) -> None:
        """Record a row that cannot be a record; it travels in the next chunk's ``problems``."""
        self._problems.append(RowProblem(self.location, row_number, message))

    @property
    def full(self) -> bool:
        return len(self._rows) >= self.chunk_rows

    def remainder(self) -> Iterator[RecordChunk]:
        """The last chunk: what is left, or an empty chunk if nothing was emitted (so every origin is seen)."""
        if self._rows or self._problems or not self._emitted:
            yield self.flush()

    def flush(self) -> RecordChunk:
        """The rows and problems collected so far as one chunk (possibly empty); the builder starts afresh."""
        width = len(self.columns)
        transposed = list(zip(*self._rows)) if self._rows else [()] * width
        arrays = [_string_array(column) for column in transposed]
        arrays.append(pa.repeat(pa.scalar(self.location, pa.string()), len(self._rows)))
        arrays.append(pa.array(self._row_numbers, pa.int64()))
        table = pa.Table.from_arrays(arrays, names=[*self.columns, SOURCE_FILE, SOURCE_ROW])
        chunk = RecordChunk(table=table, origin=self.origin, problems=tuple(self._problems))
        self._rows, self._row_numbers, self._problems = [], [], []
        self._emitted += 1
        return chunk


def _string_array(values: Sequence[str | None]) -> pa.Array:
    array = pa.array(values, pa.string())
    return pc.if_else(pc.equal(array, ""), _NULL, array)


def json_cell(value: Any) -> str | None:
    """One JSON value as a cell: strings as they are, ``true``/``false``, numbers as written, lists as JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def flatten_record(record: Mapping[str, Any], prefix: str = "") -> dict[str, str | None]:
    """A JSON object as ``{column: cell}``; nested objects give dotted names (``address.district``)."""
    flat: dict[str, str | None] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_record(value, prefix=f"{name}."))
        else:
            flat[name] = json_cell(value)
    return flat


def columns_of(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every key of the records, in the order first seen."""
    return list(dict.fromkeys(key for record in records for key in record))


def records_chunk(
    records: Sequence[Mapping[str, str | None]],
    row_numbers: Sequence[int],
    locations: Sequence[str],
    *,
    origin: str,
    problems: Sequence[RowProblem] = (),
) -> RecordChunk:
    """A chunk from flattened JSON records; its columns are every key of the records, in the order first seen."""
    columns = columns_of(records)
    if reserved := [name for name in columns if name in LINEAGE_COLUMNS]:
        raise SourceDataError(f"{origin}: the records have a field {reserved[0]!r}, a name reserved for lineage")
    arrays = [_string_array([record.get(name) for record in records]) for name in columns]
    arrays.append(pa.array(locations, pa.string()))
    arrays.append(pa.array(row_numbers, pa.int64()))
    table = pa.Table.from_arrays(arrays, names=[*columns, SOURCE_FILE, SOURCE_ROW])
    return RecordChunk(table=table, origin=origin, problems=tuple(problems))


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""What ``value_at`` returns when the path leads nowhere (as opposed to a JSON ``null``, returned as ``None``)."""


def value_at(document: Any, path: str) -> Any:
    """The value at a dotted path in a JSON document (``"data.items"``, ``"results.0.rows"``; ``""`` is the
    document itself), or ``MISSING``."""
    current = document
    for part in path.split(".") if path else ():
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.lstrip("-").isdigit() and -len(current) <= int(part) < len(current):
            current = current[int(part)]
        else:
            return MISSING
    return current


class RecordBuffer:
    """JSON records collected towards the next chunk, numbered 1, 2, ... across the whole read.

    Each record remembers where it came from (the page URL); a record that is not a JSON object becomes a
    ``RowProblem`` instead of a row.
    """

    def __init__(self, origin: str, chunk_rows: int) -> None:
        self.origin, self.chunk_rows, self.count = origin, chunk_rows, 0
        self._emitted = 0
        self._reset()

    def _reset(self) -> None:
        self._records: list[dict[str, str | None]] = []
        self._numbers: list[int] = []
        self._locations: list[str] = []
        self._problems: list[RowProblem] = []

    def add(self, record: Any, location: str) -> None:
        """Add one record (a JSON object) found at ``location``."""
        if isinstance(record, Mapping):
            self.add_cells(flatten_record(record), location)
        else:
            self.reject(location, f"is a JSON {type(record).__name__}, not an object")

    def reject(self, location: str, message: str) -> None:
        """Count a record that cannot be a row and report it in the next chunk's ``problems``."""
        self.count += 1
        self._problems.append(RowProblem(location, self.count, message))

    def add_cells(self, cells: dict[str, str | None], location: str) -> None:
        """Add one record already given as ``{column: cell}``."""
        self.count += 1
        self._records.append(cells)
        self._numbers.append(self.count)
        self._locations.append(location)

    @property
    def full(self) -> bool:
        return len(self._records) >= self.chunk_rows

    def remainder(self) -> Iterator[RecordChunk]:
        """The last chunk: what is left, or an empty chunk if nothing was emitted (so every origin is seen)."""
        if self._records or self._problems or not self._emitted:
            yield self.flush()

    def flush(self) -> RecordChunk:
        """The records collected so far as one chunk (possibly empty)."""
        chunk = records_chunk(
            self._records, self._numbers, self._locations, origin=self.origin, problems=self._problems
        )
        self._reset()
        self._emitted += 1
        return chunk
