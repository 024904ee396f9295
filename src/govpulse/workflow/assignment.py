"""From "a role at an org unit" to the officer who holds it today.

Actions are assigned to posts, not people: the Collector of Surat, the TDO of Choryasi, the Talati of Bhestan.
A post is a role (``core.access.ROLES``) placed at an org unit of the kinds that role sits at. The officer is
whoever has an active account holding that role assignment now (the most recently assigned, when a handover
left two); a post nobody holds is *vacant* and the action waits there, visible to everyone above it.

``place_role`` finds where a role sits on an action's branch: the Collector of a village is the Collector of
its district; a state-level role (CMO, Secretary) sits at the root.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.catalog.models import OrgUnit, RoleAssignment, User
from govpulse.core.access import ROLES
from govpulse.core.orgunits import path_codes

__all__ = ["Post", "UnknownPost", "place_role", "resolve_post", "holder", "on_branch"]


class UnknownPost(ValueError):
    """A role that does not exist or cannot sit at the given org unit (answered 422)."""


@dataclass(frozen=True)
class Post:
    """A role at an org unit, and the officer holding it (None when vacant)."""

    role: str
    org_unit: str
    org_unit_path: str
    org_unit_name: str
    user: User | None

    @property
    def label(self) -> str:
        """``collector@459 (Surat): asha`` as written into escalation history."""
        who = self.user.username if self.user else "vacant"
        return f"{self.role}@{self.org_unit} ({self.org_unit_name}): {who}"



def on_branch(path: str, other: str) -> bool:
    """Whether two org units lie on one line of the tree (one is the other's ancestor, or they are equal)."""
    return path.startswith(other) or other.startswith(path)


def place_role(session: Session, role: str, path: str) -> OrgUnit:
    """The org unit where ``role`` sits on the branch of ``path``: the deepest ancestor (or the unit itself)
    of one of the role's kinds; the root for a role that sits at the state."""
    spec = ROLES.get(role)
    if spec is None:
        raise UnknownPost(f"unknown role {role!r}; roles are: {', '.join(ROLES)}")
    units = {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(path_codes(path))))}
    branch = [units[c] for c in path_codes(path) if c in units]
    kinds = spec.anchor_kinds
    fitting = [u for u in branch if kinds is None or u.kind in kinds]
    if not fitting:
        wanted = " or ".join(sorted(kinds or ()))
        raise UnknownPost(f"no {wanted} above or at {path} for role {role!r}")
    return fitting[-1]


def holder(session: Session, role: str, org_unit: str, department: str | None = None) -> User | None:
    """The active account holding ``role`` at ``org_unit`` now (for a department-limited role, one whose
    departments include ``department``); the most recent assignment wins."""
    stmt = (select(User, RoleAssignment).join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.role == role, RoleAssignment.org_unit_code == org_unit, User.is_active.is_(True))
            .order_by(RoleAssignment.created_at.desc(), RoleAssignment.id.desc()))
    for user, assignment in session.execute(stmt):
        if department is None or not assignment.departments or department in assignment.departments:
            return user
    return None


def resolve_post(session: Session, role: str, org_unit: OrgUnit, department: str | None = None) -> Post:
    """The post ``role`` at ``org_unit`` with its officer; raises ``UnknownPost`` if the role cannot sit there."""
    spec = ROLES.get(role)
    if spec is None:
        raise UnknownPost(f"unknown role {role!r}; roles are: {', '.join(ROLES)}")
    if spec.anchor_kinds is not None and org_unit.kind not in spec.anchor_kinds:
        kinds = " or ".join(sorted(spec.anchor_kinds))
        raise UnknownPost(f"role {role!r} sits at a {kinds}, and {org_unit.code!r} ({org_unit.name}) is a "
                          f"{org_unit.kind}")
    return Post(role=role, org_unit=org_unit.code, org_unit_path=org_unit.path, org_unit_name=org_unit.name,
                user=holder(session, role, org_unit.code, department))
