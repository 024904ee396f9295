"""OpenID Connect sign-in against a fake identity provider (served in-process through an httpx transport):
redirect URL, state and nonce handling, PKCE, ID-token checks, linking to the local account."""

from __future__ import annotations

import base64
import hashlib
import time
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.web.app import create_app
from tests.access.world import seed_catalogue

ISSUER = "https://idp.gujarat.example"
CLIENT_ID = "govpulse"


class FakeProvider:
    """Discovery, token and JWKS endpoints of an identity provider that signs in whoever ``subject`` is."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.subject = {"sub": "u-1001", "preferred_username": "asha"}
        self.nonce_override: str | None = None
        self.challenge = ""
        self.nonce = ""

    def authorize(self, url: str) -> dict[str, str]:
        """What the browser sends the provider; the provider remembers the nonce and PKCE challenge."""
        params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        self.nonce, self.challenge = params["nonce"], params["code_challenge"]
        return params

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(200, json={
                "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/jwks",
                "id_token_signing_alg_values_supported": ["RS256"]})
        if request.url.path == "/jwks":
            return httpx.Response(200, json={"keys": [self.key.as_dict(private=False)]})
        if request.url.path == "/token":
            form = parse_qs(request.content.decode())
            verifier = form["code_verifier"][0]
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if form["code"] != ["good-code"] or digest != self.challenge or form["client_id"] != [CLIENT_ID]:
                return httpx.Response(400, json={"error": "invalid_grant"})
            now = int(time.time())
            claims = {"iss": ISSUER, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                      "nonce": self.nonce_override or self.nonce, **self.subject}
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)
            return httpx.Response(200, json={"access_token": "at", "token_type": "Bearer", "id_token": id_token})
        return httpx.Response(404)


@pytest.fixture
def provider():
    return FakeProvider()


@pytest.fixture
def web(tmp_path, provider):
    settings = Settings(home=tmp_path, oidc_issuer=ISSUER, oidc_client_id=CLIENT_ID, oidc_client_secret="s3cret")
    app = create_app(settings, oidc_transport=httpx.MockTransport(provider.handle))
    with app.state.session_factory() as session:
        set_actor(session, Actor.system("test set-up"))
        seed_catalogue(session)
        UserRepository(session).create(Scope.system(), username="asha", assignments=[AssignmentSpec("collector", "459")])
        session.commit()
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def _start(web, provider, next_url="/admin/users") -> dict[str, str]:
    response = web.get("/auth/oidc/login", params={"next": next_url})
    assert response.status_code == 302
    assert response.headers["location"].startswith(f"{ISSUER}/authorize?")
    return provider.authorize(response.headers["location"])


def test_the_redirect_asks_for_a_code_with_state_nonce_and_pkce(web, provider):
    params = _start(web, provider)
    assert params["response_type"] == "code" and params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == "https://testserver/auth/oidc/callback"
    assert params["scope"] == "openid profile email" and params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert "gp_oidc" in web.cookies


def test_a_matching_state_signs_the_account_in_and_links_it(web, provider):
    state = _start(web, provider)["state"]
    response = web.get("/auth/oidc/callback", params={"code": "good-code", "state": state})
    assert (response.status_code, response.headers["location"]) == (303, "/admin/users")
    me = web.get("/api/v1/me").json()
    assert (me["username"], me["via"], me["scope"]["paths"]) == ("asha", "session", ["/24/459/"])
    provider.subject = {"sub": "u-1001", "preferred_username": "someone-renamed"}  # the link holds by subject
    state = _start(web, provider)["state"]
    assert web.get("/auth/oidc/callback", params={"code": "good-code", "state": state}).status_code == 303


@pytest.mark.parametrize(("tamper", "status", "reason"), [
    ("wrong state", 400, "state is missing, expired or does not match"),
    ("no cookie", 400, "state is missing, expired or does not match"),
    ("wrong nonce", 400, "the ID token is not valid: invalid_claim: Invalid claim: 'nonce'"),
    ("wrong code", 502, "token exchange failed"),  # the provider refuses a code or verifier it did not issue
    ("provider error", 400, "refused the sign-in: access_denied"),
])
def test_a_callback_that_does_not_match_is_refused(web, provider, tamper, status, reason):
    state = _start(web, provider)["state"]
    params = {"code": "good-code", "state": state}
    if tamper == "wrong state":
        params["state"] = "x" * 43
    elif tamper == "no cookie":
        web.cookies.clear()
    elif tamper == "wrong nonce":
        provider.nonce_override = "replayed"
    elif tamper == "wrong code":
        params["code"] = "stolen"
    else:
        params = {"error": "access_denied", "state": state}
    response = web.get("/auth/oidc/callback", params=params)
    assert response.status_code == status and reason in response.json()["detail"]
    assert "gp_session" not in web.cookies


def test_someone_without_a_local_account_is_not_signed_in(web, provider):
    provider.subject = {"sub": "u-2002", "preferred_username": "stranger"}
    state = _start(web, provider)["state"]
    response = web.get("/auth/oidc/callback", params={"code": "good-code", "state": state})
    assert response.status_code == 403 and "No active govpulse account" in response.text
    assert "gp_session" not in web.cookies


def test_oidc_is_off_without_an_issuer(client):
    assert client.get("/auth/oidc/login").status_code == 404


def test_an_identity_provider_sign_in_is_not_held_at_the_password_page(web, provider):
    """The provider proved who signs in, not the one-time password (which they may never have been told); a
    password sign-in of the same account is still sent to change it first."""
    one_time = "One-Time-From-Admin-1"
    with web.app.state.session_factory() as session:
        set_actor(session, Actor.system("test set-up"))
        UserRepository(session).create(Scope.system(), username="ravi", password=one_time,
                                       must_change_password=True, assignments=[AssignmentSpec("collector", "459")])
        session.commit()
    provider.subject = {"sub": "u-3003", "preferred_username": "ravi"}
    state = _start(web, provider, next_url="/flags")["state"]
    assert web.get("/auth/oidc/callback", params={"code": "good-code", "state": state}).headers["location"] == "/flags"
    assert web.get("/api/v1/me").json()["username"] == "ravi"
    assert web.get("/flags", headers={"Accept": "text/html"}).status_code == 200
    web.cookies.clear()
    form = web.get("/auth/login").text
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    signed_in = web.post("/auth/login", data={"username": "ravi", "password": one_time, "csrf_token": token})
    assert signed_in.headers["location"] == "/account/password"
    assert web.get("/api/v1/me").status_code == 403
