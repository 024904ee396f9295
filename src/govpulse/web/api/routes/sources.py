"""Sources: list and register them, their batches and rejected rows, pushes of data, and the lineage of a value.

Reads and writes by people go through the reader's scope (``manage-sources`` to register, make push tokens and
replay rejected rows). Sources, batches and their counts are visible with the source; rejected rows are data of
an org unit, so a reader sees those of their own subtree only (``batch_store.rejected_rows``), also in the report
of a replay, which runs every pending row of the source. ``POST /sources/{code}/values`` is for programs: it is
authenticated by the source's own push token (``Authorization: Bearer gps_...``), checked against the hash
stored on the source.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import select

from govpulse.catalog.models import Batch, Source, SourceRun
from govpulse.catalog.models.base import utcnow
from govpulse.catalog.repositories.indicators import DataElementRepository, DepartmentRepository
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.access import MANAGE_SOURCES
from govpulse.core.scope import Scope
from govpulse.ingest import batch_store
from govpulse.ingest.batches import BatchReport, IngestStores, replay_quarantine
from govpulse.ingest.freshness import source_freshness
from govpulse.ingest.pipeline import RejectedRow, decode_source_row
from govpulse.ingest.push import PushError, push_values
from govpulse.ingest.sources import (
    SourceDefinitionError,
    definition_of,
    get_source,
    issue_push_token,
    list_sources,
    parse_definition,
    register_source,
    token_matches,
)
from govpulse.warehouse import HasLineage
from govpulse.web.auth.principal import SignInRequired
from govpulse.web.deps import ScopeDep, SessionDep, WarehouseDep, not_found

router = APIRouter(tags=["sources"])

push_auth = HTTPBearer(auto_error=False, scheme_name="source token",
                       description="A source's push token (`Authorization: Bearer gps_...`), made by "
                                   "POST /api/v1/sources/{code}/token.")


# --- response models ---------------------------------------------------------------------------------------


class FreshnessOut(BaseModel):
    state: str = Field(description="fresh, late, stale, missing or not_promised.")
    state_label: str
    colour: str
    promise: str
    last_delivery_at: str | None
    due_by: str | None
    next_due_by: str | None
    late_by_hours: float | None
    age_hours: float | None


class RunStateOut(BaseModel):
    next_run_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_outcome: str = ""
    last_error: str = ""
    consecutive_failures: int = 0


class SourceOut(BaseModel):
    code: str
    name: str
    department: str | None
    connector: str
    schedule: str | None
    timezone: str
    enabled: bool
    has_push_token: bool
    freshness: FreshnessOut
    run: RunStateOut
    pending_rejected_rows: int


class SourceDetailOut(SourceOut):
    definition: dict[str, Any] = Field(description="The definition as registered (connector settings included).")


class RejectedRowOut(BaseModel):
    source_file: str
    source_row: int
    field: str
    reason: str
    problems: list[dict[str, str]] = Field(default_factory=list)
    cells: dict[str, str | None] | None = None
    status: str = "pending"
    org_unit: str | None = Field(None, description="The row's org unit code; null when it could not be read "
                                                   "(such rows are shown only to readers of the whole tree).")


class BatchOut(BaseModel):
    batch: str = Field(description="The batch key (also the warehouse's batch id).")
    source: str
    status: str
    trigger: str
    started_at: datetime | None
    finished_at: datetime | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    values_accepted: int
    values_inserted: int
    values_updated: int
    values_unchanged: int
    problems_found: int
    duplicates_collapsed: int
    origins: list[str]
    error: str = ""


class BatchDetailOut(BatchOut):
    rejected: list[RejectedRowOut]


class TokenOut(BaseModel):
    source: str
    token: str = Field(description="Shown only in this response; keep it in the pushing program's secrets.")


class LineageBatchOut(BaseModel):
    batch: str
    source: str | None
    trigger: str | None
    started_at: datetime | None
    values: int
    stored_at: datetime | None


class LineageRowOut(BaseModel):
    org_unit: str
    period: str
    disaggregation: str
    value: float
    batch: str
    source: str | None
    source_file: str | None
    source_row: int | None
    stored_at: datetime | None


class LineageOut(BaseModel):
    data_element: str
    org_unit: str
    period: str
    total_rows: int = Field(description="Stored values behind the value (rows lists the first ones).")
    batches: list[LineageBatchOut]
    rows: list[LineageRowOut]


# --- helpers -------------------------------------------------------------------------------------------------


def _visible(session, code: str, scope: Scope) -> tuple[Source, str | None]:
    found = get_source(session, code, scope)
    if found is None:
        raise not_found("source", code)
    return found


SECRET_ENDINGS = ("password", "secret", "token", "api_key", "apikey")


def redact_secrets(data):
    """Connector settings without their secrets (a value given as ``env:NAME`` names no secret and is kept)."""
    if isinstance(data, dict):
        return {k: ("***" if _is_secret(k, v) else redact_secrets(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [redact_secrets(item) for item in data]
    return data


def _is_secret(key: str, value) -> bool:
    return (isinstance(value, str) and not value.startswith("env:")
            and (key.lower() == "key" or key.lower().endswith(SECRET_ENDINGS)))


def _source_out(session, source: Source, department: str | None, freshness, cls=SourceOut, **extra) -> SourceOut:
    state = session.get(SourceRun, source.id)
    run = RunStateOut.model_validate(state, from_attributes=True) if state is not None else RunStateOut()
    pending = batch_store.pending_count(session, source)
    return cls(code=source.code, name=source.name, department=department, connector=source.connector,
               schedule=source.schedule or None, timezone=source.timezone, enabled=source.enabled,
               has_push_token=bool(source.token_hash), freshness=FreshnessOut(**freshness.as_dict()), run=run,
               pending_rejected_rows=pending, **extra)


def _batch_out(batch: Batch, code: str, cls=BatchOut, **extra) -> BatchOut:
    return cls(batch=batch.key, source=code, status=batch.status, trigger=batch.trigger, started_at=batch.started_at,
               finished_at=batch.finished_at, origins=list(batch.origins or []), error=batch.error,
               **{name: getattr(batch, name) for name in BatchReport(source="", status="", trigger="").counts()},
               **extra)


def _rejected_out(row) -> RejectedRowOut:
    return RejectedRowOut(source_file=row.source_file, source_row=row.source_row, field=row.field, reason=row.reason,
                          problems=list(row.problems or []), cells=row.raw, status=row.status,
                          org_unit=row.org_unit)


# --- sources -------------------------------------------------------------------------------------------------


@router.get("/sources", response_model=list[SourceOut], summary="Sources, with freshness and scheduler state")
def list_sources_route(session: SessionDep, scope: ScopeDep):
    freshness = {f.source: f for f in source_freshness(session, utcnow(), scope)}
    return [_source_out(session, source, department, freshness[source.code])
            for source, department in list_sources(session, scope)]


@router.post("/sources", response_model=SourceDetailOut, summary="Register or update a source",
             responses={201: {"description": "Created."}})
def register_source_route(definition: dict[str, Any], session: SessionDep, scope: ScopeDep, response: Response):
    try:
        parsed = parse_definition(definition, where="body")
    except SourceDefinitionError as error:
        raise HTTPException(422, str(error)) from None
    scope.require(MANAGE_SOURCES, department=parsed.department)
    if not scope.allows_source(parsed.code):
        raise HTTPException(403, f"your roles do not cover source {parsed.code!r}")
    existing = session.scalar(select(Source).where(Source.code == parsed.code))
    if existing is not None:  # changing a source needs the right on it as it is, not only as it will be
        _, department = _visible(session, parsed.code, scope)
        scope.require(MANAGE_SOURCES, department=department)
    try:
        source, created = register_source(session, parsed)
    except SourceDefinitionError as error:
        raise HTTPException(422, str(error)) from None
    session.commit()
    response.status_code = 201 if created else 200
    return _detail(session, parsed.code, scope)


def _detail(session, code: str, scope: Scope) -> SourceDetailOut:
    source, department = _visible(session, code, scope)
    (freshness,) = source_freshness(session, utcnow(), scope, codes=[code])
    definition = redact_secrets(definition_of(source, department).model_dump(mode="json", exclude_defaults=True))
    return _source_out(session, source, department, freshness, SourceDetailOut, definition=definition)


@router.get("/sources/{code}", response_model=SourceDetailOut, summary="One source")
def get_source_route(code: str, session: SessionDep, scope: ScopeDep):
    return _detail(session, code, scope)


@router.post("/sources/{code}/token", response_model=TokenOut, summary="Make the source's push token")
def make_push_token(code: str, session: SessionDep, scope: ScopeDep):
    scope.require(MANAGE_SOURCES)  # a role without the action is told so before anything is looked up
    source, department = _visible(session, code, scope)
    scope.require(MANAGE_SOURCES, department=department)
    token = issue_push_token(session, source)
    session.commit()
    return TokenOut(source=code, token=token)


@router.get("/sources/{code}/batches", response_model=list[BatchOut], summary="The source's latest batches")
def list_batches(code: str, session: SessionDep, scope: ScopeDep,
                 limit: Annotated[int, Query(ge=1, le=500, description="How many, newest first.")] = 50):
    source, _ = _visible(session, code, scope)
    return [_batch_out(batch, code) for batch in batch_store.batches_of(session, source, limit)]


@router.get("/sources/{code}/batches/{batch}", response_model=BatchDetailOut,
            summary="One batch with its rejected rows")
def get_batch(code: str, batch: str, session: SessionDep, scope: ScopeDep,
              limit: Annotated[int, Query(ge=1, le=10_000, description="Rejected rows to list.")] = 1000):
    source, _ = _visible(session, code, scope)
    found = batch_store.find_batch(session, batch)
    if found is None or found.source_id != source.id:
        raise not_found("batch", batch)
    rows = [_rejected_out(row) for row in batch_store.rejected_rows(session, scope, source=source, batch=found,
                                                                    limit=limit)]
    return _batch_out(found, code, BatchDetailOut, rejected=rows)


@router.get("/sources/{code}/quarantine", response_model=list[RejectedRowOut],
            summary="Rejected rows waiting to be replayed (those of the reader's subtree)")
def list_quarantine(code: str, session: SessionDep, scope: ScopeDep,
                    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000):
    source, _ = _visible(session, code, scope)
    return [_rejected_out(row) for row in batch_store.rejected_rows(session, scope, source=source, pending=True,
                                                                    limit=limit)]


@router.post("/sources/{code}/quarantine/replay", response_model=dict[str, Any],
             summary="Run the pending rejected rows again (after fixing the mapping or the catalogue)")
def replay_route(code: str, request: Request, session: SessionDep, scope: ScopeDep, warehouse: WarehouseDep):
    scope.require(MANAGE_SOURCES)
    source, department = _visible(session, code, scope)
    scope.require(MANAGE_SOURCES, department=department)
    stores = IngestStores(request.app.state.session_factory, warehouse)
    report = replay_quarantine(stores, code, triggered_by="api")
    return _report_for(session, scope, source, report).as_dict()


def _report_for(session, scope: Scope, source: Source, report: BatchReport) -> BatchReport:
    """A run of every pending row of the source, as the reader may see it: the counts of all its rows, and only
    the rejected rows the reader may read (at most as many as the report shows)."""
    batch = batch_store.find_batch(session, report.key) if report.key and report.rejected else None
    if batch is None:
        return report
    rows = batch_store.rejected_rows(session, scope, source=source, batch=batch, limit=len(report.rejected))
    return replace(report, rejected=[RejectedRow(r.source_file, r.source_row, list(r.problems or []), r.raw,
                                                 r.org_unit) for r in rows])


# --- push ----------------------------------------------------------------------------------------------------


def pushing_source(code: str, session: SessionDep,
                   bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(push_auth)]) -> Source:
    """The source named in the path, if the request carries its push token; 401 otherwise (also for an unknown
    source, so tokens cannot be used to probe which sources exist)."""
    source = session.scalar(select(Source).where(Source.code == code))
    if source is None or bearer is None or not token_matches(source, bearer.credentials):
        raise SignInRequired("send the source's push token as Authorization: Bearer <token>")
    if not source.enabled:
        raise HTTPException(403, f"source {code!r} is disabled")
    return source


@router.post("/sources/{code}/values", response_model=dict[str, Any],
             summary="Push data values (JSON records or CSV) with the source's token",
             openapi_extra={"requestBody": {"content": {
                 "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                 "text/csv": {"schema": {"type": "string"}}}, "required": True}})
async def push_route(code: str, request: Request, source: Annotated[Source, Depends(pushing_source)],
                     warehouse: WarehouseDep):
    body = await request.body()
    stores = IngestStores(request.app.state.session_factory, warehouse)
    content_type = request.headers.get("content-type", "application/json")
    try:
        report = await run_in_threadpool(push_values, stores, source.code, body, content_type,
                                         triggered_by=f"push token of {source.code}")
    except PushError as error:
        raise HTTPException(400, str(error)) from None
    return report.as_dict()


# --- lineage -------------------------------------------------------------------------------------------------


@router.get("/values/lineage", response_model=LineageOut, summary="The batches and source rows behind a value")
def value_lineage(session: SessionDep, scope: ScopeDep, warehouse: WarehouseDep,
                  data_element: Annotated[str, Query(description="Data element code.")],
                  org_unit: Annotated[str, Query(description="Org unit code (its whole subtree counts).")],
                  period: Annotated[str, Query(description="DHIS2 period id, e.g. 202611.")],
                  limit: Annotated[int, Query(ge=1, le=10_000, description="Source rows to list.")] = 1000):
    element = DataElementRepository(session).get(data_element, scope)
    if element is None:
        raise not_found("data element", data_element)
    department = DepartmentRepository(session).codes_by_id()[element.department_id]
    unit = OrgUnitRepository(session).get(org_unit, scope)
    if unit is None or not scope.allows(path=unit.path, department=department):  # grant by grant, as /values
        raise not_found("org unit", org_unit)
    if not warehouse.supports(HasLineage):
        raise HTTPException(501, f"the {warehouse.backend_name} warehouse cannot trace values to their batches")
    try:
        paths = scope.paths_for_department(department)
        found = warehouse.lineage(data_element, org_unit, period, scope_paths=None if paths is None else list(paths),
                                  limit=limit)
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    keys = set(found.batches.column("batch_id").to_pylist()) | set(found.rows.column("batch_id").to_pylist())
    batches = {b.key: (b, code) for b, code in session.execute(
        select(Batch, Source.code).join(Source, Source.id == Batch.source_id).where(Batch.key.in_(keys))).all()}
    return LineageOut(
        data_element=data_element, org_unit=org_unit, period=period, total_rows=found.total_rows,
        batches=[_lineage_batch(row, batches) for row in found.batches.to_pylist()],
        rows=[_lineage_row(row, batches) for row in found.rows.to_pylist()],
    )


def _lineage_batch(row: dict, batches: dict) -> LineageBatchOut:
    batch, code = batches.get(row["batch_id"], (None, None))
    return LineageBatchOut(batch=row["batch_id"], source=code, trigger=batch.trigger if batch else None,
                           started_at=batch.started_at if batch else None, values=row["values"],
                           stored_at=row["stored_at"])


def _lineage_row(row: dict, batches: dict) -> LineageRowOut:
    batch, code = batches.get(row["batch_id"], (None, None))
    source_file = source_row = None
    if batch is not None and row["source_row"] is not None:
        origin, source_row = decode_source_row(row["source_row"])
        origins = batch.origins or []
        source_file = origins[origin] if origin < len(origins) else None
    return LineageRowOut(org_unit=row["org_unit"], period=row["period"], disaggregation=row["disaggregation"],
                         value=row["value"], batch=row["batch_id"], source=code, source_file=source_file,
                         source_row=source_row, stored_at=row["stored_at"])
