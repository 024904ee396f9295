"""Opening an action and taking it through its steps, with the scope checks, history and notifications.

Every operation checks the reader's scope in the same order, so the answers are the same everywhere:

1. the reader's roles lack the action (``assign-action`` to open, ``close-action`` for the steps): 403;
2. the action, flag, org unit or indicator is not visible to the reader: 404, as if it did not exist;
3. visible, but no grant allows the action *there* (e.g. a view-only grant over it): 403.

The assignee of an action may always take its steps, even where it lies outside their own grants (an action
escalated to a Secretary). Writes go through the audited session; each step also adds a line to the action's
history (``ActionEvent``) and tells the people concerned through the notifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from govpulse.catalog.audit import as_utc
from govpulse.catalog.models import Action, ActionEvent, OrgUnit, User
from govpulse.catalog.repositories.actions import ActionRepository, readable
from govpulse.catalog.repositories.indicators import DepartmentRepository, IndicatorRepository
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.access import ASSIGN_ACTION
from govpulse.core.enums import Severity
from govpulse.core.scope import Scope
from govpulse.workflow.actions import (
    Priority,
    Status,
    Step,
    check_four_eyes,
    next_status,
    permission_for,
    priority_for,
)
from govpulse.workflow.assignment import Post, on_branch, place_role, resolve_post
from govpulse.workflow.context import Conflict, InvalidRequest, NotFound, WorkflowContext
from govpulse.workflow.notify import messages

__all__ = ["NewAction", "open_action", "take_step", "visible_action", "require_anywhere", "post_of",
           "record_event", "users_named"]


@dataclass(frozen=True)
class NewAction:
    """An action as asked for: from a flag (``flag_id``; indicator, org unit, severity and title come from it)
    or by hand (``org_unit`` and an ``indicator`` or a ``department``)."""

    assignee_role: str
    title: str = ""
    description: str = ""
    kind: str = "follow_up"
    flag_id: int | None = None
    indicator: str | None = None
    org_unit: str | None = None
    department: str | None = None
    severity: str | None = None
    priority: str | None = None
    assignee_org_unit: str | None = None
    due_at: datetime | None = None


def require_anywhere(scope: Scope, action: str) -> None:
    """Step 1 of every check: the reader's roles include ``action`` somewhere (else 403)."""
    if not any(g.allows_action(action) for g in scope.grants):
        scope.require(action)  # raises with the sentence that explains it


def visible_action(ctx: WorkflowContext, scope: Scope, action_id: int, viewer_id: int | None,
                   permission: str | None = None) -> Action:
    """The action for a write needing ``permission``, after the three checks of the module docstring."""
    if permission:
        require_anywhere(scope, permission)
    action = ActionRepository(ctx.session).get(action_id, scope, viewer_id=viewer_id)
    if action is None:
        raise NotFound("action", action_id)
    if permission and not (viewer_id is not None and action.assignee_user_id == viewer_id):
        scope.require(permission, path=action.org_unit_path, department=action.department)
    return action


def open_action(ctx: WorkflowContext, scope: Scope, spec: NewAction, *, viewer_id: int | None = None) -> Action:
    """Open an action and notify its assignee. Raises PermissionDenied, NotFound, InvalidRequest or
    UnknownPost (see the module docstring for the order of checks)."""
    require_anywhere(scope, ASSIGN_ACTION)
    session, repo = ctx.session, ActionRepository(ctx.session)
    flag = None
    if spec.flag_id is not None:
        flag = repo.flag(spec.flag_id, scope)
        if flag is None:
            raise NotFound("flag", spec.flag_id)
    org_unit_code = flag.org_unit if flag else spec.org_unit
    indicator_code = flag.indicator if flag else spec.indicator
    if not org_unit_code:
        raise InvalidRequest("give the org unit the action is about (or a flag)")
    unit = OrgUnitRepository(session).get(org_unit_code, readable(scope))
    if unit is None:
        raise NotFound("org unit", org_unit_code)
    department = _department(ctx, scope, flag.department if flag else spec.department, indicator_code)
    scope.require(ASSIGN_ACTION, path=unit.path, department=department)
    already = repo.open_for_flag(flag.id) if flag else None
    if already is not None:
        raise Conflict(f"flag {flag.id} already has an open action, A-{already.id}: follow that one up")
    post = _assignee(ctx, scope, spec.assignee_role, spec.assignee_org_unit, unit, department)
    severity = Severity.parse(flag.severity if flag else (spec.severity or Severity.MEDIUM.value))
    priority = Priority.parse(spec.priority) if spec.priority else priority_for(severity)
    now = ctx.now()
    # Stored in UTC: a time given at +05:30 must not lose its offset in a database that keeps no zone.
    due_at = as_utc(spec.due_at) if spec.due_at else ctx.rules.due_at(severity, now)
    if due_at <= now:
        raise InvalidRequest(f"the due date {due_at.isoformat()} is not after now")
    ladder = ctx.rules.ladder_for(department, severity)
    title = (spec.title or (flag.message if flag else "") or f"Follow up {indicator_code or 'the data'} at "
             f"{unit.name}").strip()[:255]
    action = Action(
        title=title, description=spec.description, kind=spec.kind or "follow_up", flag_id=flag.id if flag else None,
        indicator=indicator_code, org_unit=unit.code, org_unit_path=unit.path, department=department,
        severity=severity.value, priority=priority.value, status=Status.OPEN.value, assignee_role=post.role,
        assignee_org_unit=post.org_unit, assignee_user_id=post.user.id if post.user else None,
        opened_by=ctx.actor, opened_at=now, due_at=due_at, ladder=ladder.name if ladder else "",
        escalation_level=0, next_escalation_at=due_at if ladder else None)
    repo.add(action)
    record_event(ctx, action, "opened", None, Status.OPEN, note=f"assigned to {post.label}",
                 detail={"assignee": post.label, "flag": flag.id if flag else None, "due_at": due_at.isoformat()})
    ctx.notifier.notify(session, event="assigned", users=[post.user], message=messages.assigned(action, ctx.base_url),
                        action_id=action.id)
    return action


def _department(ctx: WorkflowContext, scope: Scope, department: str | None, indicator: str | None) -> str:
    """The department the action belongs to: its indicator's, else the one given (visible to the reader)."""
    if indicator:
        found = IndicatorRepository(ctx.session).get(indicator, readable(scope))
        if found is None:
            raise NotFound("indicator", indicator)
        codes = DepartmentRepository(ctx.session).codes_by_id()
        return codes[found.department_id]
    if not department:
        raise InvalidRequest("give the indicator the action is about, or at least its department")
    if DepartmentRepository(ctx.session).get(department, readable(scope)) is None:
        raise NotFound("department", department)
    return department


def _assignee(ctx: WorkflowContext, scope: Scope, role: str, org_unit: str | None, unit: OrgUnit,
              department: str) -> Post:
    """The post to assign: ``role`` at ``org_unit`` (visible to the reader and on the action's branch), or
    wherever that role sits on the action's branch."""
    if org_unit:
        target = OrgUnitRepository(ctx.session).get(org_unit, readable(scope))
        if target is None:
            raise NotFound("org unit", org_unit)
        if not on_branch(unit.path, target.path):
            raise InvalidRequest(f"the assignee's org unit {target.code} ({target.name}) is not above or below "
                                 f"{unit.code} ({unit.name})")
    else:
        target = place_role(ctx.session, role, unit.path)
        if not scope.allows_path(target.path):
            raise NotFound("org unit", target.code)
    return resolve_post(ctx.session, role, target, department)


def take_step(ctx: WorkflowContext, scope: Scope, action_id: int, step: Step | str, *,
              viewer_id: int | None = None, text: str = "") -> Action:
    """Acknowledge, report action taken (``text`` is the report), verify and close, or reopen (``text`` is
    the reason). Raises PermissionDenied, NotFound, InvalidTransition or InvalidRequest."""
    step = Step.parse(str(step))
    action = visible_action(ctx, scope, action_id, viewer_id, permission_for(step))
    before = Status.parse(action.status)
    after = next_status(before, step)
    check_four_eyes(step, action.reported_by, ctx.actor)
    now, text = ctx.now(), text.strip()
    if step is Step.ACKNOWLEDGE:
        action.acknowledged_at = now
    elif step is Step.REPORT:
        if not text:
            raise InvalidRequest("an action-taken report needs the text of what was done")
        action.report, action.reported_by, action.action_taken_at = text, ctx.actor, now
    elif step is Step.VERIFY:
        action.closed_at, action.closed_by, action.next_escalation_at = now, ctx.actor, None
    elif step is Step.REOPEN:
        _reopen(ctx, action, now)
    action.status = after.value
    ctx.session.flush()
    record_event(ctx, action, step.value, before, after, note=text)
    _tell(ctx, action, step, text)
    return action


def _reopen(ctx: WorkflowContext, action: Action, now: datetime) -> None:
    """A reopened action starts a new round: a new due date, the bottom of its ladder, no verifier yet."""
    ladder = ctx.rules.ladder_named(action.ladder) or ctx.rules.ladder_for(action.department, action.severity)
    action.times_reopened += 1
    action.closed_at, action.closed_by, action.reported_by = None, "", ""
    action.due_at = ctx.rules.due_at(action.severity, now)
    action.escalation_level = 0
    action.next_escalation_at = action.due_at if ladder else None


def _tell(ctx: WorkflowContext, action: Action, step: Step, text: str) -> None:
    users = users_named(ctx, [action.opened_by])
    assignee = ctx.session.get(User, action.assignee_user_id) if action.assignee_user_id else None
    if step is Step.VERIFY:
        ctx.notifier.notify(ctx.session, event="closed", users=[assignee, *users],
                            message=messages.closed(action, ctx.base_url), action_id=action.id)
    elif step is Step.REOPEN:
        ctx.notifier.notify(ctx.session, event="reopened", users=[assignee],
                            message=messages.reopened(action, text, ctx.base_url), action_id=action.id)


def users_named(ctx: WorkflowContext, usernames: list[str]) -> list[User]:
    return list(ctx.session.scalars(select(User).where(User.username.in_(usernames)))) if usernames else []


def post_of(ctx: WorkflowContext, action: Action) -> Post:
    """The action's current post, with its officer as assigned."""
    unit = ctx.session.scalar(select(OrgUnit).where(OrgUnit.code == action.assignee_org_unit))
    user = ctx.session.get(User, action.assignee_user_id) if action.assignee_user_id else None
    return Post(role=action.assignee_role, org_unit=action.assignee_org_unit,
                org_unit_path=unit.path if unit else "", org_unit_name=unit.name if unit else "", user=user)


def record_event(ctx: WorkflowContext, action: Action, kind: str, before: Status | None, after: Status | None, *,
                 note: str = "", detail: dict | None = None) -> ActionEvent:
    event = ActionEvent(action_id=action.id, at=ctx.now(), actor=ctx.actor, kind=kind,
                        from_status=before.value if before else None, to_status=after.value if after else None,
                        note=note, detail=detail or {})
    ctx.session.add(event)
    ctx.session.flush()
    return event

