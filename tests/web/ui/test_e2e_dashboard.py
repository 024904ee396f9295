"""The dashboard end to end in real headless Chromium, on a small real Gujarat (tests/web/ui/dashboard_world.py).

Signed in through the form as CMO staff and as the Collector of Surat: the overview, a drill from the state to
a village by clicking the map at each level, the status of the area itself on its drill-down, the language
switch, a language chosen on the account page, a new officer made to change the password an admin chose, a red
flag and an action started from it, an export, the video wall. Every page is saved as a screenshot under
artifacts/screenshots/ (``dashboard-*.png``, ``account-*.png``, ``action-*.png``,
``sources-1280.png`` and ``source-detail-1280.png``: the sources pages on four seeded Health sources).
"""

from __future__ import annotations

import csv
import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import uvicorn

from govpulse.analytics.flag_engine import run_flag_engine
from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from govpulse.catalog.models.base import utcnow
from govpulse.ingest import batch_store
from govpulse.ingest.pipeline import RejectedRow
from govpulse.ingest.sources import parse_definition, register_source
from govpulse.installation import catalog_session
from govpulse.warehouse import connect
from govpulse.web.app import create_app
from govpulse.web.ui.dashboard import install_page_problems
from govpulse.web.ui.i18n import translate
from tests.web.ui.conftest import CHROMIUM, CHROMIUM_ARGS, require_browser, screenshot
from tests.web.ui.dashboard_world import build_small_demo

pytestmark = pytest.mark.xdist_group("browser")

INDICATOR = "HLT_INST_DELIVERY_PCT"
SURAT, BARDOLI = "459", "3940"
PASSWORD = "dashboard-e2e-password-1"


@dataclass(frozen=True)
class DemoServer:
    url: str
    wall_token: str


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[DemoServer]:
    require_browser()
    settings = build_small_demo(tmp_path_factory.mktemp("dashboard-e2e"))
    with catalog_session(settings) as session, connect(settings.warehouse_url) as warehouse:
        run_flag_engine(session, warehouse, today=date.today())
        session.commit()
    app = create_app(settings.model_copy(update={"session_cookie_secure": False}))
    install_page_problems(app)  # the HTML error pages, until create_app installs them
    with app.state.session_factory() as session:
        set_actor(session, Actor.system("e2e set-up"))
        users = UserRepository(session)
        users.create(Scope.system(), username="cmo.staff", password=PASSWORD, full_name="CMO staff",
                     assignments=[AssignmentSpec(role="cmo", org_unit="24")])
        users.create(Scope.system(), username="collector.surat", password=PASSWORD, full_name="Collector, Surat",
                     assignments=[AssignmentSpec(role="collector", org_unit=SURAT)])
        # Changes her own language on the account page (the other accounts stay in English for the other tests).
        users.create(Scope.system(), username="cmo.gujarati", password=PASSWORD, full_name="CMO staff (Gujarati)",
                     assignments=[AssignmentSpec(role="cmo", org_unit="24")])
        # Added by an admin with a password chosen for him: must change it at his first sign-in.
        users.create(Scope.system(), username="collector.new", password=PASSWORD, full_name="Collector, Surat (new)",
                     assignments=[AssignmentSpec(role="collector", org_unit=SURAT)], must_change_password=True)
        kiosk = users.create(Scope.system(), username="wall.kiosk", full_name="Video wall",
                             assignments=[AssignmentSpec(role="cmo", org_unit="24")])
        _token, wall_token = TokenRepository(session).create(kiosk, Scope.system(), name="video wall")
        _seed_sources(session)
        session.commit()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="dashboard-e2e", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.02)
    yield DemoServer(f"http://127.0.0.1:{port}", wall_token)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def chromium(demo_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _signed_in(chromium, server: DemoServer, username: str, *, width: int = 1280, height: int = 900):
    context = chromium.new_context(base_url=server.url, viewport={"width": width, "height": height},
                                   locale="en-IN", timezone_id="Asia/Kolkata", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    return page


def _watch(page) -> list[str]:
    failures: list[str] = []
    page.on("pageerror", lambda error: failures.append(f"script error: {error}"))
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    return failures


def _charts_drawn(page) -> None:
    page.wait_for_function("() => document.querySelectorAll('[data-chart]').length > 0 && "
                           "Array.from(document.querySelectorAll('[data-chart]')).every(e => e.classList.contains('chart--drawn'))")
    page.wait_for_timeout(400)  # the last animation frame


def _centre(feature: dict) -> list[float]:
    """A point inside a feature: a point's own coordinates, else the middle of its outer ring's bounding box
    (the features clicked here, Surat district and a grid square, are convex enough for that)."""
    geometry = feature["geometry"]
    if geometry["type"] == "Point":
        return geometry["coordinates"]
    ring = geometry["coordinates"][0] if geometry["type"] == "Polygon" else geometry["coordinates"][0][0]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return [(min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2]


def _click_on_map(page, parent: str, child: str) -> None:
    """Click ``child`` where the map draws it (the map's own coordinates turned into pixels by ECharts)."""
    layer = page.request.get(f"/maps/{parent}.geojson").json()
    feature = next(f for f in layer["features"] if f["properties"].get("org_unit") == child)
    x, y = page.evaluate("""([id, coord, points]) => {
        const element = document.getElementById(id);
        const chart = window.echarts.getInstanceByDom(element);
        const [x, y] = chart.convertToPixel(points ? {geoIndex: 0} : {seriesIndex: 0}, coord);
        const box = element.getBoundingClientRect();
        return [box.left + x, box.top + y];
    }""", ["drill-map", _centre(feature), layer["layout"] == "points"])
    with page.expect_navigation():
        page.mouse.click(x, y)


SOURCE_MAPPING = {"org_unit": "taluka", "period": "date", "data_element": "indicator", "value": "value"}


def _source(session, code: str, name: str, *, freshness: str | None = "daily by 09:00", **more):
    definition = {"code": code, "name": name, "department": "HEALTH", "mapping": SOURCE_MAPPING, **more}
    if freshness:
        definition["freshness"] = freshness
    return register_source(session, parse_definition(definition))[0]


def _delivered(session, source, days_ago: int, *, rows: int = 226, rejected: list | None = None) -> None:
    """A successful batch of ``source``: at 07:20 India time ``days_ago`` days ago, or a few minutes ago (0)."""
    india = ZoneInfo("Asia/Kolkata")
    today = datetime.now(india).date()
    day = today - timedelta(days=days_ago)
    finished = (utcnow() - timedelta(minutes=3) if days_ago == 0
                else datetime(day.year, day.month, day.day, 7, 20, tzinfo=india).astimezone(UTC))
    batch = batch_store.begin_batch(session, source=source, key=f"{source.code}-{days_ago}", trigger="schedule",
                                    started_at=finished - timedelta(minutes=1), since=None, triggered_by="scheduler",
                                    origins=[f"{source.code}_{finished:%Y%m%d}.csv"], rejected=rejected or [])
    batch_store.finish_batch(session, batch, status="succeeded", finished_at=finished, rows_read=rows,
                             rows_accepted=rows - len(rejected or []), rows_rejected=len(rejected or []),
                             values_inserted=4 * (rows - len(rejected or [])))


def _seed_sources(session) -> None:
    """Four Health sources for the sources pages: stale (nothing for five days), never delivered, one delivering
    daily with a three-day gap and two rows rejected for a taluka the tree lacks, and one pushed an hour ago."""
    _delivered(session, _source(session, "e2e_stale", "e-Mamta registrations (stopped)", schedule="0 7 * * *",
                                connector="csv_folder", settings={"folder": "/srv/drop/e-mamta"}), 5)
    _source(session, "e2e_never", "Mission Indradhanush camps")
    ambulance = _source(session, "e2e_ambulance", "108 ambulance daily report", schedule="15 7 * * *",
                        connector="csv_folder", settings={"folder": "/srv/drop/108", "pattern": "*.csv"})
    for days_ago in (13, 12, 11, 10, 9, 5, 4, 3, 2, 1):
        _delivered(session, ambulance, days_ago)
    bodeli = [RejectedRow("ambulance_latest.csv", 227 + n, [{"field": "taluka", "reason":
              "unknown org unit: no org unit has code '6020'"}], {"taluka": "6020", "date": f"2{n}-11-2026",
              "indicator": "hlt_amb_calls", "value": "1204"}, None) for n in range(2)]
    _delivered(session, ambulance, 0, rejected=bodeli)
    _delivered(session, _source(session, "e2e_water", "Water supply (pushed)", freshness="daily by 23:59"), 0,
               rows=1125)


# --- tests -------------------------------------------------------------------------------------------------


def test_cmo_opens_the_overview_a_department_and_an_indicator(chromium, demo_server):
    page = _signed_in(chromium, demo_server, "cmo.staff")
    failures = _watch(page)
    page.goto("/")
    page.wait_for_selector("a.department[data-department=HEALTH]")  # the tiles arrive by htmx
    _charts_drawn(page)
    assert page.locator("h1").inner_text() == translate("en", "home.title")
    assert page.locator("article.kpi").count() >= 2
    assert page.locator("#flag-counts .severity-row").count() == 5
    screenshot(page, "dashboard-overview-cmo-1280")

    page.locator("a.department[data-department=HEALTH]").click()  # one click opens a department
    page.wait_for_url("**/departments/HEALTH**")
    assert page.locator("table[data-table=scorecard] tbody tr").count() >= 10
    assert page.locator("table[data-table=scorecard] td.cell-status").count() > 100
    screenshot(page, "dashboard-department-health-1280")

    page.locator(f"table[data-table=scorecard] tr[data-key={INDICATOR}] th a").click()
    page.wait_for_url(f"**/indicators/{INDICATOR}**")
    page.wait_for_selector("#trend-title ~ * [data-chart].chart--drawn, .trend [data-chart]")
    _charts_drawn(page)
    assert page.locator("table[data-table=ranking] tbody tr").count() == 33
    screenshot(page, "dashboard-indicator-1280")

    # Any chart saves as a PNG drawn by ECharts in the browser.
    with page.expect_download() as download:
        page.locator(f"[data-chart-png='ranking-{INDICATOR}']").click()
    assert download.value.suggested_filename.endswith(".png")
    assert download.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert failures == [], failures
    page.context.close()


def test_cmo_opens_a_red_flag_and_lands_on_its_root_cause(chromium, demo_server):
    page = _signed_in(chromium, demo_server, "cmo.staff")
    failures = _watch(page)
    page.goto("/flags?department=HEALTH")
    rows = page.locator("table[data-table=flags] tbody tr")
    assert rows.count() >= 1
    screenshot(page, "dashboard-flags-inbox-1280")
    first = rows.first
    flag_id = first.get_attribute("data-key")
    assert first.locator(f"a[href='/actions/new?flag={flag_id}']").count() == 1  # start an action from it
    first.locator("td a, th a").first.click()
    page.wait_for_url(f"**/drill/**flag={flag_id}**")
    _charts_drawn(page)
    assert page.locator("#root-cause").is_visible()
    assert page.locator("[data-start-action]").get_attribute("href") == f"/actions/new?flag={flag_id}"
    assert page.locator("table[data-table=drilldown] tr.is-highlighted").count() >= 1
    screenshot(page, "dashboard-flag-root-cause-1280")

    # Start an action from it: the form comes filled in from the flag; sending it lands on the new action.
    page.locator("[data-start-action]").click()
    page.wait_for_url(f"**/actions/new?flag={flag_id}")
    assert page.locator(f"#flag-facts-box[data-flag='{flag_id}']").is_visible()
    assert page.locator("input[name=title]").input_value() != ""  # the flag's message
    assert page.locator("input[name=due_at]").input_value() != ""  # the escalation rules' date for its severity
    assert page.locator("select[name=assignee_role]").input_value() != ""  # the post nearest the flag
    page.fill("textarea[name=description]", "Call the Medical Officer and check the labour-room register.")
    screenshot(page, "action-from-flag-1280")
    page.locator("[data-submit-action]").click()
    page.wait_for_url(re.compile(r".*/actions/\d+$"))
    assert page.locator("h1").inner_text().startswith("A-")
    assert page.locator("dd[data-status=open]").count() == 1
    assert "labour-room register" in page.locator(".wf-report").first.inner_text()
    assert failures == [], failures
    page.context.close()


def test_cmo_drills_from_the_state_to_a_village_by_clicking_the_map(chromium, demo_server):
    page = _signed_in(chromium, demo_server, "cmo.staff")
    failures = _watch(page)
    page.goto(f"/drill/{INDICATOR}/24")
    _charts_drawn(page)
    assert page.locator("h1").inner_text() == "Institutional deliveries (%)" or page.locator("h1").count() == 1
    screenshot(page, "dashboard-drill-state-1280")

    _click_on_map(page, "24", SURAT)  # polygons: the districts of Gujarat
    assert page.url.split("?")[0].endswith(f"/drill/{INDICATOR}/{SURAT}")
    _charts_drawn(page)
    screenshot(page, "dashboard-drill-district-1280")

    _click_on_map(page, SURAT, BARDOLI)  # points: taluka headquarters inside the district
    assert page.url.split("?")[0].endswith(f"/drill/{INDICATOR}/{BARDOLI}")
    _charts_drawn(page)
    screenshot(page, "dashboard-drill-taluka-1280")

    village = page.locator("table[data-table=drilldown] tbody tr").first.get_attribute("data-key")
    _click_on_map(page, BARDOLI, village)  # the grid: one square per village
    assert page.url.split("?")[0].endswith(f"/drill/{INDICATOR}/{village}")
    assert translate("en", "kind.village") in page.locator(".eyebrow").first.inner_text()
    crumbs = page.locator("nav.breadcrumb li").all_inner_texts()
    assert crumbs[:3] == ["Gujarat", "Surat", "Bardoli"]
    screenshot(page, "dashboard-drill-village-1280")

    page.locator("nav.breadcrumb a", has_text="Surat").click()  # the breadcrumb goes back up
    assert page.url.split("?")[0].endswith(f"/drill/{INDICATOR}/{SURAT}")
    assert failures == [], failures
    page.context.close()


def test_the_drill_down_tile_of_the_area_itself_shows_its_status(chromium, demo_server):
    page = _signed_in(chromium, demo_server, "cmo.staff")
    failures = _watch(page)
    page.goto(f"/drill/{INDICATOR}/{SURAT}")
    _charts_drawn(page)
    tile = page.locator("#parent-tile")
    status = tile.get_attribute("data-status")
    assert status in ("green", "amber", "red", "stale", "no_data")
    # The status in symbol and words, not colour alone, as the table's rows show it; and the target.
    badge = tile.locator(".badge").inner_text().strip()
    assert badge.endswith(translate("en", f"status.{status}")) and badge[0] in "●▲■○◷"
    assert translate("en", "measure.target") in tile.inner_text()
    assert page.locator("#parent-coverage .tile__value").inner_text().endswith("%")
    # The tile's colour bar is the status's colour.
    bar = tile.evaluate("e => getComputedStyle(e).borderLeftColor")
    badge_colour = tile.locator(".badge").evaluate("e => getComputedStyle(e).backgroundColor")
    assert bar == badge_colour, (bar, badge_colour)
    screenshot(page, "dashboard-drill-parent-status-1280")
    assert failures == [], failures
    page.context.close()


def test_an_officer_sets_gujarati_on_the_account_page_and_the_overview_follows(chromium, demo_server):
    page = _signed_in(chromium, demo_server, "cmo.gujarati")
    failures = _watch(page)
    page.wait_for_selector("a.department")
    assert page.get_attribute("html", "lang") == "en"
    page.locator("#account-link").click()  # the user name in the header opens the account page
    page.wait_for_url("**/account")
    page.get_by_label("ગુજરાતી").check()
    page.get_by_role("button", name=translate("en", "account.save")).click()
    page.wait_for_url("**/account?saved=1")
    assert page.get_attribute("html", "lang") == "gu"
    assert page.locator("#account-saved").inner_text().strip() == translate("gu", "account.saved", language="ગુજરાતી")
    screenshot(page, "account-language-1280")

    # The account carries the choice, not just this browser: without the language cookie, in a browser that
    # asks for English, the overview opens in Gujarati.
    page.context.clear_cookies(name="lang")
    page.goto("/")
    page.wait_for_selector("a.department")
    assert page.get_attribute("html", "lang") == "gu"
    assert page.locator("h1").inner_text() == translate("gu", "home.title")
    assert translate("gu", "nav.red_flags") in page.locator("nav.primary-nav").inner_text()
    assert failures == [], failures
    page.context.close()


def test_a_new_officer_changes_the_password_an_admin_chose_and_lands_on_the_overview(chromium, demo_server):
    context = chromium.new_context(base_url=demo_server.url, viewport={"width": 1280, "height": 900},
                                   locale="en-IN", timezone_id="Asia/Kolkata")
    context.set_default_timeout(15_000)
    page = context.new_page()
    failures = _watch(page)
    page.goto("/auth/login")
    page.fill("input[name=username]", "collector.new")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{demo_server.url}/account/password")  # not the overview: the password comes first
    page.goto("/flags")  # every other page leads back here
    page.wait_for_url(f"{demo_server.url}/account/password?next=%2Fflags")
    page.goto("/")
    page.wait_for_url(f"{demo_server.url}/account/password")
    assert page.locator("#password-must-change").inner_text().strip() == translate("en", "account.password.forced")
    assert page.locator("nav.primary-nav").count() == 0
    page.get_by_label(translate("en", "account.password.current"), exact=True).fill(PASSWORD)
    page.get_by_label(translate("en", "account.password.new"), exact=True).fill("Collector-Own-Choice-2026")
    page.get_by_label(translate("en", "account.password.repeat"), exact=True).fill("Collector-Own-Choice-2026")
    screenshot(page, "account-password-change-1280")
    page.get_by_role("button", name=translate("en", "account.password.save")).click()
    page.wait_for_url(f"{demo_server.url}/")
    page.wait_for_selector("a.department")  # the overview, tiles and all
    assert page.locator("h1").inner_text() == translate("en", "home.title")
    page.goto("/flags")
    page.wait_for_url(f"{demo_server.url}/flags")  # free to go anywhere now
    assert failures == [], failures
    context.close()


def test_collector_sorts_exports_and_switches_language_on_a_phone(chromium, demo_server):
    page = _signed_in(chromium, demo_server, "collector.surat", width=360, height=780)
    failures = _watch(page)
    page.wait_for_selector("a.department")  # the overview of her district
    assert "Surat" in page.locator(".eyebrow").first.inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    screenshot(page, "dashboard-overview-collector-360")
    page.goto(f"/drill/{INDICATOR}/{SURAT}")
    _charts_drawn(page)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    screenshot(page, "dashboard-drill-collector-360")

    # Sorting asks htmx for the table alone, and the address keeps the order.
    page.locator("table[data-table=drilldown] th[data-column=value] a").click()
    page.wait_for_url("**order=**")
    order = page.locator("table[data-table=drilldown] th[data-column=value]").get_attribute("aria-sort")
    assert order in ("ascending", "descending")

    with page.expect_download() as download:
        page.locator("#drill-table a[data-export=csv]").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    shown = page.locator("table[data-table=drilldown] tbody th").all_inner_texts()
    assert [r[0] for r in rows[1:]] == [s.strip() for s in shown]

    page.get_by_role("link", name="ગુજરાતી").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "gu"
    assert translate("gu", "drill.map_hint") in page.inner_text("main")
    _charts_drawn(page)
    screenshot(page, "dashboard-drill-collector-gu-360")

    # The state and another district are not the Collector's: 404 pages, not numbers.
    response = page.goto(f"/drill/{INDICATOR}/449")
    assert response.status == 404
    assert translate("gu", "errors.not_found") in page.inner_text("main")
    failures.clear()
    page.context.close()


def test_video_wall_rotates_and_keeps_the_last_view_when_the_server_fails(chromium, demo_server):
    context = chromium.new_context(base_url=demo_server.url, viewport={"width": 1920, "height": 1080},
                                   locale="en-IN", timezone_id="Asia/Kolkata")
    page = context.new_page()
    page.goto(f"/wall?view=drill:{INDICATOR}&view=overview&every=10#token={demo_server.wall_token}")
    page.wait_for_selector(".wall-panel")
    _charts_drawn(page)
    assert "#token" not in page.url  # the token left the address bar for local storage
    assert page.locator("[data-wall-as-of]").is_visible()
    assert page.locator("time[data-clock]").is_visible()
    screenshot(page, "dashboard-wall-map-1920")
    page.keyboard.press("ArrowRight")  # the next view: every department and the open flags
    page.wait_for_selector(".wall-panel--overview a.department")
    screenshot(page, "dashboard-wall-overview-1920")

    # The server stops answering: the wall keeps its last view and says it is reconnecting.
    page.route("**/wall/views/**", lambda route: route.fulfill(status=500, body="boom"))
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("[data-wall-status]:not([hidden])")
    assert page.locator(".wall-panel").count() == 1
    assert "boom" not in page.inner_text("body")
    page.unroute("**/wall/views/**")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("[data-wall-status]", state="hidden")
    context.close()


def test_cmo_opens_the_sources_and_one_with_rejected_rows(chromium, demo_server):
    page = _signed_in(chromium, demo_server, "cmo.staff")
    failures = _watch(page)
    assert page.locator("#freshness a[href='/sources/e2e_stale']").count() == 1  # the overview links late sources
    page.locator("nav.primary-nav a[href='/sources']").click()
    page.wait_for_url(f"{demo_server.url}/sources")
    rows = page.locator("table[data-table=sources] tbody tr")
    assert [rows.nth(n).get_attribute("data-state") for n in range(2)] == ["stale", "missing"]
    assert rows.first.get_attribute("data-key") == "e2e_stale"
    assert rows.first.locator(".badge").inner_text().split() == ["■", translate("en", "freshness.stale")]
    ambulance = page.locator("tr[data-key=e2e_ambulance]")
    assert ambulance.locator(".delivery-strip__day.is-delivered").count() == 11  # 14 days, a gap of three
    screenshot(page, "sources-1280")

    ambulance.locator("th a").click()
    page.wait_for_url(f"{demo_server.url}/sources/e2e_ambulance")
    _charts_drawn(page)
    assert page.locator("#rejected-rows tbody tr").count() == 2
    assert page.locator("#replay-button").count() == 0  # CMO staff read sources; operators replay them
    assert page.locator("#batches tbody tr").count() == 11
    screenshot(page, "source-detail-1280")
    assert failures == [], failures
    page.context.close()
