"""POST and GET /api/dataValueSets: DHIS2's bulk fixture through our ingest pipeline, conflicts, and exports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from govpulse.catalog.models import AuditEntry, Batch, QuarantinedRow, Source
from tests.dhis2.conftest import SAMPLE, import_sample, load, make_app

BO, SIERRA_LEONE = "O6uvpzGd5pu", "ImspTQPwCqd"
DEFAULT_COC = "HllvX50cXC0"
# dataValues_bulk.json, counted by hand: 231 values, all at Bo, default attribute combo; 9 for the year 2018 (the
# yearly data set's 7 elements, one of them in three age groups), 222 for December 2019; 9 of them yes/no.
VALUES, YEAR_2018, DEC_2019 = 231, 9, 222


@pytest.fixture
def sample(client):
    for name in ("orgunits_setup_metadata.json", "aggregate_metadata.json"):
        assert client.post("/api/metadata", json=load(name)).status_code == 200
    return client


def _post(client, values, content_type="application/json", **params):
    body = values if isinstance(values, bytes) else json.dumps({"dataValues": values}).encode()
    return client.post("/api/dataValueSets", content=body, params=params, headers={"Content-Type": content_type})


def _value(**fields):
    return {"dataElement": "pmRn0GsUfr6", "period": "201911", "orgUnit": BO, "categoryOptionCombo": DEFAULT_COC,
            "value": "7"} | fields


def test_the_bulk_fixture_imports_every_value_through_one_batch(sample, app):
    payload = load("dataValues_bulk.json")["dataValues"]
    assert (len(payload), sum(v["period"] == "2018" for v in payload)) == (VALUES, YEAR_2018)
    response = _post(sample, (SAMPLE / "dataValues_bulk.json").read_bytes())
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["httpStatus"], body["status"], body["message"]) == ("OK", "OK", "Import was successful.")
    summary = body["response"]
    assert (summary["responseType"], summary["status"]) == ("ImportSummary", "SUCCESS")
    assert summary["importCount"] == {"imported": VALUES, "updated": 0, "ignored": 0, "deleted": 0}
    assert summary["conflicts"] == [] and summary["rejectedIndexes"] == []
    with app.state.session_factory() as session:
        [batch] = session.execute(select(Batch).join(Source).where(Source.code == "dhis2")).scalars().all()
    assert (batch.status, batch.rows_read, batch.values_inserted) == ("succeeded", VALUES, VALUES)
    assert batch.trigger == "push"
    assert batch.triggered_by == "DHIS2 dataValueSets by dhis2.admin"
    with app.state.session_factory() as session:
        [audited] = session.scalars(select(AuditEntry).where(AuditEntry.entity == "dhis2_data_value_set")).all()
    assert (audited.actor, audited.after["imported"]) == ("dhis2.admin", VALUES)
    again = _post(sample, (SAMPLE / "dataValues_bulk.json").read_bytes()).json()["response"]
    assert again["importCount"] == {"imported": 0, "updated": VALUES, "ignored": 0, "deleted": 0}


def test_conflicts_point_at_the_values_by_index_and_the_rest_is_imported(sample, app):
    values = [
        _value(),
        _value(dataElement="nosuchthing"),
        _value(orgUnit="nowhere0001"),
        _value(value="-3"),  # INTEGER_ZERO_OR_POSITIVE: rejected by the pipeline's validation
        _value(period="2019"),  # a yearly period for a monthly element
        _value(period="201911", categoryOptionCombo="notacombo01"),
        _value(dataElement="mIefFUftPpa", value="true"),  # BOOLEAN: true is 1
        _value(value="", comment="only a comment"),
        _value(deleted=True),
        _value(orgUnit="nowhere0001", period="201910"),
    ]
    response = _post(sample, values)
    assert response.status_code == 409
    body = response.json()
    assert (body["status"], body["response"]["status"]) == ("WARNING", "WARNING")
    summary = body["response"]
    assert summary["importCount"] == {"imported": 2, "updated": 0, "ignored": 8, "deleted": 0}
    conflicts = {c.get("errorCode") or c["property"]: c for c in summary["conflicts"]}
    assert conflicts["E7610"]["indexes"] == [1] and conflicts["E7610"]["object"] == "nosuchthing"
    assert conflicts["E7612"]["indexes"] == [2, 9]  # one conflict for the same unknown org unit
    assert conflicts["E7619"]["indexes"] == [3] and "negative" in conflicts["E7619"]["value"]
    assert conflicts["E7632"]["indexes"] == [4] and "Yearly" in conflicts["E7632"]["value"]
    assert conflicts["E7613"]["indexes"] == [5]
    assert conflicts["E7618"]["indexes"] == [7]
    assert conflicts["deleted"]["indexes"] == [8]
    assert summary["rejectedIndexes"] == [1, 2, 3, 4, 5, 7, 8, 9]
    with app.state.session_factory() as session:
        quarantined = session.scalars(select(QuarantinedRow)).all()
    # Rows that reached the pipeline and failed its checks are kept for replay, with their payload row (from 1).
    assert sorted(row.source_row for row in quarantined) == [4, 5]


def test_csv_with_dhis2_columns_and_code_id_schemes(sample):
    text = ("dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,"
            "comment,followup,deleted\n"
            "TA_MAL_CASES_TEST_RDT,201910,OU_264,default,default,12,someone,,,false,false\n"
            "TA_MAL_CASES_TEST_MICR,201910,OU_264,,,30,someone,,,false,false\n")
    response = _post(sample, text.encode(), "application/csv", idScheme="CODE")
    assert response.status_code == 200, response.text
    assert response.json()["response"]["importCount"]["imported"] == 2
    exported = sample.get("/api/dataValueSets.csv", params={
        "dataElement": ["TA_MAL_CASES_TEST_RDT", "TA_MAL_CASES_TEST_MICR"], "period": "201910", "orgUnit": "OU_264",
        "idScheme": "CODE"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["dataelement"], r["orgunit"], r["categoryoptioncombo"], r["value"]) for r in rows] == [
        ("TA_MAL_CASES_TEST_MICR", "OU_264", "default", "30"), ("TA_MAL_CASES_TEST_RDT", "OU_264", "default", "12")]


def test_dry_run_and_strategies(sample):
    assert _post(sample, [_value()]).status_code == 200
    dry = _post(sample, [_value(value="8"), _value(period="201910")], dryRun="true").json()["response"]
    assert dry["importCount"] == {"imported": 1, "updated": 1, "ignored": 0, "deleted": 0}
    create = _post(sample, [_value(value="9"), _value(period="201909")], importStrategy="CREATE").json()
    assert create["response"]["importCount"] == {"imported": 1, "updated": 0, "ignored": 1, "deleted": 0}
    update = _post(sample, [_value(value="9"), _value(period="201908")], importStrategy="UPDATE").json()
    assert update["response"]["importCount"] == {"imported": 0, "updated": 1, "ignored": 1, "deleted": 0}
    exported = sample.get("/api/dataValueSets", params={"dataElement": "pmRn0GsUfr6", "orgUnit": BO,
                                                        "startDate": "2019-08-01", "endDate": "2019-11-30"})
    assert [(v["period"], v["value"]) for v in exported.json()["dataValues"]] == [("201909", "7"), ("201911", "9")]
    refused = _post(sample, [_value()], importStrategy="DELETE")
    assert refused.status_code == 409 and "DELETE is not supported" in refused.text


def test_export_by_data_set_with_children_in_dhis2_shape(loaded):
    response = loaded.get("/api/dataValueSets", params={"dataSet": ["VEM58nY22sO", "qNtxTrp56wV"],
                                                        "period": ["201912", "2018"], "orgUnit": SIERRA_LEONE,
                                                        "children": "true"})
    assert response.status_code == 200, response.text
    values = response.json()["dataValues"]
    assert len(values) == VALUES
    payload = {(v["dataElement"], v["period"], v["categoryOptionCombo"]): v["value"]
               for v in load("dataValues_bulk.json")["dataValues"]}
    assert {(v["dataElement"], v["period"], v["categoryOptionCombo"]): v["value"] for v in values} == payload
    assert {v["orgUnit"] for v in values} == {BO} and {v["attributeOptionCombo"] for v in values} == {DEFAULT_COC}
    assert all(v["storedBy"].startswith("dhis2-") for v in values)  # the batch the value came in
    only_yearly = loaded.get("/api/dataValueSets", params={"dataSet": "qNtxTrp56wV", "period": "2018",
                                                           "orgUnit": SIERRA_LEONE})
    assert only_yearly.json()["dataValues"] == []  # without children: values at Sierra Leone itself only


def test_export_errors_answer_like_dhis2(loaded):
    no_period = loaded.get("/api/dataValueSets", params={"dataSet": "qNtxTrp56wV", "orgUnit": BO})
    assert no_period.status_code == 409 and no_period.json()["errorCode"] == "E2002"
    missing = loaded.get("/api/dataValueSets", params={"dataSet": "nosuchset00", "period": "2018", "orgUnit": BO})
    assert missing.status_code == 404
    assert loaded.get("/api/dataValueSets.xml", params={"dataSet": "qNtxTrp56wV"}).status_code == 404  # no route


def test_bad_bodies_are_refused(loaded):
    assert _post(loaded, b"{not json").status_code == 400
    assert _post(loaded, b"<xml/>", "application/xml").status_code == 400
    assert _post(loaded, [_value()], idScheme="ATTRIBUTE:abc").status_code == 409



def test_the_sample_imports_on_both_catalogue_backends(catalog_url, tmp_path):
    app = make_app(tmp_path, database_url=catalog_url)
    with TestClient(app, base_url="https://testserver", headers=app.state.admin_headers) as client:
        import_sample(client)
        again = _post(client, (SAMPLE / "dataValues_bulk.json").read_bytes()).json()["response"]
        exported = client.get("/api/dataValueSets", params={"dataSet": "qNtxTrp56wV", "period": "2018",
                                                            "orgUnit": BO})
    assert again["importCount"]["updated"] == VALUES
    assert len(exported.json()["dataValues"]) == YEAR_2018
