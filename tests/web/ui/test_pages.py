"""Pages over HTTP (no browser): base layout, languages, filters, status colours, and missing assets."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from markupsafe import Markup

from govpulse.core.enums import Rag, Severity
from govpulse.settings import Settings
from govpulse.web.app import create_app
from govpulse.web.ui.assets import VENDOR_FILES, default_static_dir, mount_static, status_css
from govpulse.web.ui.i18n import translate
from govpulse.web.ui.templating import PageUi, templates

UI_DIR = Path(str(resources.files("govpulse.web.ui")))


def _h1(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


@pytest.mark.parametrize("lang", ["en", "gu", "hi", "ml"])
def test_home_page_in_each_language(client, lang):
    response = client.get(f"/?lang={lang}")
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert _h1(response.text) == translate(lang, "home.title")
    assert translate(lang, "nav.skip_to_content") in response.text
    assert translate(lang, "kinds.village") in response.text
    assert response.cookies.get("lang") == lang
    # The cookie keeps the language on the next page, without ?lang=.
    again = client.get("/")
    assert _h1(again.text) == translate(lang, "home.title")
    assert "set-cookie" not in again.headers


def test_browser_languages_decide_when_nothing_was_chosen(client):
    client.cookies.clear()
    response = client.get("/", headers={"Accept-Language": "ta-IN, hi-IN;q=0.9, en;q=0.5"})
    assert _h1(response.text) == translate("hi", "home.title")
    assert "set-cookie" not in response.headers  # only an explicit ?lang= is remembered
    assert 'aria-current="true">हिन्दी' in response.text
    assert 'href="/?lang=gu"' in response.text


def test_home_uses_base_layout_and_local_names(client):
    response = client.get("/?lang=gu")
    html = response.text
    assert 'class="skip-link" href="#main"' in html and '<main id="main" tabindex="-1">' in html
    assert "આરોગ્ય" in html  # the Health department's Gujarati name, from Department.names
    assert 'href="/static/status.css"' in html and 'href="/static/govpulse.css"' in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_language_switch_keeps_the_rest_of_the_query(client):
    html = client.get("/?lang=en&page=2").text
    assert 'href="/?lang=ml&amp;page=2"' in html or 'href="/?page=2&amp;lang=ml"' in html


def test_status_css_comes_from_the_enums(client):
    response = client.get("/static/status.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    for member in [*Rag, *Severity]:
        prefix = "rag" if isinstance(member, Rag) else "severity"
        assert f"--{prefix}-{member.value}: {member.colour};" in response.text
        assert f"--{prefix}-{member.value}-text: {member.text_colour};" in response.text
        assert f".{prefix}-{member.value} {{" in response.text
    assert response.text == status_css()


def test_no_status_colour_is_hard_coded_in_templates_or_css():
    colours = {member.colour.lower() for member in [*Rag, *Severity]}
    files = [*UI_DIR.joinpath("templates").rglob("*.html"), UI_DIR / "static" / "govpulse.css",
             UI_DIR / "static" / "govpulse.js"]
    for path in files:
        found = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", path.read_text(encoding="utf-8"))}
        assert not found & colours, f"{path.name} hard-codes status colours {sorted(found & colours)}"


def test_our_static_files_are_served(client):
    for name, kind in (("govpulse.css", "text/css"), ("govpulse.js", "javascript")):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and kind in response.headers["content-type"], name


def _bare_app(static_dir: Path) -> FastAPI:
    """The smallest app that renders base.html with static files from ``static_dir``."""
    application = FastAPI()
    application.state.settings = Settings(home=static_dir.parent)
    mount_static(application, static_dir)

    @application.get("/")
    def page(request: Request):
        return templates().TemplateResponse(request, "base.html", {})

    return application


def test_pages_render_and_say_so_when_the_vendored_libraries_are_missing(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    for name in ("govpulse.css", "govpulse.js"):
        shutil.copy(default_static_dir() / name, static / name)
    client = TestClient(_bare_app(static))

    html = client.get("/").text
    assert 'id="assets-missing"' in html
    assert translate("en", "assets.missing_title") in html and "<code>make assets</code>" in html
    for vendor in VENDOR_FILES:
        assert f"<code>{vendor.url}</code>" in html
        assert f'<script src="{vendor.url}"' not in html  # no request that would only 404
    assert translate("gu", "assets.missing_title") in client.get("/?lang=gu").text

    (static / "vendor").mkdir()
    for vendor in VENDOR_FILES:
        (static / "vendor" / vendor.name).write_text("/* stand-in */")
    html = client.get("/").text
    assert 'id="assets-missing"' not in html
    assert all(f'<script src="{vendor.url}" defer></script>' in html for vendor in VENDOR_FILES)
    assert client.get(VENDOR_FILES[0].url).text == "/* stand-in */"


def _render(source: str, ui: PageUi | None = None, **context) -> str:
    return templates().env.from_string(source).render(ui=ui, **context)


def test_t_escapes_parameters_unless_they_are_markup():
    assert _render("{{ t('time.data_as_of_value', when=x) }}", x="<b>now</b>") == (
        "Data as of &lt;b&gt;now&lt;/b&gt;")
    assert _render("{{ t('time.data_as_of_value', when=x) }}", x=Markup("<b>now</b>")) == "Data as of <b>now</b>"
    assert _render("{{ t('nav.home') }}", PageUi(lang="ml")) == "പ്രധാന പേജ്"
    assert _render("{{ t('flag.count', n=3) }}", PageUi(lang="gu")) == "3 રેડ ફ્લેગ"


def test_filters_format_in_the_reader_language_and_time_zone():
    gujarati = PageUi(lang="gu")
    native = PageUi(lang="gu", digits="native")
    assert _render("{{ v | indian(1) }}", gujarati, v=1234567.891) == "12,34,567.9"
    assert _render("{{ v | indian(1) }}", native, v=1234567.891) == "૧૨,૩૪,૫૬૭.૯"
    assert _render("{{ v | compact }}", gujarati, v=12345678) == "1.23 કરોડ"
    assert _render("{{ v | compact }}", PageUi(lang="hi"), v=1234567) == "12.3 लाख"
    assert _render("{{ v | percent }}", gujarati, v=45.25) == "45.3%"
    assert _render("{{ v | indian }}", gujarati, v=None) == "—"
    stored = datetime(2026, 11, 24, 8, 35)  # naive, as stored: UTC; 14:05 in India
    assert _render("{{ v | datetime }}", gujarati, v=stored) == "24 નવે, 2026, 14:05"
    assert _render("{{ v | time }}", native, v=stored) == "૧૪:૦૫"
    assert _render("{{ v | date }}", PageUi(lang="ml"), v=stored.date()) == "2026, നവംബർ 24"
    assert _render("{{ v | date }}", PageUi(lang="hi"), v=datetime(2026, 11, 24, 20, 0, tzinfo=UTC)) == (
        "25 नवंबर 2026")  # 01:30 next day in India
    recent = datetime.now(UTC) - timedelta(hours=3, minutes=5)
    assert _render("{{ v | age }}", gujarati, v=recent) == "3 કલાક પહેલાં"
    assert _render("{{ v | digits }}", native, v="Ward 12") == "Ward ૧૨"
    place = SimpleNamespace(name="Surat", names={"gu": "સુરત"})
    assert _render("{{ v | local_name }}", gujarati, v=place) == "સુરત"
    assert _render("{{ v | local_name }}", PageUi(lang="hi"), v=place) == "Surat"


def test_status_badges_carry_symbol_words_and_enum_class():
    html = _render('{% import "components/status.html" as status with context %}{{ status.rag(v) }}',
                   PageUi(lang="gu"), v="red")
    assert 'class="badge rag-red"' in html and Rag.RED.symbol in html and translate("gu", "status.red") in html
    html = _render('{% import "components/status.html" as status with context %}{{ status.severity(v) }}',
                   PageUi(lang="hi"), v=Severity.CRITICAL)
    assert 'class="badge severity-critical"' in html and translate("hi", "severity.critical") in html


def test_chart_macro_embeds_the_spec_safely():
    spec = {"items": [{"label": "</script><script>alert(1)</script>", "value": 1, "display": "1",
                       "colour": Rag.GREEN.colour}]}
    html = _render('{% import "components/chart.html" as c with context %}{{ c.chart("r", "ranking", spec, "R") }}',
                   spec=spec)
    assert 'data-chart="ranking" data-chart-spec="r-spec"' in html
    assert html.count("</script>") == 1  # the label cannot close the JSON script element
    assert translate("en", "chart.unavailable") in html


def test_create_app_serves_static_files(tmp_path):
    with TestClient(create_app(Settings(home=tmp_path))) as plain:
        assert plain.get("/static/status.css").status_code == 200
