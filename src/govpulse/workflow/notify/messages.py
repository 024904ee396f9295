"""The words of each notification: assignment, reminder, escalation, closure, reopening, and the daily digest
(``digest.py``). Plain text, short enough to read on a phone; the link opens the action's page.

Messages are in English for now; the interface's four languages live in the web layer, which this layer may
not import (see the report of issue 8).
"""

from __future__ import annotations

from datetime import datetime

from govpulse.catalog.models import Action
from govpulse.workflow.notify.base import Message

__all__ = ["assigned", "reminder", "escalated", "closed", "reopened", "action_link"]


def action_link(action: Action, base_url: str = "") -> str:
    return f"{base_url.rstrip('/')}/actions/{action.id}"


def _when(moment: datetime) -> str:
    return moment.strftime("%d %b %Y")


def _about(action: Action) -> str:
    what = f"indicator {action.indicator} at {action.org_unit}" if action.indicator else f"org unit {action.org_unit}"
    return f"A-{action.id} ({action.priority} priority, {what})"


def assigned(action: Action, base_url: str = "") -> Message:
    return Message(
        subject=f"Action assigned: {action.title}",
        body=(f"You have been assigned action {_about(action)}.\n\n{action.description or action.title}\n\n"
              f"Due by {_when(action.due_at)}. Acknowledge it, then report the action taken:\n"
              f"{action_link(action, base_url)}"),
    )


def reminder(action: Action, base_url: str = "", step: str = "") -> Message:
    return Message(
        subject=f"Reminder: action A-{action.id} is overdue",
        body=(f"Action {_about(action)} was due on {_when(action.due_at)} and is still {action.status}."
              f"{f' ({step})' if step else ''}\n\n{action.title}\n\nReport the action taken: "
              f"{action_link(action, base_url)}"),
    )


def escalated(action: Action, step: str, previous: str, base_url: str = "") -> Message:
    return Message(
        subject=f"Escalated to you: {action.title}",
        body=(f"Action {_about(action)} was not acted on in time by {previous} and has been escalated: "
              f"{step}.\n\n{action.description or action.title}\n\n{action_link(action, base_url)}"),
    )


def closed(action: Action, base_url: str = "") -> Message:
    return Message(
        subject=f"Action closed: {action.title}",
        body=(f"Action {_about(action)} was verified and closed by {action.closed_by}.\n\n"
              f"Action taken: {action.report}\n\nIts effect on the indicator is measured 30, 60 and 90 days "
              f"from now: {action_link(action, base_url)}"),
    )


def reopened(action: Action, reason: str, base_url: str = "") -> Message:
    return Message(
        subject=f"Action reopened: {action.title}",
        body=(f"Action {_about(action)} has been reopened: {reason or 'no reason given'}.\n\n"
              f"{action_link(action, base_url)}"),
    )
