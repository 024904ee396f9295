"""Whole runs against real files and servers: every connector through mapping, validation, warehouse, catalogue."""

from __future__ import annotations

import os
from datetime import datetime

import openpyxl
import pyarrow as pa
import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from govpulse.catalog.models import Batch, QuarantinedRow, SourceRun
from govpulse.ingest.batches import ALREADY_LOADED, FAILED, NOTHING_TO_REPLAY, SUCCEEDED, replay_quarantine, run_source
from govpulse.ingest.pipeline import decode_source_row
from tests.ingest.api_server import ApiServer, Reply, Request
from tests.ingest.ingest_world import NOW, VILLAGES, World, csv_source, make_world

DAYS = ["20261124", "20261125", "20261126"]


@pytest.fixture
def world(tmp_path) -> World:
    world = make_world(f"sqlite:///{tmp_path / 'catalog.sqlite'}", tmp_path)
    yield world
    world.warehouse.close()


def empty_postgres(request) -> str:
    """The session's PostgreSQL test database, emptied (skips, or fails under CI, without a server)."""
    url = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


VILLAGE_MAPPING = {"org_unit": "Village Code", "period": {"date_column": "Date"},
                   "values": {"Births": "births", "Rain (mm)": "rainfall_mm"}}


def nasty_folder(folder) -> None:
    """Two files as departments send them: a BOM and semicolons; Windows-1252 with quirks."""
    folder.mkdir(exist_ok=True)
    (folder / "a.csv").write_bytes(
        "Village Code;Date;Births;Rain (mm)\n"
        "525001;24-11-2026;12;1 234.5\n"
        "0515001;24/11/2026;૧૫;\n"  # a leading zero, Gujarati digits, no rain
        "\n"
        "515002;2026-11-24;3;2,50\n".encode("utf-8-sig"))  # a decimal comma: the rain is rejected, births kept
    (folder / "b.csv").write_bytes(
        "Village Code,Date,Births,Rain (mm),Remarks,\n"  # a trailing delimiter on every line
        "525002,24-Nov-2026,7,\"1,23,456\",Café visit,\n"
        "525001,25 November 2026,4,0,\"two\nlines\",\n"
        "LEGACY-7,25-11-2026,9,5,,\n"  # an old code the catalogue does not know
        "515001,25-11-2026,2,3,too,many,fields\n"  # ragged
        "525001,46352,1,0,excel serial,\n".encode("cp1252"))


def expected_nasty() -> dict:
    births = {("525001", "20261124"): 12, ("515001", "20261124"): 15, ("515002", "20261124"): 3,
              ("525002", "20261124"): 7, ("525001", "20261125"): 4, ("525001", "20261126"): 1}
    rain = {("525001", "20261124"): 1234.5, ("525002", "20261124"): 123456, ("525001", "20261125"): 0,
            ("525001", "20261126"): 0}
    return {**{("births", ou, pe): v for (ou, pe), v in births.items()},
            **{("rainfall_mm", ou, pe): v for (ou, pe), v in rain.items()}}


@pytest.mark.parametrize("catalog", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_csv_folder_with_nasty_files_ends_as_exact_values_and_reasoned_rejections(catalog, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'c.sqlite'}" if catalog == "sqlite" else empty_postgres(request)
    world = make_world(url, tmp_path)
    nasty_folder(tmp_path / "drop")
    world.register(csv_source("villages", tmp_path / "drop", VILLAGE_MAPPING))
    report = run_source(world.stores, "villages", now=NOW)
    assert report.status == SUCCEEDED, report.error
    assert world.values(["births", "rainfall_mm"], VILLAGES, DAYS) == expected_nasty()
    assert (report.rows_read, report.rows_rejected, report.values_inserted) == (8, 3, 10)
    rejected = {(r.source_file.rsplit("/", 1)[-1], r.source_row): r for r in report.rejected}
    assert rejected["a.csv", 5].reason == "Rain (mm): not a number: '2,50' uses a decimal comma; write '2.50'"
    assert rejected["b.csv", 4].field == "Village Code" and "'LEGACY-7'" in rejected["b.csv", 4].reason
    assert rejected["b.csv", 5].raw is None and "has 7 fields where the header has 5" in rejected["b.csv", 5].reason
    with world.session_factory() as session:
        batch = session.scalar(select(Batch))
        assert (batch.status, batch.rows_read, batch.values_inserted, batch.origins[0].endswith("a.csv")) == (
            SUCCEEDED, 8, 10, True)
        stored = session.scalars(select(QuarantinedRow).order_by(QuarantinedRow.id)).all()
        assert [(r.source_row, r.status) for r in stored] == [(5, "pending"), (4, "pending"), (5, "pending")]
        # a bad rain figure of a known village keeps the village; an unknown code and a ragged line are nowhere
        assert [(r.org_unit, r.org_unit_path) for r in stored] == [
            ("515002", "/24/449/3700/515002/"), (None, None), (None, None)]
        assert stored[1].raw == {"Village Code": "LEGACY-7", "Date": "25-11-2026", "Births": "9", "Rain (mm)": "5",
                                 "Remarks": None}
    world.warehouse.close()


def test_running_the_same_input_again_changes_nothing(world, tmp_path):
    nasty_folder(tmp_path / "drop")
    for dropped in (tmp_path / "drop").iterdir():  # dropped before NOW, whatever the machine's clock says
        os.utime(dropped, (NOW.timestamp() - 3600, NOW.timestamp() - 3600))
    world.register(csv_source("villages", tmp_path / "drop", VILLAGE_MAPPING))
    first = run_source(world.stores, "villages", now=NOW)
    again = run_source(world.stores, "villages", since=None, now=NOW)
    assert again.status == ALREADY_LOADED and again.key == first.key and again.rows_rejected == 3
    assert run_source(world.stores, "villages", now=NOW).status == "no new data"  # since the last read: nothing
    with world.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Batch)) == 1
        assert session.scalar(select(func.count()).select_from(QuarantinedRow)) == 3
        state = session.scalar(select(SourceRun))
        assert state.last_outcome == "no new data" and state.consecutive_failures == 0
    assert world.values(["births", "rainfall_mm"], VILLAGES, DAYS) == expected_nasty()


def test_rejected_rows_are_replayed_after_the_mapping_is_fixed(world, tmp_path):
    nasty_folder(tmp_path / "drop")
    definition = csv_source("villages", tmp_path / "drop", VILLAGE_MAPPING)
    world.register(definition)
    run_source(world.stores, "villages", now=NOW)
    unfixed = replay_quarantine(world.stores, "villages", now=NOW)  # nothing changed: both rejected again
    assert (unfixed.status, unfixed.rows_read, unfixed.rows_rejected, unfixed.values_inserted) == (SUCCEEDED, 2, 2, 0)
    fixed = {**VILLAGE_MAPPING, "org_unit": {"column": "Village Code", "table": {"LEGACY-7": "515002"}}}
    world.register({**definition, "mapping": fixed})
    report = replay_quarantine(world.stores, "villages", now=NOW)
    assert report.status == SUCCEEDED and report.trigger == "replay"
    assert report.rows_read == 2 and report.rows_rejected == 1  # the decimal comma is still wrong
    values = world.values(["births", "rainfall_mm"], ["515002"], ["20261125"])
    assert values == {("births", "515002", "20261125"): 9, ("rainfall_mm", "515002", "20261125"): 5}
    with world.session_factory() as session:
        statuses = dict(session.execute(select(QuarantinedRow.status, func.count())
                                        .group_by(QuarantinedRow.status)).all())
        # 2 + 2 replayed; pending: the ragged row (nothing to replay) and the comma row, from the last replay
        assert statuses == {"replayed": 4, "pending": 2}
        pending = session.scalars(select(QuarantinedRow).where(QuarantinedRow.status == "pending",
                                                               QuarantinedRow.raw.is_not(None))).one()
        assert pending.source_file.endswith("a.csv") and pending.source_row == 5  # lineage kept through replays
        assert session.get(Batch, pending.batch_id).trigger == "replay"


def test_lineage_leads_from_a_value_to_its_file_and_row(world, tmp_path):
    nasty_folder(tmp_path / "drop")
    world.register(csv_source("villages", tmp_path / "drop", VILLAGE_MAPPING))
    report = run_source(world.stores, "villages", now=NOW)
    lineage = world.warehouse.lineage("births", "459", "202611")  # Surat district, the month
    rows = {(r["org_unit"], r["period"]): decode_source_row(r["source_row"]) for r in lineage.rows.to_pylist()}
    assert {r["batch_id"] for r in lineage.rows.to_pylist()} == {report.key}
    where = {key: (report.origins[origin].rsplit("/", 1)[-1], row) for key, (origin, row) in rows.items()}
    assert where == {("525001", "20261124"): ("a.csv", 2), ("525002", "20261124"): ("b.csv", 2),
                     ("525001", "20261125"): ("b.csv", 3), ("525001", "20261126"): ("b.csv", 6)}


def test_a_warehouse_that_disagrees_with_the_catalogue_fails_the_batch_visibly(world, tmp_path):
    world.warehouse.sync_org_units(pa.table({"code": ["24"], "parent_code": [None], "path": ["/24/"], "level": [1],
                                             "kind": ["state"]}))
    world.warehouse.sync_data_elements(pa.table({"code": ["births", "rainfall_mm"], "aggregation_type": ["SUM"] * 2,
                                                 "period_type": ["Monthly"] * 2}))
    world.warehouse.write("old", pa.table({"data_element": ["births"], "org_unit": ["24"], "period": ["202601"],
                                           "value": [1.0]}))
    nasty_folder(tmp_path / "drop")
    world.register(csv_source("villages", tmp_path / "drop", VILLAGE_MAPPING))
    report = run_source(world.stores, "villages", now=NOW)
    assert report.status == FAILED and "period" in report.error
    with world.session_factory() as session:
        batch = session.scalar(select(Batch))
        assert batch.status == FAILED and batch.error
        assert session.scalar(select(SourceRun)).consecutive_failures == 1


def test_a_missing_folder_is_a_failed_run_not_a_crash(world, tmp_path):
    world.register(csv_source("gone", tmp_path / "nowhere", VILLAGE_MAPPING))
    report = run_source(world.stores, "gone", now=NOW)
    assert report.status == FAILED and "does not exist" in report.error


def test_excel_workbooks_with_a_title_row(world, tmp_path):
    folder = tmp_path / "xl"
    folder.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Monthly immunisation report"])
    sheet.append(["Village", "Month start", "Children", "Vaccinated"])
    sheet.append(["Madhapar", datetime(2026, 10, 1), 40, 38])
    sheet.append(["Bhestan", datetime(2026, 10, 1), 25, 30])  # fails the rule
    book.save(folder / "october.xlsx")
    world.register({"code": "immunisation", "name": "Immunisation", "department": "HEALTH",
                    "connector": "excel_folder", "settings": {"folder": str(folder), "header_row": 2},
                    "mapping": {"org_unit": {"column": "Village", "by": "name"},
                                "period": {"date_column": "Month start"},
                                "values": {"Children": "children", "Vaccinated": "vaccinated"},
                                "rules": ["#{vaccinated} <= #{children}"]}})
    report = run_source(world.stores, "immunisation", now=NOW)
    assert report.status == SUCCEEDED and report.rows_rejected == 1
    assert world.values(["children", "vaccinated"], ["515001", "525001"], ["202610"]) == {
        ("children", "515001", "202610"): 40, ("vaccinated", "515001", "202610"): 38}


def test_a_rest_api_with_pages_and_nested_records(world, api_server: ApiServer):
    records = [{"village": {"lgd": code}, "day": "2026-11-20", "indicator": "BR", "count": n}
               for code, n in zip(VILLAGES, [5, 6, 7, 8], strict=True)] + [
        {"village": {"lgd": "525001"}, "day": "2026-11-21", "indicator": "BR", "count": "lots"}]

    def pages(request: Request) -> Reply:
        if request.bearer() != "s3cret":
            return Reply(401, {"error": "no"})
        page = int(request.param("page"))
        return Reply(body={"data": {"items": records[(page - 1) * 2: page * 2]}})

    api_server.route("/api/births", pages)
    world.register({"code": "births_api", "name": "Births API", "department": "HEALTH", "connector": "http_json",
                    "settings": {"url": api_server.url("/api/births"), "records_path": "data.items",
                                 "paging": {"style": "page", "page_size": 2}, "auth": {"type": "bearer",
                                                                                         "token": "s3cret"}},
                    "mapping": {"org_unit": "village.lgd", "period": {"date_column": "day"},
                                "data_element": {"column": "indicator", "codes": {"BR": "births"}}, "value": "count"}})
    report = run_source(world.stores, "births_api", now=NOW)
    assert report.status == SUCCEEDED, report.error
    assert len(api_server.requests_to("/api/births")) == 3
    assert world.values(["births"], VILLAGES, ["20261120"]) == {
        ("births", code, "20261120"): n for code, n in zip(VILLAGES, [5, 6, 7, 8], strict=True)}
    assert [r.reason for r in report.rejected] == ["count: not a number: 'lots' is not a number"]
    assert "page=3" in report.rejected[0].source_file and report.rejected[0].source_row == 5


def _facility_table(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS facility_report"))
        connection.execute(sa.text("CREATE TABLE facility_report (village varchar(16), month varchar(8), "
                                   "children integer, vaccinated integer, updated_at timestamp)"))
        connection.execute(sa.text(
            "INSERT INTO facility_report VALUES ('525001', '202610', 50, 45, '2026-11-01 10:00'), "
            "('515001', '202610', 30, 31, '2026-11-01 10:00'), ('525002', '202609', 20, 20, '2026-10-01 10:00')"))


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_sql_source(world, tmp_path, database, request):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}" if database == "sqlite" else request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    _facility_table(engine)
    engine.dispose()
    world.register({"code": "facilities", "name": "Facility reports", "department": "HEALTH", "connector": "sql",
                    "settings": {"url": url, "query": "SELECT village, month, children, vaccinated "
                                                      "FROM facility_report WHERE updated_at > :since"},
                    "mapping": {"org_unit": "village", "period": "month",
                                "values": {"children": "children", "vaccinated": "vaccinated"},
                                "rules": ["#{vaccinated} <= #{children}"]}})
    report = run_source(world.stores, "facilities", since=datetime(2026, 10, 15), now=NOW)
    assert report.status == SUCCEEDED, report.error
    assert world.values(["children", "vaccinated"], VILLAGES, ["202609", "202610"]) == {
        ("children", "525001", "202610"): 50, ("vaccinated", "525001", "202610"): 45}
    assert report.rows_rejected == 1 and "fails validation rule" in report.rejected[0].reason


DHIS2_VALUES = [
    {"dataElement": "Uh4HvjK6zg3", "period": "20261123", "orgUnit": "DiszpKrYNg8", "value": "4"},
    {"dataElement": "Uh4HvjK6zg3", "period": "20261123", "orgUnit": "ImspTQPwCqd", "value": "6"},
    {"dataElement": "x7TqXiHuXHX", "period": "20261123", "orgUnit": "DiszpKrYNg8", "value": "3"},
]


def test_a_dhis2_server(world, api_server: ApiServer):
    api_server.route("/api/dataValueSets", lambda request: Reply(body={"dataValues": DHIS2_VALUES}))
    world.register({"code": "hmis", "name": "HMIS (DHIS2)", "department": "HEALTH", "connector": "dhis2",
                    "settings": {"base_url": api_server.base_url, "username": "admin", "password": "district",
                                 "params": {"dataSet": "BfMAe6Itzgt", "period": "20261123"}},
                    "mapping": {"org_unit": {"column": "orgUnit", "table": {"DiszpKrYNg8": "515001",
                                                                            "ImspTQPwCqd": "525001"}},
                                "period": "period", "value": "value",
                                "data_element": {"column": "dataElement", "codes": {"Uh4HvjK6zg3": "births",
                                                                                    "x7TqXiHuXHX": "births_21"}}}})
    report = run_source(world.stores, "hmis", now=NOW)
    assert report.status == SUCCEEDED, report.error
    assert world.values(["births", "births_21"], ["515001", "525001"], ["20261123"]) == {
        ("births", "515001", "20261123"): 4, ("births", "525001", "20261123"): 6,
        ("births_21", "515001", "20261123"): 3}


def test_a_push_source_cannot_be_read(world):
    world.register({"code": "pushed", "name": "Pushed", "mapping": VILLAGE_MAPPING})
    report = run_source(world.stores, "pushed", now=NOW)
    assert report.status == FAILED and "receives its data by push" in report.error
    assert replay_quarantine(world.stores, "pushed").status == NOTHING_TO_REPLAY


def test_the_catalogue_lookups_are_reused_until_the_catalogue_changes(world):
    from govpulse.catalog.models import OrgUnit
    from govpulse.ingest.lookups import CatalogLookups

    with world.session_factory() as session:
        first = CatalogLookups.load(session)
        assert CatalogLookups.load(session) is first  # twenty sources of a morning read the tree once
        keys = first.org_units.keys("code", "village")
        assert first.org_units.keys("code", "village") is keys
        session.add(OrgUnit(code="525003", name="Sachin", kind="village", level=4, path="/24/459/3900/525003/",
                            parent_id=session.query(OrgUnit.id).filter_by(code="3900").scalar()))
        session.commit()
        changed = CatalogLookups.load(session)
    assert changed is not first and changed.fingerprint != first.fingerprint
    assert "525003" in changed.org_units.keys("code", "village").keys.to_pylist()
