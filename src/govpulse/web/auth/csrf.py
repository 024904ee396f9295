"""CSRF protection for requests authenticated by the session cookie.

The token is an HMAC of a value the attacker cannot read: the session cookie once signed in, a random
pre-session cookie on the sign-in form. Forms send it as ``csrf_token``, scripts as ``X-CSRF-Token``. Bearer
tokens and basic auth are not sent by browsers on their own, so those requests need no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

SESSION_COOKIE = "gp_session"
PRESESSION_COOKIE = "gp_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(key: str, anchor: str) -> str:
    """The CSRF token that goes with the cookie value ``anchor``."""
    return hmac.new(key.encode(), f"csrf:{anchor}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(key: str, anchor: str | None, sent: str | None) -> bool:
    return bool(anchor and sent) and hmac.compare_digest(csrf_token(key, anchor), sent)


def new_presession_value() -> str:
    return secrets.token_urlsafe(24)


async def sent_csrf_token(request: Request) -> str | None:
    """The CSRF token a request carries (header, or form field of a form post); None on safe methods."""
    if request.method in SAFE_METHODS:
        return None
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None
