"""DuckDB's SQL dialect: period arithmetic, arg_max/arg_min, prefix tests."""

from __future__ import annotations

from govpulse.core.periods import PeriodType
from govpulse.warehouse.plan import PERIOD_CODES
from govpulse.warehouse.sql import Dialect

__all__ = ["DuckDBDialect"]

_C = PERIOD_CODES


class DuckDBDialect(Dialect):
    name = "duckdb"

    def period_start(self, code: int, day: str) -> str:
        starts = {
            _C[PeriodType.DAILY]: f"{day}",
            # ISO weeks start on Monday, which is what date_trunc('week') gives.
            _C[PeriodType.WEEKLY]: f"CAST(date_trunc('week', {day}) AS DATE)",
            _C[PeriodType.MONTHLY]: f"CAST(date_trunc('month', {day}) AS DATE)",
            _C[PeriodType.QUARTERLY]: f"CAST(date_trunc('quarter', {day}) AS DATE)",
            _C[PeriodType.SIXMONTHLY]: f"make_date(year({day}), CASE WHEN month({day}) <= 6 THEN 1 ELSE 7 END, 1)",
            _C[PeriodType.YEARLY]: f"CAST(date_trunc('year', {day}) AS DATE)",
            _C[PeriodType.FINANCIAL_APRIL]: (
                f"make_date(year({day}) - CASE WHEN month({day}) < 4 THEN 1 ELSE 0 END, 4, 1)"
            ),
        }
        return starts[code]

    def period_id(self, code: str, start: str) -> str:
        return (
            f"CASE {code}"
            f" WHEN {_C[PeriodType.DAILY]} THEN strftime({start}, '%Y%m%d')"
            f" WHEN {_C[PeriodType.WEEKLY]} THEN CAST(isoyear({start}) AS VARCHAR) || 'W' || CAST(week({start}) AS VARCHAR)"
            f" WHEN {_C[PeriodType.MONTHLY]} THEN strftime({start}, '%Y%m')"
            f" WHEN {_C[PeriodType.QUARTERLY]} THEN strftime({start}, '%Y') || 'Q' || CAST(quarter({start}) AS VARCHAR)"
            f" WHEN {_C[PeriodType.SIXMONTHLY]} THEN strftime({start}, '%Y') || CASE WHEN month({start}) = 1 THEN 'S1' ELSE 'S2' END"
            f" WHEN {_C[PeriodType.YEARLY]} THEN strftime({start}, '%Y')"
            f" WHEN {_C[PeriodType.FINANCIAL_APRIL]} THEN strftime({start}, '%Y') || 'April'"
            " END"
        )

    def arg_max(self, value: str, key: str) -> str:
        return f"arg_max({value}, {key})"

    def arg_min(self, value: str, key: str) -> str:
        return f"arg_min({value}, {key})"

    def starts_with(self, text: str, prefix: str) -> str:
        return f"starts_with({text}, {prefix})"
