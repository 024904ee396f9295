"""Typed dependencies: handlers declare what they need (session, current user, scope, settings, page).

``CurrentUser`` is the signed-in reader (session cookie with CSRF on writes, or bearer token); ``ScopeDep`` is
what their roles let them see and do, handed to every repository call. Routes of the DHIS2-compatible API use
``BasicCurrentUser`` / ``BasicScopeDep``, which also accept HTTP basic auth as DHIS2 clients send it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials, HTTPBearer
from sqlalchemy.orm import Session

from govpulse.catalog.repositories.paging import MAX_PAGE_SIZE, PageRequest
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.warehouse import Warehouse, connect
from govpulse.web.auth.csrf import SESSION_COOKIE, sent_csrf_token
from govpulse.web.auth.principal import Principal, SignInRequired, resolve_principal

bearer_auth = HTTPBearer(auto_error=False, scheme_name="bearer",
                         description="An API token (`Authorization: Bearer gpt_...`), made at POST /api/v1/tokens.")
cookie_auth = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, scheme_name="cookie",
                           description="The browser session set by signing in at /auth/login. Writes also need "
                                       "the CSRF token in the `X-CSRF-Token` header (see GET /api/v1/me).")
basic_auth = HTTPBasic(auto_error=False, scheme_name="basic", realm="govpulse",
                       description="User name and password, for the DHIS2-compatible endpoints and for making "
                                   "a first token.")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_principal(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_auth)],
    cookie: Annotated[str | None, Depends(cookie_auth)],
    csrf_sent: Annotated[str | None, Depends(sent_csrf_token)],
) -> Principal:
    principal = resolve_principal(request, session, bearer=bearer, cookie=cookie, csrf_sent=csrf_sent)
    if principal is None:
        raise SignInRequired()
    return principal


def get_principal_or_basic(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_auth)],
    basic: Annotated[HTTPBasicCredentials | None, Depends(basic_auth)],
    cookie: Annotated[str | None, Depends(cookie_auth)],
    csrf_sent: Annotated[str | None, Depends(sent_csrf_token)],
) -> Principal:
    principal = resolve_principal(request, session, bearer=bearer, basic=basic, cookie=cookie, csrf_sent=csrf_sent)
    if principal is None:
        raise SignInRequired(basic=True)
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]
BasicCurrentUser = Annotated[Principal, Depends(get_principal_or_basic)]


def get_scope(principal: CurrentUser) -> Scope:
    """The reader's scope, built from their role assignments (``core/access.py``)."""
    return principal.scope


def get_scope_basic(principal: BasicCurrentUser) -> Scope:
    return principal.scope


def get_page(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")] = 50,
) -> PageRequest:
    return PageRequest(page=page, page_size=page_size)


SettingsDep = Annotated[Settings, Depends(get_settings)]
ScopeDep = Annotated[Scope, Depends(get_scope)]
BasicScopeDep = Annotated[Scope, Depends(get_scope_basic)]
PageDep = Annotated[PageRequest, Depends(get_page)]


def not_found(what: str, code: str) -> HTTPException:
    """Out of scope and absent look the same from outside: 404."""
    return HTTPException(status_code=404, detail=f"no {what} with code {code!r}")


_OPEN_WAREHOUSE = threading.Lock()


def get_warehouse(request: Request) -> Warehouse:
    """The app's warehouse (``app.state.warehouse``), opened once on first use from the settings' URL.

    One process is the warehouse's single writer; requests read on cursors of the same connection."""
    return warehouse_of(request.app)


def warehouse_of(app) -> Warehouse:
    """The warehouse of ``app``, opened on first use (also for the scheduler, outside any request)."""
    state = app.state
    warehouse = getattr(state, "warehouse", None)
    if warehouse is None:
        with _OPEN_WAREHOUSE:
            warehouse = getattr(state, "warehouse", None)
            if warehouse is None:
                warehouse = state.warehouse = connect(state.settings.warehouse_url)
    return warehouse


WarehouseDep = Annotated[Warehouse, Depends(get_warehouse)]
