"""DuckDB tables of the warehouse (column meanings in ``warehouse/sql.py``) and the small ``meta`` store."""

from __future__ import annotations

import duckdb

__all__ = ["SCHEMA_VERSION", "create_schema", "get_meta", "set_meta"]

SCHEMA_VERSION = "1"

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR);
CREATE TABLE IF NOT EXISTS org_unit (
    id INTEGER, code VARCHAR, parent INTEGER, path VARCHAR, level INTEGER, kind VARCHAR, is_leaf BOOLEAN);
CREATE TABLE IF NOT EXISTS org_ancestor (ou INTEGER, anc INTEGER, depth INTEGER);
CREATE TABLE IF NOT EXISTS ou_kind_count (ou INTEGER, kind VARCHAR, n INTEGER);
CREATE TABLE IF NOT EXISTS data_element (
    id INTEGER, code VARCHAR, aggregation_type VARCHAR, combine VARCHAR, ptype UTINYINT, has_disaggs BOOLEAN);
CREATE TABLE IF NOT EXISTS de_kind (de INTEGER, kind VARCHAR);
CREATE TABLE IF NOT EXISTS disaggregation (id INTEGER, code VARCHAR);
CREATE TABLE IF NOT EXISTS write_log (
    id INTEGER, batch_id VARCHAR, written_at TIMESTAMP, inserted BIGINT, updated BIGINT, unchanged BIGINT);
CREATE TABLE IF NOT EXISTS value (
    de INTEGER, ou INTEGER, ptype UTINYINT, pstart DATE, disagg INTEGER, value DOUBLE,
    write_id INTEGER, source_row BIGINT, stored_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS value_history (
    de INTEGER, ou INTEGER, ptype UTINYINT, pstart DATE, disagg INTEGER, value DOUBLE,
    write_id INTEGER, source_row BIGINT, stored_at TIMESTAMP, replaced_at TIMESTAMP, replaced_by INTEGER);
CREATE TABLE IF NOT EXISTS value_period (ptype UTINYINT, pstart DATE, n BIGINT);
CREATE TABLE IF NOT EXISTS corrected (de INTEGER, ou INTEGER, ptype UTINYINT, pstart DATE);
CREATE TABLE IF NOT EXISTS rollup (
    de INTEGER, ou INTEGER, ptype UTINYINT, pstart DATE,
    sum_v DOUBLE, count_v BIGINT, min_v DOUBLE, max_v DOUBLE, last_v DOUBLE, last_at DATE,
    first_v DOUBLE, first_at DATE, avg_sum DOUBLE, newest TIMESTAMP, run INTEGER);
"""


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables; refuse a file written by a newer (or unknown) schema version."""
    con.execute(_DDL)
    version = get_meta(con, "schema_version")
    if version is None:
        set_meta(con, "schema_version", SCHEMA_VERSION)
        con.execute("INSERT INTO disaggregation VALUES (0, 'total')")
    elif version != SCHEMA_VERSION:
        raise RuntimeError(f"warehouse file has schema version {version}; this govpulse reads {SCHEMA_VERSION}")


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("DELETE FROM meta WHERE key = ?", [key])
    con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])
