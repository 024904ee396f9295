"""The flag engine on the small world of tests/analytics/perf_world.py: a flag is raised once, kept open while it
holds and resolved when the data recovers; what the default rules raise there (and what they leave to a unit
above or below); the look-back over past days; flags and runs as stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from govpulse.analytics.flag_engine import EngineOptions, run_flag_engine
from govpulse.analytics.flag_rule_config import parse_flag_rules
from govpulse.catalog.models import AuditEntry, Flag, FlagRun
from tests.analytics.perf_world import TODAY, open_world, opened_world

DISTRICT_RED = parse_flag_rules({"rules": [{
    "name": "off-target", "kind": "threshold",
    "where": {"org_unit_kinds": ["district"], "period_types": ["Monthly"]},
}]})


@pytest.fixture
def world(tmp_path):
    with opened_world(tmp_path) as stores:
        yield stores


def _run(world, rules=None, *, hour: int = 6, today=TODAY):
    now = datetime(today.year, today.month, today.day, hour, tzinfo=UTC)
    summary = run_flag_engine(world.session, world.warehouse, today=today, rules=rules,
                              options=EngineOptions(now=now))
    world.session.commit()
    return summary


def _flags(world, **where):
    stmt = select(Flag).filter_by(**where).order_by(Flag.rule, Flag.indicator, Flag.org_unit)
    return list(world.session.scalars(stmt))


def test_raised_once_kept_open_then_resolved_when_the_data_recovers(world):
    first = _run(world, DISTRICT_RED, hour=6)
    # October, districts: Kachchh 51 % (red against its target 80) and 12 deaths (red above 10). Surat is amber on
    # both (82.1 % against 92; 6 deaths), Dang has no data.
    assert (first.raised, first.kept_open, first.resolved) == (2, 0, 0)
    deaths, inst = _flags(world)  # by indicator code
    assert (inst.indicator, inst.org_unit, inst.org_unit_path, inst.department, inst.kind) == (
        "HLT_INST", "449", "/24/449/", "HEALTH", "threshold")
    assert (inst.period, inst.severity, inst.status) == ("202610", "high", "open")
    assert (inst.value, inst.expected) == (51.0, 68.0)  # the amber limit: 85 % of 80
    assert inst.message == ("Institutional deliveries 51.0 % in Kachchh, Oct 2026: below the amber band "
                            "(85 % of target 80 %)")
    assert (deaths.indicator, deaths.value, deaths.expected, deaths.times_seen) == ("HLT_DEATHS", 12, 10, 1)

    second = _run(world, DISTRICT_RED, hour=7)  # nothing changed: the same flags stay open, none is added
    assert (second.raised, second.kept_open, second.resolved, second.open_total) == (0, 2, 0, 2)
    assert [(f.id, f.times_seen, f.status) for f in _flags(world)] == [(deaths.id, 2, "open"), (inst.id, 2, "open")]
    assert _flags(world)[0].first_seen.hour == 6 and _flags(world)[0].last_seen.hour == 7

    world.write("corrected", [("inst", "515001", "202610", 95)])  # Kachchh: 95/100, green against 80
    third = _run(world, DISTRICT_RED, hour=8)
    assert (third.raised, third.kept_open, third.resolved) == (0, 1, 1)
    recovered = world.session.get(Flag, inst.id)
    assert (recovered.status, recovered.resolved_at.hour, recovered.value) == ("resolved", 8, 51.0)
    assert world.session.get(Flag, deaths.id).status == "open"
    runs = list(world.session.scalars(select(FlagRun).order_by(FlagRun.started_at)))
    assert [(r.raised, r.kept_open, r.resolved) for r in runs] == [(2, 0, 0), (0, 2, 0), (0, 1, 1)]
    audited = world.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "flag"))
    assert audited == 2 + 0 + 1  # created twice; seen again (last_seen, times_seen) is no news; one resolved


def test_flags_of_rules_not_run_stay_as_they_are(world):
    now = datetime(2026, 11, 1, tzinfo=UTC)
    world.session.add(Flag(rule="retired-rule", kind="threshold", indicator="HLT_INST", org_unit="459",
                           org_unit_path="/24/459/", department="HEALTH", period="202609", severity="low",
                           first_seen=now, last_seen=now))
    world.session.commit()
    _run(world, DISTRICT_RED)
    assert _flags(world, rule="retired-rule")[0].status == "open"


def test_default_rules_raise_where_someone_answers_for_it(world):
    summary = _run(world)
    found = {(f.rule, f.indicator, f.org_unit): f for f in _flags(world)}
    assert set(found) == {
        # The state is red on both (69.2 % < 78.2; 18 deaths > 10): its flags cover Kachchh's, which are red too.
        ("off-target-district", "HLT_INST", "24"), ("off-target-district", "HLT_DEATHS", "24"),
        # Deaths rose 5 -> 18 in the state (covering Surat 3 -> 6 and Kachchh 2 -> 12); Kachchh's rate fell
        # 90 -> 51 (43 %), where the state's fell only 21 %.
        ("sharp-drop-month-on-month", "HLT_DEATHS", "24"), ("sharp-drop-month-on-month", "HLT_INST", "449"),
        # Bhuj's calls stopped on 20 Oct: nothing came from Kachchh yesterday (9 Nov); the district's flag covers
        # its silent taluka. Olpad never sends calls: Surat has 1 of its 2 talukas, yesterday and in October.
        # Both explain the state's 1 of 3 (yesterday) and 2 of 3 (October), which raise nothing themselves.
        ("low-reporting-daily", "HLT_CALLS", "449"), ("low-reporting-daily", "HLT_CALLS", "459"),
        ("low-reporting-monthly", "HLT_CALLS", "459"),
        # Dang has never reported: it is not judged itself (no row, no history), but the state had 4 of its 5
        # villages for deliveries and deaths (one flag for the department) and 3 of 4 talukas for roads.
        ("low-reporting-monthly", "HLT_INST", "24"), ("low-reporting-monthly", "RD_KM", "24"),
    }
    silent = found[("low-reporting-daily", "HLT_CALLS", "449")]
    assert (silent.period, silent.severity, silent.evidence["coverage_percent"]) == ("20261109", "high", 0)
    assert found[("low-reporting-daily", "HLT_CALLS", "459")].severity == "medium"  # 50 % is not below 50 %
    state = found[("low-reporting-monthly", "HLT_INST", "24")]
    assert (state.evidence["reporting"], state.evidence["expected"]) == (4, 5)
    assert state.evidence["indicators"] == ["HLT_INST", "HLT_DEATHS"]
    assert summary.open_by_kind == {"missing_reporting": 5, "threshold": 2, "deterioration": 2}
    assert summary.raised_by_rule == {"low-reporting-monthly": 3, "off-target-district": 2,
                                      "sharp-drop-month-on-month": 2, "low-reporting-daily": 2}


def test_a_silent_village_is_one_flag_per_department(world):
    world.write("ahwa-september", [("inst", "514001", "202609", 9), ("total", "514001", "202609", 10),
                                   ("deaths", "514001", "202609", 0)])
    _run(world)
    # Dang's only village reported for September and then nothing: nothing came from Dang at all, so the one
    # flag is the district's, for both of the department's indicators it feeds.
    [flag] = _flags(world, rule="low-reporting-monthly", org_unit="444")
    assert (flag.indicator, flag.department, flag.severity) == ("HLT_INST", "HEALTH", "high")
    assert flag.evidence["indicators"] == ["HLT_INST", "HLT_DEATHS"]
    assert flag.message.endswith("; 1 more indicator of the department affected")
    assert _flags(world, rule="village-stopped-reporting") == []  # covered by the silent district
    assert _flags(world, rule="low-reporting-monthly", org_unit="3600") == []  # and so is its taluka
    assert _flags(world, rule="low-reporting-monthly", org_unit="24", indicator="HLT_INST") == []  # explained


def test_a_typing_error_of_days_ago_is_found_and_resolves_when_corrected(world):
    world.write("typo", [("calls", "3900", "20261101", 100)])  # Choryasi: 100 calls instead of 10 on 1 Nov
    _run(world)
    [flag] = _flags(world, rule="unusual-day")
    # Found on its day, eight days before the newest; the same spike in Surat's and the state's totals is
    # left to Choryasi, where it was typed. z = (100 - 10) / 3 (the floor) = 30 > 10: one step more severe.
    assert (flag.org_unit, flag.period, flag.value, flag.expected, flag.severity) == (
        "3900", "20261101", 100, 10, "high")
    world.write("fixed", [("calls", "3900", "20261101", 10)])
    summary = _run(world, hour=9)
    assert world.session.get(Flag, flag.id).status == "resolved" and summary.resolved >= 1


def test_a_run_on_the_same_day_finds_the_same_flags(world):
    first = _run(world, hour=6)
    again = _run(world, hour=7)
    assert (again.raised, again.resolved, again.kept_open) == (0, 0, first.raised)


def test_evaluation_uses_the_day_given(world):
    # As of 1 Oct the newest complete month is September: Kachchh was at 90 %, above its bands, so no flag.
    summary = _run(world, DISTRICT_RED, today=TODAY - timedelta(days=40))
    assert summary.raised == 0 and summary.today.isoformat() == "2026-10-01"


def test_a_dismissed_flag_is_not_raised_again_while_it_holds(world):
    _run(world, DISTRICT_RED, hour=6)
    deaths = _flags(world, indicator="HLT_DEATHS")[0]
    deaths.status = "dismissed"
    world.session.commit()
    again = _run(world, DISTRICT_RED, hour=7)
    assert again.raised == 0 and [f.status for f in _flags(world, indicator="HLT_DEATHS")] == ["dismissed"]
    world.write("fewer-deaths", [("deaths", "515001", "202610", 4)])  # Kachchh: 4 deaths, green
    _run(world, DISTRICT_RED, hour=8)
    assert [f.status for f in _flags(world, indicator="HLT_DEATHS")] == ["resolved"]


def test_stored_and_listed_most_urgent_first_on_both_stores(catalog_url, tmp_path):
    """SQLite and PostgreSQL: evidence as JSON, times with their zone, severity ordered by urgency, not name."""
    from govpulse.analytics.flags import FlagFilter, list_flags
    from govpulse.catalog.repositories.paging import PageRequest
    from govpulse.core.scope import Scope

    stores, engine = open_world(tmp_path, catalog_url)
    try:
        _run(stores)
        page = list_flags(stores.session, Scope.system(), FlagFilter(status="open", since=TODAY), PageRequest(1, 3))
        assert page.total == 9
        assert [f.severity.code for f in page.items] == ["high", "high", "high"]
        medium = list_flags(stores.session, Scope.system(), FlagFilter(severity=("medium",)), PageRequest(1, 50))
        assert {f.rule for f in medium.items} == {"low-reporting-daily", "low-reporting-monthly"}
        kachchh = list_flags(stores.session, Scope.system(), FlagFilter(org_unit="449", min_severity="high"),
                             PageRequest(1, 50))
        # Both high and seen in the same run: the later stored comes first (id, descending).
        assert [(f.rule, f.evidence.get("coverage_percent")) for f in kachchh.items] == [
            ("low-reporting-daily", 0.0), ("sharp-drop-month-on-month", None)]
    finally:
        stores.session.close()
        stores.warehouse.close()
        engine.dispose()
