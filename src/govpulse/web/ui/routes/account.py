"""``/account``: the signed-in reader's own settings; for now the language every page opens in.

GET shows the form; POST (with the session's CSRF token, checked when the reader is resolved) saves the choice on
the account (``User.language``, audited as an update of the user) and answers 303 back to ``/account?saved=1``.
The language then follows the account to every browser it signs in on (``pages.use_account_language``). Saving
also sets this browser's ``lang`` cookie to the choice, because the cookie (left by the language links) comes
before the account's language: without it an older click on a language link would hide the new choice here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from govpulse.catalog.audit import Event, emit
from govpulse.catalog.models import User
from govpulse.catalog.repositories.users import UserRepository, user_snapshot
from govpulse.web.deps import CurrentUser, SessionDep
from govpulse.web.ui.i18n import LANG_COOKIE, catalogue
from govpulse.web.ui.pages import PageProblem, ReaderDep, render
from govpulse.web.ui.templating import LANG_COOKIE_SECONDS

router = APIRouter(include_in_schema=False)


def save_language(session: Session, user: User, language: str) -> None:
    """Set ``user``'s language (one of the interface's languages) and record the change in the audit log."""
    if language not in catalogue().languages:
        raise PageProblem(400, f"{language!r} is not a language of the dashboard; choose one of "
                               f"{', '.join(catalogue().languages)}")
    assignments = UserRepository(session).assignments([user])[user.id]
    before = user_snapshot(user, assignments)
    user.language = language
    session.flush()
    emit(session, Event("update", "user", user.username, before=before, after=user_snapshot(user, assignments),
                        detail=f"language set to {language}"))


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, principal: CurrentUser, reader: ReaderDep, saved: bool = False):
    """The reader's settings: the language of the dashboard, with the account's current choice selected."""
    user = principal.user
    names = catalogue().names
    chosen = user.language if user else None
    context = {"reader": reader, "nav_current": None, "user": user, "saved": saved, "languages": list(names.items()),
               "chosen": chosen, "chosen_name": names.get(chosen or "", chosen),
               "breadcrumb": [{"label": reader.text("account.title"), "url": "/account"}]}
    return render(request, "account/page.html", context)


@router.post("/account")
def account_save(request: Request, session: SessionDep, principal: CurrentUser,
                 language: Annotated[str, Form(max_length=8)]):
    """Save the language and go back to the page (303), which then opens in the new language."""
    if principal.user is None:
        raise PageProblem(400, "this reader has no account of its own to change")
    save_language(session, principal.user, language)
    session.commit()
    response = RedirectResponse("/account?saved=1", status_code=303)
    response.set_cookie(LANG_COOKIE, language, max_age=LANG_COOKIE_SECONDS, path="/", samesite="lax",
                        httponly=True, secure=request.url.scheme == "https")
    return response
