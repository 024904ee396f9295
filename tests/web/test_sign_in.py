"""Signing in: browser sessions with CSRF, lock-out, basic auth where allowed, secrets never stored or logged."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.web.app import create_app
from tests.access.world import seed_world

PASSWORD = "Sahyadri-Monsoon-2026"
WRONG = "Wrong-Guess-Kutch-77"


@pytest.fixture
def web(tmp_path):
    app = create_app(Settings(home=tmp_path, login_max_failures=3))
    with app.state.session_factory() as session:
        seed_world(session)
        set_actor(session, Actor.system("test set-up"))
        users = UserRepository(session)
        for username, role, unit in (("asha", "admin", "24"), ("ravi", "collector", "459")):
            users.create(Scope.system(), username=username, password=PASSWORD,
                         assignments=[AssignmentSpec(role, unit)])
        session.commit()
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def _form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD, *, next_url: str = "/"):
    token = _form_token(client.get("/auth/login").text)
    return client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token,
                                            "next": next_url})


def test_a_browser_signs_in_with_a_secure_http_only_cookie(web):
    response = sign_in(web, "asha", next_url="/admin/users")
    assert (response.status_code, response.headers["location"]) == (303, "/admin/users")
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("gp_session="))
    assert {"HttpOnly", "Secure", "SameSite=lax"} <= {part.strip() for part in cookie.split(";")}
    me = web.get("/api/v1/me").json()
    assert (me["username"], me["via"], me["scope"]["unrestricted"]) == ("asha", "session", False)
    assert me["scope"]["paths"] == ["/24/"] and len(me["csrf_token"]) == 64


def test_sign_in_never_follows_a_link_off_the_site(web):
    assert sign_in(web, "asha", next_url="//evil.example/x").headers["location"] == "/"


def test_the_sign_in_form_refuses_a_post_without_its_csrf_token(web):
    web.get("/auth/login")
    response = web.post("/auth/login", data={"username": "asha", "password": PASSWORD})
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    forged = web.post("/auth/login", data={"username": "asha", "password": PASSWORD, "csrf_token": "0" * 64})
    assert forged.status_code == 403


def test_cookie_writes_need_the_csrf_token(web):
    sign_in(web, "asha")
    refused = web.post("/api/v1/tokens", json={"name": "script"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    csrf = web.get("/api/v1/me").json()["csrf_token"]
    assert web.post("/api/v1/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf}).status_code == 201
    page = web.get("/admin/users").text
    assert web.post("/admin/users/ravi/disable").status_code == 403  # form without its token
    assert web.post("/admin/users/ravi/disable", data={"csrf_token": _form_token(page)}).status_code == 303
    assert web.post("/auth/logout").status_code == 403
    assert web.post("/auth/logout", data={"csrf_token": csrf}).status_code == 303
    assert web.get("/api/v1/me").status_code == 401


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(web):
    first = sign_in(web, "ravi", WRONG)
    assert first.status_code == 401 and "wrong user name or password" in first.text
    assert sign_in(web, "ravi", WRONG).status_code == 401
    third = sign_in(web, "ravi", WRONG)
    assert third.status_code == 429 and "locked until" in third.text
    assert sign_in(web, "ravi", PASSWORD).status_code == 429  # even the right password, while locked
    basic = web.post("/api/v1/tokens", json={"name": "x"}, auth=("ravi", PASSWORD))
    assert basic.status_code == 401 and "locked" in basic.json()["detail"]
    assert sign_in(web, "asha").status_code == 303  # other accounts are not affected


def test_basic_auth_is_accepted_only_where_declared(web):
    made = web.post("/api/v1/tokens", json={"name": "first"}, auth=("ravi", PASSWORD))
    assert made.status_code == 201 and made.json()["token"].startswith("gpt_")
    refused = web.get("/api/v1/orgunits", auth=("ravi", PASSWORD))
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    wrong = web.post("/api/v1/tokens", json={"name": "x"}, auth=("ravi", WRONG))
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Basic")
    token = made.json()["token"]
    assert web.get("/api/v1/orgunits/459", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert web.get("/api/v1/orgunits/449", headers={"Authorization": f"Bearer {token}"}).status_code == 404


def test_a_revoked_token_and_a_disabled_account_stop_working(web):
    token = web.post("/api/v1/tokens", json={"name": "t"}, auth=("ravi", PASSWORD)).json()
    bearer = {"Authorization": f"Bearer {token['token']}"}
    assert web.post(f"/api/v1/tokens/{token['prefix']}/revoke", headers=bearer).json()["revoked_at"]
    assert web.get("/api/v1/me", headers=bearer).status_code == 401
    second = web.post("/api/v1/tokens", json={"name": "t2"}, auth=("ravi", PASSWORD)).json()["token"]
    admin = web.post("/api/v1/tokens", json={"name": "a"}, auth=("asha", PASSWORD)).json()["token"]
    assert web.post("/api/v1/users/ravi/disable", headers={"Authorization": f"Bearer {admin}"}).status_code == 200
    assert web.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 401
    assert sign_in(web, "ravi").status_code == 401


def test_pages_send_a_signed_out_browser_to_the_sign_in_page(web):
    response = web.get("/admin/users", headers={"Accept": "text/html"})
    assert (response.status_code, response.headers["location"]) == (303, "/auth/login?next=/admin/users")
    assert web.get("/api/v1/orgunits", headers={"Accept": "text/html"}).status_code == 401


def test_clear_passwords_and_tokens_reach_neither_the_database_nor_the_logs(web, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")  # every statement, its parameters and rows
    sign_in(web, "asha")
    sign_in(web, "ravi", WRONG)
    web.post("/api/v1/tokens", json={"name": "x"}, auth=("ravi", WRONG))
    token = web.post("/api/v1/tokens", json={"name": "x"}, auth=("ravi", PASSWORD)).json()["token"]
    csrf = web.get("/api/v1/me").json()["csrf_token"]
    new_password = "Narmada-Dam-Height-163"
    created = web.post("/api/v1/users", headers={"X-CSRF-Token": csrf}, json={
        "username": "meera", "password": new_password, "roles": [{"role": "tdo", "org_unit": "3900"}]})
    assert created.status_code == 201
    one_time = web.post("/api/v1/users", headers={"X-CSRF-Token": csrf}, json={
        "username": "kiran", "roles": []}).json()["one_time_password"]
    assert "INSERT INTO user_account" in caplog.text and "$argon2id$" in caplog.text  # the search sees SQL
    stored = b"".join(p.read_bytes() for p in Path(tmp_path).glob("catalog.sqlite*"))
    assert b"$argon2id$" in stored
    for secret in (PASSWORD, WRONG, new_password, one_time, token):
        assert secret not in caplog.text, secret
        assert secret.encode() not in stored, secret
