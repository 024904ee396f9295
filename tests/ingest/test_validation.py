"""Checks on mapped values: ranges, value types, periods, duplicates, and rules between data elements."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from govpulse.ingest.mapping import SourceMapping
from govpulse.ingest.pipeline import process
from govpulse.ingest.validation import ValidationRule
from tests.ingest.test_mapping import TODAY, chunk, reasons, run, written
from tests.ingest.ingest_world import lookups

LONG = {"org_unit": "village", "period": "period", "data_element": "de", "value": "n"}


def row(de: str, n: str, period: str = "202610", village: str = "515001") -> dict:
    return {"village": village, "period": period, "de": de, "n": n}


def test_values_outside_the_data_elements_range_are_rejected_naming_the_limit():
    result = run(LONG, [row("births", "1001", "20261101"), row("births", "1000", "20261102"),
                        row("rainfall_mm", "-7.5", "20261101"), row("rainfall_mm", "-5", "20261102")])
    assert written(result) == {("births", "515001", "20261102", 1000.0), ("rainfall_mm", "515001", "20261102", -5.0)}
    assert reasons(result) == {
        2: "n: value 1001 is above the maximum 1000 allowed for data element 'births'",
        4: "n: value -7.5 is below the minimum -5 allowed for data element 'rainfall_mm'",
    }


@pytest.mark.parametrize("de, value, message", [
    ("children", "2.5", "data element 'children' takes zero or positive integer values: 2.5 is not a whole number"),
    ("children", "-1", "data element 'children' takes zero or positive integer values: -1 is negative; zero or "
                       "more is expected"),
    ("coverage", "101", "data element 'coverage' takes percentage values: 101 is not a percentage from 0 to 100"),
    ("has_doctor", "2", "data element 'has_doctor' takes yes/no values: 2 is not a yes/no value (1 or 0)"),
])
def test_values_that_do_not_fit_the_value_type_are_rejected_in_its_words(de, value, message):
    result = run(LONG, [row(de, value)])
    assert result.values.num_rows == 0
    assert reasons(result) == {2: f"n: {message}"}


def test_values_that_fit_their_value_type_pass():
    result = run(LONG, [row("coverage", "100"), row("has_doctor", "0"), row("rainfall_mm", "3.25", "20261101")])
    assert result.values.num_rows == 3 and result.rejected == []


def test_periods_in_the_future_and_periods_of_the_wrong_type():
    result = run(LONG, [row("children", "1", "202612"), row("children", "1", "20261101"),
                        row("births", "1", "20261127"), row("births", "1", "20261126")])
    assert written(result) == {("births", "515001", "20261126", 1.0)}  # today is fine
    assert reasons(result) == {
        2: "period: period 202612 has not begun yet (today is 2026-11-26)",
        3: "period: period 20261101 is Daily, but data element 'children' is reported Monthly",
        4: "period: period 20261127 has not begun yet (today is 2026-11-26)",
    }


def test_a_date_in_the_future_is_rejected_even_if_its_month_has_begun():
    mapping = {"org_unit": "village", "period": {"date_column": "d"}, "values": {"n": "children"}}
    result = run(mapping, [{"village": "515001", "d": "28-11-2026", "n": "4"}])
    assert reasons(result) == {2: "d: date 2026-11-28 is in the future (today is 2026-11-26)"}


def test_identical_duplicates_collapse_and_conflicting_ones_are_all_rejected():
    result = run(LONG, [row("children", "5"), row("children", "5"), row("vaccinated", "3"), row("vaccinated", "4"),
                        row("vaccinated", "3", village="525001")])
    assert written(result) == {("children", "515001", "202610", 5.0), ("vaccinated", "525001", "202610", 3.0)}
    assert result.duplicates_collapsed == 1
    conflict = ("n: data element 'vaccinated', org unit '515001', period 202610 is given 2 times in this batch with "
                "different values: 3 (in.csv, row 4), 4 (in.csv, row 5); all of them are rejected")
    assert reasons(result) == {4: conflict, 5: conflict}


def test_duplicates_are_found_across_chunks_and_files():
    mapping = SourceMapping.model_validate(LONG)
    first, second = chunk([row("children", "5")], "a.csv"), chunk([row("children", "6")], "b.csv")
    result = process(mapping, lookups(), [first, second], TODAY)
    assert result.values.num_rows == 0
    assert {(r.source_file, r.source_row) for r in result.rejected} == {("a.csv", 2), ("b.csv", 2)}


def test_rules_are_checked_per_org_unit_and_period_and_skipped_when_a_value_is_missing():
    mapping = {**LONG, "rules": ["#{vaccinated} <= #{children}",
                                 {"name": "coverage within reason", "rule": "#{coverage} * #{children} <= 100 * 100"}]}
    result = run(mapping, [
        row("children", "10"), row("vaccinated", "12"),  # 515001: fails
        row("children", "10", village="525001"), row("vaccinated", "9", village="525001"),  # passes
        row("vaccinated", "50", village="515002"),  # no children value: the rule is skipped
        row("children", "200", "202609"), row("coverage", "60", "202609"),  # fails the named rule
    ])
    assert written(result) == {("children", "525001", "202610", 10.0), ("vaccinated", "525001", "202610", 9.0),
                               ("vaccinated", "515002", "202610", 50.0)}
    found = reasons(result)
    assert found[2] == found[3] == ("n: fails validation rule '#{vaccinated} <= #{children}' at org unit '515001', "
                                    "period 202610: #{vaccinated} = 12 is not at most #{children} = 10")
    assert found[7] == ("n: fails validation rule 'coverage within reason' at org unit '515001', period 202609: "
                        "#{coverage} * #{children} = 12000 is not at most 100 * 100 = 10000")


@pytest.mark.parametrize("text, message", [
    ("#{a} + #{b}", "must compare two expressions"),
    ("#{a} <= #{b} <= #{c}", "must compare two expressions"),
    ("#{a} <= #{b", "right side"),
])
def test_rules_that_do_not_parse_are_reported(text, message):
    with pytest.raises(ValidationError, match=message):
        ValidationRule.model_validate(text)


def test_rule_forms_round_trip():
    rule = ValidationRule.model_validate({"name": "n", "rule": "#{a}>=2*#{b}"})
    assert (rule.left, rule.operator, rule.right, rule.label) == ("#{a}", ">=", "2*#{b}", "n")
    assert ValidationRule.model_validate(rule.model_dump()) == rule
    assert rule.data_elements() == {"a", "b"}
