"""Signing in with a user name and password: lock-out first, then the argon2 check, every attempt recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from govpulse.catalog.audit import Actor, Event, emit, set_actor
from govpulse.catalog.models import User
from govpulse.catalog.repositories.credentials import LockoutPolicy, LoginAttemptRepository, verify_password
from govpulse.catalog.repositories.users import UserRepository
from govpulse.settings import Settings

WRONG = "wrong user name or password"


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str = ""
    locked_until: datetime | None = None


def lockout_policy(settings: Settings) -> LockoutPolicy:
    minutes = timedelta(minutes=settings.login_lockout_minutes)
    return LockoutPolicy(max_failures=settings.login_max_failures, window=minutes, duration=minutes)


def locked_message(until: datetime) -> str:
    return f"too many failed sign-ins: this account is locked until {until:%Y-%m-%d %H:%M} UTC"


def sign_in_with_password(session: Session, username: str, password: str, *, policy: LockoutPolicy,
                          ip: str = "", via: str = "password") -> SignInResult:
    """Check ``password`` for ``username``; record the attempt and audit it. While an account is locked the
    password is not even checked. Basic auth (``via="basic"``) runs on every request, so its successes are not
    audited one by one; its failures count towards the lock-out like any other."""
    attempts = LoginAttemptRepository(session)
    until = attempts.locked_until(username, policy)
    if until is not None:
        return SignInResult(None, locked_message(until), until)
    user = UserRepository(session).for_sign_in(username)
    ok = verify_password(user.password_hash if user else None, password) and user is not None and user.is_active
    set_actor(session, Actor(username=username[:128], user_id=user.id if user else None, via=via, ip=ip))
    if ok:
        if via != "basic":
            attempts.record(username, succeeded=True, ip=ip, via=via)
            emit(session, Event("sign-in", "user", username, detail=f"via {via}"))
        return SignInResult(user)
    attempts.record(username, succeeded=False, ip=ip, via=via)
    reason = "disabled account" if user is not None and not user.is_active and verify_password(
        user.password_hash, password) else WRONG
    emit(session, Event("sign-in-failed", "user", username, detail=f"via {via}: {reason}"))
    until = attempts.locked_until(username, policy)
    if until is not None:
        emit(session, Event("lock-out", "user", username, detail=f"locked until {until.isoformat()}"))
        return SignInResult(None, locked_message(until), until)
    return SignInResult(None, WRONG)
