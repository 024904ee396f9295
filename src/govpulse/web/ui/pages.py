"""What every dashboard handler does around its one analytics call: the reader's context, errors, rendering.

- ``Reader``: who reads, in which language, which period, their home org unit (a dependency, ``ReaderDep``).
- ``render`` a page, or the fragment of it that htmx asked for (``HX-Request``), with ``urls`` in context.
- ``answer``: an analytics call whose ``NotFound`` becomes the 404 page (out of scope looks like absent) and
  whose ``InvalidQuery`` becomes a 400 page saying what was wrong, never a stack trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from govpulse.analytics.values import InvalidQuery, NotFound
from govpulse.catalog.models import OrgUnit
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.periods import InvalidPeriod, Period
from govpulse.core.scope import Scope
from govpulse.web.auth.csrf import csrf_token
from govpulse.web.auth.principal import Principal
from govpulse.web.deps import CurrentUser
from govpulse.web.ui import periods, urls
from govpulse.web.ui.display import Show
from govpulse.web.ui.i18n import DEFAULT_LANGUAGE, request_language, translate
from govpulse.web.ui.templating import templates

T = TypeVar("T")


class PageProblem(HTTPException):
    """A page that cannot be shown as asked: rendered as an HTML error page with ``status`` and ``message``
    once ``dashboard.install_page_problems`` is installed; without it, it is still an ``HTTPException`` and
    leaves as a problem with the same status (never a 500)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status_code=status, detail=message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Reader:
    """The request's reader: scope, language, today, the period asked for (or the default)."""

    scope: Scope
    username: str
    lang: str
    today: date
    period: Period
    csrf_token: str = ""
    """For the sign-out form (empty for token and basic-auth readers, who have no session to end)."""

    def text(self, key: str, **params: object) -> str:
        return translate(self.lang, key, **params)


def _reader(request: Request, principal: CurrentUser,
            period: Annotated[str | None, Query(description="DHIS2 period id (default: last month).")] = None
            ) -> Reader:
    settings = request.app.state.settings
    today = periods.today_in(getattr(settings, "timezone", None))
    try:
        chosen = periods.chosen_period(period, today)
    except InvalidPeriod as error:
        raise PageProblem(400, str(error)) from None
    use_account_language(request, principal)
    csrf = csrf_token(request.app.state.secret_key, principal.session_secret) if principal.session_secret else ""
    return Reader(scope=principal.scope, username=principal.username, lang=request_language(request),
                  today=today, period=chosen, csrf_token=csrf)


ReaderDep = Annotated[Reader, Depends(_reader)]


def use_account_language(request: Request, principal: Principal) -> None:
    """Let the signed-in account's language (``/account``) choose the page's language when it was set to one.
    English is every account's default, which says nothing, so then the browser's languages decide. ``?lang=``
    and the ``lang`` cookie (the language links, and saving on ``/account``) still come first: they are this
    browser's own, newer choice (``i18n.request_language``)."""
    user = principal.user
    if user is not None and user.language and user.language != DEFAULT_LANGUAGE:
        request.state.preferred_language = user.language


def account_language(request: Request, principal: CurrentUser) -> None:
    """``use_account_language`` as a dependency, for pages without a ``Reader`` (actions, admin)."""
    use_account_language(request, principal)


def home_unit(session, scope: Scope, code: str | None) -> OrgUnit:
    """The org unit asked for, else the reader's top one (the state for the CMO, the district for a
    Collector); a code outside the scope is ``NotFound``."""
    repo = OrgUnitRepository(session)
    if code:
        unit = repo.get(code, scope)
        if unit is None:
            raise NotFound(f"no org unit with code {code!r}")
        return unit
    roots = repo.roots(scope)
    if not roots:
        raise NotFound("no org unit in your scope")
    return roots[0]


def answer(call: Callable[[], T]) -> T:
    """Run an analytics call; its errors become error pages (404 for absent or out of scope, 400 for a bad
    query)."""
    try:
        return call()
    except NotFound as error:
        raise PageProblem(404, str(error)) from None
    except (InvalidQuery, InvalidPeriod) as error:
        raise PageProblem(400, str(error)) from None


def is_fragment(request: Request) -> bool:
    """htmx asked for a part of the page (it sends ``HX-Request: true``), not a browser for the whole."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def render(request: Request, template: str, context: dict, *, status: int = 200,
           fragments: dict[str, str] | None = None) -> HTMLResponse:
    """``template``, or the fragment htmx asked for: ``fragments`` maps an ``HX-Target`` element id to the
    partial that renders it (the page includes the same partial, so both show the same thing). Every
    template gets ``urls``, ``show`` (values in the reader's language) and ``period_label``. Responses vary
    with ``HX-Request``, so a cache never hands a fragment to a full page load."""
    name = template
    if fragments and is_fragment(request):
        name = fragments.get(request.headers.get("hx-target", ""), fragments.get("*", template))
    lang = request_language(request)
    base = {"urls": urls, "show": Show(lang), "period_label": lambda period: periods.period_label(period, lang)}
    response = templates().TemplateResponse(request, name, {**base, **context}, status_code=status)
    response.headers["Vary"] = "HX-Request, HX-Target, Cookie"
    return response


def problem_page(request: Request, problem: PageProblem) -> HTMLResponse:
    """The error page: what went wrong in words, a way back, and the right status code."""
    key = {404: "errors.not_found", 403: "errors.forbidden"}.get(problem.status, "errors.bad_request")
    return render(request, "errors/problem.html", {"problem": problem, "title_key": key}, status=problem.status,
                  fragments={"*": "errors/_problem.html"})
