"""Warehouse rows become indicator values; a child expected to report that sent nothing has 0 % coverage."""

from govpulse.analytics.values import _value


def test_no_reporting_row_is_zero_coverage_not_an_error():
    row = {"indicator": "AGR_PMKISAN_PAID_PCT", "org_unit": "3849", "period": "202610", "value": None,
           "numerator": None, "denominator": 120.0, "reporting": None, "expected": 4, "stored_at": None}
    value = _value(row)
    assert (value.reporting, value.expected, value.coverage, value.value) == (0, 4, 0.0, None)
