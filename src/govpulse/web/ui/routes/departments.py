"""A department's scorecard: its indicators x the areas under an org unit, coloured by status, sortable.

``/departments/{code}?org_unit=&period=`` shows ``analytics.scorecard.scorecard`` as it is: each row an
indicator (how many areas are off track, need attention, are on track; the value at the org unit itself),
each column a child area (its value, coloured by status with the status's symbol). A column heading sorts
the indicators by that area's status, worst first; a cell opens the drill-down of that indicator there.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from govpulse.analytics import scorecard as evaluation
from govpulse.analytics.evaluation_models import Scorecard
from govpulse.web.deps import SessionDep, WarehouseDep
from govpulse.web.ui import periods, urls
from govpulse.web.ui.pages import Reader, ReaderDep, answer, home_unit, render
from govpulse.web.ui.table_builders import scorecard_table
from govpulse.web.ui.tables import Table

router = APIRouter(include_in_schema=False)

Sort = Annotated[str | None, Query(max_length=64, description="Column to sort the indicators by.")]
Order = Annotated[str | None, Query(pattern="^(asc|desc)$")]


def sorted_scorecard(card: Scorecard, reader: Reader, sort: str | None, order: str | None) -> Table:
    """The scorecard's table in the reader's language, sorted as asked (default: most areas off track first)."""
    return scorecard_table(card, reader.lang).sorted_by(sort or "red", order or "desc")


def _name(thing, lang: str) -> str:
    return (thing.names or {}).get(lang) or thing.name


@router.get("/departments/{code}", response_class=HTMLResponse)
def department_page(request: Request, code: str, session: SessionDep, warehouse: WarehouseDep, reader: ReaderDep,
                    org_unit: Annotated[str | None, Query(max_length=64)] = None, sort: Sort = None,
                    order: Order = None):
    """The scorecard of department ``code`` under ``org_unit`` (default: the reader's top org unit)."""
    unit = answer(lambda: home_unit(session, reader.scope, org_unit))
    card = answer(lambda: evaluation.scorecard(session, warehouse, reader.scope, org_unit=unit.code,
                                               period=reader.period.id, department=code, today=reader.today))
    table = sorted_scorecard(card, reader, sort, order)
    period = reader.period.id
    context = {
        "reader": reader, "card": card, "table": table, "nav_current": "overview",
        "department_name": _name(card.department, reader.lang), "unit_name": _name(card.org_unit, reader.lang),
        "data_as_of": table.data_as_of,
        "breadcrumb": [{"label": _name(card.org_unit, reader.lang), "url": urls.overview(org_unit=unit.code,
                                                                                         period=period)},
                       {"label": _name(card.department, reader.lang), "url": urls.department(code, org_unit=unit.code,
                                                                                             period=period)}],
        "period_choices": periods.period_choices(reader.today, period, reader.lang),
        "sort_url": lambda key, direction: urls.department(code, org_unit=unit.code, period=period, sort=key,
                                                           order=direction),
        "export_params": {"department": code, "org_unit": unit.code, "period": period, "sort": table.sort,
                          "order": table.order},
        "column_urls": {c.code: urls.department(code, org_unit=c.code, period=period) for c in card.columns},
    }
    return render(request, "departments/page.html", context, fragments={"scorecard-table": "departments/_table.html"})
