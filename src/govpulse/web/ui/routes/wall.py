"""The video wall: a full-screen dark page that rotates through chosen views every N seconds.

``/wall?view=overview&view=flags&view=drill:HLT_X:24&every=30`` is a shell with no data in it, open to
anyone, so a wall never lands on a sign-in or error page: the shell fetches each view
(``/wall/views/{view}``) itself, signed with the session cookie or with a wall token (an API token of a
kiosk account, given once as ``/wall#token=gpt_...`` and kept in that browser's local storage), and when a
fetch fails it keeps showing the last good view with a quiet "reconnecting" note. Every view carries its
"data as of"; the shell shows it beside the clock.

Views: ``overview`` (departments and red flags), ``flags`` (the most urgent open flags), ``department:CODE``
(a department's scorecard), ``drill:INDICATOR`` or ``drill:INDICATOR:ORG_UNIT`` (the map of an indicator).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from govpulse.analytics.flags import list_flags
from govpulse.analytics.scorecard import scorecard
from govpulse.catalog.repositories.flags import FlagFilter
from govpulse.catalog.repositories.paging import PageRequest
from govpulse.web.deps import SessionDep, WarehouseDep
from govpulse.web.ui import urls
from govpulse.web.ui.pages import PageProblem, ReaderDep, answer, home_unit, render
from govpulse.web.ui.routes.departments import sorted_scorecard
from govpulse.web.ui.routes.drilldown import drill_context, drill_ranking
from govpulse.web.ui.routes.overview import department_tiles, flag_panel, kpi_tiles

router = APIRouter(include_in_schema=False)

DEFAULT_EVERY = 30
MIN_EVERY, MAX_EVERY = 10, 3600
DEFAULT_VIEWS = ("overview", "flags")
WALL_TOP = 8  # areas listed beside a wall map: the worst and the best
WALL_FLAGS = 12  # the most urgent open flags a wall shows


@router.get("/wall", response_class=HTMLResponse)
def wall_shell(request: Request,
               view: Annotated[list[str], Query(max_length=50, description="Views to rotate through.")] = [],  # noqa: B006
               every: Annotated[int, Query(ge=MIN_EVERY, le=MAX_EVERY)] = DEFAULT_EVERY):
    """The shell: no data, no sign-in; it loads the views itself (see the module docstring)."""
    chosen = view or list(DEFAULT_VIEWS)
    lang = request.query_params.get("lang")
    view_urls = [urls.with_query(urls.wall_view(v), {"lang": lang}) for v in chosen]
    return render(request, "wall/shell.html", {"view_urls": view_urls, "every": every, "views": chosen})


def _parts(view: str) -> tuple[str, list[str]]:
    kind, *rest = view.split(":")
    return kind, rest


@router.get("/wall/views/{view}", response_class=HTMLResponse)
def wall_view(request: Request, view: str, session: SessionDep, warehouse: WarehouseDep, reader: ReaderDep):
    """One view of the wall as a fragment (the same numbers as the page it summarises)."""
    kind, args = _parts(view)
    if kind == "overview" and len(args) <= 1:
        context = department_tiles(session, warehouse, reader, args[0] if args else None)
        unit = context["unit"]
        context.update(flag_panel(session, reader, unit))
        # How fresh the screen is: the newest data behind the headline indicators of the same area.
        context["data_as_of"] = kpi_tiles(session, warehouse, reader, unit.code)["data_as_of"]
        return render(request, "wall/_overview.html", {**context, "view": view})
    if kind == "flags" and len(args) <= 1:
        unit = answer(lambda: home_unit(session, reader.scope, args[0] if args else None))
        found = answer(lambda: list_flags(session, reader.scope, FlagFilter(org_unit=unit.code, status="open"),
                                          PageRequest(page_size=WALL_FLAGS)))
        return render(request, "wall/_flags.html", {"reader": reader, "unit": unit, "flags": found.items,
                                                    "total": found.total, "view": view})
    if kind == "department" and 1 <= len(args) <= 2:
        unit = answer(lambda: home_unit(session, reader.scope, args[1] if len(args) == 2 else None))
        card = answer(lambda: scorecard(session, warehouse, reader.scope, org_unit=unit.code, period=reader.period.id,
                                        department=args[0], today=reader.today))
        table = sorted_scorecard(card, reader, None, None)
        return render(request, "wall/_department.html", {"reader": reader, "card": card, "table": table,
                                                         "view": view, "data_as_of": table.data_as_of})
    if kind == "drill" and 1 <= len(args) <= 2:
        unit = answer(lambda: home_unit(session, reader.scope, args[1] if len(args) == 2 else None))
        ranking = drill_ranking(session, warehouse, reader, args[0], unit.code)
        context = drill_context(session, ranking, unit, reader, highlight=[], sort=None, order=None, flag=None)
        context["view"] = view
        context["top"] = WALL_TOP
        return render(request, "wall/_drill.html", context)
    raise PageProblem(404, f"no wall view {view!r}; views are overview, flags, department:CODE, drill:INDICATOR")

