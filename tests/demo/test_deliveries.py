"""Which simulated values the demo's sources deliver, and when each source runs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa

from govpulse.demo.deliveries import STOPPED_SOURCE, DeliveryPlan, _stopped, scheduled_time
from govpulse.demo.source_feeds import demo_source_definitions

TODAY = date(2026, 11, 26)


def test_the_plan_holds_back_the_source_elements_of_the_last_days(tmp_path):
    plan = DeliveryPlan(today=TODAY, elements=frozenset({"hlt_amb_calls"}), days=2)
    chunk = pa.table({"data_element": ["hlt_amb_calls", "hlt_amb_calls", "hlt_amb_calls", "other"],
                      "org_unit": ["3722"] * 4, "period": ["20261124", "20261125", "20261126", "20261126"],
                      "value": [1.0, 2.0, 3.0, 4.0]})
    direct, held = plan.split(chunk)
    # Mornings of the 25th and 26th deliver the 24th and 25th; the 26th itself arrives tomorrow.
    assert plan.delivery_days == [date(2026, 11, 25), TODAY]
    assert held["period"].to_pylist() == ["20261124", "20261125", "20261126"]
    assert direct.to_pylist() == [{"data_element": "other", "org_unit": "3722", "period": "20261126", "value": 4.0}]


def test_a_plan_without_sources_holds_nothing_back():
    chunk = pa.table({"data_element": ["x"], "org_unit": ["1"], "period": ["20261126"], "value": [1.0]})
    direct, held = DeliveryPlan(today=TODAY, elements=frozenset()).split(chunk)
    assert direct.num_rows == 1 and held.num_rows == 0


def test_every_demo_element_is_held_back(tmp_path):
    plan = DeliveryPlan.for_sources(demo_source_definitions(tmp_path), TODAY)
    assert {"hlt_amb_calls", "rev_mutations_pending", "trn_trips_scheduled", "fcs_txn_total", "wcd_pse_present",
            "wss_water_supplied_kl"} <= plan.elements


def test_a_source_runs_at_its_cron_time_in_india(tmp_path):
    by_code = {d.code: d for d in demo_source_definitions(tmp_path)}
    # health_ambulance: "15 7 * * *" Asia/Kolkata is 01:45 UTC; the push source sends at 11:00 IST.
    assert scheduled_time(by_code["health_ambulance"], TODAY) == datetime(2026, 11, 26, 1, 45, tzinfo=UTC)
    assert scheduled_time(by_code["water_supply"], TODAY) == datetime(2026, 11, 26, 5, 30, tzinfo=UTC)


def test_the_stopped_source_delivers_only_on_the_first_day(tmp_path):
    by_code = {d.code: d for d in demo_source_definitions(tmp_path)}
    plan = DeliveryPlan(today=TODAY, elements=frozenset(), days=4)
    stopped = [_stopped(by_code[STOPPED_SOURCE], day, plan) for day in plan.delivery_days]
    assert stopped == [False, True, True, True]
    assert not any(_stopped(by_code["food_pds"], day, plan) for day in plan.delivery_days)


def test_each_department_with_daily_figures_left_gets_a_csv_export_source(tmp_path):
    from govpulse.demo.build import demo_catalog
    from govpulse.demo.department_feeds import department_source_definitions, write_mis_export
    from govpulse.demo.source_feeds import source_elements

    catalog = demo_catalog()
    showcase = demo_source_definitions(tmp_path)
    covered = {code for definition in showcase for code in source_elements(definition)}
    kinds = {"state", "district", "taluka", "village", "ulb", "ward", "town"}
    generated = department_source_definitions(tmp_path, catalog, covered, kinds)
    by_code = {d.code: d for d in generated}
    assert "energy_daily_mis" in by_code and by_code["energy_daily_mis"].connector == "csv_folder"
    delivered = [code for d in generated for code in source_elements(d)]
    assert len(delivered) == len(set(delivered)) and not set(delivered) & covered  # each element from one source
    daily = {e.code for e in catalog.data_elements if e.period_type.value == "Daily"
             and {k.value for k in e.reported_at} & kinds}
    assert covered | set(delivered) == daily  # every daily figure arrives through some source
    # The export is long CSV in the department's own codes, dated the Indian way.
    energy = by_code["energy_daily_mis"]
    element = sorted(source_elements(energy))[0]
    path = write_mis_export(energy, [{"data_element": element, "org_unit": "3782", "value": 21.5}], tmp_path,
                            date(2026, 11, 25), None)
    assert path.read_text().splitlines() == ["lgd_code,date,indicator,value", f"3782,25-11-2026,{element.upper()},21.5"]
