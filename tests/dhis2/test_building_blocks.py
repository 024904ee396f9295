"""The pure parts: DHIS2 UIDs and our codes for DHIS2 objects, relative periods, expressions, payload parsing."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govpulse.core.periods import PeriodType
from govpulse.dhis2.datavalue_payloads import DataValueSetError, parse_data_value_set
from govpulse.dhis2.expressions import UntranslatableExpression, translate_expression
from govpulse.dhis2.ids import IdScheme, derive_code, is_uid, new_uid
from govpulse.dhis2.periods import RELATIVE_PERIODS, relative_periods
from govpulse.dhis2.reports import ImportSummary

PATTERNS = {"data_element": r"[a-z0-9_]{1,128}", "indicator": r"[A-Z0-9_]{1,128}", "org_unit": r"[A-Za-z0-9_.-]{1,64}"}
uids = st.from_regex(r"[A-Za-z][A-Za-z0-9]{10}", fullmatch=True)


@given(st.sampled_from(sorted(PATTERNS)), st.one_of(st.none(), st.text(max_size=200)), uids,
       st.sets(st.text(min_size=1, max_size=20), max_size=5))
def test_derived_codes_follow_our_rules_and_avoid_taken_ones(entity, dhis2_code, uid, taken):
    code = derive_code(entity, dhis2_code, uid, frozenset(taken))
    assert re.fullmatch(PATTERNS[entity], code), code
    assert code not in taken


def test_derived_codes_keep_what_they_can():
    assert derive_code("data_element", "TA_DATE_AND_TIME_DE AGGREGATE", "vbZ5LGNfGET") == (
        "ta_date_and_time_de_aggregate")
    assert derive_code("indicator", "TA_MAL_DTH_REP_COMP_(%)", "x2piMpdUU68") == "TA_MAL_DTH_REP_COMP"
    assert derive_code("org_unit", "OU_559", "DiszpKrYNg8") == "OU_559"
    assert derive_code("org_unit", None, "DiszpKrYNg8") == "DiszpKrYNg8"  # no code: the UID is the code
    assert derive_code("data_element", None, "tpz77FcntKx") == "de_tpz77fcntkx"
    assert derive_code("data_element", "BEDS", "tpz77FcntKx", {"beds"}) == "beds_tpz77fcntkx"


def test_uids_and_schemes():
    assert all(is_uid(new_uid()) for _ in range(100))
    assert not is_uid("1abcdefghij") and not is_uid("abc")
    assert IdScheme.parse("code") is IdScheme.CODE and IdScheme.parse("ID") is IdScheme.UID
    assert IdScheme.parse(None) is IdScheme.UID
    with pytest.raises(ValueError, match="ATTRIBUTE"):
        IdScheme.parse("ATTRIBUTE:abc")


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2999, 12, 31)), st.sampled_from(sorted(RELATIVE_PERIODS)))
def test_relative_periods_are_consecutive_and_end_by_the_current_period(today, name):
    periods = relative_periods(name, today)
    assert periods and len({p.type for p in periods}) == 1
    assert all(a.next() == b for a, b in zip(periods, periods[1:], strict=False))
    if name.startswith("LAST_") or name == "YESTERDAY":  # they end with the period before the current one
        assert periods[-1].end < today and periods[-1].next().start <= today <= periods[-1].next().end
    elif name.startswith("THIS_") or name == "TODAY":
        assert periods[-1].start <= today <= periods[-1].end


def test_relative_periods_known_by_heart():
    day = date(2026, 11, 15)
    assert [p.id for p in relative_periods("LAST_3_MONTHS", day)] == ["202608", "202609", "202610"]
    assert [p.id for p in relative_periods("THIS_FINANCIAL_YEAR", day)] == ["2026April"]
    assert [p.id for p in relative_periods("LAST_FINANCIAL_YEAR", date(2026, 3, 31))] == ["2024April"]
    assert [p.id for p in relative_periods("LAST_4_QUARTERS", day)] == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert relative_periods("LAST_7_DAYS", day)[0].id == "20261108"
    assert {p.type for p in relative_periods("WEEKS_THIS_YEAR", day)} == {PeriodType.WEEKLY}
    assert len(relative_periods("WEEKS_THIS_YEAR", day)) == 53  # 2026 has an ISO week 53


def test_expressions_translate_ids_to_codes():
    codes = {"deUid000001": "births", "deUid000002": "deaths"}.get
    combos = {"cocUid00001": "female", "HllvX50cXC0": "total"}.get

    def translate(text):
        return translate_expression(text, codes, combos, {}.get)

    assert translate("#{deUid000001}+#{deUid000002.HllvX50cXC0}") == "#{births}+#{deaths}"
    assert translate("#{deUid000001.cocUid00001} * 100") == "#{births.female} * 100"
    assert translate("(#{deUid000001.*}\r\n- 1)") == "(#{births} - 1)"
    for text, unsupported in (("#{nosuchthing1}", False), ("I{abc}", True), ("#{deUid000001} * [days]", True),
                              ("#{deUid000001.cocUid00001.aocUid00001}", True), ("C{nosuch}", False)):
        with pytest.raises(UntranslatableExpression) as raised:
            translate(text)
        assert raised.value.unsupported is unsupported, text


def test_payloads_json_with_set_level_defaults_and_csv_by_header_or_position():
    body = b'{"period": "202610", "orgUnit": "ou1", "dataValues": [{"dataElement": "a", "value": 5}]}'
    assert parse_data_value_set(body, "application/json") == [
        {"period": "202610", "orgUnit": "ou1", "dataElement": "a", "value": "5"}]
    by_name = b"Value,DataElement,Period,OrgUnit,Deleted\n3,a,202610,ou1,true\n"
    assert parse_data_value_set(by_name, "application/csv") == [
        {"value": "3", "dataElement": "a", "period": "202610", "orgUnit": "ou1", "deleted": True}]
    by_position = b"a,202610,ou1,,,7\n"
    assert parse_data_value_set(by_position, "text/csv; charset=utf-8") == [
        {"dataElement": "a", "period": "202610", "orgUnit": "ou1", "value": "7"}]
    for bad, kind in ((b"[1, 2]", "application/json"), (b'{"dataValues": [3]}', "application/json"),
                      (b"<x/>", "application/xml")):
        with pytest.raises(DataValueSetError):
            parse_data_value_set(bad, kind)


def test_import_summary_groups_equal_conflicts_and_picks_the_status():
    summary = ImportSummary(imported=1)
    summary.conflict(3, "x", "unknown", "E7610", "dataElement")
    summary.conflict(1, "x", "unknown", "E7610", "dataElement")
    status, body = summary.web_message()
    assert (status, body["status"], body["response"]["status"]) == (409, "WARNING", "WARNING")
    assert body["response"]["conflicts"] == [{"object": "x", "objects": {"dataElement": "x"}, "value": "unknown",
                                              "property": "dataElement", "errorCode": "E7610", "indexes": [1, 3]}]
    assert ImportSummary(ignored=2).web_message()[0] == 200  # skipped by the strategy: no conflict
    failed = ImportSummary()
    failed.conflict(0, "y", "bad")
    assert failed.web_message()[1]["status"] == "ERROR"
