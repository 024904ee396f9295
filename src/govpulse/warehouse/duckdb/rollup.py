"""Running a rollup on DuckDB: the statements of ``warehouse/sql.py`` in order, in one transaction.

Full: every stored tier (``plan.stored_tiers``) of every native period type, from leaf values.
Incremental: the native keys written since the watermark, plus the keys corrected since, give the affected
own groups of each tier; those are merged or recomputed (``sql.MODE_*``) into ``fresh`` and written back in
place. Nothing else is touched: a late correction of one village's day rewrites that village's month,
quarter and year rows and nothing more (the tree is summed at read time).
"""

from __future__ import annotations

import time
from datetime import date

import duckdb

from govpulse.core.periods import Period, PeriodType, period_of
from govpulse.core.progress import NullProgress, Progress
from govpulse.warehouse.base import RollupResult
from govpulse.warehouse.duckdb.dialect import DuckDBDialect
from govpulse.warehouse.duckdb.schema import get_meta, set_meta
from govpulse.warehouse.plan import CODE_PERIODS, PERIOD_CODES, Tier, stored_tiers
from govpulse.warehouse.sql import (
    MODE_DELTA,
    MODE_RAW,
    affected_groups,
    apply_fresh,
    delta_merge,
    insert_rollup,
    own_from_values,
    recomputed,
)

__all__ = ["run_rollup"]

_D = DuckDBDialect()
_TEMP = ("chg", "aff", "fresh")


def run_rollup(
    con: duckdb.DuckDBPyConnection, kept: frozenset[PeriodType], *, full: bool, progress: Progress | None
) -> RollupResult:
    """Bring ``rollup`` up to date (see the module docstring). ``con`` is the writer connection."""
    progress = progress or NullProgress()
    began = time.perf_counter()
    full = full or get_meta(con, "needs_full") == "1" or get_meta(con, "watermark") is None
    con.execute("BEGIN TRANSACTION")
    try:
        run = int(get_meta(con, "run") or 0) + 1
        top = _scalar(con, "SELECT coalesce(max(id), 0) FROM write_log")
        natives = _natives(con)
        if full:
            leaf_values, written = _full(con, natives, kept, run, progress)
        else:
            leaf_values, written = _incremental(con, natives, kept, run, int(get_meta(con, "watermark")), progress)
        set_meta(con, "run", str(run))
        set_meta(con, "watermark", str(top))
        set_meta(con, "needs_full", "0")
        con.execute("DELETE FROM corrected")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in _TEMP:
            con.execute(f"DROP TABLE IF EXISTS temp.{name}")
    return RollupResult(full, leaf_values, written, time.perf_counter() - began)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchall()[0][0]


def _natives(con: duckdb.DuckDBPyConnection) -> dict[PeriodType, tuple[bool, bool]]:
    """Native period types in use, each with (has single-series elements, has elements with disaggregations)."""
    rows = con.execute(
        "SELECT ptype, bool_or(NOT has_disaggs), bool_or(has_disaggs) FROM data_element GROUP BY ptype"
    ).fetchall()
    return {CODE_PERIODS[code]: (bool(simple), bool(series)) for code, simple, series in rows}


def _elements(native: PeriodType, *, series: bool, alias: str) -> str:
    flag = "" if series else "NOT "
    return f"{alias}.de IN (SELECT id FROM data_element WHERE ptype = {PERIOD_CODES[native]} AND {flag}has_disaggs)"


CHUNK_ROWS = 4_000_000
"""Leaf values per rollup statement in a full run. A month of a large warehouse is cut into ranges of data
element ids (each a contiguous block of every day's values, since values are clustered by day and element):
aggregations whose hash tables fit in the CPU cache run 2-3x faster than one big one (measured)."""


def _full(
    con: duckdb.DuckDBPyConnection,
    natives: dict[PeriodType, tuple[bool, bool]],
    kept: frozenset[PeriodType],
    run: int,
    progress: Progress,
) -> tuple[int, int]:
    con.execute("DELETE FROM rollup")
    stored = con.execute("SELECT ptype, pstart, n FROM value_period ORDER BY ptype, pstart").fetchall()
    elements = _scalar(con, "SELECT coalesce(max(id), 0) + 1 FROM data_element")
    steps = []
    for native in natives:
        days = [(start, n) for code, start, n in stored if code == PERIOD_CODES[native]]
        for tier in stored_tiers(native, kept):
            sizes: dict[Period, int] = {}
            for day, n in days:
                period = period_of(day, tier.target)
                sizes[period] = sizes.get(period, 0) + n
            for period, size in sorted(sizes.items()):
                width = -(-elements // max(1, -(-size // CHUNK_ROWS)))  # ceiling divisions
                steps.extend((native, tier, period, low, low + width - 1) for low in range(0, elements, width))
    written = 0
    with progress.step("Rolling up over time", total=len(steps)) as step:
        for native, tier, period, low, high in steps:
            simple, series = natives[native]
            within = (period.start, period.end)
            chunk = f"v.de BETWEEN {low} AND {high}"
            if simple:
                where = chunk if not series else f"{chunk} AND NOT ({_elements(native, series=True, alias='v')})"
                select = own_from_values(_D, tier, run, series=False, where=where, within=within)
                written += _scalar(con, insert_rollup(select, ordered_by_period=True))
            if series:
                where = f"{chunk} AND {_elements(native, series=True, alias='v')}"
                select = own_from_values(_D, tier, run, series=True, where=where, within=within)
                written += _scalar(con, insert_rollup(select, ordered_by_period=True))
            step.advance()
    return _scalar(con, "SELECT count(*) FROM value"), written


def _incremental(
    con: duckdb.DuckDBPyConnection,
    natives: dict[PeriodType, tuple[bool, bool]],
    kept: frozenset[PeriodType],
    run: int,
    watermark: int,
    progress: Progress,
) -> tuple[int, int]:
    # Corrected values carry the correcting write's id: counting new ids counts each changed value once.
    leaf_values = _scalar(con, f"SELECT count(*) FROM value WHERE write_id > {watermark}")
    tiers = tuple(t for n in natives for t in stored_tiers(n, kept))
    if leaf_values == 0 or not tiers:
        return leaf_values, 0
    bounds = ["TRUE"]
    with progress.step("Finding what changed", total=None):
        if _only_new_single_series_keys(con, watermark):
            spans = _spans(con, tiers, watermark)
            parts = [
                delta_merge(_D, tier, run, watermark=watermark, restrict=None, days=span)
                for tier, span in spans.items()
            ]
            # one in-place update per tier, each limited to the tier periods the new values fall in
            bounds = [
                f"f.ptype = {PERIOD_CODES[t.target]} AND rollup.ptype = {PERIOD_CODES[t.target]} AND "
                f"rollup.pstart BETWEEN {_D.date_literal(low)} AND {_D.date_literal(high)}"
                for t, (low, high) in spans.items()
            ]
        else:
            con.execute(
                f"""CREATE TEMP TABLE chg AS
                SELECT de, ou, ptype, pstart, FALSE AS corrected FROM value WHERE write_id > {watermark}
                UNION ALL SELECT de, ou, ptype, pstart, TRUE FROM corrected"""
            )
            con.execute(f"CREATE TEMP TABLE aff AS {affected_groups(_D, tiers, 'chg')}")
            parts = [part for tier in tiers for part in _fresh_parts(con, tier, run, watermark)]
    with progress.step("Rolling up over time", total=len(bounds)) as step:
        if not parts:
            return leaf_values, 0
        con.execute(f"CREATE TEMP TABLE fresh AS {' UNION ALL '.join(parts)}")
        for bound in bounds:
            update, insert = apply_fresh("fresh", bound)
            con.execute(update)
            step.advance()
        con.execute(insert)
    return leaf_values, _scalar(con, "SELECT count(*) FROM fresh")


def _spans(con: duckdb.DuckDBPyConnection, tiers: tuple[Tier, ...], watermark: int) -> dict[Tier, tuple[date, date]]:
    """For each tier, the first day of the first and of the last tier period that new values fall in."""
    spans = {}
    for tier in tiers:
        low, high = con.execute(
            f"SELECT min(pstart), max(pstart) FROM value WHERE write_id > {watermark}"
            f" AND ptype = {PERIOD_CODES[tier.native]}"
        ).fetchall()[0]
        if low is not None:
            spans[tier] = (period_of(low, tier.target).start, period_of(high, tier.target).start)
    return spans


def _only_new_single_series_keys(con: duckdb.DuckDBPyConnection, watermark: int) -> bool:
    """The common daily case: nothing corrected and no disaggregated element among the new values, so every
    affected group only gained new keys and can be merged without classifying groups first."""
    if _scalar(con, "SELECT count(*) FROM corrected"):
        return False
    return not _scalar(
        con,
        f"""SELECT count(*) FROM (SELECT 1 FROM value WHERE write_id > {watermark}
              AND de IN (SELECT id FROM data_element WHERE has_disaggs) LIMIT 1)""",
    )


def _fresh_parts(con: duckdb.DuckDBPyConnection, tier: Tier, run: int, watermark: int) -> list[str]:
    """SELECTs of the fresh own rows of ``tier``: merged deltas, and groups re-read from leaf values."""
    code = PERIOD_CODES[tier.target]
    parts = []
    counts = dict(con.execute(f"SELECT mode, count(*) FROM aff WHERE ptype = {code} GROUP BY mode").fetchall())
    if counts.get(MODE_DELTA):
        restrict = f"(SELECT de, ou, ptype, pstart FROM aff WHERE mode = {MODE_DELTA} AND ptype = {code})"
        parts.append(delta_merge(_D, tier, run, watermark=watermark, restrict=restrict))
    if counts.get(MODE_RAW):
        low, high = con.execute(
            f"SELECT min(pstart), max(pstart) FROM aff WHERE mode = {MODE_RAW} AND ptype = {code}"
        ).fetchall()[0]
        restrict = f"(SELECT de, ou, ptype, pstart FROM aff WHERE mode = {MODE_RAW} AND ptype = {code})"
        where = f"v.pstart BETWEEN {_D.date_literal(low)} AND {_D.date_literal(_end(high, tier.target))}"
        parts.append(recomputed(_D, tier, run, where=where, restrict=restrict))
    return parts


def _end(start: date, ptype: PeriodType) -> date:
    return period_of(start, ptype).end
