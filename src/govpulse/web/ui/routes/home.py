"""The front page: what this installation holds, and where the JSON lives."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from govpulse.catalog.models import OrgUnit
from govpulse.catalog.repositories.indicators import (
    DataElementRepository,
    DepartmentRepository,
    IndicatorRepository,
)
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.web.deps import ScopeDep, SessionDep
from govpulse.web.ui.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, scope: ScopeDep):
    org_units = OrgUnitRepository(session)
    by_kind = org_units.count_by(OrgUnit.kind, scope)
    context = {
        "roots": org_units.roots(scope),
        "counts_by_kind": sorted(by_kind.items(), key=lambda item: -item[1]),
        "total_org_units": sum(by_kind.values()),
        "departments": DepartmentRepository(session).list(scope),
        "indicator_count": IndicatorRepository(session).count(scope),
        "data_element_count": DataElementRepository(session).count(scope),
    }
    return templates().TemplateResponse(request, "home.html", context)
