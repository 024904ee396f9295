"""Every DHIS2 aggregation type against a small tree whose numbers are worked out by hand below.

    S (state)                       values (the same for every data element, all Daily):
    |-- D1 (district)                 V1  1 Apr 2026: 10    2 Apr 2026: 20
    |   |-- V1 (village)              V2  1 Apr 2026: 30
    |   `-- V2 (village)              V3  2 Apr 2026:  5   10 May 2026:  7
    `-- D2 (district)
        `-- V3 (village)

April 2026 (202604): D1 sees 10, 20, 30; S sees 10, 20, 30, 5.  FY 2026-27 (2026April) and 2026Q2: all five.
"""

from __future__ import annotations

import pytest

from govpulse.warehouse import Warehouse

from ..conftest import by_key, elements_table, tree_table, values_table

TREE = {"S": None, "D1": "S", "D2": "S", "V1": "D1", "V2": "D1", "V3": "D2"}
OBSERVATIONS = [("V1", "20260401", 10), ("V1", "20260402", 20), ("V2", "20260401", 30), ("V3", "20260402", 5),
                ("V3", "20260510", 7)]

# (aggregation type, org unit, period) -> value worked out by hand
EXPECTED = {
    "SUM": {("D1", "202604"): 60, ("S", "202604"): 65, ("S", "2026April"): 72, ("V1", "202604"): 30,
            ("S", "20260401"): 40, ("S", "2026Q2"): 72, ("S", "2026W14"): 65, ("S", "2026"): 72,
            ("S", "2026S1"): 72, ("D2", "2026W19"): 7},
    "AVERAGE": {("D1", "202604"): 20, ("S", "202604"): 16.25, ("S", "2026April"): 14.4, ("V1", "202604"): 15},
    # time average per org unit, then summed: V1 15 + V2 30 (+ V3 5 in April, (5 + 7) / 2 = 6 over the year)
    "AVERAGE_SUM_ORG_UNIT": {("D1", "202604"): 45, ("S", "202604"): 50, ("S", "2026April"): 51},
    # last per org unit, then summed: V1 20 + V2 30 (+ V3 5 in April, 7 over the year)
    "LAST": {("D1", "202604"): 50, ("S", "202604"): 55, ("S", "2026April"): 57, ("V1", "202604"): 20},
    "LAST_IN_PERIOD": {("S", "2026April"): 57, ("S", "2026Q2"): 57},
    "LAST_AVERAGE_ORG_UNIT": {("D1", "202604"): 25, ("S", "202604"): 55 / 3, ("S", "2026April"): 19},
    "LAST_IN_PERIOD_AVERAGE_ORG_UNIT": {("S", "2026April"): 19},
    "FIRST": {("D1", "202604"): 40, ("S", "2026April"): 45},
    "FIRST_AVERAGE_ORG_UNIT": {("S", "2026April"): 15},
    "MIN": {("S", "2026April"): 5, ("D1", "202604"): 10},
    "MAX": {("S", "2026April"): 30, ("D1", "202604"): 30},
    "COUNT": {("S", "2026April"): 5, ("D1", "202604"): 3, ("V3", "2026April"): 2},
    # a value only where nothing was combined: one value, at its own org unit, for its own day
    "NONE": {("V1", "20260401"): 10, ("D1", "20260401"): None, ("V1", "202604"): None, ("S", "2026April"): None},
}


@pytest.fixture
def loaded(warehouse: Warehouse) -> Warehouse:
    warehouse.sync_org_units(tree_table(TREE))
    warehouse.sync_data_elements(elements_table([(f"de_{agg.lower()}", agg, "Daily") for agg in EXPECTED]))
    rows = [(f"de_{agg.lower()}", ou, day, value) for agg in EXPECTED for ou, day, value in OBSERVATIONS]
    warehouse.write("batch-1", values_table(rows))
    warehouse.rollup()
    return warehouse


@pytest.mark.parametrize("aggregation", list(EXPECTED))
def test_each_aggregation_type_gives_the_hand_computed_values(loaded: Warehouse, aggregation: str) -> None:
    expected = EXPECTED[aggregation]
    units = sorted({ou for ou, _ in expected})
    periods = sorted({pe for _, pe in expected})
    got = by_key(loaded.data_values([f"de_{aggregation.lower()}"], units, periods), "org_unit", "period")
    for (ou, period), value in expected.items():
        assert (ou, period) in got, f"{aggregation}: no row for {ou} {period}"
        if value is None:
            assert got[(ou, period)]["value"] is None, f"{aggregation} {ou} {period}"
        else:
            assert got[(ou, period)]["value"] == pytest.approx(value), f"{aggregation} {ou} {period}"


def test_statistics_and_coverage_of_a_rolled_up_row(loaded: Warehouse) -> None:
    got = by_key(loaded.data_values(["de_sum"], ["S", "D1"], ["2026April", "202604"]), "org_unit", "period")
    year = got[("S", "2026April")]
    assert (year["sum"], year["count"], year["min"], year["max"]) == (72, 5, 5, 30)
    assert (year["last"], year["first"], year["avg_sum"]) == (57, 45, 51)
    assert (year["reporting"], year["expected"]) == (3, 3)
    april = got[("D1", "202604")]
    assert (april["reporting"], april["expected"]) == (2, 2)
    assert year["stored_at"] is not None


def test_a_period_without_data_has_no_row(loaded: Warehouse) -> None:
    got = loaded.data_values(["de_sum"], ["S", "D2"], ["202603", "20260401"])
    assert {(r["org_unit"], r["period"]) for r in got.to_pylist()} == {("S", "20260401")}


def test_drill_down_gives_each_child_its_subtree(loaded: Warehouse) -> None:
    got = by_key(loaded.children_values(["de_sum"], "S", ["202604", "2026April"]), "org_unit", "period")
    assert {k: r["value"] for k, r in got.items()} == {
        ("D1", "202604"): 60, ("D1", "2026April"): 60, ("D2", "202604"): 5, ("D2", "2026April"): 12,
    }


def test_series_lists_each_period_with_data_in_order(loaded: Warehouse) -> None:
    got = loaded.series(["de_sum"], "S", "Monthly", "202603", "202606")
    assert [(r["period"], r["value"]) for r in got.to_pylist()] == [("202604", 65), ("202605", 7)]
    days = loaded.series(["de_sum"], "V3", "Daily", "20260401", "20260403")
    assert [(r["period"], r["value"]) for r in days.to_pylist()] == [("20260402", 5)]
