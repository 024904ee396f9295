"""The life of an action, as data: statuses, the steps between them, who may take each step, and priorities.

    open ──acknowledge──▶ acknowledged ──report──▶ action_taken ──verify──▶ closed
      │                                               ▲   │                    │
      └──────────────────────report───────────────────┘   └──reopen──▶ reopened ◀──reopen──┘
                                                               (reopened behaves like open)

Nothing here touches a database: ``next_status`` answers whether a step is allowed from a status, and
``workflow.lifecycle`` applies it to a stored action. The one rule that is not about statuses is four eyes:
whoever reported the action taken cannot also verify it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from govpulse.core.access import CLOSE_ACTION
from govpulse.core.enums import Choice, Severity

__all__ = [
    "Status", "Step", "Priority", "InvalidTransition", "TRANSITIONS", "next_status", "permission_for",
    "check_four_eyes", "ESCALATING", "priority_for",
]


class Status(Choice):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ACTION_TAKEN = "action_taken", "Action taken"
    CLOSED = "closed", "Verified and closed"
    REOPENED = "reopened", "Reopened"

    @property
    def is_open(self) -> bool:
        """Still waiting for someone (anything but closed)."""
        return self is not Status.CLOSED


class Step(Choice):
    ACKNOWLEDGE = "acknowledge", "Acknowledge"
    REPORT = "report", "Report action taken"
    VERIFY = "verify", "Verify and close"
    REOPEN = "reopen", "Reopen"


class Priority(Choice):
    """How urgent the work is; ``rank`` orders them and ``raised()`` is one step up (escalation)."""

    rank: int

    def __new__(cls, value: str, label: str, rank: int) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.rank = rank
        return member

    LOW = "low", "Low", 0
    NORMAL = "normal", "Normal", 1
    HIGH = "high", "High", 2
    URGENT = "urgent", "Urgent", 3

    def raised(self) -> Priority:
        """The next priority up (urgent stays urgent)."""
        ordered = sorted(Priority, key=lambda p: p.rank)
        return ordered[min(self.rank + 1, len(ordered) - 1)]


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status
    permission: str


TRANSITIONS: dict[Step, Transition] = {
    Step.ACKNOWLEDGE: Transition(frozenset({Status.OPEN, Status.REOPENED}), Status.ACKNOWLEDGED, CLOSE_ACTION),
    Step.REPORT: Transition(frozenset({Status.OPEN, Status.ACKNOWLEDGED, Status.REOPENED}), Status.ACTION_TAKEN,
                            CLOSE_ACTION),
    Step.VERIFY: Transition(frozenset({Status.ACTION_TAKEN}), Status.CLOSED, CLOSE_ACTION),
    Step.REOPEN: Transition(frozenset({Status.ACTION_TAKEN, Status.CLOSED}), Status.REOPENED, CLOSE_ACTION),
}

ESCALATING: frozenset[Status] = frozenset({Status.OPEN, Status.ACKNOWLEDGED, Status.REOPENED})
"""Statuses in which the assignee owes the next move, so the escalation clock runs. An action reported as
taken waits for its verifier, not its assignee, and does not escalate."""

# The priority an action gets from its flag's severity unless the opener says otherwise.
_PRIORITY_OF_SEVERITY = {
    Severity.CRITICAL: Priority.URGENT, Severity.HIGH: Priority.HIGH, Severity.MEDIUM: Priority.NORMAL,
    Severity.LOW: Priority.LOW, Severity.INFO: Priority.LOW,
}


class InvalidTransition(ValueError):
    """A step that cannot be taken from the action's status (answered 409 Conflict)."""


def next_status(current: Status | str, step: Step | str) -> Status:
    """The status after taking ``step`` from ``current``; raises ``InvalidTransition`` naming both."""
    status, step = Status.parse(str(current)), Step.parse(str(step))
    transition = TRANSITIONS[step]
    if status not in transition.sources:
        allowed = ", ".join(sorted(s.value for s in transition.sources))
        raise InvalidTransition(f"cannot {step.value} an action that is {status.value} (only when {allowed})")
    return transition.target


def permission_for(step: Step | str) -> str:
    """The scope action (``core.access``) a step needs."""
    return TRANSITIONS[Step.parse(str(step))].permission


def check_four_eyes(step: Step | str, reported_by: str, actor: str) -> None:
    """Whoever reported the action taken may not verify it themselves."""
    if Step.parse(str(step)) is Step.VERIFY and reported_by and reported_by == actor:
        raise InvalidTransition(f"{actor!r} reported this action taken and cannot also verify it; "
                                "another officer must verify")


def priority_for(severity: Severity | str) -> Priority:
    return _PRIORITY_OF_SEVERITY[Severity.parse(str(severity))]
