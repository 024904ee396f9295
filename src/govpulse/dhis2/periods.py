"""DHIS2's relative periods (``LAST_12_MONTHS``, ``THIS_FINANCIAL_YEAR``, ...) as lists of periods.

Each name is a period type, how many periods, and whether the current one is included; ``today`` is the day the
query is made for (DHIS2's ``relativePeriodDate``). "Last" periods end with the one before the current one
(``LAST_12_MONTHS`` on 15 Nov 2026 is Nov 2025 .. Oct 2026), as in DHIS2. Financial years are govpulse's April
years (``2026April`` = FY 2026-27; DHIS2 takes the server's setting, October by default). ``*_THIS_YEAR`` and
``*_LAST_YEAR`` list every period of the calendar year. Bi-weekly and bi-monthly periods are not supported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from govpulse.core.periods import Period, PeriodType, period_of, periods_between

__all__ = ["RELATIVE_PERIODS", "is_relative", "relative_label", "relative_periods"]

_NAME = re.compile(r"[A-Z]+(?:_[A-Z0-9]+)*")

D, W, M, Q, S, Y, FY = (PeriodType.DAILY, PeriodType.WEEKLY, PeriodType.MONTHLY, PeriodType.QUARTERLY,
                        PeriodType.SIXMONTHLY, PeriodType.YEARLY, PeriodType.FINANCIAL_APRIL)


def _last(ptype: PeriodType, count: int, *, current: bool = False) -> Callable[[date], list[Period]]:
    def periods(today: date) -> list[Period]:
        end = period_of(today, ptype) if current else period_of(today, ptype).previous()
        return [end.shift(-k) for k in range(count - 1, -1, -1)]

    return periods


def _of_year(ptype: PeriodType, years_back: int) -> Callable[[date], list[Period]]:
    def periods(today: date) -> list[Period]:
        year = today.year - years_back
        found = periods_between(date(year, 1, 1), date(year, 12, 31), ptype)
        if ptype is W:  # ISO weeks filed under the year of their Thursday, as DHIS2 does
            found = [p for p in found if p.id.startswith(str(year))]
        return found

    return periods


RELATIVE_PERIODS: dict[str, Callable[[date], list[Period]]] = {
    "TODAY": _last(D, 1, current=True), "YESTERDAY": _last(D, 1),
    **{f"LAST_{n}_DAYS": _last(D, n) for n in (3, 7, 14, 30, 60, 90, 180)},
    "THIS_WEEK": _last(W, 1, current=True), "LAST_WEEK": _last(W, 1),
    **{f"LAST_{n}_WEEKS": _last(W, n) for n in (4, 12, 52)},
    "WEEKS_THIS_YEAR": _of_year(W, 0),
    "THIS_MONTH": _last(M, 1, current=True), "LAST_MONTH": _last(M, 1),
    **{f"LAST_{n}_MONTHS": _last(M, n) for n in (3, 6, 12)},
    "MONTHS_THIS_YEAR": _of_year(M, 0), "MONTHS_LAST_YEAR": _of_year(M, 1),
    "THIS_QUARTER": _last(Q, 1, current=True), "LAST_QUARTER": _last(Q, 1), "LAST_4_QUARTERS": _last(Q, 4),
    "QUARTERS_THIS_YEAR": _of_year(Q, 0), "QUARTERS_LAST_YEAR": _of_year(Q, 1),
    "THIS_SIX_MONTH": _last(S, 1, current=True), "LAST_SIX_MONTH": _last(S, 1), "LAST_2_SIXMONTHS": _last(S, 2),
    "THIS_YEAR": _last(Y, 1, current=True), "LAST_YEAR": _last(Y, 1), "LAST_5_YEARS": _last(Y, 5),
    "LAST_10_YEARS": _last(Y, 10),
    "THIS_FINANCIAL_YEAR": _last(FY, 1, current=True), "LAST_FINANCIAL_YEAR": _last(FY, 1),
    "LAST_5_FINANCIAL_YEARS": _last(FY, 5), "LAST_10_FINANCIAL_YEARS": _last(FY, 10),
}


def is_relative(text: str) -> bool:
    """Whether ``text`` looks like a relative period name (upper-case words joined by ``_``)."""
    return bool(_NAME.fullmatch(text))


def relative_periods(name: str, today: date) -> list[Period]:
    """The periods of relative period ``name`` on ``today``; ``KeyError`` for an unknown name."""
    return RELATIVE_PERIODS[name](today)


def relative_label(name: str) -> str:
    """``LAST_12_MONTHS`` -> "Last 12 months"."""
    return name.replace("_", " ").capitalize()
