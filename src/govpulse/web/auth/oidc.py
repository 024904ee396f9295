"""Optional sign-in with OpenID Connect (authorization code flow with PKCE), for states with an identity provider.

On when ``oidc_issuer`` and ``oidc_client_id`` are set. The provider only proves who someone is: their roles
come from the local account, found by a linked (issuer, subject) or, the first time, by the user name claim.
State, nonce and PKCE verifier travel in a short-lived HMAC-signed, HTTP-only cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import time

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.catalog.audit import Actor, Event, emit, set_actor
from govpulse.catalog.models import ExternalIdentity, User
from govpulse.catalog.repositories.credentials import LoginAttemptRepository
from govpulse.catalog.repositories.users import UserRepository
from govpulse.settings import Settings
from govpulse.web.auth.routes import safe_next, start_session
from govpulse.web.deps import SessionDep

router = APIRouter(prefix="/auth/oidc", include_in_schema=False)

STATE_COOKIE = "gp_oidc"
STATE_MAX_AGE = 600


def enabled(settings: Settings) -> bool:
    return bool(settings.oidc_issuer and settings.oidc_client_id)


def sign_state(key: str, payload: dict) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
    mac = hmac.new(key.encode(), f"oidc:{body}".encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def read_state(key: str, value: str | None, *, max_age: int = STATE_MAX_AGE) -> dict | None:
    """The payload of a state cookie made by ``sign_state``; None when missing, forged or too old."""
    if not value or "." not in value:
        return None
    body, mac = value.rsplit(".", 1)
    expected = hmac.new(key.encode(), f"oidc:{body}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, mac):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(body.encode()))
    except ValueError:
        return None
    return payload if time.time() - payload.get("at", 0) <= max_age else None


def _client(request: Request) -> httpx.Client:
    return httpx.Client(transport=request.app.state.oidc_transport, timeout=10)


def provider_metadata(request: Request) -> dict:
    """The provider's discovery document (read once per app)."""
    cached = getattr(request.app.state, "oidc_metadata", None)
    if cached:
        return cached
    issuer = request.app.state.settings.oidc_issuer.rstrip("/")
    try:
        with _client(request) as client:
            response = client.get(f"{issuer}/.well-known/openid-configuration")
            response.raise_for_status()
            metadata = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise HTTPException(502, f"the identity provider {issuer} did not answer its discovery document: "
                                 f"{error}") from error
    if metadata.get("issuer", "").rstrip("/") != issuer:
        raise HTTPException(502, f"the identity provider calls itself {metadata.get('issuer')!r}, not {issuer!r}")
    request.app.state.oidc_metadata = metadata
    return metadata


def callback_url(request: Request) -> str:
    return str(request.url_for("oidc_callback"))


@router.get("/login")
def oidc_login(request: Request, next: str = "/") -> Response:
    """Send the browser to the identity provider, remembering state, nonce and the PKCE verifier."""
    settings = request.app.state.settings
    metadata = provider_metadata(request)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    url = prepare_grant_uri(
        metadata["authorization_endpoint"], settings.oidc_client_id, "code", redirect_uri=callback_url(request),
        scope=settings.oidc_scopes, state=state, nonce=nonce,
        code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256",
    )
    response = RedirectResponse(url, status_code=302)
    payload = {"state": state, "nonce": nonce, "verifier": verifier, "next": safe_next(next), "at": time.time()}
    response.set_cookie(STATE_COOKIE, sign_state(request.app.state.secret_key, payload), max_age=STATE_MAX_AGE,
                        httponly=True, secure=settings.session_cookie_secure, samesite="lax", path="/auth/oidc")
    return response


@router.get("/callback", name="oidc_callback")
def oidc_callback(request: Request, session: SessionDep, code: str | None = None, state: str | None = None,
                  error: str | None = None) -> Response:
    if error:
        raise HTTPException(400, f"the identity provider refused the sign-in: {error}")
    saved = read_state(request.app.state.secret_key, request.cookies.get(STATE_COOKIE))
    if saved is None or not state or not hmac.compare_digest(saved["state"], state):
        raise HTTPException(400, "the sign-in state is missing, expired or does not match: start again")
    if not code:
        raise HTTPException(400, "the identity provider sent no authorization code")
    settings = request.app.state.settings
    metadata = provider_metadata(request)
    claims = _id_token_claims(request, metadata, code, saved)
    user = _local_user(session, metadata["issuer"], claims, settings.oidc_username_claim)
    ip = request.client.host if request.client else ""
    username = user.username if user else str(claims.get(settings.oidc_username_claim) or claims["sub"])
    set_actor(session, Actor(username=username[:128], user_id=user.id if user else None, via="oidc", ip=ip))
    succeeded = user is not None and user.is_active
    LoginAttemptRepository(session).record(username, succeeded=succeeded, ip=ip, via="oidc")
    if not succeeded:
        emit(session, Event("sign-in-failed", "user", username, detail="via oidc: no active local account"))
        session.commit()
        return HTMLResponse(f"<p>No active govpulse account for {html.escape(username)!r}. Ask an "
                            "administrator.</p>", status_code=403)
    emit(session, Event("sign-in", "user", username, detail="via oidc"))
    response = start_session(request, session, user, via="oidc", next_url=saved["next"])
    response.delete_cookie(STATE_COOKIE, path="/auth/oidc")
    return response


def _id_token_claims(request: Request, metadata: dict, code: str, saved: dict) -> dict:
    """Exchange ``code`` for tokens and return the ID token's verified claims (signature, issuer, audience,
    expiry, nonce)."""
    settings = request.app.state.settings
    try:
        with _client(request) as client:
            response = client.post(metadata["token_endpoint"], data={
                "grant_type": "authorization_code", "code": code, "redirect_uri": callback_url(request),
                "client_id": settings.oidc_client_id, "client_secret": settings.oidc_client_secret,
                "code_verifier": saved["verifier"]})
            response.raise_for_status()
            tokens = response.json()
            keys = client.get(metadata["jwks_uri"]).raise_for_status().json()
    except (httpx.HTTPError, ValueError, KeyError) as error:
        raise HTTPException(502, f"the identity provider's token exchange failed: {error}") from error
    if "id_token" not in tokens:
        raise HTTPException(502, "the identity provider returned no ID token")
    algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    try:
        token = jwt.decode(tokens["id_token"], KeySet.import_key_set(keys),
                           registry=JWSRegistry(algorithms=algorithms, strict_check_header=False))
        claims = CodeIDToken(
            token.claims, token.header,
            {"iss": {"essential": True, "value": metadata["issuer"]},
             "aud": {"essential": True, "value": settings.oidc_client_id}},
            {"nonce": saved["nonce"], "client_id": settings.oidc_client_id,
             "access_token": tokens.get("access_token")},
        )
        claims.validate(leeway=120)
    except (JoseError, ValueError) as error:
        raise HTTPException(400, f"the ID token is not valid: {error}") from error
    return dict(claims)


def _local_user(session: Session, issuer: str, claims: dict, username_claim: str) -> User | None:
    """The account linked to (issuer, subject); on first sign-in, the account named by the username claim,
    which is then linked (and the link audited)."""
    link = session.scalar(select(ExternalIdentity).where(ExternalIdentity.issuer == issuer,
                                                         ExternalIdentity.subject == str(claims["sub"])))
    if link is not None:
        return session.get(User, link.user_id)
    name = claims.get(username_claim)
    user = UserRepository(session).for_sign_in(str(name)) if name else None
    if user is not None and user.is_active:
        session.add(ExternalIdentity(user_id=user.id, issuer=issuer, subject=str(claims["sub"])))
        session.flush()
        emit(session, Event("link-identity", "user", user.username, after={"issuer": issuer, "subject": claims["sub"]}))
    return user
