"""Calls about an action: logged by hand, or placed through a telephony provider and completed by its callback.

The dashboard's defining move is a voice call to the officer concerned, so every call is kept on the action:
who called whom, when, for how long, how it went, the notes, and any commitments made ("the ANM will visit
by Friday"), each with its date. Logging and placing calls needs ``assign-action`` (the follow-up right);
the provider's callback carries no user and is trusted only for its signature (``telephony.signing``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from govpulse.catalog.audit import as_utc
from govpulse.catalog.models import Action, Call, Commitment, User
from govpulse.catalog.repositories.actions import ActionRepository
from govpulse.core.access import ASSIGN_ACTION
from govpulse.core.scope import Scope
from govpulse.workflow.actions import Status
from govpulse.workflow.context import InvalidRequest, WorkflowContext
from govpulse.workflow.lifecycle import record_event, visible_action
from govpulse.workflow.telephony.base import OUTCOMES, CallReport, CallRequest, TelephonyError, TelephonyProvider

__all__ = ["CallLog", "log_call", "dial", "record_call_report", "PENDING"]

PENDING = "pending"


@dataclass(frozen=True)
class CallLog:
    """A call made by hand, as the caller reports it."""

    started_at: datetime
    outcome: str
    duration_seconds: int | None = None
    notes: str = ""
    callee_name: str = ""
    callee_phone: str = ""
    caller_phone: str = ""
    commitments: Sequence[tuple[str, date]] = field(default_factory=tuple)


def log_call(ctx: WorkflowContext, scope: Scope, action_id: int, entry: CallLog, *,
             viewer_id: int | None = None) -> Call:
    """Record a call made by hand (to the action's assignee unless another callee is named)."""
    action = visible_action(ctx, scope, action_id, viewer_id, ASSIGN_ACTION)
    if entry.outcome not in OUTCOMES:
        raise InvalidRequest(f"unknown call outcome {entry.outcome!r}; choose one of {', '.join(OUTCOMES)}")
    started = as_utc(entry.started_at)
    if started > ctx.now() + timedelta(minutes=5):
        raise InvalidRequest(f"the call cannot start in the future ({started.isoformat()})")
    assignee = _assignee(ctx, action)
    ended = started + timedelta(seconds=entry.duration_seconds) if entry.duration_seconds is not None else None
    call = Call(action_id=action.id, via="manual", caller=ctx.actor, caller_phone=entry.caller_phone,
                callee_user_id=assignee.id if assignee and not entry.callee_name else None,
                callee_name=entry.callee_name or (assignee.full_name or assignee.username if assignee else ""),
                callee_phone=entry.callee_phone or (assignee.phone if assignee else ""), started_at=started,
                ended_at=ended, duration_seconds=entry.duration_seconds, outcome=entry.outcome, notes=entry.notes)
    ActionRepository(ctx.session).add(call)
    promises = [Commitment(action_id=action.id, call_id=call.id, text=text, due_on=due, made_by=call.callee_name)
                for text, due in entry.commitments]
    if promises:
        ActionRepository(ctx.session).add(*promises)
    _event(ctx, action, call, promises)
    return call


def dial(ctx: WorkflowContext, scope: Scope, action_id: int, provider: TelephonyProvider, *, caller: User | None,
         viewer_id: int | None = None, caller_phone: str = "") -> Call:
    """Ask ``provider`` to bridge the caller to the action's assignee. The call is recorded as pending until
    the callback; if the provider refuses, it is recorded as failed and ``TelephonyError`` is raised (commit
    first to keep the record)."""
    action = visible_action(ctx, scope, action_id, viewer_id, ASSIGN_ACTION)
    assignee = _assignee(ctx, action)
    if assignee is None or not assignee.phone:
        raise InvalidRequest("the assignee has no phone number on record: log the call by hand instead")
    from_phone = caller_phone or (caller.phone if caller else "")
    if not from_phone:
        raise InvalidRequest("your account has no phone number to ring first; give caller_phone")
    call = Call(action_id=action.id, via=provider.kind, caller=ctx.actor, caller_phone=from_phone,
                callee_user_id=assignee.id, callee_name=assignee.full_name or assignee.username,
                callee_phone=assignee.phone, started_at=ctx.now(), outcome=PENDING)
    ActionRepository(ctx.session).add(call)
    try:
        placed = provider.place_call(CallRequest(reference=str(call.id), caller_phone=from_phone,
                                                 callee_phone=assignee.phone, callback_url=""))
    except TelephonyError as error:
        call.outcome, call.notes = "failed", f"not placed: {error}"
        ctx.session.flush()
        _event(ctx, action, call, [])
        raise
    call.provider_call_id = placed.provider_call_id
    ctx.session.flush()
    record_event(ctx, action, "call", Status.parse(action.status), Status.parse(action.status),
                 note=f"click-to-call placed through {provider.kind}", detail={"call": call.id})
    return call


def record_call_report(ctx: WorkflowContext, report: CallReport) -> Call | None:
    """Complete a placed call from its (already verified) callback; None when no call has that provider id.
    A call that already has its outcome is left as it is, so a repeated callback changes nothing."""
    repo = ActionRepository(ctx.session)
    call = repo.call_by_provider_id(report.provider_call_id)
    if call is None or call.outcome != PENDING:
        return call
    call.outcome = report.outcome
    call.started_at = report.started_at or call.started_at
    call.ended_at = report.ended_at
    call.duration_seconds = report.duration_seconds
    ctx.session.flush()
    action = ctx.session.get(Action, call.action_id)
    _event(ctx, action, call, [])
    return call


def _assignee(ctx: WorkflowContext, action: Action) -> User | None:
    return ctx.session.get(User, action.assignee_user_id) if action.assignee_user_id else None


def _event(ctx: WorkflowContext, action: Action, call: Call, promises: list[Commitment]) -> None:
    status = Status.parse(action.status)
    minutes = f", {call.duration_seconds // 60} min {call.duration_seconds % 60} s" if call.duration_seconds else ""
    record_event(ctx, action, "call", status, status,
                 note=f"{call.caller} called {call.callee_name or call.callee_phone}: {call.outcome}{minutes}"
                      f"{'; ' + call.notes if call.notes else ''}",
                 detail={"call": call.id, "via": call.via,
                         "commitments": [{"text": p.text, "due_on": p.due_on.isoformat()} for p in promises]})
