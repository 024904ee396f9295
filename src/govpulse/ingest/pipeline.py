"""The pure part of a batch: chunks of source rows in, values for the warehouse and rejected rows out.

No database and no warehouse here: ``process`` maps every chunk (``ingest.mapping``), checks the values
(``ingest.validation``) over the whole batch (duplicates and rules need every row), and returns

* ``values``: data_element, org_unit, period, disaggregation, value, source_row, ready for ``Warehouse.write``;
* ``rejected``: one ``RejectedRow`` per rejected source row, with its file, row, every reason, its cells and
  its org unit (when the mapping could read it: a bad value of a known village keeps the village).

Lineage: each value's ``source_row`` is ``origin index << 32 | row``, where the origin index points into
``origins`` (the files or pages read, stored on the batch) and row is the row number a person sees in that file.
``decode_source_row`` undoes it.

``batch_fingerprint`` hashes what was read together with the mapping and the catalogue: the batch key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from govpulse.ingest.connectors.base import SOURCE_FILE, SOURCE_ROW, RecordChunk
from govpulse.ingest.lookups import CatalogLookups
from govpulse.ingest.mapping import VALUES_SCHEMA, Mapper, SourceMapping
from govpulse.ingest.rejections import Rejections
from govpulse.ingest.validation import check_rules, check_values, find_duplicates

__all__ = [
    "WAREHOUSE_COLUMNS",
    "Processed",
    "RejectedRow",
    "batch_fingerprint",
    "decode_source_row",
    "encode_source_row",
    "process",
]

WAREHOUSE_COLUMNS = ["data_element", "org_unit", "period", "disaggregation", "value", "source_row"]
_ROW_BITS = 32


def encode_source_row(origin_index: int, row: int) -> int:
    return (origin_index << _ROW_BITS) | row


def decode_source_row(source_row: int) -> tuple[int, int]:
    """``(origin index, row)`` of an encoded ``source_row``."""
    return source_row >> _ROW_BITS, source_row & ((1 << _ROW_BITS) - 1)


@dataclass(frozen=True)
class RejectedRow:
    """A source row with at least one problem: where it is, the first field at fault, every reason, its cells
    (None when the connector could not split it into cells), and the code of its org unit when the mapping could
    read one (None for an unknown or missing org unit): what decides who may read the row."""

    source_file: str
    source_row: int
    problems: list[dict[str, str]]
    raw: dict[str, str | None] | None
    org_unit: str | None = None

    @property
    def field(self) -> str:
        return self.problems[0]["field"] if self.problems else ""

    @property
    def reason(self) -> str:
        return "; ".join(p["reason"] if not p["field"] else f"{p['field']}: {p['reason']}" for p in self.problems)

    def __str__(self) -> str:
        return f"{self.source_file}, row {self.source_row}: {self.reason}"


@dataclass
class Processed:
    values: pa.Table
    rejected: list[RejectedRow]
    origins: list[str]
    rows_read: int = 0
    problems_found: int = 0
    duplicates_collapsed: int = 0
    chunk_origins: list[str] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @property
    def rows_accepted(self) -> int:
        return self.rows_read - self.rows_rejected


def batch_fingerprint(source_code: str, mapping: SourceMapping, catalog_fingerprint: str,
                      chunks: list[RecordChunk]) -> str:
    """A hash of everything that decides a batch's outcome: the same input gives the same batch key."""
    digest = hashlib.sha256()
    digest.update(source_code.encode())
    digest.update(json.dumps(mapping.model_dump(mode="json"), sort_keys=True).encode())
    digest.update(catalog_fingerprint.encode())
    for chunk in chunks:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, chunk.table.schema) as writer:
            writer.write_table(chunk.table)
        digest.update(sink.getvalue())
        for problem in chunk.problems:
            digest.update(str(problem).encode())
    return digest.hexdigest()


def process(mapping: SourceMapping, lookups: CatalogLookups, chunks: list[RecordChunk], today: date) -> Processed:
    """Map and check every chunk of one batch (see the module docstring)."""
    origins = _origins(chunks)
    index = {origin: i for i, origin in enumerate(origins)}
    mapper = Mapper(mapping, lookups)
    parts, rejections = [], Rejections()
    files, rows, offsets, org_units = [], [], [], []
    offset = 0
    for chunk in chunks:
        table = chunk.table
        n = table.num_rows
        offsets.append(offset)
        seq = pa.array(np.arange(offset, offset + n, dtype=np.int64))
        lineage = _lineage(table, index)
        mapped = mapper.map_chunk(table, seq, lineage)
        parts.append(mapped.values)
        rejections.extend(mapped.rejections)
        org_units.append(mapped.org_units)
        files.append(table[SOURCE_FILE].combine_chunks())
        rows.append(table[SOURCE_ROW].combine_chunks())
        offset += n
    values = pa.concat_tables(parts).combine_chunks() if parts else VALUES_SCHEMA.empty_table()
    all_files = pa.concat_arrays(files) if files else pa.array([], pa.string())
    all_rows = pa.concat_arrays(rows) if rows else pa.array([], pa.int64())
    all_org_units = pa.concat_arrays(org_units) if org_units else pa.array([], pa.string())

    def locate(seqs: list[int]) -> list[str]:
        return [f"{all_files[s].as_py()}, row {all_rows[s].as_py()}" for s in seqs]

    keep, found = check_values(values, lookups.elements, today)
    rejections.extend(found)
    values = _kept(values, keep)
    keep, found, collapsed = find_duplicates(values, locate)
    rejections.extend(found)
    values = _kept(values, keep)
    keep, found = check_rules(values, list(mapping.rules))
    rejections.extend(found)
    values = _kept(values, keep)

    table = rejections.table()
    rejected = _rejected_rows(table, chunks, offsets, all_files, all_rows, all_org_units)
    problems = [problem for chunk in chunks for problem in chunk.problems]
    rejected += [RejectedRow(p.location, p.row, [{"field": "", "reason": p.message}], None) for p in problems]
    return Processed(
        values=values.select(WAREHOUSE_COLUMNS),
        rejected=rejected,
        origins=origins,
        rows_read=offset + len(problems),
        problems_found=table.num_rows + len(problems),
        duplicates_collapsed=collapsed,
        chunk_origins=list(dict.fromkeys(chunk.origin for chunk in chunks)),
    )


def _kept(table: pa.Table, keep: pa.Array) -> pa.Table:
    """The rows where ``keep`` is true (the table itself when that is every row: no copy)."""
    return table if pc.all(keep).as_py() else table.filter(keep)


def _origins(chunks: list[RecordChunk]) -> list[str]:
    """Every file or page the chunks came from, in the order first seen."""
    seen: dict[str, None] = {}
    for chunk in chunks:
        for location in pc.unique(chunk.table[SOURCE_FILE]).to_pylist():
            seen.setdefault(location, None)
        for problem in chunk.problems:
            seen.setdefault(problem.location, None)
    return list(seen)


def _lineage(table: pa.Table, index: dict[str, int]) -> pa.Array:
    encoded = pc.dictionary_encode(table[SOURCE_FILE].combine_chunks())
    origin = pc.take(pa.array([index[o] for o in encoded.dictionary.to_pylist()], pa.int64()), encoded.indices)
    origin = np.asarray(origin.to_numpy(zero_copy_only=False), dtype=np.int64)
    row = np.asarray(table[SOURCE_ROW].combine_chunks().to_numpy(zero_copy_only=False), dtype=np.int64)
    return pa.array((origin << _ROW_BITS) | row)


def _rejected_rows(rejections: pa.Table, chunks: list[RecordChunk], offsets: list[int], files: pa.Array,
                   rows: pa.Array, org_units: pa.Array) -> list[RejectedRow]:
    """One ``RejectedRow`` per rejected seq, in batch order, with its reasons, cells and org unit."""
    if rejections.num_rows == 0:
        return []
    order = pc.sort_indices(rejections, sort_keys=[("seq", "ascending")])
    ordered = rejections.take(order)
    seqs = ordered["seq"].to_pylist()
    fields = ordered["field"].to_pylist()
    reasons = ordered["reason"].to_pylist()
    problems: dict[int, list[dict[str, str]]] = {}
    for seq, name, reason in zip(seqs, fields, reasons, strict=True):
        entry = {"field": name or "", "reason": reason}
        bucket = problems.setdefault(seq, [])
        if entry not in bucket:
            bucket.append(entry)
    raw = _raw_cells(sorted(problems), chunks, offsets)
    picked = pa.array(sorted(problems), pa.int64())
    where = pc.take(files, picked).to_pylist()
    numbers = pc.take(rows, picked).to_pylist()
    units = pc.take(org_units, picked).to_pylist()
    return [RejectedRow(file, row, problems[seq], raw[seq], unit)
            for seq, file, row, unit in zip(sorted(problems), where, numbers, units, strict=True)]


def _raw_cells(seqs: list[int], chunks: list[RecordChunk], offsets: list[int]) -> dict[int, dict]:
    wanted = np.asarray(seqs, dtype=np.int64)
    raw: dict[int, dict] = {}
    for chunk, offset in zip(chunks, offsets, strict=True):
        n = chunk.table.num_rows
        inside = wanted[(wanted >= offset) & (wanted < offset + n)]
        if len(inside) == 0:
            continue
        picked = chunk.table.select(chunk.data_columns).take(pa.array(inside - offset))
        for seq, cells in zip(inside.tolist(), picked.to_pylist(), strict=True):
            raw[seq] = cells
    return raw
