"""Checking mapped values before they reach the warehouse; every rejection says why in plain words.

Per value (``check_values``): the period is not of the data element's period type; the period has not begun or
the date is in the future; the value is outside the data element's min/max; the value does not fit its value
type (whole number, positive, percentage, yes/no; the words come from ``ValueType.validate``).

Per batch: the same (data element, org unit, period, disaggregation) more than once (``find_duplicates``:
identical copies collapse into the first, different values are all rejected, since nobody can tell which is
right), and DHIS2-style validation rules between data elements (``check_rules``: ``left op right``, e.g.
``#{children_vaccinated} <= #{children_born}``, evaluated per org unit and period within the batch; a rule whose
values are not all present is skipped, as DHIS2's "skip if any value missing"; a failing rule rejects the
values it compared).

The checks work on whole columns (pyarrow compute, DuckDB for grouping), so a million values cost no Python
loop; only the rejected values get a message of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, model_validator

from govpulse.core.enums import ValueType
from govpulse.core.expressions import Expression, ExpressionError, parse_expression
from govpulse.ingest.rejections import Rejections

__all__ = ["ValidationRule", "check_rules", "check_values", "find_duplicates"]

Operator = Literal["<=", "<", ">=", ">", "==", "!="]
_OPERATOR = re.compile(r"(<=|>=|==|!=|<|>)")
_WORDS = {"<=": "at most", "<": "less than", ">=": "at least", ">": "more than", "==": "equal to",
          "!=": "different from"}
_SQL = {"==": "=", "!=": "<>"}

Locate = Callable[[list[int]], list[str]]
"""Turns batch row numbers (``seq``) into "file, row N" for messages that point at other rows."""


class ValidationRule(BaseModel):
    """``left operator right`` over data elements, e.g. ``#{children_vaccinated} <= #{children_born}``.

    In YAML either the text of the rule or ``{name: ..., rule: ...}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field("", description="How the rule is called in messages; default: its text.")
    left: str
    operator: Operator
    right: str

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            data = {"rule": data}
        if isinstance(data, dict) and "rule" in data:
            data = dict(data)
            text = str(data.pop("rule"))
            parts = _OPERATOR.split(text)
            if len(parts) != 3:
                raise ValueError(f"rule {text!r} must compare two expressions with one of <=, <, >=, >, ==, !=")
            data.update(left=parts[0].strip(), operator=parts[1], right=parts[2].strip())
        return data

    @model_validator(mode="after")
    def _expressions_parse(self) -> ValidationRule:
        for side in ("left", "right"):
            try:
                parse_expression(getattr(self, side))
            except ExpressionError as error:
                raise ValueError(f"rule {self.text!r}, {side} side: {error.message} (in {error.text!r})") from None
        return self

    @property
    def text(self) -> str:
        return f"{self.left} {self.operator} {self.right}"

    @property
    def label(self) -> str:
        return self.name or self.text

    def expressions(self) -> tuple[Expression, Expression]:
        return parse_expression(self.left), parse_expression(self.right)

    def data_elements(self) -> frozenset[str]:
        left, right = self.expressions()
        return left.data_elements() | right.data_elements()


# --- per value -------------------------------------------------------------------------------------------


def check_values(values: pa.Table, elements, today: date) -> tuple[pa.Array, pa.Table]:
    """A keep mask over ``values`` (``mapping.VALUES_SCHEMA``) and the rejections of the others.

    ``elements`` is the catalogue's ``ElementIndex``; ``today`` is the day in the source's time zone. Masks are
    computed over every value; messages only for the values they reject."""
    rejections = Rejections()
    columns = {name: _single(values[name]) for name in values.column_names}
    positions = elements.positions(columns["data_element"])
    columns["native"] = elements.column("period_type", positions)
    columns["low"] = elements.column("min_value", positions)
    columns["high"] = elements.column("max_value", positions)
    columns["value_type"] = elements.column("value_type", positions)
    bad = pa.repeat(pa.scalar(False), values.num_rows)

    def reject(mask: pa.Array, field: str, *parts: str) -> pa.Array:
        """Reject where ``mask``: the message joins texts and (names of) columns, for those rows only."""
        mask = pc.fill_null(mask, False)
        if pc.any(mask).as_py():
            picked = {name: pc.filter(column, mask) for name, column in columns.items()
                      if name in parts or name in ("seq", field)}
            reason = _join(*[picked[part] if part in picked else part for part in parts])
            rejections.add(picked["seq"], picked[field], reason)
        return mask

    stamp = pa.scalar(today, pa.date32())
    shown = today.isoformat()
    checks = [
        reject(pc.not_equal(columns["period_type"], columns["native"]), "period_field",
               "period ", "period", " is ", "period_type", ", but data element '", "data_element", "' is reported ",
               "native"),
        reject(pc.greater(columns["date"], stamp), "period_field",
               "date ", "date", f" is in the future (today is {shown})"),
        reject(pc.and_(pc.is_null(columns["date"]), pc.greater(columns["period_start"], stamp)), "period_field",
               "period ", "period", f" has not begun yet (today is {shown})"),
        reject(pc.less(columns["value"], columns["low"]), "value_field", "value ", "value", " is below the minimum ",
               "low", " allowed for data element '", "data_element", "'"),
        reject(pc.greater(columns["value"], columns["high"]), "value_field", "value ", "value",
               " is above the maximum ", "high", " allowed for data element '", "data_element", "'"),
    ]
    for mask in checks:
        bad = pc.or_(bad, mask)
    misfit = pc.and_(pc.invert(bad), _misfits(columns["value"], columns["value_type"]))
    if pc.any(misfit).as_py():
        picked = pc.indices_nonzero(misfit)
        reasons = [f"data element '{code}' takes {ValueType(kind).label.lower()} values: "
                   f"{ValueType(kind).validate(number)}"
                   for code, kind, number in zip(pc.take(columns["data_element"], picked).to_pylist(),
                                                 pc.take(columns["value_type"], picked).to_pylist(),
                                                 pc.take(columns["value"], picked).to_pylist(), strict=True)]
        rejections.add(pc.take(columns["seq"], picked), pc.take(columns["value_field"], picked),
                       pa.array(reasons, pa.string()))
        bad = pc.or_(bad, misfit)
    return pc.invert(bad), rejections.table()


def _single(column: pa.ChunkedArray) -> pa.Array:
    """The column as one array, without copying when it already is one chunk."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _misfits(value: pa.Array, value_types: pa.Array) -> pa.Array:
    """Where a value breaks its value type (the same rules as ``ValueType.validate``), as one mask."""
    whole = pc.equal(pc.floor(value), value)
    kinds = {kind: pc.fill_null(pc.equal(value_types, kind.value), False) for kind in ValueType}
    wrong = {
        ValueType.NUMBER: pa.repeat(pa.scalar(False), len(value)),
        ValueType.INTEGER: pc.invert(whole),
        ValueType.INTEGER_POSITIVE: pc.or_(pc.invert(whole), pc.less_equal(value, 0)),
        ValueType.INTEGER_ZERO_OR_POSITIVE: pc.or_(pc.invert(whole), pc.less(value, 0)),
        ValueType.PERCENTAGE: pc.or_(pc.invert(whole), pc.or_(pc.less(value, 0), pc.greater(value, 100))),
        ValueType.BOOLEAN: pc.invert(pc.is_in(value, value_set=pa.array([0.0, 1.0]))),
    }
    result = pa.repeat(pa.scalar(False), len(value))
    for kind, mask in kinds.items():
        result = pc.or_(result, pc.and_(mask, pc.fill_null(wrong[kind], False)))
    return result


def _join(*parts: str | pa.Array) -> pa.Array:
    """Concatenate texts and columns element-wise (numbers as people write them; a null part gives "")."""
    arrays = [part if isinstance(part, str) else _text(part) for part in parts]
    return pc.binary_join_element_wise(*arrays, "")


def _text(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_floating(column.type):
        column = _number_text(column)
    elif pa.types.is_date(column.type):
        column = pc.strftime(column, format="%Y-%m-%d")
    return pc.fill_null(pc.cast(column, pa.string()), "")


def _number_text(value: pa.Array) -> pa.Array:
    """Numbers as people write them: 12 rather than 12.0."""
    text = pc.cast(value, pa.string())
    return pc.replace_substring_regex(text, pattern=r"\.0$", replacement="")


# --- per batch -------------------------------------------------------------------------------------------

_KEY = "data_element, org_unit, period, coalesce(disaggregation, '')"


def find_duplicates(values: pa.Table, locate: Locate | None = None) -> tuple[pa.Array, pa.Table, int]:
    """A keep mask, the rejections, and how many identical copies were collapsed into their first row."""
    keep = np.ones(values.num_rows, dtype=bool)
    rejections = Rejections()
    if values.num_rows < 2:
        return pa.array(keep), rejections.table(), 0
    con = duckdb.connect()
    try:
        con.register("v", _with_positions(values))
        distinct = con.execute(f"SELECT count(DISTINCT hash({_KEY})) FROM v").fetchone()[0]
        if distinct == values.num_rows:  # the usual case: no two values share a key (hash collisions aside)
            return pa.array(keep), rejections.table(), 0
        groups = con.execute(
            f"""SELECT list(pos ORDER BY seq, pos), list(seq ORDER BY seq, pos), list(value ORDER BY seq, pos),
                       min(value) = max(value), any_value(data_element), any_value(org_unit), any_value(period)
                  FROM v GROUP BY {_KEY} HAVING count(*) > 1"""
        ).fetchall()
    finally:
        con.close()
    collapsed = 0
    seqs_out, fields_out, reasons_out = [], [], []
    field = values["value_field"].combine_chunks()
    for positions, seqs, numbers, same, element, unit, period in groups:
        if same:
            keep[positions[1:]] = False
            collapsed += len(positions) - 1
            continue
        keep[positions] = False
        places = locate(seqs) if locate else [f"batch row {s}" for s in seqs]
        shown = ", ".join(f"{_show(n)} ({place})" for n, place in zip(numbers, places, strict=True))
        for position, seq in zip(positions, seqs, strict=True):
            seqs_out.append(seq)
            fields_out.append(field[position].as_py())
            reasons_out.append(f"data element '{element}', org unit '{unit}', period {period} is given "
                               f"{len(positions)} times in this batch with different values: {shown}; "
                               "all of them are rejected")
    if seqs_out:
        rejections.add(pa.array(seqs_out, pa.int64()), pa.array(fields_out, pa.string()),
                       pa.array(reasons_out, pa.string()))
    return pa.array(keep), rejections.table(), collapsed


def check_rules(values: pa.Table, rules: list[ValidationRule]) -> tuple[pa.Array, pa.Table]:
    """A keep mask and the rejections of values that take part in a failing rule (per org unit and period)."""
    keep = np.ones(values.num_rows, dtype=bool)
    rejections = Rejections()
    if not rules or values.num_rows == 0:
        return pa.array(keep), rejections.table()
    con = duckdb.connect()
    try:
        con.register("v", _with_positions(values))
        for rule in rules:
            _check_rule(con, rule, keep, rejections)
    finally:
        con.close()
    return pa.array(keep), rejections.table()


def _check_rule(con: duckdb.DuckDBPyConnection, rule: ValidationRule, keep: np.ndarray, rejections: Rejections):
    left, right = rule.expressions()
    refs = {ref.key: ref for ref in (*left.references(), *right.references())}
    if not refs:
        return
    column = {key: f'"k{i}"' for i, key in enumerate(refs)}
    pivots = ", ".join(
        f"sum(value) FILTER (WHERE data_element = {_quote(ref.code)}"
        + (f" AND disaggregation = {_quote(ref.disaggregation)}" if ref.disaggregation else "")
        + f") AS {column[key]}"
        for key, ref in refs.items()
    )
    codes = ", ".join(_quote(code) for code in {ref.code for ref in refs.values()})
    left_sql, right_sql = left.to_sql(column.__getitem__), right.to_sql(column.__getitem__)
    operator = _SQL.get(rule.operator, rule.operator)
    failing = con.execute(
        f"""WITH p AS (SELECT org_unit, period, {pivots} FROM v WHERE data_element IN ({codes})
                       GROUP BY org_unit, period),
                 x AS (SELECT org_unit, period, {left_sql} AS l, {right_sql} AS r FROM p
                        WHERE NOT ({left_sql} {operator} {right_sql}))
            SELECT v.pos, v.seq, v.value_field, v.org_unit, v.period, x.l, x.r
              FROM v JOIN x USING (org_unit, period) WHERE v.data_element IN ({codes})
             ORDER BY v.seq"""
    ).fetchall()
    if not failing:
        return
    reasons = [f"fails validation rule '{rule.label}' at org unit '{unit}', period {period}: "
               f"{rule.left} = {_show(l)} is not {_WORDS[rule.operator]} {rule.right} = {_show(r)}"
               for _, _, _, unit, period, l, r in failing]
    positions = [row[0] for row in failing]
    keep[positions] = False
    rejections.add(pa.array([row[1] for row in failing], pa.int64()), pa.array([row[2] for row in failing]),
                   pa.array(reasons, pa.string()))


def _with_positions(values: pa.Table) -> pa.Table:
    columns = ["seq", "data_element", "org_unit", "period", "disaggregation", "value", "value_field"]
    table = values.select(columns)
    return table.append_column("pos", pa.array(np.arange(values.num_rows, dtype=np.int64)))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _show(number: float | None) -> str:
    if number is None:
        return "nothing"
    return str(int(number)) if float(number).is_integer() else f"{number:g}"
