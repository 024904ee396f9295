"""Indicators: a ratio of rolled-up sums at every level, no value (never 0, never an error) for a missing
part or a zero denominator, coverage and freshness carried along."""

from __future__ import annotations

import pytest

from govpulse.core.indicators import IndicatorSpec
from govpulse.warehouse import Warehouse
from govpulse.warehouse.errors import UnsupportedQuery

from ..conftest import by_key, elements_table, tree_table, values_table

TREE = {"S": None, "D1": "S", "D2": "S", "V1": "D1", "V2": "D1", "V3": "D2", "V4": "D2"}

# V1 immunised 9 of 10 children, V2 1 of 90: D1 is 10 / 100 = 10 %, not the mean of rates (45.6 %).
# D2: V3 reported births 0 (no ratio), V4 reported nothing at all.
ROWS = [("vacc", "V1", "20260401", 9), ("births", "V1", "20260401", 10),
        ("vacc", "V2", "20260401", 1), ("births", "V2", "20260401", 90),
        ("vacc", "V3", "20260401", 0), ("births", "V3", "20260401", 0)]

COVERAGE = IndicatorSpec.parse("coverage", "#{vacc}", "#{births}", factor=100, decimals=1)


@pytest.fixture
def wh(warehouse: Warehouse) -> Warehouse:
    warehouse.sync_org_units(tree_table(TREE))
    warehouse.sync_data_elements(
        elements_table([("vacc", "SUM", "Daily"), ("births", "SUM", "Daily"), ("pop", "SUM", "Yearly")])
    )
    warehouse.write("b1", values_table(ROWS))
    warehouse.rollup()
    return warehouse


def test_a_district_percentage_is_the_ratio_of_its_sums(wh: Warehouse) -> None:
    got = by_key(wh.indicator_values([COVERAGE], ["20260401", "202604"], org_units=["S", "D1", "V1", "V2"]),
                 "org_unit", "period")
    assert got[("D1", "20260401")]["value"] == 10.0
    assert (got[("D1", "202604")]["numerator"], got[("D1", "202604")]["denominator"]) == (10, 100)
    assert got[("V1", "202604")]["value"] == 90.0
    assert got[("V2", "202604")]["value"] == 1.1  # 1 / 90 = 1.11 %, rounded to one decimal
    assert got[("S", "202604")]["value"] == 10.0  # 10 / 100; D2's zero births add nothing


def test_division_by_zero_and_missing_parts_give_no_value(wh: Warehouse) -> None:
    got = by_key(wh.children_values(["vacc"], "D2", ["20260401"]), "org_unit")
    assert set(got) == {"V3"}  # V4 reported nothing: no row at all
    per_capita = IndicatorSpec.parse("per_capita", "#{vacc}", "#{pop}", factor=1000)
    ratio = by_key(wh.indicator_values([COVERAGE, per_capita], ["20260401"], parent_org_unit="D2"),
                   "indicator", "org_unit")
    assert ratio[("coverage", "V3")]["value"] is None
    assert ratio[("coverage", "V3")]["denominator"] == 0
    assert ratio[("per_capita", "V3")]["value"] is None  # no population reported: missing, not 0
    assert ratio[("per_capita", "V3")]["denominator"] is None
    assert ("coverage", "V4") not in ratio


def test_drill_down_and_coverage_counts(wh: Warehouse) -> None:
    got = by_key(wh.indicator_values([COVERAGE], ["202604"], parent_org_unit="S"), "org_unit")
    assert {ou: row["value"] for ou, row in got.items()} == {"D1": 10.0, "D2": None}
    assert (got["D1"]["reporting"], got["D1"]["expected"]) == (2, 2)
    assert (got["D2"]["reporting"], got["D2"]["expected"]) == (1, 2)
    assert got["D1"]["stored_at"] is not None


def test_constants_and_arithmetic_in_expressions(wh: Warehouse) -> None:
    spec = IndicatorSpec.parse("gap", "#{births} - #{vacc}", "C{target} * 2", factor=1, decimals=0,
                               constants={"target": 5})
    got = by_key(wh.indicator_values([spec], ["202604"], org_units=["S"]), "org_unit")
    assert got["S"]["value"] == 9.0  # (100 - 10) / (5 * 2)


def test_a_disaggregated_reference_is_refused_clearly(wh: Warehouse) -> None:
    spec = IndicatorSpec.parse("girls", "#{vacc.female}", "#{births}")
    with pytest.raises(UnsupportedQuery, match=r"#\{vacc.female\}"):
        wh.indicator_values([spec], ["202604"], org_units=["S"])
