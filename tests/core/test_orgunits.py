"""Tests for govpulse.core.orgunits: building the org-unit tree, problems reported, paths, levels, slices."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govpulse.core.enums import OrgUnitKind
from govpulse.core.orgunits import OrgUnitRecord, OrgUnitTree, is_valid_code


def rec(code, parent, kind="village", name=None, source=""):
    return OrgUnitRecord(code=code, name=name or f"Unit {code}", kind=kind, parent_code=parent, source=source)


# A small Gujarat-shaped tree: state -> 2 districts -> talukas -> villages, and district -> ULB -> wards.
SMALL = [
    rec("24", None, "state", "Gujarat"),
    rec("438", "24", "district", "Ahmadabad"),
    rec("449", "24", "district", "Kachchh"),
    rec("4052", "438", "taluka", "Daskroi"),
    rec("4051", "438", "taluka", "Bavla"),
    rec("3726", "449", "taluka", "Bhuj"),
    rec("512001", "4052", "village", "Vinzol"),
    rec("512002", "4052", "village", "Aslali"),
    rec("506854", "3726", "village", "Bhujodi"),
    rec("251096", "438", "ulb", "Ahmadabad Municipal Corporation"),
    rec("251096W0010", "251096", "ward", "Ward 10"),
    rec("251096W0002", "251096", "ward", "Ward 2"),
]


@pytest.fixture(scope="module")
def small():
    tree, problems = OrgUnitTree.build(SMALL)
    assert problems == []
    return tree


def codes(nodes):
    return [node.code for node in nodes]


# --- paths, levels, order ---------------------------------------------------------------------------------


def test_paths_and_levels_follow_the_parents(small):
    assert small["24"].path == "/24/"
    assert small["24"].level == 1
    assert small["4052"].path == "/24/438/4052/"
    assert small["512001"].path == "/24/438/4052/512001/"
    assert small["512001"].level == 4
    assert small["251096W0002"].path == "/24/438/251096/251096W0002/"
    assert small.count_by_level() == {1: 1, 2: 2, 3: 4, 4: 5}


def test_every_path_ends_with_its_own_code_and_starts_with_its_parents_path(small):
    for node in small.nodes():
        assert node.path.endswith(f"/{node.code}/")
        if node.parent_code is not None:
            parent = small[node.parent_code]
            assert node.path == f"{parent.path}{node.code}/"
            assert node.level == parent.level + 1


def test_kind_becomes_the_enum_member(small):
    assert small["449"].kind is OrgUnitKind.DISTRICT
    assert small.count_by_kind() == {"state": 1, "district": 2, "taluka": 3, "village": 3, "ulb": 1, "ward": 2}


def test_children_are_sorted_by_name_in_natural_order(small):
    assert [n.name for n in small.children("438")] == ["Ahmadabad Municipal Corporation", "Bavla", "Daskroi"]
    assert [n.name for n in small.children("251096")] == ["Ward 2", "Ward 10"]
    assert small.children("512001") == []


def test_nodes_are_depth_first_with_parents_before_children(small):
    assert codes(small.nodes()) == [
        "24", "438", "251096", "251096W0002", "251096W0010", "4051", "4052", "512002", "512001",
        "449", "3726", "506854",
    ]
    assert codes(small) == codes(small.nodes())


def test_descendants_are_the_whole_subtree_and_nothing_else(small):
    assert codes(small.descendants("438")) == [
        "251096", "251096W0002", "251096W0010", "4051", "4052", "512002", "512001"
    ]
    assert codes(small.descendants("449")) == ["3726", "506854"]
    assert small.descendants("512001") == []
    assert len(small.descendants("24")) == len(small) - 1


def test_descendants_agree_with_path_prefixes(small):
    for node in small.nodes():
        by_prefix = {n.code for n in small.nodes() if n.path.startswith(node.path) and n.code != node.code}
        assert {n.code for n in small.descendants(node.code)} == by_prefix


def test_ancestors_are_root_first_without_the_unit_itself(small):
    assert codes(small.ancestors("512001")) == ["24", "438", "4052"]
    assert small.ancestors("24") == []


def test_lookups(small):
    assert len(small) == len(SMALL)
    assert "438" in small and "999" not in small
    assert codes(small.roots()) == ["24"]
    assert small.get("999") is None
    with pytest.raises(KeyError, match="no org unit with code '999'"):
        small["999"]
    with pytest.raises(KeyError):
        small.children("999")


def test_returned_lists_do_not_change_the_tree(small):
    small.children("438").clear()
    small.nodes().clear()
    small.descendants("438").clear()
    assert len(small.children("438")) == 3
    assert len(small.nodes()) == len(SMALL)


def test_names_and_coordinates_are_carried_over():
    record = OrgUnitRecord(
        "24", "Gujarat", "state", None, census_code="24", names={"gu": "ગુજરાત"}, latitude=22.3, longitude=71.2,
        source="states.csv line 2",
    )
    tree, problems = OrgUnitTree.build([record])
    node = tree["24"]
    assert problems == []
    assert (node.census_code, dict(node.names), node.latitude, node.longitude, node.source) == (
        "24", {"gu": "ગુજરાત"}, 22.3, 71.2, "states.csv line 2"
    )
    with pytest.raises(TypeError):
        node.names["en"] = "Gujarat"  # the tree is immutable, names included


# --- problems ----------------------------------------------------------------------------------------------


def test_unknown_parent_is_reported_with_its_source_and_its_subtree_is_reported_too():
    records = [
        rec("24", None, "state"),
        rec("438", "24", "district"),
        rec("4052", "999", "taluka", source="subdistricts.csv line 7"),
        rec("512001", "4052", source="villages.csv line 3"),
        rec("512002", "512001"),
    ]
    tree, problems = OrgUnitTree.build(records)
    assert codes(tree.nodes()) == ["24", "438"]
    by_code = {p.code: p for p in problems}
    assert set(by_code) == {"4052", "512001", "512002"}
    assert {p.kind for p in problems} == {"unknown_parent"}
    assert "'999' is not among the records" in by_code["4052"].detail
    assert "subdistricts.csv line 7" in by_code["4052"].detail
    assert "villages.csv line 3" in by_code["512001"].detail
    assert "'4052' was left out" in by_code["512001"].detail
    assert "'999' is not among the records" in by_code["512002"].detail  # the root cause travels down


def test_duplicate_code_keeps_the_first_and_names_both_sources():
    records = [
        rec("24", None, "state"),
        rec("438", "24", "district", "Ahmadabad", source="districts.csv line 2"),
        rec("438", "24", "district", "Amreli", source="districts.csv line 9"),
        rec("4052", "438", "taluka"),
    ]
    tree, problems = OrgUnitTree.build(records)
    assert [(p.kind, p.code) for p in problems] == [("duplicate_code", "438")]
    assert "districts.csv line 2" in problems[0].detail and "districts.csv line 9" in problems[0].detail
    assert tree["438"].name == "Ahmadabad"
    assert codes(tree.children("438")) == ["4052"]


@pytest.mark.parametrize("bad", ["", "24/438", "a b", "अ", "x\n"])
def test_invalid_code_is_reported(bad):
    tree, problems = OrgUnitTree.build([rec("24", None, "state"), rec(bad, "24", source="f.csv line 4")])
    assert [p.kind for p in problems] == ["invalid_code"]
    assert "f.csv line 4" in problems[0].detail
    assert len(tree) == 1


def test_children_of_an_invalid_unit_say_why_their_parent_went():
    records = [rec("24", None, "state"), rec("4 52", "24", "taluka"), rec("512001", "4 52")]
    _, problems = OrgUnitTree.build(records)
    assert [p.kind for p in problems] == ["invalid_code", "unknown_parent"]
    assert "invalid code" in problems[1].detail


def test_invalid_kind_is_reported():
    tree, problems = OrgUnitTree.build([rec("24", None, "state"), rec("438", "24", "county")])
    assert [(p.kind, p.code) for p in problems] == [("invalid_kind", "438")]
    assert "'county'" in problems[0].detail
    assert "438" not in tree


def test_cycle_is_reported_for_every_member_and_units_under_it_too():
    records = [
        rec("24", None, "state"),
        rec("A", "C", "district"),
        rec("B", "A", "taluka"),
        rec("C", "B", "village"),
        rec("D", "B", "ward"),  # hangs off the loop
        rec("E", "E", "village"),  # its own parent
    ]
    tree, problems = OrgUnitTree.build(records)
    kinds = {p.code: p.kind for p in problems}
    assert kinds == {"A": "cycle", "B": "cycle", "C": "cycle", "D": "unknown_parent", "E": "cycle"}
    assert "parent cycle ('A' -> 'C' -> 'B' -> 'A')" in next(p.detail for p in problems if p.code == "B")
    assert "parent cycle" in next(p.detail for p in problems if p.code == "D")
    assert codes(tree.nodes()) == ["24"]


def test_multiple_roots_are_reported_but_kept():
    records = [
        rec("24", None, "state", "Gujarat"), rec("32", None, "state", "Kerala"), rec("554", "32", "district")
    ]
    tree, problems = OrgUnitTree.build(records)
    assert [(p.kind, p.code) for p in problems] == [("multiple_roots", "32")]
    assert codes(tree.roots()) == ["24", "32"]
    assert tree["554"].path == "/32/554/"


def test_empty_input_gives_an_empty_tree():
    tree, problems = OrgUnitTree.build([])
    assert (len(tree), tree.roots(), tree.nodes(), problems) == (0, [], [], [])


def test_valid_codes():
    assert is_valid_code("251096W0001") and is_valid_code("T802445") and is_valid_code("a_b.c-d")
    assert not is_valid_code("") and not is_valid_code("a/b") and not is_valid_code(None)


# --- properties --------------------------------------------------------------------------------------------


@st.composite
def random_forests(draw):
    """Random records: parents drawn from earlier codes, plus some junk (missing parents, duplicates)."""
    size = draw(st.integers(0, 40))
    records = []
    for i in range(size):
        choices = [None] + [f"u{j}" for j in range(i)] + ["missing"]
        parent = draw(st.sampled_from(choices)) if i else None
        code = draw(st.sampled_from([f"u{i}", f"u{max(i - 1, 0)}"]))  # sometimes a duplicate
        records.append(rec(code, parent, name=draw(st.text("ab12 ", max_size=4))))
    return draw(st.permutations(records))


@settings(max_examples=150, deadline=None)
@given(random_forests())
def test_every_record_is_either_in_the_tree_or_reported(records):
    tree, problems = OrgUnitTree.build(records)
    left_out = [p for p in problems if p.kind != "multiple_roots"]
    assert len(tree) + len(left_out) == len(records)
    for node in tree.nodes():
        assert node.level == node.path.count("/") - 1
        assert codes(tree.ancestors(node.code)) + [node.code] == node.path.strip("/").split("/")
    seen = set()
    for node in tree.nodes():  # depth-first: a parent always comes before its children
        assert node.parent_code is None or node.parent_code in seen
        seen.add(node.code)


def test_a_state_sized_tree_of_100_000_records_builds():
    records = [rec("24", None, "state")]
    for d in range(33):
        records.append(rec(f"D{d}", "24", "district"))
        for t in range(8):
            records.append(rec(f"T{d}.{t}", f"D{d}", "taluka"))
            records.extend(rec(f"V{d}.{t}.{v}", f"T{d}.{t}", name=f"Gam{v:x}") for v in range(380))
    random.Random(42).shuffle(records)
    tree, problems = OrgUnitTree.build(records)  # speed: about 0.5 s here; benchmarks, not tests, time it
    assert len(tree) == 100_618 and problems == []
