"""What the flag engine looks at: *lanes* (a period type x org-unit kinds x which indicators), read from the
warehouse in bulk and turned into one ``FlagInput`` per (indicator, org unit).

Default lanes (``DEFAULT_LANES``), chosen so that the rules find what matters at a cost the state can pay
every day:

=============  =========  ==========================  ======================================================
lane           periods    org units                   indicators
=============  =========  ==========================  ======================================================
monthly        13 months  state, district, taluka,    every indicator with monthly values (rates: target,
                          city                        deterioration, anomaly, coverage)
daily          70 days    the same                    every daily indicator (unusual days over the last 40,
                                                      coverage, stale sources, month-end rushes)
leaf-monthly   4 months   village, ward, town         per department its heaviest rated indicator reported
                                                      there, only units silent in the newest month (a village
                                                      that stops reporting: one flag per department)
leaf-daily     30 days    ward, town                  daily indicators reported there (frozen figures)
=============  =========  ==========================  ======================================================

Villages are judged on their reporting only; what they report is judged through their taluka's and district's
flags and the root cause below them.

Series end with the last *complete* period (last month; yesterday), since a period still running holds part
of its data and would look like a fall. Points for periods that began before the indicator's data did (the
first month of a history that starts on the 23rd) are left out for the same reason.

A period with no row for a unit that has rows in the window counts as "0 of its expected org units
reported": the warehouse stores no row for nothing, and that silence is what the coverage rules judge.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.analytics.indicator_catalogue import EvalIndicator
from govpulse.analytics.scorecard import headline_indicators
from govpulse.analytics.targets import TargetBook
from govpulse.catalog.models import OrgUnit
from govpulse.core.flag_rules import FlagInput, OrgUnitInfo, SeriesPoint, SourceStatus
from govpulse.core.orgunits import path_codes
from govpulse.core.periods import Period, PeriodType, coarser_types, period_of
from govpulse.warehouse import Warehouse

__all__ = ["DEFAULT_LANES", "Lane", "LaneInputs", "Unit", "lane_inputs", "lane_periods", "load_units"]

IndicatorChoice = Literal["all", "headline", "reported_here"]
BATCH = 6


@dataclass(frozen=True)
class Lane:
    """One bulk read: ``periods`` periods of ``period_type`` ending with the last complete one, at the org units
    of ``kinds``, for the indicators chosen by ``indicators``. Rules of an *event* kind (``EVENT_KINDS`` in
    the engine) are also judged on each of the ``lookback`` periods before the newest."""

    name: str
    period_type: PeriodType
    kinds: frozenset[str]
    periods: int
    indicators: IndicatorChoice = "all"
    lookback: int = 0
    silent_only: bool = False
    """Build inputs only for units with nothing in the newest period (a lane that judges reporting only)."""
    peers: bool = True
    """Collect the siblings' values for rules that compare a unit with its peers."""


ANSWERING = frozenset({"state", "district", "taluka", "ulb"})
LEAVES = frozenset({"village", "ward", "town"})

DEFAULT_LANES: tuple[Lane, ...] = (
    Lane("monthly", PeriodType.MONTHLY, ANSWERING, 13),
    Lane("daily", PeriodType.DAILY, ANSWERING, 70, lookback=40),
    Lane("leaf-monthly", PeriodType.MONTHLY, LEAVES, 4, indicators="headline", silent_only=True, peers=False),
    Lane("leaf-daily", PeriodType.DAILY, frozenset({"ward", "town"}), 30, indicators="reported_here",
         peers=False),
)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    path: str
    parent: str | None

    @property
    def info(self) -> OrgUnitInfo:
        return OrgUnitInfo(self.code, self.name, self.kind)


def load_units(session: Session, kinds: frozenset[str]) -> list[Unit]:
    """Org units of ``kinds`` with their parent's code (from the path), in path order."""
    rows = session.execute(select(OrgUnit.code, OrgUnit.name, OrgUnit.kind, OrgUnit.path)
                           .where(OrgUnit.kind.in_(sorted(kinds))).order_by(OrgUnit.path))
    units = []
    for code, name, kind, path in rows:
        parts = path_codes(path)
        units.append(Unit(code, name, kind, path, parts[-2] if len(parts) > 1 else None))
    return units


def lane_periods(lane: Lane, today: date) -> list[Period]:
    """The lane's periods, oldest first, ending with the last one that is over before ``today``."""
    last = period_of(today - timedelta(days=1), lane.period_type)
    if last.end >= today:
        last = last.previous()
    return [last.shift(-n) for n in range(lane.periods - 1, -1, -1)]


def _readable(indicator: EvalIndicator, ptype: PeriodType) -> bool:
    return indicator.natural_type == ptype or ptype in coarser_types(indicator.natural_type)


def lane_indicators(lane: Lane, indicators: Sequence[EvalIndicator]) -> list[EvalIndicator]:
    """The indicators a lane reads: with values of its period type, chosen as the lane says."""
    readable = [i for i in indicators if _readable(i, lane.period_type)]
    if lane.indicators == "all":
        return readable
    here = [i for i in readable if i.reported_at & lane.kinds]
    if lane.indicators == "reported_here":
        return here
    return headline_indicators(here)


@dataclass
class LaneInputs:
    """The inputs of one lane, and the peers' values per (indicator, parent, kind, period) for rules that
    compare a unit with its siblings."""

    lane: Lane
    inputs: list[FlagInput] = field(default_factory=list)
    peers: dict[tuple[str, str | None, str, str], dict[str, float | None]] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    rows: int = 0


_COLUMNS = ("indicator", "org_unit", "period", "value", "numerator", "denominator", "reporting", "expected",
            "stored_at")


def _rows(warehouse: Warehouse, indicators: Sequence[EvalIndicator], periods: Sequence[Period],
          units: Sequence[str], reader: Executor) -> Iterator[tuple]:
    """Warehouse rows as tuples of ``_COLUMNS``. The next batch is read on ``reader`` (a second thread) while
    this one is turned into Python objects: DuckDB works without the GIL, so reading and building overlap."""
    if not indicators or not units:
        return
    ids = [p.id for p in periods]
    batches = [[i.spec for i in indicators[start:start + BATCH]] for start in range(0, len(indicators), BATCH)]
    pending = reader.submit(warehouse.indicator_values, batches[0], ids, org_units=units)
    for number in range(len(batches)):
        table = pending.result()
        if number + 1 < len(batches):
            pending = reader.submit(warehouse.indicator_values, batches[number + 1], ids, org_units=units)
        yield from zip(*(table.column(name).to_pylist() for name in _COLUMNS))


def _silent_rows(warehouse: Warehouse, indicators: Sequence[EvalIndicator], periods: Sequence[Period],
                 units: Sequence[Unit], reader: Executor) -> Iterator[tuple]:
    """Rows of the units that have nothing in the newest period, indicator by indicator: the newest period is
    read first for every unit that reports the indicator, then the whole window for the silent ones alone."""
    for indicator in indicators:
        reporting = [u.code for u in units if u.kind in indicator.reported_at]
        if not reporting:
            continue
        newest = warehouse.indicator_values([indicator.spec], [periods[-1].id], org_units=reporting)
        present = set(newest.column("org_unit").to_pylist())
        silent = [code for code in reporting if code not in present]
        if silent:
            yield from _rows(warehouse, [indicator], periods, silent, reader)


def lane_inputs(
    lane: Lane,
    warehouse: Warehouse,
    indicators: Sequence[EvalIndicator],
    units: Sequence[Unit],
    targets: TargetBook,
    first_days: dict[str, date],
    today: date,
    reader: Executor,
    sources: Mapping[str, tuple[SourceStatus, ...]] | None = None,
) -> LaneInputs:
    """Read the lane and build one ``FlagInput`` per (indicator, org unit) with any row in the window.
    ``first_days``: the first day of data of each indicator (points of periods starting earlier are left out);
    ``reader``: the thread that reads the warehouse ahead (one per engine run); ``sources``: per indicator,
    the freshness of the sources feeding it (``analytics.indicator_sources``), given to every input of it."""
    periods = lane_periods(lane, today)
    chosen = lane_indicators(lane, indicators)
    sources = sources or {}
    # The indicator's own period type goes with it, so a rule about the indicator itself (a source that
    # stopped) is judged once, not again on each coarser lane that reads it.
    infos = {i.code: i.info() for i in chosen}
    if lane.indicators != "all":  # leaves: only the kinds that report what is read
        kinds = lane.kinds & frozenset(k for i in chosen for k in i.reported_at)
        units = [u for u in units if u.kind in kinds]
    unit_by_code = {u.code: u for u in units}
    result = LaneInputs(lane, units=unit_by_code)
    if lane.silent_only:
        rows = _silent_rows(warehouse, chosen, periods, units, reader)
    else:
        rows = _rows(warehouse, chosen, periods, list(unit_by_code), reader)
    series: dict[tuple[str, str], dict[Period, SeriesPoint]] = {}
    parsed = {p.id: p for p in periods}
    for code, unit, period_id, value, numerator, denominator, reporting, expected, stored_at in rows:
        result.rows += 1
        period = parsed[period_id]
        first = first_days.get(code)
        if first is not None and period.start < first:
            continue
        target = targets.value(code, unit, period)
        point = SeriesPoint(period, value, numerator, denominator, reporting, expected, stored_at, target)
        series.setdefault((code, unit), {})[period] = point
        if lane.peers:
            owner = unit_by_code[unit]
            result.peers.setdefault((code, owner.parent, owner.kind, period_id), {})[unit] = value
    as_of = datetime.combine(today, time.min)
    newest = periods[-1]
    for (code, unit), points in series.items():
        if lane.silent_only and newest in points:
            continue
        filled = _fill_silence(points, periods, first_days.get(code), targets, code, unit)
        owner = unit_by_code[unit]
        peers = result.peers.get((code, owner.parent, owner.kind, periods[-1].id), {})
        result.inputs.append(FlagInput(infos[code], owner.info, tuple(filled), as_of, peers,
                                       sources.get(code, ())))
    return result


def _fill_silence(points: dict[Period, SeriesPoint], periods: Sequence[Period], first: date | None,
                  targets: TargetBook, indicator: str, unit: str) -> list[SeriesPoint]:
    """The series over every period of the window (from the first one the data covers): a period with no row
    is "0 of the expected units reported", with the expected count of the unit's rows."""
    expected = next((p.expected for p in points.values() if p.expected), None)
    out = []
    for period in periods:
        if first is not None and period.start < first:
            continue
        point = points.get(period)
        if point is None and expected:
            point = SeriesPoint(period, None, reporting=0, expected=expected,
                                target=targets.value(indicator, unit, period))
        if point is not None:
            out.append(point)
    return out
