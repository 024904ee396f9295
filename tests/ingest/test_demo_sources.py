"""The demo's sources: one per connector kind, fed with a day of simulated values, all the way to the warehouse."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.catalog.models import DataElement, Department
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.demo.feed_server import DemoFeedServer
from govpulse.demo.source_feeds import demo_source_definitions, register_demo_sources, write_demo_source_files
from govpulse.ingest.batches import IngestStores, run_source
from govpulse.ingest.push import push_values
from govpulse.warehouse import connect

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
TREE = [
    {"code": "24", "name": "Gujarat", "kind": "state", "level": 1, "path": "/24/", "parent_code": None},
    {"code": "474", "name": "Ahmedabad", "kind": "district", "level": 2, "path": "/24/474/", "parent_code": "24"},
    {"code": "3722", "name": "Daskroi", "kind": "taluka", "level": 3, "path": "/24/474/3722/", "parent_code": "474"},
    {"code": "3723", "name": "Sanand", "kind": "taluka", "level": 3, "path": "/24/474/3723/", "parent_code": "474"},
    {"code": "516001", "name": "Aslali", "kind": "village", "level": 4, "path": "/24/474/3722/516001/",
     "parent_code": "3722"},
    {"code": "516002", "name": "Bakrol", "kind": "village", "level": 4, "path": "/24/474/3723/516002/",
     "parent_code": "3723"},
]
LEVEL = {"health_ambulance": "3722", "revenue_mutations": "3722", "transport_trips": "474", "food_pds": "3723",
         "wcd_anganwadi": "516001", "water_supply": "3723"}


# Distinct figures (a swapped column would show) that keep every demo rule, as the simulation does.
FIGURES = {
    "hlt_amb_calls": 500, "hlt_amb_trips": 400, "hlt_amb_reached_20min": 300, "hlt_amb_response_minutes": 18.5,
    "rev_mutations_pending": 120, "rev_mutations_pending_30d": 30,
    "trn_trips_scheduled": 900, "trn_trips_operated": 880, "trn_trips_ontime": 700, "trn_revenue": 1234567.5,
    "trn_km_operated": 45000, "trn_breakdowns": 3,
    "fcs_grain_distributed_qtl": 250.25, "fcs_txn_total": 8000, "fcs_txn_biometric": 7600, "fcs_txn_portability": 150,
    "wcd_pse_present": 35, "wcd_hcm_served": 33,
    "wss_water_supplied_kl": 5400.5, "wss_complaints_received": 12, "wss_complaints_resolved_48h": 10,
    "wss_tanker_trips_planned": 20, "wss_tanker_trips_done": 18,
}


def simulated_day(definitions) -> pa.Table:
    """Yesterday's and today's values of every data element of every demo source."""
    rows = []
    for definition in definitions:
        mapping = definition.mapping
        codes = mapping.values.values() if mapping.values else mapping.data_element.codes.values()
        for period, extra in (("20261125", 0), ("20261126", 1)):
            rows += [{"data_element": code, "org_unit": LEVEL[definition.code], "period": period,
                      "value": float(FIGURES[code] + extra)} for code in codes]
    return pa.Table.from_pylist(rows)


@pytest.fixture
def demo(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    migrate(engine)
    factory = make_session_factory(engine)
    definitions = demo_source_definitions(tmp_path)
    with factory() as session:
        OrgUnitRepository(session).replace_all(TREE)
        for definition in definitions:
            department = Department(code=definition.department, name=definition.department.title())
            session.add(department)
            session.flush()
            mapping = definition.mapping
            codes = mapping.values.values() if mapping.values else mapping.data_element.codes.values()
            session.add_all([DataElement(code=code, name=code, department_id=department.id, value_type="NUMBER",
                                         aggregation_type="SUM", period_type="Daily", reported_at=["taluka"])
                             for code in codes])
        session.commit()
    server = DemoFeedServer(tmp_path).start()
    warehouse = connect(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")
    yield tmp_path, factory, server, warehouse, definitions
    warehouse.close()
    server.stop()
    engine.dispose()


def test_every_demo_source_delivers_todays_values(demo):
    home, factory, server, warehouse, definitions = demo
    values = simulated_day(definitions)
    written = write_demo_source_files(home, values, TODAY)
    assert set(written) == {d.code for d in definitions} and all(path.exists() for path in written.values())
    kinds = {d.connector for d in definitions}
    assert kinds == {"csv_folder", "excel_folder", "http_json", "sql", "dhis2", "push"}
    with factory() as session:
        assert len(register_demo_sources(session, home, server.url)) == 6
        session.commit()
    stores = IngestStores(factory, warehouse)
    for definition in definitions:
        if definition.connector == "push":
            report = push_values(stores, definition.code, written[definition.code].read_bytes(), "application/json",
                                 now=NOW)
        else:
            report = run_source(stores, definition.code, now=NOW)
        assert report.status == "succeeded" and report.rows_rejected == 0, (definition.code, report.error,
                                                                            report.rejected[:3])
    today = values.filter(pa.compute.equal(values["period"], "20261126")).to_pylist()
    stored = warehouse.data_values(sorted({r["data_element"] for r in today}), sorted(set(LEVEL.values())),
                                   ["20261126"]).to_pylist()
    expected = {(r["data_element"], r["org_unit"]): r["value"] for r in today}
    found = {(r["data_element"], r["org_unit"]): r["value"] for r in stored}
    assert {key: found.get(key) for key in expected} == expected
