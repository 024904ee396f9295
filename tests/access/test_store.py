"""Accounts, credentials, scopes and the audit log in the catalogue store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from govpulse.catalog.audit import Actor, Audited, AuditFilter, AuditRepository, install_audit, set_actor
from govpulse.catalog.models import ApiToken, AuditEntry, Base, Department, OrgUnit, User
from govpulse.catalog.repositories.credentials import (
    LockoutPolicy,
    LoginAttemptRepository,
    SessionRepository,
    TokenRepository,
    locked_until,
    verify_password,
)
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.catalog.repositories.paging import PageRequest
from govpulse.catalog.repositories.users import (
    AssignmentSpec,
    InvalidUser,
    UserExists,
    UserRepository,
    create_demo_users,
)
from govpulse.catalog.scoping import restrict
from govpulse.core.access import InvalidAssignment
from govpulse.core.scope import PermissionDenied, Scope
from govpulse.web.auth.signin import sign_in_with_password
from tests.access.world import KUTCH_SCHOOL, SURAT_SCHOOL, seed_catalogue, seed_world

PASSWORD = "Correct-Horse-Battery-42"


def _scope_of(session, username: str) -> Scope:
    repo = UserRepository(session)
    return repo.scope_for(repo.for_sign_in(username))


def test_migrations_create_the_access_tables(catalog_engine):
    tables = set(sa.inspect(catalog_engine).get_table_names())
    assert {"role_assignment", "user_session", "api_token", "login_attempt", "external_identity",
            "audit_log"} <= tables


def test_a_collector_of_surat_cannot_read_a_village_of_kutch(session):
    seed_world(session)
    collector = _scope_of(session, "collector")
    units = OrgUnitRepository(session)
    assert units.get("515001", collector) is None
    assert units.get("525001", collector).name == "Bhestan"
    assert collector.paths == ("/24/459/",)
    assert _scope_of(session, "principal").paths == (f"/24/459/3900/525001/{SURAT_SCHOOL}/",)
    assert _scope_of(session, "auditor").paths is None
    assert _scope_of(session, "nobody").paths == ()


def test_scope_becomes_exact_sql_for_rows_with_a_path_and_a_department(session):
    """Secretary of Health (state) + Collector of Surat, over every (org unit, department) pair."""
    seed_world(session)
    users = UserRepository(session)
    users.create(Scope.system(), username="both", assignments=[
        AssignmentSpec("secretary", "24", departments=("HEALTH",)), AssignmentSpec("collector", "459")])
    scope = _scope_of(session, "both")
    stmt = restrict(select(OrgUnit.code, Department.code).join(Department, sa.true())
                    .where(OrgUnit.kind.in_(["district", "village"])), scope,
                    path_column=OrgUnit.path, department_column=Department.code)
    assert set(session.execute(stmt).all()) == {
        ("459", "HEALTH"), ("459", "ROADS"), ("525001", "HEALTH"), ("525001", "ROADS"),
        ("449", "HEALTH"), ("515001", "HEALTH"),  # Kutch: Health only
    }


@pytest.mark.parametrize(("spec", "error", "message"), [
    (AssignmentSpec("collector", "3900"), InvalidAssignment, "is assigned at a district"),
    (AssignmentSpec("secretary", "24", departments=("EDU",)), InvalidAssignment, "no department with code 'EDU'"),
    (AssignmentSpec("talati", "999999"), InvalidAssignment, "no org unit with code '999999'"),
    (AssignmentSpec("principal", KUTCH_SCHOOL), None, ""),
])
def test_assignments_are_checked_when_made(session, spec, error, message):
    seed_catalogue(session)
    repo = UserRepository(session)
    if error is None:
        repo.create(Scope.system(), username="someone", assignments=[spec])
        assert _scope_of(session, "someone").paths == (f"/24/449/3700/515001/{KUTCH_SCHOOL}/",)
        return
    with pytest.raises(error, match=message):
        repo.create(Scope.system(), username="someone", assignments=[spec])


def test_only_managers_of_users_write_accounts(session):
    seed_world(session)
    repo = UserRepository(session)
    with pytest.raises(PermissionDenied, match="'manage-users' is not allowed to collector at district 459"):
        repo.create(_scope_of(session, "collector"), username="x", assignments=[])
    with pytest.raises(PermissionDenied):
        repo.list(_scope_of(session, "cmo"), PageRequest())
    admin_scope = _scope_of(session, "admin")
    with pytest.raises(UserExists):
        repo.create(admin_scope, username="collector", assignments=[])
    with pytest.raises(InvalidUser, match="user name ' x' must be"):
        repo.create(admin_scope, username=" x", assignments=[])
    admin = repo.for_sign_in("admin")
    with pytest.raises(InvalidUser, match="cannot disable your own account"):
        repo.disable(admin_scope, "admin", by=admin)
    assert repo.list(_scope_of(session, "auditor"), PageRequest()).total == 12


def _all_stored_text(session) -> str:
    parts = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)).all():
            parts.append(repr(tuple(row)))
    return "\n".join(parts)


def test_passwords_and_tokens_are_stored_only_as_hashes(session, catalog_url):
    seed_catalogue(session)
    repo = UserRepository(session)
    user = repo.create(Scope.system(), username="asha", password=PASSWORD,
                       assignments=[AssignmentSpec("collector", "459")])
    _token, token_secret = TokenRepository(session).create(user, Scope.system(), name="script")
    _row, session_secret = SessionRepository(session).create(user, hours=1)
    session.commit()
    stored = _all_stored_text(session)
    assert user.password_hash.startswith("$argon2id$") and user.password_hash in stored
    for secret in (PASSWORD, token_secret, session_secret):
        assert secret not in stored
    if catalog_url.startswith("sqlite"):
        database = Path(catalog_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
        assert user.password_hash.encode() in raw  # the search can find what is there...
        for secret in (PASSWORD, token_secret, session_secret):
            assert secret.encode() not in raw  # ...and the secrets are not there
    assert verify_password(user.password_hash, PASSWORD) and not verify_password(user.password_hash, "wrong")
    assert TokenRepository(session).find_active(token_secret)[1].username == "asha"
    assert SessionRepository(session).find_active(session_secret)[1].username == "asha"
    assert TokenRepository(session).find_active(token_secret + "x") is None


def test_disabling_an_account_ends_its_sessions_and_tokens(session):
    seed_world(session)
    repo = UserRepository(session)
    user = repo.for_sign_in("talati")
    _t, token = TokenRepository(session).create(user, Scope.system(), name="t")
    _s, cookie = SessionRepository(session).create(user, hours=1)
    repo.disable(_scope_of(session, "admin"), "talati", by=repo.for_sign_in("admin"))
    session.commit()
    assert TokenRepository(session).find_active(token) is None
    assert SessionRepository(session).find_active(cookie) is None
    assert not _scope_of(session, "talati").can("view")
    assert session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == user.id)) is not None


def test_the_lockout_rule():
    policy = LockoutPolicy(max_failures=3, window=timedelta(minutes=15), duration=timedelta(minutes=10))
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    minute = timedelta(minutes=1)
    fail, ok = False, True
    assert locked_until([(now - 3 * minute, fail), (now - 2 * minute, fail)], policy, now) is None
    three = [(now - 3 * minute, fail), (now - 2 * minute, fail), (now - minute, fail)]
    assert locked_until(three, policy, now) == now + 9 * minute
    assert locked_until(three[:2] + [(now - 90 * minute // 60, ok), (now - minute, fail)], policy, now) is None
    assert locked_until(three, policy, now + 10 * minute) is None  # the lock has run out
    assert locked_until([(now - 20 * minute, fail)] + three[1:], policy, now) is None  # outside the window


def test_repeated_failures_lock_the_account_even_for_the_right_password(session):
    seed_catalogue(session)
    UserRepository(session).create(Scope.system(), username="asha", password=PASSWORD,
                                   assignments=[AssignmentSpec("collector", "459")])
    policy = LockoutPolicy(max_failures=3)
    assert sign_in_with_password(session, "asha", PASSWORD, policy=policy).user.username == "asha"
    results = [sign_in_with_password(session, "asha", f"guess-{n}", policy=policy) for n in range(3)]
    assert [r.locked_until is not None for r in results] == [False, False, True]
    refused = sign_in_with_password(session, "asha", PASSWORD, policy=policy)
    assert refused.user is None and "locked until" in refused.error
    assert LoginAttemptRepository(session).locked_until("asha", policy) is not None
    actions = [e.action for e in AuditRepository(session).list(AuditFilter(code="asha"), Scope.system(),
                                                                 PageRequest()).items]
    assert actions[:5] == ["lock-out", "sign-in-failed", "sign-in-failed", "sign-in-failed", "sign-in"]


def test_account_writes_are_audited_with_before_and_after(session):
    seed_world(session)
    set_actor(session, Actor(username="admin", via="token"))
    repo = UserRepository(session)
    repo.create(_scope_of(session, "admin"), username="asha", password=PASSWORD,
                assignments=[AssignmentSpec("collector", "459")])
    repo.disable(_scope_of(session, "admin"), "asha")
    session.commit()
    entries = AuditRepository(session).list(AuditFilter(user="admin", entity="user", code="asha"),
                                            _scope_of(session, "auditor"), PageRequest()).items
    disable, create = entries
    assert (create.action, create.before, create.after["roles"]) == (
        "create", None, [{"role": "collector", "org_unit": "459", "departments": [], "sources": []}])
    assert create.after["password"] == "***"
    assert (disable.action, disable.before["is_active"], disable.after["is_active"]) == ("disable", True, False)
    assert PASSWORD not in _all_stored_text(session)


def test_catalogue_writes_are_captured_without_any_emit(session):
    install_audit(session)
    set_actor(session, Actor(username="secretary", via="session"))
    session.add(Department(code="EDU", name="Education"))
    session.commit()
    session.get(Department, 1).name = "School Education"
    session.commit()
    session.delete(session.get(Department, 1))
    session.commit()
    session.add(Department(code="TMP", name="Rolled back"))
    session.flush()
    session.rollback()  # a write that is rolled back leaves no audit row either
    entries = AuditRepository(session).list(AuditFilter(entity="department"), Scope.system(), PageRequest()).items
    assert [(e.action, e.entity_code, e.actor) for e in entries] == [
        ("delete", "EDU", "secretary"), ("update", "EDU", "secretary"), ("create", "EDU", "secretary")]
    delete, update, create = entries
    assert (create.before, create.after["name"]) == (None, "Education")
    assert (update.before["name"], update.after["name"]) == ("Education", "School Education")
    assert (delete.before["name"], delete.after) == ("School Education", None)


def test_the_audit_log_cannot_be_changed_or_read_without_view_audit(session):
    seed_world(session)
    install_audit(session)
    entry = session.scalars(select(AuditEntry)).first()
    entry.detail = "rewritten"
    with pytest.raises(PermissionError, match="the audit log cannot be changed"):
        session.flush()
    session.rollback()
    session.delete(session.scalars(select(AuditEntry)).first())
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()
    assert not any(hasattr(AuditRepository, name) for name in ("update", "delete", "add", "save"))
    with pytest.raises(PermissionDenied, match="'view-audit'"):
        AuditRepository(session).list(AuditFilter(), _scope_of(session, "collector"), PageRequest())
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert AuditRepository(session).list(AuditFilter(since=later), Scope.system(), PageRequest()).total == 0
    # seed_world wrote 12 accounts and 6 catalogue rows (2 departments, 2 data elements, 2 indicators), all audited
    entries = AuditRepository(session).list(AuditFilter(until=later), Scope.system(), PageRequest(page_size=100))
    by_entity: dict[str, int] = {}
    for entry in entries.items:
        by_entity[entry.entity] = by_entity.get(entry.entity, 0) + 1
    stored = dict(session.execute(select(AuditEntry.entity, sa.func.count()).group_by(AuditEntry.entity)).all())
    expected = {"user": 12, "department": 2, "data_element": 2, "indicator": 2}
    assert (by_entity, stored, entries.total) == (expected, expected, 18), [
        (e.entity, e.entity_code, e.at, e.actor) for e in entries.items]


def test_demo_users_one_per_role_with_one_time_passwords(session):
    seed_catalogue(session)
    made = create_demo_users(session, "24", "459", "3900", "525001", "802", source_code="ehealth")
    assert [(u.username, u.org_unit) for u in made] == [
        ("cmo", "24"), ("secretary", "24"), ("collector", "459"), ("ddo", "459"), ("commissioner", "802"),
        ("tdo", "3900"), ("talati", "525001"), ("principal", SURAT_SCHOOL), ("operator", "24"),
        ("auditor", "24"), ("admin", "24")]
    assert len({password for _name, _role, _unit, password in made}) == 11
    repo = UserRepository(session)
    for user in made[::5]:  # argon2 is slow on purpose: check a few
        assert verify_password(repo.for_sign_in(user.username).password_hash, user.password)
    again = create_demo_users(session, "24", "459", "3900", "525001", None)  # a second run: new passwords
    assert "commissioner" not in [u.username for u in again]
    collector = next(u for u in again if u.role == "collector")
    assert verify_password(repo.for_sign_in("collector").password_hash, collector.password)
    assert _scope_of(session, "collector").paths == ("/24/459/",)
    assert session.scalar(select(sa.func.count()).select_from(User)) == 11


class _NoteBase(DeclarativeBase):
    """A separate metadata, so this test's table never reaches the catalogue's migrations."""


class _Note(Audited, _NoteBase):
    __tablename__ = "test_audited_note"
    __audit_entity__ = "note"
    __audit_secret__ = frozenset({"pin"})

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32))
    text: Mapped[str] = mapped_column(sa.String(200))
    pin: Mapped[str] = mapped_column(sa.String(32))


def test_a_new_model_is_audited_by_subclassing_audited(session, catalog_engine):
    _NoteBase.metadata.create_all(catalog_engine)
    install_audit(session)
    set_actor(session, Actor(username="collector", via="session", ip="10.0.0.7"))
    note = _Note(code="N1", text="call the TDO", pin="4321")
    session.add(note)
    session.commit()
    note.text, note.pin = "called the TDO", "9876"
    session.commit()
    update, create = AuditRepository(session).list(AuditFilter(entity="note"), Scope.system(), PageRequest()).items
    assert (create.actor, create.ip, create.entity_code, create.after) == (
        "collector", "10.0.0.7", "N1", {"id": note.id, "code": "N1", "text": "call the TDO", "pin": "***"})
    assert (update.before["text"], update.after["text"], update.detail) == (
        "call the TDO", "called the TDO", "changed: pin")
    assert "4321" not in _all_stored_text(session) + str(update.before) + str(update.after)
    _NoteBase.metadata.drop_all(catalog_engine)
