"""Actions and what hangs off them, read within a scope.

Who sees an action: everyone whose scope covers its org unit *and* department (one grant covering both, as for
flags), plus its assignee, wherever the action lies (a Secretary limited to Health still sees an action
escalated to them). Anything else answers None (404 at the API), so an action outside one's district looks
exactly like one that does not exist. Background jobs pass ``Scope.system()``.

Writes are made by ``govpulse.workflow`` (which checks ``assign-action`` / ``close-action`` first and emits the
events); this module only reads, and adds rows it is handed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from govpulse.catalog.models import (
    Action,
    ActionEffect,
    ActionEvent,
    Attachment,
    Call,
    Commitment,
    Escalation,
    Flag,
    NotificationMessage,
    OrgUnit,
    User,
)
from govpulse.catalog.repositories.paging import Page, PageRequest, paginate
from govpulse.catalog.scoping import grant_filter, restrict, subtree
from govpulse.core.access import VIEW
from govpulse.core.scope import Scope

__all__ = ["ActionFilter", "ActionRepository", "readable", "CLOSED", "OPEN_STATUSES"]

CLOSED = "closed"
OPEN_STATUSES = ("open", "acknowledged", "action_taken", "reopened")


def readable(scope: Scope) -> Scope:
    """The part of ``scope`` whose grants carry ``view``: reading needs it like everything else."""
    return Scope.from_grants([g for g in scope.grants if g.allows_action(VIEW)], reason=scope.reason)


@dataclass(frozen=True)
class ActionFilter:
    """Query parameters for listing actions (shared by the API, the pages and the CLI)."""

    status: str | None = None
    open_only: bool = False
    mine: bool = False
    officer: str | None = None
    org_unit: str | None = None
    department: str | None = None
    indicator: str | None = None
    kind: str | None = None
    overdue_at: datetime | None = None


class ActionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- visibility -------------------------------------------------------------------------------------

    def visible(self, scope: Scope, viewer_id: int | None = None) -> ColumnElement[bool]:
        """The one condition for "this reader may see this action"."""
        in_scope = grant_filter(readable(scope), path_column=Action.org_unit_path,
                                department_column=Action.department)
        return or_(in_scope, Action.assignee_user_id == viewer_id) if viewer_id is not None else in_scope

    def get(self, action_id: int, scope: Scope, *, viewer_id: int | None = None) -> Action | None:
        """The action, or None when it does not exist or the reader may not see it."""
        return self.session.scalar(select(Action).where(Action.id == action_id, self.visible(scope, viewer_id)))

    def list(self, filters: ActionFilter, scope: Scope, page: PageRequest, *,
             viewer_id: int | None = None) -> Page[Action]:
        stmt = self._select(filters, scope, viewer_id)
        return paginate(self.session, stmt.order_by(Action.due_at, Action.id), page)

    def all(self, filters: ActionFilter, scope: Scope, *, viewer_id: int | None = None,
            limit: int = 10_000) -> list[Action]:
        """Every matching action (the effect report and the CLI), oldest first."""
        stmt = self._select(filters, scope, viewer_id).order_by(Action.opened_at, Action.id).limit(limit)
        return list(self.session.scalars(stmt))

    def _select(self, filters: ActionFilter, scope: Scope, viewer_id: int | None) -> Select:
        stmt = select(Action).where(self.visible(scope, viewer_id))
        if filters.status:
            stmt = stmt.where(Action.status == filters.status)
        if filters.open_only:
            stmt = stmt.where(Action.status != CLOSED)
        if filters.mine:
            stmt = stmt.where(Action.assignee_user_id == (viewer_id if viewer_id is not None else -1))
        if filters.officer:
            stmt = stmt.where(Action.assignee_user_id.in_(select(User.id).where(User.username == filters.officer)))
        if filters.org_unit:
            unit = self.session.scalar(select(OrgUnit.path).where(OrgUnit.code == filters.org_unit))
            stmt = stmt.where(subtree(Action.org_unit_path, unit) if unit else Action.id == -1)
        for column, value in ((Action.department, filters.department), (Action.indicator, filters.indicator),
                              (Action.kind, filters.kind)):
            if value:
                stmt = stmt.where(column == value)
        if filters.overdue_at is not None:
            stmt = stmt.where(Action.status.in_(("open", "acknowledged", "reopened")),
                              Action.due_at < filters.overdue_at)
        return stmt

    # --- what hangs off an action (the action was read within scope first) --------------------------------

    def events(self, action: Action) -> list[ActionEvent]:
        return self._children(ActionEvent, action, ActionEvent.at, ActionEvent.id)

    def calls(self, action: Action) -> list[Call]:
        return self._children(Call, action, Call.started_at, Call.id)

    def commitments(self, action: Action) -> list[Commitment]:
        return self._children(Commitment, action, Commitment.due_on, Commitment.id)

    def attachments(self, action: Action) -> list[Attachment]:
        return self._children(Attachment, action, Attachment.uploaded_at, Attachment.id)

    def attachment(self, action: Action, attachment_id: int) -> Attachment | None:
        return self.session.scalar(select(Attachment).where(Attachment.action_id == action.id,
                                                            Attachment.id == attachment_id))

    def escalations(self, action: Action) -> list[Escalation]:
        return self._children(Escalation, action, Escalation.at, Escalation.id)

    def messages(self, action: Action) -> list[NotificationMessage]:
        return self._children(NotificationMessage, action, NotificationMessage.created_at, NotificationMessage.id)

    def effect(self, action: Action) -> ActionEffect | None:
        return self.session.scalar(select(ActionEffect).where(ActionEffect.action_id == action.id))

    def effects(self, actions: Iterable[Action]) -> dict[int, ActionEffect]:
        ids = [a.id for a in actions]
        found: dict[int, ActionEffect] = {}
        for start in range(0, len(ids), 900):
            stmt = select(ActionEffect).where(ActionEffect.action_id.in_(ids[start:start + 900]))
            found.update({e.action_id: e for e in self.session.scalars(stmt)})
        return found

    def _children(self, model, action: Action, *order) -> list:
        return list(self.session.scalars(select(model).where(model.action_id == action.id).order_by(*order)))

    # --- other reads the workflow needs ------------------------------------------------------------------

    def flag(self, flag_id: int, scope: Scope) -> Flag | None:
        """A flag the reader may see (to open an action from it)."""
        stmt = restrict(select(Flag).where(Flag.id == flag_id), readable(scope), path_column=Flag.org_unit_path,
                        department_column=Flag.department)
        return self.session.scalar(stmt)

    def open_for_flag(self, flag_id: int) -> Action | None:
        """The action still open on a flag, if any (one flag, one thread of follow-up)."""
        return self.session.scalar(select(Action).where(Action.flag_id == flag_id, Action.status != CLOSED)
                                   .order_by(Action.id).limit(1))

    def call_by_provider_id(self, provider_call_id: str) -> Call | None:
        """For a telephony callback, which carries no reader: the signature is its authority."""
        return self.session.scalar(select(Call).where(Call.provider_call_id == provider_call_id))

    def users(self, ids: Iterable[int | None]) -> dict[int, User]:
        wanted = sorted({i for i in ids if i is not None})
        if not wanted:
            return {}
        return {u.id: u for u in self.session.scalars(select(User).where(User.id.in_(wanted)))}

    def due_for_escalation(self, now: datetime, statuses: Sequence[str], scope: Scope) -> list[Action]:
        """Actions whose next escalation step is due at ``now`` (the background job passes the system scope)."""
        stmt = (select(Action).where(self.visible(scope), Action.status.in_(list(statuses)),
                                     Action.next_escalation_at.is_not(None), Action.next_escalation_at <= now)
                .order_by(Action.next_escalation_at, Action.id))
        return list(self.session.scalars(stmt))

    def active_between(self, indicator: str, org_units: Sequence[str], first: datetime,
                       last: datetime) -> set[str]:
        """Org units among ``org_units`` with an action on ``indicator`` open at some time in first..last (the
        comparison group of an effect must not have had one)."""
        if not org_units:
            return set()
        stmt = select(Action.org_unit).where(
            Action.indicator == indicator, Action.org_unit.in_(list(org_units)), Action.opened_at <= last,
            or_(Action.closed_at.is_(None), Action.closed_at >= first))
        return set(self.session.scalars(stmt))

    def add(self, *rows) -> None:
        self.session.add_all(rows)
        self.session.flush()
