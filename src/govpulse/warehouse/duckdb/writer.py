"""Writing one batch of leaf values into DuckDB: check, encode, then upsert in one transaction.

Codes become integer ids in Arrow (once per distinct code), the encoded batch is handed to DuckDB as an
Arrow view (no copy, no Python loop per row), and one transaction then

* moves values that change to ``value_history`` and overwrites them (marking them in ``corrected``),
* appends new keys in (period, data element, org unit) order, so each day's values sit together,
* logs the write in ``write_log``; its id, stored with each value, is the rollup's watermark.

Equal values are left alone, so writing a batch twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from govpulse.warehouse.base import WriteResult
from govpulse.warehouse.dimensions import Dimensions
from govpulse.warehouse.errors import DuplicateKeys
from govpulse.warehouse.inputs import (
    check_period_types,
    encode_periods,
    lookup_ids,
    normalise_values,
)

__all__ = ["write_batch"]

_KEY = ("de", "ou", "ptype", "pstart", "disagg")


def _encode(con: duckdb.DuckDBPyConnection, dims: Dimensions, values: pa.Table) -> pa.Table:
    de = lookup_ids(values.column("data_element"), dims.de_codes, dims.de_ids, "data element")
    ou = lookup_ids(values.column("org_unit"), dims.ou_codes, dims.ou_ids, "org unit")
    ptype, pstart = encode_periods(values.column("period"))
    check_period_types(ptype, de, dims.native_by_id, values.column("period"), values.column("data_element"))
    return pa.table(
        {
            "row": pa.array(np.arange(values.num_rows, dtype=np.int64)),
            "de": de,
            "ou": ou,
            "ptype": ptype,
            "pstart": pstart,
            "disagg": _disaggregation_ids(con, values.column("disaggregation")),
            "value": values.column("value"),
            "source_row": values.column("source_row"),
            "stored_at": values.column("stored_at"),
        }
    )


def _disaggregation_ids(con: duckdb.DuckDBPyConnection, column: pa.ChunkedArray) -> pa.Array:
    """Ids of disaggregation codes, registering new codes (any text is a valid disaggregation)."""
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    encoded = array if pa.types.is_dictionary(array.type) else pc.dictionary_encode(array)
    codes = encoded.dictionary.cast(pa.string()).to_pylist()
    known = dict(con.execute("SELECT code, id FROM disaggregation").fetchall())
    for code in codes:
        if code not in known:
            known[code] = max(known.values(), default=-1) + 1
            con.execute("INSERT INTO disaggregation VALUES (?, ?)", [known[code], code])
    return pc.take(pa.array([known[c] for c in codes], pa.int32()), encoded.indices)


def _in_key_order(staged: pa.Table) -> bool:
    """Whether rows are strictly increasing by (ptype, pstart, de, ou, disagg): then they are unique and
    already in cluster order, and neither the duplicate check nor the sort is needed (batches produced
    per day and element, as most connectors do, come this way)."""
    if staged.num_rows < 2:
        return True
    keys = [staged.column(c).combine_chunks().to_numpy(zero_copy_only=False)
            for c in ("ptype", "pstart", "de", "ou", "disagg")]
    greater = np.zeros(staged.num_rows - 1, dtype=bool)
    equal = np.ones(staged.num_rows - 1, dtype=bool)
    for key in keys:
        after, before = key[1:], key[:-1]
        greater |= equal & (after > before)
        equal &= after == before
    return bool(greater.all())


def _check_duplicates(con: duckdb.DuckDBPyConnection, values: pa.Table) -> None:
    # Fast path: distinct key hashes mean distinct keys. Only a hash collision or a real duplicate pays
    # for the exact (grouping) check that names the rows.
    distinct = con.execute(f"SELECT count(DISTINCT hash({', '.join(_KEY)})) FROM staged_batch").fetchall()[0][0]
    if distinct == values.num_rows:
        return
    dupes = con.execute(
        f"SELECT list(row ORDER BY row) FROM staged_batch GROUP BY {', '.join(_KEY)} HAVING count(*) > 1"
        " ORDER BY min(row) LIMIT 5"
    ).fetchall()
    if not dupes:
        return
    total = con.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM staged_batch GROUP BY {', '.join(_KEY)} HAVING count(*) > 1)"
    ).fetchall()[0][0]
    examples = []
    for (rows,) in dupes:
        first = rows[0]
        examples.append(
            (
                values.column("data_element")[first].as_py(),
                values.column("org_unit")[first].as_py(),
                values.column("period")[first].as_py(),
                values.column("disaggregation")[first].as_py(),
                rows[:5],
            )
        )
    raise DuplicateKeys(examples, total)


def write_batch(
    con: duckdb.DuckDBPyConnection, dims: Dimensions, batch_id: str, table: pa.Table, now: datetime
) -> WriteResult:
    """Upsert ``table`` as batch ``batch_id``; see the module docstring. ``con`` is the writer connection."""
    values = normalise_values(table)
    staged = _encode(con, dims, values)
    con.register("staged_batch", staged)
    try:
        ordered = _in_key_order(staged)
        if not ordered:
            _check_duplicates(con, values)
        con.execute("BEGIN TRANSACTION")
        try:
            counts, unchanged_rows = _upsert(con, staged, batch_id, now, ordered=ordered)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister("staged_batch")
        con.execute("DROP TABLE IF EXISTS temp.matched")
    inserted, updated, unchanged = counts
    keep = np.ones(values.num_rows, dtype=bool)
    keep[unchanged_rows] = False
    touched = values.select(["data_element", "org_unit", "period"]).filter(pa.array(keep))
    return WriteResult(batch_id, inserted, updated, unchanged, touched)


def _upsert(
    con: duckdb.DuckDBPyConnection, staged: pa.Table, batch_id: str, now: datetime, *, ordered: bool
) -> tuple[tuple[int, int, int], np.ndarray]:
    write_id = con.execute("SELECT coalesce(max(id), 0) + 1 FROM write_log").fetchall()[0][0]
    bounds = _bounds(staged)
    # A batch of periods the warehouse has no values for yet (the daily case) has nothing to match.
    overlap = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM value v WHERE {bounds} LIMIT 1)").fetchall()[0][0]
    con.execute(
        f"""CREATE TEMP TABLE matched AS
        SELECT s.row, v.rowid AS vrow, v.value IS NOT DISTINCT FROM s.value AS same
          FROM staged_batch s
          JOIN value v ON v.de = s.de AND v.ou = s.ou AND v.ptype = s.ptype AND v.pstart = s.pstart
                      AND v.disagg = s.disagg
         WHERE {bounds if overlap else "FALSE"}"""
    )
    con.execute(
        """INSERT INTO value_history
        SELECT v.de, v.ou, v.ptype, v.pstart, v.disagg, v.value, v.write_id, v.source_row, v.stored_at, ?, ?
          FROM value v JOIN matched m ON v.rowid = m.vrow WHERE NOT m.same""",
        [now, write_id],
    )
    con.execute(
        """INSERT INTO corrected
        SELECT s.de, s.ou, s.ptype, s.pstart FROM staged_batch s JOIN matched m ON m.row = s.row WHERE NOT m.same"""
    )
    con.execute(
        """UPDATE value SET value = c.value, write_id = ?, source_row = c.source_row, stored_at = c.stored_at
          FROM (SELECT m.vrow, s.value, s.source_row, coalesce(s.stored_at, ?) AS stored_at
                  FROM matched m JOIN staged_batch s ON s.row = m.row WHERE NOT m.same) c
         WHERE value.rowid = c.vrow""",
        [write_id, now],
    )
    con.execute(
        """INSERT INTO value
        SELECT s.de, s.ou, s.ptype, s.pstart, s.disagg, s.value, ?, s.source_row, coalesce(s.stored_at, ?)
          FROM staged_batch s ANTI JOIN matched m ON m.row = s.row""" + (
            "" if ordered else "\n ORDER BY s.ptype, s.pstart, s.de, s.ou"
        ),
        [write_id, now],
    )
    # Rows per native period: the full rollup sizes its chunks from these.
    con.execute(
        """CREATE TEMP TABLE new_periods AS SELECT s.ptype, s.pstart, count(*) AS n
             FROM staged_batch s ANTI JOIN matched m ON m.row = s.row GROUP BY s.ptype, s.pstart"""
    )
    con.execute(
        "UPDATE value_period SET n = value_period.n + c.n FROM new_periods c"
        " WHERE value_period.ptype = c.ptype AND value_period.pstart = c.pstart"
    )
    con.execute(
        "INSERT INTO value_period SELECT c.* FROM new_periods c ANTI JOIN value_period p"
        " ON p.ptype = c.ptype AND p.pstart = c.pstart"
    )
    con.execute("DROP TABLE new_periods")
    con.execute(
        """UPDATE data_element SET has_disaggs = TRUE
         WHERE NOT has_disaggs AND id IN (SELECT DISTINCT de FROM staged_batch WHERE disagg <> 0)"""
    )
    matched, changed = con.execute("SELECT count(*), count(*) FILTER (WHERE NOT same) FROM matched").fetchall()[0]
    unchanged = matched - changed
    inserted = staged.num_rows - matched
    con.execute(
        "INSERT INTO write_log VALUES (?, ?, ?, ?, ?, ?)", [write_id, batch_id, now, inserted, changed, unchanged]
    )
    unchanged_rows = con.sql("SELECT row FROM matched WHERE same").to_arrow_table()
    rows = unchanged_rows.column("row").to_numpy() if unchanged else np.zeros(0, dtype=np.int64)
    return (inserted, changed, unchanged), rows


def _bounds(staged: pa.Table) -> str:
    """A constant filter on ``value`` that lets DuckDB skip row groups outside the batch's periods."""
    if staged.num_rows == 0:
        return "FALSE"
    low, high = pc.min_max(staged.column("pstart")).values()
    codes = ", ".join(str(c) for c in pc.unique(staged.column("ptype")).to_pylist())
    return f"v.ptype IN ({codes}) AND v.pstart BETWEEN DATE '{low.as_py()}' AND DATE '{high.as_py()}'"
