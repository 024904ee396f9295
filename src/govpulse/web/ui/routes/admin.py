"""The admin page: accounts and their roles (add, disable) and the latest audit entries.

The page asks the same repositories as the API with the reader's scope: someone without ``view-users`` gets
403, and the add/disable forms work only for ``manage-users``. Forms carry the session's CSRF token.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from govpulse.catalog.audit import AuditFilter, AuditRepository
from govpulse.catalog.repositories.paging import PageRequest
from govpulse.catalog.repositories.users import AssignmentSpec, InvalidUser, UserRepository
from govpulse.core.access import ROLES, VIEW_AUDIT, InvalidAssignment
from govpulse.web.auth.csrf import csrf_token
from govpulse.web.deps import CurrentUser, SessionDep
from govpulse.web.ui.pages import use_account_language
from govpulse.web.ui.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)


def _codes(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())


def _page(request: Request, session, principal, *, message: str = "", error: str = "", status: int = 200):
    use_account_language(request, principal)
    repo = UserRepository(session)
    users = repo.list(principal.scope, PageRequest(page=1, page_size=500)).items
    audit = (AuditRepository(session).list(AuditFilter(), principal.scope, PageRequest(page_size=50)).items
             if principal.scope.can(VIEW_AUDIT) else [])
    context = {
        "users": users, "roles_of": repo.assignments(users), "roles": list(ROLES.values()), "audit": audit,
        "me": principal.username, "message": message, "error": error,
        "csrf_token": csrf_token(request.app.state.secret_key, principal.session_secret or ""),
    }
    return templates().TemplateResponse(request, "admin/users.html", context, status_code=status)


@router.get("", response_class=HTMLResponse)
def admin_home():
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, principal: CurrentUser):
    return _page(request, session, principal)


@router.post("/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    username: Annotated[str, Form(max_length=128)],
    role: Annotated[str, Form(max_length=32)],
    full_name: Annotated[str, Form(max_length=255)] = "",
    org_unit: Annotated[str, Form(max_length=64)] = "",
    departments: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
):
    one_time = password or secrets.token_urlsafe(12)
    spec = AssignmentSpec(role=role, org_unit=org_unit.strip() or None, departments=_codes(departments))
    try:
        UserRepository(session).create(principal.scope, username=username.strip(), password=one_time,
                                       full_name=full_name, assignments=[spec], must_change_password=True)
    except (InvalidUser, InvalidAssignment, ValueError) as error:
        session.rollback()
        return _page(request, session, principal, error=str(error), status=422)
    session.commit()
    shown = "" if password else f" One-time password (shown once): {one_time}"
    return _page(request, session, principal, message=f"Added {username}.{shown}")


@router.post("/users/{username}/disable")
def disable_user(username: str, session: SessionDep, principal: CurrentUser):
    UserRepository(session).disable(principal.scope, username, by=principal.user)
    session.commit()
    return RedirectResponse("/admin/users", status_code=303)
