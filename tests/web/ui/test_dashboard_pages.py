"""Dashboard pages over HTTP (no browser): they render, their fragments, their exports, and the reader's scope.

World: tests/access/world.py (Surat 459 > Choryasi 3900 > village 525001, Surat Municipal Corporation 802 >
ward 80201; Kachchh 449 > Bhuj 3700 > village 515001) plus an institutional-delivery rate written here for
the last two months: deliveries 400 / institutional 300 in the Surat village, 500 / 450 in the Kutch village
(last month), so Gujarat = 750 / 900 = 83.3 %, Surat 75.0 %, Kachchh 90.0 %. Target 85 %, green from 100 % of it,
amber from 90 % (76.5): Gujarat needs attention, Surat is off track, Kachchh on track. The flag engine runs on
it (Surat's district raises an off-target flag).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from govpulse.analytics.flag_engine import run_flag_engine
from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models import DataElement, Department, Indicator, Target
from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.users import UserRepository
from govpulse.core.periods import PeriodType, period_of
from govpulse.core.scope import Scope
from govpulse.ingest.warehouse_sync import sync_dimensions
from govpulse.settings import Settings
from govpulse.warehouse import connect
from govpulse.web.app import create_app
from govpulse.web.ui.dashboard import install_page_problems
from govpulse.web.ui.i18n import translate
from govpulse.web.ui.periods import period_label
from tests.access.world import SURAT_SCHOOL, seed_world

TODAY = date.today()  # the pages default to the last complete month of the real today
LAST_MONTH = period_of(TODAY, PeriodType.MONTHLY).previous()
MONTH_BEFORE = LAST_MONTH.previous()
INDICATOR = "HLT_INST_PCT"


def _seed_rate(session) -> None:
    health = session.query(Department).filter_by(code="HEALTH").one()
    session.add_all([
        DataElement(code="deliveries", name="Deliveries", department_id=health.id, value_type="INTEGER",
                    aggregation_type="SUM", period_type="Monthly", reported_at=["village"]),
        DataElement(code="deliveries_inst", name="Institutional deliveries", department_id=health.id,
                    value_type="INTEGER", aggregation_type="SUM", period_type="Monthly", reported_at=["village"]),
        Indicator(code=INDICATOR, name="Institutional deliveries (%)", department_id=health.id,
                  names={"gu": "સંસ્થાકીય પ્રસૂતિ (%)"}, numerator="#{deliveries_inst}", denominator="#{deliveries}",
                  factor=100, unit="%", decimals=1, source_system="eHealth", theme="Maternal health",
                  threshold_basis="percent_of_target", threshold_green=100, threshold_amber=90),
    ])
    session.flush()
    indicator = session.query(Indicator).filter_by(code=INDICATOR).one()
    session.add(Target(indicator_id=indicator.id, value=85.0))


def _values() -> pa.Table:
    rows = [("deliveries", "525001", LAST_MONTH.id, 400.0), ("deliveries_inst", "525001", LAST_MONTH.id, 300.0),
            ("deliveries", "515001", LAST_MONTH.id, 500.0), ("deliveries_inst", "515001", LAST_MONTH.id, 450.0),
            ("deliveries", "525001", MONTH_BEFORE.id, 400.0), ("deliveries_inst", "525001", MONTH_BEFORE.id, 200.0)]
    return pa.table({name: [row[i] for row in rows] for i, name in enumerate(("data_element", "org_unit", "period",
                                                                                 "value"))})


class World:
    def __init__(self, app, tokens: dict[str, str]):
        self.app = app
        self.tokens = tokens

    def client(self, role: str, **headers) -> TestClient:
        return TestClient(self.app, base_url="https://testserver",
                          headers={"Authorization": f"Bearer {self.tokens[role]}", **headers})


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    app = create_app(Settings(home=tmp_path_factory.mktemp("dashboard"), token_rate_limit_per_minute=0))
    install_page_problems(app)  # the HTML error pages, until create_app installs them (a second call does nothing)
    tokens = {}
    with app.state.session_factory() as session:
        seed_world(session)
        set_actor(session, Actor.system("test set-up"))
        _seed_rate(session)
        users = UserRepository(session)
        for role in ("cmo", "collector", "secretary", "talati"):
            _token, tokens[role] = TokenRepository(session).create(users.for_sign_in(role), Scope.system(),
                                                                   name="dashboard tests")
        session.commit()
        warehouse = app.state.warehouse = connect(app.state.settings.warehouse_url)
        sync_dimensions(session, warehouse)
        warehouse.write("dashboard-tests", _values())
        warehouse.rollup()
        run_flag_engine(session, warehouse, today=TODAY)
        session.commit()
    with TestClient(app):
        yield World(app, tokens)


def _text(cell_html: str) -> str:
    hidden = re.sub(r'<span class="visually-hidden">.*?</span>', "", cell_html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", hidden).split())


def _rows(html: str, table: str) -> list[tuple[str, list[str]]]:
    """(data-key, cell texts as a person reads them) of each body row of the table ``data-table=table``."""
    body = re.search(rf'data-table="{table}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [(key, [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", cells, re.S)])
            for key, cells in re.findall(r'<tr data-key="([^"]*)"[^>]*>(.*?)</tr>', body, re.S)]


def _columns(html: str, table: str) -> list[str]:
    head = re.search(rf'data-table="{table}".*?<thead>(.*?)</thead>', html, re.S).group(1)
    return re.findall(r'data-column="([^"]+)"', head)


def _by_column(html: str, table: str) -> dict[str, dict[str, str]]:
    """{row key: {column key: text}} of the table ``data-table=table``."""
    columns = _columns(html, table)
    return {key: dict(zip(columns, cells)) for key, cells in _rows(html, table)}


# --- the drill-down ------------------------------------------------------------------------------------------


def test_drilldown_from_the_state_shows_every_district_with_the_api_numbers(world):
    cmo = world.client("cmo")
    page = cmo.get(f"/drill/{INDICATOR}/24")
    assert page.status_code == 200, page.text
    assert "text/html" in page.headers["content-type"]
    api = cmo.get(f"/api/v1/values/children?indicator={INDICATOR}&org_unit=24&period={LAST_MONTH.id}").json()
    assert api["parent_value"]["value"] == 83.3
    # Worst first (higher is better): Surat 75.0 % before Kachchh 90.0 %; numerators and denominators as stored.
    assert [key for key, _ in _rows(page.text, "drilldown")] == ["459", "449"]
    assert _columns(page.text, "drilldown") == ["area", "kind", "rank", "value", "target", "status", "numerator",
                                                "denominator", "coverage", "reporting"]
    table = _by_column(page.text, "drilldown")
    by_code = {child["org_unit"]["code"]: child["value"] for child in api["children"]}
    for key, cells in table.items():
        assert cells["value"].endswith(f"{by_code[key]['value']:.1f}%")
        assert cells["numerator"] == f"{by_code[key]['numerator']:.0f}"
        assert cells["denominator"] == f"{by_code[key]['denominator']:.0f}"
        assert cells["coverage"] == f"{by_code[key]['coverage']:.1f}%"
    # Rank, target and status are the ranking's (/api/v1/rankings), shown with the status's symbol and words.
    ranking = cmo.get(f"/api/v1/rankings?indicator={INDICATOR}&org_unit=24&period={LAST_MONTH.id}").json()
    for row in ranking["rows"]:
        cells = table[row["org_unit"]["code"]]
        assert cells["rank"] == str(row["rank"]) and cells["target"] == f"{row['target']:.1f}%"
        assert cells["status"] == f"{row['status']['symbol']} {translate('en', 'status.' + row['status']['code'])}"
    assert table["459"]["status"] == "■ Off track" and table["449"]["status"] == "● On track"
    assert table["459"]["value"] == "■ 75.0%"  # the value carries its status's symbol too
    assert 'data-value="83.3"' in page.text and "83.3%" in page.text
    # Breadcrumb, the map's shapes, the trend fragment and the JSON twin are linked from the page.
    assert f'href="/maps/24.geojson"' in page.text.replace("&#34;", '"') or "/maps/24.geojson" in page.text
    assert f"/drill/{INDICATOR}/24/trend?period={LAST_MONTH.id}" in page.text
    assert f"/api/v1/rankings?indicator={INDICATOR}&amp;org_unit=24&amp;period={LAST_MONTH.id}" in page.text


def test_the_parent_tile_shows_value_target_status_and_coverage(world):
    """Gujarat: 750 / 900 = 83.3 % against a target of 85 % (green from 85, amber from 76.5): needs attention,
    said with the status's symbol and words (never colour alone), as the API's ranking says it."""
    cmo = world.client("cmo")
    page = cmo.get(f"/drill/{INDICATOR}/24").text
    tile = re.search(r'<div class="tile tile--hero([^"]*)" id="parent-tile" data-status="([^"]*)">(.*?)</div>',
                     page, re.S)
    classes, status, body = tile.groups()
    parent = cmo.get(f"/api/v1/rankings?indicator={INDICATOR}&org_unit=24&period={LAST_MONTH.id}").json()["parent"]
    assert (parent["value"], parent["target"], parent["status"]["code"]) == (83.3, 85.0, "amber")
    assert status == "amber" and classes.strip() == "rag-amber"  # the tile's colour bar
    assert _text(body) == (f"Value · {period_label(LAST_MONTH, 'en')} 83.3% ▲ Needs attention Target 85.0% · "
                           "Higher is better")
    coverage = re.search(r'id="parent-coverage">(.*?)</div>', page, re.S).group(1)
    # Both villages expected to report did: 2 of 2 reporting units.
    assert (parent["reporting"], parent["expected"], parent["coverage"]) == (2, 2, 100.0)
    assert _text(coverage) == "Coverage 100.0% 2 of 2 reporting units"
    gujarati = world.client("cmo").get(f"/drill/{INDICATOR}/24?lang=gu").text  # (a client of its own: the cookie)
    assert translate("gu", "status.amber") in re.search(r'id="parent-tile".*?</div>', gujarati, re.S).group(0)
    # Kachchh is on track (90.0 % against 85 %); a village's tile too has its status.
    kachchh = cmo.get(f"/drill/{INDICATOR}/449").text
    assert 'id="parent-tile" data-status="green"' in kachchh and "● On track" in _text(kachchh)


def test_drilldown_goes_down_to_a_village_and_the_breadcrumb_back_up(world):
    page = world.client("cmo").get(f"/drill/{INDICATOR}/525001?period={LAST_MONTH.id}")
    assert page.status_code == 200
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', page.text, re.S).group(0)
    assert [c for c in re.findall(r'href="/drill/[^/]+/(\d+)', crumbs)] == ["24", "459", "3900"]
    assert 'aria-current="page">Bhestan<' in crumbs
    assert "75.0%" in page.text
    school_row = _by_column(page.text, "drilldown")[SURAT_SCHOOL]
    assert school_row["area"] == "Bhestan Primary School" and school_row["kind"] == "School"
    assert school_row["value"] == "—" and school_row["coverage"] == "—"
    school = world.client("cmo").get(f"/drill/{INDICATOR}/{SURAT_SCHOOL}")
    assert school.status_code == 200
    assert translate("en", "drill.no_children_title") in school.text  # nothing below a school


def test_sorting_asks_htmx_for_the_table_only(world):
    url = f"/drill/{INDICATOR}/24?sort=value&order=desc"
    fragment = world.client("cmo", **{"HX-Request": "true", "HX-Target": "drill-table"}).get(url)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="drill-table"' in fragment.text
    assert [key for key, _ in _rows(fragment.text, "drilldown")] == ["449", "459"]
    assert 'aria-sort="descending"' in fragment.text
    assert "HX-Request" in fragment.headers["vary"]
    full = world.client("cmo").get(url)
    assert "<html" in full.text and [k for k, _ in _rows(full.text, "drilldown")] == ["449", "459"]


def test_trend_fragment_has_every_month_and_no_value_where_nothing_was_reported(world):
    fragment = world.client("cmo", **{"HX-Request": "true"}).get(
        f"/drill/{INDICATOR}/459/trend?period={LAST_MONTH.id}")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    rows = _rows(fragment.text, "series")
    assert len(rows) == 13  # the period and the twelve before it
    assert rows[-1][1][:2] == [period_label(LAST_MONTH, "en"), "75.0%"]
    assert rows[-2][1][:2] == [period_label(MONTH_BEFORE, "en"), "50.0%"]
    assert rows[0][1][1] == "—"


def test_pages_speak_the_readers_language(world):
    page = world.client("cmo").get(f"/drill/{INDICATOR}/24?lang=gu")
    assert '<html lang="gu">' in page.text
    assert "સંસ્થાકીય પ્રસૂતિ (%)" in page.text  # the indicator's own Gujarati name
    assert period_label(LAST_MONTH, "gu") in page.text
    assert translate("gu", "drill.map_hint") in page.text


def test_a_bad_period_is_a_400_page_that_says_why(world):
    page = world.client("cmo").get(f"/drill/{INDICATOR}/24?period=2026W99")
    assert page.status_code == 400
    assert "text/html" in page.headers["content-type"] and "2026W99" in page.text


# --- scope ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    f"/drill/{INDICATOR}/515001",  # a Kutch village
    f"/drill/{INDICATOR}/449",
    f"/drill/{INDICATOR}/24",  # the state lies outside a Collector's scope
    f"/drill/{INDICATOR}/3700/trend",
    "/maps/449.geojson",
    f"/export/drilldown.csv?indicator={INDICATOR}&org_unit=515001",
])
def test_a_collector_of_surat_gets_404_for_kutch(world, path):
    response = world.client("collector").get(path)
    assert response.status_code == 404, response.text
    assert "Madhapar" not in response.text and "90.0" not in response.text


def test_a_collector_sees_her_own_district(world):
    collector = world.client("collector")
    page = collector.get(f"/drill/{INDICATOR}/459")
    assert page.status_code == 200
    assert {key for key, _ in _rows(page.text, "drilldown")} == {"3900", "802"}
    assert "Kachchh" not in page.text


def test_a_secretary_of_another_department_sees_no_health_indicator(world):
    assert world.client("secretary").get(f"/drill/{INDICATOR}/24").status_code == 200  # Health's own Secretary
    # The talati of Bhestan sees her village but not the taluka above it.
    talati = world.client("talati")
    assert talati.get(f"/drill/{INDICATOR}/525001").status_code == 200
    assert talati.get(f"/drill/{INDICATOR}/3900").status_code == 404


# --- maps ----------------------------------------------------------------------------------------------------


def test_map_of_the_state_is_the_district_polygons(world):
    layer = world.client("cmo").get("/maps/24.geojson")
    assert layer.status_code == 200 and layer.headers["content-type"].startswith("application/geo+json")
    body = layer.json()
    assert body["layout"] == "polygons" and body["missing"] == []
    assert sorted(f["properties"]["org_unit"] for f in body["features"]) == ["449", "459"]
    assert {f["geometry"]["type"] for f in body["features"]} <= {"Polygon", "MultiPolygon"}


def test_children_without_shapes_or_points_are_laid_out_on_a_grid(world):
    body = world.client("cmo").get("/maps/459.geojson").json()
    assert body["layout"] == "grid"
    cells = {f["properties"]["org_unit"]: f["geometry"]["coordinates"][0] for f in body["features"]}
    assert set(cells) == {"3900", "802"}
    assert cells["3900"] != cells["802"]


# --- exports -------------------------------------------------------------------------------------------------


def test_export_csv_has_the_pages_rows_and_numbers(world):
    response = world.client("cmo").get(f"/export/drilldown.csv?indicator={INDICATOR}&org_unit=24")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f'filename="drilldown-{INDICATOR}-24-{LAST_MONTH.id}.csv"' in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Area", "Kind", "Rank", "Value (%)", "Target (%)", "Status", "Numerator", "Denominator",
                       "Coverage", "Reported"]
    assert [r[:8] for r in rows[1:]] == [["Surat", "District", "2", "75.0", "85.0", "Off track", "300", "400"],
                                         ["Kachchh", "District", "1", "90.0", "85.0", "On track", "450", "500"]]


def test_export_excel_keeps_numbers_as_numbers_in_the_readers_language(world):
    response = world.client("cmo").get(
        f"/export/drilldown.xlsx?indicator={INDICATOR}&org_unit=24&sort=value&order=desc&lang=hi")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = next(r for r in range(1, 10) if sheet.cell(r, 1).value == translate("hi", "measure.area"))
    assert sheet.cell(header + 1, 1).value == "Kachchh" and sheet.cell(header + 1, 4).value == 90.0
    assert sheet.cell(header + 1, 6).value == translate("hi", "status.green")
    assert sheet.cell(header + 2, 7).value == 300 and sheet.cell(header + 2, 8).value == 400
    assert sheet.cell(header + 1, 4).number_format == '0.0"%"'
    assert sheet.freeze_panes == f"B{header + 1}"


def test_an_unknown_table_is_404(world):
    assert world.client("cmo").get("/export/nothing.csv").status_code == 404


# --- overview ------------------------------------------------------------------------------------------------


def test_overview_shows_the_headline_kpis_flags_and_freshness_of_the_readers_area(world):
    page = world.client("cmo").get("/")
    assert page.status_code == 200
    assert re.search(r"<h1>(.*?)</h1>", page.text, re.S).group(1).strip() == translate("en", "home.title")
    tile = re.search(rf'<article class="kpi[^"]*" data-indicator="{INDICATOR}">.*?</article>', page.text, re.S).group(0)
    assert 'rag-amber' in tile and "83.3%" in tile and translate("en", "status.amber") in tile
    assert f"/drill/{INDICATOR}/24?period={LAST_MONTH.id}" in tile
    assert 'hx-get="/overview/departments?org_unit=24&amp;period=' in page.text  # the tiles arrive by htmx
    assert translate("en", "overview.no_sources") in page.text
    for severity in ("critical", "high", "medium", "low", "info"):
        assert f'data-severity="{severity}"' in page.text
    collector = world.client("collector").get("/").text
    assert "75.0%" in collector and "83.3%" not in collector and "Kachchh" not in collector


def test_department_tiles_fragment_links_each_department_to_its_scorecard(world):
    fragment = world.client("cmo", **{"HX-Request": "true"}).get(f"/overview/departments?period={LAST_MONTH.id}")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    tile = re.search(r'<a class="department" href="([^"]+)" data-department="HEALTH">(.*?)</a>', fragment.text, re.S)
    assert tile.group(1) == f"/departments/HEALTH?org_unit=24&amp;period={LAST_MONTH.id}"
    assert "Health" in tile.group(2) and 'class="rag-count rag-amber"' in tile.group(2)
    roads = re.search(r'data-department="ROADS">(.*?)</a>', fragment.text, re.S).group(1)
    assert 'data-score=""' in roads and 'class="rag-count ' not in roads  # no data, nothing rated: no score


# --- department scorecard ------------------------------------------------------------------------------------


def test_department_scorecard_colours_each_area_by_status_and_sorts_by_an_area(world):
    cmo = world.client("cmo")
    page = cmo.get("/departments/HEALTH")
    assert page.status_code == 200
    rows = dict(_rows(page.text, "scorecard"))
    assert rows[INDICATOR][:5] == ["Institutional deliveries (%)", "1", "0", "1", "▲ 83.3%"]
    cells = re.search(rf'<tr data-key="{INDICATOR}">(.*?)</tr>', page.text, re.S).group(1)
    assert cells.count("rag-red") == 1 and cells.count("rag-green") == 1 and cells.count("rag-amber") == 1
    assert f'href="/drill/{INDICATOR}/459?period={LAST_MONTH.id}"' in cells
    sorted_by_surat = cmo.get("/departments/HEALTH?sort=459&order=asc",
                              headers={"HX-Request": "true", "HX-Target": "scorecard-table"})
    assert "<html" not in sorted_by_surat.text and 'aria-sort="ascending"' in sorted_by_surat.text
    assert _rows(sorted_by_surat.text, "scorecard")[0][0] == INDICATOR  # its only rated row, red in Surat


def test_scorecard_export_matches_the_page(world):
    response = world.client("cmo").get("/export/scorecard.csv?department=HEALTH&org_unit=24")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Indicator", "■ Off track", "▲ Needs attention", "● On track", "Gujarat"]
    found = next(r for r in rows if r[0] == "Institutional deliveries (%)")
    assert found[1:5] == ["1", "0", "1", "83.3"]
    assert world.client("collector").get("/export/scorecard.csv?department=HEALTH&org_unit=449").status_code == 404


# --- red flags -----------------------------------------------------------------------------------------------


def _surat_flag(world) -> dict:
    flags = world.client("cmo").get("/api/v1/flags?indicator=" + INDICATOR).json()["items"]
    return next(f for f in flags if f["org_unit"] == "459" and f["kind"] == "threshold")


def test_flag_inbox_lists_the_flags_with_the_api_numbers_and_filters_them(world):
    flag = _surat_flag(world)
    cmo = world.client("cmo")
    page = cmo.get("/flags")
    assert page.status_code == 200
    rows = _by_column(page.text, "flags")
    shown = rows[str(flag["id"])]
    assert shown["severity"] == translate("en", f"severity.{flag['severity']['code']}")
    assert shown["area"].startswith("Surat") and shown["value"] == "75.0%"
    assert f'href="/actions/new?flag={flag["id"]}"' in page.text  # start an action from it
    assert f'href="/flags/{flag["id"]}"' in page.text
    other = "low" if flag["severity"]["code"] != "low" else "info"
    filtered = cmo.get(f"/flags?severity={other}", headers={"HX-Request": "true", "HX-Target": "flag-list"})
    assert "<html" not in filtered.text and f'data-key="{flag["id"]}"' not in filtered.text
    assert f'data-key="{flag["id"]}"' in cmo.get("/flags?department=HEALTH&org_unit=459").text
    # ``age`` is how long a flag has been open: this one was raised today, so not for more than a day.
    assert f'data-key="{flag["id"]}"' not in cmo.get("/flags?department=HEALTH&org_unit=459&age=day").text
    assert f'data-key="{flag["id"]}"' not in cmo.get("/flags?org_unit=449").text
    assert cmo.get("/flags?severity=dreadful").status_code == 400


def test_opening_a_flag_lands_on_the_drilldown_with_the_root_cause_highlighted(world):
    flag = _surat_flag(world)
    cmo = world.client("cmo")
    opened = cmo.get(f"/flags/{flag['id']}", follow_redirects=False)
    assert opened.status_code == 303
    location = opened.headers["location"]
    assert location.startswith(f"/drill/{INDICATOR}/459?period={LAST_MONTH.id}") and f"flag={flag['id']}" in location
    cause = cmo.get(f"/api/v1/flags/{flag['id']}/root-cause").json()
    worst = [c["org_unit"]["code"] for c in cause["levels"][0]["contributions"] if c["gap"] > 0]
    assert worst and all(f"highlight={code}" in location for code in worst[:3])
    page = cmo.get(location)
    assert 'id="root-cause"' in page.text and f'href="/actions/new?flag={flag["id"]}"' in page.text
    highlighted = re.findall(r'<tr data-key="([^"]+)" class="is-highlighted"', page.text)
    assert highlighted == worst[:3]
    explained = cmo.get(f"/flags/{flag['id']}/root-cause")
    assert explained.status_code == 200 and "Choryasi" in explained.text
    rows = list(csv.reader(io.StringIO(cmo.get(f"/export/root_cause.csv?flag={flag['id']}&level=0")
                                       .content.decode("utf-8-sig"))))
    assert rows[1][1] == "Choryasi" and float(rows[1][4]) == 100.0  # the one taluka holds the whole gap


def test_flags_outside_the_scope_are_404(world):
    flag = _surat_flag(world)
    talati_of_kutch_free = world.client("secretary")  # Health everywhere: sees it
    assert talati_of_kutch_free.get(f"/flags/{flag['id']}", follow_redirects=False).status_code == 303
    assert world.client("talati").get(f"/flags/{flag['id']}", follow_redirects=False).status_code == 404
    assert world.client("talati").get(f"/flags/{flag['id']}/root-cause").status_code == 404
    assert f'data-key="{flag["id"]}"' not in world.client("talati").get("/flags").text


def test_flags_export_has_every_matching_flag(world):
    flag = _surat_flag(world)
    rows = list(csv.reader(io.StringIO(world.client("cmo").get("/export/flags.csv").content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Severity", "Indicator", "Area", "Period"]
    assert any(r[1] == "Institutional deliveries (%)" and r[2] == "Surat" for r in rows[1:])
    assert len(rows) - 1 == world.client("cmo").get("/api/v1/flags?page_size=1000").json()["total"]
    assert flag


# --- one indicator -------------------------------------------------------------------------------------------


def test_indicator_page_ranks_the_areas_with_the_api_numbers_and_defines_the_indicator(world):
    cmo = world.client("cmo")
    page = cmo.get(f"/indicators/{INDICATOR}")
    assert page.status_code == 200
    ranking = cmo.get(f"/api/v1/rankings?indicator={INDICATOR}&org_unit=24&period={LAST_MONTH.id}"
                      f"&compare_to={MONTH_BEFORE.id}").json()
    table = _by_column(page.text, "ranking")
    assert list(table) == [row["org_unit"]["code"] for row in ranking["rows"]]  # best first, as ranked
    surat = next(r for r in ranking["rows"] if r["org_unit"]["code"] == "459")
    assert table["459"]["rank"] == str(surat["rank"]) and table["459"]["change"] == f"+{surat['change']:.1f}"
    assert "#{deliveries_inst}" in page.text and "eHealth" in page.text  # definition and source
    assert 'data-chart="ranking"' in page.text and 'data-chart="strip"' in page.text
    assert f"/drill/{INDICATOR}/24/trend?period={LAST_MONTH.id}" in page.text
    assert cmo.get(f"/export/ranking.csv?indicator={INDICATOR}").status_code == 200
    assert world.client("collector").get(f"/indicators/{INDICATOR}?org_unit=449").status_code == 404


def test_trend_draws_the_target_line(world):
    fragment = world.client("cmo", **{"HX-Request": "true"}).get(f"/drill/{INDICATOR}/24/trend")
    spec = re.search(r'<script type="application/json" id="trend-24-[^"]+-spec">(.*?)</script>', fragment.text,
                     re.S).group(1)
    assert '"target": {"colour": "#555555", "label": "Target 85.0%", "value": 85.0}' in spec


# --- the video wall ------------------------------------------------------------------------------------------


def test_wall_shell_needs_no_sign_in_and_its_views_do(world):
    anonymous = TestClient(world.app, base_url="https://testserver")
    shell = anonymous.get(f"/wall?view=overview&view=drill:{INDICATOR}&every=20")
    assert shell.status_code == 200 and "theme-dark wall" in shell.text and 'data-every="20"' in shell.text
    assert "83.3" not in shell.text  # no data in the shell
    assert anonymous.get(f"/wall/views/drill:{INDICATOR}", headers={"HX-Request": "true"}).status_code == 401
    cmo = world.client("cmo", **{"HX-Request": "true"})
    for view in ("overview", "flags", "department:HEALTH", f"drill:{INDICATOR}", f"drill:{INDICATOR}:459"):
        response = cmo.get(f"/wall/views/{view}")
        assert response.status_code == 200 and "<html" not in response.text, view
        assert 'class="wall-panel' in response.text and "data-as-of=" in response.text, view
    assert "83.3%" in cmo.get(f"/wall/views/drill:{INDICATOR}").text
    assert cmo.get("/wall/views/nonsense").status_code == 404
