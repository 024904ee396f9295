"""The sources API on a real app: registering, pushing with the source's token, batches, replay, lineage."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.web.app import create_app
from govpulse.web.api.routes import sources as sources_routes
from tests.ingest.ingest_world import seed_catalog

PUSH_MAPPING = {"org_unit": "orgUnit", "period": "period", "data_element": "dataElement", "value": "value",
                "rules": ["#{births_21} <= #{births}"]}


@pytest.fixture
def app(tmp_path):
    application = create_app(Settings(home=tmp_path))
    if not any(getattr(route, "path", "") == "/api/v1/sources" for route in application.routes):
        application.include_router(sources_routes.router, prefix="/api/v1")  # until app.py includes it
    with application.state.session_factory() as session:
        seed_catalog(session)
    yield application
    warehouse = getattr(application.state, "warehouse", None)
    if warehouse is not None:
        warehouse.close()


def token_for(app, username: str, role: str, org_unit: str = "24", **limits) -> str:
    with app.state.session_factory() as session:
        set_actor(session, Actor.system("test set-up"))
        user = UserRepository(session).create(Scope.system(), username=username, assignments=[
            AssignmentSpec(role=role, org_unit=org_unit, **limits)])
        _, secret = TokenRepository(session).create(user, Scope.system(), name="tests")
        session.commit()
    return secret


def client(app, token: str | None = None) -> TestClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return TestClient(app, base_url="https://testserver", headers=headers)


@pytest.fixture
def admin(app) -> TestClient:
    return client(app, token_for(app, "admin.one", "admin"))


@pytest.fixture
def push_token(app, admin) -> str:
    answer = admin.post("/api/v1/sources", json={"code": "hmis_push", "name": "HMIS push", "department": "HEALTH",
                                                 "freshness": "daily by 09:00", "mapping": PUSH_MAPPING})
    assert answer.status_code == 201, answer.text
    return admin.post("/api/v1/sources/hmis_push/token").json()["token"]


RECORDS = [{"orgUnit": "515001", "period": "20261120", "dataElement": "births", "value": 10},
           {"orgUnit": "515001", "period": "20261120", "dataElement": "births_21", "value": 8},
           {"orgUnit": "525001", "period": "20261120", "dataElement": "births", "value": "x"}]


def test_a_push_with_the_wrong_token_is_refused_and_with_the_right_one_accepted(app, push_token):
    anonymous = client(app)
    url = "/api/v1/sources/hmis_push/values"
    assert anonymous.post(url, json=RECORDS).status_code == 401
    wrong = client(app, push_token[:-2] + "zz").post(url, json=RECORDS)
    assert wrong.status_code == 401 and wrong.headers["content-type"].startswith("application/problem+json")
    assert client(app, push_token).post("/api/v1/sources/other/values", json=RECORDS).status_code == 401
    user_token = token_for(app, "cmo.one", "cmo")
    assert client(app, user_token).post(url, json=RECORDS).status_code == 401  # a user's token is not the source's
    answer = client(app, push_token).post(url, json=RECORDS)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["status"], report["rows_read"], report["values_inserted"], report["rows_rejected"]) == (
        "succeeded", 3, 2, 1)
    assert report["rejected"][0]["reason"] == "value: not a number: 'x' is not a number"
    assert report["rejected"][0]["source_file"].startswith("push:") and report["rejected"][0]["source_row"] == 3
    again = client(app, push_token).post(url, json=RECORDS).json()
    assert again["status"] == "already loaded" and again["batch"] == report["batch"]
    values = app.state.warehouse.data_values(["births", "births_21"], ["515001"], ["20261120"])
    assert {r["data_element"]: r["value"] for r in values.to_pylist()} == {"births": 10, "births_21": 8}


def test_a_csv_push_and_a_malformed_one(app, push_token):
    pusher = client(app, push_token)
    body = "orgUnit;period;dataElement;value\n525001;20261121;births;7\n525002;20261121;births;3\n"
    answer = pusher.post("/api/v1/sources/hmis_push/values", content=body.encode(),
                         headers={"Content-Type": "text/csv"})
    assert answer.status_code == 200 and answer.json()["values_inserted"] == 2
    bad = pusher.post("/api/v1/sources/hmis_push/values", content=b"{not json",
                      headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and "not valid JSON" in bad.json()["detail"]
    odd = pusher.post("/api/v1/sources/hmis_push/values", content=b"x", headers={"Content-Type": "image/png"})
    assert odd.status_code == 400 and "unsupported content type" in odd.json()["detail"]


def test_batches_and_their_rejected_rows_and_replay(app, admin, push_token):
    client(app, push_token).post("/api/v1/sources/hmis_push/values", json={"dataValues": RECORDS})
    (batch,) = admin.get("/api/v1/sources/hmis_push/batches").json()
    assert (batch["trigger"], batch["status"], batch["rows_rejected"]) == ("push", "succeeded", 1)
    detail = admin.get(f"/api/v1/sources/hmis_push/batches/{batch['batch']}").json()
    (row,) = detail["rejected"]
    assert row["field"] == "value" and row["cells"]["value"] == "x" and row["status"] == "pending"
    assert len(admin.get("/api/v1/sources/hmis_push/quarantine").json()) == 1
    replayed = admin.post("/api/v1/sources/hmis_push/quarantine/replay").json()
    assert replayed["status"] == "succeeded" and replayed["rows_rejected"] == 1  # still not a number
    listed = {s["code"]: s for s in admin.get("/api/v1/sources").json()}
    assert listed["hmis_push"]["has_push_token"] and listed["hmis_push"]["pending_rejected_rows"] == 1
    assert listed["hmis_push"]["freshness"]["last_delivery_at"] is not None


def test_registering_needs_manage_sources_and_names_mistakes(app, admin):
    cmo = client(app, token_for(app, "cmo.two", "cmo"))
    definition = {"code": "s1", "name": "S1", "mapping": PUSH_MAPPING}
    refused = cmo.post("/api/v1/sources", json=definition)
    assert refused.status_code == 403 and refused.json()["action"] == "manage-sources"
    bad = admin.post("/api/v1/sources", json={**definition, "connector": "csv_folder", "settings": {"foldr": "x"}})
    assert bad.status_code == 422 and "settings.foldr: unknown setting" in bad.json()["detail"]
    assert admin.post("/api/v1/sources", json=definition).status_code == 201
    assert admin.post("/api/v1/sources", json={**definition, "name": "S1 renamed"}).status_code == 200
    assert admin.get("/api/v1/sources/s1").json()["definition"]["name"] == "S1 renamed"
    assert cmo.get("/api/v1/sources/nope").status_code == 404


def test_lineage_of_a_value_names_the_batch_source_and_rows_and_follows_scope(app, admin, push_token):
    report = client(app, push_token).post("/api/v1/sources/hmis_push/values", json=RECORDS).json()
    answer = admin.get("/api/v1/values/lineage", params={"data_element": "births", "org_unit": "449",
                                                         "period": "202611"})
    assert answer.status_code == 200, answer.text
    lineage = answer.json()
    assert lineage["total_rows"] == 1
    assert [(b["batch"], b["source"], b["trigger"], b["values"]) for b in lineage["batches"]] == [
        (report["batch"], "hmis_push", "push", 1)]
    (row,) = lineage["rows"]
    assert (row["org_unit"], row["period"], row["value"], row["source_row"]) == ("515001", "20261120", 10, 1)
    assert row["source_file"] == report["origins"][0]
    surat = client(app, token_for(app, "collector.surat", "collector", org_unit="459"))
    assert surat.get("/api/v1/values/lineage", params={"data_element": "births", "org_unit": "449",
                                                       "period": "202611"}).status_code == 404
    assert admin.get("/api/v1/values/lineage", params={"data_element": "nothing", "org_unit": "449",
                                                       "period": "202611"}).status_code == 404


def test_the_routes_are_in_the_openapi_document(app, admin):
    paths = admin.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/sources", "/api/v1/sources/{code}/values", "/api/v1/values/lineage"} <= set(paths)
    assert "text/csv" in json.dumps(paths["/api/v1/sources/{code}/values"]["post"]["requestBody"])


def test_an_operator_cannot_take_over_another_departments_source(app, admin):
    from govpulse.catalog.models import Department

    with app.state.session_factory() as session:
        session.add(Department(code="ROADS", name="Roads"))
        session.commit()
    definition = {"code": "roads_src", "name": "Roads", "department": "ROADS", "mapping": PUSH_MAPPING}
    assert admin.post("/api/v1/sources", json=definition).status_code == 201
    operator = client(app, token_for(app, "op.health", "operator", departments=("HEALTH",)))
    taken = operator.post("/api/v1/sources", json={**definition, "department": "HEALTH"})
    assert taken.status_code == 404  # the Roads source is outside the operator's scope, so it does not exist
    assert admin.get("/api/v1/sources/roads_src").json()["department"] == "ROADS"
    own = operator.post("/api/v1/sources", json={**definition, "code": "health_src", "department": "HEALTH"})
    assert own.status_code == 201
