"""The escalation engine: overdue actions climb their ladder on their own, one step per deadline missed.

An action escalates while its assignee owes the next move (open, acknowledged, reopened; ``actions.ESCALATING``).
At its due date the ladder's first step runs; each step sets the deadline of the next one (``sla_hours`` from
the moment it ran), so an action left alone for a week climbs several steps, one per run of the engine as each
deadline passes. The ladder and its steps are data (``escalation_rules``); the engine only applies them:

- *remind*: the current assignee gets a reminder;
- *notify*: the officers holding the listed roles on the action's branch are told;
- *reassign*: the action moves to the officer holding that role on its branch (the old assignee is told);
- *raise priority*: one level up.

Each step is kept as an ``Escalation`` row and a line of the action's history. Run it with a clock
(``WorkflowContext.clock``), so tests move time forward instead of sleeping: ``govpulse escalate --now`` and
the scheduler call ``run_escalations``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from govpulse.catalog.audit import as_utc
from govpulse.catalog.models import Action, Escalation
from govpulse.catalog.repositories.actions import ActionRepository
from govpulse.core.scope import Scope
from govpulse.workflow.actions import ESCALATING, Priority, Status
from govpulse.workflow.assignment import Post, UnknownPost, place_role, resolve_post
from govpulse.workflow.context import WorkflowContext
from govpulse.workflow.escalation_rules import LadderStep
from govpulse.workflow.lifecycle import post_of, record_event
from govpulse.workflow.notify import messages

__all__ = ["run_escalations", "EscalationRun"]


@dataclass(frozen=True)
class EscalationRun:
    """What one run did: the steps applied, and the actions whose ladder had nothing left."""

    escalations: tuple[Escalation, ...]
    exhausted: tuple[int, ...]


def run_escalations(ctx: WorkflowContext, *, now: datetime | None = None) -> EscalationRun:
    """Apply the next ladder step to every action whose deadline has passed at ``now`` (default: the
    context's clock). A background job: it sees every action (``Scope.system()``)."""
    now = now or ctx.now()
    due = ActionRepository(ctx.session).due_for_escalation(now, [s.value for s in ESCALATING], Scope.system())
    applied, exhausted = [], []
    for action in due:
        ladder = ctx.rules.ladder_named(action.ladder) or ctx.rules.ladder_for(action.department, action.severity)
        step = ladder.step(action.escalation_level + 1) if ladder else None
        if step is None:
            action.next_escalation_at = None  # top of the ladder: nothing more happens on its own
            exhausted.append(action.id)
            continue
        applied.append(_apply(ctx, action, ladder.name, action.escalation_level + 1, step, now))
    ctx.session.flush()
    return EscalationRun(tuple(applied), tuple(exhausted))


def _apply(ctx: WorkflowContext, action: Action, ladder: str, level: int, step: LadderStep,
           now: datetime) -> Escalation:
    session = ctx.session
    before, effects, reasons = post_of(ctx, action), list(step.effects), []
    overdue = now - as_utc(action.due_at)
    reasons.append(f"{_days(overdue)} past its due date, still {action.status}")
    after = before
    if step.reassign:
        try:
            after = resolve_post(session, step.reassign, place_role(session, step.reassign, action.org_unit_path),
                                 action.department)
        except UnknownPost as error:
            reasons.append(f"not reassigned: {error}")
            effects.remove(f"reassign:{step.reassign}")
        if not _moved(before, after) and f"reassign:{step.reassign}" in effects:
            reasons.append(f"already with the {step.reassign}")
    old_priority = action.priority
    if step.raise_priority:
        action.priority = Priority.parse(action.priority).raised().value
    if _moved(before, after):
        action.assignee_role, action.assignee_org_unit = after.role, after.org_unit
        action.assignee_user_id = after.user.id if after.user else None
    action.escalation_level = level
    action.next_escalation_at = now + timedelta(hours=step.sla_hours) if step.sla_hours else None
    row = Escalation(action_id=action.id, at=now, ladder=ladder, step=level, step_name=step.name, effects=effects,
                     from_assignee=before.label[:128], to_assignee=after.label[:128], from_priority=old_priority,
                     to_priority=action.priority, reason="; ".join(reasons))
    session.add(row)
    session.flush()
    status = Status.parse(action.status)
    record_event(ctx, action, "escalated", status, status, note=f"step {level}: {step.name}",
                 detail={"effects": effects, "from": before.label, "to": after.label, "ladder": ladder})
    _tell(ctx, action, step, before, after)
    return row


def _tell(ctx: WorkflowContext, action: Action, step: LadderStep, before: Post, after: Post) -> None:
    session, base = ctx.session, ctx.base_url
    if step.remind:
        ctx.notifier.notify(session, event="reminder", users=[before.user],
                            message=messages.reminder(action, base, step.name), action_id=action.id)
    if _moved(before, after):
        ctx.notifier.notify(session, event="escalated", users=[after.user, before.user],
                            message=messages.escalated(action, step.name, before.label, base), action_id=action.id)
    informed = []
    for role in step.notify:
        try:
            informed.append(resolve_post(session, role, place_role(session, role, action.org_unit_path),
                                         action.department).user)
        except UnknownPost:
            continue
    if informed:
        ctx.notifier.notify(session, event="escalated", users=informed,
                            message=messages.escalated(action, step.name, before.label, base), action_id=action.id)


def _moved(before: Post, after: Post) -> bool:
    return (before.role, before.org_unit) != (after.role, after.org_unit)


def _days(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.0f} hours"
