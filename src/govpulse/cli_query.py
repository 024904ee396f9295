"""``govpulse query``: indicator values, the drill-down and series, as tables or JSON."""

from __future__ import annotations

from datetime import date, timedelta

from rich.console import Console
from rich.table import Table

from govpulse.analytics import values as analytics
from govpulse.analytics.models import Drilldown, IndicatorValue, Series, ValuesResult
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.formatting import format_indian
from govpulse.core.periods import PeriodType, period_of
from govpulse.core.scope import Scope
from govpulse.installation import open_stores
from govpulse.settings import Settings


def run_query(settings: Settings, indicators: list[str], org_units: list[str], periods: list[str], *,
              children: bool = False, series: str | None = None, first: str | None = None,
              last: str | None = None) -> ValuesResult | Drilldown | Series:
    scope = Scope.system()  # the command line is run by the installation's owner
    with open_stores(settings) as (session, warehouse):
        if not org_units:
            org_units = [root.code for root in OrgUnitRepository(session).roots(scope)]
        if series:
            end = date.fromisoformat(last) if last else date.today()
            start = date.fromisoformat(first) if first else end - timedelta(days=365)
            return analytics.series(session, warehouse, scope, indicator=indicators[0], org_unit=org_units[0],
                                    period_type=series, first=start, last=end)
        if not periods:
            periods = [period_of(date.today(), PeriodType.MONTHLY).previous().id]
        if children:
            return analytics.drilldown(session, warehouse, scope, indicator=indicators[0], org_unit=org_units[0],
                                       period=periods[0])
        return analytics.indicator_values(session, warehouse, scope, indicators=indicators, org_units=org_units,
                                          periods=periods)


def _cells(value: IndicatorValue | None, decimals: int) -> list[str]:
    if value is None:
        return ["no data", "", "", ""]
    shown = "no value" if value.value is None else format_indian(value.value, decimals)
    parts = [format_indian(x, 0) if x is not None else "" for x in (value.numerator, value.denominator)]
    return [shown, *parts, f"{value.reporting:,}/{value.expected:,}"]


def print_result(console: Console, result) -> None:
    table = Table(title=result.description)
    for column in ("org unit", "period", "value", "numerator", "denominator", "reporting/expected"):
        table.add_column(column, justify="left" if column in ("org unit", "period") else "right")
    if isinstance(result, Drilldown):
        decimals = result.indicator.decimals
        table.add_row(f"[bold]{result.parent.name}[/]", result.period.label, *_cells(result.parent_value, decimals))
        for child in result.children:
            table.add_row(f"  {child.org_unit.name}", result.period.label, *_cells(child.value, decimals))
    elif isinstance(result, Series):
        for point in result.points:
            table.add_row(result.org_unit.name, point.period.label, *_cells(point.value, result.indicator.decimals))
    else:
        names = {u.code: u.name for u in result.org_units}
        labels = {p.id: p.label for p in result.periods}
        decimals = {i.code: i.decimals for i in result.indicators}
        for value in result.values:
            table.add_row(names[value.org_unit], labels[value.period], *_cells(value, decimals[value.indicator]))
    console.print(table)
