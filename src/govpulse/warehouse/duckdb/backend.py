"""The DuckDB warehouse: one file, one writer connection, reader cursors per thread.

DuckDB lets one process write a file. This object is that process's only door to it: writes, rollups and
syncs serialise on a lock and run on the main connection; reads run on ``cursor()``s of the same connection
(one per thread, created on first use), each query seeing the last committed state.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Sequence
from datetime import UTC, date, datetime

import duckdb
import pyarrow as pa

from govpulse.core.aggregation import SUPPORTED_COMBINATIONS
from govpulse.core.indicators import IndicatorSpec
from govpulse.core.periods import PeriodType
from govpulse.core.progress import NullProgress, Progress
from govpulse.warehouse.base import CanCompact, HasLineage, Lineage, RollupResult, Warehouse, WriteResult
from govpulse.warehouse.dimensions import Dimensions
from govpulse.warehouse.duckdb.reads import ARROW_COPY_HINT, Reader
from govpulse.warehouse.duckdb.rollup import run_rollup
from govpulse.warehouse.duckdb.schema import create_schema, get_meta, set_meta
from govpulse.warehouse.duckdb.writer import write_batch
from govpulse.warehouse.errors import InvalidInput, TreeConflict
from govpulse.warehouse.inputs import normalise_data_elements, normalise_org_units
from govpulse.warehouse.plan import DEFAULT_PERIOD_TYPES, PERIOD_CODES
from govpulse.warehouse.queries import combine_key
from govpulse.warehouse.sql import CLUSTER_ORDER

__all__ = ["DuckDBWarehouse", "default_memory_limit"]


def default_memory_limit() -> str:
    """40 % of physical memory: room for the web app and Arrow buffers beside DuckDB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "4GB"
    return f"{max(1, int(total * 0.4) // 2**30)}GB"


class DuckDBWarehouse(Warehouse, HasLineage, CanCompact):
    """``DuckDBWarehouse("/data/wh.duckdb")`` or ``(":memory:")``; usually made by ``warehouse.connect``."""

    backend_name = "duckdb"

    def __init__(
        self,
        path: str,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        period_types: frozenset[PeriodType] | None = None,
    ):
        self.path = path
        config = {
            "threads": str(threads or os.cpu_count() or 1),
            "memory_limit": memory_limit or default_memory_limit(),
        }
        self._con = duckdb.connect(path, config=config)
        warnings.filterwarnings("ignore", message=ARROW_COPY_HINT, category=UserWarning)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        create_schema(self._con)
        self._kept = self._settle_period_types(period_types)
        self._dims = self._load_dimensions()
        # data_version(): which generation of the metadata (a sync replaces ``_dims`` whole) is current
        self._generation_lock = threading.Lock()
        self._dims_generation: tuple[Dimensions, int] = (self._dims, 0)

    # --- set-up -----------------------------------------------------------------------------------------

    def _settle_period_types(self, wanted: frozenset[PeriodType] | None) -> frozenset[PeriodType]:
        stored = get_meta(self._con, "period_types")
        kept = frozenset(PeriodType(p) for p in stored.split(",")) if stored else DEFAULT_PERIOD_TYPES
        if wanted is not None and frozenset(wanted) != kept:
            kept = frozenset(wanted)
            set_meta(self._con, "needs_full", "1")  # other tiers: recompute at the next rollup
        if stored is None or wanted is not None:
            set_meta(self._con, "period_types", ",".join(sorted(p.value for p in kept)))
        return kept

    def _load_dimensions(self) -> Dimensions:
        sql = self._con.sql
        return Dimensions.build(
            sql("SELECT id, code, parent, path FROM org_unit ORDER BY id").to_arrow_table(),
            sql("SELECT ou, kind, n FROM ou_kind_count").to_arrow_table(),
            sql("SELECT id, code, aggregation_type, ptype, has_disaggs FROM data_element ORDER BY id").to_arrow_table(),
            sql("SELECT de, kind FROM de_kind").to_arrow_table(),
        )

    def _reader(self) -> Reader:
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._con.cursor()
            self._local.cursor = cursor
            with self._lock:
                self._cursors.append(cursor)
        return Reader(cursor, self._dims, self._kept)

    @property
    def period_types(self) -> frozenset[PeriodType]:
        return self._kept

    # --- metadata ---------------------------------------------------------------------------------------

    def sync_org_units(self, table: pa.Table) -> int:
        units = normalise_org_units(table).to_pydict()
        with self._lock:
            old = {
                code: (i, parent, path)
                for i, code, parent, path in self._con.execute("SELECT id, code, parent, path FROM org_unit").fetchall()
            }
            ids = self._assign_ids(units, old)
            self._refuse_orphans(old, set(units["code"]))
            old_paths = {code: path for code, (_, _, path) in old.items()}
            new_paths = dict(zip(units["code"], units["path"]))
            reshaped = any(old_paths.get(code, path) != path for code, path in new_paths.items()) or (
                set(old_paths) - set(new_paths)
            )
            staged = pa.table(
                {
                    "id": pa.array([ids[c] for c in units["code"]], pa.int32()),
                    "code": units["code"],
                    "parent": pa.array([ids.get(p) if p else None for p in units["parent_code"]], pa.int32()),
                    "path": units["path"],
                    "level": units["level"],
                    "kind": units["kind"],
                }
            )
            self._replace_tree(staged, needs_full=bool(reshaped) or self._new_under_leaves(units, old))
            self._dims = self._load_dimensions()
        return staged.num_rows

    @staticmethod
    def _assign_ids(units: dict[str, list], old: dict[str, tuple[int, int | None, str]]) -> dict[str, int]:
        """Existing codes keep their ids; new ones follow in (level, path) order, so siblings sit together."""
        ids = {code: old[code][0] for code in units["code"] if code in old}
        next_id = max((i for i, _, _ in old.values()), default=-1) + 1
        for _, _, code in sorted(zip(units["level"], units["path"], units["code"])):
            if code not in ids:
                ids[code] = next_id
                next_id += 1
        return ids

    def _refuse_orphans(self, old: dict[str, tuple[int, int | None, str]], kept: set[str]) -> None:
        gone = {old[code][0]: code for code in old if code not in kept}
        if not gone:
            return
        listed = ", ".join(str(i) for i in gone)
        used = [gone[i] for (i,) in self._con.execute(f"SELECT DISTINCT ou FROM value WHERE ou IN ({listed})").fetchall()]
        if used:
            shown = ", ".join(repr(c) for c in sorted(used)[:10])
            raise TreeConflict(f"org units {shown} have stored values but are missing from the new tree")

    @staticmethod
    def _new_under_leaves(units: dict[str, list], old: dict[str, tuple[int, int | None, str]]) -> bool:
        """A former leaf that gains a child changes the role of its rollup rows (own -> subtree)."""
        old_ids = {code: i for code, (i, _, _) in old.items()}
        old_parents = {p for _, p, _ in old.values() if p is not None}
        return any(
            code not in old and parent in old_ids and old_ids[parent] not in old_parents
            for code, parent in zip(units["code"], units["parent_code"])
        )

    def _replace_tree(self, staged: pa.Table, *, needs_full: bool) -> None:
        con = self._con
        con.register("staged_units", staged)
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute("DELETE FROM org_unit")
                con.execute(
                    """INSERT INTO org_unit SELECT s.id, s.code, s.parent, s.path, s.level, s.kind,
                         s.id NOT IN (SELECT parent FROM staged_units WHERE parent IS NOT NULL) FROM staged_units s
                       ORDER BY s.id"""
                )
                con.execute("DELETE FROM org_ancestor")
                con.execute(
                    """INSERT INTO org_ancestor
                       SELECT o.id, a.id, o.level - a.level
                         FROM org_unit o, unnest(string_split(trim(o.path, '/'), '/')) AS u(code)
                         JOIN org_unit a ON a.code = u.code
                        ORDER BY a.id, o.id"""
                )
                con.execute("DELETE FROM ou_kind_count")
                con.execute(
                    """INSERT INTO ou_kind_count
                       SELECT x.anc, o.kind, count(*) FROM org_ancestor x JOIN org_unit o ON o.id = x.ou
                        GROUP BY x.anc, o.kind"""
                )
                if needs_full:
                    set_meta(con, "needs_full", "1")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.unregister("staged_units")

    def sync_data_elements(self, table: pa.Table) -> int:
        elements = normalise_data_elements(table)
        for i, element in enumerate(elements):
            agg = element["aggregation_type"]
            if (agg.over_time, agg.over_org_units) not in SUPPORTED_COMBINATIONS:
                raise InvalidInput(f"data elements: row {i}: aggregation type {agg.value} is not supported")
        with self._lock:
            con = self._con
            old = {code: (i, p) for i, code, p in con.execute("SELECT id, code, ptype FROM data_element").fetchall()}
            next_id = max((i for i, _ in old.values()), default=-1) + 1
            con.execute("BEGIN TRANSACTION")
            try:
                for element in elements:
                    next_id = self._upsert_element(element, old, next_id)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            self._dims = self._load_dimensions()
            return con.execute("SELECT count(*) FROM data_element").fetchall()[0][0]

    def _upsert_element(self, element: dict, old: dict[str, tuple[int, int]], next_id: int) -> int:
        con = self._con
        code, agg, ptype = element["code"], element["aggregation_type"], PERIOD_CODES[element["period_type"]]
        combine = combine_key(agg.over_time, agg.over_org_units)
        if code in old:
            de, stored = old[code]
            if stored != ptype and con.execute("SELECT count(*) FROM value WHERE de = ?", [de]).fetchall()[0][0]:
                raise InvalidInput(
                    f"data element {code!r} has stored values, so its period type cannot change to "
                    f"{element['period_type'].value}"
                )
            con.execute(
                "UPDATE data_element SET aggregation_type = ?, combine = ?, ptype = ? WHERE id = ?",
                [agg.value, combine, ptype, de],
            )
            con.execute("DELETE FROM de_kind WHERE de = ?", [de])
        else:
            de, next_id = next_id, next_id + 1
            con.execute("INSERT INTO data_element VALUES (?, ?, ?, ?, ?, FALSE)", [de, code, agg.value, combine, ptype])
        for kind in dict.fromkeys(element["reported_at"]):
            con.execute("INSERT INTO de_kind VALUES (?, ?)", [de, kind])
        return next_id

    # --- data in ----------------------------------------------------------------------------------------

    def write(self, batch_id: str, values: pa.Table) -> WriteResult:
        now = datetime.now(UTC).replace(tzinfo=None)
        with self._lock:
            result = write_batch(self._con, self._dims, batch_id, values, now)
            flagged = {i for (i,) in self._con.execute("SELECT id FROM data_element WHERE has_disaggs").fetchall()}
            if flagged != self._dims.disaggregated:
                self._dims = self._dims.with_disaggregated(flagged)
            return result

    def rollup(self, *, full: bool = False, progress: Progress | None = None) -> RollupResult:
        with self._lock:
            return run_rollup(self._con, self._kept, full=full, progress=progress)

    def pending(self) -> int:
        with self._lock:
            if get_meta(self._con, "needs_full") == "1" or get_meta(self._con, "watermark") is None:
                return self._con.execute("SELECT count(*) FROM value").fetchall()[0][0]
            watermark = int(get_meta(self._con, "watermark"))
            # Corrected values carry the id of the write that corrected them, so one count covers both.
            return self._con.execute(f"SELECT count(*) FROM value WHERE write_id > {watermark}").fetchall()[0][0]

    def data_version(self) -> str:
        """``<last write id>.<rollup run>.<metadata generation>``: each part only grows, so a replaced token
        never comes back. The write log and the rollup run counter are committed with the data they stand
        for, so the query sees both or neither. Syncs replace the
        in-memory dimensions whole; holding the last one seen makes a new one count as a new generation
        (an id could be reused once the old object is freed; the object itself cannot)."""
        dims = self._dims
        with self._generation_lock:
            seen, generation = self._dims_generation
            if seen is not dims:
                generation += 1
                self._dims_generation = (dims, generation)
        table = self._reader().raw(
            "SELECT (SELECT coalesce(max(id), 0) FROM write_log) AS w,"
            " (SELECT coalesce(max(value), '0') FROM meta WHERE key = 'run') AS r"
        )
        [row] = table.to_pylist()
        return f"{row['w']}.{row['r']}.{generation}"

    # --- reads ------------------------------------------------------------------------------------------

    def data_values(self, data_elements: Sequence[str], org_units: Sequence[str], periods: Sequence[str], *,
                    scope_paths: Sequence[str] | None = None) -> pa.Table:
        return self._reader().data_values(data_elements, org_units, periods, scope_paths)

    def children_values(self, data_elements: Sequence[str], parent_org_unit: str, periods: Sequence[str], *,
                        scope_paths: Sequence[str] | None = None) -> pa.Table:
        return self._reader().children_values(data_elements, parent_org_unit, periods, scope_paths)

    def series(self, data_elements: Sequence[str], org_unit: str, period_type: PeriodType, first: date | str,
               last: date | str, *, scope_paths: Sequence[str] | None = None) -> pa.Table:
        return self._reader().series(data_elements, org_unit, period_type, first, last, scope_paths)

    def indicator_values(self, specs: Sequence[IndicatorSpec], periods: Sequence[str], *,
                         org_units: Sequence[str] | None = None, parent_org_unit: str | None = None,
                         scope_paths: Sequence[str] | None = None) -> pa.Table:
        return self._reader().indicator_values(specs, periods, org_units, parent_org_unit, scope_paths)

    def freshness(self, data_elements: Sequence[str] | None = None, *,
                  scope_paths: Sequence[str] | None = None) -> pa.Table:
        return self._reader().freshness(data_elements, scope_paths)

    def lineage(self, data_element: str, org_unit: str, period: str, *,
                scope_paths: Sequence[str] | None = None, limit: int = 1000) -> Lineage:
        return self._reader().lineage(data_element, org_unit, period, scope_paths, limit)

    def history(self, data_element: str, org_unit: str, period: str, *,
                scope_paths: Sequence[str] | None = None) -> pa.Table:
        return self._reader().history(data_element, org_unit, period, scope_paths)

    # --- upkeep -----------------------------------------------------------------------------------------

    def compact(self, progress: Progress | None = None) -> None:
        progress = progress or NullProgress()
        order = {"value": "ptype, pstart, de, ou, disagg", "rollup": CLUSTER_ORDER}
        with self._lock, progress.step("Compacting", total=len(order)) as step:
            for table, columns in order.items():
                self._con.execute("BEGIN TRANSACTION")
                try:
                    self._con.execute(f"CREATE TABLE {table}_sorted AS SELECT * FROM {table} ORDER BY {columns}")
                    self._con.execute(f"DROP TABLE {table}")
                    self._con.execute(f"ALTER TABLE {table}_sorted RENAME TO {table}")
                    self._con.execute("COMMIT")
                except BaseException:
                    self._con.execute("ROLLBACK")
                    raise
                step.advance()
            self._con.execute("CHECKPOINT")

    def query(self, sql: str, params: Sequence[object] = ()) -> pa.Table:
        """Run a read-only SQL statement on a reader cursor (debugging, tests, benchmarks); no scope applies."""
        return self._reader().raw(sql, params)

    def stats(self) -> dict[str, int]:
        """Row counts of the main tables (for status screens and benchmarks)."""
        with self._lock:
            return {
                table: self._con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
                for table in ("org_unit", "data_element", "value", "value_history", "rollup", "write_log")
            }

    def close(self) -> None:
        with self._lock:
            for cursor in self._cursors:
                cursor.close()
            self._cursors.clear()
            self._con.close()
