"""Accounts, role assignments, the reader's own account and scope, and API tokens.

Handlers parse, call one repository method with the reader's scope, and shape the answer; the repositories
check the actions (``view-users``, ``manage-users``, ``debug-scope``, ``create-token``).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from govpulse.catalog.models import ApiToken, RoleAssignment, User
from govpulse.catalog.models.base import utcnow
from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository, assignment_dict
from govpulse.core.access import ROLES, explain_scope
from govpulse.web.api.routes.audit import UtcDatetime
from govpulse.web.api.problems import PROBLEM_JSON
from govpulse.web.api.schemas import PageOut, Problem
from govpulse.web.auth.csrf import csrf_token
from govpulse.web.auth.principal import Principal, SignInRequired
from govpulse.web.deps import BasicCurrentUser, CurrentUser, PageDep, ScopeDep, SessionDep

router = APIRouter(tags=["users"])

RoleName = Literal[tuple(ROLES)]  # type: ignore[valid-type]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
Text = Annotated[str, StringConstraints(max_length=255, pattern=r"^[^\x00-\x1f\x7f]*$")]
UsernamePath = Annotated[str, Path(max_length=128, description="The account's user name.")]


class AssignmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: RoleName = Field(description="One of the roles (see GET /api/v1/roles).")
    org_unit: Code | None = Field(default=None, description="Org unit code (e.g. a district's LGD code).")
    departments: list[Code] = Field(default_factory=list, max_length=50, description="Limit to these departments.")
    sources: list[Code] = Field(default_factory=list, max_length=50, description="Operators: limit to sources.")


class AssignmentOut(BaseModel):
    role: str
    org_unit: str | None
    departments: list[str]
    sources: list[str]


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")]
    full_name: Text = ""
    email: Text = ""
    password: Annotated[str, StringConstraints(min_length=8, max_length=1024)] | None = Field(
        default=None, description="Leave out to have a one-time password generated and returned once.")
    roles: list[AssignmentIn] = Field(default_factory=list, max_length=20)


class UserOut(BaseModel):
    username: str
    full_name: str
    email: str
    is_active: bool
    roles: list[AssignmentOut]
    created_at: UtcDatetime | None = None


class UserCreatedOut(UserOut):
    one_time_password: str | None = Field(default=None, description="Shown only in this response.")


class GrantOut(BaseModel):
    reason: str
    path: str | None = Field(description="Org-unit subtree (materialised-path prefix); null = every org unit.")
    departments: list[str] | None
    sources: list[str] | None
    actions: list[str]


class ScopeOut(BaseModel):
    """What an account may see and do, and why (one grant per role assignment)."""

    reason: str
    unrestricted: bool
    paths: list[str] | None
    departments: list[str] | None
    sources: list[str] | None
    actions: list[str]
    grants: list[GrantOut]


class MeOut(BaseModel):
    username: str
    via: str = Field(description="How this request was authenticated: session, token or basic.")
    csrf_token: str | None = Field(default=None, description="For cookie-authenticated writes (X-CSRF-Token).")
    scope: ScopeOut


class RoleOut(BaseModel):
    name: str
    title: str
    description: str
    actions: list[str]
    org_unit_kinds: list[str] | None
    org_unit_required: bool
    departments_required: bool


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")]
    expires_in_days: int | None = Field(default=None, ge=1, le=3650, description="Leave out: never expires.")


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    created_at: UtcDatetime
    expires_at: UtcDatetime | None
    last_used_at: UtcDatetime | None
    revoked_at: UtcDatetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret: shown only in this response, stored only as a hash.")


def user_out(user: User, rows: list[RoleAssignment], model: type[UserOut] = UserOut, **extra) -> UserOut:
    return model(username=user.username, full_name=user.full_name, email=user.email, is_active=user.is_active,
                 roles=[AssignmentOut(**assignment_dict(a)) for a in rows], created_at=user.created_at, **extra)


def _account(principal: Principal) -> User:
    if principal.user is None:
        raise SignInRequired("this request is not made by an account")
    return principal.user


@router.get("/roles", response_model=list[RoleOut], summary="The roles and what each may do")
def list_roles(_user: CurrentUser):
    return [RoleOut(name=r.name, title=r.title, description=r.description, actions=sorted(r.actions),
                    org_unit_kinds=None if r.anchor_kinds is None else sorted(r.anchor_kinds),
                    org_unit_required=r.org_unit_required, departments_required=r.departments_required)
            for r in ROLES.values()]


@router.get("/users", response_model=PageOut[UserOut], summary="Accounts (needs view-users)")
def list_users(session: SessionDep, scope: ScopeDep, page: PageDep,
               q: Annotated[str | None, Query(max_length=128, description="Part of a user name or full name.")] = None,
               active: Annotated[bool | None, Query(description="Only active (true) or disabled (false).")] = None):
    repo = UserRepository(session)
    result = repo.list(scope, page, q=q, active=active)
    roles = repo.assignments(result.items)
    return PageOut[UserOut](items=[user_out(u, roles[u.id]) for u in result.items], total=result.total,
                            page=result.page, page_size=result.page_size)


@router.post("/users", response_model=UserCreatedOut, status_code=201, summary="Create an account (manage-users)",
             responses={409: {"model": Problem, "description": "An account with this user name exists.",
                              "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}})
def create_user(body: UserIn, session: SessionDep, scope: ScopeDep):
    password = body.password or secrets.token_urlsafe(12)
    repo = UserRepository(session)
    user = repo.create(scope, username=body.username, password=password, full_name=body.full_name,
                       email=body.email, assignments=[AssignmentSpec(role=a.role, org_unit=a.org_unit,
                                                                     departments=tuple(a.departments),
                                                                     sources=tuple(a.sources)) for a in body.roles],
                       must_change_password=True)  # chosen by the admin: the owner replaces it at first sign-in
    session.commit()
    return user_out(user, repo.assignments([user])[user.id], UserCreatedOut,
                    one_time_password=None if body.password else password)


@router.get("/users/{username}", response_model=UserOut, summary="One account (needs view-users)")
def get_user(username: UsernamePath, session: SessionDep, scope: ScopeDep):
    repo = UserRepository(session)
    user = repo.get(username, scope)
    if user is None:
        raise HTTPException(404, f"no user named {username!r}")
    return user_out(user, repo.assignments([user])[user.id])


@router.post("/users/{username}/disable", response_model=UserOut, summary="Disable an account (manage-users)")
def disable_user(username: UsernamePath, session: SessionDep, scope: ScopeDep, principal: CurrentUser):
    repo = UserRepository(session)
    user = repo.disable(scope, username, by=principal.user)
    if user is None:
        raise HTTPException(404, f"no user named {username!r}")
    session.commit()
    return user_out(user, repo.assignments([user])[user.id])


@router.get("/users/{username}/scope", response_model=ScopeOut, summary="An account's scope and why (debug-scope)")
def get_user_scope(username: UsernamePath, session: SessionDep, scope: ScopeDep):
    found = UserRepository(session).scope_of(username, scope)
    if found is None:
        raise HTTPException(404, f"no user named {username!r}")
    return explain_scope(found)


@router.get("/me", response_model=MeOut, summary="Who I am, what I may see and do, and why")
def get_me(request: Request, principal: CurrentUser):
    token = csrf_token(request.app.state.secret_key, principal.session_secret) if principal.session_secret else None
    return MeOut(username=principal.username, via=principal.via, csrf_token=token,
                 scope=ScopeOut(**explain_scope(principal.scope)))


@router.get("/tokens", response_model=list[TokenOut], summary="My API tokens (without their secrets)")
def list_tokens(session: SessionDep, principal: CurrentUser):
    return TokenRepository(session).list_for(_account(principal))


@router.post("/tokens", response_model=TokenCreatedOut, status_code=201,
             summary="Create an API token for myself (basic auth accepted, to make a first token)")
def create_token(body: TokenIn, session: SessionDep, principal: BasicCurrentUser):
    expires = utcnow() + timedelta(days=body.expires_in_days) if body.expires_in_days else None
    token, secret = TokenRepository(session).create(_account(principal), principal.scope, name=body.name,
                                                    expires_at=expires)
    session.commit()
    return TokenCreatedOut(token=secret, **TokenOut.model_validate(token).model_dump())


@router.post("/tokens/{prefix}/revoke", response_model=TokenOut, summary="Revoke one of my API tokens")
def revoke_token(prefix: Annotated[str, Path(max_length=16)], session: SessionDep, principal: CurrentUser):
    token: ApiToken | None = TokenRepository(session).revoke(_account(principal), prefix, principal.scope)
    if token is None:
        raise HTTPException(404, f"no token of yours with prefix {prefix!r}")
    session.commit()
    return token
