"""Who may do what, declared as data: actions, roles, and how role assignments become a ``Scope``.

Nothing here reads a database. The catalogue store resolves each assignment's org unit code to its path and
kind (``Placement``) and calls ``build_scope``; the web layer checks ``scope.can(action)``. Handlers never test
a role's name: a role is only the set of actions and the reach listed below.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from govpulse.core.scope import Grant, Scope


@dataclass(frozen=True)
class Action:
    name: str
    description: str
    writes: bool = False


VIEW = "view"
EXPORT = "export"
ASSIGN_ACTION = "assign-action"
CLOSE_ACTION = "close-action"
EDIT_CATALOG = "edit-catalog"
EDIT_TARGETS = "edit-targets"
MANAGE_SOURCES = "manage-sources"
PUSH_DATA = "push-data"
CREATE_TOKEN = "create-token"
VIEW_USERS = "view-users"
MANAGE_USERS = "manage-users"
VIEW_AUDIT = "view-audit"
DEBUG_SCOPE = "debug-scope"

ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action(VIEW, "See org units, the catalogue, values and flags within one's scope."),
    Action(EXPORT, "Download data within one's scope (CSV, DHIS2 data value sets)."),
    Action(ASSIGN_ACTION, "Assign an action on a red flag to an officer within one's scope.", writes=True),
    Action(CLOSE_ACTION, "Report action taken, verify and close actions within one's scope.", writes=True),
    Action(EDIT_CATALOG, "Create and change departments, data elements and indicators.", writes=True),
    Action(EDIT_TARGETS, "Set targets and thresholds of indicators.", writes=True),
    Action(MANAGE_SOURCES, "Register sources, change their settings, fix rejected rows.", writes=True),
    Action(PUSH_DATA, "Send data values (source pushes, DHIS2 dataValueSets import).", writes=True),
    Action(CREATE_TOKEN, "Create and revoke API tokens for one's own programs.", writes=True),
    Action(VIEW_USERS, "See accounts and their role assignments."),
    Action(MANAGE_USERS, "Create and disable accounts and assign roles.", writes=True),
    Action(VIEW_AUDIT, "Read and export the audit log."),
    Action(DEBUG_SCOPE, "See any account's scope and the reason for it."),
)}


@dataclass(frozen=True)
class Role:
    """A role: what it may do and where it may be placed.

    ``anchor_kinds``: the org-unit kinds the role is assigned at (None: any kind). The grant covers the
    subtree of that org unit; when the org unit is optional and omitted, the whole installation.
    """

    name: str
    title: str
    actions: frozenset[str]
    anchor_kinds: frozenset[str] | None
    org_unit_required: bool
    departments_required: bool = False
    sources_allowed: bool = False
    description: str = ""


def _actions(*names: str) -> frozenset[str]:
    unknown = set(names) - set(ACTIONS)
    if unknown:
        raise ValueError(f"unknown actions {sorted(unknown)}")
    return frozenset(names)


_OFFICER = _actions(VIEW, EXPORT, ASSIGN_ACTION, CLOSE_ACTION, CREATE_TOKEN)
_FIELD = _actions(VIEW, EXPORT, CLOSE_ACTION, CREATE_TOKEN)
_STATE = frozenset({"state"})

ROLES: dict[str, Role] = {r.name: r for r in (
    Role("cmo", "Chief Minister's Office", _OFFICER, _STATE, False,
         description="The whole state, every department."),
    Role("secretary", "Secretary of a department",
         _OFFICER | _actions(EDIT_CATALOG, EDIT_TARGETS), _STATE, False, departments_required=True,
         description="Their departments, across the whole state; owns their indicators and targets."),
    Role("collector", "District Collector", _OFFICER, frozenset({"district"}), True,
         description="Their district and everything under it."),
    Role("ddo", "District Development Officer (district panchayat)", _OFFICER, frozenset({"district"}), True,
         description="Their district and everything under it."),
    Role("commissioner", "Municipal Commissioner", _OFFICER, frozenset({"ulb"}), True,
         description="Their urban local body and its wards."),
    Role("tdo", "Taluka Development Officer", _OFFICER, frozenset({"taluka"}), True,
         description="Their taluka and its villages."),
    Role("talati", "Talati (village officer)", _FIELD, frozenset({"village"}), True,
         description="Their village."),
    Role("principal", "School principal", _FIELD, frozenset({"school"}), True,
         description="Their school."),
    Role("operator", "Data operator", _actions(VIEW, EXPORT, MANAGE_SOURCES, PUSH_DATA, CREATE_TOKEN), None,
         False, sources_allowed=True,
         description="Their sources and what they feed, under their org unit (the state if none)."),
    Role("auditor", "Auditor", _actions(VIEW, EXPORT, VIEW_USERS, VIEW_AUDIT, DEBUG_SCOPE, CREATE_TOKEN),
         _STATE, False, description="Reads everything, including the audit log; changes nothing."),
    Role("admin", "Administrator", frozenset(ACTIONS), _STATE, False,
         description="Manages accounts, and may do everything else."),
)}


class InvalidAssignment(ValueError):
    """A role assignment that cannot be made (unknown role, wrong kind of org unit, missing department)."""


@dataclass(frozen=True)
class Placement:
    """Where an assignment's org unit sits, as resolved by the store (``path=None``: code not found)."""

    code: str
    path: str | None
    kind: str | None = None
    name: str = ""


@dataclass(frozen=True)
class AssignmentFacts:
    """One role assignment as stored: a role, at an org unit (by code), limited to departments and sources."""

    role: str
    org_unit: Placement | None = None
    departments: frozenset[str] | None = None
    sources: frozenset[str] | None = None


def validate_assignment(facts: AssignmentFacts) -> None:
    """Raise ``InvalidAssignment`` naming what is wrong with ``facts``; used before storing an assignment."""
    role = ROLES.get(facts.role)
    if role is None:
        raise InvalidAssignment(f"unknown role {facts.role!r}; roles are: {', '.join(ROLES)}")
    unit = facts.org_unit
    if unit is None and role.org_unit_required:
        kinds = " or ".join(sorted(role.anchor_kinds or ()))
        raise InvalidAssignment(f"role {role.name!r} needs an org unit (a {kinds} code)")
    if unit is not None:
        if unit.path is None:
            raise InvalidAssignment(f"no org unit with code {unit.code!r}")
        if role.anchor_kinds is not None and unit.kind not in role.anchor_kinds:
            kinds = " or ".join(sorted(role.anchor_kinds))
            raise InvalidAssignment(f"role {role.name!r} is assigned at a {kinds}, and {unit.code!r} "
                                    f"({unit.name}) is a {unit.kind}")
    if role.departments_required and not facts.departments:
        raise InvalidAssignment(f"role {role.name!r} needs at least one department")
    if facts.sources and not role.sources_allowed:
        raise InvalidAssignment(f"role {role.name!r} cannot be limited to sources (only operators are)")


def grant_for(facts: AssignmentFacts) -> tuple[Grant | None, str]:
    """The grant one assignment gives, with the sentence that explains it (or why it gives nothing)."""
    role = ROLES.get(facts.role)
    label = _label(facts)
    if role is None:
        return None, f"{label}: unknown role, grants nothing"
    unit = facts.org_unit
    if unit is not None and unit.path is None:
        return None, f"{label}: org unit {unit.code!r} no longer exists, grants nothing"
    path = unit.path if unit is not None else None
    reach = f"org units under {path}" if path else "every org unit"
    depts = ", ".join(sorted(facts.departments)) if facts.departments else "every department"
    srcs = f", sources {', '.join(sorted(facts.sources))}" if facts.sources else ""
    reason = f"{label}: {reach}, {depts}{srcs}"
    return Grant(path=path, departments=facts.departments or None, sources=facts.sources or None,
                 actions=role.actions, reason=label), reason


def build_scope(assignments: Iterable[AssignmentFacts], *, active: bool = True) -> Scope:
    """The union of what ``assignments`` grant; nothing for a disabled account or one with no role."""
    if not active:
        return Scope.nothing("account disabled")
    grants: list[Grant] = []
    reasons: list[str] = []
    for facts in assignments:
        grant, reason = grant_for(facts)
        reasons.append(reason)
        if grant is not None:
            grants.append(grant)
    if not reasons:
        return Scope.nothing("no role")
    return Scope.from_grants(grants, reason="; ".join(reasons))


def explain_scope(scope: Scope) -> dict:
    """A plain description of a scope for the debug endpoint: each grant and the actions it carries."""
    return {
        "reason": scope.reason,
        "unrestricted": scope.is_unrestricted,
        "paths": None if scope.paths is None else list(scope.paths),
        "departments": None if scope.departments is None else sorted(scope.departments),
        "sources": None if scope.sources is None else sorted(scope.sources),
        "actions": sorted(ACTIONS) if scope.actions is None else sorted(scope.actions),
        "grants": [
            {"reason": g.reason, "path": g.path,
             "departments": None if g.departments is None else sorted(g.departments),
             "sources": None if g.sources is None else sorted(g.sources),
             "actions": sorted(ACTIONS) if g.actions is None else sorted(g.actions)}
            for g in scope.grants
        ],
    }


def _label(facts: AssignmentFacts) -> str:
    unit = facts.org_unit
    if unit is None:
        return facts.role
    where = f"{unit.kind} {unit.code}" if unit.kind else unit.code
    return f"{facts.role} at {where}{f' ({unit.name})' if unit.name else ''}"
