"""Scorecard cells and statuses (no data, stale, not applicable), targets in their order, department composites
and grades, headline KPIs, and rankings with the change since another period. World and numbers:
tests/analytics/perf_world.py; every expectation below is worked out by hand from them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from govpulse.analytics.rankings import rankings
from govpulse.analytics.scorecard import department_summaries, headline_kpis, scorecard
from govpulse.analytics.values import InvalidQuery, NotFound
from govpulse.catalog.models import Flag
from govpulse.core.scope import Scope
from tests.analytics.perf_world import TODAY, open_world

SYSTEM = Scope.system()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    stores, engine = open_world(tmp_path_factory.mktemp("scorecard"))
    now = datetime(2026, 11, 10, tzinfo=UTC)
    stores.session.add_all([  # open flags to count: two in Surat (one resolved), one in Kachchh
        Flag(rule="r", kind="threshold", indicator="HLT_INST", org_unit="459", org_unit_path="/24/459/",
             department="HEALTH", period="202610", severity="high", first_seen=now, last_seen=now),
        Flag(rule="r2", kind="anomaly", indicator="HLT_DEATHS", org_unit="3900", org_unit_path="/24/459/3900/",
             department="HEALTH", period="202610", severity="medium", first_seen=now, last_seen=now),
        Flag(rule="r", kind="threshold", indicator="HLT_INST", org_unit="3901", org_unit_path="/24/459/3901/",
             department="HEALTH", period="202610", severity="low", status="resolved", first_seen=now,
             last_seen=now),
        Flag(rule="r", kind="threshold", indicator="RD_KM", org_unit="449", org_unit_path="/24/449/",
             department="ROADS", period="202610", severity="critical", first_seen=now, last_seen=now),
    ])
    stores.session.commit()
    yield stores
    stores.session.close()
    stores.warehouse.close()
    engine.dispose()


def _row(card, code):
    return next(r for r in card.rows if r.indicator.code == code)


def _cells(row):
    return {c.org_unit: c for c in row.cells}


def test_cells_value_target_status_score_and_trend(world):
    card = scorecard(world.session, world.warehouse, SYSTEM, org_unit="24", period="202610", department="HEALTH",
                     today=TODAY)
    assert [c.code for c in card.columns] == ["444", "449", "459"]  # Dang, Kachchh, Surat (by name)
    assert card.description == "Health; Gujarat by districts; Oct 2026"
    cells = _cells(_row(card, "HLT_INST"))
    surat, kachchh, dang = cells["459"], cells["449"], cells["444"]
    # Surat: 115/140 = 82.1 %; target for Oct: the state's target for 202610 (92), which beats the standing 90.
    # Bands 95 / 85 % of 92 = 87.4 / 78.2, so amber; score 82.1 / 92 = 89.2; Sep 86.4 -> down 4.3, bad.
    assert (surat.value, surat.target, surat.target_origin, surat.status.code) == (82.1, 92, "catalogue", "amber")
    assert (surat.numerator, surat.denominator, surat.score) == (115, 140, 89.2)
    assert (surat.trend.previous_value, surat.trend.change, surat.trend.direction, surat.trend.good) == (
        86.4, -4.3, "down", False)
    assert surat.trend.change_percent == -5.0  # -4.3 / 86.4
    assert (surat.reporting, surat.expected, surat.coverage) == (3, 3, 100.0)
    # Kachchh's own standing target (80) comes before the state's target for the period: 51 < 68 (85 % of 80).
    assert (kachchh.value, kachchh.target, kachchh.status.code, kachchh.score) == (51.0, 80, "red", 63.7)
    # Dang has a village that should report and did not: no data, which is a status of its own.
    assert (dang.value, dang.status.code, dang.applicable, dang.coverage) == (None, "no_data", True, None)
    parent = _row(card, "HLT_INST").parent
    assert (parent.org_unit, parent.value, parent.status.code) == ("24", 69.2, "red")  # 69.2 < 78.2
    counts = _row(card, "HLT_INST").counts
    assert (counts.green, counts.amber, counts.red, counts.no_data, counts.stale) == (0, 1, 1, 1, 0)


def test_lower_is_better_and_absolute_bands(world):
    card = scorecard(world.session, world.warehouse, SYSTEM, org_unit="24", period="202610", department="HEALTH",
                     today=TODAY)
    cells = _cells(_row(card, "HLT_DEATHS"))
    # 6 deaths: above green (5), within amber (10); 12: red. Scores: 5/6 = 83.3, 5/12 = 41.7.
    assert (cells["459"].value, cells["459"].status.code, cells["459"].score) == (6, "amber", 83.3)
    assert (cells["449"].value, cells["449"].status.code, cells["449"].score) == (12, "red", 41.7)
    assert cells["459"].trend.good is False and cells["459"].trend.change == 3  # 3 -> 6 deaths: worse


def test_stale_when_nothing_came_for_longer_than_the_type_allows(world):
    card = scorecard(world.session, world.warehouse, SYSTEM, org_unit="24", period="202610", department="HEALTH",
                     today=TODAY)
    cells = _cells(_row(card, "HLT_CALLS"))
    # Bhuj reported calls up to 20 Oct: on 10 Nov that is 21 days of silence for a daily feed (2 allowed), and
    # October runs past 20 Oct, so Kachchh's October figure (100 calls) is stale whatever its value.
    assert (cells["449"].value, cells["449"].stale, cells["449"].status.code) == (100, True, "stale")
    assert (cells["459"].value, cells["459"].stale, cells["459"].status.code) == (310, False, "green")
    september = scorecard(world.session, world.warehouse, SYSTEM, org_unit="24", period="202609",
                          department="HEALTH", today=TODAY)
    assert _cells(_row(september, "HLT_CALLS"))["449"].stale is False  # September ended before the silence
    early = scorecard(world.session, world.warehouse, SYSTEM, org_unit="24", period="202610", department="HEALTH",
                      today=date(2026, 10, 22))
    assert _cells(_row(early, "HLT_CALLS"))["449"].stale is False  # two days of silence are allowed


def test_not_applicable_where_nothing_below_reports(world):
    card = scorecard(world.session, world.warehouse, SYSTEM, org_unit="459", period="202610", department="HEALTH",
                     today=TODAY)
    cells = _cells(_row(card, "HLT_INST"))
    assert (cells["802"].applicable, cells["802"].status) == (False, None)  # a city with no village under it
    assert cells["3900"].value == 85.0 and cells["3901"].value == 75.0
    assert _row(card, "HLT_INST").counts.model_dump() == {"green": 0, "amber": 1, "red": 1, "no_data": 0,
                                                          "stale": 0, "unrated": 0}


def test_composite_scores_grades_and_open_flags(world):
    summaries = department_summaries(world.session, world.warehouse, SYSTEM, org_unit="24", period="202610",
                                     today=TODAY)
    health, roads = summaries
    # HEALTH: HLT_INST 69.2 against 92 -> 75.2 (theme Maternal); HLT_DEATHS 18 against 5 -> 27.8 (Mortality);
    # HLT_CALLS has no target, so it is not scored. Themes weigh the same: (75.2 + 27.8) / 2 = 51.5 -> C.
    assert (health.department.code, health.score, health.grade, health.coverage) == ("HEALTH", 51.5, "C", 1.0)
    assert health.themes == {"Maternal": 75.2, "Mortality": 27.8}
    # September: 87.9 against the standing 90 -> 97.7; 5 deaths -> 100: (97.7 + 100) / 2 = 98.85, which is
    # 98.84999... in binary floating point and shows as 98.8; the change is 51.5 - 98.8 = -47.3.
    assert (health.previous_score, health.score_change) == (98.8, -47.3)
    assert (health.counts.red, health.counts.green, health.counts.amber) == (2, 1, 0)  # calls 410: green
    assert health.open_flags == {"high": 1, "medium": 1}  # the resolved one is not counted
    assert (roads.score, roads.grade, roads.counts.green, roads.open_flags) == (100.0, "A", 1, {"critical": 1})
    surat = department_summaries(world.session, world.warehouse, SYSTEM, org_unit="459", period="202610",
                                 today=TODAY)
    assert [s.open_flags for s in surat] == [{"high": 1, "medium": 1}, {}]  # Kachchh's flag is not Surat's


def test_a_secretary_sees_only_her_department(world):
    health_only = Scope(departments=frozenset({"HEALTH"}))
    summaries = department_summaries(world.session, world.warehouse, health_only, org_unit="24", period="202610",
                                     today=TODAY)
    assert [s.department.code for s in summaries] == ["HEALTH"]
    with pytest.raises(NotFound):
        scorecard(world.session, world.warehouse, health_only, org_unit="24", period="202610", department="ROADS",
                  today=TODAY)
    surat = Scope.for_paths(["/24/459/"])
    with pytest.raises(NotFound):  # the state lies outside a Collector's scope
        scorecard(world.session, world.warehouse, surat, org_unit="24", period="202610", today=TODAY)


def test_headline_kpis_pick_the_heaviest_rated_indicator_per_department(world):
    tiles = headline_kpis(world.session, world.warehouse, SYSTEM, org_unit="24", period="202610", today=TODAY)
    # HEALTH weighs 4 in all (2 + 1 + 1), ROADS 1: HEALTH first, with HLT_INST (weight 2).
    assert [(t.department.code, t.indicator.code) for t in tiles] == [("HEALTH", "HLT_INST"), ("ROADS", "RD_KM")]
    inst = tiles[0]
    assert (inst.cell.value, inst.cell.target, inst.cell.status.code) == (69.2, 92, "red")
    assert [p.period for p in inst.sparkline][-3:] == ["202608", "202609", "202610"]
    assert [p.value for p in inst.sparkline][-3:] == [None, 87.9, 69.2] and len(inst.sparkline) == 12
    assert len(headline_kpis(world.session, world.warehouse, SYSTEM, org_unit="24", period="202610", limit=1,
                             today=TODAY)) == 1


def test_ranking_with_change_and_rank_change(world):
    ranked = rankings(world.session, world.warehouse, SYSTEM, indicator="HLT_INST", org_unit="24", period="202610",
                      compare_to="202609", today=TODAY)
    rows = {r.org_unit.code: r for r in ranked.rows}
    assert [r.org_unit.code for r in ranked.rows] == ["459", "449", "444"]  # no value comes last
    # Oct: Surat 82.1 (1st, score 100), Kachchh 51.0 (2nd, score 0). Sep: Kachchh 90.0 was 1st, Surat 86.4 2nd.
    assert (rows["459"].rank, rows["459"].score, rows["459"].previous_rank, rows["459"].rank_change) == (1, 100, 2, 1)
    assert (rows["449"].rank, rows["449"].score, rows["449"].previous_rank, rows["449"].rank_change) == (2, 0, 1, -1)
    # Changes: Surat -4.3, Kachchh -39.0: Surat fell least, so it is the "most improved".
    assert (rows["459"].change, rows["459"].improvement_rank) == (-4.3, 1)
    assert (rows["449"].change, rows["449"].improvement_rank) == (-39.0, 2)
    assert (rows["444"].rank, rows["444"].score, rows["444"].status.code) == (None, None, "no_data")
    assert ranked.compare_to.id == "202609" and ranked.period.id == "202610"


def test_lower_is_better_ranks_the_smallest_first_and_peer_bands(world):
    ranked = rankings(world.session, world.warehouse, SYSTEM, indicator="HLT_DEATHS", org_unit="24",
                      period="202610", peer_bands=[1000], today=TODAY)
    assert [(r.org_unit.code, r.value, r.rank) for r in ranked.rows] == [("459", 6, 1), ("449", 12, 2),
                                                                         ("444", None, None)]
    # Populations: Surat 3,000, Kachchh 500, Dang none: two bands of one each; Dang belongs to none.
    groups = {g.name: g.members for g in ranked.peer_groups}
    assert groups == {"< 1,000": ["449"], ">= 1,000": ["459"]}
    assert [(r.peer_group, r.peer_rank) for r in ranked.rows] == [(">= 1,000", 1), ("< 1,000", 1), (None, None)]


def test_ranking_refuses_what_it_cannot_answer(world):
    with pytest.raises(NotFound):
        rankings(world.session, world.warehouse, SYSTEM, indicator="NOPE", org_unit="24", period="202610")
    with pytest.raises(InvalidQuery):
        rankings(world.session, world.warehouse, SYSTEM, indicator="HLT_INST", org_unit="24", period="2026W99")


def test_summaries_leave_out_what_nothing_below_reports(world):
    # The city's only unit is a ward: deliveries and deaths come from villages, calls and roads from talukas.
    assert department_summaries(world.session, world.warehouse, SYSTEM, org_unit="802", period="202610",
                                today=TODAY) == []


def test_the_same_answers_on_both_catalogue_stores(catalog_url, tmp_path):
    stores, engine = open_world(tmp_path, catalog_url)
    try:
        card = scorecard(stores.session, stores.warehouse, SYSTEM, org_unit="459", period="202610",
                         department="HEALTH", today=TODAY)
        cells = _cells(_row(card, "HLT_INST"))
        assert [(code, cells[code].value, cells[code].applicable) for code in ("3900", "3901", "802")] == [
            ("3900", 85.0, True), ("3901", 75.0, True), ("802", None, False)]
        [health] = [s for s in department_summaries(stores.session, stores.warehouse, SYSTEM, org_unit="24",
                                                    period="202610", today=TODAY) if s.department.code == "HEALTH"]
        assert (health.score, health.grade) == (51.5, "C")
    finally:
        stores.session.close()
        stores.warehouse.close()
        engine.dispose()
