"""DHIS2 periods: day, ISO week, month, quarter, six-month, year and the April financial year.

A period is a run of whole days of one *period type*, named by its DHIS2 identifier:

    ===============  ===========  ========================  ===========================
    type             id           label                     days
    ===============  ===========  ========================  ===========================
    Daily            20261124     24 Nov 2026               24 Nov 2026
    Weekly           2026W48      Week 48, 2026             Mon 23 Nov - Sun 29 Nov 2026
    Monthly          202611       Nov 2026                  1 - 30 Nov 2026
    Quarterly        2026Q3       Q3 2026                   1 Jul - 30 Sep 2026
    SixMonthly       2026S1       Jan-Jun 2026              1 Jan - 30 Jun 2026
    Yearly           2026         2026                      1 Jan - 31 Dec 2026
    FinancialApril   2026April    FY 2026-27                1 Apr 2026 - 31 Mar 2027
    ===============  ===========  ========================  ===========================

Weeks are ISO 8601 weeks (Monday to Sunday; week 1 holds the year's first Thursday), so "2026W1" starts on
29 Dec 2025 and some years (2015, 2020, 2026, 2032) have a week 53. Quarters are calendar quarters, as in
DHIS2: Q2 2026 (Apr-Jun) lies inside FY 2026-27 and Q1 2026 (Jan-Mar) inside FY 2025-26.

Each period type is a small rule class (``_Rule``) keyed by its ``PeriodType``; every period is fixed by its
type and its first day, and everything else (end, id, label, neighbours) is computed from those two.
Dates are limited to Python's years 1-9999; a period that would cross either edge raises ``ValueError``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

__all__ = [
    "ACCEPTED_FORMS",
    "PERIOD_TYPES",
    "InvalidPeriod",
    "Period",
    "PeriodType",
    "coarser_types",
    "iter_periods",
    "parse_period",
    "period_of",
    "periods_between",
]


class PeriodType(StrEnum):
    """A kind of period; the values are DHIS2's period type names."""

    DAILY = "Daily"
    WEEKLY = "Weekly"
    MONTHLY = "Monthly"
    QUARTERLY = "Quarterly"
    SIXMONTHLY = "SixMonthly"
    YEARLY = "Yearly"
    FINANCIAL_APRIL = "FinancialApril"

    @property
    def rank(self) -> int:
        """Coarseness: finer types have smaller ranks (Daily 1 ... Yearly and FinancialApril 6)."""
        return _RANKS[self]


_RANKS = {
    PeriodType.DAILY: 1,
    PeriodType.WEEKLY: 2,
    PeriodType.MONTHLY: 3,
    PeriodType.QUARTERLY: 4,
    PeriodType.SIXMONTHLY: 5,
    PeriodType.YEARLY: 6,
    PeriodType.FINANCIAL_APRIL: 6,
}

PERIOD_TYPES: tuple[PeriodType, ...] = tuple(sorted(PeriodType, key=lambda ptype: ptype.rank))
"""Every period type, finest first."""

# Which types a period of each type always lies wholly inside. ISO weeks nest in none of them: a week can
# straddle two months, and week 1 or 52/53 can straddle two calendar years (2026W1 starts on 29 Dec 2025).
# DHIS2 itself files a week under the year of its ISO week, which is not containment, so we leave that to
# the caller rather than pretend a week rolls up into a month or year without splitting it.
_COARSER: dict[PeriodType, tuple[PeriodType, ...]] = {
    PeriodType.DAILY: (
        PeriodType.WEEKLY,
        PeriodType.MONTHLY,
        PeriodType.QUARTERLY,
        PeriodType.SIXMONTHLY,
        PeriodType.YEARLY,
        PeriodType.FINANCIAL_APRIL,
    ),
    PeriodType.WEEKLY: (),
    PeriodType.MONTHLY: (
        PeriodType.QUARTERLY,
        PeriodType.SIXMONTHLY,
        PeriodType.YEARLY,
        PeriodType.FINANCIAL_APRIL,
    ),
    # Calendar quarters start in Jan/Apr/Jul/Oct, so each lies inside one April financial year.
    PeriodType.QUARTERLY: (PeriodType.SIXMONTHLY, PeriodType.YEARLY, PeriodType.FINANCIAL_APRIL),
    # Jan-Jun straddles two financial years, so six-month periods only roll up into calendar years.
    PeriodType.SIXMONTHLY: (PeriodType.YEARLY,),
    PeriodType.YEARLY: (),
    PeriodType.FINANCIAL_APRIL: (),
}


def coarser_types(ptype: PeriodType) -> tuple[PeriodType, ...]:
    """The coarser types that every period of ``ptype`` lies wholly inside (its rollup targets).

    Weekly has none: ISO weeks straddle month and year boundaries (see the comment on ``_COARSER``).
    """
    return _COARSER[PeriodType(ptype)]


ACCEPTED_FORMS: tuple[str, ...] = (
    "YYYYMMDD (day)",
    "YYYYWn (ISO week 1-53, also YYYYWnn)",
    "YYYYMM (month)",
    "YYYYQn (quarter 1-4)",
    "YYYYSn (half-year 1-2)",
    "YYYY (year)",
    "YYYYApril or FY YYYY-YY (financial year from April)",
)
_EXAMPLES = "20261124, 2026W48, 202611, 2026Q3, 2026S1, 2026, 2026April, FY 2026-27"


class InvalidPeriod(ValueError):
    """A string that is not a period identifier; the message names it, why, and the accepted forms."""

    def __init__(self, text: object, reason: str = "not a recognised period form") -> None:
        self.text = text
        self.reason = reason
        super().__init__(
            f"invalid period {text!r}: {reason}; accepted forms: {', '.join(ACCEPTED_FORMS)}; "
            f"for example {_EXAMPLES}"
        )

    def __reduce__(self) -> tuple[type[InvalidPeriod], tuple[object, str]]:
        # Keeps the exception picklable (worker processes send errors back to the parent).
        return (InvalidPeriod, (self.text, self.reason))


_ONE_DAY = timedelta(days=1)
_MONTH_ABBR = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _iso_weeks_in(iso_year: int) -> int:
    """52 or 53: 28 December always falls in the ISO year's last week."""
    return date(iso_year, 12, 28).isocalendar().week


class _Rule:
    """How one period type lays its periods on the calendar. A period is identified by its first day."""

    def start_of(self, day: date) -> date:
        """First day of the period containing ``day``."""
        raise NotImplementedError

    def end_of(self, start: date) -> date:
        """Last day of the period starting on ``start``."""
        raise NotImplementedError

    def shift(self, start: date, n: int) -> date:
        """First day of the period ``n`` periods after the one starting on ``start``."""
        raise NotImplementedError

    def year_earlier(self, start: date) -> date:
        """First day of the same period one year earlier."""
        raise NotImplementedError

    def id_of(self, start: date) -> str:
        raise NotImplementedError

    def label_of(self, start: date) -> str:
        raise NotImplementedError


class _Days(_Rule):
    def start_of(self, day: date) -> date:
        return day

    def end_of(self, start: date) -> date:
        return start

    def shift(self, start: date, n: int) -> date:
        return start + timedelta(days=n)

    def year_earlier(self, start: date) -> date:
        if start.month == 2 and start.day == 29:
            return date(start.year - 1, 2, 28)
        return start.replace(year=start.year - 1)

    def id_of(self, start: date) -> str:
        return f"{start.year:04d}{start.month:02d}{start.day:02d}"

    def label_of(self, start: date) -> str:
        return f"{start.day} {_MONTH_ABBR[start.month]} {start.year:04d}"


class _IsoWeeks(_Rule):
    def start_of(self, day: date) -> date:
        return day - timedelta(days=day.weekday())

    def end_of(self, start: date) -> date:
        return start + timedelta(days=6)

    def shift(self, start: date, n: int) -> date:
        return start + timedelta(weeks=n)

    def year_earlier(self, start: date) -> date:
        # Same week number in the previous ISO year; week 53 becomes 52 when that year has no week 53.
        iso_year, week, _ = start.isocalendar()
        return date.fromisocalendar(iso_year - 1, min(week, _iso_weeks_in(iso_year - 1)), 1)

    def id_of(self, start: date) -> str:
        iso_year, week, _ = start.isocalendar()
        return f"{iso_year:04d}W{week}"  # DHIS2 does not zero-pad week numbers

    def label_of(self, start: date) -> str:
        iso_year, week, _ = start.isocalendar()
        return f"Week {week}, {iso_year:04d}"


class _MonthBlocks(_Rule):
    """Periods of ``length`` whole months, one of them starting in ``first_month`` of every year."""

    def __init__(self, length: int, first_month: int = 1) -> None:
        self.length = length
        self.first_month = first_month

    def _index(self, day: date) -> int:
        # Months counted from the anchor month of year 0, so that blocks are multiples of `length`.
        return day.year * 12 + day.month - self.first_month

    def _month_start(self, index: int) -> date:
        year, month0 = divmod(index + self.first_month - 1, 12)
        return date(year, month0 + 1, 1)

    def start_of(self, day: date) -> date:
        index = self._index(day)
        return self._month_start(index - index % self.length)

    def end_of(self, start: date) -> date:
        # Computed from the last month rather than "next start - 1 day" so December 9999 still works.
        last = self._month_start(self._index(start) + self.length - 1)
        return last.replace(day=calendar.monthrange(last.year, last.month)[1])

    def shift(self, start: date, n: int) -> date:
        return self._month_start(self._index(start) + n * self.length)

    def year_earlier(self, start: date) -> date:
        return start.replace(year=start.year - 1)


class _Months(_MonthBlocks):
    def __init__(self) -> None:
        super().__init__(1)

    def id_of(self, start: date) -> str:
        return f"{start.year:04d}{start.month:02d}"

    def label_of(self, start: date) -> str:
        return f"{_MONTH_ABBR[start.month]} {start.year:04d}"


class _Quarters(_MonthBlocks):
    def __init__(self) -> None:
        super().__init__(3)

    def id_of(self, start: date) -> str:
        return f"{start.year:04d}Q{(start.month + 2) // 3}"

    def label_of(self, start: date) -> str:
        return f"Q{(start.month + 2) // 3} {start.year:04d}"


class _Halves(_MonthBlocks):
    def __init__(self) -> None:
        super().__init__(6)

    def id_of(self, start: date) -> str:
        return f"{start.year:04d}S{1 if start.month == 1 else 2}"

    def label_of(self, start: date) -> str:
        return f"{'Jan-Jun' if start.month == 1 else 'Jul-Dec'} {start.year:04d}"


class _Years(_MonthBlocks):
    def __init__(self) -> None:
        super().__init__(12)

    def id_of(self, start: date) -> str:
        return f"{start.year:04d}"

    def label_of(self, start: date) -> str:
        return f"{start.year:04d}"


class _FinancialYears(_MonthBlocks):
    """Twelve months from ``first_month``, named after the year they start in (DHIS2 "2026April")."""

    def __init__(self, first_month: int, suffix: str) -> None:
        super().__init__(12, first_month)
        self.suffix = suffix

    def id_of(self, start: date) -> str:
        return f"{start.year:04d}{self.suffix}"

    def label_of(self, start: date) -> str:
        return f"FY {start.year:04d}-{(start.year + 1) % 100:02d}"


_RULES: dict[PeriodType, _Rule] = {
    PeriodType.DAILY: _Days(),
    PeriodType.WEEKLY: _IsoWeeks(),
    PeriodType.MONTHLY: _Months(),
    PeriodType.QUARTERLY: _Quarters(),
    PeriodType.SIXMONTHLY: _Halves(),
    PeriodType.YEARLY: _Years(),
    PeriodType.FINANCIAL_APRIL: _FinancialYears(4, "April"),
}


@dataclass(frozen=True, order=True, slots=True, repr=False)
class Period:
    """One period: its first and last day (inclusive) and its type. Ordered by start, then end.

    Build one with ``parse_period`` or ``period_of``; constructing it directly checks that the dates are
    exactly one period of the type.
    """

    start: date
    end: date
    type: PeriodType

    def __post_init__(self) -> None:
        if type(self.start) is not date or type(self.end) is not date:
            raise TypeError(f"Period start and end must be dates, got {self.start!r} and {self.end!r}")
        ptype = PeriodType(self.type)
        if ptype is not self.type:
            object.__setattr__(self, "type", ptype)
        rule = _RULES[ptype]
        if rule.start_of(self.start) != self.start or rule.end_of(self.start) != self.end:
            raise ValueError(f"{self.start} to {self.end} is not one {ptype} period")

    def __repr__(self) -> str:
        return f"Period({self.id!r}, {self.start.isoformat()}..{self.end.isoformat()})"

    def __str__(self) -> str:
        return self.id

    @property
    def id(self) -> str:
        """The DHIS2 identifier, e.g. "2026W48" or "2026April"."""
        return _RULES[self.type].id_of(self.start)

    @property
    def label(self) -> str:
        """The name shown to people, e.g. "Week 48, 2026" or "FY 2026-27"."""
        return _RULES[self.type].label_of(self.start)

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days + 1

    def contains(self, other: Period) -> bool:
        """Whether every day of ``other`` lies within this period."""
        return self.start <= other.start and other.end <= self.end

    def containing(self, ptype: PeriodType) -> Period:
        """The period of type ``ptype`` that contains this one.

        Raises ``ValueError`` if no single period of that type does: a week that straddles two months,
        Jan-Jun against the April financial year, or a type finer than this one.
        """
        candidate = period_of(self.start, ptype)
        if not candidate.contains(self):
            raise ValueError(
                f"no single {PeriodType(ptype)} period contains {self.type} {self.id} "
                f"({self.start} to {self.end}); it starts in {candidate.id}"
            )
        return candidate

    def shift(self, n: int) -> Period:
        """The period ``n`` periods later (earlier when ``n`` is negative)."""
        rule = _RULES[self.type]
        try:
            start = rule.shift(self.start, n)
        except (OverflowError, ValueError):
            raise ValueError(f"{self.id} shifted by {n} falls outside the years 1-9999") from None
        return _period_starting(start, self.type)

    def next(self) -> Period:
        """The period right after this one."""
        return self.shift(1)

    def previous(self) -> Period:
        """The period right before this one."""
        return self.shift(-1)

    def same_period_last_year(self) -> Period:
        """The same period a year earlier: 2026Q3 -> 2025Q3, 20240229 -> 20230228, 2026W53 -> 2025W52."""
        try:
            start = _RULES[self.type].year_earlier(self.start)
        except (OverflowError, ValueError):
            raise ValueError(f"{self.id} has no period a year earlier within the years 1-9999") from None
        return _period_starting(start, self.type)


def _period_starting(start: date, ptype: PeriodType) -> Period:
    try:
        end = _RULES[ptype].end_of(start)
    except (OverflowError, ValueError):
        raise ValueError(f"the {ptype} period starting {start} ends after the year 9999") from None
    # The rule produced these dates, so skip the re-check in __post_init__ (this is the hot path).
    period = object.__new__(Period)
    object.__setattr__(period, "start", start)
    object.__setattr__(period, "end", end)
    object.__setattr__(period, "type", ptype)
    return period


@lru_cache(maxsize=1 << 16)
def period_of(day: date, ptype: PeriodType) -> Period:
    """The period of type ``ptype`` that contains ``day`` (a datetime counts as its date)."""
    if isinstance(day, datetime):
        day = day.date()
    if ptype.__class__ is not PeriodType:
        ptype = PeriodType(ptype)
    try:
        start = _RULES[ptype].start_of(day)
    except (OverflowError, ValueError):
        raise ValueError(f"the {ptype} period containing {day} starts before the year 1") from None
    return _period_starting(start, ptype)


def periods_between(first: date, last: date, ptype: PeriodType) -> list[Period]:
    """Every period of ``ptype`` that overlaps the days ``first`` to ``last`` (inclusive), in order.

    The first and last periods may stick out beyond the range. An empty range (``first > last``) gives [].
    """
    if first > last:
        return []
    period = period_of(first, ptype)
    found = [period]
    while period.end < last:
        period = period.next()
        found.append(period)
    return found


def iter_periods(start: Period, end: Period) -> Iterator[Period]:
    """The periods from ``start`` to ``end`` inclusive, which must be of one type; none if end < start."""
    if start.type is not end.type:
        raise ValueError(f"cannot iterate from {start.type} {start.id} to {end.type} {end.id}: types differ")
    return _walk(start, end)


def _walk(period: Period, end: Period) -> Iterator[Period]:
    while period.start <= end.start:
        yield period
        if period == end:  # stop before computing a successor that might lie past the year 9999
            return
        period = period.next()


# --- parsing -------------------------------------------------------------------------------------------


def _check(number: int, low: int, high: int, what: str, where: str = "") -> int:
    if not low <= number <= high:
        raise ValueError(f"{what} {number} is not in {low}-{high}{where}")
    return number


def _year(text: str) -> int:
    return _check(int(text), 1, 9999, "year")


def _parse_day(match: re.Match[str]) -> Period:
    year, month, day = _year(match[1]), _check(int(match[2]), 1, 12, "month"), int(match[3])
    _check(day, 1, calendar.monthrange(year, month)[1], "day", f" ({_MONTH_ABBR[month]} {year:04d})")
    return _period_starting(date(year, month, day), PeriodType.DAILY)


def _parse_week(match: re.Match[str]) -> Period:
    year = _year(match[1])
    week = _check(int(match[2]), 1, _iso_weeks_in(year), "week", f" (ISO weeks of {year:04d})")
    return _period_starting(date.fromisocalendar(year, week, 1), PeriodType.WEEKLY)


def _parse_month(match: re.Match[str]) -> Period:
    month = _check(int(match[2]), 1, 12, "month")
    return _period_starting(date(_year(match[1]), month, 1), PeriodType.MONTHLY)


def _parse_quarter(match: re.Match[str]) -> Period:
    quarter = _check(int(match[2]), 1, 4, "quarter")
    return _period_starting(date(_year(match[1]), 3 * quarter - 2, 1), PeriodType.QUARTERLY)


def _parse_half(match: re.Match[str]) -> Period:
    half = _check(int(match[2]), 1, 2, "half-year")
    return _period_starting(date(_year(match[1]), 6 * half - 5, 1), PeriodType.SIXMONTHLY)


def _parse_year(match: re.Match[str]) -> Period:
    return _period_starting(date(_year(match[1]), 1, 1), PeriodType.YEARLY)


def _parse_financial_year(match: re.Match[str]) -> Period:
    return _period_starting(date(_year(match[1]), 4, 1), PeriodType.FINANCIAL_APRIL)


def _parse_financial_label(match: re.Match[str]) -> Period:
    year, second = _year(match[1]), match[2]
    expected = f"{(year + 1) % 100:02d}" if len(second) == 2 else f"{year + 1:04d}"
    if second != expected:
        raise ValueError(f"a financial year from {year:04d} ends in {expected}, not {second}")
    return _parse_financial_year(match)


# Tried in order with fullmatch; [0-9] rather than \d so that only ASCII digits make an identifier.
_PARSERS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Period]], ...] = (
    (re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})"), _parse_day),
    (re.compile(r"([0-9]{4})W([0-9]{1,2})"), _parse_week),
    (re.compile(r"([0-9]{4})([0-9]{2})"), _parse_month),
    (re.compile(r"([0-9]{4})Q([0-9])"), _parse_quarter),
    (re.compile(r"([0-9]{4})S([0-9])"), _parse_half),
    (re.compile(r"([0-9]{4})"), _parse_year),
    (re.compile(r"([0-9]{4})April"), _parse_financial_year),
    (re.compile(r"(?i:FY) ?([0-9]{4}) ?[-\u2013] ?([0-9]{4}|[0-9]{2})"), _parse_financial_label),
)


@lru_cache(maxsize=1 << 16)
def parse_period(text: str) -> Period:
    """The period named by a DHIS2 identifier ("20261124", "2026W48", "202611", "2026Q3", "2026S1",
    "2026", "2026April") or a financial-year label ("FY 2026-27"), ignoring surrounding whitespace.

    Raises ``InvalidPeriod`` naming the text, what is wrong with it and the accepted forms. Results are
    cached: the warehouse parses the same few thousand identifiers over and over.
    """
    if not isinstance(text, str):
        raise InvalidPeriod(text, f"expected a string, got {type(text).__name__}")
    stripped = text.strip()
    for pattern, build in _PARSERS:
        match = pattern.fullmatch(stripped)
        if match:
            try:
                return build(match)
            except ValueError as error:
                raise InvalidPeriod(text, str(error)) from None
    raise InvalidPeriod(text)
