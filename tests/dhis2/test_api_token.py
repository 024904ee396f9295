"""DHIS2's personal access token header (``Authorization: ApiToken <token>``) on the DHIS2-compatible routes: a
govpulse API token there is the same user and scope as ``Bearer``; a wrong, revoked or empty one is 401 with
DHIS2's ``ApiToken`` challenge; the /api/v1 routes (which take no basic auth) do not take it.

The same answers for every role and route are checked in test_access_matrix (``test_reads_with_api_tokens``),
and a DHIS2 client library sending the header in test_dhis2_client."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.users import UserRepository
from govpulse.core.scope import Scope
from tests.dhis2.conftest import ADMIN, import_sample, make_app

BO = "O6uvpzGd5pu"
EXPORT = {"dataSet": "qNtxTrp56wV", "period": "2018", "orgUnit": BO}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The DHIS2 sample imported; ``token`` is the administrator's API token."""
    app = make_app(tmp_path_factory.mktemp("api-token"))
    with TestClient(app, base_url="https://testserver", headers=app.state.admin_headers) as client:
        import_sample(client)
    app.state.token = app.state.admin_headers["Authorization"].removeprefix("Bearer ")
    return app


@pytest.fixture
def anonymous(world):
    with TestClient(world, base_url="https://testserver") as client:
        yield client


def api_token(secret: str, scheme: str = "ApiToken") -> dict[str, str]:
    return {"Authorization": f"{scheme} {secret}"}


def test_an_api_token_reads_and_writes_as_its_user(world, anonymous):
    headers = api_token(world.state.token)
    assert anonymous.get("/api/me", headers=headers).json()["username"] == ADMIN
    exported = anonymous.get("/api/dataValueSets", params=EXPORT, headers=headers)
    assert exported.status_code == 200 and len(exported.json()["dataValues"]) == 9
    bearer = {"Authorization": f"Bearer {world.state.token}"}
    assert exported.json() == anonymous.get("/api/dataValueSets", params=EXPORT, headers=bearer).json()
    table = anonymous.get("/api/analytics", headers=headers,
                          params={"dimension": ["dx:tpz77FcntKx", "pe:2018", f"ou:{BO}"]})
    assert table.status_code == 200 and table.json()["rows"] == [["tpz77FcntKx", "2018", BO, "500000"]]
    value = {"dataValues": [{"dataElement": "tpz77FcntKx", "period": "2019", "orgUnit": BO, "value": "7"}]}
    posted = anonymous.post("/api/dataValueSets", json=value, headers=headers)
    assert posted.status_code == 200 and posted.json()["response"]["importCount"]["imported"] == 1
    metadata = anonymous.post("/api/metadata", headers=headers, json={
        "dataElements": [{"id": "apitoken001", "name": "Sent with an ApiToken", "valueType": "INTEGER"}]})
    assert metadata.status_code == 200 and metadata.json()["response"]["stats"]["created"] == 1
    # DHIS2 reads the scheme word in any case.
    assert anonymous.get("/api/me", headers=api_token(world.state.token, "apitoken")).status_code == 200


@pytest.mark.parametrize("secret", ["gpt_not-a-token", "", "d2pat_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1234567890"])
def test_a_wrong_or_empty_token_is_401_with_dhis2s_challenge(anonymous, secret):
    for method, path in (("GET", "/api/dataValueSets"), ("POST", "/api/metadata"), ("GET", "/api/analytics")):
        response = anonymous.request(method, path, headers=api_token(secret), json={} if method == "POST" else None)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == 'ApiToken realm="govpulse"'
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "API token is unknown" in response.json()["detail"]


def test_no_credentials_still_ask_for_a_password(anonymous):
    response = anonymous.get("/api/dataValueSets", params=EXPORT)
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Basic")


def test_a_revoked_token_stops_working(world, anonymous):
    with world.state.session_factory() as session:
        set_actor(session, Actor.system("test"))
        user = UserRepository(session).for_sign_in(ADMIN)
        token, secret = TokenRepository(session).create(user, Scope.system(), name="to revoke")
        session.commit()
        assert anonymous.get("/api/me", headers=api_token(secret)).status_code == 200
        TokenRepository(session).revoke(user, token.prefix, Scope.system())
        session.commit()
    refused = anonymous.get("/api/me", headers=api_token(secret))
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("ApiToken")


def test_the_versioned_api_takes_bearer_not_api_token(world, anonymous):
    refused = anonymous.get("/api/v1/me", headers=api_token(world.state.token))
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    accepted = anonymous.get("/api/v1/me", headers={"Authorization": f"Bearer {world.state.token}"})
    assert accepted.status_code == 200


def test_openapi_declares_the_api_token_on_the_dhis2_routes(world, anonymous):
    document = anonymous.get("/api/v1/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["apiToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "ApiToken" in scheme["description"]
    assert {"apiToken": []} in document["paths"]["/api/dataValueSets"]["get"]["security"]
    assert {"apiToken": []} not in document["paths"]["/api/v1/orgunits"]["get"]["security"]
