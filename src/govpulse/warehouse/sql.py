"""Rollup SQL for every SQL warehouse, built from the pure plan; a backend supplies only its ``Dialect``.

Tables (a backend creates them with its own types; names and columns are shared):

    value        de, ou, ptype, pstart, disagg, value, write_id, source_row, stored_at   -- leaf values
    rollup       de, ou, ptype, pstart, <STATS>, run                                     -- own time rollups
    org_unit     id, code, parent, path, level, kind, is_leaf
    org_ancestor ou, anc, depth                                                          -- depth 0 = self

What is stored, and why (measured on 2 cores, see ``bench/RESULTS.md``): a ``rollup`` row holds the
statistics of one org unit's *own* values over one coarse period (a village's month, a district office's
own quarter). Rows are kept clustered by (period, data element), so all rows of one (data element, period)
sit in one or two storage blocks; summing the rows of any subtree at read time then costs about as much as
reading one stored row would. So the tree is added up at read time (``queries.py``) and a rollup only has to
combine values over time, never write a row per ancestor: rollups get several times cheaper and a late
correction rewrites exactly the corrected org unit's rows. The native period is not stored at all: leaf
values are clustered the same way.

Only tiers computed straight from leaf values are stored (``plan.stored_tiers``: a daily element's week and
month); a quarter or a financial year is derived from the stored months at read time. A full run computes
the stored tiers one period at a time; an incremental run recomputes the affected own groups only: merged
with the new values where a group only gained new keys (``MODE_DELTA``), re-read from leaf values
otherwise (``MODE_RAW``), then written back in place (``apply_fresh``), which keeps the cluster order.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date

from govpulse.warehouse.plan import PERIOD_CODES, Tier

__all__ = [
    "Dialect",
    "STATS",
    "ROLLUP_COLUMNS",
    "MODE_DELTA",
    "MODE_RAW",
    "own_from_values",
    "delta_merge",
    "affected_groups",
    "insert_rollup",
    "recomputed",
    "apply_fresh",
    "CLUSTER_ORDER",
]

STATS = (
    "sum_v", "count_v", "min_v", "max_v", "last_v", "last_at", "first_v", "first_at", "avg_sum", "newest",
)
"""Statistics kept per rollup row (see ``core/aggregation.py`` for their meaning)."""

ROLLUP_COLUMNS = ("de", "ou", "ptype", "pstart", *STATS, "run")
CLUSTER_ORDER = "ptype, pstart, de, ou"
"""Physical order of rollup rows (and of each write's leaf values): what makes subtree reads cheap."""

MODE_DELTA, MODE_RAW = 0, 1


class Dialect(ABC):
    """What differs between SQL engines, in one place."""

    name: str

    @abstractmethod
    def period_start(self, code: int, day: str) -> str:
        """SQL for the first day of the period of type ``code`` that contains the date expression ``day``."""

    @abstractmethod
    def period_id(self, code: str, start: str) -> str:
        """SQL for the DHIS2 period id of a (type code, first day) pair of expressions."""

    @abstractmethod
    def arg_max(self, value: str, key: str) -> str:
        """SQL aggregate: ``value`` on the row with the largest ``key``."""

    @abstractmethod
    def arg_min(self, value: str, key: str) -> str:
        """SQL aggregate: ``value`` on the row with the smallest ``key``."""

    @abstractmethod
    def starts_with(self, text: str, prefix: str) -> str:
        """SQL boolean: string ``text`` starts with ``prefix`` (no LIKE: codes may contain ``_``)."""

    def date_literal(self, day: date) -> str:
        return f"DATE '{day.isoformat()}'"

    def filtered(self, aggregate: str, argument: str, condition: str) -> str:
        """An aggregate over the rows meeting ``condition`` only."""
        return f"{aggregate}({argument}) FILTER (WHERE {condition})"


def insert_rollup(select_sql: str, *, ordered_by_period: bool = False) -> str:
    """INSERT of a SELECT that yields ``ROLLUP_COLUMNS``, in cluster order (``ordered_by_period``: the
    SELECT covers one period, so ordering by element and org unit is enough)."""
    order = "de, ou" if ordered_by_period else CLUSTER_ORDER
    return f"INSERT INTO rollup ({', '.join(ROLLUP_COLUMNS)})\nSELECT * FROM (\n{select_sql}\n) ORDER BY {order}"


def _restrict_join(restrict: str | None, alias: str, code: int, start: str) -> str:
    if not restrict:
        return ""
    return (
        f"\n  JOIN {restrict} k ON k.de = {alias}.de AND k.ou = {alias}.ou AND k.ptype = {code} "
        f"AND k.pstart = {start}"
    )


def own_from_values(
    d: Dialect,
    tier: Tier,
    run: int,
    *,
    series: bool,
    where: str = "TRUE",
    restrict: str | None = None,
    within: tuple[date, date] | None = None,
) -> str:
    """Own rows of ``tier`` straight from leaf values.

    ``series``: each (org unit, disaggregation) is a series combined over time on its own, then the series
    are added up per org unit (needed once an element has disaggregations; right for any element).
    ``restrict``: a relation of (de, ou, ptype, pstart) groups to compute instead of every group.
    ``within``: (first day, last day) of one period of the tier: compute just that period (a full rollup
    goes period by period: smaller hash tables, and output already in cluster order).
    """
    code, native = PERIOD_CODES[tier.target], PERIOD_CODES[tier.native]
    if within is not None:
        start = d.date_literal(within[0])
        where = f"{where} AND v.pstart BETWEEN {start} AND {d.date_literal(within[1])}"
    else:
        start = d.period_start(code, "v.pstart")
    keys = "v.de, v.ou, v.disagg" if series else "v.de, v.ou"
    group = keys if within is not None else f"{keys}, {start}"
    grouped = (
        f"SELECT {keys}, {start} AS pstart,\n"
        "       sum(v.value) AS sum_v, count(*) AS count_v, min(v.value) AS min_v, max(v.value) AS max_v,\n"
        f"       {d.arg_max('v.value', 'v.pstart')} AS last_v, max(v.pstart) AS last_at,\n"
        f"       {d.arg_min('v.value', 'v.pstart')} AS first_v, min(v.pstart) AS first_at,\n"
        "       max(v.stored_at) AS newest\n"
        f"  FROM value v{_restrict_join(restrict, 'v', code, start)}\n"
        f" WHERE v.ptype = {native} AND {where}\n GROUP BY {group}"
    )
    if not series:
        return (
            f"SELECT de, ou, {code} AS ptype, pstart, sum_v, count_v, min_v, max_v, last_v, last_at,\n"
            f"       first_v, first_at, sum_v / count_v AS avg_sum, newest, {run} AS run\n  FROM ({grouped}) g"
        )
    return (
        f"SELECT de, ou, {code} AS ptype, pstart, sum(sum_v), sum(count_v), min(min_v), max(max_v),\n"
        "       sum(last_v), max(last_at), sum(first_v), min(first_at), sum(sum_v / count_v), max(newest),\n"
        f"       {run}\n  FROM ({grouped}) g\n GROUP BY de, ou, pstart"
    )


def delta_merge(
    d: Dialect, tier: Tier, run: int, *, watermark: int, restrict: str | None, days: tuple[date, date] | None = None
) -> str:
    """Own rows of ``tier`` for the ``restrict`` groups: the stored row merged with the leaf values written
    after ``watermark``. Valid only where those values are all new keys of single-series elements (nothing
    corrected): then sum and count add up and min, max, first and last compare. ``restrict`` None: every
    group the new values fall in (nothing was corrected and no element has disaggregations)."""
    new = own_from_values(d, tier, run, series=False, where=f"v.write_id > {watermark}", restrict=restrict)
    # (first, last) day of the tier periods the new values fall in: lets the engine skip other periods' rows
    stored = "" if days is None else (
        f"\n   AND o.ptype = {PERIOD_CODES[tier.target]} AND o.pstart BETWEEN {d.date_literal(days[0])} "
        f"AND {d.date_literal(days[1])}"
    )
    return (
        "SELECT n.de, n.ou, n.ptype, n.pstart,\n"
        "       coalesce(o.sum_v, 0) + n.sum_v AS sum_v, coalesce(o.count_v, 0) + n.count_v AS count_v,\n"
        "       least(o.min_v, n.min_v) AS min_v, greatest(o.max_v, n.max_v) AS max_v,\n"
        "       CASE WHEN o.last_at IS NULL OR n.last_at > o.last_at THEN n.last_v ELSE o.last_v END AS last_v,\n"
        "       greatest(o.last_at, n.last_at) AS last_at,\n"
        "       CASE WHEN o.first_at IS NULL OR n.first_at < o.first_at THEN n.first_v ELSE o.first_v END\n"
        "           AS first_v,\n"
        "       least(o.first_at, n.first_at) AS first_at,\n"
        "       (coalesce(o.sum_v, 0) + n.sum_v) / (coalesce(o.count_v, 0) + n.count_v) AS avg_sum,\n"
        f"       greatest(o.newest, n.newest) AS newest, {run} AS run, o.rowid AS old_row\n"
        f"  FROM ({new}) n\n"
        f"  LEFT JOIN rollup o ON o.de = n.de AND o.ou = n.ou AND o.ptype = n.ptype AND o.pstart = n.pstart{stored}"
    )


def recomputed(d: Dialect, tier: Tier, run: int, *, where: str, restrict: str) -> str:
    """Own rows of ``tier`` for the ``restrict`` groups re-read from leaf values, with the stored row's id."""
    fresh = own_from_values(d, tier, run, series=True, where=where, restrict=restrict)
    columns = ", ".join(f"n.{c}" for c in ROLLUP_COLUMNS)
    return (
        f"SELECT {columns}, o.rowid AS old_row\n  FROM ({fresh}) n({', '.join(ROLLUP_COLUMNS)})\n"
        "  LEFT JOIN rollup o ON o.de = n.de AND o.ou = n.ou AND o.ptype = n.ptype AND o.pstart = n.pstart"
    )


def affected_groups(d: Dialect, tiers: tuple[Tier, ...], changed: str) -> str:
    """Own groups (de, ou, ptype, pstart, mode) touched by the ``changed`` native keys
    (de, ou, ptype, pstart, corrected): ``MODE_RAW`` where a key was corrected or the element has
    disaggregations, ``MODE_DELTA`` where the group only gained new keys."""
    parts = []
    for tier in tiers:
        code = PERIOD_CODES[tier.target]
        start = d.period_start(code, "c.pstart")
        parts.append(
            f"SELECT c.de, c.ou, {code} AS ptype, {start} AS pstart,\n"
            f"       CASE WHEN bool_or(c.corrected) OR e.has_disaggs THEN {MODE_RAW} ELSE {MODE_DELTA} END AS mode\n"
            f"  FROM {changed} c JOIN data_element e ON e.id = c.de\n"
            f" WHERE c.ptype = {PERIOD_CODES[tier.native]}\n"
            f" GROUP BY c.de, c.ou, {start}, e.has_disaggs"
        )
    return "\nUNION ALL\n".join(parts)


def apply_fresh(fresh: str, bounds: str = "TRUE") -> tuple[str, str]:
    """Two statements writing the ``fresh`` rows (``ROLLUP_COLUMNS`` + ``old_row``): update in place where
    a row existed (keeping the cluster order), append the rest in cluster order. ``bounds``: a condition on
    ``rollup`` that holds for every row to update (lets the engine skip the rest)."""
    assignments = ", ".join(f"{c} = f.{c}" for c in (*STATS, "run"))
    update = f"UPDATE rollup SET {assignments} FROM {fresh} f WHERE rollup.rowid = f.old_row AND {bounds}"
    columns = ", ".join(ROLLUP_COLUMNS)
    insert = (
        f"INSERT INTO rollup ({columns})\nSELECT {columns} FROM {fresh} WHERE old_row IS NULL ORDER BY {CLUSTER_ORDER}"
    )
    return update, insert
