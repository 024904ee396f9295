"""Sign-in and sign-out pages for the browser (the session cookie is HTTP-only, Secure, SameSite=Lax)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govpulse.catalog.audit import Event, emit
from govpulse.catalog.models import User
from govpulse.catalog.repositories.credentials import SessionRepository
from govpulse.web.auth.csrf import (
    PRESESSION_COOKIE,
    SESSION_COOKIE,
    csrf_token,
    csrf_valid,
    new_presession_value,
)
from govpulse.web.auth.first_password import password_page_url
from govpulse.web.auth.signin import lockout_policy, sign_in_with_password
from govpulse.web.deps import CurrentUser, SessionDep, SettingsDep
from govpulse.web.ui.templating import templates

router = APIRouter(prefix="/auth", include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path on this site is followed after sign-in (never ``//evil.example`` or a full URL)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _sign_in_page(request: Request, *, next_url: str, error: str = "", username: str = "",
                  status: int = 200) -> Response:
    anchor = request.cookies.get(PRESESSION_COOKIE) or new_presession_value()
    context = {"csrf_token": csrf_token(request.app.state.secret_key, anchor), "next": safe_next(next_url),
               "error": error, "username": username, "oidc": bool(request.app.state.oidc_enabled)}
    response = templates().TemplateResponse(request, "admin/sign_in.html", context, status_code=status)
    response.set_cookie(PRESESSION_COOKIE, anchor, httponly=True, samesite="lax", path="/auth",
                        secure=request.app.state.settings.session_cookie_secure)
    return response


def start_session(request: Request, session, user: User, *, via: str, next_url: str) -> Response:
    """Open a browser session for ``user`` (a fresh secret at every sign-in) and go to ``next_url``."""
    settings = request.app.state.settings
    _row, secret = SessionRepository(session).create(
        user, hours=settings.session_hours, via=via, ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""))
    session.commit()
    response = RedirectResponse(safe_next(next_url), status_code=303)
    response.set_cookie(SESSION_COOKIE, secret, max_age=int(settings.session_hours * 3600), httponly=True,
                        secure=settings.session_cookie_secure, samesite="lax", path="/")
    response.delete_cookie(PRESESSION_COOKIE, path="/auth")
    return response


@router.get("/login", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str = "/"):
    return _sign_in_page(request, next_url=next)


@router.post("/login")
def sign_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=128)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token_field: Annotated[str, Form(alias="csrf_token")] = "",
    next: Annotated[str, Form()] = "/",
):
    anchor = request.cookies.get(PRESESSION_COOKIE)
    if not csrf_valid(request.app.state.secret_key, anchor, csrf_token_field):
        raise HTTPException(403, "missing or wrong CSRF token: reload the sign-in page")
    result = sign_in_with_password(session, username, password, policy=lockout_policy(settings),
                                   ip=request.client.host if request.client else "")
    session.commit()
    if result.user is None:
        status = 429 if result.locked_until else 401
        return _sign_in_page(request, next_url=next, error=result.error, username=username, status=status)
    if result.user.must_change_password:  # straight to the one page it may open (first_password.py)
        next = password_page_url(safe_next(next))
    return start_session(request, session, result.user, via="password", next_url=next)


@router.post("/logout")
def sign_out(request: Request, session: SessionDep, user: CurrentUser):
    """Sign out (the CSRF token is checked by ``CurrentUser``, as for every cookie-authenticated write)."""
    if user.session_secret:
        SessionRepository(session).revoke(user.session_secret)
        emit(session, Event("sign-out", "user", user.username))
        session.commit()
    response = RedirectResponse("/auth/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
