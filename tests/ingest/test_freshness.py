"""Freshness of sources against their promises: parsing promises, and fresh / late / stale / missing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govpulse.catalog.models import Batch
from govpulse.core.scope import Scope
from govpulse.ingest.freshness import FreshnessState, assess, parse_promise, source_freshness
from govpulse.ingest.sources import parse_definition, register_source
from tests.ingest.ingest_world import seed_catalog

IST = ZoneInfo("Asia/Kolkata")


def ist(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=IST)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """The IST moment in UTC, as the catalogue must be given times (SQLite keeps no zone)."""
    return ist(day, hour, minute).astimezone(UTC)


@pytest.mark.parametrize("text, frequency, day, at", [
    ("daily by 09:00", "daily", 0, time(9, 0)),
    ("Daily", "daily", 0, time(23, 59, 59, 999999)),
    ("weekly by Monday 12:00", "weekly", 0, time(12, 0)),
    ("weekly by fri", "weekly", 4, time(23, 59, 59, 999999)),
    ("monthly by day 5", "monthly", 5, time(23, 59, 59, 999999)),
    ("monthly by the 10th 18:30", "monthly", 10, time(18, 30)),
    ("quarterly by day 15", "quarterly", 15, time(23, 59, 59, 999999)),
])
def test_promises_people_write(text, frequency, day, at):
    promise = parse_promise(text)
    assert (promise.frequency, promise.day, promise.at) == (frequency, day, at)


@pytest.mark.parametrize("text, message", [
    ("every day", "is not understood; write it like 'daily by 09:00'"),
    ("daily by 25:00", "25:00 is not a time of day"),
    ("daily by day 5", "a daily promise takes a time only"),
    ("weekly by day 2", "a weekly promise names a weekday"),
    ("monthly by Monday", "a monthly promise names a day from 1 to 31"),
    ("monthly by day 32", "a monthly promise names a day from 1 to 31"),
])
def test_promises_that_make_no_sense_say_why(text, message):
    with pytest.raises(ValueError, match=message):
        parse_promise(text)


DAILY = parse_promise("daily by 09:00")


@pytest.mark.parametrize("delivered, now, state, late_hours", [
    (ist(26, 8), ist(26, 8, 30), FreshnessState.FRESH, None),  # today's is in, before the deadline
    (ist(25, 8), ist(26, 8, 30), FreshnessState.FRESH, None),  # yesterday's in; today's not yet due
    (ist(25, 8), ist(26, 9, 30), FreshnessState.LATE, 0.5),  # today's was due at 09:00
    (ist(25, 23), ist(26, 10), FreshnessState.LATE, 1.0),  # a delivery late last night is yesterday's
    (ist(24, 8), ist(26, 8), FreshnessState.LATE, 23.0),  # yesterday's missed; today's not yet due
    (ist(23, 8), ist(26, 10), FreshnessState.STALE, 49.0),  # nothing for 24th, 25th and 26th
    (None, ist(26, 10), FreshnessState.MISSING, None),
])
def test_daily_states(delivered, now, state, late_hours):
    result = assess(DAILY, delivered, now, source="s")
    assert result.state is state
    assert (None if result.late_by is None else result.late_by.total_seconds() / 3600) == late_hours
    assert result.due_by is not None and result.next_due_by - result.due_by == timedelta(days=1)


def test_monthly_by_day_5():
    promise = parse_promise("monthly by day 5")
    assert assess(promise, ist(3, 10), ist(20, 10)).state is FreshnessState.FRESH
    assert assess(promise, ist(28, 10, month=10), ist(4, 10)).state is FreshnessState.FRESH  # not due until the 5th
    late = assess(promise, ist(28, 10, month=10), ist(6, 1))
    assert late.state is FreshnessState.LATE and late.late_by == timedelta(hours=1, microseconds=1)
    assert assess(promise, ist(28, 10, month=9), ist(6, 1)).state is FreshnessState.STALE
    # the deadline of a short month is its last day
    assert parse_promise("monthly by day 31").deadline(ist(1, 0, month=2).replace(year=2026)).day == 28


def test_weekly_and_no_promise():
    promise = parse_promise("weekly by Monday 12:00")  # 23 Nov 2026 is a Monday
    assert assess(promise, ist(23, 11), ist(27, 10)).state is FreshnessState.FRESH
    assert assess(promise, ist(20, 11), ist(23, 13)).state is FreshnessState.LATE
    assert assess(None, ist(1, 0), ist(26, 0)).state is FreshnessState.NOT_PROMISED
    assert assess(None, None, ist(26, 0)).state is FreshnessState.MISSING


@settings(max_examples=60, deadline=None)
@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)),
       st.sampled_from(["daily by 09:00", "weekly by Wed 18:00", "monthly by day 5", "quarterly by day 15 10:00"]))
def test_a_delivery_right_now_is_always_fresh_and_never_fresh_after_two_missed_deadlines(moment, text):
    promise = parse_promise(text)
    now = moment.replace(tzinfo=UTC)
    assert assess(promise, now, now).state is FreshnessState.FRESH
    result = assess(promise, now, now)
    later = result.next_due_by + (result.next_due_by - result.due_by) * 2 + timedelta(days=120)
    assert assess(promise, now, later).state is FreshnessState.STALE


def test_freshness_of_registered_sources_follows_their_batches(session):
    seed_catalog(session)
    mapping = {"org_unit": "ou", "period": "pe", "values": {"v": "births"}}
    daily, _ = register_source(session, parse_definition(
        {"code": "daily", "name": "Daily", "freshness": "daily by 09:00", "mapping": mapping}))
    register_source(session, parse_definition({"code": "never", "name": "Never", "mapping": mapping,
                                               "freshness": "monthly by day 5"}))
    session.add_all([
        Batch(key="daily-1", source_id=daily.id, trigger="push", status="succeeded", rows_read=3,
              started_at=utc(25, 7), finished_at=utc(25, 7, 5)),
        Batch(key="daily-2", source_id=daily.id, trigger="push", status="failed", rows_read=3,
              started_at=utc(26, 7), finished_at=utc(26, 7, 5)),  # failed: not a delivery
        Batch(key="daily-3", source_id=daily.id, trigger="push", status="succeeded", rows_read=0,
              started_at=utc(26, 8), finished_at=utc(26, 8, 1)),  # nothing read: not a delivery
    ])
    session.commit()
    found = {f.source: f for f in source_freshness(session, ist(26, 10), Scope.system())}
    assert found["daily"].state is FreshnessState.LATE
    assert found["daily"].last_delivery_at == ist(25, 7, 5).astimezone(UTC)
    assert found["never"].state is FreshnessState.MISSING
    assert found["daily"].as_dict()["late_by_hours"] == 1.0
