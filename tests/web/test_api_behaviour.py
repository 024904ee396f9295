"""What every API endpoint shares: conditional GET, request size limit, token rate limit, CORS, OpenAPI."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from govpulse.catalog.repositories.users import AssignmentSpec
from govpulse.settings import Settings
from govpulse.web.app import create_app
from govpulse.web.auth.ratelimit import TokenBuckets
from tests.web.conftest import bearer_token


def test_heavy_reads_carry_an_etag_and_answer_304_when_unchanged(client):
    first = client.get("/api/v1/orgunits", params={"page_size": 5})
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    assert "Authorization" in first.headers["vary"]
    again = client.get("/api/v1/orgunits", params={"page_size": 5}, headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    other = client.get("/api/v1/orgunits", params={"page_size": 4}, headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    assert client.get("/api/v1/orgunits/999", headers={"If-None-Match": "*"}).status_code == 404


def test_readers_with_different_scopes_get_different_etags(app, client):
    surat = bearer_token(app, "surat.collector", [AssignmentSpec("collector", "459")])
    collector = TestClient(app, base_url="https://testserver", headers={"Authorization": f"Bearer {surat}"})
    mine = collector.get("/api/v1/orgunits")
    theirs = client.get("/api/v1/orgunits")
    assert mine.json()["total"] == 3 and theirs.json()["total"] == 7
    assert mine.headers["etag"] != theirs.headers["etag"]
    assert client.get("/api/v1/orgunits", headers={"If-None-Match": mine.headers["etag"]}).status_code == 200


def test_request_bodies_over_the_limit_are_refused(tmp_path):
    app = create_app(Settings(home=tmp_path, max_request_bytes=1024))
    token = bearer_token(app, "admin.one", [])
    with TestClient(app, base_url="https://testserver", headers={"Authorization": f"Bearer {token}"}) as client:
        big = {"username": "x", "full_name": "a" * 2000}
        declared = client.post("/api/v1/users", json=big)
        assert declared.status_code == 413 and declared.json()["title"] == "Content Too Large"
        chunks = (b"x" * 512 for _ in range(4))  # no Content-Length: counted as it streams
        streamed = client.post("/api/v1/tokens", content=chunks, headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413
        assert streamed.headers["content-type"].startswith("application/problem+json")
        assert client.post("/api/v1/tokens", json={"name": "small"}).status_code == 403  # no role: no tokens


def test_each_token_has_its_own_rate_limit(tmp_path):
    app = create_app(Settings(home=tmp_path, token_rate_limit_per_minute=3))
    one, two = bearer_token(app, "one", []), bearer_token(app, "two", [])
    with TestClient(app, base_url="https://testserver") as client:
        codes = [client.get("/api/v1/me", headers={"Authorization": f"Bearer {one}"}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get("/api/v1/me", headers={"Authorization": f"Bearer {one}"})
        assert int(limited.headers["retry-after"]) >= 1
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {two}"}).status_code == 200


def test_token_buckets_refill_over_time():
    now = [0.0]
    buckets = TokenBuckets(per_minute=60, clock=lambda: now[0])
    assert all(buckets.take("t") is None for _ in range(60))
    assert buckets.take("t") == pytest.approx(1.0)
    now[0] = 2.0
    assert buckets.take("t") is None and buckets.take("t") is None and buckets.take("t") is not None
    assert TokenBuckets(per_minute=0).take("t") is None  # 0 = no limit


def test_cors_is_off_unless_origins_are_listed(client, tmp_path):
    preflight = {"Origin": "https://dash.example", "Access-Control-Request-Method": "GET"}
    assert "access-control-allow-origin" not in client.options("/api/v1/orgunits", headers=preflight).headers
    assert "access-control-allow-origin" not in client.get("/api/v1/orgunits",
                                                           headers={"Origin": "https://dash.example"}).headers
    app = create_app(Settings(home=tmp_path / "cors", cors_origins=["https://dash.example"]))
    with TestClient(app, base_url="https://testserver") as open_client:
        allowed = open_client.options("/api/v1/orgunits", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == "https://dash.example"
        other = open_client.options("/api/v1/orgunits", headers={**preflight, "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


# Operations that people cannot call with their own credentials, each with the one scheme it takes and why.
NOT_FOR_PEOPLE = {
    # Programs push a source's data with that source's own push token (POST /sources/{code}/token makes it);
    # a person's bearer token is refused there, so declaring "bearer" would tell clients something false.
    ("post", "/api/v1/sources/{code}/values"): "source token",
    # The telephony bridge reports a call's outcome in a body signed with the shared secret; it has no account.
    ("post", "/api/v1/telephony/callback"): "provider signature",
}


def test_openapi_declares_the_security_schemes_and_problem_answers(client):
    document = client.get("/api/v1/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert (schemes["bearer"]["scheme"], schemes["basic"]["scheme"], schemes["cookie"]["in"]) == (
        "bearer", "basic", "cookie")
    assert schemes["source token"]["scheme"] == "bearer"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if (method, path) in NOT_FOR_PEOPLE:
                assert operation["security"] == [{NOT_FOR_PEOPLE[method, path]: []}], (method, path)
            else:
                assert {"bearer": []} in operation["security"], (method, path)
                assert {"source token": []} not in operation["security"], (method, path)
            assert list(operation["responses"]["401"]["content"]) == ["application/problem+json"], (method, path)
    declared = {(method, path) for path, item in document["paths"].items() for method in item}
    assert set(NOT_FOR_PEOPLE) <= declared  # an exception for a route that is gone must go too
    assert {"basic": []} in document["paths"]["/api/v1/tokens"]["post"]["security"]
    assert {"basic": []} not in document["paths"]["/api/v1/orgunits"]["get"]["security"]
    assert document["paths"]["/api/v1/users"]["post"]["responses"]["201"]


def test_nul_characters_in_urls_are_a_bad_request(client):
    response = client.get("/api/v1/orgunits", params={"q": "a\x00b"})
    assert response.status_code == 400 and response.json()["status"] == 400
