"""A reader's subtrees per department: what the warehouse (which filters by path only) is given."""

from govpulse.core.scope import Grant, Scope


def test_paths_for_department_follow_each_grant():
    scope = Scope.from_grants([
        Grant(path="/24/459/", reason="collector of Surat"),
        Grant(departments=frozenset({"HEALTH"}), reason="secretary of health"),
        Grant(path="/24/449/3700/", departments=frozenset({"ROADS"}), reason="roads officer in Bhuj"),
    ])
    assert scope.paths_for_department("HEALTH") is None  # the whole state
    assert scope.paths_for_department("ROADS") == ("/24/449/3700/", "/24/459/")
    assert scope.paths_for_department("EDUCATION") == ("/24/459/",)
    assert Scope.nothing().paths_for_department("HEALTH") == ()
    assert Scope.system().paths_for_department("HEALTH") is None
