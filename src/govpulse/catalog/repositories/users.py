"""Accounts and their role assignments; the scope an account's roles give; the demo's one user per role.

Reads need ``view-users`` and writes ``manage-users`` (checked here, in the store, not in the handlers). Every
write emits an audit event with the account's snapshot (roles included, password never) before and after.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from govpulse.catalog.audit import SECRET, Event, emit
from govpulse.catalog.models import Department, OrgUnit, RoleAssignment, User
from govpulse.catalog.repositories.credentials import (
    MIN_PASSWORD_LENGTH,
    SessionRepository,
    TokenRepository,
    hash_password,
    verify_password,
)
from govpulse.catalog.repositories.paging import Page, PageRequest, paginate
from govpulse.core.access import (
    DEBUG_SCOPE,
    MANAGE_USERS,
    VIEW_USERS,
    AssignmentFacts,
    InvalidAssignment,
    Placement,
    build_scope,
    validate_assignment,
)
from govpulse.core.scope import Scope

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")


class InvalidUser(ValueError):
    """An account that cannot be created or changed as asked (bad name, disabling oneself, ...)."""


class UserExists(InvalidUser):
    pass


class PasswordRejected(InvalidUser):
    """A new password refused, or the current one wrong. ``reason`` names the rule (a message key of the
    page, ``account.password.errors.<reason>``); ``params`` fill its placeholders."""

    def __init__(self, reason: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class AssignmentSpec:
    """A role assignment as asked for: role name, org unit code, department codes, source codes."""

    role: str
    org_unit: str | None = None
    departments: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


def user_snapshot(user: User, assignments: Iterable[RoleAssignment]) -> dict:
    """The account as the audit log shows it: roles included, the password only as ``***``."""
    return {
        "username": user.username, "full_name": user.full_name, "email": user.email, "phone": user.phone,
        "language": user.language, "is_active": user.is_active,
        "password": SECRET if user.password_hash else None,
        "must_change_password": bool(user.must_change_password),
        "roles": [assignment_dict(a) for a in assignments],
    }


def assignment_dict(a: RoleAssignment) -> dict:
    return {"role": a.role, "org_unit": a.org_unit_code, "departments": list(a.departments or []),
            "sources": list(a.sources or [])}


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- reads ---------------------------------------------------------------------------------------------

    def get(self, username: str, scope: Scope) -> User | None:
        scope.require(VIEW_USERS)
        return self.for_sign_in(username)

    def list(self, scope: Scope, page: PageRequest, *, q: str | None = None,
             active: bool | None = None) -> Page[User]:
        scope.require(VIEW_USERS)
        stmt = select(User)
        if q:
            needle = q.strip().lower()
            stmt = stmt.where(or_(func.lower(User.username).contains(needle, autoescape=True),
                                  func.lower(User.full_name).contains(needle, autoescape=True)))
        if active is not None:
            stmt = stmt.where(User.is_active.is_(active))
        return paginate(self.session, stmt.order_by(User.username), page)

    def for_sign_in(self, username: str) -> User | None:
        """The account named ``username`` whatever the reader's scope: for authentication only."""
        return self.session.scalar(select(User).where(User.username == username))

    def assignments(self, users: Iterable[User]) -> dict[int, list[RoleAssignment]]:
        ids = [u.id for u in users]
        found: dict[int, list[RoleAssignment]] = {i: [] for i in ids}
        if ids:
            stmt = select(RoleAssignment).where(RoleAssignment.user_id.in_(ids)).order_by(RoleAssignment.id)
            for row in self.session.scalars(stmt):
                found[row.user_id].append(row)
        return found

    def scope_for(self, user: User) -> Scope:
        """What ``user``'s roles let them see and do (nothing when the account is disabled)."""
        rows = self.assignments([user])[user.id]
        return build_scope(self._facts(rows), active=user.is_active)

    def scope_of(self, username: str, scope: Scope) -> Scope | None:
        """The scope of another account, for the debug endpoint (needs ``debug-scope``)."""
        scope.require(DEBUG_SCOPE)
        user = self.for_sign_in(username)
        return None if user is None else self.scope_for(user)

    def _facts(self, rows: Sequence[RoleAssignment]) -> list[AssignmentFacts]:
        placements = self._placements(r.org_unit_code for r in rows if r.org_unit_code)
        return [AssignmentFacts(role=r.role, org_unit=placements.get(r.org_unit_code) if r.org_unit_code else None,
                                departments=frozenset(r.departments) if r.departments else None,
                                sources=frozenset(r.sources) if r.sources else None) for r in rows]

    def _placements(self, codes: Iterable[str]) -> dict[str, Placement]:
        codes = sorted(set(codes))
        found = {code: Placement(code=code, path=None) for code in codes}
        if codes:
            stmt = select(OrgUnit.code, OrgUnit.path, OrgUnit.kind, OrgUnit.name).where(OrgUnit.code.in_(codes))
            for code, path, kind, name in self.session.execute(stmt):
                found[code] = Placement(code=code, path=path, kind=kind, name=name)
        return found

    # --- writes --------------------------------------------------------------------------------------------

    def create(self, scope: Scope, *, username: str, assignments: Sequence[AssignmentSpec],
               password: str | None = None, full_name: str = "", email: str = "",
               must_change_password: bool = False) -> User:
        """A new account with its roles. Each role must be placed within the creator's own scope.

        ``must_change_password``: the password was chosen by someone other than the account's owner (the
        command line, an admin, the demo), so its first password sign-in leads to /account/password only."""
        scope.require(MANAGE_USERS)
        if not USERNAME.match(username):
            raise InvalidUser(f"user name {username!r} must be 1-128 letters, digits or . _ @ - "
                              "and start with a letter or digit")
        if self.for_sign_in(username) is not None:
            raise UserExists(f"a user named {username!r} already exists")
        rows = [self._assignment(spec, scope) for spec in assignments]
        user = User(username=username, full_name=full_name, email=email,
                    password_hash=hash_password(password) if password else None,
                    must_change_password=bool(password) and must_change_password)
        self.session.add(user)
        self.session.flush()
        for row in rows:
            row.user_id = user.id
        self.session.add_all(rows)
        self.session.flush()
        emit(self.session, Event("create", "user", username, after=user_snapshot(user, rows)))
        return user

    def _assignment(self, spec: AssignmentSpec, scope: Scope) -> RoleAssignment:
        placement = self._placements([spec.org_unit])[spec.org_unit] if spec.org_unit else None
        missing = sorted(set(spec.departments) - set(self.session.scalars(
            select(Department.code).where(Department.code.in_(spec.departments)))))
        if missing:
            raise InvalidAssignment(f"no department with code {', '.join(map(repr, missing))}")
        validate_assignment(AssignmentFacts(role=spec.role, org_unit=placement,
                                            departments=frozenset(spec.departments) or None,
                                            sources=frozenset(spec.sources) or None))
        scope.require(MANAGE_USERS, path=placement.path if placement else None)
        return RoleAssignment(role=spec.role, org_unit_code=spec.org_unit, departments=list(spec.departments),
                              sources=list(spec.sources))

    def replace_assignments(self, scope: Scope, user: User, assignments: Sequence[AssignmentSpec]) -> None:
        scope.require(MANAGE_USERS)
        before = user_snapshot(user, self.assignments([user])[user.id])
        rows = [self._assignment(spec, scope) for spec in assignments]
        self.session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == user.id))
        for row in rows:
            row.user_id = user.id
        self.session.add_all(rows)
        self.session.flush()
        emit(self.session, Event("update", "user", user.username, before=before, after=user_snapshot(user, rows)))

    def set_password(self, scope: Scope, user: User, password: str, *, must_change_password: bool = False) -> None:
        """Give ``user`` a password chosen for them (``must_change_password``: they must replace it)."""
        scope.require(MANAGE_USERS)
        user.password_hash = hash_password(password)
        user.must_change_password = must_change_password
        self.session.flush()
        snap = user_snapshot(user, self.assignments([user])[user.id])
        emit(self.session, Event("set-password", "user", user.username, before=snap, after=snap,
                                 detail="password changed"))

    def change_own_password(self, user: User, *, current: str, new: str) -> None:
        """The account's owner replaces their password: the current one proves it is them (no role is needed),
        the new one follows ``check_new_password``. Every browser session of the account ends (the caller opens
        a fresh one); API tokens stay, since they never depended on the password. Audited without either."""
        if not user.password_hash:
            raise PasswordRejected("no_password", f"the account {user.username!r} has no password to change")
        if not verify_password(user.password_hash, current):
            raise PasswordRejected("wrong_current", "the current password is wrong")
        check_new_password(user.username, current, new)
        rows = self.assignments([user])[user.id]
        before = user_snapshot(user, rows)
        user.password_hash = hash_password(new)
        user.must_change_password = False
        SessionRepository(self.session).revoke_all(user.id)
        self.session.flush()
        emit(self.session, Event("change-password", "user", user.username, before=before,
                                 after=user_snapshot(user, rows), detail="password changed by its owner"))

    def disable(self, scope: Scope, username: str, *, by: User | None = None) -> User | None:
        """Disable ``username`` and end its sessions and tokens; None when there is no such account."""
        scope.require(MANAGE_USERS)
        user = self.for_sign_in(username)
        if user is None:
            return None
        if by is not None and by.id == user.id:
            raise InvalidUser("you cannot disable your own account")
        if user.is_active:
            rows = self.assignments([user])[user.id]
            before = user_snapshot(user, rows)
            user.is_active = False
            SessionRepository(self.session).revoke_all(user.id)
            TokenRepository(self.session).revoke_all(user.id)
            self.session.flush()
            emit(self.session, Event("disable", "user", username, before=before, after=user_snapshot(user, rows)))
        return user


def check_new_password(username: str, current: str, new: str) -> None:
    """The rules for a password a person chooses: the length every password needs, not the user name, not the
    password it replaces. Raises ``PasswordRejected`` naming the rule."""
    if len(new) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected("too_short", f"the new password needs at least {MIN_PASSWORD_LENGTH} characters",
                               min=MIN_PASSWORD_LENGTH)
    if new.strip().casefold() == username.casefold():
        raise PasswordRejected("same_as_username", "the new password must not be the user name")
    if new == current:
        raise PasswordRejected("same_as_current", "the new password must differ from the current one")


class DemoUser(NamedTuple):
    """One demo account: ``for username, role, org_unit, password in create_demo_users(...)``."""

    username: str
    role: str
    org_unit: str | None
    password: str


def create_demo_users(session: Session, state_code: str, district_code: str, taluka_code: str,
                      village_code: str, ulb_code: str | None = None, *, school_code: str | None = None,
                      department_codes: Sequence[str] | None = None, source_code: str | None = None,
                      prefix: str = "", must_change_password: bool = True) -> list[DemoUser]:
    """One account per role, each with a fresh random password, returned so the demo can print them. A printed
    password is known to whoever reads the output, so each account must change it at its first sign-in
    (``must_change_password``, on unless a caller that keeps the passwords to itself says otherwise).

    Accounts that exist already get a new password and their demo role again. The commissioner is left out
    when ``ulb_code`` is None, the principal when no school exists under the village or district.
    """
    departments = tuple(department_codes or session.scalars(select(Department.code).order_by(Department.code)
                                                            .limit(1)))
    if not departments:
        raise InvalidAssignment("the secretary needs a department: load the catalogue before the demo users")
    school = school_code or _first_school(session, village_code, district_code)
    plan: list[tuple[str, str | None, tuple[str, ...], tuple[str, ...]]] = [
        ("cmo", state_code, (), ()), ("secretary", state_code, departments, ()),
        ("collector", district_code, (), ()), ("ddo", district_code, (), ()),
        ("commissioner", ulb_code, (), ()), ("tdo", taluka_code, (), ()), ("talati", village_code, (), ()),
        ("principal", school, (), ()), ("operator", state_code, (), (source_code,) if source_code else ()),
        ("auditor", state_code, (), ()), ("admin", state_code, (), ()),
    ]
    repo, system = UserRepository(session), Scope.system()
    made = []
    for role, unit, depts, sources in plan:
        if unit is None:
            continue
        username, password = f"{prefix}{role}", secrets.token_urlsafe(12)
        spec = [AssignmentSpec(role=role, org_unit=unit, departments=depts, sources=sources)]
        user = repo.for_sign_in(username)
        if user is None:
            repo.create(system, username=username, password=password, full_name=f"Demo {role}", assignments=spec,
                        must_change_password=must_change_password)
        else:
            user.is_active = True
            repo.replace_assignments(system, user, spec)
            repo.set_password(system, user, password, must_change_password=must_change_password)
        made.append(DemoUser(username=username, role=role, org_unit=unit, password=password))
    return made


def _first_school(session: Session, *codes: str) -> str | None:
    for code in codes:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if unit is None:
            continue
        school = session.scalar(select(OrgUnit.code).where(OrgUnit.kind == "school",
                                                           OrgUnit.path.startswith(unit.path, autoescape=True))
                                .order_by(OrgUnit.path).limit(1))
        if school:
            return school
    return None
