"""The warehouse read cache behind the overview and the scorecard: the same rows and staleness as reading each
indicator on its own, for every kind of reader; nothing kept survives a write, a rollup or another day; and
warming fills it for the state and its districts. World and numbers: tests/analytics/perf_world.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from govpulse.analytics.evaluate import read_evaluated, read_values, stale_cells
from govpulse.analytics.indicator_catalogue import evaluation_period, load_indicators
from govpulse.analytics.read_cache import ReadCache, cache_for
from govpulse.analytics.scorecard import department_summaries, scorecard
from govpulse.analytics.values import parse_periods
from govpulse.analytics.warming import warm_department_summaries
from govpulse.catalog.models import OrgUnit
from govpulse.core.access import AssignmentFacts, Placement, build_scope
from govpulse.core.scope import Grant, Scope
from tests.analytics.perf_world import TODAY, open_world, opened_world

SYSTEM = Scope.system()
READERS = {
    "cmo": build_scope([AssignmentFacts("cmo", Placement("24", "/24/", "state"))]),
    "collector of Surat": build_scope([AssignmentFacts("collector", Placement("459", "/24/459/", "district"))]),
    # Health everywhere, every department in Kachchh only: the grants are not a rectangle
    "secretary of Health, collector of Kachchh": Scope.from_grants(
        [Grant(departments=frozenset({"HEALTH"}), reason="secretary"), Grant(path="/24/449/", reason="collector")]),
}
AREAS = {"the state and its districts": ("24", "444", "449", "459"), "Surat and its talukas": ("459", "3900", "3901",
                                                                                                "802")}


@pytest.fixture
def world(tmp_path):
    with opened_world(tmp_path) as stores:
        yield stores


def _paths(world, codes):
    return {u.code: u.path for u in world.session.query(OrgUnit).filter(OrgUnit.code.in_(codes))}


def _cells(world, period="202610", today=TODAY):
    [asked] = parse_periods([period])
    return [(i, evaluation_period(asked, i.natural_type, today)) for i in load_indicators(world.session, SYSTEM)]


def _one_by_one(world, scope, cells, codes, today):
    """The reference: every indicator read from the warehouse on its own, nothing kept."""
    rows, stale = {}, set()
    for indicator, period in cells:
        rows.update(read_values(world.warehouse, scope, [(indicator, (period, period.previous()))],
                                org_units=list(codes)))
        stale |= stale_cells(world.warehouse, scope, [(indicator, period)], list(codes), today)
    return rows, stale


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("area", AREAS)
def test_kept_reads_answer_as_reading_each_indicator_on_its_own(world, reader, area):
    scope, codes = READERS[reader], AREAS[area]
    cells = _cells(world)
    want_rows, want_stale = _one_by_one(world, scope, cells, codes, TODAY)
    paths = _paths(world, codes)
    # First for the system (fills the cache with what every reader may be shown), then for the reader twice.
    read_evaluated(world.warehouse, SYSTEM, cells, list(codes), TODAY, paths=paths)
    for _ in range(2):
        rows, stale = read_evaluated(world.warehouse, scope, cells, list(codes), TODAY, paths=paths)
        asked = {(code, unit, pid) for (code, unit, pid) in rows
                 if any(i.code == code and pid in (p.id, p.previous().id) for i, p in cells)}
        assert {key: rows[key] for key in asked} == want_rows
        assert stale == want_stale
    assert want_rows  # the comparison is about something: HLT_INST is a ratio, read at every unit
    assert any(key[0] == "HLT_INST" and key[1] != "24" for key in want_rows)


def test_a_collector_gets_no_row_outside_the_district_even_when_the_cmo_filled_the_cache(world):
    codes = AREAS["the state and its districts"]
    cells, paths = _cells(world), _paths(world, codes)
    everything, _ = read_evaluated(world.warehouse, SYSTEM, cells, list(codes), TODAY, paths=paths)
    assert {unit for _, unit, _ in everything} == {"24", "449", "459"}  # Dang reports nothing
    surat, _ = read_evaluated(world.warehouse, READERS["collector of Surat"], cells, list(codes), TODAY, paths=paths)
    assert {unit for _, unit, _ in surat} == {"459"}
    mixed, _ = read_evaluated(world.warehouse, READERS["secretary of Health, collector of Kachchh"], cells,
                              list(codes), TODAY, paths=paths)
    assert {(code[:3], unit) for code, unit, _ in mixed} == {("HLT", "24"), ("HLT", "449"), ("HLT", "459"),
                                                            ("RD_", "449")}


@pytest.mark.parametrize("reader", READERS)
def test_summaries_and_scorecards_are_the_same_cold_and_kept(world, reader, tmp_path):
    scope = READERS[reader]
    unit = "459" if reader == "collector of Surat" else "24"
    first = department_summaries(world.session, world.warehouse, scope, org_unit=unit, period="202610", today=TODAY)
    card = scorecard(world.session, world.warehouse, scope, org_unit=unit, period="202610", today=TODAY)
    assert len(cache_for(world.warehouse)) > 0
    again = department_summaries(world.session, world.warehouse, scope, org_unit=unit, period="202610", today=TODAY)
    assert again == first and first
    assert scorecard(world.session, world.warehouse, scope, org_unit=unit, period="202610", today=TODAY) == card
    # and the same again from a second warehouse object on another store of the same data (nothing kept there)
    other, engine = open_world(tmp_path / "other")
    try:
        fresh = department_summaries(other.session, other.warehouse, scope, org_unit=unit, period="202610",
                                     today=TODAY)
        assert [s.model_dump() for s in fresh] == [s.model_dump() for s in first]
    finally:
        other.session.close()
        other.warehouse.close()
        engine.dispose()


def _health(world, scope=SYSTEM, unit="24", today=TODAY):
    summaries = department_summaries(world.session, world.warehouse, scope, org_unit=unit, period="202610",
                                     today=today)
    return next(s for s in summaries if s.department.code == "HEALTH")


def _inst_cell(world, unit="459"):
    card = scorecard(world.session, world.warehouse, SYSTEM, org_unit="24", period="202610", department="HEALTH",
                     today=TODAY)
    row = next(r for r in card.rows if r.indicator.code == "HLT_INST")
    return row.parent if unit == "24" else next(c for c in row.cells if c.org_unit == unit)


def test_a_write_shows_at_once_before_any_rollup(world):
    assert _inst_cell(world).value == 82.1  # Surat Oct 115/140, now kept
    assert _health(world).score == 51.5
    # A correction of a monthly value: the month is the element's own period, read from leaf values at once.
    world.warehouse.write("fix", _table([("inst", "525001", "202610", 10)]))
    assert _inst_cell(world).value == 57.1  # 80/140
    assert _inst_cell(world, "24").value == 54.6  # 131/240
    assert _health(world).score != 51.5


def test_a_rollup_shows_at_once(world):
    # Bhuj's calls stopped on 20 Oct: kept as stale as of 10 Nov, and the month's total kept
    health = _health(world, unit="449")
    assert health.counts.stale == 1
    before = _calls_cell(world)
    assert before.stale and before.value == 100  # 20 days x 5
    days = [(date(2026, 10, 21) + timedelta(n)).strftime("%Y%m%d") for n in range(21)]  # to 10 Nov
    world.write("late calls", [("calls", "3700", day, 5) for day in days])  # write, then rollup
    after = _calls_cell(world)
    assert (after.value, after.stale) == (155, False)  # October now has 31 days of 5
    assert _health(world, unit="449").counts.stale == 0


def _calls_cell(world):
    card = scorecard(world.session, world.warehouse, SYSTEM, org_unit="24", period="202610", department="HEALTH",
                     today=TODAY)
    row = next(r for r in card.rows if r.indicator.code == "HLT_CALLS")
    return next(c for c in row.cells if c.org_unit == "449")


def test_another_day_judges_staleness_anew(world):
    # As of 21 Oct Bhuj's calls (to 20 Oct) were fresh; nothing changed since, yet on 10 Nov they are stale.
    early = date(2026, 10, 21)
    assert _health(world, unit="449", today=early).counts.stale == 0
    assert _health(world, unit="449", today=TODAY).counts.stale == 1


def test_a_changed_target_shows_at_once(world):
    from govpulse.catalog.models import Indicator, Target

    assert _health(world).score == 51.5
    inst = world.session.query(Indicator).filter_by(code="HLT_INST").one()
    target = world.session.query(Target).filter_by(indicator_id=inst.id, period="202610").one()
    target.value = 70  # 69.2 against 70 now
    world.session.flush()
    assert _health(world).themes["Maternal"] == 98.9


def test_warming_fills_the_overviews_of_the_state_and_its_districts(world):
    warmed = warm_department_summaries(world.session, world.warehouse, today=TODAY, period="202610")
    assert (warmed.period, warmed.org_units, warmed.indicators) == ("202610", 4, 4)  # state + 3 districts
    kept = len(cache_for(world.warehouse))
    assert kept == warmed.kept > 0
    surat = department_summaries(world.session, world.warehouse, READERS["collector of Surat"], org_unit="459",
                                 period="202610", today=TODAY)
    state = department_summaries(world.session, world.warehouse, SYSTEM, org_unit="24", period="202610", today=TODAY)
    scorecard(world.session, world.warehouse, SYSTEM, org_unit="24", period="202610", today=TODAY)
    assert len(cache_for(world.warehouse)) == kept  # nothing had to be read: nothing new kept
    assert [s.department.code for s in surat] == ["HEALTH", "ROADS"] and state[0].score == 51.5
    world.write("more", [("road_km", "3900", "202610", 9)])
    assert len(cache_for(world.warehouse)) == kept  # dropped at the next look-up, not before
    assert department_summaries(world.session, world.warehouse, SYSTEM, org_unit="24", period="202610",
                                today=TODAY)[1].counts.green == 1
    assert len(cache_for(world.warehouse)) < kept  # only what that overview read


def test_warming_names_an_unknown_org_unit(world):
    from govpulse.analytics.values import NotFound

    with pytest.raises(NotFound, match="'999'"):
        warm_department_summaries(world.session, world.warehouse, today=TODAY, org_units=["24", "999"])


def test_the_cache_holds_one_version_and_drops_what_a_late_reader_brings():
    cache = ReadCache(max_entries=5)
    key = ("X", "#{a}", "1", 1.0, 1, ())
    pairs = [("24", "202610"), ("459", "202610"), ("449", "202610")]
    assert cache.answers("v1", key, pairs) == {}
    cache.put("v1", key, {("24", "202610"): {"value": 1.0}, ("459", "202610"): None})
    # a kept None (no row) is an answer; 449 was never read, so it has none
    assert cache.answers("v1", key, pairs) == {("24", "202610"): {"value": 1.0}, ("459", "202610"): None}
    assert cache.answers("v2", key, pairs) == {}  # a new version drops everything older
    cache.put("v1", key, {("24", "202610"): {"value": 1.0}})  # read under v1, arriving after v2: not kept
    assert cache.answers("v2", key, pairs) == {} and len(cache) == 0
    cache.put("v2", key, {("24", "202610"): {"value": 2.0}})
    # a reader still holding v1 gets nothing kept, and does not make the cache drop what v2 keeps
    assert cache.answers("v1", key, pairs) == {}
    assert cache.answers("v2", key, pairs) == {("24", "202610"): {"value": 2.0}}
    cache.clear()
    cache.put("v2", key, {(str(n), "202610"): None for n in range(4)})
    cache.put("v2", key, {(str(n), "202611"): None for n in range(4)})  # past the bound: the oldest go first
    assert len(cache) == 4 and cache.answers("v2", key, [("0", "202610"), ("0", "202611")]) == {("0", "202611"): None}
    other = ("Y", "#{b}", "1", 1.0, 1, ())
    cache.put("v2", other, {("24", "202611"): None})  # 5: at the bound
    cache.put("v2", other, {("449", "202611"): None})  # past it: X (kept longest ago) goes, Y stays whole
    assert len(cache) == 2 and cache.answers("v2", key, [("0", "202611")]) == {}
    assert cache.answers("v2", other, [("24", "202611"), ("449", "202611")]) == {("24", "202611"): None,
                                                                                 ("449", "202611"): None}
    cache.clear()
    assert len(cache) == 0 and cache.answers("v2", other, [("24", "202611")]) == {}


def _table(rows):
    from tests.analytics.perf_world import table

    return table(rows)
