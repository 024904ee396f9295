"""What the API, the pages and the CLI show of actions: one set of models built in one place.

``action_summary`` and ``action_detail`` shape an action (already read within the reader's scope) and what
hangs off it; ``effect_report`` gathers the actions a reader may see with their stored effects and summarises
them per officer, department and kind (``analytics.impact.summarise``). Templates only show these numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from pydantic import AfterValidator, BaseModel, Field, computed_field
from sqlalchemy import select
from sqlalchemy.orm import Session
from typing import Annotated

from govpulse.analytics.impact import ActionOutcome, summarise
from govpulse.catalog.audit import as_utc
from govpulse.catalog.models import Action, ActionEffect, OrgUnit, User
from govpulse.catalog.repositories.actions import ActionFilter, ActionRepository
from govpulse.core.scope import Scope
from govpulse.workflow.actions import ESCALATING, TRANSITIONS, Status

__all__ = ["ActionOut", "ActionDetailOut", "EffectOut", "EffectReportOut", "GroupOut", "action_summary",
           "action_detail", "effect_out", "effect_report", "officer_label", "unit_names", "open_steps"]

UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]


class EffectOut(BaseModel):
    as_of: date
    period_type: str
    polarity: str
    before: float | None = Field(description="The indicator the day before the action was opened.")
    at_closure: float | None
    comparison_units: int = Field(description="Comparable org units (same parent and kind) with no action.")
    horizons: list[dict] = Field(description="Per horizon (0 = closure, 30, 60, 90 days): value, change, "
                                             "comparison change, difference, improvement.")
    verdict_horizon: int | None
    improvement: float | None = Field(description="Difference-in-differences signed by polarity (> 0 = better).")
    recovered: bool | None
    note: str


class ActionOut(BaseModel):
    id: int
    code: str = Field(description="A-<id>, as written in messages.")
    title: str
    kind: str
    status: str
    priority: str
    severity: str
    indicator: str | None
    org_unit: str
    org_unit_name: str = ""
    department: str
    assignee_role: str
    assignee_org_unit: str
    assignee_org_unit_name: str = ""
    assignee: str | None = Field(description="User name of the officer holding the post (null: vacant).")
    opened_by: str
    opened_at: UtcDatetime
    due_at: UtcDatetime
    overdue: bool
    closed_at: UtcDatetime | None
    escalation_level: int
    flag_id: int | None
    recovered: bool | None = Field(default=None, description="Measured effect: did the KPI recover?")


class EventOut(BaseModel):
    at: UtcDatetime
    actor: str
    kind: str
    from_status: str | None
    to_status: str | None
    note: str


class CallOut(BaseModel):
    id: int
    via: str
    caller: str
    callee_name: str
    callee_phone: str
    started_at: UtcDatetime
    duration_seconds: int | None
    outcome: str
    notes: str

    @computed_field
    @property
    def duration_minutes(self) -> float | None:
        return None if self.duration_seconds is None else round(self.duration_seconds / 60, 1)


class CommitmentOut(BaseModel):
    text: str
    due_on: date
    made_by: str
    status: str


class AttachmentOut(BaseModel):
    id: int
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: UtcDatetime


class EscalationOut(BaseModel):
    at: UtcDatetime
    step: int
    step_name: str
    effects: list[str]
    from_assignee: str
    to_assignee: str
    from_priority: str
    to_priority: str
    reason: str


class MessageOut(BaseModel):
    created_at: UtcDatetime
    channel: str
    event: str
    recipient: str
    subject: str
    status: str
    error: str


class ActionDetailOut(ActionOut):
    description: str
    report: str
    reported_by: str
    closed_by: str
    acknowledged_at: UtcDatetime | None
    action_taken_at: UtcDatetime | None
    ladder: str
    next_escalation_at: UtcDatetime | None
    times_reopened: int
    events: list[EventOut]
    calls: list[CallOut]
    commitments: list[CommitmentOut]
    attachments: list[AttachmentOut]
    escalations: list[EscalationOut]
    messages: list[MessageOut]
    effect: EffectOut | None


class GroupOut(BaseModel):
    by: str = Field(description="officer, department or kind")
    key: str
    actions: int
    closed: int
    median_days_to_close: float | None
    measured: int
    recovered: int
    recovery_rate: float | None = Field(description="Share of measured actions whose KPI recovered (0-1).")
    recovery_percent: float | None = Field(description="The same, in percent.")


class EffectReportOut(BaseModel):
    as_of: UtcDatetime
    actions: list[ActionOut]
    groups: list[GroupOut]


def officer_label(action: Action, users: dict[int, User]) -> str:
    """The officer an action is counted against: the assignee's user name, or the vacant post."""
    user = users.get(action.assignee_user_id) if action.assignee_user_id else None
    return user.username if user else f"vacant {action.assignee_role}@{action.assignee_org_unit}"


def _overdue(action: Action, now: datetime) -> bool:
    return Status.parse(action.status) in ESCALATING and as_utc(action.due_at) < now


def unit_names(session: Session, actions: Iterable[Action]) -> dict[str, str]:
    """Names of the org units the actions are about and assigned at (one query)."""
    codes = sorted({c for a in actions for c in (a.org_unit, a.assignee_org_unit)})
    if not codes:
        return {}
    return dict(session.execute(select(OrgUnit.code, OrgUnit.name).where(OrgUnit.code.in_(codes))).all())


def action_summary(action: Action, users: dict[int, User], now: datetime, effect: ActionEffect | None = None,
                   names: dict[str, str] | None = None) -> ActionOut:
    user = users.get(action.assignee_user_id) if action.assignee_user_id else None
    names = names or {}
    return ActionOut(
        id=action.id, code=f"A-{action.id}", title=action.title, kind=action.kind, status=action.status,
        priority=action.priority, severity=action.severity, indicator=action.indicator, org_unit=action.org_unit,
        org_unit_name=names.get(action.org_unit, ""), department=action.department,
        assignee_role=action.assignee_role, assignee_org_unit=action.assignee_org_unit,
        assignee_org_unit_name=names.get(action.assignee_org_unit, ""), assignee=user.username if user else None,
        opened_by=action.opened_by, opened_at=action.opened_at, due_at=action.due_at,
        overdue=_overdue(action, now), closed_at=action.closed_at, escalation_level=action.escalation_level,
        flag_id=action.flag_id, recovered=effect.recovered if effect else None)


def effect_out(effect: ActionEffect | None) -> EffectOut | None:
    if effect is None:
        return None
    return EffectOut(as_of=effect.as_of, period_type=effect.period_type, polarity=effect.polarity,
                     before=effect.before, at_closure=effect.at_closure, comparison_units=effect.comparison_units,
                     horizons=list(effect.horizons or []), verdict_horizon=effect.verdict_horizon,
                     improvement=effect.improvement, recovered=effect.recovered, note=effect.note)


def action_detail(session: Session, action: Action, now: datetime) -> ActionDetailOut:
    repo = ActionRepository(session)
    users = repo.users([action.assignee_user_id])
    effect = repo.effect(action)
    summary = action_summary(action, users, now, effect, unit_names(session, [action]))
    return ActionDetailOut(
        **summary.model_dump(), description=action.description, report=action.report,
        reported_by=action.reported_by, closed_by=action.closed_by, acknowledged_at=action.acknowledged_at,
        action_taken_at=action.action_taken_at, ladder=action.ladder, next_escalation_at=action.next_escalation_at,
        times_reopened=action.times_reopened,
        events=[EventOut.model_validate(e, from_attributes=True) for e in repo.events(action)],
        calls=[CallOut.model_validate(c, from_attributes=True) for c in repo.calls(action)],
        commitments=[CommitmentOut.model_validate(c, from_attributes=True) for c in repo.commitments(action)],
        attachments=[AttachmentOut.model_validate(a, from_attributes=True) for a in repo.attachments(action)],
        escalations=[EscalationOut.model_validate(e, from_attributes=True) for e in repo.escalations(action)],
        messages=[MessageOut.model_validate(m, from_attributes=True) for m in repo.messages(action)],
        effect=effect_out(effect))


def effect_report(session: Session, scope: Scope, now: datetime, filters: ActionFilter | None = None, *,
                  viewer_id: int | None = None) -> EffectReportOut:
    """Every action the reader may see (matching ``filters``) with its measured effect, and the summaries."""
    repo = ActionRepository(session)
    actions = repo.all(filters or ActionFilter(), scope, viewer_id=viewer_id)
    users = repo.users(a.assignee_user_id for a in actions)
    effects = repo.effects(actions)
    outcomes = [ActionOutcome(action_id=a.id, officer=officer_label(a, users), department=a.department, kind=a.kind,
                              opened_at=as_utc(a.opened_at),
                              closed_at=as_utc(a.closed_at) if a.closed_at else None,
                              recovered=effects[a.id].recovered if a.id in effects else None) for a in actions]
    groups = [GroupOut(by=g.by, key=g.key, actions=g.actions, closed=g.closed,
                       median_days_to_close=g.median_days_to_close, measured=g.measured, recovered=g.recovered,
                       recovery_rate=g.recovery_rate,
                       recovery_percent=None if g.recovery_rate is None else round(g.recovery_rate * 100, 1))
              for g in summarise(outcomes)]
    names = unit_names(session, actions)
    return EffectReportOut(as_of=now, actions=[action_summary(a, users, now, effects.get(a.id), names)
                                               for a in actions], groups=groups)


def open_steps(action: Action, scope: Scope, viewer_id: int | None) -> list[str]:
    """The steps the reader could take on the action now (for the page's buttons; the workflow checks again)."""
    status = Status.parse(action.status)
    mine = viewer_id is not None and action.assignee_user_id == viewer_id
    found = []
    for step, transition in TRANSITIONS.items():
        if status in transition.sources and (mine and scope.can(transition.permission) or scope.can(
                transition.permission, path=action.org_unit_path, department=action.department)):
            found.append(step.value)
    return found
