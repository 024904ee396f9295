"""The workflow's periodic work, for ``govpulse escalate --now`` and the scheduler: escalate what is overdue,
send each officer's daily digest, and (given a warehouse) re-measure the effect of closed actions.

Run as a background job: the session's actor should be set by the caller (``Actor.system("escalation")`` or
the CLI user), and everything is seen with ``Scope.system()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models.base import utcnow
from govpulse.catalog.repositories.actions import ActionRepository
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.workflow.actions import ESCALATING
from govpulse.workflow.context import WorkflowContext
from govpulse.workflow.effects import refresh_effects
from govpulse.workflow.escalation import run_escalations
from govpulse.workflow.notify.digest import send_daily_digests

__all__ = ["WorkflowRun", "run_workflow_jobs", "run_scheduled", "due_escalations"]


@dataclass(frozen=True)
class WorkflowRun:
    at: datetime
    escalated: tuple[tuple[int, int, str], ...]
    """(action id, step, step name) for each step applied."""
    digests: int
    effects_measured: int | None
    """None when no warehouse was given."""


def run_workflow_jobs(ctx: WorkflowContext, *, warehouse=None, digests: bool = True) -> WorkflowRun:
    now = ctx.now()
    run = run_escalations(ctx, now=now)
    sent = send_daily_digests(ctx.session, ctx.notifier, now, ctx.base_url) if digests else 0
    measured = refresh_effects(ctx.session, warehouse, now.date()) if warehouse is not None else None
    return WorkflowRun(at=now, escalated=tuple((e.action_id, e.step, e.step_name) for e in run.escalations),
                       digests=sent, effects_measured=measured)


def run_scheduled(session_factory, settings: Settings, *, warehouse=None,
                  clock: Callable[[], datetime] = utcnow) -> WorkflowRun:
    """One scheduled run in its own session and transaction, written as the system actor ``escalation``
    (for the app's scheduler: call it every few minutes; digests go once a day whatever the frequency)."""
    with session_factory() as session:
        set_actor(session, Actor.system("escalation"))
        run = run_workflow_jobs(WorkflowContext.from_settings(session, settings, clock=clock), warehouse=warehouse)
        session.commit()
    return run


def due_escalations(ctx: WorkflowContext) -> list[tuple[int, int, str]]:
    """What ``run_escalations`` would do now, without doing it: (action id, next step, its name)."""
    found = []
    for action in ActionRepository(ctx.session).due_for_escalation(ctx.now(), [s.value for s in ESCALATING],
                                                                   Scope.system()):
        ladder = ctx.rules.ladder_named(action.ladder) or ctx.rules.ladder_for(action.department, action.severity)
        step = ladder.step(action.escalation_level + 1) if ladder else None
        found.append((action.id, action.escalation_level + 1, step.name if step else "(top of the ladder)"))
    return found
