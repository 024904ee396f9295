"""``/account``: the signed-in reader's own settings: the language every page opens in, and the password.

GET shows the form; POST (with the session's CSRF token, checked when the reader is resolved) saves the choice on
the account (``User.language``, audited as an update of the user) and answers 303 back to ``/account?saved=1``.
The language then follows the account to every browser it signs in on (``pages.use_account_language``). Saving
also sets this browser's ``lang`` cookie to the choice, because the cookie (left by the language links) comes
before the account's language: without it an older click on a language link would hide the new choice here.

``/account/password`` (GET form, POST current password and the new one twice, CSRF-checked like every form)
changes the password (``web/auth/password_change.py``). An account whose password someone else chose is sent
here at sign-in and from every other page until it is changed (``web/auth/first_password.py``); after the
change the browser gets a fresh session and goes where it was headed (the overview by default).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from govpulse.catalog.audit import Event, emit
from govpulse.catalog.models import User
from govpulse.catalog.repositories.credentials import MIN_PASSWORD_LENGTH
from govpulse.catalog.repositories.users import PasswordRejected, UserRepository, user_snapshot
from govpulse.web.auth.first_password import PASSWORD_PAGE
from govpulse.web.auth.password_change import change_password
from govpulse.web.auth.routes import safe_next, start_session
from govpulse.web.auth.signin import lockout_policy
from govpulse.web.deps import CurrentUser, SessionDep, SettingsDep
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
def account_page(request: Request, principal: CurrentUser, reader: ReaderDep, saved: bool = False,
                 password_changed: bool = False):
    """The reader's settings: the language of the dashboard, with the account's current choice selected, and
    the link to change the password."""
    user = principal.user
    names = catalogue().names
    chosen = user.language if user else None
    context = {"reader": reader, "nav_current": None, "user": user, "saved": saved,
               "password_changed": password_changed, "password_page": PASSWORD_PAGE,
               "languages": list(names.items()),
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


def _password_page(request: Request, principal, reader, *, next_url: str, error: PasswordRejected | None = None,
                   status: int = 200) -> Response:
    user = principal.user
    forced = bool(user and user.must_change_password)  # no way out but this form: no menu, no breadcrumb
    context = {"reader": reader, "nav_current": None, "user": user, "next": next_url, "forced": forced,
               "min_length": MIN_PASSWORD_LENGTH, "has_password": bool(user and user.password_hash),
               "error": reader.text(f"account.password.errors.{error.reason}", **error.params) if error else "",
               "breadcrumb": ([] if forced else [{"label": reader.text("account.title"), "url": "/account"}])
               + [{"label": reader.text("account.password.title"), "url": PASSWORD_PAGE}]}
    return render(request, "account/password.html", context, status=status)


@router.get(PASSWORD_PAGE, response_class=HTMLResponse)
def password_form(request: Request, principal: CurrentUser, reader: ReaderDep, next: str = ""):
    """The form: current password, the new one twice. The only page an account with a password chosen by
    someone else can open until it is changed."""
    return _password_page(request, principal, reader, next_url=next)


@router.post(PASSWORD_PAGE)
def password_save(request: Request, session: SessionDep, settings: SettingsDep, principal: CurrentUser,
                  reader: ReaderDep, current_password: Annotated[str, Form(max_length=1024)] = "",
                  new_password: Annotated[str, Form(max_length=1024)] = "",
                  repeat_password: Annotated[str, Form(max_length=1024)] = "",
                  next: Annotated[str, Form(max_length=2048)] = ""):
    """Change the password; a refusal shows the form again saying which rule failed (429 while locked out)."""
    user = principal.user
    if user is None:
        raise PageProblem(400, "this reader has no account of its own to change")
    forced = user.must_change_password
    try:
        change_password(session, user, current=current_password, new=new_password, repeat=repeat_password,
                        policy=lockout_policy(settings), ip=request.client.host if request.client else "")
    except PasswordRejected as rejected:
        session.commit()  # a wrong current password is kept: it counts towards the lock-out
        return _password_page(request, principal, reader, next_url=next, error=rejected,
                              status=429 if rejected.reason == "locked" else 400)
    session.commit()
    destination = safe_next(next) if next else ("/" if forced else "/account?password_changed=1")
    if principal.session_secret:  # every session of the account ended: this browser gets a fresh one
        return start_session(request, session, user, via="password", next_url=destination)
    return RedirectResponse(destination, status_code=303)
