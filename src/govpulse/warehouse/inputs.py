"""Checking and normalising the Arrow tables handed to the warehouse (pure pyarrow, no database).

Every backend calls these before touching its store, so a malformed table fails the same way everywhere,
with an error naming the column and the rows. Row numbers are 0-based positions in the table given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from govpulse.core.enums import AggregationType, ChoiceError
from govpulse.core.periods import InvalidPeriod, PeriodType, parse_period
from govpulse.warehouse.errors import InvalidInput, InvalidPeriods, TreeConflict, UnknownCodes
from govpulse.warehouse.plan import PERIOD_CODES

__all__ = [
    "TOTAL",
    "normalise_org_units",
    "normalise_data_elements",
    "normalise_values",
    "lookup_ids",
    "encode_periods",
    "check_period_types",
    "rows_where",
]

TOTAL = "total"
"""The disaggregation of a value that has none."""

_SHOWN = 5


def rows_where(mask: pa.Array, limit: int = _SHOWN) -> list[int]:
    """Positions where a boolean array is true (at most ``limit``)."""
    positions = np.flatnonzero(np.asarray(mask.fill_null(False).to_numpy(zero_copy_only=False)))
    return [int(p) for p in positions[:limit]]


def _require(table: pa.Table, what: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise InvalidInput(
            f"{what} table lacks column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(it has: {', '.join(table.column_names) or 'none'})"
        )


def _no_nulls(table: pa.Table, what: str, columns: tuple[str, ...]) -> None:
    for name in columns:
        column = table.column(name)
        if column.null_count:
            rows = rows_where(pc.is_null(column.combine_chunks()))
            raise InvalidInput(f"{what}: column {name} is empty in {_describe(rows, column.null_count)}")


def _describe(rows: list[int], total: int) -> str:
    listed = ", ".join(map(str, rows))
    return f"row {listed}" if total == 1 else f"{total} rows ({listed}{', ...' if total > len(rows) else ''})"


def _cast(table: pa.Table, what: str, name: str, to: pa.DataType) -> pa.ChunkedArray:
    column = table.column(name)
    if pa.types.is_dictionary(column.type) and pa.types.is_string(to):
        return column  # kept dictionary-encoded: codes are looked up once per distinct value
    try:
        return column.cast(to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise InvalidInput(f"{what}: column {name} cannot be read as {to}: {error}") from None


# --- org units ----------------------------------------------------------------------------------------


def normalise_org_units(table: pa.Table) -> pa.Table:
    """code, parent_code, path, level, kind; checked to be one consistent tree (or forest)."""
    what = "org units"
    _require(table, what, ("code", "parent_code", "path", "level", "kind"))
    out = pa.table(
        {
            "code": _cast(table, what, "code", pa.string()),
            "parent_code": _cast(table, what, "parent_code", pa.string()),
            "path": _cast(table, what, "path", pa.string()),
            "level": _cast(table, what, "level", pa.int32()),
            "kind": _cast(table, what, "kind", pa.string()),
        }
    )
    _no_nulls(out, what, ("code", "path", "level", "kind"))
    _check_tree(out.to_pydict())
    return out


def _check_tree(rows: Mapping[str, list[Any]]) -> None:
    """Each path is the parent's path plus the code, each level the parent's plus one."""
    by_code: dict[str, int] = {}
    for i, code in enumerate(rows["code"]):
        if code in by_code:
            raise TreeConflict(f"org unit code {code!r} appears twice (rows {by_code[code]} and {i})")
        by_code[code] = i
    for i, code in enumerate(rows["code"]):
        parent = rows["parent_code"][i]
        if parent is None:
            expected_path, expected_level = f"/{code}/", 1
        elif parent not in by_code:
            raise TreeConflict(f"org unit {code!r} (row {i}) has parent {parent!r}, which is not in the table")
        else:
            j = by_code[parent]
            expected_path, expected_level = f"{rows['path'][j]}{code}/", rows["level"][j] + 1
        if rows["path"][i] != expected_path or rows["level"][i] != expected_level:
            raise TreeConflict(
                f"org unit {code!r} (row {i}) has path {rows['path'][i]!r} and level {rows['level'][i]}; "
                f"its parent makes them {expected_path!r} and {expected_level}"
            )


# --- data elements ------------------------------------------------------------------------------------


def normalise_data_elements(table: pa.Table) -> list[dict[str, Any]]:
    """One dict per data element: code, aggregation_type, period_type (enums), reported_at (list of kinds)."""
    what = "data elements"
    _require(table, what, ("code", "aggregation_type", "period_type"))
    _no_nulls(table, what, ("code", "aggregation_type", "period_type"))
    codes = table.column("code").to_pylist()
    kinds = table.column("reported_at").to_pylist() if "reported_at" in table.column_names else [None] * len(codes)
    result = []
    seen: set[str] = set()
    for i, (code, agg, ptype) in enumerate(
        zip(codes, table.column("aggregation_type").to_pylist(), table.column("period_type").to_pylist())
    ):
        if code in seen:
            raise InvalidInput(f"{what}: code {code!r} appears twice (row {i})")
        seen.add(code)
        result.append(
            {
                "code": str(code),
                "aggregation_type": _parse(AggregationType.parse, agg, what, "aggregation_type", i),
                "period_type": _parse(_period_type, ptype, what, "period_type", i),
                "reported_at": [str(k) for k in (kinds[i] or [])],
            }
        )
    return result


def _period_type(text: str) -> PeriodType:
    try:
        return PeriodType(text)
    except ValueError:
        accepted = ", ".join(p.value for p in PeriodType)
        raise ValueError(f"unknown period type {text!r}; accepted values are: {accepted}") from None


def _parse(parse: Callable[[str], Any], text: Any, what: str, column: str, row: int) -> Any:
    try:
        return parse(str(text))
    except (ValueError, ChoiceError) as error:
        raise InvalidInput(f"{what}: column {column}, row {row}: {error}") from None


# --- values -------------------------------------------------------------------------------------------


def normalise_values(table: pa.Table) -> pa.Table:
    """data_element, org_unit, period, disaggregation, value, source_row, stored_at: filled and checked.

    Missing optional columns get their defaults (disaggregation "total", source_row = position in the
    table); stored_at stays empty where not given (the writer fills in the time of the write). Empty or
    non-finite values are refused, naming the rows.
    """
    what = "values"
    _require(table, what, ("data_element", "org_unit", "period", "value"))
    n = table.num_rows
    columns = {
        "data_element": _cast(table, what, "data_element", pa.string()),
        "org_unit": _cast(table, what, "org_unit", pa.string()),
        "period": _cast(table, what, "period", pa.string()),
        "disaggregation": (
            _cast(table, what, "disaggregation", pa.string()).fill_null(TOTAL)
            if "disaggregation" in table.column_names
            else pa.chunked_array([pa.DictionaryArray.from_arrays(np.zeros(n, np.int32), pa.array([TOTAL]))])
        ),
        "value": _cast(table, what, "value", pa.float64()),
        "source_row": (
            _cast(table, what, "source_row", pa.int64())
            if "source_row" in table.column_names
            else pa.chunked_array([pa.array(np.arange(n, dtype=np.int64))])
        ),
        # Left empty where not given: the writer stores the write's own time (``now``) there.
        "stored_at": (
            _cast(table, what, "stored_at", pa.timestamp("us"))
            if "stored_at" in table.column_names
            else pa.chunked_array([pa.nulls(n, pa.timestamp("us"))])
        ),
    }
    out = pa.table(columns)
    _no_nulls(out, what, ("data_element", "org_unit", "period", "value"))
    finite = pc.is_finite(out.column("value"))
    if n and not pc.all(finite).as_py():
        bad = pc.invert(finite.combine_chunks())
        count = int(pc.sum(bad.cast(pa.int64())).as_py())
        raise InvalidInput(f"values: column value is not a finite number in {_describe(rows_where(bad), count)}")
    return out


def lookup_ids(column: pa.ChunkedArray, codes: pa.Array, ids: pa.Array, kind: str) -> pa.Array:
    """Map each code in ``column`` to its id (``ids[i]`` is the id of ``codes[i]``); raise ``UnknownCodes``
    naming codes not in ``codes`` with the rows they are on.

    Dictionary-encoded columns are looked up once per distinct code, then expanded by index.
    """
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(array.type):
        mapped = pc.take(ids, pc.index_in(array.dictionary.cast(pa.string()), value_set=codes))
        result = pc.take(mapped, array.indices)
    else:
        result = pc.take(ids, pc.index_in(array, value_set=codes))
    if result.null_count:
        missing = pc.is_null(result)
        positions = np.flatnonzero(np.asarray(missing.to_numpy(zero_copy_only=False)))
        examples: dict[str, list[int]] = {}
        for position in positions[:10_000]:
            code = array[int(position)].as_py()
            if code in examples:
                if len(examples[code]) < _SHOWN:
                    examples[code].append(int(position))
            elif len(examples) < _SHOWN:
                examples[code] = [int(position)]
        total = len(pc.unique(pc.filter(array, missing)))
        raise UnknownCodes(kind, examples, total)
    return result


def encode_periods(column: pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """(type code uint8, first day date32) for each period id; ``InvalidPeriods`` names ids that do not
    parse. Each distinct id is parsed once."""
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    encoded = array if pa.types.is_dictionary(array.type) else pc.dictionary_encode(array)
    texts = encoded.dictionary.cast(pa.string()).to_pylist()
    codes, starts, problems = [], [], {}
    for text in texts:
        try:
            period = parse_period(text)
        except InvalidPeriod as error:
            problems[text] = error.reason
            codes.append(None)
            starts.append(None)
            continue
        codes.append(PERIOD_CODES[period.type])
        starts.append(period.start)
    if problems:
        raise InvalidPeriods(_period_rows(array, problems), len(problems))
    indices = encoded.indices
    return (
        pc.take(pa.array(codes, pa.uint8()), indices),
        pc.take(pa.array(starts, pa.date32()), indices),
    )


def _period_rows(array: pa.Array, problems: dict[str, str]) -> dict[str, tuple[str, list[int]]]:
    shown = dict(list(problems.items())[:_SHOWN])
    result = {}
    for text, why in shown.items():
        mask = pc.equal(array.cast(pa.string()), pa.scalar(text, pa.string()))
        result[text] = (why, rows_where(mask))
    return result


def check_period_types(
    period_codes: pa.Array, element_ids: pa.Array, native_code_by_id: pa.Array, column: pa.ChunkedArray,
    elements: pa.ChunkedArray,
) -> None:
    """Refuse values whose period is not their data element's own period type (that would count twice
    once rolled up), naming the data elements, the periods and the rows."""
    expected = pc.take(native_code_by_id, element_ids)
    wrong = pc.not_equal(period_codes, expected)
    if not pc.any(wrong).as_py():
        return
    rows = rows_where(wrong)
    problems: dict[str, tuple[str, list[int]]] = {}
    for row in rows:
        pid, de = column[row].as_py(), elements[row].as_py()
        native = [p for p, c in PERIOD_CODES.items() if c == expected[row].as_py()][0]
        why = f"data element {de!r} is reported {native.value}, not {parse_period(pid).type.value}"
        problems.setdefault(pid, (why, []))[1].append(row)
    raise InvalidPeriods(problems, len(pc.unique(pc.filter(column.combine_chunks(), wrong))))
