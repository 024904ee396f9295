"""Pages for actions: the inbox, starting an action (from a red flag, or by hand), one action (with its step,
call and upload forms), and the effect report.

The pages call the same workflow functions and get the same models (``workflow.views``) as ``/api/v1/actions``;
forms post here with the session's CSRF token and come back to the action's page (303), or show the error.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from govpulse.catalog.models import Flag
from govpulse.catalog.models.base import utcnow
from govpulse.catalog.repositories.actions import ActionFilter, ActionRepository, readable
from govpulse.catalog.repositories.indicators import IndicatorRepository
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.catalog.repositories.paging import PageRequest
from govpulse.core.access import ASSIGN_ACTION, CLOSE_ACTION, MANAGE_USERS, ROLES
from govpulse.core.enums import Severity
from govpulse.core.scope import PermissionDenied, Scope
from govpulse.web.api.routes.actions import ActionIn, WorkflowDep, answers, viewer_id
from govpulse.web.auth.csrf import csrf_token
from govpulse.web.deps import CurrentUser, SessionDep
from govpulse.web.ui import periods, urls
from govpulse.web.ui.i18n import request_language, translate
from govpulse.web.ui.pages import PageProblem, account_language
from govpulse.web.ui.templating import templates
from govpulse.workflow.actions import Priority, Step
from govpulse.workflow.assignment import Post, UnknownPost, place_role, resolve_post
from govpulse.workflow.attachments import store_attachment
from govpulse.workflow.calls import CallLog, dial, log_call
from govpulse.workflow.context import InvalidRequest, NotFound, WorkflowContext
from govpulse.workflow.lifecycle import NewAction, open_action, require_anywhere, take_step
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


# Starting an action. The form sends what ``POST /api/v1/actions`` takes, checked by the same ``ActionIn`` and
# opened by the same ``open_action``; the page adds only what a person needs to fill it in: the flag's facts, the
# posts on its branch with who holds each today, and the due date the escalation rules give its severity.

# The posts an action can wait at: roles that report and close actions (an administrator's account is no post).
ASSIGNEE_ROLES = tuple(name for name, role in ROLES.items()
                       if CLOSE_ACTION in role.actions and MANAGE_USERS not in role.actions)
KINDS = ("follow_up", "field_visit", "data_correction", "review_meeting")  # offered; any code like them is taken
NEW_FIELDS = ("flag", "title", "description", "kind", "assignee_role", "priority", "due_at", "org_unit", "indicator",
              "department", "severity")
FlagParam = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Start the action from this red flag.")]


def _flag_to_act_on(ctx: WorkflowContext, scope: Scope, flag_id: int | None) -> Flag | None:
    """The flag to start from (None: by hand), after ``open_action``'s own checks in its order, so the form is
    never offered where sending it would be refused: no ``assign-action`` at all 403, a flag the reader cannot
    see 404, no ``assign-action`` where the flag lies 403."""
    try:
        require_anywhere(scope, ASSIGN_ACTION)
        if flag_id is None:
            return None
        flag = ActionRepository(ctx.session).flag(flag_id, scope)
        if flag is None:
            raise PageProblem(404, str(NotFound("flag", flag_id)))
        scope.require(ASSIGN_ACTION, path=flag.org_unit_path, department=flag.department)
    except PermissionDenied as error:
        raise PageProblem(403, error.reason) from None
    return flag


def _posts(ctx: WorkflowContext, scope: Scope, flag: Flag) -> list[Post]:
    """The posts on the flag's branch the reader may assign: for each role, where ``open_action`` would place it.
    The most fitting first: the deepest, then one limited to departments (the department's own Secretary)."""
    found = []
    for order, role in enumerate(ASSIGNEE_ROLES):
        try:
            place = place_role(ctx.session, role, flag.org_unit_path)
        except UnknownPost:  # no such kind on the branch, e.g. no urban local body above a village
            continue
        if scope.allows_path(place.path):
            post = resolve_post(ctx.session, role, place, flag.department)
            found.append((-place.path.count("/"), not ROLES[role].departments_required, order, post))
    return [post for *_, post in sorted(found, key=lambda item: item[:3])]


def _wall_clock(text: str, zone: ZoneInfo, what: str) -> datetime:
    """A ``datetime-local`` field (``2026-11-24T10:30``), read in the installation's wall-clock time, in UTC (the
    catalogue stores times without their zone, as UTC)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(f"{what} {text!r} is not a date and time") from None
    return (moment.replace(tzinfo=zone) if moment.tzinfo is None else moment).astimezone(UTC)


def _field_value(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def _prefilled(ctx: WorkflowContext, flag: Flag | None, posts: list[Post]) -> dict[str, str]:
    """The form as first shown: from the flag, its message as the title, the most fitting post, and the due
    date the rules give its severity; by hand, empty (the due date then follows the severity chosen)."""
    values = dict.fromkeys(NEW_FIELDS, "") | {"kind": "follow_up"}
    if flag is not None:
        due = ctx.rules.due_at(flag.severity, ctx.now())
        values |= {"flag": str(flag.id), "title": flag.message[:255], "due_at": _field_value(due, _zone(ctx)),
                   "assignee_role": posts[0].role if posts else ""}
    return values


def _zone(ctx: WorkflowContext) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)


def _new_page(request: Request, ctx: WorkflowContext, principal, flag: Flag | None, posts: list[Post],
              values: dict[str, str], *, error: str = "", status: int = 200) -> HTMLResponse:
    session, seen, lang = ctx.session, readable(principal.scope), request_language(request)
    here = urls.new_action(flag.id) if flag else "/actions/new"
    context = {
        "flag": flag, "posts": posts, "values": values, "error": error, "csrf_token": _csrf(request, principal),
        "unit": OrgUnitRepository(session).get(flag.org_unit, seen) if flag else None,
        "indicator": IndicatorRepository(session).get(flag.indicator, seen) if flag else None,
        "period": periods.period_label(flag.period, lang) if flag else "",
        "already": ActionRepository(session).open_for_flag(flag.id) if flag else None,
        "roles": [(name, ROLES[name].title) for name in ASSIGNEE_ROLES], "kinds": KINDS,
        "severities": [s.value for s in sorted(Severity, key=lambda s: -s.rank)],
        "priorities": [p.value for p in Priority], "earliest_due": _field_value(ctx.now(), _zone(ctx)), "urls": urls,
        "due_days": ctx.rules.due_days[Severity.parse(flag.severity)] if flag else None,
        "breadcrumb": _crumbs(request, ("nav.home", "/"), ("nav.actions", "/actions"), ("flags.start_action", here)),
    }
    return templates().TemplateResponse(request, "actions/new.html", context, status_code=status)


@router.get("/new", response_class=HTMLResponse)
def new_action_page(request: Request, ctx: WorkflowDep, principal: CurrentUser, flag: FlagParam = None):
    """The form to start an action: filled in from the red flag when ``?flag=`` names one."""
    found = _flag_to_act_on(ctx, principal.scope, flag)
    posts = _posts(ctx, principal.scope, found) if found else []
    return _new_page(request, ctx, principal, found, posts, _prefilled(ctx, found, posts))


async def _typed(request: Request) -> dict[str, str]:
    """The start form's fields as typed (the CSRF check has read the same form already)."""
    form = await request.form()
    return {name: value.strip() if isinstance(value := form.get(name, ""), str) else "" for name in NEW_FIELDS}


def _flag_number(text: str) -> int | None:
    if not text:
        return None
    if not (text.isdecimal() and len(text) <= 10 and 1 <= int(text) < 2**31):
        raise PageProblem(404, str(NotFound("flag", text)))
    return int(text)


def _in_words(error: ValidationError) -> str:
    """Each field's problem: ``kind: String should match pattern '^[a-z][a-z0-9_]{0,31}$'``."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in error.errors())


def _spec(values: dict[str, str], flag: Flag | None, zone: ZoneInfo) -> NewAction:
    """The form as the API's ``ActionIn`` (the same checks of every field), then as the workflow's request."""
    if not values["assignee_role"]:
        raise InvalidRequest("choose the post to assign the action to")
    fields: dict = {"title": values["title"], "description": values["description"],
                    "kind": values["kind"] or "follow_up", "assignee_role": values["assignee_role"],
                    "priority": values["priority"] or None,
                    "due_at": _wall_clock(values["due_at"], zone, "the due date") if values["due_at"] else None}
    if flag is not None:
        fields["flag_id"] = flag.id
    else:
        fields |= {name: values[name] or None for name in ("org_unit", "indicator", "department", "severity")}
    try:
        body = ActionIn(**fields)
    except ValidationError as error:
        raise InvalidRequest(_in_words(error)) from None
    return NewAction(**body.model_dump())


@router.post("/new", response_class=HTMLResponse)
def new_action_form(request: Request, ctx: WorkflowDep, principal: CurrentUser,
                    values: Annotated[dict[str, str], Depends(_typed)]):
    """Open the action as ``POST /api/v1/actions`` does and go to its page (303); on an error, the form again
    with what was typed and the reason in words."""
    scope = principal.scope
    flag = _flag_to_act_on(ctx, scope, _flag_number(values["flag"]))
    posts = _posts(ctx, scope, flag) if flag else []
    try:
        with answers():
            action = open_action(ctx, scope, _spec(values, flag, _zone(ctx)), viewer_id=viewer_id(principal))
    except PermissionDenied as error:  # by hand, somewhere the reader may look but not assign
        ctx.session.rollback()
        return _new_page(request, ctx, principal, flag, posts, values, error=error.reason, status=403)
    except HTTPException as error:
        ctx.session.rollback()
        return _new_page(request, ctx, principal, flag, posts, values, error=str(error.detail),
                         status=error.status_code)
    ctx.session.commit()
    return _back(action.id)


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
        started = _wall_clock(started_text, _zone(ctx), "the call's time")
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
