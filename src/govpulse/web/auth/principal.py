"""Who is asking: a user (by session cookie, bearer token or basic auth) and the scope their roles give."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasicCredentials
from sqlalchemy.orm import Session

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models import User
from govpulse.catalog.repositories.credentials import SessionRepository, TokenRepository
from govpulse.catalog.repositories.users import UserRepository
from govpulse.core.scope import Scope
from govpulse.web.auth.csrf import SAFE_METHODS, csrf_valid
from govpulse.web.auth.first_password import require_own_password
from govpulse.web.auth.signin import lockout_policy, sign_in_with_password


@dataclass(frozen=True)
class Principal:
    """The reader of one request. ``user`` is None only for apps built with a test ``scope_resolver``."""

    user: User | None
    username: str
    scope: Scope
    via: str
    session_secret: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(username=self.username, user_id=self.user.id if self.user else None, via=self.via)


class SignInRequired(HTTPException):
    """401: no credentials, or credentials that are wrong, expired or revoked."""

    def __init__(self, detail: str = "sign in, or send a bearer token", *, basic: bool = False) -> None:
        challenge = 'Basic realm="govpulse", charset="UTF-8"' if basic else 'Bearer realm="govpulse"'
        super().__init__(status_code=401, detail=detail, headers={"WWW-Authenticate": challenge})


def resolve_principal(request: Request, session: Session, *, bearer: HTTPAuthorizationCredentials | None,
                      cookie: str | None, basic: HTTPBasicCredentials | None = None,
                      csrf_sent: str | None = None, api_token: str | None = None) -> Principal | None:
    """The principal of ``request``, trying bearer token, then basic auth or DHIS2's ``ApiToken`` header (where
    the route allows them), then the session cookie; None when the request carries none. Bad credentials raise
    ``SignInRequired``."""
    state = request.app.state
    if state.scope_resolver is not None:
        return Principal(user=None, username="test", scope=state.scope_resolver(request), via="resolver")
    if bearer is not None:
        principal = _from_token(request, session, bearer.credentials)
    elif basic is not None:
        principal = _from_basic(request, session, basic)
    elif api_token is not None:
        principal = _from_api_token(request, session, api_token)
    elif cookie:
        principal = _from_cookie(request, session, cookie, csrf_sent)
    else:
        return None
    set_actor(session, Actor(username=principal.username, user_id=principal.user.id, via=principal.via,
                             ip=_ip(request)))
    return principal


def _with_scope(session: Session, user: User, via: str, secret: str | None = None) -> Principal:
    return Principal(user=user, username=user.username, scope=UserRepository(session).scope_for(user), via=via,
                     session_secret=secret)


def _from_token(request: Request, session: Session, secret: str) -> Principal:
    repo = TokenRepository(session)
    found = repo.find_active(secret)
    if found is None:
        raise SignInRequired("the bearer token is unknown, expired or revoked")
    token, user = found
    wait = request.app.state.rate_limiter.take(token.id)
    if wait is not None:
        raise HTTPException(429, f"rate limit of this token exceeded; retry in {wait:.0f} s",
                            headers={"Retry-After": str(max(1, round(wait)))})
    repo.mark_used(token)
    session.commit()
    return _with_scope(session, user, "token")


def _from_basic(request: Request, session: Session, basic: HTTPBasicCredentials) -> Principal:
    result = sign_in_with_password(session, basic.username, basic.password, via="basic", ip=_ip(request),
                                   policy=lockout_policy(request.app.state.settings))
    session.commit()
    if result.user is None:
        raise SignInRequired(result.error, basic=True)
    require_own_password(request, result.user, via="basic")
    return _with_scope(session, result.user, "basic")


API_TOKEN_CHALLENGE = 'ApiToken realm="govpulse"'
"""DHIS2's challenge for a rejected personal access token (its ``DhisApiTokenAuthenticationEntryPoint``)."""


def _from_api_token(request: Request, session: Session, secret: str) -> Principal:
    """A govpulse API token sent as DHIS2 sends a personal access token (``Authorization: ApiToken ...``): the
    same user, scope and rate limit as ``Bearer``, and a rejection challenged in DHIS2's scheme."""
    try:
        return _from_token(request, session, secret)
    except SignInRequired:
        rejected = SignInRequired("the API token is unknown, expired or revoked")
        rejected.headers = {"WWW-Authenticate": API_TOKEN_CHALLENGE}
        raise rejected from None


def _from_cookie(request: Request, session: Session, secret: str, csrf_sent: str | None) -> Principal:
    found = SessionRepository(session).find_active(secret)
    if found is None:
        raise SignInRequired("your session has ended: sign in again")
    if request.method not in SAFE_METHODS and not csrf_valid(request.app.state.secret_key, secret, csrf_sent):
        raise HTTPException(403, "missing or wrong CSRF token (send the csrf_token form field or the "
                                 "X-CSRF-Token header)")
    require_own_password(request, found[1], via="session", signed_in_with=found[0].via)
    return _with_scope(session, found[1], "session", secret)


def _ip(request: Request) -> str:
    return request.client.host if request.client else ""
