"""The built-in flag rules about the data itself rather than what it says:

=================  ==================================================================================
kind               fires when
=================  ==================================================================================
missing_reporting  fewer than ``min_coverage_percent`` % of the expected org units reported, in the
                   latest period that is over (plus ``grace_days``)
stale              a source feeding the indicator missed two deliveries running or never delivered (with
                   ``on_late``: one); with no such source, the newest data was stored longer ago than
                   ``max_age_hours`` / ``max_age_days``
suspicious         ``check: repeats``: the same non-zero figure ``runs`` periods running;
                   ``deadline_jump``: on a daily series, the last ``last_days`` days of a month average
                   more than ``jump_percent`` % above the month's daily median (a month-end rush)
=================  ==================================================================================
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from govpulse.core.enums import Severity
from govpulse.core.flag_rule_params import require
from govpulse.core.flag_rules import (
    FlagCandidate,
    FlagInput,
    FlagRule,
    SourceStatus,
    contiguous_run,
    format_number,
    period_noun,
    utc_naive,
)
from govpulse.core.flag_rules_builtin import ValueParams, ValueRule
from govpulse.core.periods import PeriodType, period_of

__all__ = ["MissingReportingRule", "StaleRule", "SuspiciousRule"]


# --- missing reporting ----------------------------------------------------------------------------------


class MissingReportingRule(FlagRule):
    kind = "missing_reporting"

    @dataclass(frozen=True)
    class Params:
        min_coverage_percent: float = 80.0
        high_below_percent: float | None = None
        severity: Severity = Severity.MEDIUM
        grace_days: int = 0

        def __post_init__(self) -> None:
            require(0 < self.min_coverage_percent <= 100, "min_coverage_percent", "must be more than 0 and at most 100")
            require(self.high_below_percent is None or 0 < self.high_below_percent < self.min_coverage_percent,
                    "high_below_percent", "must be more than 0 and below min_coverage_percent")
            require(self.grace_days >= 0, "grace_days", "must be zero or more")

    def describe(self) -> str:
        return (f"Fewer than {format_number(self.params.min_coverage_percent, 2, trim=True)} % of the org units "
                f"expected to report did, in the latest period that is over.")

    def check(self, data: FlagInput) -> FlagCandidate | None:
        p = self.params
        last_counted_day = utc_naive(data.today).date() - timedelta(days=p.grace_days + 1)
        period = period_of(last_counted_day, data.period_type)
        if period.end > last_counted_day:
            period = period.previous()
        point = data.point(period)
        if point is None or not point.expected or point.reporting is None:
            return None  # no row at all: the stale rule's business
        coverage = point.reporting / point.expected * 100
        if coverage >= p.min_coverage_percent:
            return None
        high = p.high_below_percent is not None and coverage < p.high_below_percent
        severity = Severity.HIGH if high and p.severity.rank < Severity.HIGH.rank else p.severity
        message = (f"{data.indicator.name} in {data.org_unit.name}, {period.label}: {point.reporting} of "
                   f"{point.expected} org units reported ({format_number(coverage, 0)} %), below "
                   f"{format_number(p.min_coverage_percent, 2, trim=True)} %")
        evidence = {"reporting": point.reporting, "expected": point.expected, "coverage_percent": coverage,
                    "min_coverage_percent": p.min_coverage_percent}
        return self.candidate(data, point, severity, expected=p.min_coverage_percent, message=message,
                              evidence=evidence)


# --- stale ----------------------------------------------------------------------------------------------


class StaleRule(FlagRule):
    """Data that stopped coming. When registered sources feed the indicator, it is judged on their promises
    (``ingest.freshness``): the rule fires when a source that promised deliveries has missed two or more running
    (stale) or never delivered (missing), and with ``on_late`` already after one missed delivery. Only when no
    source with a promise feeds it (data loaded by hand or by a simulation) is the age of the newest stored
    figure compared with ``max_age_hours`` / ``max_age_days``."""

    kind = "stale"

    @dataclass(frozen=True)
    class Params:
        max_age_hours: float | None = None
        max_age_days: float | None = None
        severity: Severity = Severity.MEDIUM
        on_late: bool = False

        def __post_init__(self) -> None:
            require(self.max_age_hours is None or self.max_age_days is None, "max_age_days",
                    "give max_age_hours or max_age_days, not both")
            for name in ("max_age_hours", "max_age_days"):
                require(getattr(self, name) is None or getattr(self, name) > 0, name, "must be more than 0")

        @property
        def max_age(self) -> timedelta:
            """The promised freshness of data no source delivers; 48 hours when neither limit is given."""
            if self.max_age_days is not None:
                return timedelta(days=self.max_age_days)
            return timedelta(hours=self.max_age_hours if self.max_age_hours is not None else 48)

    def describe(self) -> str:
        missed = "missed a delivery" if self.params.on_late else "missed two deliveries running"
        return (f"A source feeding the indicator {missed} or never delivered (for data no source delivers: the "
                f"newest is older than {_age_words(self.params.max_age)}).")

    def check(self, data: FlagInput) -> FlagCandidate | None:
        promised = [source for source in data.sources if source.promise]
        if promised:
            return self._sources(data, promised)
        return self._stored(data)

    def _sources(self, data: FlagInput, sources: list[SourceStatus]) -> FlagCandidate | None:
        own = data.indicator.period_type
        if own is not None and data.period_type != own:
            return None  # a coarser summary of the same figures: judged once, on the indicator's own type
        behind = sorted((s for s in sources if s.state in _BEHIND or (self.params.on_late and s.state == _LATE)),
                        key=_most_behind_first)
        if not behind:
            return None
        lead = behind[0]
        message = f"{data.indicator.name} in {data.org_unit.name}: {_source_words(lead)}"
        if len(behind) > 1:
            others = ", ".join(f"{s.name} ({s.code})" for s in behind[1:])
            message += f"; also behind: {others}"
        evidence = {**_source_evidence(lead), "sources": [_source_evidence(s) for s in behind]}
        return self.candidate(data, data.latest, self.params.severity, expected=None, message=message,
                              evidence=evidence)

    def _stored(self, data: FlagInput) -> FlagCandidate | None:
        stamps = [utc_naive(point.stored_at) for point in data.series if point.stored_at is not None]
        if not stamps:
            return None
        newest, latest = max(stamps), data.latest
        age = utc_naive(data.today) - newest
        if age <= self.params.max_age:
            return None
        message = (f"{data.indicator.name} in {data.org_unit.name}: newest data stored {_age_words(age)} ago "
                   f"({newest:%d %b %Y %H:%M} UTC, latest period {latest.period.label}), later than the promised "
                   f"{_age_words(self.params.max_age)}")
        evidence = {"newest_stored_at": newest.isoformat(), "age_hours": age.total_seconds() / 3600,
                    "max_age_hours": self.params.max_age.total_seconds() / 3600}
        return self.candidate(data, latest, self.params.severity, expected=None, message=message, evidence=evidence)


_LATE = "late"
_BEHIND = ("missing", "stale")
_STATE_ORDER = {"missing": 0, "stale": 1, "late": 2}


def _most_behind_first(source: SourceStatus) -> tuple[int, float, str]:
    late = source.late_by.total_seconds() if source.late_by is not None else 0.0
    return (_STATE_ORDER.get(source.state, 3), -late, source.code)


def _source_words(source: SourceStatus) -> str:
    """E.g. "source 108 ambulance (health_ambulance) promised daily by 09:00 and is 2.1 days late (stale); last
    delivery 07 Nov 2026 07:00 IST"."""
    head = f"source {source.name} ({source.code}) promised {source.promise} and "
    if source.state == "missing":
        return head + "has never delivered"
    late = f" {_age_words(source.late_by)} late" if source.late_by is not None else " late"
    stale = " (stale)" if source.state == "stale" else ""
    last = source.last_delivery_at
    return head + f"is{late}{stale}" + ("" if last is None else f"; last delivery {_local(last, source.timezone)}")


def _source_evidence(source: SourceStatus) -> dict[str, object]:
    return {
        "source": source.code, "source_name": source.name, "state": source.state, "promise": source.promise,
        "late_by_hours": None if source.late_by is None else round(source.late_by.total_seconds() / 3600, 2),
        "last_delivery_at": None if source.last_delivery_at is None else _aware(source.last_delivery_at).isoformat(),
        "due_by": None if source.due_by is None else _aware(source.due_by).isoformat(),
    }


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _local(moment: datetime, zone: str) -> str:
    """``moment`` as people of the source read it: "07 Nov 2026 07:00 IST" (UTC when the zone is unknown)."""
    try:
        local = _aware(moment).astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        local = _aware(moment).astimezone(UTC)
    return f"{local:%d %b %Y %H:%M} {local.tzname()}"


def _age_words(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    if hours <= 48:
        return f"{format_number(hours, 1, trim=True)} hours"
    return f"{format_number(hours / 24, 1, trim=True)} days"


# --- suspicious -----------------------------------------------------------------------------------------


class SuspiciousRule(ValueRule):
    kind = "suspicious"

    @dataclass(frozen=True)
    class Params(ValueParams):
        check: Literal["repeats", "deadline_jump"] = "repeats"
        runs: int = 7
        min_value: float = 0.0
        last_days: int = 2
        jump_percent: float = 100.0
        min_days: int = 10
        severity: Severity = Severity.LOW

        MODE_FIELD: ClassVar[str] = "check"
        MODE_ONLY: ClassVar[dict[str, tuple[str, ...]]] = {
            "runs": ("repeats",),
            "last_days": ("deadline_jump",),
            "jump_percent": ("deadline_jump",),
            "min_days": ("deadline_jump",),
        }

        def __post_init__(self) -> None:
            super().__post_init__()
            require(self.runs >= 2, "runs", "must be 2 or more")
            require(self.min_value >= 0, "min_value", "must be zero or more")
            require(1 <= self.last_days <= 7, "last_days", "must be from 1 to 7")
            require(self.jump_percent > 0, "jump_percent", "must be more than 0")
            require(3 <= self.min_days <= 31 - self.last_days, "min_days", "must be from 3 to 31 - last_days")

    def describe(self) -> str:
        p = self.params
        if p.check == "repeats":
            return f"The same non-zero figure was reported {p.runs} periods running."
        return (f"The last {p.last_days} days of a month average more than "
                f"{format_number(p.jump_percent, 2, trim=True)} % above the month's daily median.")

    def check(self, data: FlagInput) -> FlagCandidate | None:
        if not self.usable(data, data.latest):
            return None
        return self._repeats(data) if self.params.check == "repeats" else self._deadline_jump(data)

    def _repeats(self, data: FlagInput) -> FlagCandidate | None:
        latest = data.latest
        figure = latest.reported
        if figure is None or abs(figure) <= self.params.min_value:
            return None
        run = contiguous_run(data.series, lambda point: self.usable(data, point) and point.reported == figure)
        if len(run) < self.params.runs:
            return None
        noun = period_noun(latest.period.type, len(run))
        message = (f"{self.head(data, latest)}: the same figure ({format_number(figure, 2, trim=True)}) reported "
                   f"{len(run)} {noun} running, since {run[0].period.label}")
        evidence = {"figure": figure, "periods_running": len(run), "since": run[0].period.id}
        return self.candidate(data, latest, self.params.severity, expected=None, message=message, evidence=evidence)

    def _deadline_jump(self, data: FlagInput) -> FlagCandidate | None:
        if data.period_type is not PeriodType.DAILY:
            return None
        p, latest = self.params, data.latest
        month = period_of(latest.period.start, PeriodType.MONTHLY)
        if (month.end - latest.period.start).days >= p.last_days:  # not in the window yet: last month's
            month = month.previous()
        window_start = month.end - timedelta(days=p.last_days - 1)
        in_month = [pt for pt in data.series if month.start <= pt.period.start <= month.end and self.usable(data, pt)]
        window = [pt.reported for pt in in_month if pt.period.start >= window_start and pt.reported is not None]
        before = [pt.reported for pt in in_month if pt.period.start < window_start and pt.reported is not None]
        if not window or len(before) < p.min_days:
            return None
        median, average = statistics.median(before), statistics.fmean(window)
        if average <= p.min_value:
            return None
        jump = math.inf if median <= 0 else (average - median) / median * 100
        if jump <= p.jump_percent:
            return None
        point = next(pt for pt in reversed(in_month) if pt.period.start >= window_start)
        above = "" if median <= 0 else f"{format_number(jump, 0)} % above "
        message = (f"{data.indicator.name} in {data.org_unit.name}, {month.label}: the last {p.last_days} days of "
                   f"the month average {format_number(average, 1, trim=True)} a day, {above or 'against '}the "
                   f"month's daily median of {format_number(median, 1, trim=True)}")
        evidence = {"month": month.id, "window_average": average, "daily_median": median,
                    "jump_percent": None if math.isinf(jump) else jump, "days_before_window": len(before)}
        return self.candidate(data, point, p.severity, expected=median, message=message, evidence=evidence)
