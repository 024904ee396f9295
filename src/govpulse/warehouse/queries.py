"""Read SQL shared by the SQL warehouses: subtree statistics per (data element, org unit, period).

A read names target org units by id (already cut to the reader's scope by the caller, see
``dimensions.Dimensions.scoped``) and a list of ``Part``s: which elements, which periods, read from where
(``plan.base_for``). For each (element, target, period):

* the element's own (native) period: the leaf values of the target's subtree, summed;
* a stored tier (a month of a daily element): the ``rollup`` rows (one per org unit) of the subtree, summed;
* any other tier (a financial year): the stored finer rows (twelve months) of the subtree, combined per org
  unit over time first (last, first, average), then summed over org units.

Subtrees are found through ``org_ancestor`` (every org unit under the target, the target included); leaf
values and rollup rows are stored clustered by (period, data element), so one period of one element is one
or two storage blocks. Everything in
the SQL is an integer or a date the warehouse produced itself; the statements stay small because planning
time, not reading, dominates a drill-down query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from govpulse.core.enums import AggregationType, Combine
from govpulse.core.indicators import IndicatorSpec
from govpulse.core.periods import period_of
from govpulse.warehouse.plan import CODE_PERIODS
from govpulse.warehouse.sql import Dialect

__all__ = ["PeriodKey", "Part", "combine_key", "value_sql", "stats_sql", "indicator_sql", "value_expression"]

PeriodKey = tuple[int, date]
"""(period type code, first day)."""


def combine_key(over_time: Combine, over_org_units: Combine) -> str:
    """How a data element's combination rule is stored: ``"last/average"``."""
    return f"{over_time.value}/{over_org_units.value}"


_VALUE_BY_COMBINE = {
    (Combine.SUM, Combine.SUM): "s.sum_v",
    (Combine.AVERAGE, Combine.AVERAGE): "s.sum_v / s.count_v",
    (Combine.AVERAGE, Combine.SUM): "s.avg_sum",
    (Combine.LAST, Combine.SUM): "s.last_v",
    (Combine.LAST, Combine.AVERAGE): "s.last_v / s.reporting",
    (Combine.FIRST, Combine.SUM): "s.first_v",
    (Combine.FIRST, Combine.AVERAGE): "s.first_v / s.reporting",
    (Combine.MIN, Combine.MIN): "s.min_v",
    (Combine.MAX, Combine.MAX): "s.max_v",
    (Combine.COUNT, Combine.COUNT): "CAST(s.count_v AS DOUBLE)",
    (Combine.NONE, Combine.NONE): "CASE WHEN s.own_only AND s.count_v = 1 THEN s.sum_v END",
}


def value_expression(aggregation: dict[int, AggregationType]) -> str:
    """SQL for the DHIS2 value of a stats row ``s``, per data element id (see ``core/aggregation.py``)."""
    by_sql: dict[str, list[int]] = {}
    for de, agg in sorted(aggregation.items()):
        by_sql.setdefault(_VALUE_BY_COMBINE[(agg.over_time, agg.over_org_units)], []).append(de)
    if len(by_sql) == 1:
        return next(iter(by_sql))
    cases = " ".join(f"WHEN s.de IN ({_ids(des)}) THEN {sql}" for sql, des in by_sql.items())
    return f"CASE {cases} END"


def _ids(ids: Sequence[int]) -> str:
    return ", ".join(str(int(i)) for i in ids) if ids else "NULL"


def _days(d: Dialect, days: Sequence[date]) -> str:
    unique = sorted(set(days))
    listed = ", ".join(d.date_literal(day) for day in unique)
    return f"= {listed}" if len(unique) == 1 else f"IN ({listed})"


@dataclass(frozen=True)
class Part:
    """One way of reading subtree statistics: elements ``des``, periods of type ``target`` starting on
    ``starts``, read from ``base`` (a period type code: ``target`` itself means stored rows or leaf values
    as they are; a finer code means derived from those at read time). ``from_values``: the base is the
    elements' own period type, so rows come from ``value``; otherwise from ``rollup``. ``series``: some of
    the elements have disaggregations."""

    des: tuple[int, ...]
    target: int
    starts: tuple[date, ...]
    base: int
    from_values: bool
    series: bool = False


_OUTER = (
    "sum(x.sum_v) AS sum_v, sum(x.count_v) AS count_v, min(x.min_v) AS min_v, max(x.max_v) AS max_v, "
    "sum(x.last_v) AS last_v, sum(x.first_v) AS first_v, sum(x.avg_sum) AS avg_sum, count(*) AS reporting, "
    "max(x.newest) AS newest, FALSE AS own_only"
)


def _part_sql(d: Dialect, part: Part, targets: str) -> str:
    des = _ids(part.des)
    if part.base == part.target and not part.from_values:  # a stored tier: one row per org unit
        return f"""SELECT r.de, a.anc AS ou, r.ptype, r.pstart, sum(r.sum_v) AS sum_v, sum(r.count_v) AS count_v,
       min(r.min_v) AS min_v, max(r.max_v) AS max_v, sum(r.last_v) AS last_v, sum(r.first_v) AS first_v,
       sum(r.avg_sum) AS avg_sum, count(*) AS reporting, max(r.newest) AS newest, FALSE AS own_only
  FROM rollup r JOIN org_ancestor a ON a.ou = r.ou
 WHERE r.de IN ({des}) AND r.ptype = {part.target} AND r.pstart {_days(d, part.starts)} AND a.anc IN ({targets})
 GROUP BY r.de, a.anc, r.ptype, r.pstart"""
    if part.base == part.target:  # the native period: leaf values as they are
        units = "count(DISTINCT v.ou)" if part.series else "count(*)"
        return f"""SELECT v.de, a.anc AS ou, v.ptype, v.pstart, sum(v.value) AS sum_v, count(*) AS count_v,
       min(v.value) AS min_v, max(v.value) AS max_v, sum(v.value) AS last_v, sum(v.value) AS first_v,
       sum(v.value) AS avg_sum, {units} AS reporting, max(v.stored_at) AS newest,
       bool_and(a.depth = 0) AS own_only
  FROM value v JOIN org_ancestor a ON a.ou = v.ou
 WHERE v.de IN ({des}) AND v.ptype = {part.target} AND v.pstart {_days(d, part.starts)} AND a.anc IN ({targets})
 GROUP BY v.de, a.anc, v.ptype, v.pstart"""
    low, high = min(part.starts), max(part.starts)
    high_end = _last_day(d, part.target, high)
    if part.from_values:  # derived from leaf values: each series over time, then per org unit
        start = d.period_start(part.target, "v.pstart")
        per_unit = f"""SELECT de, anc, ou, pstart, sum(sum_v) AS sum_v, sum(count_v) AS count_v, min(min_v) AS min_v,
       max(max_v) AS max_v, sum(last_v) AS last_v, sum(first_v) AS first_v, sum(sum_v / count_v) AS avg_sum,
       max(newest) AS newest
  FROM (SELECT v.de, a.anc, v.ou, v.disagg, {start} AS pstart, sum(v.value) AS sum_v, count(*) AS count_v,
               min(v.value) AS min_v, max(v.value) AS max_v, {d.arg_max("v.value", "v.pstart")} AS last_v,
               {d.arg_min("v.value", "v.pstart")} AS first_v, max(v.stored_at) AS newest
          FROM value v JOIN org_ancestor a ON a.ou = v.ou
         WHERE v.de IN ({des}) AND v.ptype = {part.base} AND v.pstart BETWEEN {d.date_literal(low)} AND {high_end}
           AND a.anc IN ({targets})
         GROUP BY v.de, a.anc, v.ou, v.disagg, {start}) s
 GROUP BY de, anc, ou, pstart"""
    else:  # derived from a stored finer tier: one row per org unit and finer period
        start = d.period_start(part.target, "r.pstart")
        per_unit = f"""SELECT r.de, a.anc, r.ou, {start} AS pstart, sum(r.sum_v) AS sum_v, sum(r.count_v) AS count_v,
       min(r.min_v) AS min_v, max(r.max_v) AS max_v, {d.arg_max("r.last_v", "r.last_at")} AS last_v,
       {d.arg_min("r.first_v", "r.first_at")} AS first_v, sum(r.sum_v) / sum(r.count_v) AS avg_sum,
       max(r.newest) AS newest
  FROM rollup r JOIN org_ancestor a ON a.ou = r.ou
 WHERE r.de IN ({des}) AND r.ptype = {part.base} AND r.pstart BETWEEN {d.date_literal(low)} AND {high_end}
   AND a.anc IN ({targets})
 GROUP BY r.de, a.anc, r.ou, {start}"""
    return f"""SELECT x.de, x.anc AS ou, {part.target} AS ptype, x.pstart, {_OUTER}
  FROM ({per_unit}) x
 WHERE x.pstart {_days(d, part.starts)}
 GROUP BY x.de, x.anc, x.pstart"""


def _last_day(d: Dialect, code: int, start: date) -> str:
    return d.date_literal(period_of(start, CODE_PERIODS[code]).end)


def stats_sql(d: Dialect, targets: Sequence[int], parts: Sequence[Part]) -> str:
    """Subtree statistics rows (de, ou, ptype, pstart, sum_v, count_v, min_v, max_v, last_v, first_v,
    avg_sum, reporting, newest, own_only) for every combination that has data, one UNION part per way of
    reading (only the parts a request needs: planning, not reading, is what small queries spend time on)."""
    listed = _ids(targets)
    return "\nUNION ALL\n".join(_part_sql(d, part, listed) for part in parts)


def value_sql(
    d: Dialect, aggregation: dict[int, AggregationType], targets: Sequence[int], parts: Sequence[Part]
) -> str:
    """Rows (de, ou, ptype, pstart, value, sum_v, count_v, min_v, max_v, last_v, first_v, avg_sum,
    reporting, newest); period ids, codes and expected counts are added by the caller."""
    return f"""SELECT s.de, s.ou, s.ptype, s.pstart, {value_expression(aggregation)} AS value, s.sum_v, s.count_v,
       s.min_v, s.max_v, s.last_v, s.first_v, s.avg_sum, s.reporting, s.newest
  FROM ({stats_sql(d, targets, parts)}) s"""


def indicator_sql(
    d: Dialect,
    specs: Sequence[IndicatorSpec],
    aggregation: dict[int, AggregationType],
    de_ids: dict[str, int],
    targets: Sequence[int],
    parts: Sequence[Part],
) -> str:
    """Rows (indicator, ou, ptype, pstart, numerator, denominator, value, reporting, newest): one
    pivot of the data-element values per (org unit, period), then each indicator as SQL arithmetic."""
    values = value_sql(d, aggregation, targets, parts)
    columns = ",\n       ".join(
        f"{d.filtered('max', column, f'de = {i}')} AS {prefix}{i}"
        for i in sorted(aggregation)
        for prefix, column in (("v", "value"), ("r", "reporting"), ("n", "newest"))
    )
    selects = " UNION ALL ".join(_indicator_select(spec, de_ids) for spec in specs)
    return f"""WITH vals AS ({values}), wide AS (
SELECT ou, ptype, pstart,
       {columns}
  FROM vals GROUP BY ou, ptype, pstart
)
{selects}"""


def _indicator_select(spec: IndicatorSpec, de_ids: dict[str, int]) -> str:
    column: Callable[[str], str] = lambda key: f"v{de_ids[key]}"  # noqa: E731 - keys are plain codes here
    numerator = spec.numerator.to_sql(column, spec.constants)
    denominator = spec.denominator.to_sql(column, spec.constants)
    counted = sorted(spec.numerator.data_elements()) or sorted(spec.data_elements())
    all_ids = [de_ids[c] for c in sorted(spec.data_elements())]
    reporting = _greatest([f"r{de_ids[c]}" for c in counted])
    newest = _greatest([f"n{i}" for i in all_ids])
    present = " OR ".join(f"v{i} IS NOT NULL" for i in all_ids) or "FALSE"
    code = spec.code.replace("'", "''")
    ratio = f"({numerator}) / NULLIF(({denominator}), 0) * {float(spec.factor)!r}"
    return f"""SELECT '{code}' AS indicator, ou, ptype, pstart,
       CAST({numerator} AS DOUBLE) AS numerator, CAST({denominator} AS DOUBLE) AS denominator,
       round(CAST({ratio} AS DOUBLE), {int(spec.decimals)}) AS value,
       CAST({reporting} AS BIGINT) AS reporting, {newest} AS newest
  FROM wide WHERE {present}"""


def _greatest(columns: list[str]) -> str:
    if not columns:
        return "NULL"
    return columns[0] if len(columns) == 1 else f"greatest({', '.join(columns)})"
