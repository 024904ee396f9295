"""Starting an action from a red flag (``/actions/new?flag=``), or by hand (``/actions/new``).

The access world (tests/access/world.py: Surat and Kachchh, one account per role) with a Health flag at
Bhestan, a village of Surat, and one at Madhapar, a village of Kachchh. The workflow's clock is fixed, so the
due date the escalation rules give a severity is known to the minute.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models import Action, Flag
from govpulse.catalog.repositories.users import UserRepository
from govpulse.core.enums import Severity
from govpulse.core.scope import Scope
from govpulse.web.ui.i18n import translate
from govpulse.workflow.escalation_rules import default_rules
from tests.web.test_sign_in import sign_in
from tests.workflow.web import web_app

HTML = {"Accept": "text/html"}
NOW = datetime(2026, 11, 2, 4, 30, tzinfo=UTC)  # 10:00 in Gujarat
BHESTAN = ("525001", "/24/459/3900/525001/")
MADHAPAR = ("515001", "/24/449/3700/515001/")
PASSWORD = "Surat-Collector-2026"


@pytest.fixture
def web(tmp_path):
    made = web_app(tmp_path)
    made.app.state.clock = lambda: NOW
    with made.client:
        yield made


def _flag(web, where=BHESTAN, severity: str = "high") -> int:
    code, path = where
    with web.app.state.session_factory() as session:
        set_actor(session, Actor.system("test set-up"))
        flag = Flag(rule="threshold", kind="threshold", indicator="HLT_INST", org_unit=code, org_unit_path=path,
                    department="HEALTH", period="202610", severity=severity, message="Deliveries below the red band",
                    evidence={}, first_seen=NOW - timedelta(days=2), last_seen=NOW)
        session.add(flag)
        session.commit()
        return flag.id


def _actions(web) -> int:
    with web.app.state.session_factory() as session:
        return session.query(Action).count()


def _page(web, role: str, path: str):
    return web.client.get(path, headers={**web.as_(role), **HTML})


def _post(web, role: str, data: dict):
    return web.client.post("/actions/new", headers=web.as_(role), data=data)


def _local(moment: datetime) -> str:
    """As a datetime-local field shows it in Gujarat (UTC+5:30)."""
    return (moment + timedelta(hours=5, minutes=30)).strftime("%Y-%m-%dT%H:%M")


def _field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    return found.group(1) if found else ""


def _selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    found = re.search(r'<option value="([^"]*)"[^>]* selected', select)
    return found.group(1) if found else ""


def test_a_flag_fills_in_the_form(web):
    flag = _flag(web, severity="high")
    page = _page(web, "collector", f"/actions/new?flag={flag}")
    assert page.status_code == 200, page.text
    text = page.text
    assert f'data-flag="{flag}"' in text and f'href="/flags/{flag}"' in text
    assert 'data-org-unit="525001">Bhestan' in text and 'data-indicator="HLT_INST">Institutional deliveries' in text
    assert 'data-department="HEALTH"' in text and 'data-severity="high"' in text
    assert _field(text, "flag") == str(flag)
    assert _field(text, "title") == "Deliveries below the red band"
    due = NOW + timedelta(days=default_rules().due_days[Severity.HIGH])
    assert _field(text, "due_at") == _local(due) == "2026-11-07T10:00"  # five days for a high flag
    # The posts on the flag's branch the Collector may assign, the village's own first, each with who holds it.
    assert _selected(text, "assignee_role") == "talati"
    assert 'value="talati" data-org-unit="525001" selected>talati · Bhestan (525001): Talati Bhestan' in text
    assert 'value="tdo" data-org-unit="3900"' in text and 'value="collector" data-org-unit="459"' in text
    assert 'value="cmo"' not in text and 'value="secretary"' not in text  # above the Collector's district
    assert 'name="csrf_token"' in text and 'name="org_unit"' not in text  # the flag says where


@pytest.mark.parametrize("lang", ["en", "gu", "hi", "ml"])
def test_the_form_in_each_language(web, lang):
    flag = _flag(web)
    page = _page(web, "cmo", f"/actions/new?flag={flag}&lang={lang}").text
    assert f"<h1>{translate(lang, 'flags.start_action')}</h1>" in page
    assert translate(lang, "new_action.submit") in page
    assert translate(lang, "new_action.from_flag", id=flag) in page
    assert translate(lang, "new_action.due_hint", days="5") in page
    # The CMO sees every post up to the state; a department's own Secretary comes before the CMO's office.
    assert page.index('value="secretary"') < page.index('value="cmo"')


def test_posting_the_form_opens_the_action_on_the_flag_and_goes_to_it(web):
    flag = _flag(web)
    form = _page(web, "collector", f"/actions/new?flag={flag}").text
    values = {name: _field(form, name) for name in ("flag", "title", "due_at", "kind")}
    values |= {"assignee_role": "tdo", "description": "Visit the PHC and check the register", "priority": ""}
    posted = _post(web, "collector", values)
    assert posted.status_code == 303, posted.text
    number = int(posted.headers["location"].rsplit("/", 1)[1])
    assert posted.headers["location"] == f"/actions/{number}"
    action = web.client.get(f"/api/v1/actions/{number}", headers=web.as_("collector")).json()
    assert (action["flag_id"], action["org_unit"], action["indicator"], action["department"]) == (
        flag, "525001", "HLT_INST", "HEALTH")
    assert (action["assignee_role"], action["assignee_org_unit"], action["assignee"]) == ("tdo", "3900", "tdo")
    assert (action["severity"], action["priority"], action["kind"]) == ("high", "high", "follow_up")
    assert action["title"] == "Deliveries below the red band"
    assert datetime.fromisoformat(action["due_at"]) == NOW + timedelta(days=5)
    assert action["events"][0]["kind"] == "opened" and action["events"][0]["actor"] == "collector"
    page = _page(web, "collector", f"/actions/{number}")
    assert page.status_code == 200 and f"A-{number}: Deliveries below the red band" in page.text
    # The flag has its action now: the form says so and links to it instead of offering a second one.
    again = _page(web, "collector", f"/actions/new?flag={flag}").text
    assert 'id="already-open"' in again and f'href="/actions/{number}"' in again and 'id="new-action"' not in again
    second = _post(web, "cmo", values)
    assert second.status_code == 409 and f"already has an open action, A-{number}" in second.text


def test_invalid_input_shows_the_form_again_with_the_reason_and_what_was_typed(web):
    flag = _flag(web)
    typed = {"flag": str(flag), "title": "Check the labour room", "assignee_role": "talati", "kind": "follow_up",
             "description": "Kept as typed", "due_at": "2026-11-01T10:00"}
    past = _post(web, "cmo", typed)
    assert past.status_code == 422 and 'id="error"' in past.text and "is not after now" in past.text
    assert _field(past.text, "title") == "Check the labour room" and "Kept as typed</textarea>" in past.text
    assert _field(past.text, "due_at") == "2026-11-01T10:00" and _selected(past.text, "assignee_role") == "talati"
    kind = _post(web, "cmo", typed | {"due_at": "", "kind": "Field Visit"})
    assert kind.status_code == 422 and "kind: String should match pattern" in kind.text
    garbled = _post(web, "cmo", typed | {"due_at": "next week"})
    assert garbled.status_code == 422 and "the due date 'next week' is not a date and time" in unescape(garbled.text)
    nobody = _post(web, "cmo", typed | {"due_at": "", "assignee_role": ""})
    assert nobody.status_code == 422 and "choose the post to assign the action to" in nobody.text
    school = _post(web, "cmo", typed | {"due_at": "", "assignee_role": "principal"})  # no school above a village
    assert school.status_code == 422 and "no school above or at" in school.text
    assert _actions(web) == 0


def test_an_action_by_hand(web):
    page = _page(web, "tdo", "/actions/new")
    assert page.status_code == 200 and 'name="org_unit"' in page.text and 'name="flag" value=""' in page.text
    assert _selected(page.text, "severity") == "medium" and _field(page.text, "due_at") == ""
    typed = {"flag": "", "org_unit": "525001", "indicator": "HLT_INST", "department": "", "severity": "low",
             "title": "", "assignee_role": "talati", "due_at": "", "kind": "field_visit", "priority": "normal"}
    posted = _post(web, "tdo", typed)
    assert posted.status_code == 303, posted.text
    action = web.client.get(posted.headers["location"].replace("/actions", "/api/v1/actions"),
                            headers=web.as_("tdo")).json()
    assert (action["flag_id"], action["org_unit"], action["severity"], action["priority"]) == (
        None, "525001", "low", "normal")
    assert datetime.fromisoformat(action["due_at"]) == NOW + timedelta(days=20)  # the rules' days for low
    elsewhere = _post(web, "tdo", typed | {"org_unit": "515001"})  # Madhapar, in Kachchh: not the TDO's
    assert elsewhere.status_code == 404 and "no org unit '515001' in your scope" in unescape(elsewhere.text)
    assert _field(elsewhere.text, "org_unit") == "515001"


def test_a_signed_in_browser_needs_its_csrf_token(web):
    with web.app.state.session_factory() as session:
        set_actor(session, Actor.system("test"))
        users = UserRepository(session)
        users.set_password(Scope.system(), users.for_sign_in("collector"), PASSWORD)
        session.commit()
    flag = _flag(web)
    browser = web.client
    assert sign_in(browser, "collector", PASSWORD).status_code == 303
    form = browser.get(f"/actions/new?flag={flag}", headers=HTML).text
    values = {name: _field(form, name) for name in ("flag", "title", "due_at", "kind")} | {"assignee_role": "talati"}
    missing = browser.post("/actions/new", data=values)
    assert missing.status_code == 403 and "CSRF" in missing.text
    forged = browser.post("/actions/new", data=values | {"csrf_token": "0" * 64})
    assert forged.status_code == 403 and _actions(web) == 0
    done = browser.post("/actions/new", data=values | {"csrf_token": _field(form, "csrf_token")})
    assert done.status_code == 303 and done.headers["location"].startswith("/actions/")
    assert _actions(web) == 1


def test_a_flag_out_of_scope_is_not_found(web):
    bhestan, madhapar = _flag(web), _flag(web, MADHAPAR)
    assert _page(web, "collector", f"/actions/new?flag={madhapar}").status_code == 404  # Kachchh, not Surat
    assert _page(web, "commissioner", f"/actions/new?flag={bhestan}").status_code == 404  # a city, not a village
    assert _page(web, "cmo", "/actions/new?flag=999999").status_code == 404
    refused = _post(web, "collector", {"flag": str(madhapar), "assignee_role": "talati"})
    assert refused.status_code == 404 and "no flag" in refused.text
    assert _post(web, "cmo", {"flag": "abc", "assignee_role": "talati"}).status_code == 404
    assert _actions(web) == 0


@pytest.mark.parametrize("role", ["talati", "principal", "operator", "auditor", "nobody"])
def test_a_role_that_cannot_assign_actions_is_refused(web, role):
    flag = _flag(web)
    page = _page(web, role, f"/actions/new?flag={flag}")
    assert page.status_code == 403 and "assign-action" in page.text
    assert _page(web, role, "/actions/new").status_code == 403
    assert _post(web, role, {"flag": str(flag), "assignee_role": "talati"}).status_code == 403
    assert _actions(web) == 0


# Every role against the page, as the API answers opening an action from the same flag (tests/web/
# test_actions_matrix.py, "from a flag of a Surat village": 201 there is 200 for the form and 303 for sending it).
ROLES = {  # role: (GET the form, POST it)
    "cmo": (200, 303), "secretary": (200, 303), "collector": (200, 303), "ddo": (200, 303),
    "commissioner": (404, 404), "tdo": (200, 303), "talati": (403, 403), "principal": (403, 403),
    "operator": (403, 403), "auditor": (403, 403), "admin": (200, 303), "nobody": (403, 403),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_role_on_a_flag_of_a_surat_village(web, role):
    flag = _flag(web)
    shown, sent = ROLES[role]
    assert _page(web, role, f"/actions/new?flag={flag}").status_code == shown
    answer = _post(web, role, {"flag": str(flag), "assignee_role": "talati"})
    assert answer.status_code == sent, answer.text[:300]
    assert _actions(web) == (1 if sent == 303 else 0)


def test_anonymous_readers_are_sent_to_sign_in(web):
    flag = _flag(web)
    page = web.client.get(f"/actions/new?flag={flag}", headers=HTML)
    assert page.status_code == 303 and page.headers["location"] == "/auth/login?next=/actions/new"
    assert web.client.post("/actions/new", data={"flag": str(flag), "assignee_role": "talati"}).status_code == 401
