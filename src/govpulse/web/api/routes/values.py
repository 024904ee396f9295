"""Indicator values: at org units and periods, the drill-down to children, and time series."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from govpulse.analytics import values as analytics
from govpulse.analytics.models import Drilldown, Series, ValuesResult
from govpulse.web.deps import ScopeDep, SessionDep, WarehouseDep

router = APIRouter(prefix="/values", tags=["values"])

Indicators = Annotated[list[str], Query(min_length=1, max_length=100, description="Indicator codes (repeatable).")]
OrgUnits = Annotated[list[str], Query(min_length=1, max_length=500, description="Org-unit codes (repeatable).")]
Periods = Annotated[list[str], Query(min_length=1, max_length=100, description="DHIS2 period ids (repeatable).")]


def _answer(call):
    """Analytics errors as HTTP problems: out of scope or absent is 404, a bad query 422."""
    try:
        return call()
    except analytics.NotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    except analytics.InvalidQuery as error:
        raise HTTPException(status_code=422, detail=str(error)) from None


@router.get("", response_model=ValuesResult, summary="Indicators at org units for periods")
def get_values(session: SessionDep, scope: ScopeDep, warehouse: WarehouseDep, indicator: Indicators,
               org_unit: OrgUnits, period: Periods):
    return _answer(lambda: analytics.indicator_values(session, warehouse, scope, indicators=indicator,
                                                      org_units=org_unit, periods=period))


@router.get("/children", response_model=Drilldown, summary="The drill-down: an indicator at each child")
def get_children_values(
    session: SessionDep, scope: ScopeDep, warehouse: WarehouseDep,
    indicator: Annotated[str, Query(description="Indicator code.")],
    org_unit: Annotated[str, Query(description="The parent org unit (code).")],
    period: Annotated[str, Query(description="DHIS2 period id.")],
):
    return _answer(lambda: analytics.drilldown(session, warehouse, scope, indicator=indicator, org_unit=org_unit,
                                               period=period))


@router.get("/series", response_model=Series, summary="An indicator over time at one org unit")
def get_series(
    session: SessionDep, scope: ScopeDep, warehouse: WarehouseDep,
    indicator: Annotated[str, Query(description="Indicator code.")],
    org_unit: Annotated[str, Query(description="Org-unit code.")],
    first: Annotated[date, Query(description="First day (ISO date).")],
    last: Annotated[date, Query(description="Last day (ISO date).")],
    period_type: Annotated[str, Query(description="Daily, Weekly, Monthly, Quarterly, Yearly, FinancialApril...")]
    = "Monthly",
):
    return _answer(lambda: analytics.series(session, warehouse, scope, indicator=indicator, org_unit=org_unit,
                                            period_type=period_type, first=first, last=last))
