"""Actions on red flags: open, list, read, take through their steps, attach files, log and place calls, and the
effect report; plus the telephony provider's signed callback.

Handlers parse, call one workflow function with the reader's scope, commit, and shape the answer
(``workflow.views``). Scope is checked in the workflow and repository layers: an action outside the reader's
scope answers 404; a role without the needed action (``assign-action``, ``close-action``) answers 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse
from fastapi.security import APIKeyHeader
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models.base import utcnow
from govpulse.catalog.repositories.actions import ActionFilter, ActionRepository
from govpulse.core.access import ROLES
from govpulse.core.enums import Severity
from govpulse.web.api.problems import PROBLEM_JSON
from govpulse.web.api.schemas import PageOut, Problem
from govpulse.web.auth.principal import Principal
from govpulse.web.deps import CurrentUser, PageDep, ScopeDep, SessionDep
from govpulse.workflow.actions import InvalidTransition, Priority, Step
from govpulse.workflow.assignment import UnknownPost
from govpulse.workflow.attachments import AttachmentTooLarge, attachment_path, store_attachment
from govpulse.workflow.calls import CallLog, dial, log_call, record_call_report
from govpulse.workflow.context import Conflict, InvalidRequest, NotFound, WorkflowContext
from govpulse.workflow.lifecycle import NewAction, open_action, take_step, visible_action
from govpulse.workflow.telephony import BadSignature, TelephonyError, provider_from_settings
from govpulse.workflow.telephony.base import OUTCOMES
from govpulse.workflow.telephony.signing import SIGNATURE_HEADER
from govpulse.workflow.views import (
    ActionDetailOut,
    ActionOut,
    CallOut,
    EffectReportOut,
    action_detail,
    action_summary,
    effect_report,
    unit_names,
)

router = APIRouter(tags=["actions"])


def _problem(description: str) -> dict:
    return {"model": Problem, "description": description,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


CONFLICT = {409: _problem("The step cannot be taken from the action's status (or, to verify, you reported it).")}

Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
Line = Annotated[str, StringConstraints(max_length=255, pattern=r"^[^\x00-\x1f\x7f]*$")]
Phone = Annotated[str, StringConstraints(max_length=32, pattern=r"^[+0-9 ()-]*$")]
LongText = Annotated[str, StringConstraints(max_length=10_000)]
ActionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The action's number (A-<id>).")]
RoleName = Literal[tuple(ROLES)]  # type: ignore[valid-type]
SeverityName = Literal[tuple(s.value for s in Severity)]  # type: ignore[valid-type]
PriorityName = Literal[tuple(p.value for p in Priority)]  # type: ignore[valid-type]
Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flag_id: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="Open from this flag (its indicator, org unit, severity, title).")
    indicator: Code | None = Field(default=None, description="By hand: the indicator the action is about.")
    org_unit: Code | None = Field(default=None, description="By hand: the org unit the action is about.")
    department: Code | None = Field(default=None, description="By hand, with no indicator: its department.")
    title: Line = ""
    description: LongText = Field(default="", description="What must be done.")
    kind: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")] = Field(
        default="follow_up", description="Kind of action (field_visit, data_correction, ...), for the report.")
    severity: SeverityName | None = Field(default=None, description="By hand: sets the due date (default medium).")
    priority: PriorityName | None = Field(default=None, description="Default: from the severity.")
    assignee_role: RoleName = Field(description="The role to assign (collector, tdo, talati, ...).")
    assignee_org_unit: Code | None = Field(default=None, description="Where that role sits; default: on the "
                                                                     "action's branch of the tree.")
    due_at: AwareDatetime | None = Field(default=None, description="Default: from the severity (escalation rules).")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: LongText = ""


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report: Annotated[str, StringConstraints(min_length=1, max_length=10_000)] = Field(
        description="What was done (files are attached separately).")


class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]


class CommitmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    due_on: date


class CallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    started_at: AwareDatetime
    outcome: Outcome
    duration_seconds: int | None = Field(default=None, ge=0, le=86_400)
    notes: LongText = ""
    callee_name: Line = Field(default="", description="Default: the action's assignee.")
    callee_phone: Phone = ""
    caller_phone: Phone = ""
    commitments: list[CommitmentIn] = Field(default_factory=list, max_length=20)


class DialIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    caller_phone: Phone = Field(default="", description="Default: the phone on the caller's account.")


class CallbackIn(BaseModel):
    """What the bridge sends (documented here; the handler reads the raw body, as the signature covers it)."""

    call_id: str = Field(description="The bridge's id of the call, as it answered when the call was placed.")
    status: str = Field(description="completed, answered, no-answer, busy, failed or canceled.")
    reference: str | None = Field(default=None, description="Our call number, as sent when placing it.")
    started_at: str | None = Field(default=None, description="ISO 8601.")
    ended_at: str | None = Field(default=None, description="ISO 8601.")
    duration: int | None = Field(default=None, description="Seconds the two phones were connected.")


class CallbackOut(BaseModel):
    call: int
    outcome: str


@contextmanager
def answers() -> Iterator[None]:
    """Workflow errors as HTTP answers (permission errors are answered 403 by the app's handler)."""
    try:
        yield
    except NotFound as error:
        raise HTTPException(404, str(error)) from error
    except (InvalidTransition, Conflict) as error:
        raise HTTPException(409, str(error)) from error
    except AttachmentTooLarge as error:
        raise HTTPException(413, str(error)) from error
    except (InvalidRequest, UnknownPost) as error:
        raise HTTPException(422, str(error)) from error


def workflow_context(request: Request, session: SessionDep) -> WorkflowContext:
    clock = getattr(request.app.state, "clock", None) or utcnow
    return WorkflowContext.from_settings(session, request.app.state.settings, clock=clock)


WorkflowDep = Annotated[WorkflowContext, Depends(workflow_context)]


def viewer_id(principal: Principal) -> int | None:
    return principal.user.id if principal.user else None


def action_filter(
    status: Annotated[str | None, Query(max_length=16, description="open, acknowledged, action_taken, closed, "
                                                                   "reopened")] = None,
    open_only: Annotated[bool, Query(alias="open", description="Only actions not yet closed.")] = False,
    mine: Annotated[bool, Query(description="Only actions assigned to me (my inbox).")] = False,
    officer: Annotated[str | None, Query(max_length=128, description="Assigned to this user name.")] = None,
    org_unit: Annotated[str | None, Query(max_length=64, description="In this org unit's subtree.")] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    indicator: Annotated[str | None, Query(max_length=128)] = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    overdue: Annotated[bool, Query(description="Only actions past their due date.")] = False,
) -> ActionFilter:
    return ActionFilter(status=status, open_only=open_only, mine=mine, officer=officer, org_unit=org_unit,
                        department=department, indicator=indicator, kind=kind,
                        overdue_at=utcnow() if overdue else None)


FilterDep = Annotated[ActionFilter, Depends(action_filter)]


@router.get("/actions", response_model=PageOut[ActionOut], summary="Actions in my scope, or my inbox (?mine=true)")
def list_actions(session: SessionDep, principal: CurrentUser, scope: ScopeDep, page: PageDep, filters: FilterDep):
    repo = ActionRepository(session)
    result = repo.list(filters, scope, page, viewer_id=viewer_id(principal))
    users, effects, now = repo.users(a.assignee_user_id for a in result.items), repo.effects(result.items), utcnow()
    names = unit_names(session, result.items)
    return PageOut[ActionOut](items=[action_summary(a, users, now, effects.get(a.id), names) for a in result.items],
                              total=result.total, page=result.page, page_size=result.page_size)


@router.post("/actions", response_model=ActionDetailOut, status_code=201,
             summary="Open an action from a flag or by hand (assign-action)",
             responses={409: _problem("The flag already has an open action.")})
def create_action(body: ActionIn, ctx: WorkflowDep, principal: CurrentUser, scope: ScopeDep):
    with answers():
        action = open_action(ctx, scope, NewAction(**body.model_dump()), viewer_id=viewer_id(principal))
    ctx.session.commit()
    return action_detail(ctx.session, action, ctx.now())


@router.get("/actions/effect", response_model=EffectReportOut,
            summary="Effect report: actions with their measured effect, per officer, department and kind")
def get_effect_report(session: SessionDep, principal: CurrentUser, scope: ScopeDep, filters: FilterDep):
    return effect_report(session, scope, utcnow(), filters, viewer_id=viewer_id(principal))


@router.get("/actions/{action_id}", response_model=ActionDetailOut,
            summary="One action with its history, calls, files, escalations, messages and effect")
def get_action(action_id: ActionId, session: SessionDep, principal: CurrentUser, scope: ScopeDep):
    action = ActionRepository(session).get(action_id, scope, viewer_id=viewer_id(principal))
    if action is None:
        raise HTTPException(404, f"no action {action_id} in your scope")
    return action_detail(session, action, utcnow())


def _step(ctx: WorkflowContext, principal: Principal, scope, action_id: int, step: Step, text: str = ""):
    with answers():
        action = take_step(ctx, scope, action_id, step, viewer_id=viewer_id(principal), text=text)
    ctx.session.commit()
    return action_detail(ctx.session, action, ctx.now())


@router.post("/actions/{action_id}/acknowledge", response_model=ActionDetailOut,
             summary="Acknowledge an action (close-action)", responses=CONFLICT)
def acknowledge_action(action_id: ActionId, ctx: WorkflowDep, principal: CurrentUser, scope: ScopeDep,
                       body: NoteIn | None = None):
    return _step(ctx, principal, scope, action_id, Step.ACKNOWLEDGE, body.note if body else "")


@router.post("/actions/{action_id}/action-taken", response_model=ActionDetailOut,
             summary="Report the action taken (close-action)", responses=CONFLICT)
def report_action_taken(action_id: ActionId, body: ReportIn, ctx: WorkflowDep, principal: CurrentUser,
                        scope: ScopeDep):
    return _step(ctx, principal, scope, action_id, Step.REPORT, body.report)


@router.post("/actions/{action_id}/verify", response_model=ActionDetailOut,
             summary="Verify and close (close-action; not by whoever reported it)", responses=CONFLICT)
def verify_action(action_id: ActionId, ctx: WorkflowDep, principal: CurrentUser, scope: ScopeDep,
                  body: NoteIn | None = None):
    return _step(ctx, principal, scope, action_id, Step.VERIFY, body.note if body else "")


@router.post("/actions/{action_id}/reopen", response_model=ActionDetailOut, summary="Reopen (close-action)",
             responses=CONFLICT)
def reopen_action(action_id: ActionId, body: ReopenIn, ctx: WorkflowDep, principal: CurrentUser, scope: ScopeDep):
    return _step(ctx, principal, scope, action_id, Step.REOPEN, body.reason)


@router.post("/actions/{action_id}/attachments", response_model=ActionDetailOut, status_code=201,
             summary="Attach a photo or document to the action-taken report (close-action)")
def upload_attachment(action_id: ActionId, ctx: WorkflowDep, principal: CurrentUser, scope: ScopeDep,
                      file: Annotated[UploadFile, File(description="JPEG, PNG, WebP, PDF, DOCX, XLSX, TXT or CSV.")]):
    with answers():
        store_attachment(ctx, scope, action_id, file_name=file.filename or "file",
                         content_type=file.content_type or "", stream=file.file,
                         max_bytes=ctx.settings.attachment_max_bytes, viewer_id=viewer_id(principal))
    ctx.session.commit()
    return action_detail(ctx.session, visible_action(ctx, scope, action_id, viewer_id(principal)), ctx.now())


@router.get("/actions/{action_id}/attachments/{attachment_id}", summary="Download an attached file",
            response_class=FileResponse,
            responses={200: {"description": "The file, with its own content type.",
                             "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}})
def download_attachment(action_id: ActionId, attachment_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                        ctx: WorkflowDep, principal: CurrentUser, scope: ScopeDep):
    repo = ActionRepository(ctx.session)
    action = repo.get(action_id, scope, viewer_id=viewer_id(principal))
    found = repo.attachment(action, attachment_id) if action else None
    path = attachment_path(ctx.home, found.path) if found and ctx.home else None
    if found is None or path is None or not path.is_file():
        raise HTTPException(404, f"no attachment {attachment_id} on action {action_id} in your scope")
    inline = found.content_type.startswith("image/") or found.content_type == "application/pdf"
    return FileResponse(path, media_type=found.content_type, filename=found.file_name,
                        content_disposition_type="inline" if inline else "attachment",
                        headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"})


@router.post("/actions/{action_id}/calls", response_model=CallOut, status_code=201,
             summary="Log a call made by hand, with commitments (assign-action)")
def log_action_call(action_id: ActionId, body: CallIn, ctx: WorkflowDep, principal: CurrentUser, scope: ScopeDep):
    entry = CallLog(started_at=body.started_at, outcome=body.outcome, duration_seconds=body.duration_seconds,
                    notes=body.notes, callee_name=body.callee_name, callee_phone=body.callee_phone,
                    caller_phone=body.caller_phone, commitments=[(c.text, c.due_on) for c in body.commitments])
    with answers():
        call = log_call(ctx, scope, action_id, entry, viewer_id=viewer_id(principal))
    ctx.session.commit()
    return CallOut.model_validate(call, from_attributes=True)


@router.post("/actions/{action_id}/calls/dial", response_model=CallOut, status_code=201,
             summary="Click-to-call: ring me, then the assignee, through the telephony bridge (assign-action)",
             responses={409: _problem("No telephony provider is configured: log the call by hand instead."),
                        502: _problem("The bridge refused the call (recorded as failed).")})
def dial_assignee(action_id: ActionId, ctx: WorkflowDep, principal: CurrentUser, scope: ScopeDep,
                  body: DialIn | None = None):
    with answers():
        visible_action(ctx, scope, action_id, viewer_id(principal), "assign-action")
        provider = provider_from_settings(ctx.settings)
        if provider is None:
            raise HTTPException(409, "no telephony provider is configured (telephony_bridge_url, telephony_secret): "
                                     "log the call by hand")
        try:
            call = dial(ctx, scope, action_id, provider, caller=principal.user, viewer_id=viewer_id(principal),
                        caller_phone=body.caller_phone if body else "")
        except TelephonyError as error:
            ctx.session.commit()  # the failed attempt stays on record
            raise HTTPException(502, str(error)) from error
    ctx.session.commit()
    return CallOut.model_validate(call, from_attributes=True)


# Declared for the OpenAPI document: the bridge signs each callback with the shared secret (checked in the handler).
provider_signature = APIKeyHeader(name=SIGNATURE_HEADER, scheme_name="provider signature", auto_error=False,
                                  description="HMAC of the body with the telephony secret, and a timestamp.")


@router.post("/telephony/callback", response_model=CallbackOut,
             summary="The telephony bridge reports a call's outcome (signed with the shared secret; no sign-in)",
             responses={401: _problem("Missing, wrong or stale signature: nothing is recorded.")},
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": CallbackIn.model_json_schema()}}}})
async def telephony_callback(request: Request, ctx: WorkflowDep,
                             _signature: Annotated[str | None, Depends(provider_signature)] = None):
    provider = provider_from_settings(ctx.settings)
    if provider is None:  # nothing can have been dialled, so there is nothing to report on
        raise HTTPException(404, "this installation has no telephony provider, so it takes no callbacks")
    body = await request.body()
    try:
        report = provider.parse_callback(request.headers, body, ctx.now())
    except BadSignature as error:
        raise HTTPException(401, f"callback refused: {error}") from error
    except ValueError as error:
        raise HTTPException(422, str(error)) from error
    set_actor(ctx.session, Actor(username=f"telephony:{provider.kind}", via="callback",
                                 ip=request.client.host if request.client else ""))
    call = record_call_report(ctx, report)
    if call is None:
        raise HTTPException(404, f"no call placed with provider id {report.provider_call_id!r}")
    ctx.session.commit()
    return CallbackOut(call=call.id, outcome=call.outcome)
