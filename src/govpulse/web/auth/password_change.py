"""The owner of an account changes its password: the lock-out of sign-in also guards the current-password check.

A stolen browser session must not become a way to guess the password, so a wrong current password counts as a
failed sign-in of the account (``via="change"``), and while the account is locked out the check is not made.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from govpulse.catalog.audit import Event, emit
from govpulse.catalog.models import User
from govpulse.catalog.repositories.credentials import LockoutPolicy, LoginAttemptRepository
from govpulse.catalog.repositories.users import PasswordRejected, UserRepository


def change_password(session: Session, user: User, *, current: str, new: str, repeat: str,
                    policy: LockoutPolicy, ip: str = "") -> None:
    """Replace ``user``'s password with ``new`` (typed twice) after checking ``current``; clears
    ``must_change_password`` and ends the account's browser sessions. Raises ``PasswordRejected`` naming the
    rule that failed; nothing changes then, except that a wrong current password is recorded."""
    attempts = LoginAttemptRepository(session)
    until = attempts.locked_until(user.username, policy)
    if until is not None:
        raise _locked(until)
    if new != repeat:
        raise PasswordRejected("mismatch", "the two new passwords differ: type the same one twice")
    try:
        UserRepository(session).change_own_password(user, current=current, new=new)
    except PasswordRejected as rejected:
        if rejected.reason == "wrong_current":
            attempts.record(user.username, succeeded=False, ip=ip, via="change")
            emit(session, Event("change-password-failed", "user", user.username, detail="wrong current password"))
            until = attempts.locked_until(user.username, policy)
            if until is not None:
                raise _locked(until) from None
        raise


def _locked(until: datetime) -> PasswordRejected:
    when = f"{until:%Y-%m-%d %H:%M}"
    return PasswordRejected("locked", f"too many wrong passwords: try again after {when} UTC", until=when)
