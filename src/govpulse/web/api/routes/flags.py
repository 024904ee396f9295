"""Red flags: the list (filtered, most urgent first), counts by severity, one flag and its root cause."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from govpulse.analytics.evaluation_models import FlagOut, RootCause
from govpulse.analytics.flags import FlagFilter, flag_counts, get_flag, list_flags
from govpulse.analytics.root_cause import explain_flag
from govpulse.web.api.routes.scorecard import answer
from govpulse.web.api.schemas import PageOut
from govpulse.web.deps import PageDep, ScopeDep, SessionDep, WarehouseDep

router = APIRouter(prefix="/flags", tags=["flags"])

STATUSES = ("open", "resolved", "dismissed", "any")
FlagId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The flag's id.")]


@router.get("", response_model=PageOut[FlagOut], summary="Red flags, most severe first, then most recently seen")
def get_flag_list(
    session: SessionDep, scope: ScopeDep, page: PageDep,
    department: Annotated[str | None, Query(description="Department code.")] = None,
    org_unit: Annotated[str | None, Query(description="Org-unit code: that unit and its whole subtree.")] = None,
    severity: Annotated[list[str] | None, Query(max_length=5, description="Exactly these severities "
                                                                          "(repeatable).")] = None,
    min_severity: Annotated[str | None, Query(description="This severity and the more urgent ones.")] = None,
    status: Annotated[str, Query(description=f"One of {', '.join(STATUSES)}.")] = "open",
    kind: Annotated[str | None, Query(description="Rule kind: threshold, deterioration, anomaly, ...")] = None,
    rule: Annotated[str | None, Query(description="Rule name.")] = None,
    indicator: Annotated[str | None, Query(description="Indicator code.")] = None,
    since: Annotated[date | None, Query(description="Seen (still holding) on or after this day.")] = None,
    first_seen_before: Annotated[date | None, Query(description="First raised before this day (UTC): open for "
                                                                "longer than the time since then.")] = None,
):
    if status not in STATUSES:
        raise HTTPException(status_code=422, detail=f"status {status!r} is not one of {', '.join(STATUSES)}")
    filters = FlagFilter(department=department, org_unit=org_unit, severity=tuple(severity or ()),
                         min_severity=min_severity, status=None if status == "any" else status, kind=kind, rule=rule,
                         indicator=indicator, since=since, first_seen_before=first_seen_before)
    found = answer(lambda: list_flags(session, scope, filters, page))
    return PageOut[FlagOut](items=found.items, total=found.total, page=found.page, page_size=found.page_size)


@router.get("/counts", response_model=dict[str, int], summary="Open flags by severity")
def get_flag_counts(session: SessionDep, scope: ScopeDep,
                    org_unit: Annotated[str | None, Query(description="Within this org unit's subtree.")] = None):
    return answer(lambda: flag_counts(session, scope, org_unit=org_unit))


@router.get("/{flag_id}", response_model=FlagOut, summary="One flag")
def get_flag_detail(flag_id: FlagId, session: SessionDep, scope: ScopeDep):
    flag = get_flag(session, scope, flag_id)
    if flag is None:
        raise HTTPException(status_code=404, detail=f"no flag with id {flag_id}")
    return flag


@router.get("/{flag_id}/root-cause", response_model=RootCause,
            summary="Which units below explain the flag: contributions that add up to the gap")
def get_flag_root_cause(flag_id: FlagId, session: SessionDep, scope: ScopeDep, warehouse: WarehouseDep,
                        depth: Annotated[int, Query(ge=1, le=4, description="Levels to drill down.")] = 2):
    return answer(lambda: explain_flag(session, warehouse, scope, flag_id, depth=depth))
