"""The stale rule in the flag engine, on the small world of tests/analytics/perf_world.py with a registered source
and its batches in the catalogue: a source that missed its deliveries raises one flag at state level on the
indicator it feeds, the flag resolves when the source delivers again, and a past day is judged on what had been
delivered by then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from govpulse.analytics.flag_engine import EngineOptions, run_flag_engine
from govpulse.analytics.indicator_catalogue import load_indicators
from govpulse.analytics.indicator_sources import delivered_elements, indicator_sources
from govpulse.catalog.models import Batch, Department, Flag, Indicator, Source
from govpulse.core.scope import Scope
from govpulse.ingest.sources import parse_definition, register_source
from tests.analytics.perf_world import TODAY, opened_world

# 10 Nov 2026, 11:30 IST: the day's 09:00 deadline has passed.
NOW = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)
AMBULANCE = {
    "code": "health_ambulance", "name": "108 ambulance daily report", "department": "HEALTH",
    "freshness": "daily by 09:00",
    "mapping": {"org_unit": "taluka", "period": {"date_column": "date"}, "values": {"Calls": "calls"}},
}


@pytest.fixture
def world(tmp_path):
    with opened_world(tmp_path) as stores:
        yield stores


def _register(world, definition=AMBULANCE) -> Source:
    source, _created = register_source(world.session, parse_definition(definition))
    world.session.commit()
    return source


def _delivered(world, source: Source, finished_at: datetime, key: str) -> None:
    world.session.add(Batch(key=key, source_id=source.id, trigger="push", status="succeeded", rows_read=3,
                            rows_accepted=3, started_at=finished_at - timedelta(minutes=2), finished_at=finished_at))
    world.session.commit()


def _run(world, now=NOW, today=TODAY):
    summary = run_flag_engine(world.session, world.warehouse, today=today, options=EngineOptions(now=now))
    world.session.commit()
    return summary


def _stale(world):
    return list(world.session.scalars(select(Flag).where(Flag.kind == "stale").order_by(Flag.id)))


def test_a_source_three_days_behind_raises_one_flag_that_resolves_when_it_delivers(world):
    source = _register(world)
    _delivered(world, source, datetime(2026, 11, 7, 1, 30, tzinfo=UTC), "ambulance-7-nov")  # 07:00 IST, 7 Nov
    first = _run(world)
    [flag] = _stale(world)
    # Nothing for 8, 9 and 10 Nov: the 8th's deadline passed 2 days 2 1/2 hours ago. The daily indicator is
    # judged on its days at state level only; its months (the monthly lane) are not judged again.
    assert (flag.rule, flag.indicator, flag.org_unit, flag.department) == (
        "stale-daily-source", "HLT_CALLS", "24", "HEALTH")
    assert (flag.severity, flag.status, flag.period) == ("high", "open", "20261109")
    assert flag.message == ("Ambulance calls in Gujarat: source 108 ambulance daily report (health_ambulance) "
                            "promised daily by 09:00 and is 2.1 days late (stale); last delivery 07 Nov 2026 "
                            "07:00 IST")
    assert (flag.evidence["source"], flag.evidence["state"], flag.evidence["late_by_hours"]) == (
        "health_ambulance", "stale", 50.5)
    assert flag.evidence["last_delivery_at"] == "2026-11-07T01:30:00+00:00"
    assert first.raised_by_rule["stale-daily-source"] == 1

    again = _run(world, now=NOW + timedelta(minutes=30))  # still nothing: kept open, not raised twice
    assert "stale-daily-source" not in again.raised_by_rule
    assert [(f.id, f.status, f.times_seen) for f in _stale(world)] == [(flag.id, "open", 2)]

    _delivered(world, source, datetime(2026, 11, 10, 6, 40, tzinfo=UTC), "ambulance-10-nov")  # 12:10 IST
    recovered = _run(world, now=NOW + timedelta(hours=1))
    assert [(f.id, f.status) for f in _stale(world)] == [(flag.id, "resolved")]
    assert recovered.resolved >= 1


def test_one_missed_delivery_is_not_stale_with_the_default_rules(world):
    source = _register(world)
    _delivered(world, source, datetime(2026, 11, 9, 1, 30, tzinfo=UTC), "ambulance-9-nov")  # today's not in yet
    _run(world)
    assert _stale(world) == []


def test_a_past_day_is_judged_on_what_had_been_delivered_by_then(world):
    source = _register(world)
    _delivered(world, source, datetime(2026, 11, 5, 1, 30, tzinfo=UTC), "ambulance-5-nov")
    _delivered(world, source, datetime(2026, 11, 10, 1, 30, tzinfo=UTC), "ambulance-10-nov")
    _run(world)  # as of today the source is fresh
    assert _stale(world) == []
    _run(world, now=NOW + timedelta(minutes=1), today=TODAY - timedelta(days=1))  # end of 9 Nov: only the 5th
    [flag] = _stale(world)
    assert flag.evidence["last_delivery_at"] == "2026-11-05T01:30:00+00:00"
    assert flag.message.endswith("is 3.9 days late (stale); last delivery 05 Nov 2026 07:00 IST")


def test_one_flag_per_department_and_stopped_sources(world):
    health = world.session.scalar(select(Department).where(Department.code == "HEALTH"))
    world.session.add(Indicator(code="HLT_CALLS_X2", name="Calls doubled", department_id=health.id,
                                numerator="#{calls} * 2", denominator="1", decimals=0, polarity="higher"))
    world.session.commit()
    ambulance = _register(world)
    spare = _register(world, {**AMBULANCE, "code": "ambulance_backup", "name": "Backup ambulance feed",
                              "mapping": {**AMBULANCE["mapping"], "values": {"Calls": "calls", "X": "inst"}}})
    _delivered(world, ambulance, datetime(2026, 11, 7, 1, 30, tzinfo=UTC), "a-7-nov")
    _delivered(world, spare, datetime(2026, 11, 1, 1, 30, tzinfo=UTC), "b-1-nov")
    _run(world)
    flags = sorted(_stale(world), key=lambda f: (f.rule, f.indicator))
    # Both daily indicators are fed by both sources: one flag for the department, naming the most behind first.
    # The backup also delivers deliveries (inst): the monthly indicator behind it is flagged by the monthly rule.
    assert [(f.rule, f.indicator, f.severity) for f in flags] == [
        ("stale-daily-source", "HLT_CALLS", "high"), ("stale-monthly-source", "HLT_INST", "medium")]
    daily, monthly = flags
    assert daily.evidence["indicators"] == ["HLT_CALLS", "HLT_CALLS_X2"]
    assert [s["source"] for s in daily.evidence["sources"]] == ["ambulance_backup", "health_ambulance"]
    assert daily.message == ("Ambulance calls in Gujarat: source Backup ambulance feed (ambulance_backup) promised "
                             "daily by 09:00 and is 8.1 days late (stale); last delivery 01 Nov 2026 07:00 IST; "
                             "also behind: 108 ambulance daily report (health_ambulance); 1 more indicator of the "
                             "department affected")
    assert [s["source"] for s in monthly.evidence["sources"]] == ["ambulance_backup"]


def test_which_sources_feed_which_indicators(world):
    _register(world)
    _register(world, {"code": "births_long", "name": "Births (long format)", "freshness": "monthly by day 5",
                      "mapping": {"org_unit": "village", "period": "month", "data_element":
                                  {"column": "metric", "codes": {"INST": "inst"}}, "value": "value"}})
    _register(world, {"code": "anything", "name": "Codes from the rows", "freshness": "daily",
                      "mapping": {"org_unit": "ou", "period": "pe", "data_element": "de", "value": "v"}})
    _register(world, {**AMBULANCE, "code": "switched_off", "enabled": False})
    indicators = load_indicators(world.session, Scope.system())
    fed = indicator_sources(world.session, indicators, NOW)
    assert {code: [s.code for s in statuses] for code, statuses in fed.items()} == {
        "HLT_CALLS": ["health_ambulance"], "HLT_INST": ["births_long"]}
    assert [(s.state, s.promise, s.timezone) for s in fed["HLT_INST"]] == [
        ("missing", "monthly by day 5", "Asia/Kolkata")]
    assert delivered_elements({"org_unit": "ou", "period": "pe", "data_element": "de", "value": "v"}) == frozenset()
    assert delivered_elements({"broken": True}) == frozenset()
