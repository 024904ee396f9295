"""The audit log: read and export (needs ``view-audit``). There are no routes that change it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import AfterValidator, BaseModel, ConfigDict

from govpulse.catalog.audit import AuditFilter, AuditRepository, as_utc
from govpulse.catalog.models import AuditEntry
from govpulse.web.api.schemas import PageOut
from govpulse.web.deps import PageDep, ScopeDep, SessionDep

router = APIRouter(prefix="/audit", tags=["audit"])

# Times leave the API in UTC with their zone (SQLite hands them back without one).
UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]

CSV_COLUMNS = ("id", "at", "actor", "via", "ip", "action", "entity", "entity_code", "detail", "before", "after")


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDatetime
    actor: str
    via: str
    ip: str
    action: str
    entity: str
    entity_code: str
    before: dict | None
    after: dict | None
    detail: str


def audit_filter(
    user: Annotated[str | None, Query(max_length=128, description="Who wrote (user name).")] = None,
    entity: Annotated[str | None, Query(max_length=64, description="user, indicator, api_token, ...")] = None,
    code: Annotated[str | None, Query(max_length=255, description="The entity's code.")] = None,
    action: Annotated[str | None, Query(max_length=32, description="create, update, disable, sign-in, ...")] = None,
    since: Annotated[datetime | None, Query(description="From this time (ISO 8601; UTC if no zone).")] = None,
    until: Annotated[datetime | None, Query(description="Before this time (ISO 8601; UTC if no zone).")] = None,
) -> AuditFilter:
    return AuditFilter(user=user, entity=entity, code=code, action=action, since=since, until=until)


AuditFilterDep = Annotated[AuditFilter, Depends(audit_filter)]


@router.get("", response_model=PageOut[AuditEntryOut], summary="The audit log, newest first (view-audit)")
def list_audit(session: SessionDep, scope: ScopeDep, page: PageDep, filters: AuditFilterDep):
    result = AuditRepository(session).list(filters, scope, page)
    return PageOut[AuditEntryOut](items=[AuditEntryOut.model_validate(e) for e in result.items], total=result.total,
                                  page=result.page, page_size=result.page_size)


@router.get("/export.csv", summary="The audit log as CSV (view-audit)", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                             "description": "One row per entry; before/after as JSON text."}})
def export_audit(session: SessionDep, scope: ScopeDep, filters: AuditFilterDep):
    entries = AuditRepository(session).iterate(filters, scope)
    return StreamingResponse(_csv(entries), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="audit.csv"'})


def _csv(entries: Iterable[AuditEntry]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for count, entry in enumerate(entries, start=1):
        writer.writerow([_cell(getattr(entry, column)) for column in CSV_COLUMNS])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    text = str(value)
    # A user name typed at a failed sign-in can be anything: never let a spreadsheet run it as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
