"""Each flag rule fires on a crafted series, with the words and numbers worked out by hand, and stays quiet on a
normal one; parameters are validated with errors that name them."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from govpulse.core.enums import Polarity, Severity
from govpulse.core.evaluation import Thresholds
from govpulse.core.flag_rules import (
    FlagInput,
    FlagRuleError,
    IndicatorInfo,
    OrgUnitInfo,
    Selector,
    SeriesPoint,
    evaluate_rules,
    format_number,
    format_value,
)
from govpulse.core.flag_rules_builtin import AnomalyRule, DeteriorationRule, ThresholdRule, robust_z
from govpulse.core.flag_rules_data_quality import MissingReportingRule, StaleRule, SuspiciousRule
from govpulse.core.periods import parse_period

DELIVERIES = IndicatorInfo(
    "INST_DELIVERY", "Institutional deliveries", "HEALTH", Polarity.HIGHER_IS_BETTER, "%", 1,
    Thresholds("percent_of_target", 100, 80), is_ratio=True,
)
IMR = IndicatorInfo("IMR", "Infant mortality", "HEALTH", Polarity.LOWER_IS_BETTER, "per 1,000", 1,
                    Thresholds("absolute", 25, 35), is_ratio=True)
BIRTHS = IndicatorInfo("BIRTHS_REG", "Births registered", "REVENUE", unit="", decimals=0)
SURAT = OrgUnitInfo("SURAT", "Surat", "district")
NOW = datetime(2026, 11, 25, 8, 0)


def monthly(values, *, last="202611", target=95, denominator=1000):
    """Points for consecutive months ending at ``last``; a value of None is a month without a value."""
    end = parse_period(last)
    periods = [end.shift(i - len(values) + 1) for i in range(len(values))]
    return tuple(SeriesPoint(p, v, denominator=denominator, target=target) for p, v in zip(periods, values))


def daily(figures, *, last="20261124", **extra):
    """Daily points whose value (and numerator) are ``figures``, ending on ``last``."""
    end = parse_period(last)
    periods = [end.shift(i - len(figures) + 1) for i in range(len(figures))]
    return tuple(SeriesPoint(p, f, numerator=f, **extra) for p, f in zip(periods, figures))


def given(series, indicator=DELIVERIES, org_unit=SURAT, today=NOW, peers=None):
    return FlagInput(indicator, org_unit, series, today, peers or {})


# --- threshold -------------------------------------------------------------------------------------------


def test_threshold_fires_in_the_red_band_and_counts_the_months_running():
    # Target 95 %: amber from 80 % of it = 76. Aug is amber, Sep-Nov red.
    found = ThresholdRule("off-target").evaluate(given(monthly([90.0, 74.0, 73.5, 71.2])))
    assert found.message == (
        "Institutional deliveries 71.2 % in Surat, Nov 2026: below the amber band (80 % of target 95 %) "
        "for 3 months running"
    )
    assert (found.rule, found.indicator, found.org_unit, found.period) == ("off-target", "INST_DELIVERY", "SURAT",
                                                                            "202611")
    assert found.severity is Severity.HIGH
    assert (found.value, found.expected) == (71.2, 76)
    assert found.evidence["periods_running"] == 3 and found.evidence["band"] == "red"


def test_threshold_min_periods_and_escalation():
    series = monthly([90.0, 74.0, 73.5, 71.2])
    assert ThresholdRule("r", {"min_periods": 4}).evaluate(given(series)) is None
    escalated = ThresholdRule("r", {"min_periods": 2, "escalate_after_periods": 3}).evaluate(given(series))
    assert escalated.severity is Severity.CRITICAL


def test_threshold_stays_quiet_when_green_and_on_amber_unless_asked():
    assert ThresholdRule("r").evaluate(given(monthly([96.0, 97.0]))) is None
    amber = given(monthly([96.0, 90.0]))
    assert ThresholdRule("r").evaluate(amber) is None
    found = ThresholdRule("r", {"amber_severity": "low"}).evaluate(amber)
    assert found.severity is Severity.LOW
    assert found.message == ("Institutional deliveries 90.0 % in Surat, Nov 2026: below the green band "
                             "(100 % of target 95 %)")


def test_threshold_lower_is_better_with_absolute_bands():
    found = ThresholdRule("r").evaluate(given(monthly([30.0, 40.0], target=None), indicator=IMR))
    assert found.message == "Infant mortality 40.0 per 1,000 in Surat, Nov 2026: above the amber band (35 per 1,000)"


def test_threshold_skips_rates_with_too_small_a_denominator():
    small = given(monthly([50.0], denominator=10))
    assert ThresholdRule("r").evaluate(small) is not None
    assert ThresholdRule("r", {"min_denominator": 30}).evaluate(small) is None


# --- deterioration ---------------------------------------------------------------------------------------


def test_deterioration_worse_for_three_months_running():
    found = DeteriorationRule("worse").evaluate(given(monthly([85.0, 80.0, 76.0, 71.2])))
    # (71.2 - 85) / 85 = -16.2 %
    assert found.message == ("Institutional deliveries 71.2 % in Surat, Nov 2026: worse for 3 months running, "
                             "from 85.0 % in Aug 2026, down 16.2 %")
    assert found.severity is Severity.MEDIUM and found.expected == 85.0
    assert DeteriorationRule("worse", {"min_total_change_percent": 20}).evaluate(
        given(monthly([85.0, 80.0, 76.0, 71.2]))) is None
    assert DeteriorationRule("worse").evaluate(given(monthly([85.0, 80.0, 82.0, 79.0]))) is None


def test_deterioration_against_the_previous_period():
    rule = DeteriorationRule("drop", {"compare": "previous", "drop_percent": 10})
    found = rule.evaluate(given(monthly([90.0, 70.0])))
    # (70 - 90) / 90 = -22.2 %
    assert found.message == "Institutional deliveries 70.0 % in Surat, Nov 2026: down 22.2 % on Oct 2026 (90.0 %)"
    assert rule.evaluate(given(monthly([90.0, 85.0]))) is None  # 5.6 %


def test_deterioration_against_last_year_lower_is_better():
    rule = DeteriorationRule("yoy", {"compare": "last_year", "drop_percent": 10})
    series = monthly([20.0] + [None] * 11 + [25.0], target=None)
    found = rule.evaluate(given(series, indicator=IMR))
    assert found.message == "Infant mortality 25.0 per 1,000 in Surat, Nov 2026: up 25.0 % on Nov 2025 (20.0 per 1,000)"
    assert rule.evaluate(given(monthly([20.0] + [None] * 11 + [19.0], target=None), indicator=IMR)) is None


# --- anomaly ---------------------------------------------------------------------------------------------

HISTORY = [50.0, 52.0, 48.0, 51.0, 49.0, 50.0, 53.0, 47.0]


def test_robust_z_by_hand():
    # median 50; |deviations| 0 2 2 1 1 0 3 3 -> MAD 1.5 -> 1.4826 x 1.5 = 2.22, floored at 5 % of 50 = 2.5
    z, median, scale = robust_z(80, HISTORY, mad_floor_percent=5)
    assert (median, scale, z) == (50, 2.5, 12.0)
    assert robust_z(13, [10.0] * 6, mad_floor=1) == (3.0, 10.0, 1.0)
    assert robust_z(13, [10.0] * 6)[0] == float("inf")


def test_anomaly_against_own_history():
    found = AnomalyRule("odd").evaluate(given(monthly([*HISTORY, 80.0])))
    assert found.message == ("Institutional deliveries 80.0 % in Surat, Nov 2026: unusual against its own last "
                             "8 months (median 50.0 %, robust z 12.0)")
    assert found.expected == 50 and found.evidence["z"] == 12.0
    assert AnomalyRule("odd").evaluate(given(monthly([*HISTORY, 52.0]))) is None
    assert AnomalyRule("odd", {"direction": "worse"}).evaluate(given(monthly([*HISTORY, 80.0]))) is None
    assert AnomalyRule("odd", {"min_history": 9, "window": 12}).evaluate(given(monthly([*HISTORY, 80.0]))) is None


def test_anomaly_against_peers():
    peers = {"D1": 80, "D2": 82, "D3": 78, "D4": 81, "D5": 79, "SURAT": 50, "D6": None}
    rule = AnomalyRule("behind", {"against": "peers", "direction": "worse"})
    found = rule.evaluate(given(monthly([50.0]), peers=peers))
    # peers' median 80, MAD 1 -> 1.48, floored at 5 % of 80 = 4: (50 - 80) / 4 = -7.5
    assert found.message == ("Institutional deliveries 50.0 % in Surat, Nov 2026: out of line with 5 peers "
                             "(median 80.0 %, robust z -7.5)")
    assert rule.evaluate(given(monthly([79.0]), peers=peers)) is None
    assert rule.evaluate(given(monthly([50.0]), peers={"D1": 80, "D2": 82})) is None  # too few peers
    counts = given(monthly([50.0]), indicator=BIRTHS, peers=peers)
    assert rule.evaluate(counts) is None  # counts of units of different sizes are not compared


# --- missing reporting -----------------------------------------------------------------------------------


def reporting_day(day, reporting, expected=60):
    return SeriesPoint(parse_period(day), 80.0, reporting=reporting, expected=expected)


def test_missing_reporting_judges_the_last_day_that_is_over():
    series = (reporting_day("20261123", 60), reporting_day("20261124", 41), reporting_day("20261125", 10))
    found = MissingReportingRule("low").evaluate(given(series))
    assert found.period == "20261124"
    assert found.message == ("Institutional deliveries in Surat, 24 Nov 2026: 41 of 60 org units reported (68 %), "
                             "below 80 %")
    assert found.severity is Severity.MEDIUM
    assert MissingReportingRule("low", {"high_below_percent": 70}).evaluate(given(series)).severity is Severity.HIGH
    healthy = (reporting_day("20261124", 55), reporting_day("20261125", 10))
    assert MissingReportingRule("low").evaluate(given(healthy)) is None


def test_missing_reporting_waits_for_the_grace_days():
    series = (SeriesPoint(parse_period("202610"), 80.0, reporting=30, expected=60),
              SeriesPoint(parse_period("202611"), 80.0, reporting=5, expected=60))
    # On 5 Dec with 7 days' grace, November is not over yet for reporting: October is judged.
    found = MissingReportingRule("low", {"grace_days": 7}).evaluate(given(series, today=datetime(2026, 12, 5)))
    assert found.period == "202610" and found.evidence["coverage_percent"] == 50


# --- stale -----------------------------------------------------------------------------------------------


def test_stale_data():
    series = daily([12, 13], last="20261121", stored_at=datetime(2026, 11, 21, 6, 0))
    found = StaleRule("stale", {"max_age_hours": 48}).evaluate(given(series, indicator=BIRTHS))
    # 21 Nov 06:00 to 25 Nov 08:00 is 98 hours = 4.1 days
    assert found.message == ("Births registered in Surat: newest data stored 4.1 days ago (21 Nov 2026 06:00 UTC, "
                             "latest period 21 Nov 2026), later than the promised 48 hours")
    assert found.evidence["age_hours"] == 98
    fresh = daily([12], stored_at=datetime(2026, 11, 25, 2, 0))
    assert StaleRule("stale").evaluate(given(fresh, indicator=BIRTHS)) is None


def test_stale_compares_times_across_time_zones():
    ist = timezone(timedelta(hours=5, minutes=30))
    series = daily([12], stored_at=datetime(2026, 11, 24, 13, 30, tzinfo=ist))  # 08:00 UTC
    at = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
    assert StaleRule("s", {"max_age_hours": 24}).evaluate(given(series, today=at)) is not None
    assert StaleRule("s", {"max_age_hours": 25}).evaluate(given(series, today=at)) is None


# --- suspicious ------------------------------------------------------------------------------------------


def test_the_same_figure_day_after_day():
    found = SuspiciousRule("frozen").evaluate(given(daily([7, 9] + [12] * 9), indicator=BIRTHS))
    assert found.message == ("Births registered 12 in Surat, 24 Nov 2026: the same figure (12) reported 9 days "
                             "running, since 16 Nov 2026")
    assert SuspiciousRule("frozen").evaluate(given(daily([12, 13] * 5), indicator=BIRTHS)) is None
    assert SuspiciousRule("frozen").evaluate(given(daily([0] * 10), indicator=BIRTHS)) is None


def test_a_constant_denominator_is_not_a_repeat():
    # A population-based rate: the denominator never changes, the numerator does.
    series = tuple(SeriesPoint(p.period, p.value / 5, numerator=p.value, denominator=500.0)
                   for p in daily([10.0, 11.0, 12.0, 10.0, 11.0, 12.0, 10.0, 11.0]))
    assert SuspiciousRule("frozen").evaluate(given(series)) is None


def test_month_end_rush():
    # 1-28 Nov alternate 10 and 12 (median 11); 29 and 30 Nov: 40 and 50 (average 45): (45 - 11) / 11 = 309 %
    series = daily([10, 12] * 14 + [40, 50], last="20261130")
    rule = SuspiciousRule("rush", {"check": "deadline_jump"})
    found = rule.evaluate(given(series, indicator=BIRTHS, today=datetime(2026, 11, 30, 20)))
    assert found.message == ("Births registered in Surat, Nov 2026: the last 2 days of the month average 45 a day, "
                             "309 % above the month's daily median of 11")
    assert found.period == "20261130"
    # Early December: the November rush is still what the rule reports.
    later = series + daily([11, 12, 10], last="20261203")
    assert rule.evaluate(given(later, indicator=BIRTHS)).period == "20261130"
    calm = daily([10, 12] * 14 + [11, 12], last="20261130")
    assert rule.evaluate(given(calm, indicator=BIRTHS)) is None
    assert rule.evaluate(given(monthly([10.0, 50.0]), indicator=BIRTHS)) is None  # daily series only


# --- the framework: selectors, parameters, words ------------------------------------------------------


def test_selectors_limit_where_a_rule_runs():
    series = monthly([71.2])
    village = ThresholdRule("r", where=Selector(org_unit_kinds=frozenset({"village"})))
    assert village.evaluate(given(series)) is None
    health = ThresholdRule("r", where=Selector.from_mapping({"departments": ["HEALTH"], "period_types": "Monthly"}))
    assert health.evaluate(given(series)) is not None
    assert ThresholdRule("r", where=Selector.from_mapping({"period_types": ["Daily"]})).evaluate(given(series)) is None
    assert health.where.describe() == "departments HEALTH; period types Monthly"


def test_evaluate_rules_returns_what_fires_in_order():
    rules = [ThresholdRule("red"), DeteriorationRule("worse"), StaleRule("stale")]
    found = evaluate_rules(rules, given(monthly([85.0, 80.0, 76.0, 71.2])))
    assert [c.rule for c in found] == ["red", "worse"]
    assert all(c.key == (c.rule, "INST_DELIVERY", "SURAT") for c in found)


@pytest.mark.parametrize(
    ("rule", "params", "field", "message"),
    [
        (DeteriorationRule, {"run": 3}, "run", "unknown parameter; accepted: min_denominator, compare, runs"),
        (DeteriorationRule, {"runs": "three"}, "runs", "expected a whole number, got 'three'"),
        (DeteriorationRule, {"runs": True}, "runs", "expected a whole number"),
        (DeteriorationRule, {"runs": 1}, "runs", "must be 2 or more"),
        (DeteriorationRule, {"drop_percent": 5}, "drop_percent", "does not apply when compare is 'running'"),
        (DeteriorationRule, {"compare": "weekly"}, "compare", "'weekly' is not one of 'running', 'previous'"),
        (AnomalyRule, {"severity": "urgent"}, "severity", "unknown severity 'urgent'"),
        (AnomalyRule, {"k": 3, "escalate_k": 2}, "escalate_k", "must be more than k"),
        (StaleRule, {"max_age_hours": 2, "max_age_days": 1}, "max_age_days", "not both"),
        (ThresholdRule, {"red_severity": None}, "red_severity", "cannot both be null"),
        (MissingReportingRule, {"min_coverage_percent": 120}, "min_coverage_percent", "at most 100"),
    ],
)
def test_bad_parameters_are_named(rule, params, field, message):
    with pytest.raises(FlagRuleError, match=message) as caught:
        rule("r", params)
    assert caught.value.field == field


def test_parameters_take_defaults_and_severity_names():
    rule = AnomalyRule("r", {"severity": "HIGH", "k": 4})
    assert rule.params.severity is Severity.HIGH and rule.params.k == 4.0 and rule.params.window == 12
    with pytest.raises(FlagRuleError, match="where.levels: unknown selector"):
        Selector.from_mapping({"levels": ["district"]})
    with pytest.raises(FlagRuleError, match="unknown period type 'Monthy'"):
        Selector.from_mapping({"period_types": ["Monthy"]})


def test_a_series_with_a_period_twice_or_two_period_types_is_refused():
    point = SeriesPoint(parse_period("202611"), 1.0)
    with pytest.raises(ValueError, match="has period 202611 twice"):
        given((point, point))
    with pytest.raises(ValueError, match="mixes period types"):
        given((point, SeriesPoint(parse_period("20261101"), 1.0)))


@pytest.mark.parametrize(
    ("x", "decimals", "trim", "shown"),
    [(1234567.891, 1, False, "12,34,567.9"), (999, 0, False, "999"), (-1500, 0, False, "-1,500"),
     (95.0, 1, True, "95"), (0.04, 1, False, "0.0"), (-0.04, 1, False, "0.0")],
)
def test_numbers_in_messages_use_indian_grouping(x, decimals, trim, shown):
    assert format_number(x, decimals, trim=trim) == shown


def test_values_in_messages():
    assert format_value(71.23, "%", 1) == "71.2 %"
    assert format_value(None, "%") == "no value"


def test_a_point_from_a_warehouse_row():
    row = {"indicator": "INST_DELIVERY", "org_unit": "SURAT", "period": "202611", "numerator": 712.0,
           "denominator": 1000.0, "value": 71.2, "reporting": 58, "expected": 60,
           "stored_at": datetime(2026, 11, 24, 6)}
    point = SeriesPoint.from_row(row, target=95)
    assert point == SeriesPoint(parse_period("202611"), 71.2, 712.0, 1000.0, 58, 60, datetime(2026, 11, 24, 6), 95)
