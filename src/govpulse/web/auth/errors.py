"""How access errors leave the app: RFC 9457 problems for the API, a redirect to sign-in for pages."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from govpulse.catalog.repositories.users import InvalidUser, UserExists
from govpulse.core.access import InvalidAssignment
from govpulse.core.scope import PermissionDenied
from govpulse.web.api.problems import problem_response
from govpulse.web.auth.first_password import PASSWORD_PAGE, PasswordChangeRequired, password_page_url
from govpulse.web.auth.principal import SignInRequired

LOGIN_PATH = "/auth/login"


def wants_html(request: Request) -> bool:
    """A browser asking for a page (not the API), so a redirect to the sign-in page serves it better than 401."""
    return (request.method == "GET" and not request.url.path.startswith("/api/")
            and "text/html" in request.headers.get("accept", ""))


def install_access_handlers(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, error: SignInRequired):
        if wants_html(request):
            return RedirectResponse(f"{LOGIN_PATH}?next={quote(request.url.path)}", status_code=303)
        response = problem_response(401, str(error.detail), request.url.path)
        response.headers.update(error.headers or {})
        return response

    @app.exception_handler(PasswordChangeRequired)
    async def _change_password_first(request: Request, error: PasswordChangeRequired):
        return password_change_response(request, error)

    @app.exception_handler(PermissionDenied)
    async def _denied(request: Request, error: PermissionDenied):
        return problem_response(403, error.reason, request.url.path, action=error.action)

    @app.exception_handler(UserExists)
    async def _exists(request: Request, error: UserExists):
        return problem_response(409, str(error), request.url.path)

    @app.exception_handler(InvalidUser)
    @app.exception_handler(InvalidAssignment)
    async def _invalid(request: Request, error: ValueError):
        return problem_response(422, str(error), request.url.path)


def password_change_response(request: Request, error: PasswordChangeRequired) -> Response:
    """A browser session on a page goes to the password page (303; htmx, asking for a fragment, is told to load
    it with ``HX-Redirect``); the API, basic auth and scripts get the 403 problem saying what to do."""
    if error.via != "session" or request.url.path.startswith("/api/"):
        return problem_response(403, str(error.detail), request.url.path, change_password_at=PASSWORD_PAGE)
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = password_page_url(back if request.method == "GET" else None)
    if request.headers.get("hx-request") == "true":
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
