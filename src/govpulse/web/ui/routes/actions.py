"""Pages for actions: the inbox, one action (with its step, call and upload forms), and the effect report.

The pages call the same workflow functions and get the same models (``workflow.views``) as ``/api/v1/actions``;
forms post here with the session's CSRF token and come back to the action's page (303), or show the error.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from govpulse.catalog.models.base import utcnow
from govpulse.catalog.repositories.actions import ActionFilter, ActionRepository
from govpulse.catalog.repositories.paging import PageRequest
from govpulse.core.access import ASSIGN_ACTION, CLOSE_ACTION
from govpulse.web.api.routes.actions import WorkflowDep, answers, viewer_id
from govpulse.web.auth.csrf import csrf_token
from govpulse.web.deps import CurrentUser, SessionDep
from govpulse.web.ui.i18n import request_language, translate
from govpulse.web.ui.pages import account_language
from govpulse.web.ui.templating import templates
from govpulse.workflow.actions import Step
from govpulse.workflow.attachments import store_attachment
from govpulse.workflow.calls import CallLog, dial, log_call
from govpulse.workflow.context import InvalidRequest
from govpulse.workflow.lifecycle import take_step
from govpulse.workflow.telephony import TelephonyError, provider_from_settings
from govpulse.workflow.telephony.base import OUTCOMES
from govpulse.workflow.views import action_detail, action_summary, effect_report, open_steps, unit_names

# Every action page needs the signed-in reader anyway; this also lets their account's language choose the page's.
router = APIRouter(prefix="/actions", include_in_schema=False, dependencies=[Depends(account_language)])

VIEWS = ("mine", "all", "overdue")


def _csrf(request: Request, principal) -> str:
    return csrf_token(request.app.state.secret_key, principal.session_secret or "")


def _crumbs(request: Request, *pairs: tuple[str, str]) -> list[dict]:
    """The breadcrumb: (message key or plain label, url) pairs, root first."""
    lang = request_language(request)
    return [{"label": translate(lang, label) if "." in label else label, "url": url} for label, url in pairs]


@router.get("", response_class=HTMLResponse)
def inbox_page(request: Request, session: SessionDep, principal: CurrentUser, view: str = "mine", page: int = 1):
    """My inbox (``view=mine``), everything in my area (``all``), or what is overdue (``overdue``)."""
    view = view if view in VIEWS else "mine"
    filters = ActionFilter(mine=view == "mine", open_only=view != "all",
                           overdue_at=utcnow() if view == "overdue" else None)
    repo = ActionRepository(session)
    result = repo.list(filters, principal.scope, PageRequest(page=max(1, page), page_size=100),
                       viewer_id=viewer_id(principal))
    users, effects, now = repo.users(a.assignee_user_id for a in result.items), repo.effects(result.items), utcnow()
    names = unit_names(session, result.items)
    context = {"view": view, "views": VIEWS, "total": result.total,
               "actions": [action_summary(a, users, now, effects.get(a.id), names) for a in result.items],
               "breadcrumb": _crumbs(request, ("nav.home", "/"), ("nav.actions", "/actions"))}
    return templates().TemplateResponse(request, "actions/inbox.html", context)


@router.get("/effect", response_class=HTMLResponse)
def effect_page(request: Request, session: SessionDep, principal: CurrentUser, officer: str | None = None,
                department: str | None = None, kind: str | None = None):
    """The effect report; ``?officer=`` makes it an officer's page."""
    filters = ActionFilter(officer=officer or None, department=department or None, kind=kind or None)
    report = effect_report(session, principal.scope, utcnow(), filters, viewer_id=viewer_id(principal))
    context = {"report": report, "officer": officer, "department": department, "kind": kind,
               "breadcrumb": _crumbs(request, ("nav.home", "/"), ("nav.actions", "/actions"),
                                     ("workflow.effect_report", "/actions/effect"))}
    return templates().TemplateResponse(request, "actions/effect.html", context)


def _detail_page(request: Request, ctx, principal, action_id: int, *, error: str = "", status: int = 200):
    action = ActionRepository(ctx.session).get(action_id, principal.scope, viewer_id=viewer_id(principal))
    if action is None:
        raise HTTPException(404, f"no action {action_id} in your scope")
    scope = principal.scope
    context = {
        "action": action_detail(ctx.session, action, ctx.now()), "csrf_token": _csrf(request, principal),
        "steps": open_steps(action, scope, viewer_id(principal)), "error": error, "outcomes": OUTCOMES,
        "can_call": bool(scope.can(ASSIGN_ACTION, path=action.org_unit_path, department=action.department)),
        "can_attach": bool(scope.can(CLOSE_ACTION, path=action.org_unit_path, department=action.department)
                           or action.assignee_user_id == viewer_id(principal)) and action.status != "closed",
        "can_dial": provider_from_settings(ctx.settings) is not None,
        "today": datetime.now(UTC).date(),
        "breadcrumb": _crumbs(request, ("nav.home", "/"), ("nav.actions", "/actions"),
                             (f"A-{action.id}", f"/actions/{action.id}")),
    }
    return templates().TemplateResponse(request, "actions/detail.html", context, status_code=status)


def _back(action_id: int) -> RedirectResponse:
    return RedirectResponse(f"/actions/{action_id}", status_code=303)


@router.get("/{action_id}", response_class=HTMLResponse)
def action_page(request: Request, action_id: int, ctx: WorkflowDep, principal: CurrentUser):
    return _detail_page(request, ctx, principal, action_id)


def _run(request: Request, ctx, principal, action_id: int, work) -> HTMLResponse | RedirectResponse:
    """Do ``work``; on a workflow error, show the page again with the error and its status."""
    try:
        with answers():
            work()
    except HTTPException as error:
        ctx.session.rollback()
        if error.status_code == 404:
            raise
        return _detail_page(request, ctx, principal, action_id, error=str(error.detail), status=error.status_code)
    ctx.session.commit()
    return _back(action_id)


@router.post("/{action_id}/step/{step}", response_class=HTMLResponse)
def step_form(request: Request, action_id: int, step: str, ctx: WorkflowDep, principal: CurrentUser,
              text: Annotated[str, Form(max_length=10_000)] = ""):
    if step not in {s.value for s in Step}:
        raise HTTPException(404, f"no step {step!r}")
    return _run(request, ctx, principal, action_id,
                lambda: take_step(ctx, principal.scope, action_id, step, viewer_id=viewer_id(principal), text=text))


@router.post("/{action_id}/attachments", response_class=HTMLResponse)
def attachment_form(request: Request, action_id: int, ctx: WorkflowDep, principal: CurrentUser,
                    file: Annotated[UploadFile, File()]):
    return _run(request, ctx, principal, action_id, lambda: store_attachment(
        ctx, principal.scope, action_id, file_name=file.filename or "file", content_type=file.content_type or "",
        stream=file.file, max_bytes=ctx.settings.attachment_max_bytes, viewer_id=viewer_id(principal)))


def _call_form(
    outcome: Annotated[str, Form(max_length=16)],
    started_at: Annotated[str, Form(max_length=32, description="local date and time, e.g. 2026-11-24T10:30")],
    minutes: Annotated[float | None, Form(ge=0, le=1440)] = None,
    notes: Annotated[str, Form(max_length=10_000)] = "",
    commitment: Annotated[str, Form(max_length=1000)] = "",
    commitment_due: Annotated[date | None, Form()] = None,
) -> tuple[str, str, float | None, str, str, date | None]:
    return outcome, started_at, minutes, notes, commitment, commitment_due


@router.post("/{action_id}/calls", response_class=HTMLResponse)
def call_form(request: Request, action_id: int, ctx: WorkflowDep, principal: CurrentUser,
              fields: Annotated[tuple, Depends(_call_form)]):
    outcome, started_text, minutes, notes, commitment, due = fields

    def work():
        try:
            started = datetime.fromisoformat(started_text)
        except ValueError:
            raise InvalidRequest(f"the call's time {started_text!r} is not a date and time") from None
        if started.tzinfo is None:  # the form gives the installation's wall-clock time
            started = started.replace(tzinfo=ZoneInfo(ctx.settings.timezone))
        promises = [(commitment.strip(), due)] if commitment.strip() and due else []
        entry = CallLog(started_at=started, outcome=outcome, notes=notes, commitments=promises,
                        duration_seconds=round(minutes * 60) if minutes is not None else None)
        log_call(ctx, principal.scope, action_id, entry, viewer_id=viewer_id(principal))

    return _run(request, ctx, principal, action_id, work)


@router.post("/{action_id}/dial", response_class=HTMLResponse)
def dial_form(request: Request, action_id: int, ctx: WorkflowDep, principal: CurrentUser):
    provider = provider_from_settings(ctx.settings)
    if provider is None:
        return _detail_page(request, ctx, principal, action_id,
                            error="no telephony provider is configured: log the call by hand", status=409)
    try:
        return _run(request, ctx, principal, action_id, lambda: dial(
            ctx, principal.scope, action_id, provider, caller=principal.user, viewer_id=viewer_id(principal)))
    except TelephonyError as error:
        ctx.session.commit()  # the failed attempt stays on record
        return _detail_page(request, ctx, principal, action_id, error=str(error), status=502)
