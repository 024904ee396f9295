"""The front page: the overview of the reader's area (the state for the CMO, the district for a Collector).

The panels are the fragments of ``routes/overview.py``: the headline KPIs, the red flags and the sources'
freshness are rendered into the page; the department tiles (a composite score for every department, the
slowest to compute) arrive by htmx as soon as the page is up. Below them, what the installation holds and
where its JSON lives.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from govpulse.catalog.models import OrgUnit
from govpulse.catalog.repositories.indicators import DataElementRepository, DepartmentRepository, IndicatorRepository
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.web.deps import SessionDep, WarehouseDep
from govpulse.web.ui import periods, urls
from govpulse.web.ui.pages import Reader, ReaderDep, answer, home_unit, render
from govpulse.web.ui.routes.overview import OrgUnitParam, flag_panel, freshness_panel, kpi_tiles

router = APIRouter(include_in_schema=False)


def installation(session, reader: Reader) -> dict:
    """What this installation holds, as the reader may see it (areas by kind, departments, indicators)."""
    org_units = OrgUnitRepository(session)
    by_kind = org_units.count_by(OrgUnit.kind, reader.scope)
    return {
        "roots": org_units.roots(reader.scope),
        "counts_by_kind": sorted(by_kind.items(), key=lambda item: -item[1]),
        "total_org_units": sum(by_kind.values()),
        "departments": DepartmentRepository(session).list(reader.scope),
        "indicator_count": IndicatorRepository(session).count(reader.scope),
        "data_element_count": DataElementRepository(session).count(reader.scope),
    }


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, warehouse: WarehouseDep, reader: ReaderDep,
         org_unit: OrgUnitParam = None):
    """The overview of ``org_unit`` (default: the reader's top org unit) for the period (default: last month)."""
    about = installation(session, reader)
    context = {"reader": reader, "nav_current": "overview", **about}
    if about["roots"]:
        unit = answer(lambda: home_unit(session, reader.scope, org_unit))
        kpis = kpi_tiles(session, warehouse, reader, unit.code)
        context.update(kpis)
        context.update(flag_panel(session, reader, unit))
        context.update(freshness_panel(session, reader))
        crumbs = OrgUnitRepository(session).ancestors(unit)
        context.update({
            "unit": unit,
            "breadcrumb": [{"label": (u.names or {}).get(reader.lang) or u.name,
                            "url": urls.overview(org_unit=u.code, period=reader.period.id)}
                           for u in crumbs if reader.scope.allows_path(u.path)],
            "period_choices": periods.period_choices(reader.today, reader.period.id, reader.lang),
            "departments_url": urls.with_query("/overview/departments",
                                               {"org_unit": unit.code, "period": reader.period.id}),
        })
    return render(request, "home.html", context)
