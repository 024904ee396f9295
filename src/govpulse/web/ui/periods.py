"""Periods as the dashboard offers them: the default period, the picker's choices, and labels in each language.

The dashboard opens on the last complete month: most of the catalogue is reported monthly, and a month that
is still running has data for some indicators and not for others, which would make every department look
worse on the 1st than on the 30th. The picker offers the periods people ask about (yesterday, this month so
far, last month, the quarter, the financial year); any DHIS2 period id typed into the URL works too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from govpulse.core import formatting
from govpulse.core.periods import InvalidPeriod, Period, PeriodType, parse_period, period_of
from govpulse.web.ui.i18n import translate

DEFAULT_TIMEZONE = "Asia/Kolkata"


def today_in(timezone: str | None) -> date:
    """Today on the installation's wall clock (a day in India starts 5 h 30 min before UTC's)."""
    return datetime.now(ZoneInfo(timezone or DEFAULT_TIMEZONE)).date()


def default_period(today: date) -> Period:
    """The last complete month."""
    return period_of(today, PeriodType.MONTHLY).previous()


def chosen_period(text: str | None, today: date) -> Period:
    """The period asked for in the URL, or the default; ``InvalidPeriod`` names what was wrong."""
    return parse_period(text) if text else default_period(today)


@dataclass(frozen=True)
class PeriodChoice:
    id: str
    label: str
    hint: str
    selected: bool = False


def _choices(today: date) -> list[tuple[str, Period]]:
    month = period_of(today, PeriodType.MONTHLY)
    quarter = period_of(today, PeriodType.QUARTERLY)
    year = period_of(today, PeriodType.FINANCIAL_APRIL)
    return [
        ("period.yesterday", period_of(today - timedelta(days=1), PeriodType.DAILY)),
        ("period.this_month", month),
        ("period.last_month", month.previous()),
        ("period.this_quarter", quarter),
        ("period.last_quarter", quarter.previous()),
        ("period.this_fy", year),
        ("period.last_fy", year.previous()),
    ]


def period_choices(today: date, selected: str, lang: str) -> list[PeriodChoice]:
    """The picker's choices, ``selected`` marked; a period typed into the URL that is not one of the usual
    choices is put first, so the picker never lies about what the page shows."""
    choices = [PeriodChoice(p.id, period_label(p, lang), translate(lang, key), p.id == selected)
               for key, p in _choices(today)]
    if not any(c.selected for c in choices):
        try:
            period = parse_period(selected)
        except InvalidPeriod:
            return choices
        choices.insert(0, PeriodChoice(period.id, period_label(period, lang), "", True))
    return choices


def period_label(period: Period | str, lang: str) -> str:
    """"October 2026", "ઑક્ટોબર 2026", "FY 2026-27", "Q3 2026", "25 November 2026", "Week 48, 2026"."""
    if isinstance(period, str):
        period = parse_period(period)
    start, kind = period.start, period.type
    if kind is PeriodType.DAILY:
        return formatting.format_date(start, lang)
    if kind is PeriodType.MONTHLY:
        return translate(lang, f"month.m{start.month}", year=start.year)
    if kind is PeriodType.QUARTERLY:
        return translate(lang, "period.quarter_year", quarter=(start.month - 1) // 3 + 1, year=start.year)
    if kind is PeriodType.SIXMONTHLY:
        return translate(lang, "period.half_year", half=1 if start.month == 1 else 2, year=start.year)
    if kind is PeriodType.FINANCIAL_APRIL:
        return translate(lang, "time.fy", start=start.year, end=f"{(start.year + 1) % 100:02d}")
    if kind is PeriodType.WEEKLY:
        return translate(lang, "period.week_year", week=period.id.split("W")[1], year=period.id.split("W")[0])
    return str(start.year)


def trend_window(period: Period) -> tuple[PeriodType, date, date]:
    """The trend shown beside ``period``: its own type over the past year or so (13 months, 8 quarters, 5
    financial years, 30 days, 12 weeks), ending with the period itself."""
    kind = period.type
    span = {PeriodType.DAILY: 29, PeriodType.WEEKLY: 11, PeriodType.MONTHLY: 12, PeriodType.QUARTERLY: 7,
            PeriodType.SIXMONTHLY: 5, PeriodType.YEARLY: 4, PeriodType.FINANCIAL_APRIL: 4}[kind]
    return kind, period.shift(-span).start, period.end
