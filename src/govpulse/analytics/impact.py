"""Did the action work? The KPI before an action, at its closure and 30/60/90 days after, against comparable
org units that had no action in the same period: a difference-in-differences.

Pure part (no I/O, tested on hand-made series):

- a *series* is a list of ``(day, value)`` points, ``day`` being the last day of the period the value is for
  (so a value is known from that day on); ``value_at(series, day)`` is the newest value known on ``day``;
- ``measure_effect`` reads the treated unit and each comparison unit on the same days: *before* is the value
  known the day before the action was opened, then one value per horizon (0 = closure day, 30, 60, 90 days
  after). For each horizon: treated change = value - before; comparison change = the mean change of the
  comparison units that have both values; difference = treated change - comparison change; *improvement* is
  the difference signed by the indicator's polarity (positive = better than the comparison units did).
  A horizon later than ``as_of`` is not measured yet.
- the *verdict* is taken at the longest horizon measured so far (not the closure day): the KPI *recovered* when
  it moved the right way (signed treated change > 0) and more than the comparison units did (improvement > 0).
  With no comparison unit there is no verdict, since a change could be the season.
- ``summarise`` groups actions by officer, department and kind: how many, how many closed, median days to
  close, how many measured and how many recovered.

Adapter (``measure_action``): reads the indicator at the action's org unit and at its siblings of the same
kind (same parent) from the Warehouse contract (``indicator_values``), leaving out siblings that had an action
on the same indicator during the window. Daily indicators are read by ISO week to smooth day-to-day noise.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.analytics.values import catalogue_constants, spec_of
from govpulse.catalog.models import Action, DataElement, Indicator, OrgUnit
from govpulse.catalog.repositories.actions import ActionRepository
from govpulse.core.enums import Polarity
from govpulse.core.expressions import parse_expression
from govpulse.core.indicators import IndicatorSpec
from govpulse.core.periods import PeriodType, periods_between

__all__ = [
    "Point", "HorizonEffect", "Effect", "ActionOutcome", "GroupSummary", "HORIZONS", "value_at", "measure_effect",
    "summarise", "measure_action", "indicator_spec", "comparable_units", "read_series", "series_period_type",
]

Point = tuple[date, float]
HORIZONS: tuple[int, ...] = (0, 30, 60, 90)


def value_at(series: Sequence[Point], day: date) -> float | None:
    """The newest value known on ``day``: the point with the latest date on or before it (None if none)."""
    known = [(d, v) for d, v in series if d <= day and v is not None]
    return max(known)[1] if known else None


@dataclass(frozen=True)
class HorizonEffect:
    days: int
    on: date
    value: float | None
    treated_change: float | None
    comparison_change: float | None
    comparison_units: int
    difference: float | None
    improvement: float | None


@dataclass(frozen=True)
class Effect:
    before: float | None
    at_closure: float | None
    horizons: tuple[HorizonEffect, ...]
    verdict_horizon: int | None
    improvement: float | None
    recovered: bool | None
    comparison_units: int
    note: str = ""

    def horizon(self, days: int) -> HorizonEffect | None:
        return next((h for h in self.horizons if h.days == days), None)


def _signed(change: float | None, polarity: Polarity) -> float | None:
    if change is None or polarity is Polarity.NEUTRAL:
        return None
    return change if polarity is Polarity.HIGHER_IS_BETTER else -change


def measure_effect(treated: Sequence[Point], comparisons: Mapping[str, Sequence[Point]], *, opened: date,
                   closed: date, as_of: date, polarity: Polarity | str,
                   horizons: Sequence[int] = HORIZONS) -> Effect:
    """The effect of an action opened on ``opened`` and closed on ``closed``, as known on ``as_of`` (see the
    module docstring for every definition)."""
    polarity = Polarity.parse(str(polarity))
    reference = opened - timedelta(days=1)
    before = value_at(treated, reference)
    baselines = {code: value_at(points, reference) for code, points in comparisons.items()}
    measured: list[HorizonEffect] = []
    for days in sorted(horizons):
        on = closed + timedelta(days=days)
        if on > as_of:
            continue
        value = value_at(treated, on)
        treated_change = None if value is None or before is None else value - before
        changes = [after - base for code, base in baselines.items()
                   if base is not None and (after := value_at(comparisons[code], on)) is not None]
        comparison_change = statistics.fmean(changes) if changes else None
        difference = (None if treated_change is None or comparison_change is None
                      else treated_change - comparison_change)
        measured.append(HorizonEffect(days, on, value, treated_change, comparison_change, len(changes), difference,
                                      _signed(difference, polarity)))
    return _with_verdict(before, measured, polarity, len([b for b in baselines.values() if b is not None]))


def _with_verdict(before: float | None, measured: list[HorizonEffect], polarity: Polarity,
                  comparison_units: int) -> Effect:
    at_closure = next((h.value for h in measured if h.days == 0), None)
    later = [h for h in measured if h.days > 0 and h.improvement is not None]
    note = ""
    if before is None:
        note = "no value before the action"
    elif polarity is Polarity.NEUTRAL:
        note = "the indicator has no better direction"
    elif comparison_units == 0:
        note = "no comparable org unit without an action"
    elif not any(h.days > 0 for h in measured):
        note = "not 30 days since closure yet"
    if not later:
        return Effect(before, at_closure, tuple(measured), None, None, None, comparison_units, note)
    verdict = later[-1]
    recovered = verdict.improvement > 0 and (_signed(verdict.treated_change, polarity) or 0) > 0
    return Effect(before, at_closure, tuple(measured), verdict.days, verdict.improvement, recovered,
                  comparison_units, note)


# --- summaries per officer, department and kind of action --------------------------------------------------


@dataclass(frozen=True)
class ActionOutcome:
    """What the summary needs of one action."""

    action_id: int
    officer: str
    department: str
    kind: str
    opened_at: datetime
    closed_at: datetime | None
    recovered: bool | None


@dataclass(frozen=True)
class GroupSummary:
    by: str
    key: str
    actions: int
    closed: int
    median_days_to_close: float | None
    measured: int
    recovered: int
    action_ids: tuple[int, ...] = field(default=(), repr=False)

    @property
    def recovery_rate(self) -> float | None:
        """Share of measured actions whose KPI recovered (None before any is measured)."""
        return self.recovered / self.measured if self.measured else None


GROUPINGS = ("officer", "department", "kind")


def summarise(outcomes: Iterable[ActionOutcome], by: Sequence[str] = GROUPINGS) -> list[GroupSummary]:
    """One summary per value of each grouping in ``by``, ordered by grouping then key."""
    outcomes = list(outcomes)
    result: list[GroupSummary] = []
    for grouping in by:
        groups: dict[str, list[ActionOutcome]] = {}
        for outcome in outcomes:
            groups.setdefault(getattr(outcome, grouping), []).append(outcome)
        for key in sorted(groups):
            members = groups[key]
            days = [(o.closed_at - o.opened_at).total_seconds() / 86400 for o in members if o.closed_at]
            measured = [o for o in members if o.recovered is not None]
            result.append(GroupSummary(
                by=grouping, key=key, actions=len(members), closed=len(days),
                median_days_to_close=statistics.median(days) if days else None, measured=len(measured),
                recovered=sum(1 for o in measured if o.recovered), action_ids=tuple(o.action_id for o in members)))
    return result


# --- adapter: series from the warehouse ------------------------------------------------------------------


def indicator_spec(session: Session, indicator: Indicator) -> IndicatorSpec:
    """The warehouse's view of a catalogue indicator (with the installation's constants)."""
    return spec_of(indicator, catalogue_constants(session))


def series_period_type(session: Session, indicator: Indicator, kept: Iterable[PeriodType]) -> PeriodType:
    """The period type to measure ``indicator`` in: its coarsest data element's own type, with daily data
    read by week when the warehouse keeps weeks (a single day is too noisy to judge an action by)."""
    codes = parse_expression(indicator.numerator).data_elements() | parse_expression(
        indicator.denominator or "1").data_elements()
    types = [PeriodType(t) for t in session.scalars(select(DataElement.period_type)
                                                    .where(DataElement.code.in_(sorted(codes))))]
    coarsest = max(types, key=lambda t: t.rank) if types else PeriodType.MONTHLY
    if coarsest is PeriodType.DAILY and PeriodType.WEEKLY in set(kept):
        return PeriodType.WEEKLY
    return coarsest


def read_series(warehouse, spec: IndicatorSpec, org_units: Sequence[str], period_type: PeriodType, first: date,
                last: date, scope_paths: Sequence[str] | None = None) -> dict[str, list[Point]]:
    """Each org unit's indicator values for the ``period_type`` periods that end within first..last."""
    periods = [p for p in periods_between(first, last, period_type) if first <= p.end <= last]
    if not periods or not org_units:
        return {code: [] for code in org_units}
    ends = {p.id: p.end for p in periods}
    table = warehouse.indicator_values([spec], list(ends), org_units=list(org_units), scope_paths=scope_paths)
    found: dict[str, list[Point]] = {code: [] for code in org_units}
    for row in table.select(["org_unit", "period", "value"]).to_pylist():
        if row["value"] is not None and row["period"] in ends:
            found.setdefault(row["org_unit"], []).append((ends[row["period"]], row["value"]))
    return {code: sorted(points) for code, points in found.items()}


def comparable_units(session: Session, org_unit: str) -> list[str]:
    """Siblings of ``org_unit`` of the same kind (same parent), itself excluded."""
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == org_unit))
    if unit is None or unit.parent_id is None:
        return []
    stmt = select(OrgUnit.code).where(OrgUnit.parent_id == unit.parent_id, OrgUnit.kind == unit.kind,
                                      OrgUnit.code != unit.code).order_by(OrgUnit.code)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class MeasuredAction:
    effect: Effect
    period_type: PeriodType
    polarity: Polarity


def measure_action(session: Session, warehouse, action: Action, as_of: date,
                   horizons: Sequence[int] = HORIZONS, lookback_days: int = 120) -> MeasuredAction | None:
    """The effect of one closed action on its indicator, read from ``warehouse``; None when the action is not
    closed or names no indicator that exists."""
    if action.closed_at is None or not action.indicator:
        return None
    indicator = session.scalar(select(Indicator).where(Indicator.code == action.indicator))
    if indicator is None:
        return None
    opened, closed = action.opened_at.date(), action.closed_at.date()
    last = min(as_of, closed + timedelta(days=max(horizons)))
    siblings = comparable_units(session, action.org_unit)
    busy = ActionRepository(session).active_between(
        action.indicator, siblings, action.opened_at - timedelta(days=lookback_days),
        datetime.combine(last, datetime.max.time()).replace(tzinfo=action.opened_at.tzinfo))
    comparison = [code for code in siblings if code not in busy]
    period_type = series_period_type(session, indicator, warehouse.period_types)
    series = read_series(warehouse, indicator_spec(session, indicator), [action.org_unit, *comparison],
                         period_type, opened - timedelta(days=lookback_days), last)
    polarity = Polarity.parse(indicator.polarity or "higher")
    effect = measure_effect(series.get(action.org_unit, []), {c: series.get(c, []) for c in comparison},
                            opened=opened, closed=closed, as_of=as_of, polarity=polarity, horizons=horizons)
    return MeasuredAction(effect=effect, period_type=period_type, polarity=polarity)
