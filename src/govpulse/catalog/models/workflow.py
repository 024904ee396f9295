"""Actions on red flags and everything that happens to them: history, calls, commitments, attachments,
escalations, notification messages and the measured effect on the KPI.

An action carries ``org_unit_path`` and ``department`` of what it is about (copied from its org unit and
indicator, like a flag), so scope applies with the one filter used everywhere. The assignee is a *post* (a
role at an org unit, e.g. collector at 459) resolved to the officer holding it when assigned
(``assignee_user_id``; None while the post is vacant). Statuses, priorities and step kinds are named in
``govpulse.workflow.actions``; the tables store their string values.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govpulse.catalog.models.base import Base, Timestamped, utcnow


class Action(Timestamped, Base):
    """What must be done, by whom, by when; and where it stands."""

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(32), default="follow_up")
    flag_id: Mapped[int | None] = mapped_column(ForeignKey("flag.id", ondelete="SET NULL"), index=True)
    indicator: Mapped[str | None] = mapped_column(String(128))
    org_unit: Mapped[str] = mapped_column(String(64))
    org_unit_path: Mapped[str] = mapped_column(String(1024))
    department: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    assignee_role: Mapped[str] = mapped_column(String(32))
    assignee_org_unit: Mapped[str] = mapped_column(String(64))
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    opened_by: Mapped[str] = mapped_column(String(128))
    opened_at: Mapped[datetime]
    due_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    action_taken_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    report: Mapped[str] = mapped_column(Text, default="")
    reported_by: Mapped[str] = mapped_column(String(128), default="")
    closed_by: Mapped[str] = mapped_column(String(128), default="")
    ladder: Mapped[str] = mapped_column(String(64), default="")
    escalation_level: Mapped[int] = mapped_column(default=0)
    next_escalation_at: Mapped[datetime | None]
    times_reopened: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        Index("ix_action_org_unit_path", "org_unit_path"),
        Index("ix_action_department", "department"),
        Index("ix_action_assignee_status", "assignee_user_id", "status"),
        Index("ix_action_status_next_escalation", "status", "next_escalation_at"),
        Index("ix_action_indicator_org_unit", "indicator", "org_unit"),
    )


class ActionEvent(Base):
    """One line of an action's history: a step (acknowledged, closed, ...), a call, an escalation, a note."""

    __tablename__ = "action_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(default=dict)


class Call(Base):
    """A voice call about an action: who called whom, when, how long, how it went. ``via`` is ``manual`` for a
    call logged by hand, else the telephony provider's kind; ``provider_call_id`` matches its callback."""

    __tablename__ = "action_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    via: Mapped[str] = mapped_column(String(32), default="manual")
    caller: Mapped[str] = mapped_column(String(128))
    caller_phone: Mapped[str] = mapped_column(String(32), default="")
    callee_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    callee_name: Mapped[str] = mapped_column(String(255), default="")
    callee_phone: Mapped[str] = mapped_column(String(32), default="")
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    duration_seconds: Mapped[int | None]
    outcome: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")
    provider_call_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Commitment(Base):
    """Something an officer promised on a call, with the date they promised it by."""

    __tablename__ = "action_commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("action_call.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    made_by: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    """A file attached to an action-taken report (a photo, a document). The bytes live under the home folder
    at ``path`` (relative, named by content hash); the row keeps what is needed to serve and check them."""

    __tablename__ = "action_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(512))
    uploaded_by: Mapped[str] = mapped_column(String(128))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Escalation(Base):
    """One step of an escalation ladder applied to an action: what it did and to whom."""

    __tablename__ = "action_escalation"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    ladder: Mapped[str] = mapped_column(String(64))
    step: Mapped[int]
    step_name: Mapped[str] = mapped_column(String(128))
    effects: Mapped[list[str]] = mapped_column(default=list)
    from_assignee: Mapped[str] = mapped_column(String(128))
    to_assignee: Mapped[str] = mapped_column(String(128))
    from_priority: Mapped[str] = mapped_column(String(16))
    to_priority: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")


class NotificationMessage(Base):
    """Every message sent (or tried) to a person: channel, address, text, and what happened."""

    __tablename__ = "notification_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str] = mapped_column(Text, default="")
    provider_message_id: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_notification_message_event_created", "event", "created_at"),)


class ActionEffect(Base):
    """The KPI before and after a closed action against comparable org units (``analytics.impact``), as last
    measured. ``horizons`` holds one entry per horizon (0 = at closure, 30, 60, 90 days after)."""

    __tablename__ = "action_effect"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), unique=True)
    measured_at: Mapped[datetime]
    as_of: Mapped[date]
    period_type: Mapped[str] = mapped_column(String(16))
    polarity: Mapped[str] = mapped_column(String(16))
    before: Mapped[float | None] = mapped_column(Float)
    at_closure: Mapped[float | None] = mapped_column(Float)
    comparison_units: Mapped[int] = mapped_column(default=0)
    horizons: Mapped[list] = mapped_column(JSON, default=list)
    verdict_horizon: Mapped[int | None]
    improvement: Mapped[float | None] = mapped_column(Float)
    recovered: Mapped[bool | None]
    note: Mapped[str] = mapped_column(Text, default="")
