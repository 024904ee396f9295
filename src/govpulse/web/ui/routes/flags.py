"""The red-flag inbox, and opening a flag.

``/flags`` lists the flags the reader may see (``analytics.flags.list_flags``), most urgent first, filtered by
department, area, severity, how long they have been open (``age``: first raised more than a day, a week or a
month ago), and status. ``/flags/{id}`` opens a flag: it lands
on the drill-down of the flag's indicator at the flag's org unit with the children that explain most of the
gap highlighted (``analytics.root_cause.explain_flag``), or, for a unit with nothing below it (a village), on
its parent's drill-down with the unit itself highlighted. ``/flags/{id}/root-cause`` shows the whole
explanation, level by level. Acting on a flag is the actions pages' job: every flag links to
``/actions/new?flag={id}``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from govpulse.analytics import flags as flag_reads
from govpulse.analytics.evaluation_models import RootCause
from govpulse.analytics.root_cause import explain_flag
from govpulse.analytics.values import InvalidQuery, NotFound
from govpulse.catalog.repositories.flags import FlagFilter
from govpulse.catalog.repositories.indicators import DepartmentRepository
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.catalog.repositories.paging import PageRequest
from govpulse.core.enums import Severity
from govpulse.web.deps import SessionDep, WarehouseDep
from govpulse.web.ui import urls
from govpulse.web.ui.pages import PageProblem, Reader, ReaderDep, answer, render
from govpulse.web.ui.table_builders import flags_table, root_cause_table

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
ROOT_CAUSE_MARKS = 3  # children highlighted on the drill-down: the largest contributors to the gap
AGES = {"day": timedelta(days=1), "week": timedelta(days=7), "month": timedelta(days=31)}
"""``?age=``: open for more than this long (first raised before now minus it)."""
STATUSES = ("open", "resolved", "dismissed", "any")


def flag_filter(department: str | None, org_unit: str | None, severity: str | None, age: str | None,
                status: str | None, now: datetime) -> FlagFilter:
    """The inbox's query parameters as the one ``FlagFilter`` the API and the CLI use too."""
    if severity:
        try:
            Severity.parse(severity)
        except ValueError as error:
            raise PageProblem(400, str(error)) from None
    if age and age not in AGES:
        raise PageProblem(400, f"unknown age {age!r}; use one of {', '.join(AGES)}")
    return FlagFilter(department=department or None, org_unit=org_unit or None,
                      severity=(severity,) if severity else (), status=None if status == "any" else status or "open",
                      first_seen_before=now - AGES[age] if age else None)


def filter_choices(session, reader: Reader) -> dict:
    """What the inbox's filters offer: the reader's departments and areas (the top one and one level down)."""
    units = OrgUnitRepository(session)
    roots = units.roots(reader.scope)
    areas = [(u, 0) for u in roots] + [(c, 1) for u in roots[:1] for c in units.children(u.code, reader.scope)]
    return {"departments": DepartmentRepository(session).list(reader.scope), "areas": areas,
            "severities": sorted(Severity, key=lambda s: -s.rank), "ages": list(AGES), "statuses": STATUSES}


Text = Annotated[str | None, Query(max_length=64)]


@router.get("/flags", response_class=HTMLResponse)
def flag_inbox(request: Request, session: SessionDep, reader: ReaderDep, department: Text = None,
               org_unit: Text = None, severity: Text = None, age: Text = None, status: Text = None,
               page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    """The flags the reader may see, filtered, most urgent first (50 a page)."""
    filters = flag_filter(department, org_unit, severity, age, status, datetime.now(UTC))
    found = answer(lambda: flag_reads.list_flags(session, reader.scope, filters,
                                                 PageRequest(page=page, page_size=PAGE_SIZE)))
    chosen = {"department": department, "org_unit": org_unit, "severity": severity, "age": age,
              "status": status}
    pages = max(1, -(-found.total // PAGE_SIZE))
    context = {
        "reader": reader, "nav_current": "flags", "page": found, "pages": pages, "chosen": chosen,
        "table": flags_table(found.items, reader.lang), **filter_choices(session, reader),
        "export_params": chosen,
        "previous_url": urls.flags(**chosen, page=page - 1) if page > 1 else None,
        "next_url": urls.flags(**chosen, page=page + 1) if page < pages else None,
    }
    return render(request, "flags/inbox.html", context, fragments={"flag-list": "flags/_list.html"})


def root_cause_marks(cause: RootCause) -> list[str]:
    """The children to highlight: the largest contributors to the gap at the flag's own level."""
    if not cause.levels:
        return []
    shares = [c for c in cause.levels[0].contributions if c.gap > 0]
    return [c.org_unit.code for c in sorted(shares, key=lambda c: c.rank)[:ROOT_CAUSE_MARKS]]


@router.get("/flags/{flag_id}", response_class=RedirectResponse)
def open_flag(flag_id: int, session: SessionDep, warehouse: WarehouseDep, reader: ReaderDep):
    """Open a flag: the drill-down with its root cause highlighted (see the module docstring)."""
    try:
        cause = explain_flag(session, warehouse, reader.scope, flag_id)
        flag, marks = cause.flag, root_cause_marks(cause)
    except InvalidQuery:  # nothing to split (no target, no history): the flag's unit on its parent's map
        flag, marks = answer(lambda: _flag(session, reader, flag_id)), []
    except NotFound as error:
        raise PageProblem(404, str(error)) from None
    where = flag.org_unit
    if not marks:
        parent = _parent_in_scope(session, reader, flag.org_unit)
        if parent is not None:
            where, marks = parent, [flag.org_unit]
    target = urls.drilldown(flag.indicator, where, period=flag.period, highlight=marks, flag=flag.id)
    return RedirectResponse(target, status_code=303)


def _parent_in_scope(session, reader: Reader, code: str) -> str | None:
    """The code of ``code``'s parent when the reader may see it (a talati's village has none she sees)."""
    units = OrgUnitRepository(session)
    unit = units.get(code, reader.scope)
    line = units.ancestors(unit) if unit is not None else []
    return line[-2].code if len(line) >= 2 and reader.scope.allows_path(line[-2].path) else None


def _flag(session, reader: Reader, flag_id: int):
    flag = flag_reads.get_flag(session, reader.scope, flag_id)
    if flag is None:
        raise NotFound(f"no flag with id {flag_id}")
    return flag


@router.get("/flags/{flag_id}/root-cause", response_class=HTMLResponse)
def flag_root_cause(request: Request, flag_id: int, session: SessionDep, warehouse: WarehouseDep,
                    reader: ReaderDep):
    """The whole root cause of a flag, level by level."""
    cause = answer(lambda: explain_flag(session, warehouse, reader.scope, flag_id))
    tables = [root_cause_table(cause, level, reader.lang) for level in cause.levels]
    context = {"reader": reader, "nav_current": "flags", "cause": cause, "flag": cause.flag, "levels": tables,
               "marks": root_cause_marks(cause)}
    return render(request, "flags/root_cause.html", context)

