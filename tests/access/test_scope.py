"""Roles, actions and scopes (pure): the tables below are the expectations, written out by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govpulse.core.access import (
    ACTIONS,
    ROLES,
    AssignmentFacts,
    InvalidAssignment,
    Placement,
    build_scope,
    explain_scope,
    validate_assignment,
)
from govpulse.core.scope import Grant, PermissionDenied, Scope

STATE = Placement("24", "/24/", "state", "Gujarat")
SURAT = Placement("459", "/24/459/", "district", "Surat")
KUTCH_VILLAGE = "/24/449/3700/515001/"
SURAT_VILLAGE = "/24/459/3900/525001/"

A = ("view", "export", "assign-action", "close-action", "edit-catalog", "edit-targets", "manage-sources",
     "push-data", "create-token", "view-users", "manage-users", "view-audit", "debug-scope")
# role          view exp  assign close cat  tgt  src  push tok  vusr musr vaud dbg
ACTION_TABLE = {
    "cmo":          (1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0),
    "secretary":    (1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0),
    "collector":    (1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0),
    "ddo":          (1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0),
    "commissioner": (1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0),
    "tdo":          (1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0),
    "talati":       (1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0),
    "principal":    (1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0),
    "operator":     (1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0),
    "auditor":      (1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1),
    "admin":        (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
}


def test_the_action_table_covers_every_declared_role_and_action():
    assert set(ACTION_TABLE) == set(ROLES)
    assert set(A) == set(ACTIONS)


@pytest.mark.parametrize("role", sorted(ACTION_TABLE))
def test_each_role_may_do_exactly_its_actions(role):
    unit = {"cmo": STATE, "secretary": STATE, "auditor": None, "admin": STATE, "operator": STATE}.get(
        role, Placement("x", "/24/459/x/", next(iter(ROLES[role].anchor_kinds or {"district"})), "X"))
    facts = AssignmentFacts(role, unit, departments=frozenset({"HEALTH"}) if role == "secretary" else None)
    scope = build_scope([facts])
    allowed = {action for action, flag in zip(A, ACTION_TABLE[role]) if flag}
    assert {a for a in A if scope.can(a)} == allowed


# role placed at           -> the grant's path and departments
GRANT_TABLE = [
    (AssignmentFacts("cmo", STATE), "/24/", None),
    (AssignmentFacts("cmo"), None, None),
    (AssignmentFacts("secretary", STATE, departments=frozenset({"HEALTH"})), "/24/", {"HEALTH"}),
    (AssignmentFacts("collector", SURAT), "/24/459/", None),
    (AssignmentFacts("collector", SURAT, departments=frozenset({"ROADS"})), "/24/459/", {"ROADS"}),
    (AssignmentFacts("tdo", Placement("3900", "/24/459/3900/", "taluka")), "/24/459/3900/", None),
    (AssignmentFacts("talati", Placement("525001", SURAT_VILLAGE, "village")), SURAT_VILLAGE, None),
]


@pytest.mark.parametrize(("facts", "path", "departments"), GRANT_TABLE)
def test_an_assignment_grants_its_subtree_and_departments(facts, path, departments):
    (grant,) = build_scope([facts]).grants
    assert grant.path == path
    assert grant.departments == (None if departments is None else frozenset(departments))


def test_a_collector_of_surat_sees_surat_not_kutch():
    scope = build_scope([AssignmentFacts("collector", SURAT)])
    assert scope.allows_path(SURAT_VILLAGE) and not scope.allows_path(KUTCH_VILLAGE)
    assert scope.paths == ("/24/459/",)
    assert "collector at district 459 (Surat)" in scope.reason


def test_a_union_of_assignments_is_not_a_rectangle():
    """Secretary of Health for the state and Collector of Surat: Health everywhere, everything in Surat, and
    not Roads in Kutch, although both projections are 'everything'."""
    scope = build_scope([AssignmentFacts("secretary", STATE, departments=frozenset({"HEALTH"})),
                         AssignmentFacts("collector", SURAT)])
    assert scope.allows(KUTCH_VILLAGE, "HEALTH")
    assert scope.allows(SURAT_VILLAGE, "ROADS")
    assert not scope.allows(KUTCH_VILLAGE, "ROADS")
    assert (scope.paths, scope.departments) == (("/24/",), None)
    assert not scope.is_unrestricted


def test_actions_are_decided_per_grant_with_a_reason():
    scope = build_scope([AssignmentFacts("secretary", STATE, departments=frozenset({"HEALTH"})),
                         AssignmentFacts("collector", SURAT)])
    assert scope.can("edit-catalog", department="HEALTH")
    denied = scope.can("edit-catalog", department="ROADS")
    assert not denied and "'edit-catalog' for ROADS is not allowed" in denied.reason
    assert "collector at district 459 (Surat)" in denied.reason
    with pytest.raises(PermissionDenied) as error:
        build_scope([AssignmentFacts("collector", SURAT)]).require("edit-catalog")
    assert error.value.action == "edit-catalog"


@pytest.mark.parametrize(("facts", "message"), [
    (AssignmentFacts("mayor", STATE), "unknown role 'mayor'"),
    (AssignmentFacts("collector"), "role 'collector' needs an org unit (a district code)"),
    (AssignmentFacts("collector", Placement("3900", "/24/459/3900/", "taluka", "Choryasi")),
     "role 'collector' is assigned at a district, and '3900' (Choryasi) is a taluka"),
    (AssignmentFacts("collector", Placement("9999", None)), "no org unit with code '9999'"),
    (AssignmentFacts("secretary", STATE), "role 'secretary' needs at least one department"),
    (AssignmentFacts("talati", Placement("525001", SURAT_VILLAGE, "village"), sources=frozenset({"x"})),
     "role 'talati' cannot be limited to sources"),
])
def test_invalid_assignments_say_what_is_wrong(facts, message):
    with pytest.raises(InvalidAssignment, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_assignment(facts)


def test_no_role_a_disabled_account_and_a_vanished_org_unit_see_nothing():
    assert build_scope([]).grants == () and build_scope([]).paths == ()
    disabled = build_scope([AssignmentFacts("admin", STATE)], active=False)
    assert not disabled.can("view") and disabled.reason == "account disabled"
    gone = build_scope([AssignmentFacts("collector", Placement("459", None))])
    assert gone.grants == () and "no longer exists" in gone.reason


def test_the_original_scope_api_still_works():
    surat = Scope.for_paths(["/24/459/3900/", "/24/459/"], reason="collector of Surat")
    assert surat.paths == ("/24/459/",) and surat.allows_path(SURAT_VILLAGE)
    secretary = Scope(departments=frozenset({"ROADS"}))
    assert secretary.allows_department("ROADS") and not secretary.allows_department("HEALTH")
    assert Scope.system().is_unrestricted and Scope().is_unrestricted
    assert Scope.nothing().paths == () and not Scope.nothing().allows_path("/24/")


def test_the_explanation_lists_each_grant():
    scope = build_scope([AssignmentFacts("operator", STATE, departments=frozenset({"HEALTH"}),
                                         sources=frozenset({"ehealth"}))])
    explained = explain_scope(scope)
    assert explained["grants"][0]["sources"] == ["ehealth"]
    assert explained["reason"] == "operator at state 24 (Gujarat): org units under /24/, HEALTH, sources ehealth"
    assert "push-data" in explained["actions"] and "manage-users" not in explained["actions"]


paths = st.sampled_from(["/24/", "/24/459/", "/24/449/", SURAT_VILLAGE, KUTCH_VILLAGE, None])
departments = st.one_of(st.none(), st.frozensets(st.sampled_from(["HEALTH", "ROADS", "EDU"]), min_size=1))
grants = st.builds(Grant, path=paths, departments=departments)


@given(st.lists(grants, max_size=4), st.sampled_from(["/24/", SURAT_VILLAGE, KUTCH_VILLAGE]),
       st.sampled_from(["HEALTH", "ROADS", "EDU"]))
def test_a_row_is_visible_when_some_grant_covers_it_and_then_each_projection_allows_it(gs, path, department):
    scope = Scope.from_grants(gs)
    visible = scope.allows(path, department)
    assert visible == any((g.path is None or path.startswith(g.path))
                          and (g.departments is None or department in g.departments) for g in gs)
    if visible:
        assert scope.allows_path(path) and scope.allows_department(department)
