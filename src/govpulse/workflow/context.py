"""What every workflow operation needs besides its arguments: the session, the clock, the rules, the notifier.

The clock is injected so escalation can be tested in simulated time (no sleeping), and so the demo can write
weeks of history "as of" past days. ``WorkflowContext.from_settings`` builds the production one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from govpulse.catalog.audit import current_actor
from govpulse.catalog.models.base import utcnow
from govpulse.settings import Settings
from govpulse.workflow.escalation_rules import EscalationRules, default_rules, load_rules
from govpulse.workflow.notify.dispatch import Notifier, notifier_from_settings

__all__ = ["WorkflowContext", "NotFound", "InvalidRequest", "Conflict"]


class NotFound(LookupError):
    """Something named in a request does not exist or lies outside the reader's scope (answered 404)."""

    def __init__(self, what: str, code: object) -> None:
        super().__init__(f"no {what} {code!r} in your scope")
        self.what, self.code = what, code


class InvalidRequest(ValueError):
    """A request that names things that exist but cannot go together (answered 422)."""


class Conflict(ValueError):
    """A request that clashes with what is stored, e.g. a second open action on one flag (answered 409)."""


@dataclass
class WorkflowContext:
    session: Session
    rules: EscalationRules = field(default_factory=default_rules)
    notifier: Notifier = field(default_factory=Notifier)
    clock: Callable[[], datetime] = field(default=utcnow)
    home: Path | None = None
    base_url: str = ""
    settings: Settings | None = None

    @classmethod
    def from_settings(cls, session: Session, settings: Settings, *, clock: Callable[[], datetime] = utcnow,
                      notifier: Notifier | None = None) -> WorkflowContext:
        return cls(session=session, rules=load_rules(settings.escalation_rules_file),
                   notifier=notifier or notifier_from_settings(settings, clock=clock), clock=clock,
                   home=settings.home, base_url=settings.public_url, settings=settings)

    def now(self) -> datetime:
        return self.clock()

    @property
    def actor(self) -> str:
        """The user name writes are recorded under (the session's actor)."""
        return current_actor(self.session).username
