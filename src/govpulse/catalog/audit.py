"""Every write becomes an event; the audit log is one subscriber to those events.

Two ways in:

- ``emit(session, Event(...))``: a feature says what it did (a user created, a sign-in, an export).
- Automatic capture: ``install_audit(session_factory)`` makes every flush of an ``Audited`` model (or a model
  registered with ``track``) emit create/update/delete events with before/after snapshots, so catalogue writes
  are audited even by code that never calls ``emit``.

Who did it is the ``Actor`` attached to the session (``set_actor``), set once per request by the web layer and
once per command by the CLI. Audit rows are written through the session's connection, in the same transaction
as the change: a rolled-back change leaves no audit row, and a committed one always has its row.
Reads (``AuditRepository``) need the ``view-audit`` action; there is no update or delete.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from govpulse.catalog.models import AuditEntry, Constant, DataElement, Department, Flag, Identifier, Indicator, Source, Target
from govpulse.catalog.models.workflow import (
    Action,
    ActionEffect,
    ActionEvent,
    Attachment,
    Call,
    Commitment,
    Escalation,
    NotificationMessage,
)
from govpulse.catalog.models.base import as_utc, utcnow
from govpulse.catalog.repositories.paging import Page, PageRequest, paginate
from govpulse.core.access import VIEW_AUDIT
from govpulse.core.scope import Scope

SECRET = "***"
_ACTOR_KEY = "govpulse.actor"


@dataclass(frozen=True)
class Actor:
    """Who is writing: a signed-in user, a command-line user, or a background job."""

    username: str
    user_id: int | None = None
    via: str = ""
    ip: str = ""

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(username=name, via="system")


def set_actor(session: Session, actor: Actor) -> None:
    session.info[_ACTOR_KEY] = actor


def current_actor(session: Session) -> Actor:
    """The session's actor; writes with none attached are recorded as ``system``."""
    return session.info.get(_ACTOR_KEY) or Actor.system()


@dataclass(frozen=True)
class Event:
    """One write: ``action`` (create, update, delete, disable, sign-in, ...) on ``entity`` identified by ``code``,
    with JSON snapshots before and after (None for a creation's before or a deletion's after)."""

    action: str
    entity: str
    code: str = ""
    before: dict | None = None
    after: dict | None = None
    detail: str = ""


Subscriber = Callable[[Session, Event, Actor], None]


@dataclass
class EventBus:
    """Subscribers called for every event. They run inside the writer's transaction and may be called during
    a flush, so they write through ``session.connection()``, never ``session.add``."""

    subscribers: list[Subscriber] = field(default_factory=list)

    def subscribe(self, subscriber: Subscriber) -> Subscriber:
        self.subscribers.append(subscriber)
        return subscriber

    def emit(self, session: Session, evt: Event) -> None:
        actor = current_actor(session)
        for subscriber in self.subscribers:
            subscriber(session, evt, actor)


def write_audit_entry(session: Session, evt: Event, actor: Actor) -> None:
    """The audit subscriber: one ``audit_log`` row per event."""
    session.connection().execute(AuditEntry.__table__.insert().values(
        at=utcnow(), actor=actor.username, actor_id=actor.user_id, via=actor.via, ip=actor.ip,
        action=evt.action, entity=evt.entity, entity_code=evt.code, before=evt.before, after=evt.after,
        detail=evt.detail,
    ))


@functools.cache
def default_bus() -> EventBus:
    """The process's bus, built on first use with the audit subscriber (other features subscribe to it)."""
    return EventBus(subscribers=[write_audit_entry])


def emit(session: Session, evt: Event, *, bus: EventBus | None = None) -> None:
    """Record ``evt`` (by the session's actor) with every subscriber of ``bus``."""
    (bus or default_bus()).emit(session, evt)


# --- automatic capture of model writes --------------------------------------------------------------------


@dataclass(frozen=True)
class Tracking:
    """How a model appears in the audit log: its entity name, the code that names a row, the fields whose
    values must never be written there (shown as ``***``), and fields left out as noise."""

    entity: str
    code: Callable[[object], str]
    secret: frozenset[str] = frozenset()
    skip: frozenset[str] = frozenset({"created_at", "updated_at"})


TRACKED: dict[type, Tracking] = {}


def track(model: type, entity: str, code: str | Callable[[object], str] = "code",
          secret: frozenset[str] = frozenset(), noise: frozenset[str] = frozenset()) -> None:
    """Audit every flushed change of ``model`` (for models defined elsewhere; new models subclass ``Audited``).
    ``noise``: fields left out of the snapshots, so a change to them alone is not an event."""
    code_of = (lambda obj: str(getattr(obj, code))) if isinstance(code, str) else code
    TRACKED[model] = Tracking(entity=entity, code=code_of, secret=frozenset(secret),
                              skip=Tracking.skip | frozenset(noise))


class Audited:
    """Mixin: every insert, update and delete of the model is audited with before/after snapshots.

    Subclasses set ``__audit_entity__`` (default: the table name), ``__audit_code__`` (the attribute naming a
    row, default ``code``) and ``__audit_secret__`` (fields never written to the log)."""

    __audit_entity__: str = ""
    __audit_code__: str = "code"
    __audit_secret__: frozenset[str] = frozenset()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "__tablename__", None):
            track(cls, cls.__audit_entity__ or cls.__tablename__, cls.__audit_code__, cls.__audit_secret__)


track(Department, "department")
track(DataElement, "data_element")
track(Indicator, "indicator")
track(Constant, "constant")
track(Source, "source", secret=frozenset({"token_hash", "settings"}))  # connector settings may hold passwords
track(Identifier, "identifier", lambda i: f"{i.entity}/{i.entity_code}/{i.scheme}")
# A flag seen again by the engine (every run, hourly in ``serve``) is not news; raising and resolving it are.
track(Flag, "flag", lambda f: f"{f.rule}/{f.indicator}/{f.org_unit}", noise=frozenset({"last_seen", "times_seen"}))
track(Target, "target", lambda t: f"indicator#{t.indicator_id}/org_unit#{t.org_unit_id}/{t.period or '*'}")
# Workflow: an action is named A-<id>; what hangs off it is named after its action.
track(Action, "action", lambda a: f"A-{a.id}")
track(ActionEvent, "action_event", lambda e: f"A-{e.action_id}/{e.kind}")
track(Call, "action_call", lambda c: f"A-{c.action_id}/call#{c.id}")
track(Commitment, "action_commitment", lambda c: f"A-{c.action_id}/commitment#{c.id}")
track(Attachment, "action_attachment", lambda a: f"A-{a.action_id}/{a.sha256[:12]}")
track(Escalation, "action_escalation", lambda e: f"A-{e.action_id}/step{e.step}")
track(NotificationMessage, "notification", lambda m: f"{m.channel}:{m.recipient}/{m.event}")
track(ActionEffect, "action_effect", lambda e: f"A-{e.action_id}")



def json_value(value):
    """A value as it is written into a JSON snapshot."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(v) for v in value]
    return str(value)


def snapshot(obj, tracking: Tracking | None = None, *, before: bool = False) -> dict:
    """The row's columns as JSON (``before=True``: the values loaded before this flush's changes)."""
    tracking = tracking or TRACKED.get(type(obj)) or Tracking(entity="", code=lambda o: "")
    state = inspect(obj)
    data = {}
    for attr in state.mapper.column_attrs:
        if attr.key in tracking.skip:
            continue
        value = _previous(state, attr.key) if before else getattr(obj, attr.key)
        data[attr.key] = (SECRET if value is not None else None) if attr.key in tracking.secret else json_value(value)
    return data


def _previous(state, key):
    history = state.attrs[key].history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return state.dict.get(key)


def _capture(session: Session, flush_context) -> None:
    """after_flush: one event per tracked row inserted, changed or deleted (history is still available)."""
    # Listeners may sit on both a session and its factory; a flush is recorded once.
    if flush_context.attributes.get(_ACTOR_KEY + ".captured"):
        return
    flush_context.attributes[_ACTOR_KEY + ".captured"] = True
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in list(objects):
            tracking = TRACKED.get(type(obj))
            if tracking is None or (action == "update" and not session.is_modified(obj, include_collections=False)):
                continue
            before = None if action == "create" else snapshot(obj, tracking, before=True)
            after = None if action == "delete" else snapshot(obj, tracking)
            detail = _secret_changes(obj, tracking) if action == "update" else ""
            if action == "update" and before == after and not detail:
                continue
            emit(session, Event(action=action, entity=tracking.entity, code=tracking.code(obj),
                                before=before, after=after, detail=detail))


def _secret_changes(obj, tracking: Tracking) -> str:
    changed = sorted(k for k in tracking.secret if inspect(obj).attrs[k].history.has_changes())
    return f"changed: {', '.join(changed)}" if changed else ""


def _refuse_audit_changes(session: Session, _flush_context, _instances) -> None:
    """before_flush: the audit log is append-only, whatever code tries."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError(f"the audit log cannot be changed (audit entry {obj.id})")


def install_audit(target: sessionmaker | Session) -> None:
    """Audit every tracked write made through sessions of ``target`` (idempotent)."""
    for name, listener in (("after_flush", _capture), ("before_flush", _refuse_audit_changes)):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


# --- reading the log --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """Query parameters for reading the log (shared by the API, the CSV export and the admin page)."""

    user: str | None = None
    entity: str | None = None
    code: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class AuditRepository:
    """Reads only: the log is written by the subscriber above and never changed."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _select(self, filters: AuditFilter, scope: Scope):
        scope.require(VIEW_AUDIT)
        stmt = select(AuditEntry)
        for column, value in ((AuditEntry.actor, filters.user), (AuditEntry.entity, filters.entity),
                              (AuditEntry.entity_code, filters.code), (AuditEntry.action, filters.action)):
            if value:
                stmt = stmt.where(column == value)
        if filters.since:
            stmt = stmt.where(AuditEntry.at >= as_utc(filters.since))
        if filters.until:
            stmt = stmt.where(AuditEntry.at < as_utc(filters.until))
        return stmt.order_by(AuditEntry.id.desc())

    def list(self, filters: AuditFilter, scope: Scope, page: PageRequest) -> Page[AuditEntry]:
        return paginate(self.session, self._select(filters, scope), page)

    def iterate(self, filters: AuditFilter, scope: Scope) -> Iterator[AuditEntry]:
        """Every matching entry, newest first, fetched in chunks (for CSV export). The permission is checked
        and the query run at the call, not at the first row."""
        return iter(self.session.scalars(self._select(filters, scope).execution_options(yield_per=500)))
