"""The sources pages: the list (scoped like ``GET /api/v1/sources``), one source with its batches and the rejected rows
of the reader's area, one batch, the list as files, and replaying the rejected rows after fixing the mapping.

World: the access matrix's (tests/access/world.py) with the sources of tests/web/test_sources_matrix.py (``ehealth``
with three rejected rows: Bhestan in Surat, Madhapar in Kachchh, and one of an unknown org unit; ``hmis``;
``roads_mis``), plus:

* ``stale_feed`` (HEALTH, DHIS2 connector with a password): promised daily by 09:00, last delivered five days ago;
* ``fixable`` (HEALTH, push): nothing yet; its replay test pushes a row with a data element code the mapping does not
  know, then fixes the mapping and replays it;
* ``fixable.operator``: an operator of ``fixable`` only, who signs in with a password (session cookie and CSRF).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models.base import utcnow
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from govpulse.ingest import batch_store
from govpulse.ingest.batches import IngestStores
from govpulse.ingest.push import push_values
from govpulse.ingest.sources import parse_definition, register_source
from govpulse.web.deps import warehouse_of
from govpulse.web.ui.i18n import translate
from govpulse.web.ui.routes.sources import late_words, schedule_words
from tests.web.access_matrix import COLUMNS
from tests.web.test_sources_matrix import BATCH, MAPPING
from tests.web.test_sources_matrix import _seed as seed_matrix_sources

PASSWORD = "Sources-Page-Password-7"
OPERATOR = "fixable.operator"
SECRET = "s3cret-dhis2-password"
STALE = {"code": "stale_feed", "name": "HMIS monthly (DHIS2)", "department": "HEALTH", "connector": "dhis2",
         "settings": {"base_url": "http://127.0.0.1:9", "username": "reader", "password": SECRET},
         "schedule": "15 7 * * *", "freshness": "daily by 09:00", "mapping": MAPPING}
FIXABLE = {"code": "fixable", "name": "Births pushed by the e-Olakh app", "department": "HEALTH", "mapping": MAPPING}


def _seed(session) -> None:
    seed_matrix_sources(session)
    stale, _ = register_source(session, parse_definition(STALE))
    register_source(session, parse_definition(FIXABLE))
    delivered = utcnow() - timedelta(days=5)
    batch = batch_store.begin_batch(session, source=stale, key="stale_feed-old", trigger="schedule",
                                    started_at=delivered - timedelta(minutes=2), since=None, triggered_by="scheduler",
                                    origins=["http://127.0.0.1:9/api/dataValueSets"], rejected=[])
    batch_store.finish_batch(session, batch, status="succeeded", finished_at=delivered, rows_read=40,
                             rows_accepted=40, values_inserted=40)
    UserRepository(session).create(Scope.system(), username=OPERATOR, password=PASSWORD, assignments=[
        AssignmentSpec("operator", "24", departments=("HEALTH",), sources=("fixable",))])
    session.commit()


@pytest.fixture(scope="module")
def matrix_seed():
    return _seed


@pytest.fixture(scope="module")
def matrix_values():
    import pyarrow as pa

    return pa.table({"data_element": ["births"], "org_unit": ["525001"], "period": ["202609"], "value": [3.0]})


def _get(world, role: str, path: str):
    return world.client.get(path, headers=world.headers(role))


def _page(world, role: str, path: str) -> str:
    answer = _get(world, role, path)
    assert answer.status_code == 200, (role, path, answer.status_code, answer.text[:400])
    return answer.text


def _listed(html: str) -> list[tuple[str, str]]:
    """(code, freshness state) of each row of the sources table, in the page's order."""
    return re.findall(r'<tr data-key="([^"]+)" data-state="([a-z_]+)">', html)


def _rejected(html: str) -> list[str]:
    return re.findall(r'<tr data-row="\d+" data-org-unit="([^"]*)">', html)


# --- the list ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [c for c in COLUMNS if c != "anonymous"])
def test_every_role_sees_the_sources_the_api_gives_it(matrix_world, role):
    api = _get(matrix_world, role, "/api/v1/sources")
    assert api.status_code == 200, api.text
    listed = _listed(_page(matrix_world, role, "/sources"))
    assert sorted(code for code, _ in listed) == sorted(s["code"] for s in api.json()), role


def test_what_each_reader_sees_written_out(matrix_world):
    everything = ["ehealth", "fixable", "hmis", "roads_mis", "stale_feed"]
    for role, seen in (("cmo", everything), ("collector", everything),
                       ("secretary", ["ehealth", "fixable", "hmis", "stale_feed"]), ("operator", ["ehealth"]),
                       ("nobody", [])):
        assert sorted(code for code, _ in _listed(_page(matrix_world, role, "/sources"))) == seen, role


def test_a_stale_source_comes_first_and_says_so_in_words_and_symbol(matrix_world):
    html = _page(matrix_world, "cmo", "/sources")
    listed = _listed(html)
    assert listed[0] == ("stale_feed", "stale")
    assert dict(listed)["hmis"] == "not_promised"  # delivered, but promised nothing to be judged against
    row = html[html.index('<tr data-key="stale_feed"'):]
    row = row[:row.index("</tr>")]
    assert 'class="badge rag-red" data-freshness="stale"' in row
    assert '<span class="badge__symbol" aria-hidden="true">■</span> Stale' in row
    assert "daily at 07:15" in row and "daily by 09:00" in row
    assert re.search(r">\d+ days<", row), row  # late by


def _menu(html: str) -> str:
    start = html.index('<nav class="primary-nav"')
    return html[start:html.index("</nav>", start)]


def test_the_header_links_to_sources_for_readers_with_a_role(matrix_world):
    assert '<a href="/sources" aria-current="page">Sources</a>' in _menu(_page(matrix_world, "talati", "/sources"))
    assert '<a href="/sources">Sources</a>' in _menu(_page(matrix_world, "talati", "/flags"))
    assert 'href="/sources"' not in _menu(_page(matrix_world, "nobody", "/sources"))
    assert translate("en", "sources_page.none") in _page(matrix_world, "nobody", "/sources")


def test_the_overview_links_a_late_source_to_its_page(matrix_world):
    panel = _page(matrix_world, "cmo", "/overview/freshness")
    assert '<a href="/sources/stale_feed"><strong>HMIS monthly (DHIS2)</strong></a>' in panel


def test_the_list_as_csv_has_the_rows_of_the_page(matrix_world):
    answer = _get(matrix_world, "operator", "/sources.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Code,Name,Department,Connector,Schedule,Freshness,")
    assert [line.split(",")[0] for line in lines[1:]] == ["ehealth"]
    stale = _get(matrix_world, "cmo", "/sources.xlsx")
    assert stale.status_code == 200 and stale.content[:2] == b"PK"


# --- one source -------------------------------------------------------------------------------------------------


def test_a_source_outside_the_scope_is_not_found(matrix_world):
    assert _get(matrix_world, "secretary", "/sources/roads_mis").status_code == 404
    assert _get(matrix_world, "operator", "/sources/hmis").status_code == 404
    assert _get(matrix_world, "cmo", "/sources/no_such_source").status_code == 404


def test_the_definition_is_shown_without_its_secrets(matrix_world):
    html = _page(matrix_world, "cmo", "/sources/stale_feed")
    assert SECRET not in html
    settings = html[html.index('id="settings"'):]
    assert "<dt>password</dt><dd><code>***</code></dd>" in settings
    assert "<dt>username</dt><dd><code>reader</code></dd>" in settings
    assert "daily at 07:15 <code>15 7 * * *</code>" in html
    assert 'data-freshness="stale"' in html[html.index('id="freshness"'):]
    assert 'href="/sources/stale_feed/batches/stale_feed-old"' in html


def test_rejected_rows_are_listed_by_the_readers_area(matrix_world):
    """As the API: Surat's officers see Bhestan's row and not Kachchh's; the unknown org unit's row only readers of
    the whole state; the Commissioner of a ULB none. The count of waiting rows is the source's."""
    for role, seen in (("cmo", ["525001", "515001", ""]), ("collector", ["525001"]), ("talati", ["525001"]),
                       ("commissioner", []), ("operator", ["525001", "515001", ""])):
        html = _page(matrix_world, role, "/sources/ehealth")
        assert _rejected(html) == seen, role
        assert re.search(r'<p class="tile__value tile__value--small" id="pending">3</p>', html), role
    surat = _page(matrix_world, "collector", "/sources/ehealth")
    assert "Bhestan" in surat and "515001" not in surat and "Madhapar" not in surat


def test_a_batch_shows_its_counts_and_the_readers_rejected_rows(matrix_world):
    path = f"/sources/ehealth/batches/{BATCH['ehealth']}"
    assert _rejected(_page(matrix_world, "collector", path)) == ["525001"]
    assert _rejected(_page(matrix_world, "cmo", path)) == ["525001", "515001", ""]
    assert _get(matrix_world, "cmo", f"/sources/ehealth/batches/{BATCH['hmis']}").status_code == 404
    assert _get(matrix_world, "secretary", f"/sources/roads_mis/batches/{BATCH['roads_mis']}").status_code == 404


# --- replay -----------------------------------------------------------------------------------------------------


def test_the_replay_button_is_shown_only_to_those_who_may_manage_the_source(matrix_world):
    for role in ("cmo", "secretary", "collector", "auditor"):
        assert 'id="replay-button"' not in _page(matrix_world, role, "/sources/ehealth"), role
    for role in ("operator", "admin"):
        assert 'id="replay-button"' in _page(matrix_world, role, "/sources/ehealth"), role


def test_a_replay_without_manage_sources_is_refused(matrix_world):
    for role, status in (("cmo", 403), ("collector", 403), ("auditor", 403), ("operator", 404)):
        path = "/sources/hmis/replay" if role == "operator" else "/sources/ehealth/replay"
        answer = matrix_world.client.post(path, headers=matrix_world.headers(role), follow_redirects=False)
        assert answer.status_code == status, (role, answer.text[:300])
    assert _page(matrix_world, "cmo", "/sources/ehealth").count('<tr data-row=') == 3  # nothing was replayed


@pytest.fixture(scope="module")
def operator_browser(matrix_world):
    """A browser signed in through the form as the operator of ``fixable`` (session cookie, CSRF on forms)."""
    with TestClient(matrix_world.app, base_url="https://testserver", follow_redirects=False) as client:
        token = _csrf(client.get("/auth/login").text)
        signed_in = client.post("/auth/login", data={"username": OPERATOR, "password": PASSWORD, "csrf_token": token})
        assert signed_in.status_code == 303, signed_in.text
        yield client


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def _replay(browser: TestClient, *, button: bool = True) -> str:
    """Press the page's replay button (``button=False``: send the form though the page shows no button, nothing
    waiting); return the outcome in words on the page it comes back to."""
    page = browser.get("/sources/fixable").text
    form = '<form method="post" action="/sources/fixable/replay"'
    assert (form in page) == button
    sent = browser.post("/sources/fixable/replay", data={"csrf_token": _csrf(page[page.index(form):] if button else
                                                                              page)})
    assert sent.status_code == 303, sent.text[:300]
    assert sent.headers["location"].startswith("/sources/fixable?replay=")
    back = browser.get(sent.headers["location"])
    assert back.status_code == 200
    return re.search(r'<div class="notice notice--done" role="status" id="replay"><p>(.*?)</p>', back.text).group(1)


def test_a_replay_without_the_csrf_token_is_refused(matrix_world, operator_browser):
    assert operator_browser.get("/sources/fixable").status_code == 200
    assert operator_browser.post("/sources/fixable/replay", data={}).status_code == 403
    assert operator_browser.post("/sources/fixable/replay", data={"csrf_token": "0" * 64}).status_code == 403


def test_replay_after_fixing_the_mapping_loads_the_rows_and_says_what_it_did(matrix_world, operator_browser):
    app = matrix_world.app
    stores = IngestStores(app.state.session_factory, warehouse_of(app))
    body = b'[{"orgUnit": "525001", "period": "202610", "dataElement": "BR21", "value": "7"}]'
    pushed = push_values(stores, "fixable", body, "application/json", triggered_by="test")
    assert (pushed.rows_read, pushed.rows_rejected) == (1, 1)
    page = operator_browser.get("/sources/fixable").text
    assert _rejected(page) == ["525001"] and 'id="replay-button"' in page

    # Replayed as it is, the rows are the batch that rejected them: nothing changes, and the page says so.
    assert _replay(operator_browser) == translate("en", "sources_page.replay_same")
    assert _rejected(operator_browser.get("/sources/fixable").text) == ["525001"]

    with app.state.session_factory() as session:  # the operator fixes the mapping (as POST /api/v1/sources would)
        set_actor(session, Actor.system("test"))
        fixed = {**MAPPING, "data_element": {"column": "dataElement", "codes": {"BR21": "births"}}}
        register_source(session, parse_definition({**FIXABLE, "mapping": fixed}))
        session.commit()
    assert _replay(operator_browser) == translate("en", "sources_page.replayed", read="1", accepted="1",
                                                  rejected="0", inserted="1", updated="0")
    assert _replay(operator_browser, button=False) == translate("en", "sources_page.replay_nothing")
    after = operator_browser.get("/sources/fixable").text
    assert _rejected(after) == [] and 'id="replay-button"' not in after  # nothing waits any more
    assert _pending(after) == "0"
    lineage = matrix_world.client.get("/api/v1/values/lineage?data_element=births&org_unit=525001&period=202610",
                                      headers=matrix_world.headers("cmo"))
    assert [b["trigger"] for b in lineage.json()["batches"] if b["source"] == "fixable"] == ["replay"]


def _pending(html: str) -> str:
    return re.search(r'id="pending">([^<]*)<', html).group(1)


# --- words ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cron", "words"), [
    ("15 7 * * *", "daily at 07:15"),
    ("0 6 * * 1,4", "every Mon, Thu at 06:00"),
    ("0 6 * * mon-fri", "every Mon, Tue, Wed, Thu, Fri at 06:00"),
    ("30 5 1 * *", "monthly on day 1 at 05:30"),
    ("5 * * * *", "every hour at minute 5"),
    ("*/15 * * * *", "every 15 minutes"),
    ("0 0 1 1 *", "cron 0 0 1 1 *"),
    ("0 6 * * 5-1", "cron 0 6 * * 5-1"),
    (None, "Not scheduled: read by hand or pushed"),
])
def test_schedules_in_words(cron, words):
    assert schedule_words(cron, "en") == words


def test_schedule_words_in_gujarati_and_with_another_time_zone():
    assert schedule_words("0 6 * * 1", "gu") == "દર સોમ 06:00 વાગ્યે"
    assert schedule_words("15 7 * * *", "en", "Asia/Dubai", "Asia/Kolkata") == "daily at 07:15 (Asia/Dubai)"
    assert schedule_words("15 7 * * *", "en", "Asia/Kolkata", "Asia/Kolkata") == "daily at 07:15"


def test_late_in_the_largest_whole_unit():
    assert [late_words(timedelta(minutes=m), "en") for m in (40, 61, 47 * 60 + 59, 50 * 60)] == [
        "40 minutes", "1 hour", "47 hours", "2 days"]
    assert late_words(None, "en") == ""
