"""Evaluation of indicator values read from the warehouse: cells with target, RAG status, score, trend,
coverage and staleness. Shared by the scorecard, the department summaries, the headline KPIs and rankings.

**Stale data.** A figure is stale when the data behind it stopped coming: the newest period with any data at
that org unit (of the type its numerator is reported in) ended longer ago than that type allows, and the
figure's own period runs past it (so the figure is missing what stopped coming). Allowed silence after the end
of the newest period with data (``ALLOWED_SILENCE``): a day 2 days (nothing for 3 days is stale), a week 10
days, a month 45 days, a quarter 120 days, a half-year 210 days, a year 400 days. The newest *period* is
judged, not the newest ``stored_at``: a correction to an old period refreshes ``stored_at`` without bringing
anything new, while the period of the newest row says whether new figures keep coming. ``stored_at`` is
still shown with every cell, as its freshness. ``today`` is always passed in, never read from the clock here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govpulse.analytics.evaluation_models import CellOut, StatusOut, Trend
from govpulse.analytics.indicator_catalogue import EvalIndicator
from govpulse.analytics.read_cache import ReadCache, cache_for, spec_key
from govpulse.analytics.targets import TargetBook
from govpulse.analytics.values import period_ref, visible_paths
from govpulse.catalog.models import OrgUnit
from govpulse.core.enums import Polarity, Rag
from govpulse.core.evaluation import rag_status, target_score
from govpulse.core.periods import Period, PeriodType, period_of, periods_between
from govpulse.core.scope import Scope
from govpulse.warehouse import Warehouse

__all__ = [
    "ALLOWED_SILENCE",
    "STALENESS_RULE",
    "ValueKey",
    "applies",
    "kinds_below",
    "make_cell",
    "read_evaluated",
    "read_values",
    "stale_cells",
    "stale_in",
    "stale_windows",
    "status_of",
    "trend_of",
]

ValueKey = tuple[str, str, str]
"""(indicator code, org-unit code, period id)."""

ALLOWED_SILENCE: dict[PeriodType, int] = {
    PeriodType.DAILY: 2,
    PeriodType.WEEKLY: 10,
    PeriodType.MONTHLY: 45,
    PeriodType.QUARTERLY: 120,
    PeriodType.SIXMONTHLY: 210,
    PeriodType.YEARLY: 400,
    PeriodType.FINANCIAL_APRIL: 400,
}
"""Days allowed between the end of the newest period with data and today, by the type data comes in."""

_LOOKBACK: dict[PeriodType, int] = {PeriodType.DAILY: 62, PeriodType.WEEKLY: 12, PeriodType.MONTHLY: 6}
"""At most this many of the newest periods are read to judge staleness (2 for coarser types)."""

STALENESS_RULE = (
    "Stale: nothing newer has come for longer than its reporting period allows (a day 2 days, a week 10, a "
    "month 45, a quarter 120, a year 400 days after the end of the newest period with data), and the figure's "
    "period runs past the newest data."
)

BATCH = 6
"""Indicators per warehouse query: measured on the demo state, batches of 5-8 read fastest, for one org unit as
for many (the query pivots every data element of the batch, so larger batches cost more than they save)."""


# --- reads ----------------------------------------------------------------------------------------------


def read_values(
    warehouse: Warehouse,
    scope: Scope,
    wanted: Iterable[tuple[EvalIndicator, Sequence[Period]]],
    *,
    org_units: Sequence[str] | None = None,
    parent: str | None = None,
    paths: Mapping[str, str] | None = None,
) -> dict[ValueKey, dict]:
    """Warehouse rows (``INDICATOR_SCHEMA`` as dicts) for each indicator at its periods, at ``org_units`` or
    at the children of ``parent``, each read within the subtrees where the reader sees its department
    (indicators of departments the reader sees in the same subtrees are read together).

    With ``paths`` (the path of every code in ``org_units``) the warehouse's answers are kept and reused
    while its data stays the same (``read_cache``); the rows are the same either way, and are shared:
    read them, never change them."""
    if paths is None or org_units is None:
        return _read(warehouse, scope, wanted, org_units=org_units, parent=parent)
    return _read_kept(warehouse, scope, list(wanted), org_units, paths)


def _read(
    warehouse: Warehouse,
    scope: Scope,
    wanted: Iterable[tuple[EvalIndicator, Sequence[Period]]],
    *,
    org_units: Sequence[str] | None = None,
    parent: str | None = None,
) -> dict[ValueKey, dict]:
    groups: dict[tuple[tuple[str, ...] | None, tuple[str, ...]], list[EvalIndicator]] = {}
    for indicator, periods in wanted:
        ids = tuple(dict.fromkeys(p.id for p in periods))
        paths = visible_paths(scope, indicator.department)
        if ids:
            groups.setdefault((None if paths is None else tuple(paths), ids), []).append(indicator)
    found: dict[ValueKey, dict] = {}
    for (paths, ids), indicators in groups.items():
        for start in range(0, len(indicators), BATCH):
            specs = [i.spec for i in indicators[start:start + BATCH]]
            table = warehouse.indicator_values(specs, list(ids), org_units=org_units, parent_org_unit=parent,
                                               scope_paths=None if paths is None else list(paths))
            for row in table.to_pylist():
                found[(row["indicator"], row["org_unit"], row["period"])] = row
    return found


def _read_kept(warehouse: Warehouse, scope: Scope, wanted: list[tuple[EvalIndicator, Sequence[Period]]],
               org_units: Sequence[str], paths: Mapping[str, str]) -> dict[ValueKey, dict]:
    """``read_values`` through the warehouse's read cache: kept answers for the org units the reader sees
    the indicator's department in, one warehouse read for the rest (then kept too)."""
    version = warehouse.data_version()  # before reading: nothing is kept under a version older than it is
    cache = cache_for(warehouse)
    found: dict[ValueKey, dict] = {}
    missing: dict[tuple[str, ...], list[tuple[EvalIndicator, tuple[Period, ...]]]] = {}
    for indicator, periods in wanted:
        units = _units_seen(scope, indicator.department, org_units, paths)
        if units and periods:
            lacking_units, lacking_periods = _look_up(cache, version, indicator, units, periods, found)
            if lacking_units:
                missing.setdefault(lacking_units, []).append((indicator, lacking_periods))
    for units, group in missing.items():
        rows = _read(warehouse, scope, group, org_units=list(units))
        for indicator, periods in group:
            pids = [p.id for p in periods]
            answers = {(unit, pid): rows.get((indicator.code, unit, pid)) for unit in units for pid in pids}
            cache.put(version, spec_key(indicator), answers)
            found.update({(indicator.code, unit, pid): row for (unit, pid), row in answers.items() if row})
    return found


def _look_up(cache: ReadCache, version: str, indicator: EvalIndicator, units: Sequence[str],
             periods: Sequence[Period], found: dict[ValueKey, dict]) -> tuple[tuple[str, ...], tuple[Period, ...]]:
    """Put the kept rows of ``indicator`` into ``found``; return the org units and periods lacking an answer."""
    ids = {period.id: period for period in periods}  # an id is worked out anew on every access
    pairs = [(unit, pid) for unit in units for pid in ids]
    kept = cache.answers(version, spec_key(indicator), pairs)
    lacking_units: dict[str, None] = {}
    lacking_periods: dict[str, Period] = {}
    for unit, pid in pairs:
        if (unit, pid) not in kept:
            lacking_units[unit] = None
            lacking_periods[pid] = ids[pid]
        elif (row := kept[(unit, pid)]) is not None:
            found[(indicator.code, unit, pid)] = row
    return tuple(lacking_units), tuple(lacking_periods.values())


def _units_seen(scope: Scope, department: str, org_units: Sequence[str], paths: Mapping[str, str]) -> list[str]:
    """The org units among ``org_units`` where the reader sees ``department`` (what the warehouse keeps)."""
    visible = visible_paths(scope, department)
    if visible is None:
        return list(dict.fromkeys(org_units))
    prefixes = tuple(visible)
    return [unit for unit in dict.fromkeys(org_units) if prefixes and paths[unit].startswith(prefixes)]


# --- staleness ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaleWindow:
    """The newest periods of one reporting type that must hold some data for figures of ``period`` to be
    fresh; ``periods`` is empty when the figure's period ended before the window (history: never stale)."""

    periods: tuple[Period, ...]


def stale_window(reporting: PeriodType, period: Period, today: date) -> StaleWindow:
    """Periods of type ``reporting`` from the one holding min(today - allowed silence, end of ``period``) up to
    today's; at most ``_LOOKBACK`` of the newest (older figures are history and are not judged)."""
    overdue = today - timedelta(days=ALLOWED_SILENCE[reporting])
    first = period_of(min(overdue, period.end), reporting)
    periods = periods_between(first.start, today, reporting)
    newest = periods[-_LOOKBACK.get(reporting, 2):]
    if not newest or newest[0].start > first.start and period.end < newest[0].start:
        return StaleWindow(())
    return StaleWindow(tuple(newest))


def stale_windows(cells: Iterable[tuple[EvalIndicator, Period]], today: date) -> dict[str, StaleWindow]:
    """The window each indicator's figures are judged on, by indicator code (history has none)."""
    windows: dict[str, StaleWindow] = {}
    for indicator, period in cells:
        window = stale_window(indicator.reporting_type, period, today)
        if window.periods:
            windows[indicator.code] = window
    return windows


def stale_in(windows: Mapping[str, StaleWindow], rows: Mapping[ValueKey, dict],
             org_units: Sequence[str]) -> set[tuple[str, str]]:
    """(indicator, org unit) pairs with no row in any period of the indicator's window (``rows`` may hold
    other periods too: only the window's count)."""
    ids = {code: {p.id for p in window.periods} for code, window in windows.items()}
    fresh = {(indicator, unit) for indicator, unit, period in rows if period in ids.get(indicator, ())}
    return {(code, unit) for code in windows for unit in org_units if (code, unit) not in fresh}


def stale_cells(
    warehouse: Warehouse,
    scope: Scope,
    cells: Iterable[tuple[EvalIndicator, Period]],
    org_units: Sequence[str],
    today: date,
    *,
    paths: Mapping[str, str] | None = None,
) -> set[tuple[str, str]]:
    """(indicator, org unit) pairs whose figures for the given periods are stale (see the module docstring).
    One read per window: the indicators' rows at ``org_units`` for the newest periods of their reporting type."""
    cells = list(cells)
    windows = stale_windows(cells, today)
    by_code = {indicator.code: indicator for indicator, _ in cells}
    rows = read_values(warehouse, scope, [(by_code[code], w.periods) for code, w in windows.items()],
                       org_units=org_units, paths=paths)
    return stale_in(windows, rows, org_units)


def read_evaluated(
    warehouse: Warehouse,
    scope: Scope,
    cells: Iterable[tuple[EvalIndicator, Period]],
    org_units: Sequence[str],
    today: date,
    *,
    paths: Mapping[str, str] | None = None,
) -> tuple[dict[ValueKey, dict], set[tuple[str, str]]]:
    """What evaluating ``cells`` at ``org_units`` needs, in one read: each indicator's rows for its period and
    the previous one (``make_cell``'s trend), and the stale (indicator, org unit) pairs (``stale_cells``).
    Half the warehouse queries of reading the two apart: an indicator's periods and its staleness window are
    read together (for a month or coarser they are mostly the same periods)."""
    cells = list(cells)
    windows = stale_windows(cells, today)
    wanted = [(indicator, (period, period.previous(), *(windows[indicator.code].periods
                                                        if indicator.code in windows else ())))
              for indicator, period in cells]
    rows = read_values(warehouse, scope, wanted, org_units=org_units, paths=paths)
    return rows, stale_in(windows, rows, org_units)


# --- where an indicator applies ---------------------------------------------------------------------------


def kinds_below(session: Session, codes: Sequence[str]) -> dict[str, frozenset[str]]:
    """Each org unit's own kind and the kinds of every unit under it: one scan of the tree per length of the
    units' paths (a unit's subtree is where the path starts with its path; grouping every row by its first
    ``len(path)`` characters answers all units of one path length at once, where a join on "starts with"
    compared every unit with every row)."""
    if not codes:
        return {}
    by_length: dict[int, dict[str, str]] = {}
    for code, path in session.execute(select(OrgUnit.code, OrgUnit.path).where(OrgUnit.code.in_(list(codes)))):
        by_length.setdefault(len(path), {})[path] = code
    found: dict[str, set[str]] = {}
    for length, units in by_length.items():
        head = func.substr(OrgUnit.path, 1, length)
        stmt = select(head, OrgUnit.kind).where(head.in_(list(units))).group_by(head, OrgUnit.kind)
        for path, kind in session.execute(stmt):
            found.setdefault(units[path], set()).add(kind)
    return {code: frozenset(kinds) for code, kinds in found.items()}


def applies(indicator: EvalIndicator, kinds: frozenset[str] | None) -> bool:
    """Whether anything in a unit's subtree reports the indicator's numerator (unknown: assume it does)."""
    return kinds is None or not indicator.reported_at or bool(indicator.reported_at & kinds)


# --- cells ----------------------------------------------------------------------------------------------


def status_of(indicator: EvalIndicator, value: float | None, target: float | None, *, stale: bool) -> Rag | None:
    """The RAG status, or None when the indicator cannot be rated (or its bands do not fit its target)."""
    try:
        return rag_status(value, target, indicator.thresholds, indicator.polarity, stale=stale)
    except ValueError:  # bands the wrong way round, or a negative target with relative bands
        return None


def _score(indicator: EvalIndicator, value: float | None, target: float | None) -> float | None:
    if indicator.polarity is Polarity.NEUTRAL:
        return None
    try:
        score = target_score(value, target, indicator.polarity)
    except ValueError:  # a negative value or target: no progress to speak of
        return None
    return None if score is None else round(score, 1)


def trend_of(indicator: EvalIndicator, period: Period, value: float | None, previous: float | None) -> Trend:
    """The change from ``previous`` (the previous period's value) to ``value``, judged by polarity."""
    trend = Trend(previous_period=period_ref(period.previous()), previous_value=previous)
    if value is None or previous is None:
        return trend
    change = round(value - previous, indicator.decimals + 1)
    trend.change = change
    trend.change_percent = None if previous == 0 else round(change / abs(previous) * 100, 1)
    trend.direction = "up" if change > 0 else "down" if change < 0 else "flat"
    if change != 0 and indicator.polarity is not Polarity.NEUTRAL:
        trend.good = indicator.polarity.better(value, previous)
    return trend


def make_cell(
    indicator: EvalIndicator,
    org_unit: str,
    period: Period,
    rows: Mapping[ValueKey, dict],
    targets: TargetBook,
    *,
    stale: bool = False,
    with_trend: bool = True,
    applicable: bool = True,
) -> CellOut:
    """The cell of ``indicator`` at ``org_unit`` for ``period`` from warehouse ``rows`` (which also hold the
    previous period's row when ``with_trend``). A cell where nothing below reports the indicator is not
    ``applicable``: it has no status (not "no data", which would claim something failed to arrive)."""
    row = rows.get((indicator.code, org_unit, period.id)) or {}
    value = row.get("value")
    target = targets.resolve(indicator.code, org_unit, period)
    target_value = None if target is None else target.value
    stale = stale and value is not None
    status = status_of(indicator, value, target_value, stale=stale) if applicable or value is not None else None
    expected = row.get("expected") or 0
    reporting = row.get("reporting") or 0
    previous = rows.get((indicator.code, org_unit, period.previous().id)) or {}
    return CellOut(
        indicator=indicator.code, org_unit=org_unit, period=period.id, value=value,
        numerator=row.get("numerator"), denominator=row.get("denominator"), target=target_value,
        target_origin=None if target is None else target.origin,
        status=None if status is None else StatusOut.of(status), score=_score(indicator, value, target_value),
        trend=trend_of(indicator, period, value, previous.get("value")) if with_trend else None,
        reporting=reporting, expected=expected,
        coverage=round(100.0 * reporting / expected, 1) if expected else None,
        stale=stale, stored_at=row.get("stored_at"), applicable=applicable or value is not None,
    )
