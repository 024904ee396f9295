"""The stale rule on hand-built inputs: judged on the freshness of the sources feeding the indicator (stale,
late with and without ``on_late``, missing, fresh), once on the indicator's own period type, and on the age of
the stored data when no source with a promise feeds it."""

from datetime import UTC, datetime, timedelta

import pytest

from govpulse.core.enums import Severity
from govpulse.core.flag_rules import FlagInput, FlagRuleError, IndicatorInfo, OrgUnitInfo, SeriesPoint, SourceStatus
from govpulse.core.flag_rules_data_quality import StaleRule
from govpulse.core.periods import PeriodType, parse_period

CALLS = IndicatorInfo("HLT_CALLS", "Ambulance calls", "HEALTH", decimals=0, period_type=PeriodType.DAILY)
GUJARAT = OrgUnitInfo("24", "Gujarat", "state")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 15:30 IST


def daily(figures, *, last="20261124", stored_at=None):
    end = parse_period(last)
    periods = [end.shift(i - len(figures) + 1) for i in range(len(figures))]
    return tuple(SeriesPoint(p, float(f), numerator=float(f), stored_at=stored_at) for p, f in zip(periods, figures))


def source(state, *, code="health_ambulance", name="108 ambulance daily report", late_hours=None,
           last=datetime(2026, 11, 22, 1, 30, tzinfo=UTC), promise="daily by 09:00"):
    return SourceStatus(code, name, state, promise, None if late_hours is None else timedelta(hours=late_hours),
                        last if state != "missing" else None, NOW - timedelta(hours=1), "Asia/Kolkata")


def given(*sources, series=None, indicator=CALLS):
    return FlagInput(indicator, GUJARAT, series or daily([40, 42, 41]), NOW, {}, tuple(sources))


# Delivered 22 Nov 07:00 IST; nothing for the 23rd, 24th or 25th: the 23rd's deadline (09:00 IST) passed 2 days
# and 2 1/2 hours ago.
STALE = source("stale", late_hours=50.5)


def test_a_stale_source_raises_a_flag_naming_it_its_promise_how_late_and_the_last_delivery():
    found = StaleRule("stale-daily-source", {"severity": "high"}).evaluate(given(STALE))
    assert found.message == ("Ambulance calls in Gujarat: source 108 ambulance daily report (health_ambulance) "
                             "promised daily by 09:00 and is 2.1 days late (stale); last delivery 22 Nov 2026 "
                             "07:00 IST")
    assert (found.rule, found.indicator, found.org_unit, found.period) == (
        "stale-daily-source", "HLT_CALLS", "24", "20261124")
    assert (found.severity, found.value, found.expected) == (Severity.HIGH, 41.0, None)
    lead = {"source": "health_ambulance", "source_name": "108 ambulance daily report", "state": "stale",
            "promise": "daily by 09:00", "late_by_hours": 50.5, "last_delivery_at": "2026-11-22T01:30:00+00:00",
            "due_by": "2026-11-25T09:00:00+00:00"}
    assert found.evidence == {**lead, "sources": [lead]}


def test_a_stale_source_is_judged_whatever_the_age_of_the_stored_figures():
    # The warehouse stored the figures a moment ago (a simulation, a re-load): the source's promise decides.
    fresh_rows = daily([40, 42, 41], stored_at=NOW - timedelta(minutes=5))
    assert StaleRule("s").evaluate(given(STALE, series=fresh_rows)) is not None
    assert StaleRule("s").evaluate(given(source("fresh"), series=daily([40], stored_at=NOW - timedelta(days=30)))
                                   ) is None


@pytest.mark.parametrize("on_late, fires", [(False, False), (True, True)])
def test_one_missed_delivery_fires_only_with_on_late(on_late, fires):
    late = source("late", late_hours=6.5, last=datetime(2026, 11, 24, 1, 30, tzinfo=UTC))
    found = StaleRule("s", {"on_late": on_late}).evaluate(given(late))
    assert (found is not None) is fires
    if fires:
        assert found.message.endswith("promised daily by 09:00 and is 6.5 hours late; last delivery 24 Nov 2026 "
                                      "07:00 IST")
        assert (found.evidence["state"], found.severity) == ("late", Severity.MEDIUM)


def test_a_source_that_never_delivered_fires():
    found = StaleRule("s").evaluate(given(source("missing")))
    assert found.message == ("Ambulance calls in Gujarat: source 108 ambulance daily report (health_ambulance) "
                             "promised daily by 09:00 and has never delivered")
    assert (found.evidence["state"], found.evidence["last_delivery_at"], found.evidence["late_by_hours"]) == (
        "missing", None, None)


def test_a_fresh_source_raises_nothing():
    assert StaleRule("s", {"on_late": True}).evaluate(given(source("fresh"))) is None


def test_the_most_behind_source_leads_and_the_others_are_named():
    other = source("stale", code="water_supply", name="Water supply (pushed)", late_hours=80,
                   last=datetime(2026, 11, 21, 5, 30, tzinfo=UTC), promise="daily by 12:00")
    found = StaleRule("s").evaluate(given(STALE, source("fresh", code="a_fresh_one"), other))
    assert found.message == ("Ambulance calls in Gujarat: source Water supply (pushed) (water_supply) promised "
                             "daily by 12:00 and is 3.3 days late (stale); last delivery 21 Nov 2026 11:00 IST; "
                             "also behind: 108 ambulance daily report (health_ambulance)")
    assert [s["source"] for s in found.evidence["sources"]] == ["water_supply", "health_ambulance"]


def test_sources_are_judged_on_the_indicators_own_period_type_only():
    # The monthly lane also reads a daily indicator (its months): the stopped source is one flag, not two.
    months = (SeriesPoint(parse_period("202610"), 1200.0), SeriesPoint(parse_period("202611"), 900.0))
    assert StaleRule("stale-monthly-source").evaluate(given(STALE, series=months)) is None
    monthly_indicator = IndicatorInfo("HLT_CALLS_M", "Calls a month", period_type=PeriodType.MONTHLY)
    assert StaleRule("s").evaluate(given(STALE, series=months, indicator=monthly_indicator)) is not None


def test_with_no_source_the_age_of_the_stored_data_decides():
    old = daily([40, 42], last="20261122", stored_at=datetime(2026, 11, 22, 6, 0))
    found = StaleRule("s", {"max_age_hours": 48}).evaluate(given(series=old))
    # 22 Nov 06:00 to 25 Nov 10:00 is 76 hours = 3.2 days
    assert found.message == ("Ambulance calls in Gujarat: newest data stored 3.2 days ago (22 Nov 2026 06:00 UTC, "
                             "latest period 22 Nov 2026), later than the promised 48 hours")
    assert "sources" not in found.evidence and found.evidence["age_hours"] == 76
    recent = daily([40], stored_at=NOW - timedelta(hours=3))
    assert StaleRule("s", {"max_age_hours": 48}).evaluate(given(series=recent)) is None


def test_a_source_without_a_promise_leaves_it_to_the_stored_data():
    unpromised = source("not_promised", promise="", last=datetime(2026, 11, 1, tzinfo=UTC))
    old = daily([40], last="20261101", stored_at=datetime(2026, 11, 1, 6, 0))
    found = StaleRule("s").evaluate(given(unpromised, series=old))
    assert found is not None and "newest data stored" in found.message
    assert StaleRule("s").evaluate(given(unpromised, series=daily([40], stored_at=NOW))) is None


def test_on_late_takes_true_or_false_only():
    with pytest.raises(FlagRuleError, match="expected true or false") as caught:
        StaleRule("s", {"on_late": "yes"})
    assert caught.value.field == "on_late"
    assert "missed a delivery" in StaleRule("s", {"on_late": True}).describe()
    assert "missed two deliveries running" in StaleRule("s").describe()
