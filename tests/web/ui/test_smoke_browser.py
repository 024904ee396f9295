"""The home page in real Chromium: renders, switches language, works from the keyboard, fits 360 px."""

from __future__ import annotations

import pytest

from govpulse.core.enums import Rag
from govpulse.web.ui.assets import default_static_dir, missing_vendor_files
from govpulse.web.ui.i18n import translate
from tests.web.ui.conftest import IN_CI, screenshot

VENDOR_INSTALLED = not missing_vendor_files(default_static_dir())


def _watch_failures(page) -> list[str]:
    """Responses of 400 or more and script errors on the page, collected as they happen."""
    failures: list[str] = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda error: failures.append(f"script error: {error}"))
    return failures


def test_home_page_language_keyboard_and_small_screen(page):
    failures = _watch_failures(page)
    page.goto("/")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == translate("en", "home.title")
    assert "Health" in page.inner_text("main")

    # The first Tab lands on the skip link, which then shows on screen with a visible focus ring.
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect(),
        s = getComputedStyle(e); return {cls: e.className, text: e.textContent, top: r.top, h: r.height,
        outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }""")
    assert focused["cls"] == "skip-link" and focused["text"] == translate("en", "nav.skip_to_content")
    assert focused["top"] >= 0 and focused["h"] > 0, focused
    assert focused["outline"] != "none" and focused["width"] >= 2, focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # The vendored libraries came from /static/vendor (no CDN), or the page says plainly that they are missing.
    if VENDOR_INSTALLED:
        assert page.evaluate("typeof window.echarts.init === 'function' && typeof window.htmx.ajax === 'function'")
        assert page.locator("#assets-missing").count() == 0
    else:
        assert not IN_CI, "make assets did not install the vendored libraries"
        assert page.locator("#assets-missing").is_visible()
    screenshot(page, "home-en-1280")

    # Switching to Gujarati changes the labels, and the choice is remembered for the next page.
    page.get_by_role("link", name="ગુજરાતી").click()
    page.wait_for_url("**/?lang=gu")
    assert page.get_attribute("html", "lang") == "gu"
    assert page.inner_text("h1") == translate("gu", "home.title")
    assert page.inner_text(".skip-link") == translate("gu", "nav.skip_to_content")
    assert "આરોગ્ય" in page.inner_text("main")  # the department's own Gujarati name
    assert translate("gu", "kinds.district") in page.inner_text("main")
    page.goto("/")
    assert page.inner_text("h1") == translate("gu", "home.title")

    # At 360 px nothing is wider than the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    page.wait_for_function("document.documentElement.clientWidth === 360")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    shot = screenshot(page, "home-gu-360")
    assert shot.is_file() and shot.stat().st_size > 1000
    for lang in ("en", "hi", "ml"):  # Malayalam's long words are the hardest to fit
        page.goto(f"/?lang={lang}")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360, lang
    screenshot(page, "home-ml-360")
    assert failures == []


@pytest.mark.skipif(not VENDOR_INSTALLED and not IN_CI, reason="ECharts not installed: run `make assets`")
def test_chart_helpers_draw_server_specs_with_server_colours(page):
    """govpulse.js turns a server spec into ECharts options without changing a value, label or colour."""
    failures = _watch_failures(page)
    page.goto("/?lang=en")
    spec = {
        "items": [
            {"label": "Surat", "value": 91.2, "display": "91.2%", "colour": Rag.GREEN.colour, "url": "/?d=459"},
            {"label": "Kachchh", "value": 62.5, "display": "62.5%", "colour": Rag.RED.colour},
        ],
        "target": {"value": 80, "label": "Target 80%"},
    }
    trend = {"periods": ["Apr", "May", "Jun"],
             "series": [{"name": "Gujarat", "values": [70, None, 75], "displays": ["70%", "—", "75%"],
                         "colour": Rag.AMBER.colour}]}
    drawn = page.evaluate("""([ranking, trend]) => {
        const option = window.govpulse.charts.option("ranking", ranking);
        document.body.classList.add("theme-dark");
        const main = document.getElementById("main");
        const specs = {ranking, trend};
        for (const kind of ["ranking", "trend"]) {
            const box = document.createElement("div");
            box.className = "chart__canvas"; box.id = "test-" + kind; box.style.height = "260px";
            box.dataset.chart = kind; box.dataset.chartSpec = box.id + "-spec";
            const json = document.createElement("script");
            json.type = "application/json"; json.id = box.id + "-spec"; json.textContent = JSON.stringify(specs[kind]);
            main.prepend(json); main.prepend(box);
        }
        return window.govpulse.charts.renderAll(main).then(() => ({
            colours: option.series[0].data.map(d => d.itemStyle.color),
            values: option.series[0].data.map(d => d.value),
            labels: option.yAxis.data,
            drawn: document.querySelectorAll(".chart--drawn svg").length,
            fills: Array.from(document.querySelectorAll("#test-ranking svg path"))
                .map(p => (p.getAttribute("fill") || "").toUpperCase()),
        }));
    }""", [spec, trend])
    assert drawn["colours"] == [Rag.GREEN.colour, Rag.RED.colour]
    assert drawn["values"] == [91.2, 62.5]
    assert drawn["labels"] == ["Surat", "Kachchh"]
    assert drawn["drawn"] == 2
    assert Rag.GREEN.colour.upper() in drawn["fills"] and Rag.RED.colour.upper() in drawn["fills"]
    screenshot(page, "charts-dark-1280")
    assert failures == [], failures

