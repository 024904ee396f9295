"""Typed dependencies: handlers declare what they need (session, scope, settings)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from sqlalchemy.orm import Session

from govpulse.catalog.repositories.paging import MAX_PAGE_SIZE, PageRequest
from govpulse.core.scope import Scope
from govpulse.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


def get_scope(request: Request) -> Scope:
    """The reader's scope. Until sign-in lands every reader sees everything; the access layer replaces this."""
    return request.app.state.scope_resolver(request)


def get_page(
    page: Annotated[int, Query(ge=1, description="Page number, from 1.")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")] = 50,
) -> PageRequest:
    return PageRequest(page=page, page_size=page_size)


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
ScopeDep = Annotated[Scope, Depends(get_scope)]
PageDep = Annotated[PageRequest, Depends(get_page)]


def not_found(what: str, code: str) -> HTTPException:
    """Out of scope and absent look the same from outside: 404."""
    return HTTPException(status_code=404, detail=f"no {what} with code {code!r}")
