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

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from govpulse.analytics.evaluation_models import CellOut, StatusOut, Trend
from govpulse.analytics.indicator_catalogue import EvalIndicator
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
    "read_values",
    "stale_cells",
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
) -> dict[ValueKey, dict]:
    """Warehouse rows (``INDICATOR_SCHEMA`` as dicts) for each indicator at its periods, at ``org_units`` or
    at the children of ``parent``, each read within the subtrees where the reader sees its department
    (indicators of departments the reader sees in the same subtrees are read together)."""
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


def stale_cells(
    warehouse: Warehouse,
    scope: Scope,
    cells: Iterable[tuple[EvalIndicator, Period]],
    org_units: Sequence[str],
    today: date,
) -> set[tuple[str, str]]:
    """(indicator, org unit) pairs whose figures for the given periods are stale (see the module docstring).
    One read per window: the indicators' rows at ``org_units`` for the newest periods of their reporting type."""
    cells = list(cells)
    windows: dict[str, StaleWindow] = {}
    for indicator, period in cells:
        window = stale_window(indicator.reporting_type, period, today)
        if window.periods:
            windows[indicator.code] = window
    by_code = {indicator.code: indicator for indicator, _ in cells}
    rows = read_values(warehouse, scope, [(by_code[code], w.periods) for code, w in windows.items()],
                       org_units=org_units)
    fresh = {(indicator, unit) for indicator, unit, _ in rows}
    return {(code, unit) for code in windows for unit in org_units if (code, unit) not in fresh}


# --- where an indicator applies ---------------------------------------------------------------------------


def kinds_below(session: Session, codes: Sequence[str]) -> dict[str, frozenset[str]]:
    """Each org unit's own kind and the kinds of every unit under it (one query for all of ``codes``)."""
    if not codes:
        return {}
    top, below = aliased(OrgUnit), aliased(OrgUnit)
    stmt = (select(top.code, below.kind).join(below, below.path.startswith(top.path))
            .where(top.code.in_(list(codes))).group_by(top.code, below.kind))
    found: dict[str, set[str]] = {}
    for code, kind in session.execute(stmt):
        found.setdefault(code, set()).add(kind)
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
