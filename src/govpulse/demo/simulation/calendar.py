"""The periods simulated for each period type, as arrays.

The window is the ``days`` days up to and including ``today``. A daily element reports every day of it. A
coarser element (week, month, quarter, year, ...) reports every period that overlaps the window: a *flow*
(births, applications) only once the period has ended, since it is counted when its period closes, so the
current month (quarter, year) has no value yet; a *stock* (households, pending cases, a yearly target) for the
current period too, as known today (``current=True``). The first period may start before the window (a month
that began before it), which is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from govpulse.core.periods import Period, PeriodType, periods_between

_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class PeriodAxis:
    """The periods of one type in the window, in order, with what the draws need to know about each."""

    ptype: PeriodType
    periods: tuple[Period, ...]
    ids: pa.Array
    """DHIS2 period ids (string array), position = period index."""
    end_day: np.ndarray
    """Last day of each period as days since 1970-01-01."""
    report_day: np.ndarray
    """The day each period's value is known: its last day, or today for the current period of a stock. A unit
    that stops reporting has no rows for periods reported after its last day."""
    days: np.ndarray
    """Length of each period in days (float)."""
    position: np.ndarray
    """Where the period's middle lies in the window: 0 = first day, 1 = today (may be < 0 for early periods)."""
    month_share: np.ndarray
    """(periods x 12) share of each period's days falling in January ... December."""
    weekday: np.ndarray
    """Weekday of the period's first day (Monday 0 ... Sunday 6); only meaningful for daily periods."""

    def __len__(self) -> int:
        return len(self.periods)


def day_number(day: date) -> int:
    """Days since 1970-01-01, the unit of ``PeriodAxis.end_day``."""
    return (day - _EPOCH).days


def window_start(today: date, days: int) -> date:
    """First day of the ``days``-day window ending on ``today``."""
    return today - timedelta(days=days - 1)


def period_axis(ptype: PeriodType, today: date, days: int, current: bool = False) -> PeriodAxis:
    """The periods of ``ptype`` overlapping the window: the ended ones, and the current one if ``current``."""
    first = window_start(today, days)
    periods = tuple(p for p in periods_between(first, today, PeriodType(ptype)) if current or p.end <= today)
    span = max((today - first).days, 1)
    ids = pa.array([p.id for p in periods], type=pa.string())
    end_day = np.array([day_number(p.end) for p in periods], dtype=np.int64)
    start_day = np.array([day_number(p.start) for p in periods], dtype=np.int64)
    days_in = (end_day - start_day + 1).astype(float)
    middle = (start_day + end_day) / 2.0
    position = (middle - day_number(first)) / span
    weekday = np.array([p.start.weekday() for p in periods], dtype=np.int64)
    report_day = np.minimum(end_day, day_number(today))
    return PeriodAxis(PeriodType(ptype), periods, ids, end_day, report_day, days_in, position,
                      _month_shares(start_day, end_day), weekday)


def _month_shares(start_day: np.ndarray, end_day: np.ndarray) -> np.ndarray:
    """Share of each period's days in each calendar month (done per day: periods are at most a year long)."""
    shares = np.zeros((len(start_day), 12))
    for i, (start, end) in enumerate(zip(start_day, end_day, strict=True)):
        days = np.arange(start, end + 1).astype("datetime64[D]")
        months = days.astype("datetime64[M]").astype(np.int64) % 12
        shares[i] = np.bincount(months, minlength=12) / len(days)
    return shares
