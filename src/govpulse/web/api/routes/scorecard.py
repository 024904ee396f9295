"""Performance: the scorecard (indicators x areas), department summaries, headline KPIs and rankings."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from govpulse.analytics.evaluation_models import DepartmentSummary, KpiTile, Ranking, Scorecard
from govpulse.analytics.rankings import rankings
from govpulse.analytics.scorecard import department_summaries, headline_kpis, scorecard
from govpulse.analytics.values import InvalidQuery, NotFound
from govpulse.web.deps import ScopeDep, SessionDep, WarehouseDep

router = APIRouter(tags=["performance"])

OrgUnit = Annotated[str, Query(description="Org-unit code: the scorecard's columns are its children.")]
Period = Annotated[str, Query(description="DHIS2 period id, e.g. 202610 (each indicator is shown for its own "
                                          "period type's period that holds it).")]
Today = Annotated[date | None, Query(description="Judge staleness as of this day (default: today).")]


def answer(call):
    """Analytics errors as HTTP problems: absent or out of scope is 404, a query that cannot be answered 422."""
    try:
        return call()
    except NotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    except (InvalidQuery, ValueError) as error:
        raise HTTPException(status_code=422, detail=str(error)) from None


@router.get("/scorecard", response_model=Scorecard, summary="Indicators x the children of an org unit")
def get_scorecard(session: SessionDep, scope: ScopeDep, warehouse: WarehouseDep, org_unit: OrgUnit, period: Period,
                  department: Annotated[str | None, Query(description="Only this department (code).")] = None,
                  today: Today = None):
    return answer(lambda: scorecard(session, warehouse, scope, org_unit=org_unit, period=period,
                                    department=department, today=today))


@router.get("/overview", response_model=list[DepartmentSummary],
            summary="Per department: composite score, grade, RAG counts, change and open flags")
def get_overview(session: SessionDep, scope: ScopeDep, warehouse: WarehouseDep, org_unit: OrgUnit, period: Period,
                 today: Today = None):
    return answer(lambda: department_summaries(session, warehouse, scope, org_unit=org_unit, period=period,
                                               today=today))


@router.get("/kpis", response_model=list[KpiTile], summary="Headline KPIs with sparklines")
def get_kpis(session: SessionDep, scope: ScopeDep, warehouse: WarehouseDep, org_unit: OrgUnit, period: Period,
             limit: Annotated[int, Query(ge=1, le=30, description="How many tiles.")] = 8, today: Today = None):
    return answer(lambda: headline_kpis(session, warehouse, scope, org_unit=org_unit, period=period, limit=limit,
                                        today=today))


@router.get("/rankings", response_model=Ranking, summary="The children of an org unit ranked by an indicator")
def get_rankings(
    session: SessionDep, scope: ScopeDep, warehouse: WarehouseDep,
    indicator: Annotated[str, Query(description="Indicator code.")], org_unit: OrgUnit, period: Period,
    compare_to: Annotated[str | None, Query(description="Another period: change and rank change since then.")]
    = None,
    peer_band: Annotated[list[float] | None, Query(max_length=10, description="Population bounds of peer groups "
                                                                              "(repeatable).")] = None,
):
    return answer(lambda: rankings(session, warehouse, scope, indicator=indicator, org_unit=org_unit, period=period,
                                   compare_to=compare_to, peer_bands=peer_band))
