"""Apps with the DHIS2-compatible routes, an administrator who signs in with a password (as DHIS2 clients do),
and the DHIS2 fixtures of ../shared/data/dhis2-sample."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.web.api.routes import dhis2
from govpulse.web.app import create_app
from tests.shared_data import SHARED_DATA

SAMPLE: Path = SHARED_DATA / "dhis2-sample"
ADMIN, PASSWORD = "dhis2.admin", "correct horse battery staple"


def basic(username: str = ADMIN, password: str = PASSWORD) -> dict[str, str]:
    """The Authorization header a DHIS2 client sends."""
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def load(name: str) -> dict:
    return json.loads((SAMPLE / name).read_text(encoding="utf-8"))


def with_dhis2_routes(app) -> None:
    """Mount the /api routes unless the app already has them (once web/app.py includes the router)."""
    if not any(getattr(route, "path", "") == "/api/analytics" for route in app.routes):
        app.include_router(dhis2.router)


def add_user(app, username: str, assignments: list[AssignmentSpec], password: str = PASSWORD) -> None:
    with app.state.session_factory() as session:
        set_actor(session, Actor.system("test set-up"))
        UserRepository(session).create(Scope.system(), username=username, assignments=assignments, password=password)
        session.commit()


def make_app(home: Path, **settings):
    """An app with the DHIS2 routes and the administrator; ``app.state.admin_headers`` signs in with a token."""
    app = create_app(Settings(home=home, token_rate_limit_per_minute=0, **settings))
    with_dhis2_routes(app)
    add_user(app, ADMIN, [AssignmentSpec("admin")])
    with app.state.session_factory() as session:
        user = UserRepository(session).for_sign_in(ADMIN)
        _token, secret = TokenRepository(session).create(user, Scope.system(), name="dhis2 tests")
        session.commit()
    app.state.admin_headers = {"Authorization": f"Bearer {secret}"}
    return app


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def client(app):
    """Signed in as an administrator of the whole installation. With a bearer token: basic auth checks the
    password (argon2) on every request, which tests that need it do (test_dhis2_client, test_basic_auth)."""
    with TestClient(app, base_url="https://testserver", headers=app.state.admin_headers) as test_client:
        yield test_client


def import_sample(client) -> None:
    """The DHIS2 fixtures in the order DHIS2's own tests load them: org units, then metadata, then values."""
    for name in ("orgunits_setup_metadata.json", "aggregate_metadata.json"):
        response = client.post("/api/metadata", json=load(name))
        assert response.status_code == 200, response.text
    response = client.post("/api/dataValueSets", content=(SAMPLE / "dataValues_bulk.json").read_bytes(),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One app per module with the whole sample imported, and a client for it."""
    app = make_app(tmp_path_factory.mktemp("dhis2"))
    with TestClient(app, base_url="https://testserver", headers=app.state.admin_headers) as test_client:
        import_sample(test_client)
        yield test_client
