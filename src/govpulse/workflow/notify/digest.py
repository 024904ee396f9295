"""The daily digest: each officer with open actions gets one message a day listing them, overdue ones first.

Sent by ``govpulse escalate --now`` and the scheduler after escalations have run. A digest already sent to an
officer on the same day (UTC) is not sent again, so running the job twice is harmless.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.catalog.audit import as_utc
from govpulse.catalog.models import Action, NotificationMessage, User
from govpulse.catalog.repositories.actions import CLOSED
from govpulse.workflow.notify.base import Message
from govpulse.workflow.notify.dispatch import Notifier
from govpulse.workflow.notify.messages import action_link

__all__ = ["digest_for", "send_daily_digests", "DIGEST"]

DIGEST = "digest"


def _open_actions(session: Session, user: User) -> list[Action]:
    stmt = (select(Action).where(Action.assignee_user_id == user.id, Action.status != CLOSED)
            .order_by(Action.due_at, Action.id))
    return list(session.scalars(stmt))


def digest_for(session: Session, user: User, now: datetime, base_url: str = "") -> Message | None:
    """The digest for ``user`` at ``now``, or None when they have no open action."""
    actions = _open_actions(session, user)
    if not actions:
        return None
    overdue = [a for a in actions if as_utc(a.due_at) < now and a.status != "action_taken"]
    lines = [f"Good morning {user.full_name or user.username}. You have {len(actions)} open action(s), "
             f"{len(overdue)} overdue.", ""]
    for action in actions:
        late = " OVERDUE" if action in overdue else ""
        lines.append(f"- A-{action.id} [{action.priority}] {action.title} ({action.status}, due "
                     f"{as_utc(action.due_at):%d %b}){late}: {action_link(action, base_url)}")
    return Message(subject=f"govpulse: {len(actions)} open action(s), {len(overdue)} overdue", body="\n".join(lines))


def send_daily_digests(session: Session, notifier: Notifier, now: datetime, base_url: str = "") -> int:
    """Send today's digest to every officer with open actions who has not had one today; returns how many."""
    start = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    already = set(session.scalars(select(NotificationMessage.user_id).where(
        NotificationMessage.event == DIGEST, NotificationMessage.created_at >= start,
        NotificationMessage.created_at < start + timedelta(days=1))))
    assignees = select(Action.assignee_user_id).where(Action.status != CLOSED, Action.assignee_user_id.is_not(None))
    users = session.scalars(select(User).where(User.id.in_(assignees), User.is_active.is_(True)).order_by(User.id))
    sent = 0
    for user in users:
        if user.id in already:
            continue
        message = digest_for(session, user, now, base_url)
        if message is not None:
            notifier.notify(session, event=DIGEST, users=[user], message=message)
            sent += 1
    return sent
