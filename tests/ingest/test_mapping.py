"""Mapping source columns and codes to data elements, org units and periods (no database: lookups in Arrow)."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from govpulse.ingest.connectors.base import RecordChunk
from govpulse.ingest.mapping import SourceMapping
from govpulse.ingest.pipeline import decode_source_row, process
from tests.ingest.ingest_world import lookups

TODAY = date(2026, 11, 26)


def chunk(rows: list[dict], file: str = "in.csv") -> RecordChunk:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    table = pa.table({
        **{name: pa.array([row.get(name) for row in rows], pa.string()) for name in columns},
        "_source_file": pa.array([file] * len(rows), pa.string()),
        "_source_row": pa.array(range(2, len(rows) + 2), pa.int64()),
    })
    return RecordChunk(table=table, origin=file)


def run(mapping: dict, rows: list[dict]):
    return process(SourceMapping.model_validate(mapping), lookups(), [chunk(rows)], TODAY)


def written(processed) -> set[tuple]:
    table = processed.values.select(["data_element", "org_unit", "period", "value"])
    return {tuple(row.values()) for row in table.to_pylist()}


def reasons(processed) -> dict[int, str]:
    return {row.source_row: row.reason for row in processed.rejected}


LONG = {"org_unit": "village", "period": "month", "data_element": {"column": "indicator",
                                                                  "codes": {"VAC": "vaccinated"}}, "value": "count"}


def test_long_format_with_a_codes_table_and_codes_with_leading_zeros():
    result = run(LONG, [
        {"village": "0525001", "month": "202610", "indicator": "VAC", "count": "1,234"},
        {"village": " 515001 ", "month": "202610", "indicator": "children", "count": "૧૨"},  # Gujarati digits
        {"village": "515001", "month": "202610", "indicator": "Vaccinated", "count": "7"},  # case of the code
    ])
    assert written(result) == {("vaccinated", "525001", "202610", 1234.0), ("children", "515001", "202610", 12.0),
                               ("vaccinated", "515001", "202610", 7.0)}
    assert result.rejected == [] and result.rows_accepted == 3


def test_wide_format_skips_empty_cells_but_not_required_ones():
    mapping = {"org_unit": "village", "period": {"value": "202610"},
               "values": {"Children": "children", "Vaccinated": "vaccinated"}, "required": ["Children"]}
    result = run(mapping, [
        {"village": "525001", "Children": "40", "Vaccinated": ""},
        {"village": "515001", "Children": " ", "Vaccinated": "3"},
    ])
    assert written(result) == {("children", "525001", "202610", 40.0), ("vaccinated", "515001", "202610", 3.0)}
    assert reasons(result) == {3: "Children: required value missing: column 'Children' is empty"}


def test_names_are_matched_normalised_and_an_ambiguous_name_is_refused_with_the_candidates():
    mapping = {"org_unit": {"column": "Village", "by": "name", "table": {"Bhestan Gam": "525001"}},
               "period": {"value": "202610"}, "values": {"n": "children"}}
    result = run(mapping, [
        {"Village": "  MADHAPAR ", "n": "1"},
        {"Village": "Bhestan Gam", "n": "2"},
        {"Village": "Rampur", "n": "3"},
        {"Village": "Nowhere", "n": "4"},
    ])
    assert written(result) == {("children", "515001", "202610", 1.0), ("children", "525001", "202610", 2.0)}
    found = reasons(result)
    assert found[4] == ("Village: 'Rampur' names 2 org units (codes 515002, 525002); add it to the org_unit mapping "
                        "table with the right code")
    assert found[5] == ("Village: no org unit is named 'Nowhere' (add it to the org_unit mapping table if it is "
                        "spelt differently)")


def test_name_lookup_limited_to_a_kind_and_by_census_code():
    by_kind = {"org_unit": {"column": "place", "by": "name", "kind": "district"}, "period": {"value": "202610"},
               "values": {"n": "children"}}
    result = run(by_kind, [{"place": "surat", "n": "5"}, {"place": "Madhapar", "n": "6"}])
    assert written(result) == {("children", "459", "202610", 5.0)}
    assert "no district is named 'Madhapar'" in reasons(result)[3]
    by_census = {"org_unit": {"column": "census", "by": "census_code"}, "period": {"value": "202610"},
                 "values": {"n": "children"}}
    result = run(by_census, [{"census": "525001", "n": "7"}, {"census": "999999", "n": "8"}])
    assert written(result) == {("children", "525001", "202610", 7.0)}
    assert "no org unit has census code '999999'" in reasons(result)[3]


def test_a_date_gives_each_data_element_its_own_period_type():
    mapping = {"org_unit": "village", "period": {"date_column": "Date"},
               "values": {"Births": "births", "Children": "children"}}
    result = run(mapping, [{"village": "515001", "Date": "24/11/2026", "Births": "3", "Children": "9"},
                           {"village": "515001", "Date": "2026-11-02 10:30", "Births": "1", "Children": ""}])
    assert written(result) == {("births", "515001", "20261124", 3.0), ("children", "515001", "202611", 9.0),
                               ("births", "515001", "20261102", 1.0)}


def test_financial_year_labels_become_period_ids_and_bad_periods_say_why():
    mapping = {"org_unit": "village", "period": "year", "values": {"n": "children"}}
    result = run(mapping, [{"village": "515001", "year": "2026-13", "n": "1"},
                           {"village": "515001", "year": "", "n": "1"}])
    found = reasons(result)
    assert "'2026-13' is not a period" in found[2] and "for dates use date_column" in found[2]
    assert found[3] == "year: required value missing: no period in column 'year'"


def test_a_missing_column_rejects_every_row_naming_the_columns_there_are():
    result = run(LONG, [{"village": "515001", "month": "202610", "indicator": "VAC"}])
    assert result.values.num_rows == 0
    assert reasons(result)[2] == "count: the input has no column 'count' (its columns: 'village', 'month', 'indicator')"


def test_column_names_match_ignoring_case_and_spacing():
    mapping = {"org_unit": "Village  Code", "period": {"value": "202610"}, "values": {"No. of children": "children"}}
    result = run(mapping, [{"village code": "515001", "No.  of Children": "4"}])
    assert written(result) == {("children", "515001", "202610", 4.0)}


def test_unknown_data_elements_and_numbers_that_are_not_numbers():
    result = run(LONG, [
        {"village": "515001", "month": "202610", "indicator": "XYZ", "count": "1"},
        {"village": "515001", "month": "202610", "indicator": "children", "count": "12,5"},
        {"village": "515001", "month": "202610", "indicator": "children", "count": "NA"},
        {"village": "515001", "month": "202610", "indicator": "", "count": "1"},
    ])
    found = reasons(result)
    assert found[2] == "indicator: unknown data element 'XYZ' (add it to the data_element codes table or the catalogue)"
    assert found[3] == "count: not a number: '12,5' uses a decimal comma; write '12.5'"
    assert found[4] == "count: not a number: 'NA' is not a number"
    assert found[5] == "indicator: required value missing: no data element in column 'indicator'"


def test_lineage_encodes_file_and_row():
    result = run(LONG, [{"village": "515001", "month": "202610", "indicator": "children", "count": "1"}])
    (source_row,) = result.values["source_row"].to_pylist()
    origin, row = decode_source_row(source_row)
    assert result.origins[origin] == "in.csv" and row == 2


@pytest.mark.parametrize("mapping, message", [
    ({"org_unit": "v", "period": {"column": "m", "value": "202610"}, "values": {"a": "b"}},
     "give exactly one of column, date_column or value"),
    ({"org_unit": "v", "period": "m", "value": "n"}, "long format needs both data_element"),
    ({"org_unit": "v", "period": "m", "data_element": "d", "value": "n", "values": {"a": "b"}}, "not both"),
    ({"org_unit": "v", "period": "m", "values": {"a": "b"}, "required": ["c"]}, "'c', which are not value columns"),
    ({"org_unit": {"column": "v", "by": "lgd"}, "period": "m", "values": {"a": "b"}}, "by"),
])
def test_mapping_mistakes_are_reported(mapping, message):
    with pytest.raises(ValidationError, match=message):
        SourceMapping.model_validate(mapping)


cells = st.one_of(st.sampled_from(["515001", "525001", "Nowhere", "", None, "0515001"]))
numbers = st.one_of(st.integers(0, 2000).map(str), st.sampled_from(["x", "", None, "-3", "1,2,3", "12.5"]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(cells, numbers, numbers), min_size=1, max_size=30))
def test_every_row_is_accepted_or_rejected_with_a_reason(rows):
    mapping = {"org_unit": "v", "period": {"date_column": "d"}, "values": {"a": "births", "b": "children"}}
    result = run(mapping, [{"v": v, "d": "20-11-2026", "a": a, "b": b} for v, a, b in rows])
    assert result.rows_read == len(rows)
    rejected = {row.source_row for row in result.rejected}
    assert all(row.reason for row in result.rejected)
    lineage_rows = {decode_source_row(s)[1] for s in result.values["source_row"].to_pylist()}
    # A row is written (maybe partly), rejected, had nothing to write, or repeats an earlier row (collapsed).
    def unit(code):
        return None if code in ("", None) else code.lstrip("0")

    def repeats(index: int) -> bool:
        v, a, b = rows[index]
        return any(unit(w) == unit(v) and all(y == x or y in ("", None) for x, y in ((c, a), (d, b)))
                   for w, c, d in rows[:index])

    for index, (v, a, b) in enumerate(rows):
        number = index + 2
        has_values = any(cell not in ("", None) for cell in (a, b))
        assert number in rejected or number in lineage_rows or not has_values or unit(v) is None or repeats(index)
