"""From a source's own columns and codes to data values: data element, org unit, period, value.

A source's ``mapping`` (YAML, checked by the Pydantic models of ``mapping_spec``) says where each part is:

    mapping:
      org_unit: {column: village_lgd, by: code}        # by: code (LGD) | census_code | name
      period: {date_column: reg_date}                   # or {column: month} (DHIS2 ids) or {value: "202611"}
      # long format: one value column and a data element column ...
      data_element: {column: indicator, codes: {BR21: births_registered_within_21_days}}
      value: count
      # ... or wide format: one column per data element
      values: {births_21: births_registered_within_21_days, births_all: births_registered}
      disaggregation: gender                            # optional column
      required: [births_all]                            # wide: value columns that must not be empty
      rules: ["#{births_registered_within_21_days} <= #{births_registered}"]

``org_unit`` and ``data_element`` take a ``table`` (source text -> code) consulted before anything else, for
names a department spells its own way; a plain string is short for ``{column: ...}``. Column names match
ignoring case and spacing. With ``date_column`` each value's period is the period of the data element's own
period type that holds the date.

``Mapper.map_chunk`` turns a chunk of string cells into a table of values (one per data element per row),
rejecting what cannot be mapped (unknown org unit or data element, empty or malformed cells) with the field
and the reason. Everything is vectorised over the chunk; only distinct texts are looked at one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from govpulse.core.periods import InvalidPeriod, PeriodType, parse_period, period_of
from govpulse.ingest.lookups import CatalogLookups, normalise_codes, normalise_names
from govpulse.ingest.mapping_spec import DataElementMapping, OrgUnitMapping, PeriodMapping, SourceMapping
from govpulse.ingest.parsing import parse_dates, parse_numbers
from govpulse.ingest.rejections import Rejections

__all__ = [
    "VALUES_SCHEMA",
    "DataElementMapping",
    "MappedChunk",
    "Mapper",
    "OrgUnitMapping",
    "PeriodMapping",
    "SourceMapping",
]


VALUES_SCHEMA = pa.schema([
    ("seq", pa.int64()),  # the row's number in the batch
    ("source_row", pa.int64()),  # lineage: origin index << 32 | row in the origin
    ("data_element", pa.string()),
    ("org_unit", pa.string()),
    ("period", pa.string()),
    ("period_type", pa.string()),
    ("period_start", pa.date32()),
    ("date", pa.date32()),  # the source's date, with date_column
    ("disaggregation", pa.string()),
    ("value", pa.float64()),
    ("value_field", pa.string()),  # the column the value came from
    ("period_field", pa.string()),
])


@dataclass(frozen=True)
class MappedChunk:
    values: pa.Table  # VALUES_SCHEMA
    rejections: pa.Table  # REJECTION_SCHEMA
    org_units: pa.Array  # each row's org unit code, null where it could not be read (kept for rejected rows)


class Mapper:
    """Applies one source's mapping with the catalogue's lookups; ``map_chunk`` per chunk of rows."""

    def __init__(self, mapping: SourceMapping, lookups: CatalogLookups) -> None:
        self.mapping = mapping
        self.lookups = lookups
        spec = mapping.org_unit
        self._ou_keys = lookups.org_units.keys(spec.by, spec.kind.value if spec.kind else None)
        self._known_elements = set(lookups.elements.codes.to_pylist())

    def map_chunk(self, table: pa.Table, seq: pa.Array, lineage: pa.Array) -> MappedChunk:
        """Values and rejections of one chunk; ``seq`` and ``lineage`` give each row's batch number and
        encoded source row."""
        rejections = Rejections()
        row_bad = pa.repeat(pa.scalar(False), table.num_rows)
        org_units, row_bad = self._org_units(table, seq, rejections, row_bad)
        period, row_bad = self._row_periods(table, seq, rejections, row_bad)
        disaggregation = self._optional_column(table, self.mapping.disaggregation)
        exploded = self._explode(table, seq, rejections).combine_chunks()
        rows = exploded["row"].combine_chunks()
        keep = pc.invert(pc.take(row_bad, rows))
        values = pa.table({
            "seq": pc.take(seq, rows),
            "source_row": pc.take(lineage, rows),
            "data_element": exploded["data_element"],
            "org_unit": pc.take(org_units, rows),
            "disaggregation": pc.take(disaggregation, rows),
            "value": exploded["value"],
            "value_field": exploded["value_field"],
        }).filter(keep).combine_chunks()
        values = self._with_periods(values, period, pc.filter(rows, keep))
        return MappedChunk(values.select(VALUES_SCHEMA.names).cast(VALUES_SCHEMA), rejections.table(), org_units)

    # --- org units ---------------------------------------------------------------------------------------

    def _org_units(self, table: pa.Table, seq: pa.Array, rejections: Rejections, row_bad: pa.Array):
        spec = self.mapping.org_unit
        cells, name = _cells(table, spec.column)
        if cells is None:
            return _missing_column(table, spec.column, seq, rejections)
        encoded = pc.dictionary_encode(cells)
        distinct = encoded.dictionary
        from_table = _via_table(distinct, spec.table)
        key = normalise_names(distinct) if spec.by == "name" else normalise_codes(distinct)
        codes = pc.coalesce(from_table, self._ou_keys.lookup(key))
        known = pc.fill_null(self.lookups.org_units.exists(codes), False)
        codes = pc.if_else(known, codes, _NULL)
        reasons = [None if ok else self._why_no_org_unit(text, table_code, k)
                   for text, table_code, k, ok in zip(distinct.to_pylist(), from_table.to_pylist(), key.to_pylist(),
                                                      known.to_pylist(), strict=True)]
        row_codes = pc.take(codes, encoded.indices)
        missing = pc.is_null(encoded.indices)
        rejections.add_where(missing, seq, name, f"required value missing: no org unit in column {name!r}")
        row_reasons = pc.take(pa.array(reasons, pa.string()), encoded.indices)
        unknown = pc.and_(pc.invert(missing), pc.is_null(row_codes))
        rejections.add_where(unknown, seq, name, row_reasons)
        return row_codes, pc.or_(row_bad, pc.or_(missing, unknown))

    def _why_no_org_unit(self, text: str, table_code: str | None, key: str | None) -> str:
        spec = self.mapping.org_unit
        if table_code is not None:
            return f"the mapping table maps {text!r} to org unit code {table_code!r}, which is not in the catalogue"
        what = spec.kind.label.lower() if spec.kind else "org unit"
        if key in self._ou_keys.ambiguous:
            codes = self._ou_keys.ambiguous[key]
            shown = ", ".join(codes[:5]) + (", ..." if len(codes) > 5 else "")
            return (f"{text!r} names {len(codes)} {_plural(what)} (codes {shown}); "
                    "add it to the org_unit mapping table with the right code")
        if spec.by == "name":
            return f"no {what} is named {text!r} (add it to the org_unit mapping table if it is spelt differently)"
        label = "census code" if spec.by == "census_code" else "code"
        return f"unknown org unit: no {what} has {label} {text!r}"

    # --- periods -----------------------------------------------------------------------------------------

    def _row_periods(self, table: pa.Table, seq: pa.Array, rejections: Rejections, row_bad: pa.Array):
        """Per row: ("id", ids) for period ids, ("date", dates) for dates, ("value", id) for a constant."""
        spec = self.mapping.period
        if spec.value:
            return ("value", spec.value, "period"), row_bad
        column = spec.column or spec.date_column
        cells, name = _cells(table, column)
        if cells is None:
            bad_rows, bad = _missing_column(table, column, seq, rejections)
            return ("date" if spec.date_column else "id", bad_rows, column), bad
        missing = pc.is_null(cells)
        what = "date" if spec.date_column else "period"
        rejections.add_where(missing, seq, name, f"required value missing: no {what} in column {name!r}")
        if spec.date_column:
            parsed, errors = parse_dates(cells, dayfirst=spec.dayfirst)
        else:
            parsed, errors = _parse_period_ids(cells)
        bad = _mask(len(cells), [index for index, _ in errors])
        if errors:
            positions = pa.array([index for index, _ in errors], pa.int64())
            rejections.add(pc.take(seq, positions), name, pa.array([message for _, message in errors], pa.string()))
        return ("date" if spec.date_column else "id", parsed, name), pc.or_(row_bad, pc.or_(missing, bad))

    def _with_periods(self, values: pa.Table, period: tuple, rows: pa.Array) -> pa.Table:
        form, data, field = period
        n = values.num_rows
        if form == "value":
            parsed = parse_period(data)
            ids = pa.repeat(pa.scalar(parsed.id), n)
            types = pa.repeat(pa.scalar(parsed.type.value), n)
            starts = pa.repeat(pa.scalar(parsed.start, pa.date32()), n)
            dates = pa.nulls(n, pa.date32())
        elif form == "id":
            ids = pc.take(data, rows)
            info = _period_info(ids)
            types, starts, dates = info["type"], info["start"], pa.nulls(n, pa.date32())
        else:
            dates = pc.take(data, rows)
            element_types = self.lookups.elements.column(
                "period_type", self.lookups.elements.positions(values["data_element"].combine_chunks()))
            ids, starts = _periods_of_dates(dates, element_types)
            types = element_types
        return values.append_column("period", ids).append_column("period_type", types) \
            .append_column("period_start", starts).append_column("date", dates) \
            .append_column("period_field", pa.repeat(pa.scalar(field), n))

    # --- values ------------------------------------------------------------------------------------------

    def _explode(self, table: pa.Table, seq: pa.Array, rejections: Rejections) -> pa.Table:
        """One row per value: row (position in the chunk), data_element, value, value_field."""
        if self.mapping.values:
            parts = [self._wide_column(table, column, code, seq, rejections)
                     for column, code in self.mapping.values.items()]
            parts = [part for part in parts if part is not None]
            if not parts:
                return _EXPLODED.empty_table()
            return pa.concat_tables(parts).combine_chunks()
        return self._long_values(table, seq, rejections)

    def _long_values(self, table: pa.Table, seq: pa.Array, rejections: Rejections) -> pa.Table:
        spec = self.mapping.data_element
        cells, de_name = _cells(table, spec.column)
        value_cells, value_name = _cells(table, self.mapping.value)
        bad = pa.repeat(pa.scalar(False), table.num_rows)
        if cells is None:
            _, bad = _missing_column(table, spec.column, seq, rejections)
            codes = pa.nulls(table.num_rows, pa.string())
        else:
            codes, bad = self._element_codes(cells, de_name, seq, rejections)
        if value_cells is None:
            _missing_column(table, self.mapping.value, seq, rejections)
            return _EXPLODED.empty_table()
        numbers, not_number = _numbers(value_cells, value_name, seq, rejections, required=True)
        keep = pc.invert(pc.or_(bad, not_number))
        return pa.table({
            "row": pa.array(np.arange(table.num_rows, dtype=np.int64)),
            "data_element": codes,
            "value": numbers,
            "value_field": pa.repeat(pa.scalar(value_name), table.num_rows),
        }, schema=_EXPLODED).filter(keep)

    def _element_codes(self, cells: pa.Array, name: str, seq: pa.Array, rejections: Rejections):
        encoded = pc.dictionary_encode(cells)
        distinct = encoded.dictionary
        mapped = pc.coalesce(_via_table(distinct, self.mapping.data_element.codes), distinct)
        known_codes = self.lookups.elements.codes
        exact = pc.is_in(mapped, value_set=known_codes)
        lowered = pc.utf8_lower(mapped)
        codes = pc.if_else(exact, mapped, pc.if_else(pc.is_in(lowered, value_set=known_codes), lowered, _NULL))
        reasons = [None if code is not None else _why_no_element(text, target)
                   for text, target, code in zip(distinct.to_pylist(), mapped.to_pylist(), codes.to_pylist(),
                                                 strict=True)]
        row_codes = pc.take(codes, encoded.indices)
        missing = pc.is_null(encoded.indices)
        rejections.add_where(missing, seq, name, f"required value missing: no data element in column {name!r}")
        unknown = pc.and_(pc.invert(missing), pc.is_null(row_codes))
        rejections.add_where(unknown, seq, name, pc.take(pa.array(reasons, pa.string()), encoded.indices))
        return row_codes, pc.or_(missing, unknown)

    def _wide_column(self, table: pa.Table, column: str, code: str, seq: pa.Array, rejections: Rejections):
        cells, name = _cells(table, column)
        required = column in self.mapping.required
        if cells is None:
            if required:
                _missing_column(table, column, seq, rejections)
            return None  # an optional value column the file lacks: nothing reported in it
        if code not in self._known_elements:
            filled = pc.is_valid(cells)
            rejections.add_where(filled, seq, name, f"unknown data element {code!r} (the mapping's value column "
                                                    f"{column!r}); add it to the catalogue or fix the mapping")
            return None
        numbers, not_number = _numbers(cells, name, seq, rejections, required=required)
        keep = pc.and_(pc.invert(not_number), pc.is_valid(numbers))
        n = table.num_rows
        return pa.table({
            "row": pa.array(np.arange(n, dtype=np.int64)),
            "data_element": pa.repeat(pa.scalar(code), n),
            "value": numbers,
            "value_field": pa.repeat(pa.scalar(name), n),
        }, schema=_EXPLODED).filter(keep)

    def _optional_column(self, table: pa.Table, column: str | None) -> pa.Array:
        if column is None:
            return pa.nulls(table.num_rows, pa.string())
        cells, _ = _cells(table, column)
        return pa.nulls(table.num_rows, pa.string()) if cells is None else cells


_NULL = pa.scalar(None, pa.string())
_EXPLODED = pa.schema([("row", pa.int64()), ("data_element", pa.string()), ("value", pa.float64()),
                       ("value_field", pa.string())])
_PERIOD_CODES = {ptype.value: number for number, ptype in enumerate(PeriodType)}


def _cells(table: pa.Table, column: str) -> tuple[pa.Array | None, str]:
    """The column named ``column`` (exact, else ignoring case and spacing), trimmed, blank cells null; and its
    name in the input."""
    names = [name for name in table.column_names if not name.startswith("_source_")]
    wanted = " ".join(column.split()).casefold()
    for name in [column, *[n for n in names if " ".join(n.split()).casefold() == wanted]]:
        if name in names:
            trimmed = pc.utf8_trim_whitespace(pc.cast(table[name].combine_chunks(), pa.string()))
            return pc.if_else(pc.fill_null(pc.equal(trimmed, ""), False), _NULL, trimmed), name
    return None, column


def _missing_column(table: pa.Table, column: str, seq: pa.Array, rejections: Rejections):
    columns = ", ".join(repr(n) for n in table.column_names if not n.startswith("_source_"))
    rejections.add(seq, column, f"the input has no column {column!r} (its columns: {columns or 'none'})")
    n = table.num_rows
    return pa.nulls(n, pa.string()), pa.repeat(pa.scalar(True), n)


def _via_table(distinct: pa.Array, table: dict[str, str]) -> pa.Array:
    if not table:
        return pa.nulls(len(distinct), pa.string())
    keys = pa.array([" ".join(k.split()) for k in table], pa.string())
    return pc.take(pa.array(list(table.values()), pa.string()), pc.index_in(distinct, value_set=keys))


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"


def _why_no_element(text: str, target: str) -> str:
    if target != text:
        return f"the mapping maps {text!r} to data element {target!r}, which is not in the catalogue"
    return f"unknown data element {text!r} (add it to the data_element codes table or the catalogue)"


def _numbers(cells: pa.Array, name: str, seq: pa.Array, rejections: Rejections, *, required: bool):
    numbers, errors = parse_numbers(cells)
    bad = _mask(len(cells), [index for index, _ in errors])
    if errors:
        positions = pa.array([index for index, _ in errors], pa.int64())
        reasons = pa.array([f"not a number: {message}" for _, message in errors], pa.string())
        rejections.add(pc.take(seq, positions), name, reasons)
    if required:
        empty = pc.and_(pc.is_null(numbers), pc.invert(bad))
        rejections.add_where(empty, seq, name, f"required value missing: column {name!r} is empty")
        bad = pc.or_(bad, empty)
    return numbers, bad


def _mask(n: int, positions: list[int]) -> pa.Array:
    mask = np.zeros(n, dtype=bool)
    mask[positions] = True
    return pa.array(mask)


def _parse_period_ids(cells: pa.Array) -> tuple[pa.Array, list[tuple[int, str]]]:
    """Canonical period ids (``FY 2026-27`` -> ``2026April``) and ``(index, message)`` for each bad cell."""
    encoded = pc.dictionary_encode(cells)
    canonical, reasons = [], []
    for text in encoded.dictionary.to_pylist():
        try:
            canonical.append(parse_period(text).id)
            reasons.append(None)
        except InvalidPeriod as error:
            canonical.append(None)
            reasons.append(f"{text!r} is not a period: {error.reason} (write it like 20261124, 2026W48, 202611, "
                           "2026Q3, 2026 or 2026April; for dates use date_column)")
    ids = pc.take(pa.array(canonical, pa.string()), encoded.indices)
    why = pc.take(pa.array(reasons, pa.string()), encoded.indices)
    bad = pc.indices_nonzero(pc.is_valid(why)).to_pylist()
    return ids, [(index, why[index].as_py()) for index in bad]


def _period_info(ids: pa.Array) -> dict[str, pa.Array]:
    encoded = pc.dictionary_encode(ids)
    periods = [parse_period(text) for text in encoded.dictionary.to_pylist()]
    return {
        "type": pc.take(pa.array([p.type.value for p in periods], pa.string()), encoded.indices),
        "start": pc.take(pa.array([p.start for p in periods], pa.date32()), encoded.indices),
    }


def _periods_of_dates(dates: pa.Array, period_types: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Period id and start for each (date, period type), computed once per distinct pair."""
    days = np.asarray(pc.cast(dates, pa.int32()).to_numpy(zero_copy_only=False), dtype=np.int64)
    type_codes = np.asarray(pc.take(pa.array(list(_PERIOD_CODES.values()), pa.int64()),
                                    pc.index_in(period_types, value_set=pa.array(list(_PERIOD_CODES)))
                                    ).to_numpy(zero_copy_only=False), dtype=np.int64)
    if len(days) == 0:
        return pa.array([], pa.string()), pa.array([], pa.date32())
    pairs, inverse = np.unique(days * 16 + type_codes, return_inverse=True)
    types = list(PeriodType)
    ids, starts = [], []
    for pair in pairs.tolist():
        period = period_of(date.fromordinal(date(1970, 1, 1).toordinal() + pair // 16), types[pair % 16])
        ids.append(period.id)
        starts.append(period.start)
    indices = pa.array(inverse.ravel())
    return pc.take(pa.array(ids, pa.string()), indices), pc.take(pa.array(starts, pa.date32()), indices)
