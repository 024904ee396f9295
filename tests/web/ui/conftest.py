"""UI test fixtures.

- ``app`` (overrides tests/web's): the same app with ``/static`` mounted, for TestClient tests of pages.
- ``ui_server``: the real app served by uvicorn on a free 127.0.0.1 port in a background thread, on a fresh
  home with the small Gujarat tree of tests/catalog and one CMO account that signs in with a password.
- ``browser`` / ``page``: Playwright driving Debian's Chromium (/usr/bin/chromium, installed by
  ``make browser``); ``page`` is signed in, on a 1280 x 800 viewport, with ``base_url`` set to the server.
- ``screenshot(page, name)``: saves ``artifacts/screenshots/<name>.png`` and returns its path.

Without Chromium (or the playwright package) the browser tests skip with a loud reason, and fail under
CI=true. They all run on one xdist worker (group "browser"), so the server and browser start once.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models import Department
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.web.app import create_app
from govpulse.web.ui.assets import mount_static
from tests.catalog.test_store import TREE

HERE = Path(__file__).parent
REPO = HERE.parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("GOVPULSE_CHROMIUM", "/usr/bin/chromium"))
# As the machine notes prescribe for Chromium as root on a closed network: no sandbox (root), no GPU, and no
# background connections, which this network refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").lower() == "true"
UI_USER, UI_PASSWORD = "ui.cmo", "browser-test-password-1"


def _browser_problem() -> str | None:
    """None when a browser test can run, else why not."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} not found: run `make browser` (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"the playwright package is not installed ({error})"
    return None


_BROWSER_PROBLEM = _browser_problem()


def pytest_report_header(config) -> str:
    if _BROWSER_PROBLEM is None:
        return f"browser tests: Playwright with {CHROMIUM}"
    verdict = "FAILS under CI=true" if IN_CI else "SKIPPING every browser test"
    return f"!!! browser tests: {_BROWSER_PROBLEM}: {verdict} !!!"


def pytest_collection_modifyitems(config, items) -> None:
    """One xdist worker runs every browser test, so the session's server and Chromium start only once."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE) and "ui_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("browser"))


def require_browser() -> None:
    if _BROWSER_PROBLEM is not None:
        message = f"browser tests cannot run: {_BROWSER_PROBLEM}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def _with_static(application):
    # create_app mounts /static once the lead wires mount_static in; until then tests mount it here.
    if getattr(application.state, "static_dir", None) is None:
        mount_static(application)
    return application


@pytest.fixture
def app(app):
    """tests/web's app (small tree, Health department), with /static mounted."""
    return _with_static(app)


def _seed(application) -> None:
    with application.state.session_factory() as session:
        set_actor(session, Actor.system("ui test set-up"))
        OrgUnitRepository(session).replace_all(TREE)
        session.add_all([Department(code="HEALTH", name="Health", names={"gu": "આરોગ્ય", "hi": "स्वास्थ्य",
                                                                          "ml": "ആരോഗ്യം"}),
                         Department(code="EDU", name="Education", names={"gu": "શિક્ષણ"})])
        UserRepository(session).create(Scope.system(), username=UI_USER, password=UI_PASSWORD,
                                       full_name="CMO (browser tests)",
                                       assignments=[AssignmentSpec(role="cmo", org_unit="24")])
        session.commit()


@dataclass(frozen=True)
class UiServer:
    url: str
    username: str
    password: str


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory) -> Iterator[UiServer]:
    require_browser()
    application = _with_static(create_app(Settings(home=tmp_path_factory.mktemp("ui-home"))))
    _seed(application)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # a free port, held from here on: no race with another process
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="ui-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.02)
    yield UiServer(f"http://127.0.0.1:{port}", UI_USER, UI_PASSWORD)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="session")
def browser(ui_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def signed_in_state(browser, ui_server) -> dict:
    """Cookies of a session opened through the real sign-in form, shared by every test's page."""
    context = browser.new_context(base_url=ui_server.url)
    page = context.new_page()
    page.goto("/auth/login")
    page.fill("input[name=username]", ui_server.username)
    page.fill("input[name=password]", ui_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{ui_server.url}/")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def page(browser, ui_server, signed_in_state):
    context = browser.new_context(storage_state=signed_in_state, base_url=ui_server.url,
                                  viewport={"width": 1280, "height": 800}, locale="en-IN",
                                  timezone_id="Asia/Kolkata")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def screenshot(page, name: str) -> Path:
    """Save the whole page as ``artifacts/screenshots/<name>.png`` (gitignored) and return the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
