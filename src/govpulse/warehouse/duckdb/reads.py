"""Reads on DuckDB: turn codes and period ids into ids, run the shared SQL on a reader cursor, return Arrow."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import duckdb
import pyarrow as pa

from govpulse.core.indicators import IndicatorSpec
from govpulse.core.periods import Period, PeriodType, coarser_types, parse_period, period_of, periods_between
from govpulse.warehouse.base import (
    FRESHNESS_SCHEMA,
    HISTORY_SCHEMA,
    INDICATOR_SCHEMA,
    LINEAGE_BATCHES_SCHEMA,
    LINEAGE_ROWS_SCHEMA,
    VALUE_SCHEMA,
    Lineage,
)
from govpulse.warehouse.dimensions import DataElementInfo, Dimensions
from govpulse.warehouse.duckdb.dialect import DuckDBDialect
from govpulse.warehouse.errors import UnsupportedQuery
from govpulse.warehouse.plan import CODE_PERIODS, PERIOD_CODES, base_for
from govpulse.warehouse.queries import Part, PeriodKey, indicator_sql, value_sql

__all__ = ["Reader"]

_D = DuckDBDialect()


def _keys(periods: Sequence[str | Period]) -> dict[PeriodKey, str]:
    """Requested periods as {(type code, first day): DHIS2 id}, in the order given, without repeats."""
    keys: dict[PeriodKey, str] = {}
    for text in periods:
        period = text if isinstance(text, Period) else parse_period(text)
        keys.setdefault((PERIOD_CODES[period.type], period.start), period.id)
    return keys


def _parts(
    elements: Sequence[DataElementInfo], keys: dict[PeriodKey, str], kept: frozenset[PeriodType],
    disaggregated: frozenset[int],
) -> list[Part]:
    """How to read each requested (element, period): grouped into one ``Part`` per way of reading."""
    grouped: dict[tuple[int, int, bool, bool], tuple[list[int], list[date]]] = {}
    for element in elements:
        native = element.period_type
        series = element.id in disaggregated
        for code, start in keys:
            base = base_for(native, CODE_PERIODS[code], kept)
            if base is None:
                continue
            if series and base != native and base != CODE_PERIODS[code]:
                base = native  # stored rows keep one last/first per org unit: derive from the series
            key = (code, PERIOD_CODES[base], base == native, series)
            des, starts = grouped.setdefault(key, ([], []))
            if element.id not in des:
                des.append(element.id)
            if start not in starts:
                starts.append(start)
    return [
        Part(tuple(des), code, tuple(starts), base, from_values, series)
        for (code, base, from_values, series), (des, starts) in grouped.items()
    ]


def _period_ids(rows: pa.Table, keys: dict[PeriodKey, str]) -> pa.Array:
    return pa.array(
        [keys[(c, s)] for c, s in zip(rows.column("ptype").to_pylist(), rows.column("pstart").to_pylist())],
        pa.string(),
    )


def _bound(value: date | str, last: bool) -> date:
    if isinstance(value, date):
        return value
    period = parse_period(value)
    return period.end if last else period.start


ARROW_COPY_HINT = "Arrow output on a DB-API result"
"""DuckDB's hint that ``execute().to_arrow_table()`` copies the result once. Reads return small results, and
this path costs ~0.5 ms less per query than ``cur.sql()``, so the backend silences exactly this hint."""


def _arrow(cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> pa.Table:
    """Run a read and return Arrow."""
    return cur.execute(sql, list(params)).to_arrow_table()


def _sorted(rows: pa.Table, keys: list[str]) -> pa.Table:
    """Results are small: sorting them here costs less than planning an ORDER BY."""
    return rows.sort_by([(key, "ascending") for key in keys]) if rows.num_rows > 1 else rows


def _fetch(cur: duckdb.DuckDBPyConnection, sql: str, params: list[object], schema: pa.Schema) -> pa.Table:
    return _arrow(cur, sql, params).cast(schema)


class Reader:
    """Every read of the DuckDB warehouse, on one cursor (one per thread) and one version of the dimensions."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, dims: Dimensions, kept: frozenset[PeriodType]):
        self.cur = cur
        self.dims = dims
        self.kept = kept

    def raw(self, sql: str, params: Sequence[object] = ()) -> pa.Table:
        return _arrow(self.cur, sql, params)

    # --- data-element values -------------------------------------------------------------------------

    def values(self, data_elements: Sequence[str], targets: list[int], periods: dict[PeriodKey, str]) -> pa.Table:
        elements = self.dims.elements(list(dict.fromkeys(data_elements)))
        parts = _parts(elements, periods, self.kept, self.dims.disaggregated)
        if not targets or not parts:
            return VALUE_SCHEMA.empty_table()
        aggregation = {e.id: e.aggregation_type for e in elements}
        sql = value_sql(_D, aggregation, targets, parts)
        rows = _sorted(_arrow(self.cur, sql), ["de", "ou", "ptype", "pstart"])
        by_id = {e.id: e for e in elements}
        expected = [
            self.dims.expected(by_id[de], ou)
            for de, ou in zip(rows.column("de").to_pylist(), rows.column("ou").to_pylist())
        ]
        return pa.table(
            {
                "data_element": self.dims.codes(rows.column("de"), "data element"),
                "org_unit": self.dims.codes(rows.column("ou"), "org unit"),
                "period": _period_ids(rows, periods),
                "value": rows.column("value"),
                "sum": rows.column("sum_v"),
                "count": rows.column("count_v"),
                "min": rows.column("min_v"),
                "max": rows.column("max_v"),
                "last": rows.column("last_v"),
                "first": rows.column("first_v"),
                "avg_sum": rows.column("avg_sum"),
                "reporting": rows.column("reporting"),
                "expected": pa.array(expected, pa.int64()),
                "stored_at": rows.column("newest"),
            }
        ).cast(VALUE_SCHEMA)

    def data_values(self, des: Sequence[str], org_units: Sequence[str], periods: Sequence[str],
                    scope_paths: Sequence[str] | None) -> pa.Table:
        targets = self.dims.scoped(dict.fromkeys(self.dims.org_unit_ids(org_units)), scope_paths)
        return self.values(des, targets, _keys(periods))

    def children_values(self, des: Sequence[str], parent: str, periods: Sequence[str],
                        scope_paths: Sequence[str] | None) -> pa.Table:
        return self.values(des, self._children(parent, scope_paths), _keys(periods))

    def series(self, des: Sequence[str], org_unit: str, period_type: PeriodType, first: date | str,
               last: date | str, scope_paths: Sequence[str] | None) -> pa.Table:
        targets = self.dims.scoped(self.dims.org_unit_ids([org_unit]), scope_paths)
        periods = periods_between(_bound(first, False), _bound(last, True), PeriodType(period_type))
        return self.values(des, targets, _keys(periods))

    def _children(self, parent: str, scope_paths: Sequence[str] | None) -> list[int]:
        (parent_id,) = self.dims.org_unit_ids([parent])
        return self.dims.scoped(self.dims.children.get(parent_id, []), scope_paths)

    # --- indicators ----------------------------------------------------------------------------------

    def indicator_values(self, specs: Sequence[IndicatorSpec], periods: Sequence[str], org_units: Sequence[str] | None,
                         parent: str | None, scope_paths: Sequence[str] | None) -> pa.Table:
        if (org_units is None) == (parent is None):
            raise ValueError("give either org_units or parent_org_unit, not both or neither")
        for spec in specs:
            for ref in (*spec.numerator.references(), *spec.denominator.references()):
                if ref.disaggregation is not None:
                    raise UnsupportedQuery(
                        f"indicator {spec.code!r} uses #{{{ref.key}}}: this warehouse rolls up data-element "
                        "totals only, not single disaggregations"
                    )
        elements = self.dims.elements(sorted({c for spec in specs for c in spec.data_elements()}))
        if parent is not None:
            targets = self._children(parent, scope_paths)
        else:
            targets = self.dims.scoped(dict.fromkeys(self.dims.org_unit_ids(org_units or [])), scope_paths)
        keys = _keys(periods)
        parts = _parts(elements, keys, self.kept, self.dims.disaggregated)
        if not specs or not targets or not parts:
            return INDICATOR_SCHEMA.empty_table()
        aggregation = {e.id: e.aggregation_type for e in elements}
        de_ids = {e.code: e.id for e in elements}
        sql = indicator_sql(_D, specs, aggregation, de_ids, targets, parts)
        rows = _sorted(_arrow(self.cur, sql), ["indicator", "ou", "ptype", "pstart"])
        counted = {
            spec.code: self.dims.elements(sorted(spec.numerator.data_elements() or spec.data_elements()))
            for spec in specs
        }
        expected = [
            _largest(self.dims.expected(e, ou) for e in counted[code])
            for code, ou in zip(rows.column("indicator").to_pylist(), rows.column("ou").to_pylist())
        ]
        return pa.table(
            {
                "indicator": rows.column("indicator"),
                "org_unit": self.dims.codes(rows.column("ou"), "org unit"),
                "period": _period_ids(rows, keys),
                "numerator": rows.column("numerator"),
                "denominator": rows.column("denominator"),
                "value": rows.column("value"),
                "reporting": rows.column("reporting"),
                "expected": pa.array(expected, pa.int64()),
                "stored_at": rows.column("newest"),
            }
        ).cast(INDICATOR_SCHEMA)

    def freshness(self, des: Sequence[str] | None, scope_paths: Sequence[str] | None) -> pa.Table:
        params: list[object] = []
        scope = _scope_sql(scope_paths, params)
        only = "TRUE" if des is None else f"v.de IN ({', '.join(str(e.id) for e in self.dims.elements(list(des))) or 'NULL'})"
        sql = f"""SELECT e.code AS data_element, count(*) AS values, min(v.pstart) AS first_period_start,
                         max(v.pstart) AS last_period_start, max(v.stored_at) AS stored_at, e.ptype
                    FROM value v JOIN data_element e ON e.id = v.de JOIN org_unit o ON o.id = v.ou
                   WHERE {only} AND {scope} GROUP BY e.code, e.ptype ORDER BY e.code"""
        table = _arrow(self.cur, sql, params)
        ends = [
            parse_period_end(start, code)
            for start, code in zip(table.column("last_period_start").to_pylist(), table.column("ptype").to_pylist())
        ]
        return pa.table(
            {
                "data_element": table.column("data_element"),
                "values": table.column("values"),
                "first_period_start": table.column("first_period_start"),
                "last_period_end": pa.array(ends, pa.date32()),
                "stored_at": table.column("stored_at"),
            }
        ).cast(FRESHNESS_SCHEMA)

    def lineage(self, de: str, org_unit: str, period: str, scope_paths: Sequence[str] | None, limit: int) -> Lineage:
        where, params = self._leaf_filter(de, org_unit, period, scope_paths)
        base = f"""FROM value v JOIN org_unit o ON o.id = v.ou JOIN write_log w ON w.id = v.write_id
                   JOIN disaggregation g ON g.id = v.disagg WHERE {where}"""
        batches = _arrow(
            self.cur,
            f"""SELECT w.batch_id, count(*) AS values, min(v.source_row) AS first_source_row,
                       max(v.source_row) AS last_source_row, max(v.stored_at) AS stored_at {base}
                 GROUP BY w.batch_id ORDER BY max(v.stored_at) DESC, w.batch_id""",
            params,
        ).cast(LINEAGE_BATCHES_SCHEMA)
        rows = _arrow(
            self.cur,
            f"""SELECT o.code AS org_unit, {_D.period_id('v.ptype', 'v.pstart')} AS period, g.code AS disaggregation,
                       v.value, w.batch_id, v.source_row, v.stored_at {base}
                 ORDER BY o.path, v.pstart, g.code LIMIT {int(limit)}""",
            params,
        ).cast(LINEAGE_ROWS_SCHEMA)
        total = int(sum(batches.column("values").to_pylist()))
        return Lineage(batches, rows, total)

    def history(self, de: str, org_unit: str, period: str, scope_paths: Sequence[str] | None) -> pa.Table:
        where, params = self._leaf_filter(de, org_unit, period, scope_paths)
        sql = f"""SELECT o.code AS org_unit, {_D.period_id('v.ptype', 'v.pstart')} AS period,
                         g.code AS disaggregation, v.value, w.batch_id, v.source_row, v.stored_at,
                         v.replaced_at, r.batch_id AS replaced_by_batch
                    FROM value_history v JOIN org_unit o ON o.id = v.ou JOIN write_log w ON w.id = v.write_id
                    JOIN write_log r ON r.id = v.replaced_by JOIN disaggregation g ON g.id = v.disagg
                   WHERE {where} ORDER BY v.replaced_at DESC, r.id DESC, o.path, v.pstart"""
        return _fetch(self.cur, sql, params, HISTORY_SCHEMA)

    def _leaf_filter(self, de: str, org_unit: str, period: str, scope_paths: Sequence[str] | None):
        element = self.dims.element(de)
        (ou,) = self.dims.org_unit_ids([org_unit])
        wanted = parse_period(period)
        params: list[object] = [self.dims.paths[ou]]
        scope = _scope_sql(scope_paths, params)
        native = element.period_type
        if wanted.type != native and wanted.type not in coarser_types(native):
            return "FALSE", []
        where = (
            f"v.de = {element.id} AND v.ptype = {PERIOD_CODES[native]} AND v.pstart BETWEEN "
            f"{_D.date_literal(wanted.start)} AND {_D.date_literal(wanted.end)} AND "
            f"{_D.starts_with('o.path', '?')} AND {scope}"
        )
        return where, params



def parse_period_end(start: date | None, code: int | None) -> date | None:
    """Last day of the native period that starts on ``start`` (None stays None)."""
    if start is None or code is None:
        return None
    return period_of(start, CODE_PERIODS[code]).end


def _largest(values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _scope_sql(scope_paths: Sequence[str] | None, params: list[object]) -> str:
    """SQL over ``o.path``: inside one of the prefixes (None: everything; empty: nothing)."""
    if scope_paths is None:
        return "TRUE"
    if not scope_paths:
        return "FALSE"
    params.extend(scope_paths)
    return "(" + " OR ".join(_D.starts_with("o.path", "?") for _ in scope_paths) + ")"
