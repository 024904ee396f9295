"""``data_version``: the token readers keep what they read under. It must change with everything that can
change what a read answers (a write, a rollup, a sync), and stay put while nothing does."""

from __future__ import annotations

import pytest

from govpulse.warehouse import Warehouse

from ..conftest import elements_table, tree_table, values_table

TREE = {"S": None, "D1": "S", "D2": "S", "V1": "D1", "V2": "D1", "V3": "D2"}


@pytest.fixture
def wh(warehouse: Warehouse) -> Warehouse:
    warehouse.sync_org_units(tree_table(TREE))
    warehouse.sync_data_elements(elements_table([("cases", "SUM", "Daily"), ("stock", "LAST", "Daily")]))
    warehouse.write("b1", values_table([("cases", "V1", "20260401", 4), ("stock", "V1", "20260401", 50)]))
    warehouse.rollup()
    return warehouse


def test_reads_leave_the_version_alone(wh: Warehouse) -> None:
    before = wh.data_version()
    assert isinstance(before, str) and before
    wh.data_values(["cases"], ["S"], ["20260401", "202604"])
    wh.freshness()
    assert wh.data_version() == before == wh.data_version()


def test_a_write_changes_the_version_before_any_rollup(wh: Warehouse) -> None:
    before = wh.data_version()
    wh.write("b2", values_table([("cases", "V2", "20260401", 6)]))
    written = wh.data_version()
    # The native day already reads the new value: a reader keeping reads under `before` must see it change.
    assert wh.data_values(["cases"], ["S"], ["20260401"]).column("value").to_pylist() == [10.0]
    assert written != before


def test_a_correction_changes_the_version(wh: Warehouse) -> None:
    before = wh.data_version()
    wh.write("b2", values_table([("cases", "V1", "20260401", 5)]))
    assert wh.data_version() != before


def test_a_rollup_changes_the_version(wh: Warehouse) -> None:
    wh.write("b2", values_table([("cases", "V2", "20260402", 6)]))
    written = wh.data_version()
    wh.rollup()
    assert wh.data_version() != written


def test_syncs_change_the_version(wh: Warehouse) -> None:
    before = wh.data_version()
    # LAST instead of SUM: the same stored values now read differently
    wh.sync_data_elements(elements_table([("cases", "LAST", "Daily")]))
    after_elements = wh.data_version()
    assert after_elements != before
    wh.sync_org_units(tree_table({**TREE, "V4": "D2"}))
    after_tree = wh.data_version()
    assert after_tree not in (before, after_elements)
    # and it stays put again while nothing changes
    assert wh.data_version() == after_tree
