"""The action pages: inbox, one action with its forms, the effect report; in each language; forms that post
back to the same workflow and show its errors."""

from __future__ import annotations

import re

import pytest

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.repositories.users import UserRepository
from govpulse.core.scope import Scope
from govpulse.web.ui.i18n import translate
from tests.web.test_sign_in import sign_in
from tests.workflow.test_api import PNG
from tests.workflow.web import web_app

HTML = {"Accept": "text/html"}


@pytest.fixture
def web(tmp_path):
    made = web_app(tmp_path)
    with made.client:
        yield made


def _page(web, role: str, path: str, **kw):
    return web.client.get(path, headers={**web.as_(role), **HTML}, **kw)


def _post(web, role: str, path: str, **kw):
    return web.client.post(path, headers=web.as_(role), **kw)


def _open(web) -> int:
    response = web.client.post("/api/v1/actions", headers=web.as_("cmo"), json={
        "assignee_role": "talati", "indicator": "HLT_INST", "org_unit": "525001", "title": "Deliveries fell"})
    return response.json()["id"]


@pytest.mark.parametrize("lang", ["en", "gu", "hi", "ml"])
def test_the_inbox_in_each_language(web, lang):
    number = _open(web)
    page = _page(web, "talati", f"/actions?lang={lang}")
    assert page.status_code == 200
    assert f"<h1>{translate(lang, 'nav.actions')}</h1>" in page.text
    assert f'data-action="{number}"' in page.text and translate(lang, "workflow.mine") in page.text
    assert translate(lang, "flag.open") in page.text  # the status, in words
    empty = _page(web, "tdo", f"/actions?lang={lang}")  # nothing is assigned to the TDO
    assert 'data-action="' not in empty.text and translate(lang, "common.no_results") in empty.text
    assert f'data-action="{number}"' in _page(web, "tdo", f"/actions?view=all&lang={lang}").text


def test_an_action_page_walks_through_its_forms(web):
    number = _open(web)
    page = _page(web, "talati", f"/actions/{number}")
    assert page.status_code == 200 and f"A-{number}: Deliveries fell" in page.text
    assert f'action="/actions/{number}/step/acknowledge"' in page.text
    assert f'action="/actions/{number}/step/verify"' not in page.text  # not before a report
    assert f'action="/actions/{number}/calls"' not in page.text  # a Talati does not log follow-up calls
    assert _post(web, "talati", f"/actions/{number}/step/acknowledge").headers["location"] == f"/actions/{number}"
    assert _post(web, "talati", f"/actions/{number}/attachments",
                 files={"file": ("pump.png", PNG, "image/png")}).status_code == 303
    assert _post(web, "talati", f"/actions/{number}/step/report", data={"text": "Done"}).status_code == 303
    mine = _post(web, "talati", f"/actions/{number}/step/verify", data={"text": ""})
    assert mine.status_code == 409 and 'id="error"' in mine.text and "cannot also verify" in mine.text
    call = _post(web, "cmo", f"/actions/{number}/calls", data={
        "outcome": "answered", "started_at": "2026-11-03T10:30", "minutes": "2.5", "notes": "Spoke to her",
        "commitment": "Send the register photo", "commitment_due": "2026-11-05"})
    assert call.status_code == 303, call.text
    bad = _post(web, "cmo", f"/actions/{number}/calls", data={"outcome": "answered", "started_at": "yesterday"})
    assert bad.status_code == 422 and "is not a date and time" in bad.text
    assert _post(web, "tdo", f"/actions/{number}/step/verify").status_code == 303
    closed = _page(web, "cmo", f"/actions/{number}").text
    assert 'data-status="closed"' in closed and "pump.png" in closed and "Send the register photo" in closed
    assert re.search(r"<td>Answered</td><td class=\"num\">2.5</td>", closed)
    assert _page(web, "commissioner", f"/actions/{number}").status_code == 404
    assert _post(web, "tdo", f"/actions/{number}/step/fly").status_code == 404
    assert _post(web, "cmo", f"/actions/{number}/dial").status_code == 409  # no bridge configured here


def test_the_effect_report_page_and_an_officers_page(web):
    _open(web)
    page = _page(web, "cmo", "/actions/effect")
    assert page.status_code == 200 and 'data-group="officer"' in page.text and 'data-key="talati"' in page.text
    officer = _page(web, "cmo", "/actions/effect?officer=talati&lang=gu")
    assert f"{translate('gu', 'workflow.effect_report')}: talati" in officer.text
    assert _page(web, "cmo", "/actions/effect?officer=nobody").text.count('data-action="') == 0


def test_pages_need_a_signed_in_reader(web):
    response = web.client.get("/actions", headers=HTML)
    assert response.status_code == 303 and response.headers["location"].startswith("/auth/login")


def test_a_signed_in_browser_posts_the_forms_with_its_csrf_token(web):
    with web.app.state.session_factory() as session:
        set_actor(session, Actor.system("test"))
        UserRepository(session).set_password(Scope.system(), UserRepository(session).for_sign_in("talati"),
                                              "Bhestan-Talati-2026")
        session.commit()
    number = _open(web)
    browser = web.client
    assert sign_in(browser, "talati", "Bhestan-Talati-2026").status_code == 303
    page = browser.get(f"/actions/{number}", headers=HTML)
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text).group(1)
    forged = browser.post(f"/actions/{number}/step/acknowledge", data={"csrf_token": "0" * 64})
    assert forged.status_code == 403
    done = browser.post(f"/actions/{number}/step/acknowledge", data={"csrf_token": token})
    assert done.status_code == 303
    upload = browser.post(f"/actions/{number}/attachments", data={"csrf_token": token},
                          files={"file": ("pump.png", PNG, "image/png")})
    assert upload.status_code == 303
    assert 'data-status="acknowledged"' in browser.get(f"/actions/{number}", headers=HTML).text
