"""How fresh each source is against what it promised: fresh, late, stale or missing.

A source promises a delivery per *cycle*, by a deadline in its own time zone:

    daily by 09:00              each day's data by 09:00 that day
    weekly by Monday 12:00      each week's (Monday to Sunday) by Monday noon
    monthly by day 5            each month's by the end of the 5th (``monthly by day 5 18:00``: by 18:00)
    quarterly by day 15         each quarter's by the end of the 15th of its first month

A delivery is a successful batch that read at least one row. At a moment ``now`` the *due* cycle is the latest
one whose deadline has passed; the state is

    fresh     something was delivered since the due cycle began (or, before today's deadline, yesterday's was);
    late      the due cycle has nothing yet, but the one before it was delivered;
    stale     two or more cycles in a row have nothing;
    missing   nothing was ever delivered.

``late_by`` is how long ago the deadline of the first cycle without a delivery passed: the lag that the flag
engine and the sources screen show.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Self
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govpulse.catalog.models.base import as_utc
from govpulse.catalog.models import Batch, Department, Source
from govpulse.catalog.scoping import restrict
from govpulse.core.enums import ColouredChoice
from govpulse.core.scope import Scope

__all__ = [
    "FreshnessPromise",
    "FreshnessState",
    "SourceFreshness",
    "assess",
    "last_deliveries",
    "parse_promise",
    "source_freshness",
]

_END_OF_DAY = time(23, 59, 59, 999999)
_WEEKDAYS = {name: number for number, names in enumerate(
    [("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"), ("thu", "thur", "thurs", "thursday"),
     ("fri", "friday"), ("sat", "saturday"), ("sun", "sunday")]) for name in names}
_PROMISE = re.compile(
    r"(?P<frequency>daily|weekly|monthly|quarterly)"
    r"(?:\s+by\s+(?:(?:the\s+)?(?:day\s+(?P<day>\d{1,2})|(?P<ordinal>\d{1,2})(?:st|nd|rd|th))|(?P<weekday>[a-z]+))?"
    r"\s*(?P<time>\d{1,2}:\d{2})?)?",
    re.IGNORECASE,
)
PROMISE_EXAMPLES = "'daily by 09:00', 'weekly by Monday 12:00', 'monthly by day 5', 'quarterly by day 15 18:00'"


class FreshnessState(ColouredChoice):
    """A source's freshness, with the colour the sources screen shows it in (Okabe-Ito, as ``Rag``)."""

    FRESH = "fresh", "Fresh", "#009E73"
    LATE = "late", "Late", "#E69F00"
    STALE = "stale", "Stale", "#D55E00"
    MISSING = "missing", "Never delivered", "#999999"
    NOT_PROMISED = "not_promised", "No promise set", "#56B4E9"


@dataclass(frozen=True)
class FreshnessPromise:
    """A parsed promise; ``day`` is the weekday (0 = Monday) for weekly, the day of month otherwise."""

    frequency: str
    day: int
    at: time
    text: str

    def cycle_start(self, moment: datetime) -> datetime:
        """Start of the cycle holding ``moment`` (a local, zone-aware time)."""
        midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        if self.frequency == "daily":
            return midnight
        if self.frequency == "weekly":
            return midnight - timedelta(days=midnight.weekday())
        first_month = midnight.month if self.frequency == "monthly" else 3 * ((midnight.month - 1) // 3) + 1
        return midnight.replace(month=first_month, day=1)

    def deadline(self, start: datetime) -> datetime:
        """When the cycle beginning at ``start`` is due."""
        if self.frequency == "daily":
            day = start
        elif self.frequency == "weekly":
            day = start + timedelta(days=self.day)
        else:
            day = start.replace(day=min(self.day, calendar.monthrange(start.year, start.month)[1]))
        return datetime.combine(day.date(), self.at, tzinfo=start.tzinfo)

    def previous(self, start: datetime) -> datetime:
        """Start of the cycle before the one beginning at ``start``."""
        return self.cycle_start(start - timedelta(microseconds=1))

    def following(self, start: datetime) -> datetime:
        """Start of the cycle after the one beginning at ``start``."""
        if self.frequency == "daily":
            return self.cycle_start(start + timedelta(days=1, hours=3))  # hours: safe across DST changes
        if self.frequency == "weekly":
            return self.cycle_start(start + timedelta(days=7, hours=3))
        months = 1 if self.frequency == "monthly" else 3
        year, month = divmod(start.month - 1 + months, 12)
        return start.replace(year=start.year + year, month=month + 1, day=1)

    def due_cycle(self, now: datetime) -> datetime:
        """Start of the latest cycle whose deadline is not after ``now``."""
        start = self.cycle_start(now)
        return start if self.deadline(start) <= now else self.previous(start)

    @classmethod
    def parse(cls, text: str) -> Self:
        return parse_promise(text)


def parse_promise(text: str) -> FreshnessPromise:
    """Read a promise such as ``daily by 09:00``; raise ``ValueError`` saying what is wrong and what is accepted."""
    cleaned = " ".join(text.split())
    match = _PROMISE.fullmatch(cleaned)
    if not match:
        raise ValueError(f"freshness promise {text!r} is not understood; write it like {PROMISE_EXAMPLES}")
    frequency = match["frequency"].lower()
    at = _END_OF_DAY
    if match["time"]:
        hour, minute = (int(part) for part in match["time"].split(":"))
        if hour > 23 or minute > 59:
            raise ValueError(f"freshness promise {text!r}: {match['time']} is not a time of day (00:00 to 23:59)")
        at = time(hour, minute)
    day_text = match["day"] or match["ordinal"]
    weekday = match["weekday"]
    if frequency == "daily":
        if day_text or weekday:
            raise ValueError(f"freshness promise {text!r}: a daily promise takes a time only, e.g. 'daily by 09:00'")
        return FreshnessPromise(frequency, 0, at, cleaned)
    if frequency == "weekly":
        if day_text or not weekday or weekday.lower() not in _WEEKDAYS:
            raise ValueError(f"freshness promise {text!r}: a weekly promise names a weekday, e.g. "
                             "'weekly by Monday 12:00'")
        return FreshnessPromise(frequency, _WEEKDAYS[weekday.lower()], at, cleaned)
    if weekday or not day_text or not 1 <= int(day_text) <= 31:
        raise ValueError(f"freshness promise {text!r}: a {frequency} promise names a day from 1 to 31, e.g. "
                         f"'{frequency} by day 5'")
    return FreshnessPromise(frequency, int(day_text), at, cleaned)


@dataclass(frozen=True)
class SourceFreshness:
    """One source's freshness at ``checked_at``. Times are UTC; ``late_by`` and ``age`` are None when they do not
    apply (fresh, never delivered)."""

    source: str
    name: str
    promise: str
    state: FreshnessState
    last_delivery_at: datetime | None
    due_by: datetime | None
    next_due_by: datetime | None
    late_by: timedelta | None
    age: timedelta | None
    checked_at: datetime

    def as_dict(self) -> dict:
        """JSON-ready: times in ISO 8601, durations in hours."""
        def iso(moment: datetime | None) -> str | None:
            return None if moment is None else moment.isoformat()

        def hours(span: timedelta | None) -> float | None:
            return None if span is None else round(span.total_seconds() / 3600, 2)

        return {"source": self.source, "name": self.name, "promise": self.promise, "state": self.state.value,
                "state_label": self.state.label, "colour": self.state.colour,
                "last_delivery_at": iso(self.last_delivery_at), "due_by": iso(self.due_by),
                "next_due_by": iso(self.next_due_by), "late_by_hours": hours(self.late_by),
                "age_hours": hours(self.age), "checked_at": iso(self.checked_at)}


def assess(
    promise: FreshnessPromise | None, last_delivery: datetime | None, now: datetime, timezone: str = "Asia/Kolkata",
    *, source: str = "", name: str = "",
) -> SourceFreshness:
    """The freshness of one source (pure: no database). ``last_delivery`` and ``now`` are aware or UTC-naive."""
    now_utc, last_utc = as_utc(now), None if last_delivery is None else as_utc(last_delivery)
    age = None if last_utc is None else now_utc - last_utc
    if promise is None:
        state = FreshnessState.NOT_PROMISED if last_utc is not None else FreshnessState.MISSING
        return SourceFreshness(source, name, "", state, last_utc, None, None, None, age, now_utc)
    zone = ZoneInfo(timezone)
    local_now = now_utc.astimezone(zone)
    due = promise.due_cycle(local_now)
    due_by = promise.deadline(due).astimezone(UTC)
    next_due_by = promise.deadline(promise.following(due)).astimezone(UTC)
    if last_utc is None:
        return SourceFreshness(source, name, promise.text, FreshnessState.MISSING, None, due_by, next_due_by,
                               None, None, now_utc)
    last_local = last_utc.astimezone(zone)
    if last_local >= due:
        state, late_by = FreshnessState.FRESH, None
    else:
        first_missed = promise.following(promise.cycle_start(last_local))
        late_by = local_now - promise.deadline(first_missed)
        state = FreshnessState.LATE if last_local >= promise.previous(due) else FreshnessState.STALE
    return SourceFreshness(source, name, promise.text, state, last_utc, due_by, next_due_by, late_by, age, now_utc)


def last_deliveries(session: Session, *, until: datetime | None = None) -> dict[int, datetime]:
    """Each source's latest successful batch that read at least one row, by source id (UTC); with ``until``,
    only batches finished by then (freshness as it was at a past moment)."""
    stmt = select(Batch.source_id, func.max(Batch.finished_at)).where(Batch.status == "succeeded", Batch.rows_read > 0)
    if until is not None:
        stmt = stmt.where(Batch.finished_at <= as_utc(until))
    rows = session.execute(stmt.group_by(Batch.source_id)).all()
    return {source_id: as_utc(moment) for source_id, moment in rows if moment is not None}


def source_freshness(session: Session, now: datetime, scope: Scope, *, codes: list[str] | None = None,
                     as_of_now: bool = False) -> list[SourceFreshness]:
    """Freshness of every source the scope may see (or of ``codes``), ordered by code. With ``as_of_now``,
    batches finished after ``now`` are not counted (judging a moment in the past)."""
    stmt = restrict(select(Source).outerjoin(Department, Department.id == Source.department_id),
                    scope, department_column=Department.code, source_column=Source.code)
    if codes is not None:
        stmt = stmt.where(Source.code.in_(codes))
    delivered = last_deliveries(session, until=now if as_of_now else None)
    result = []
    for source in session.scalars(stmt.order_by(Source.code)):
        promise = parse_promise(source.freshness) if source.freshness else None
        result.append(assess(promise, delivered.get(source.id), now, source.timezone or "Asia/Kolkata",
                             source=source.code, name=source.name))
    return result

