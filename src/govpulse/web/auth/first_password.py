"""A password someone else chose opens one page: the one to replace it.

Accounts made by the demo, ``govpulse user add`` or an admin carry ``User.must_change_password``. Until the
owner changes the password at ``/account/password``, a request authenticated by that password (a browser
session it opened, or HTTP basic auth) may reach only that page and sign-out; static files need no sign-in.
Browsers are sent to the page (303, see ``errors.py``), API clients get a 403 problem saying so.

Not gated, and why:

- bearer tokens: the account's owner cannot make one while the flag is set (``POST /api/v1/tokens`` needs a
  session or basic auth, both gated), so a token of such an account was made by an admin (``govpulse user
  token``, a service account) or before the password was reset. It never depended on the one-time password.
- sessions opened through OpenID Connect: the identity provider proved who signs in, not the local password
  (which they may never have been told).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import HTTPException, Request

from govpulse.catalog.models import User

PASSWORD_PAGE = "/account/password"
OPEN_WHILE_CHANGING = frozenset({PASSWORD_PAGE, "/auth/logout"})
NOT_BY_PASSWORD = frozenset({"oidc"})


class PasswordChangeRequired(HTTPException):
    """403: the account must change the password someone else chose before anything else. ``via`` says how
    the request was authenticated (``session`` or ``basic``), so a browser can be sent to the page instead."""

    def __init__(self, username: str, *, via: str) -> None:
        super().__init__(status_code=403, detail=(
            f"the password of {username!r} was chosen by someone else and must be changed before this account "
            f"can do anything else: sign in at /auth/login in a browser, enter the current and a new password at "
            f"{PASSWORD_PAGE}, then try again"))
        self.via = via


def require_own_password(request: Request, user: User, *, via: str, signed_in_with: str = "password") -> None:
    """Raise ``PasswordChangeRequired`` when ``user`` still has a password chosen for them and this request,
    authenticated by it, asks for anything but the password page or sign-out."""
    if (user.must_change_password and signed_in_with not in NOT_BY_PASSWORD
            and request.url.path not in OPEN_WHILE_CHANGING):
        raise PasswordChangeRequired(user.username, via=via)


def password_page_url(next_url: str | None) -> str:
    """The password page, returning to ``next_url`` (a path on this site) once the password is changed."""
    if (not next_url or next_url == "/" or not next_url.startswith("/") or next_url.startswith("//")
            or next_url.startswith(PASSWORD_PAGE)):
        return PASSWORD_PAGE
    return f"{PASSWORD_PAGE}?next={quote(next_url, safe='')}"
