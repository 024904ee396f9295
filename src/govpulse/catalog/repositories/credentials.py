"""Credentials: password hashing (argon2), browser sessions and API tokens (stored as hashes), sign-in attempts
and the lock-out they lead to.

A clear password or token exists only in the request that carries it and in the one response that hands a new
token out; this module hashes before anything is stored.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from govpulse.catalog.audit import Event, as_utc, emit, json_value
from govpulse.catalog.models import ApiToken, LoginAttempt, User, UserSession
from govpulse.catalog.models.base import utcnow
from govpulse.core.access import CREATE_TOKEN
from govpulse.core.scope import Scope

MIN_PASSWORD_LENGTH = 8
SESSION_PREFIX = "gps"
TOKEN_PREFIX = "gpt"


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; the clear text is not recoverable)."""
    check_password_policy(password)
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches. An account without a password still costs one hash, so a wrong user
    name and a wrong password take the same time."""
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_secret(prefix: str) -> str:
    """A random secret (256 bits) with a short prefix that says what it is (``gpt_`` token, ``gps_`` session)."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_secret(secret: str) -> str:
    """SHA-256 of a random secret: enough for 256-bit secrets, and fast to look up."""
    return hashlib.sha256(secret.encode()).hexdigest()


class SessionRepository:
    """Browser sessions: the cookie carries the secret, the table only its hash."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def create(self, user: User, *, hours: float, via: str = "password", ip: str = "",
               user_agent: str = "") -> tuple[UserSession, str]:
        secret = new_secret(SESSION_PREFIX)
        row = UserSession(user_id=user.id, token_hash=hash_secret(secret), via=via, ip=ip[:64],
                          user_agent=user_agent[:255], expires_at=utcnow() + timedelta(hours=hours))
        self.session.add(row)
        self.session.flush()
        return row, secret

    def find_active(self, secret: str) -> tuple[UserSession, User] | None:
        """The live session for a cookie value and its (active) user, or None."""
        stmt = (select(UserSession, User).join(User, User.id == UserSession.user_id)
                .where(UserSession.token_hash == hash_secret(secret), UserSession.revoked_at.is_(None),
                       UserSession.expires_at > utcnow(), User.is_active.is_(True)))
        row = self.session.execute(stmt).first()
        return (row[0], row[1]) if row else None

    def revoke(self, secret: str) -> None:
        self.session.execute(update(UserSession).where(UserSession.token_hash == hash_secret(secret))
                             .values(revoked_at=utcnow()))

    def revoke_all(self, user_id: int) -> None:
        self.session.execute(update(UserSession).where(UserSession.user_id == user_id,
                                                       UserSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


def token_snapshot(token: ApiToken, username: str) -> dict:
    return {"user": username, "name": token.name, "prefix": token.prefix,
            "expires_at": json_value(token.expires_at), "revoked_at": json_value(token.revoked_at)}


class TokenRepository:
    """API tokens for programs (``Authorization: Bearer gpt_...``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def create(self, user: User, scope: Scope, *, name: str, expires_at: datetime | None = None
               ) -> tuple[ApiToken, str]:
        """A new token for ``user`` (the reader, or anyone for ``manage-users``); the secret is returned once."""
        scope.require(CREATE_TOKEN)
        secret = new_secret(TOKEN_PREFIX)
        token = ApiToken(user_id=user.id, name=name, prefix=secret[: len(TOKEN_PREFIX) + 7],
                         token_hash=hash_secret(secret), expires_at=expires_at)
        self.session.add(token)
        self.session.flush()
        emit(self.session, Event("create", "api_token", f"{user.username}/{token.prefix}",
                                 after=token_snapshot(token, user.username)))
        return token, secret

    def find_active(self, secret: str) -> tuple[ApiToken, User] | None:
        now = utcnow()
        stmt = (select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                .where(ApiToken.token_hash == hash_secret(secret), ApiToken.revoked_at.is_(None),
                       (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now), User.is_active.is_(True)))
        row = self.session.execute(stmt).first()
        return (row[0], row[1]) if row else None

    def mark_used(self, token: ApiToken) -> None:
        """Note when a token was last used (at most once a minute, to keep reads from writing every time)."""
        now = utcnow()
        if token.last_used_at is None or now - as_utc(token.last_used_at) > timedelta(minutes=1):
            token.last_used_at = now

    def list_for(self, user: User) -> list[ApiToken]:
        return list(self.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                         .order_by(ApiToken.id)))

    def revoke(self, user: User, prefix: str, scope: Scope) -> ApiToken | None:
        """Revoke ``user``'s token with ``prefix``; None when there is none."""
        scope.require(CREATE_TOKEN)
        token = self.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.prefix == prefix))
        if token is None:
            return None
        if token.revoked_at is None:
            before = token_snapshot(token, user.username)
            token.revoked_at = utcnow()
            self.session.flush()
            emit(self.session, Event("revoke", "api_token", f"{user.username}/{prefix}", before=before,
                                     after=token_snapshot(token, user.username)))
        return token

    def revoke_all(self, user_id: int) -> None:
        self.session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                             .values(revoked_at=utcnow()))


@dataclass(frozen=True)
class LockoutPolicy:
    """After ``max_failures`` failed sign-ins within ``window`` (with no success in between), the account is
    refused for ``duration`` after the last failure."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    duration: timedelta = timedelta(minutes=15)


def locked_until(attempts: list[tuple[datetime, bool]], policy: LockoutPolicy, now: datetime) -> datetime | None:
    """When the lock-out ends, given (time, succeeded) attempts oldest first; None when not locked."""
    failures = []
    for at, succeeded in attempts:
        if now - at > policy.window:
            continue
        failures = [] if succeeded else failures + [at]
    if len(failures) < policy.max_failures:
        return None
    until = failures[-1] + policy.duration
    return until if until > now else None


class LoginAttemptRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, username: str, *, succeeded: bool, ip: str = "", via: str = "password") -> None:
        self.session.add(LoginAttempt(username=username[:128], succeeded=succeeded, ip=ip[:64], via=via))
        self.session.flush()

    def locked_until(self, username: str, policy: LockoutPolicy) -> datetime | None:
        now = utcnow()
        stmt = (select(LoginAttempt.at, LoginAttempt.succeeded)
                .where(LoginAttempt.username == username[:128], LoginAttempt.at >= now - policy.window)
                .order_by(LoginAttempt.at, LoginAttempt.id))
        attempts = [(as_utc(at), ok) for at, ok in self.session.execute(stmt)]
        return locked_until(attempts, policy, now)
