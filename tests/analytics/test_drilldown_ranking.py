"""The drill-down in one call (``rankings.drilldown_ranking``): the org unit's own cell with its target, status
and coverage, and every child with the same figures ``values.drilldown`` gives and the same rank, target and
status ``rankings`` gives. World and numbers: tests/analytics/perf_world.py."""

from __future__ import annotations

import pytest

from govpulse.analytics import values
from govpulse.analytics.rankings import drilldown_ranking, rankings
from govpulse.analytics.values import InvalidQuery, NotFound
from govpulse.catalog.models import Department, Indicator
from govpulse.core.scope import Scope
from tests.analytics.perf_world import TODAY, open_world

SYSTEM = Scope.system()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    stores, engine = open_world(tmp_path_factory.mktemp("drill-ranking"))
    health = stores.session.query(Department).filter_by(code="HEALTH").one()
    # Deliveries counted, with no better direction: a neutral indicator, which rankings refuse.
    stores.session.add(Indicator(code="HLT_BIRTHS", name="Births", department_id=health.id, numerator="#{total}",
                                 denominator="1", decimals=0, polarity="neutral"))
    stores.session.commit()
    yield stores
    stores.session.close()
    stores.warehouse.close()
    engine.dispose()


def _drill(world, indicator, org_unit, period="202610", scope=SYSTEM):
    return drilldown_ranking(world.session, world.warehouse, scope, indicator=indicator, org_unit=org_unit,
                             period=period, today=TODAY)


def test_the_parent_has_its_value_target_status_and_coverage(world):
    drill = _drill(world, "HLT_INST", "24")
    parent = drill.parent
    # The state in Oct: 166/240 = 69.2 %; target 92 for 202610; bands 95 / 85 % of 92 = 87.4 / 78.2: red.
    assert (parent.value, parent.numerator, parent.denominator) == (69.2, 166, 240)
    assert (parent.target, parent.status.code, parent.status.symbol) == (92, "red", "■")
    # Five villages are expected to report deliveries; Ahwa village (Dang) reports nothing: 4 of 5.
    assert (parent.reporting, parent.expected, parent.coverage) == (4, 5, 80.0)
    assert parent.stored_at is not None
    # Kachchh has its own standing target of 80: 51.0 % is below 85 % of it, so red.
    kachchh = _drill(world, "HLT_INST", "449").parent
    assert (kachchh.value, kachchh.target, kachchh.status.code) == (51.0, 80, "red")


def test_children_carry_the_numbers_of_values_drilldown_and_of_rankings(world):
    """One call gives what the page used to merge from two: the figures of ``values.drilldown`` and the rank,
    target and status of ``rankings``, child by child, and the parent's figures too."""
    for indicator, unit in [("HLT_INST", "24"), ("HLT_INST", "459"), ("HLT_DEATHS", "24"), ("RD_KM", "459"),
                            ("HLT_CALLS", "24"), ("HLT_INST", "3900")]:
        drill = _drill(world, indicator, unit)
        old = values.drilldown(world.session, world.warehouse, SYSTEM, indicator=indicator, org_unit=unit,
                               period="202610")
        ranked = rankings(world.session, world.warehouse, SYSTEM, indicator=indicator, org_unit=unit,
                          period="202610", today=TODAY)
        figures = {c.org_unit.code: c.value for c in old.children}
        places = {r.org_unit.code: r for r in ranked.rows}
        assert sorted(r.org_unit.code for r in drill.rows) == sorted(figures), (indicator, unit)
        for row in drill.rows:
            value = figures[row.org_unit.code]
            got = (row.value, row.numerator, row.denominator, row.reporting, row.expected, row.coverage,
                   row.stored_at)
            want = (None, None, None, 0, 0, None, None) if value is None else (
                value.value, value.numerator, value.denominator, value.reporting, value.expected, value.coverage,
                value.stored_at)
            assert got == want, (indicator, unit, row.org_unit.code)
            place = places[row.org_unit.code]
            assert (row.rank, row.target, row.status, row.score) == (place.rank, place.target, place.status,
                                                                     place.score)
        own = old.parent_value
        assert (drill.parent.value, drill.parent.coverage) == ((own.value, own.coverage) if own else (None, None))
        assert ranked.parent == drill.parent  # the API's ranking carries the same parent cell


def test_rows_of_surat_with_coverage(world):
    rows = {r.org_unit.code: r for r in _drill(world, "HLT_INST", "459").rows}
    # Choryasi: 85/100 = 85.0 % (2 of 2 villages); Olpad: 30/40 = 75.0 % (1 of 1); the ULB reports nothing.
    assert (rows["3900"].value, rows["3900"].coverage, rows["3900"].rank) == (85.0, 100.0, 1)
    assert (rows["3901"].value, rows["3901"].reporting, rows["3901"].expected, rows["3901"].rank) == (75.0, 1, 1, 2)
    assert (rows["802"].value, rows["802"].coverage, rows["802"].rank) == (None, None, None)


def test_a_neutral_indicator_is_drilled_but_not_ranked(world):
    with pytest.raises(InvalidQuery, match="neutral"):
        rankings(world.session, world.warehouse, SYSTEM, indicator="HLT_BIRTHS", org_unit="24", period="202610")
    drill = _drill(world, "HLT_BIRTHS", "24")
    rows = {r.org_unit.code: r for r in drill.rows}
    assert (drill.parent.value, drill.parent.status) == (240, None)
    assert (rows["459"].value, rows["459"].rank, rows["459"].score, rows["459"].status) == (140, None, None, None)
    assert (rows["449"].value, rows["449"].coverage) == (100, 100.0)


def test_out_of_scope_and_unknown_are_not_found(world):
    surat = Scope.for_paths(["/24/459/"])
    assert [r.org_unit.code for r in _drill(world, "HLT_INST", "459", scope=surat).rows] == ["3900", "3901", "802"]
    for indicator, unit, scope in [("NOPE", "24", SYSTEM), ("HLT_INST", "999", SYSTEM), ("HLT_INST", "449", surat),
                                   ("HLT_INST", "24", surat)]:
        with pytest.raises(NotFound):
            _drill(world, indicator, unit, scope=scope)


def test_a_figure_whose_data_stopped_is_stale_in_the_drill_down_too(world):
    # Bhuj (3700) reported calls up to 20 Oct; on 10 Nov Kachchh's October is stale, as on the scorecard.
    state = _drill(world, "HLT_CALLS", "24")
    rows = {row.org_unit.code: row for row in state.rows}
    assert (rows["449"].value, rows["449"].status.code) == (100, "stale")
    assert rows["459"].status.code == "green"
    kachchh = _drill(world, "HLT_CALLS", "449")
    assert kachchh.parent.status.code == "stale"
    assert {row.org_unit.code: row.status.code for row in kachchh.rows}["3700"] == "stale"
