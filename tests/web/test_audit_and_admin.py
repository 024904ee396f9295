"""The audit log shows this test's writes (who, when, what, before, after), filters and exports them; the admin
page manages accounts with the same rules as the API."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.web.app import create_app
from tests.access.world import seed_world

PASSWORD = "Gir-Lions-Sasan-2026"


@pytest.fixture
def web(tmp_path):
    app = create_app(Settings(home=tmp_path))
    with app.state.session_factory() as session:
        seed_world(session)
        set_actor(session, Actor.system("test set-up"))
        users = UserRepository(session)
        users.create(Scope.system(), username="asha", password=PASSWORD, assignments=[AssignmentSpec("admin")])
        tokens = {name: TokenRepository(session).create(users.for_sign_in(name), Scope.system(), name="t")[1]
                  for name in ("admin", "auditor", "collector")}
        session.commit()
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        client.tokens = {name: {"Authorization": f"Bearer {secret}"} for name, secret in tokens.items()}
        yield client


def test_the_audit_log_shows_the_writes_of_this_test(web):
    admin, auditor = web.tokens["admin"], web.tokens["auditor"]
    made = web.post("/api/v1/users", headers=admin, json={
        "username": "meera", "full_name": "Meera Shah", "roles": [{"role": "tdo", "org_unit": "3900"}]})
    assert made.status_code == 201 and made.json()["one_time_password"]
    assert web.post("/api/v1/users/meera/disable", headers=admin).status_code == 200
    token = web.post("/api/v1/tokens", headers=auditor, json={"name": "nightly export"}).json()
    entries = web.get("/api/v1/audit", headers=auditor, params={"page_size": 10}).json()["items"]
    latest = [(e["actor"], e["via"], e["action"], e["entity"], e["entity_code"]) for e in entries[:3]]
    assert latest == [("auditor", "token", "create", "api_token", f"auditor/{token['prefix']}"),
                      ("admin", "token", "disable", "user", "meera"),
                      ("admin", "token", "create", "user", "meera")]
    disable, create = entries[1], entries[2]
    assert create["before"] is None and create["after"]["full_name"] == "Meera Shah"
    assert create["after"]["roles"] == [{"role": "tdo", "org_unit": "3900", "departments": [], "sources": []}]
    assert create["after"]["password"] == "***"
    assert (disable["before"]["is_active"], disable["after"]["is_active"]) == (True, False)
    assert datetime.fromisoformat(create["at"]) > datetime.now(UTC) - timedelta(minutes=1)
    assert token["token"] not in str(entries) and "token_hash" not in str(entries)


def test_the_audit_log_filters_and_exports_as_csv(web):
    admin, auditor = web.tokens["admin"], web.tokens["auditor"]
    web.post("/api/v1/users", headers=admin, json={"username": "meera", "roles": []})
    only = web.get("/api/v1/audit", headers=auditor, params={"user": "admin", "entity": "user"}).json()
    assert [(e["action"], e["entity_code"]) for e in only["items"]] == [("create", "meera")]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert web.get("/api/v1/audit", headers=auditor, params={"since": future}).json()["total"] == 0
    # set-up: 2 departments + 2 data elements + 2 indicators (captured on flush), 13 accounts, 3 tokens; then meera
    assert web.get("/api/v1/audit", headers=auditor, params={"until": future}).json()["total"] == 23
    exported = web.get("/api/v1/audit/export.csv", headers=auditor, params={"code": "meera"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["actor"], r["action"], r["entity_code"]) for r in rows] == [("admin", "create", "meera")]
    assert '"username": "meera"' in rows[0]["after"] and rows[0]["before"] == ""


def test_nothing_in_the_api_changes_the_audit_log(web):
    document = web.get("/api/v1/openapi.json", headers=web.tokens["admin"]).json()
    assert set(document["paths"]["/api/v1/audit"]) == {"get"}
    assert all(set(item) == {"get"} for path, item in document["paths"].items() if path.startswith("/api/v1/audit"))
    for method in ("post", "put", "patch", "delete"):
        assert web.request(method, "/api/v1/audit", headers=web.tokens["admin"]).status_code == 405


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def _sign_in(web, username: str) -> None:
    token = _csrf(web.get("/auth/login").text)
    web.post("/auth/login", data={"username": username, "password": PASSWORD, "csrf_token": token})


def test_the_admin_page_adds_and_disables_accounts(web):
    _sign_in(web, "asha")
    page = web.get("/admin/users")
    assert page.status_code == 200 and "collector" in page.text and "Latest audit entries" in page.text
    csrf = _csrf(page.text)
    added = web.post("/admin/users", data={"csrf_token": csrf, "username": "meera", "role": "talati",
                                           "org_unit": "525001"})
    assert added.status_code == 200 and "One-time password (shown once)" in added.text
    wrong = web.post("/admin/users", data={"csrf_token": csrf, "username": "kiran", "role": "collector",
                                           "org_unit": "3900"})
    assert wrong.status_code == 422 and "is assigned at a district" in wrong.text
    assert web.post("/admin/users/meera/disable", data={"csrf_token": csrf}).status_code == 303
    users = {u["username"]: u for u in web.get("/api/v1/users", headers=web.tokens["admin"]).json()["items"]}
    assert users["meera"]["is_active"] is False and "kiran" not in users
    audit = web.get("/api/v1/audit", headers=web.tokens["auditor"], params={"code": "meera"}).json()["items"]
    assert [(e["actor"], e["via"], e["action"]) for e in audit] == [("asha", "session", "disable"),
                                                                    ("asha", "session", "create")]


def test_the_admin_page_is_refused_to_roles_without_view_users(web):
    page = web.get("/admin/users", headers=web.tokens["collector"])
    assert page.status_code == 403 and "'view-users'" in page.json()["detail"]
    assert web.get("/admin/users", headers=web.tokens["auditor"]).status_code == 200


def test_the_debug_endpoint_shows_a_scope_and_why(web):
    body = web.get("/api/v1/users/collector/scope", headers=web.tokens["auditor"]).json()
    assert body["paths"] == ["/24/459/"] and body["departments"] is None
    assert body["reason"] == "collector at district 459 (Surat): org units under /24/459/, every department"
    assert "assign-action" in body["actions"] and "manage-users" not in body["actions"]
    denied = web.get("/api/v1/users", headers=web.tokens["collector"]).json()
    assert (denied["status"], denied["action"]) == (403, "view-users")
    assert denied["detail"] == "'view-users' is not allowed to collector at district 459 (Surat)"


def test_the_csv_export_never_hands_a_spreadsheet_a_formula(web):
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', web.get("/auth/login").text).group(1)
    web.post("/auth/login", data={"username": "=HYPERLINK(\"http://x\")", "password": "whatever1",
                                  "csrf_token": token})
    exported = web.get("/api/v1/audit/export.csv", headers=web.tokens["auditor"], params={"action": "sign-in-failed"})
    (entry,) = csv.DictReader(io.StringIO(exported.text))
    assert entry["entity_code"] == "'=HYPERLINK(\"http://x\")"
