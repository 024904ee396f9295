"""A password someone else chose must be changed at the first sign-in.

Accounts made by ``govpulse user add``, ``POST /api/v1/users`` or the admin page carry the flag; until the owner
changes the password at /account/password, a browser session reaches only that page and sign-out (every other
page answers 303 to it) and the API answers 403 saying so, for the session and for basic auth. A token an admin
made for the account keeps working. The change needs the current password and the CSRF token, is audited
without either password, clears the flag, and ends the sessions opened with the old password.
"""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from typer.testing import CliRunner

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models import AuditEntry, User
from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.cli_users import app as user_cli
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.web.app import create_app
from govpulse.web.ui.i18n import translate
from tests.access.world import seed_world

GIVEN = "Given-By-The-Admin-24"  # what the admin typed on the command line
MINE = "Narmada-Dam-Sunrise-77"  # what the owner chooses
ADMIN_PASSWORD = "Admin-Own-Password-99"
HTML = {"Accept": "text/html"}


@pytest.fixture
def settings(tmp_path):
    return Settings(home=tmp_path, login_max_failures=3)


@pytest.fixture
def app(settings):
    application = create_app(settings)
    with application.state.session_factory() as session:
        seed_world(session)
        set_actor(session, Actor.system("test set-up"))
        # An admin who chose their own password (no flag): signs in to the admin page.
        UserRepository(session).create(Scope.system(), username="own.admin", password=ADMIN_PASSWORD,
                                       assignments=[AssignmentSpec("admin", "24")])
        session.commit()
    added = CliRunner().invoke(user_cli, ["add", "meera", "--role", "collector", "--org-unit", "459",
                                          "--password", GIVEN], obj=settings)
    assert added.exit_code == 0, added.output
    assert "must change this password at the first sign-in" in " ".join(added.output.split())
    return application


@pytest.fixture
def browser(app):
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def sign_in(client: TestClient, username: str, password: str, next_url: str = "/"):
    token = _csrf(client.get("/auth/login").text)
    return client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token,
                                            "next": next_url})


def change(client: TestClient, current: str, new: str, repeat: str | None = None, *, token: str | None = None,
           next_url: str = ""):
    token = token if token is not None else _csrf(client.get("/account/password").text)
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                  "repeat_password": new if repeat is None else repeat,
                                                  "csrf_token": token, "next": next_url})


def _user(app, username: str = "meera") -> User:
    with app.state.session_factory() as session:
        return session.scalars(select(User).where(User.username == username)).one()


def test_the_command_line_the_api_and_the_admin_page_make_accounts_that_must_change(app, settings, browser):
    generated = CliRunner().invoke(user_cli, ["add", "ravi", "--role", "tdo", "--org-unit", "3900"], obj=settings)
    assert generated.exit_code == 0 and "One-time password for ravi" in generated.output
    with app.state.session_factory() as session:
        admin_token = TokenRepository(session).create(UserRepository(session).for_sign_in("admin"),
                                                      Scope.system(), name="t")[1]
        session.commit()
    bearer = {"Authorization": f"Bearer {admin_token}"}
    for body in ({"username": "by.api", "password": GIVEN}, {"username": "by.api.generated"}):
        assert browser.post("/api/v1/users", headers=bearer, json=body | {"roles": []}).status_code == 201
    assert sign_in(browser, "own.admin", ADMIN_PASSWORD, "/admin/users").headers["location"] == "/admin/users"
    form = browser.get("/admin/users")
    added = browser.post("/admin/users", data={"username": "by.page", "role": "tdo", "org_unit": "3900",
                                               "csrf_token": _csrf(form.text)})
    assert added.status_code == 200 and "One-time password" in added.text
    for username in ("meera", "ravi", "by.api", "by.api.generated", "by.page"):
        assert _user(app, username).must_change_password is True, username
    # ...and not the accounts that chose their own, nor those with no password at all
    assert (_user(app, "own.admin").must_change_password, _user(app, "collector").must_change_password) == (
        False, False)


def test_signing_in_leads_to_the_password_page_and_every_other_page_back_to_it(browser):
    signed_in = sign_in(browser, "meera", GIVEN, "/flags")
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/account/password?next=%2Fflags")
    page = browser.get("/account/password?next=%2Fflags")
    assert page.status_code == 200 and translate("en", "account.password.forced") in page.text
    assert 'name="next" value="/flags"' in page.text and 'class="primary-nav"' not in page.text
    for path, location in (("/", "/account/password"),
                           ("/flags?severity=high", "/account/password?next=%2Fflags%3Fseverity%3Dhigh"),
                           ("/account", "/account/password?next=%2Faccount"),
                           ("/admin/users", "/account/password?next=%2Fadmin%2Fusers")):
        response = browser.get(path, headers=HTML)
        assert (response.status_code, response.headers["location"]) == (303, location), path
    token = _csrf(page.text)
    form_post = browser.post("/account", data={"language": "gu", "csrf_token": token})
    assert (form_post.status_code, form_post.headers["location"]) == (303, "/account/password")
    fragment = browser.get("/flags", headers={"HX-Request": "true"})
    assert fragment.headers["HX-Redirect"] == "/account/password?next=%2Fflags"
    assert browser.get("/static/govpulse.css").status_code == 200
    out = browser.post("/auth/logout", data={"csrf_token": token})
    assert (out.status_code, out.headers["location"]) == (303, "/auth/login")


def test_the_api_answers_403_saying_the_password_must_be_changed_first(app, settings, browser):
    sign_in(browser, "meera", GIVEN)
    for response in (browser.get("/api/v1/me"),  # the browser session, on the API
                     browser.post("/api/v1/tokens", json={"name": "x"}, auth=("meera", GIVEN)),  # basic auth
                     browser.get("/api/me", auth=("meera", GIVEN))):  # DHIS2's, with basic auth
        assert response.status_code == 403, response.text
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert problem["change_password_at"] == "/account/password"
        assert "must be changed" in problem["detail"] and "/account/password" in problem["detail"]
    with app.state.session_factory() as session:
        assert TokenRepository(session).list_for(UserRepository(session).for_sign_in("meera")) == []
    # A token an admin made for the account is not the one-time password: it keeps working.
    made = CliRunner().invoke(user_cli, ["token", "meera", "--name", "nightly export"], obj=settings)
    secret = made.output.strip()
    with TestClient(app, base_url="https://testserver") as script:
        me = script.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert (me.status_code, me.json()["username"]) == (200, "meera")


def test_changing_the_password_clears_the_flag_ends_old_sessions_and_is_audited(app, browser):
    sign_in(browser, "meera", GIVEN)
    old_cookie = browser.cookies["gp_session"]
    page = browser.get("/account/password")
    changed = change(browser, GIVEN, MINE, token=_csrf(page.text))
    assert (changed.status_code, changed.headers["location"]) == (303, "/")
    assert browser.cookies["gp_session"] != old_cookie  # a fresh session for this browser
    assert _user(app).must_change_password is False
    assert browser.get("/", headers=HTML).status_code == 200  # the overview
    assert browser.get("/api/v1/me").json()["username"] == "meera"
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as other:
        other.cookies.set("gp_session", old_cookie)
        assert other.get("/api/v1/me").status_code == 401  # the session of the old password ended
        assert sign_in(other, "meera", GIVEN).status_code == 401  # the old password no longer works
        assert sign_in(other, "meera", MINE).headers["location"] == "/"  # the new one does, with no detour
    with app.state.session_factory() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "change-password")).one()
        assert (entry.actor, entry.via, entry.entity_code) == ("meera", "session", "meera")
        assert (entry.before["must_change_password"], entry.after["must_change_password"]) == (True, False)
        assert entry.after["password"] == "***"
        logged = json.dumps([list(row) for row in session.execute(text("select * from audit_log"))], default=str)
        password_hash = session.scalar(select(User.password_hash).where(User.username == "meera"))
    assert password_hash.startswith("$argon2id$") and password_hash not in logged and "$argon2" not in logged
    assert GIVEN not in logged and MINE not in logged


def test_after_the_change_the_browser_goes_where_it_was_headed(app, browser):
    sign_in(browser, "meera", GIVEN, "/flags")
    changed = change(browser, GIVEN, MINE, next_url="/flags")
    assert (changed.status_code, changed.headers["location"]) == (303, "/flags")
    assert browser.get("/flags", headers=HTML).status_code == 200
    # An owner who changes it again, from the account page, comes back to it with a notice.
    account = browser.get("/account")
    assert 'href="/account/password" id="password-link"' in account.text
    again = change(browser, MINE, "Kankaria-Lake-Evening-5")
    assert again.headers["location"] == "/account?password_changed=1"
    assert translate("en", "account.password.changed") in browser.get("/account?password_changed=1").text


@pytest.mark.parametrize(("current", "new", "repeat", "reason"), [
    ("Not-The-Password-1", MINE, MINE, "wrong_current"),
    (GIVEN, MINE, MINE + "x", "mismatch"),
    (GIVEN, "short", "short", "too_short"),
    (GIVEN, GIVEN, GIVEN, "same_as_current"),
])
def test_a_refused_change_says_why_and_changes_nothing(app, browser, current, new, repeat, reason):
    sign_in(browser, "meera", GIVEN)
    refused = change(browser, current, new, repeat)
    assert refused.status_code == 400
    message = translate("en", f"account.password.errors.{reason}", min=8)
    assert message in refused.text.replace("&#39;", "'")
    assert _user(app).must_change_password is True
    assert browser.get("/", headers=HTML).headers["location"] == "/account/password"  # still held there


def test_the_user_name_is_not_a_password(app, settings, browser):
    CliRunner().invoke(user_cli, ["add", "kiran.patel", "--role", "tdo", "--org-unit", "3900", "--password", GIVEN],
                       obj=settings)
    sign_in(browser, "kiran.patel", GIVEN)
    refused = change(browser, GIVEN, "Kiran.Patel")
    assert refused.status_code == 400
    assert translate("en", "account.password.errors.same_as_username") in refused.text


def test_wrong_current_passwords_lock_the_account_like_failed_sign_ins(app, browser):
    sign_in(browser, "meera", GIVEN)
    for _ in range(2):
        assert change(browser, "Guess-Number-Something", MINE).status_code == 400
    locked = change(browser, "Guess-Number-Something", MINE)  # the third failure of login_max_failures=3
    assert locked.status_code == 429 and "try again after" in locked.text
    assert change(browser, GIVEN, MINE).status_code == 429  # even the right one, while locked
    assert _user(app).must_change_password is True
    with app.state.session_factory() as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.entity_code == "meera")))
    assert actions.count("change-password-failed") == 3 and "change-password" not in actions


def test_the_change_needs_the_csrf_token(app, browser):
    sign_in(browser, "meera", GIVEN)
    missing = browser.post("/account/password", data={"current_password": GIVEN, "new_password": MINE,
                                                      "repeat_password": MINE})
    assert missing.status_code == 403 and "CSRF" in missing.text
    assert change(browser, GIVEN, MINE, token="0" * 64).status_code == 403
    assert _user(app).must_change_password is True
    assert sign_in(browser, "meera", MINE).status_code == 401  # nothing was changed
