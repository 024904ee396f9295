"""Every read takes scope_paths: rows of org units outside them are simply absent."""

from __future__ import annotations

import pytest

from govpulse.core.indicators import IndicatorSpec
from govpulse.warehouse import Warehouse

from ..conftest import elements_table, tree_table, values_table

TREE = {"S": None, "D1": "S", "D2": "S", "V1": "D1", "V2": "D1", "V3": "D2"}
D1_ONLY = ["/S/D1/"]


@pytest.fixture
def wh(warehouse: Warehouse) -> Warehouse:
    warehouse.sync_org_units(tree_table(TREE))
    warehouse.sync_data_elements(elements_table([("cases", "SUM", "Daily")]))
    warehouse.write("b1", values_table([("cases", ou, "20260401", 1) for ou in ("V1", "V2", "V3")]))
    warehouse.rollup()
    return warehouse


def units(table) -> set[str]:
    return {row["org_unit"] for row in table.to_pylist()}


def test_values_outside_the_scope_are_absent(wh: Warehouse) -> None:
    everything = ["S", "D1", "D2", "V1", "V3"]
    assert units(wh.data_values(["cases"], everything, ["202604"])) == set(everything)
    assert units(wh.data_values(["cases"], everything, ["202604"], scope_paths=D1_ONLY)) == {"D1", "V1"}
    assert units(wh.data_values(["cases"], everything, ["202604"], scope_paths=[])) == set()


def test_drill_down_series_and_indicators_are_scoped(wh: Warehouse) -> None:
    assert units(wh.children_values(["cases"], "S", ["202604"], scope_paths=D1_ONLY)) == {"D1"}
    assert units(wh.children_values(["cases"], "D2", ["202604"], scope_paths=D1_ONLY)) == set()
    assert wh.series(["cases"], "S", "Monthly", "202604", "202604", scope_paths=D1_ONLY).num_rows == 0
    assert wh.series(["cases"], "V2", "Monthly", "202604", "202604", scope_paths=D1_ONLY).num_rows == 1
    spec = IndicatorSpec.parse("k", "#{cases}", "1")
    assert units(wh.indicator_values([spec], ["202604"], parent_org_unit="S", scope_paths=D1_ONLY)) == {"D1"}


def test_a_district_total_inside_the_scope_counts_its_whole_subtree(wh: Warehouse) -> None:
    (row,) = wh.data_values(["cases"], ["D1"], ["202604"], scope_paths=["/S/D1/", "/S/D2/V3/"]).to_pylist()
    assert row["value"] == 2


def test_codes_with_underscores_are_not_wildcards(warehouse: Warehouse) -> None:
    warehouse.sync_org_units(tree_table({"S": None, "D_1": "S", "DX1": "S", "V1": "D_1", "V2": "DX1"}))
    warehouse.sync_data_elements(elements_table([("cases", "SUM", "Daily")]))
    warehouse.write("b1", values_table([("cases", "V1", "20260401", 1), ("cases", "V2", "20260401", 5)]))
    warehouse.rollup()
    got = warehouse.children_values(["cases"], "S", ["20260401"], scope_paths=["/S/D_1/"])
    assert [(r["org_unit"], r["value"]) for r in got.to_pylist()] == [("D_1", 1.0)]
