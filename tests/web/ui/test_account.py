"""The account page: a signed-in reader chooses the language every page opens in, with the session's CSRF token;
the choice is saved on the account (and audited), follows the account to a browser with no ``lang`` cookie, and
``?lang=`` or the language links still win for that browser."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models import AuditEntry, User
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from govpulse.web.ui.i18n import translate

USER, PASSWORD = "meera.cmo", "Account-Page-Password-9"


@pytest.fixture
def browser(app):
    """A browser (cookies kept) signed in through the form as a CMO officer."""
    with app.state.session_factory() as session:
        set_actor(session, Actor.system("test set-up"))
        UserRepository(session).create(Scope.system(), username=USER, password=PASSWORD,
                                       assignments=[AssignmentSpec(role="cmo", org_unit="24")])
        session.commit()
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        token = _csrf(client.get("/auth/login").text)
        signed_in = client.post("/auth/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
        assert signed_in.status_code == 303, signed_in.text
        yield client


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def _lang(response) -> str:
    assert response.status_code == 200, response.text[:500]
    return re.search(r'<html lang="([a-z]+)"', response.text).group(1)


def _save(client: TestClient, language: str, *, token: str | None = None):
    token = token if token is not None else _csrf(client.get("/account").text)
    return client.post("/account", data={"language": language, "csrf_token": token})


def _account(app) -> User:
    with app.state.session_factory() as session:
        return session.query(User).filter_by(username=USER).one()


def test_the_header_links_to_the_account_page_with_the_language_choice(browser):
    home = browser.get("/")
    assert re.search(r'<a class="account__name" href="/account"[^>]*>meera\.cmo', home.text)
    page = browser.get("/account")
    assert _lang(page) == "en" and translate("en", "account.title") in page.text
    choices = re.findall(r'<input type="radio" name="language" value="([a-z]+)"[^>]*?( checked)?>', page.text)
    assert choices == [("en", " checked"), ("gu", ""), ("hi", ""), ("ml", "")]
    for name in ("English", "ગુજરાતી", "हिन्दी", "മലയാളം"):
        assert f"> {name}</label>" in page.text


def test_saving_a_language_sets_it_on_the_account_and_every_page_follows(app, browser):
    saved = _save(browser, "gu")
    assert (saved.status_code, saved.headers["location"]) == (303, "/account?saved=1")
    assert _account(app).language == "gu"
    page = browser.get("/account?saved=1")
    assert _lang(page) == "gu" and translate("gu", "account.saved", language="ગુજરાતી") in page.text
    assert 'value="gu" aria-describedby="language-hint" checked' in page.text
    # The account, not only this browser's cookie: a browser without the cookie (and asking for Hindi) opens
    # the pages in Gujarati too, the dashboard pages as well as the actions.
    browser.cookies.delete("lang")
    for path in ("/", "/flags", "/account", "/actions"):
        assert _lang(browser.get(path, headers={"Accept-Language": "hi"})) == "gu", path
    with app.state.session_factory() as session:
        entry = session.query(AuditEntry).filter_by(entity="user", entity_code=USER, action="update").one()
        assert (entry.before["language"], entry.after["language"], entry.actor, entry.via) == ("en", "gu", USER,
                                                                                               "session")


def test_lang_in_the_address_and_the_language_links_still_win_in_this_browser(app, browser):
    _save(browser, "gu")
    assert _lang(browser.get("/?lang=hi")) == "hi"  # the language links add ?lang=
    assert _lang(browser.get("/flags")) == "hi"  # ... and leave the cookie, this browser's newer choice
    _save(browser, "ml")  # saving again also resets this browser's cookie
    assert _lang(browser.get("/flags")) == "ml" and _account(app).language == "ml"
    # English saved explicitly holds in this browser even when the browser itself prefers Gujarati.
    _save(browser, "en")
    assert _lang(browser.get("/", headers={"Accept-Language": "gu"})) == "en"


def test_the_form_needs_the_csrf_token_and_a_language_of_the_dashboard(app, browser):
    assert _save(browser, "gu", token="0" * 64).status_code == 403
    assert browser.post("/account", data={"language": "gu"}).status_code == 403
    wrong = _save(browser, "fr")
    assert wrong.status_code == 400 and "not a language of the dashboard" in wrong.text
    assert _account(app).language == "en"


def test_without_signing_in_there_is_no_account_page(anonymous):
    """As for every other page: 401, and nothing saved."""
    assert anonymous.get("/account", follow_redirects=False).status_code == 401
    assert anonymous.post("/account", data={"language": "gu"}, follow_redirects=False).status_code == 401
