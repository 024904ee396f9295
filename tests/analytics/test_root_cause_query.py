"""Root cause of a flag on real warehouse numbers (tests/analytics/perf_world.py): the gap of a district to its
target rate split over its talukas and, below the largest, its villages, the contributions adding up to the
parent's own gap; a count's rise split over the units that made it; scope."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest

from govpulse.analytics.root_cause import explain_flag
from govpulse.analytics.values import InvalidQuery, NotFound
from govpulse.catalog.models import Flag
from govpulse.core.scope import Scope
from tests.analytics.perf_world import open_world

SYSTEM = Scope.system()
NOW = datetime(2026, 11, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    stores, engine = open_world(tmp_path_factory.mktemp("root-cause"))
    stores.session.add_all([
        Flag(rule="off-target", kind="threshold", indicator="HLT_INST", org_unit="459", org_unit_path="/24/459/",
             department="HEALTH", period="202610", severity="high", value=82.1, expected=78.2, first_seen=NOW,
             last_seen=NOW),
        Flag(rule="rise", kind="deterioration", indicator="HLT_DEATHS", org_unit="24", org_unit_path="/24/",
             department="HEALTH", period="202610", severity="high", value=18, expected=5,
             evidence={"compared_with": "202609"}, first_seen=NOW, last_seen=NOW),
        Flag(rule="off-target", kind="threshold", indicator="HLT_INST", org_unit="444", org_unit_path="/24/444/",
             department="HEALTH", period="202610", severity="high", first_seen=NOW, last_seen=NOW),
    ])
    stores.session.commit()
    yield stores
    stores.session.close()
    stores.warehouse.close()
    engine.dispose()


def _flag_id(world, indicator, org_unit):
    return world.session.query(Flag).filter_by(indicator=indicator, org_unit=org_unit).one().id


def test_a_rate_gap_splits_exactly_over_talukas_then_villages(world):
    cause = explain_flag(world.session, world.warehouse, SYSTEM, _flag_id(world, "HLT_INST", "459"))
    # Surat's target for October is 92 % (the state's for 202610). Gap, in deliveries: 0.92 x 140 - 115 = 13.8.
    # Choryasi 0.92 x 100 - 85 = 7.0; Olpad 0.92 x 40 - 30 = 6.8; the city has no data.
    assert (cause.basis, cause.target, cause.target_origin) == ("target", 92, "catalogue")
    surat, choryasi = cause.levels
    assert (surat.parent.code, surat.parent_value) == ("459", 82.1)
    assert [(c.org_unit.code, c.numerator, c.denominator, c.rank) for c in surat.contributions] == [
        ("3900", 45 + 40, 50 + 50, 1), ("3901", 30, 40, 2)]
    assert [c.gap for c in surat.contributions] == pytest.approx([7.0, 6.8])
    assert [c.share_percent for c in surat.contributions] == [50.72, 49.28]  # 7 / 13.8, 6.8 / 13.8
    assert [u.code for u in surat.no_data] == ["802"]
    # The contributions add up to the parent's gap computed from its own rolled-up figures: nothing unexplained.
    own_gap = Fraction(92, 100) * 140 - 115
    assert Fraction(sum(c.gap for c in surat.contributions)).limit_denominator(1000) == own_gap
    assert surat.gap == pytest.approx(float(own_gap)) and surat.unattributed == pytest.approx(0.0)
    # Below Choryasi (the largest): Sachin 0.92 x 50 - 40 = 6 and Bhestan 0.92 x 50 - 45 = 1, adding up to 7.
    assert choryasi.parent.code == "3900" and choryasi.parent_value == 85.0
    assert [(c.org_unit.name, round(c.gap, 9)) for c in choryasi.contributions] == [("Sachin", 6.0), ("Bhestan", 1.0)]
    assert sum(c.gap for c in choryasi.contributions) == pytest.approx(surat.contributions[0].gap)


def test_depth_one_stops_at_the_children(world):
    cause = explain_flag(world.session, world.warehouse, SYSTEM, _flag_id(world, "HLT_INST", "459"), depth=1)
    assert len(cause.levels) == 1


def test_a_count_rise_splits_over_the_units_that_made_it(world):
    cause = explain_flag(world.session, world.warehouse, SYSTEM, _flag_id(world, "HLT_DEATHS", "24"))
    # Deaths are a count: the state's rise from 5 (Sep) to 18 (Oct) is 13; Kachchh 2 -> 12 (+10), Surat 3 -> 6
    # (+3); Dang has no figures. Below Kachchh, its one taluka Bhuj carries all of it.
    assert (cause.basis, cause.compared_with.id, cause.target) == ("change", "202609", None)
    state, kachchh = cause.levels
    assert [(c.org_unit.code, c.numerator, c.denominator, c.gap) for c in state.contributions] == [
        ("449", 12, 2, 10), ("459", 6, 3, 3)]
    assert state.gap == 13 and state.unattributed == 0 and [u.code for u in state.no_data] == ["444"]
    assert [c.share_percent for c in state.contributions] == [76.92, 23.08]
    assert [(c.org_unit.code, c.gap, c.share_percent) for c in kachchh.contributions] == [("3700", 10, 100.0)]


def test_a_unit_without_data_has_nothing_to_split(world):
    cause = explain_flag(world.session, world.warehouse, SYSTEM, _flag_id(world, "HLT_INST", "444"))
    [dang] = cause.levels
    assert dang.contributions == [] and [u.code for u in dang.no_data] == ["3600"]


def test_scope_and_bad_requests(world):
    kachchh = Scope.for_paths(["/24/449/"])
    with pytest.raises(NotFound):  # Surat's flag, asked by Kachchh's Collector: as if it did not exist
        explain_flag(world.session, world.warehouse, kachchh, _flag_id(world, "HLT_INST", "459"))
    with pytest.raises(NotFound):
        explain_flag(world.session, world.warehouse, SYSTEM, 999)
    with pytest.raises(InvalidQuery):
        explain_flag(world.session, world.warehouse, SYSTEM, _flag_id(world, "HLT_INST", "459"), depth=9)
