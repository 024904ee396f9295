"""Scorecard, overview, KPIs, rankings and red flags through /api/v1: every role, in scope and out.

World: tests/access/world.py (Surat 459 > Choryasi 3900 > village 525001; Kachchh 449 > Bhuj 3700 > village
515001; ULB 802). Added here: bands on both indicators (HLT_INST = births x 100, green >= 1500, amber >= 1000;
RD_DONE = road_km, green >= 3, amber >= 1), births 10 (Sep 12) in the Surat village and 20 (Sep 15) in the Kutch
village, 4 km of road in Choryasi in October, and three open flags:

    1  HEALTH  HLT_INST at the Kutch village 515001
    2  ROADS   RD_DONE  at Choryasi 3900
    3  HEALTH  HLT_INST at Surat 459
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest
from fastapi import APIRouter

from govpulse.catalog.models import Flag, Indicator
from govpulse.web.api.routes import flags as flag_routes
from govpulse.web.api.routes import scorecard as scorecard_routes
from govpulse.web.app import API_PREFIX, COMMON_PROBLEMS
from tests.web.access_matrix import cases, check, row

OCT = "period=202610"

ROWS = [
    #    anon   none   cmo    sec    col    ddo    com    tdo    tal    pri    opr    aud    adm
    row("GET", f"/api/v1/scorecard?org_unit=24&{OCT}", "scorecard of the state",
        "401    404    200    200    404    404    404    404    404    404    200    200    200"),
    row("GET", f"/api/v1/scorecard?org_unit=459&{OCT}&department=ROADS", "Roads scorecard of Surat",
        "401    404    200    404    200    200    404    404    404    404    404    200    200"),
    row("GET", "/api/v1/scorecard?org_unit=24&period=2026W99", "a period that does not exist",
        "401    404    422    422    404    404    404    404    404    404    422    422    422"),
    row("GET", f"/api/v1/overview?org_unit=459&{OCT}", "department summaries of Surat",
        "401    404    200:2  200:1  200:2  200:2  404    404    404    404    200:1  200:2  200:2"),
    row("GET", f"/api/v1/kpis?org_unit=24&{OCT}", "headline KPIs of the state",
        "401    404    200:2  200:1  404    404    404    404    404    404    200:1  200:2  200:2"),
    row("GET", f"/api/v1/rankings?indicator=HLT_INST&org_unit=24&{OCT}", "districts ranked on Health",
        "401    404    200    200    404    404    404    404    404    404    200    200    200"),
    row("GET", f"/api/v1/rankings?indicator=RD_DONE&org_unit=459&{OCT}&compare_to=202609",
        "Surat's talukas ranked on Roads",
        "401    404    200    404    200    200    404    404    404    404    404    200    200"),
    row("GET", "/api/v1/flags", "open flags",
        "401    200:0  200:3  200:2  200:2  200:2  200:0  200:1  200:0  200:0  200:2  200:3  200:3"),
    row("GET", "/api/v1/flags?org_unit=449", "flags in Kachchh",
        "401    200:0  200:1  200:1  200:0  200:0  200:0  200:0  200:0  200:0  200:1  200:1  200:1"),
    row("GET", "/api/v1/flags?department=ROADS&status=any", "Roads flags",
        "401    200:0  200:1  200:0  200:1  200:1  200:0  200:1  200:0  200:0  200:0  200:1  200:1"),
    row("GET", "/api/v1/flags?severity=urgent", "a severity that does not exist",
        "401    422    422    422    422    422    422    422    422    422    422    422    422"),
    row("GET", "/api/v1/flags/counts", "open flags by severity",
        "401    200    200    200    200    200    200    200    200    200    200    200    200"),
    row("GET", "/api/v1/flags/counts?org_unit=449", "counts in Kachchh",
        "401    404    200    200    404    404    404    404    404    404    200    200    200"),
    row("GET", "/api/v1/flags/1", "Health flag at a Kutch village",
        "401    404    200    200    404    404    404    404    404    404    200    200    200"),
    row("GET", "/api/v1/flags/2", "Roads flag at Choryasi",
        "401    404    200    404    200    200    404    200    404    404    404    200    200"),
    row("GET", "/api/v1/flags/3", "Health flag at Surat",
        "401    404    200    200    200    200    404    404    404    404    200    200    200"),
    row("GET", "/api/v1/flags/999", "a flag that does not exist",
        "401    404    404    404    404    404    404    404    404    404    404    404    404"),
    row("GET", "/api/v1/flags/3/root-cause", "root cause of Surat's flag",
        "401    404    200    200    200    200    404    404    404    404    200    200    200"),
    row("GET", "/api/v1/flags/2/root-cause", "root cause of Choryasi's flag",
        "401    404    200    404    200    200    404    200    404    404    404    200    200"),
]


def _seed(session) -> None:
    for code, green, amber in (("HLT_INST", 1500, 1000), ("RD_DONE", 3, 1)):
        indicator = session.query(Indicator).filter_by(code=code).one()
        indicator.threshold_basis, indicator.threshold_green, indicator.threshold_amber = "absolute", green, amber
    now = datetime(2026, 11, 10, tzinfo=UTC)
    for indicator, unit, path, department in (("HLT_INST", "515001", "/24/449/3700/515001/", "HEALTH"),
                                              ("RD_DONE", "3900", "/24/459/3900/", "ROADS"),
                                              ("HLT_INST", "459", "/24/459/", "HEALTH")):
        session.add(Flag(rule="off-target", kind="threshold", indicator=indicator, org_unit=unit,
                         org_unit_path=path, department=department, period="202610", severity="high",
                         message=f"{indicator} at {unit}", first_seen=now, last_seen=now))
    session.flush()


@pytest.fixture(scope="module")
def matrix_seed():
    return _seed


@pytest.fixture(scope="module")
def matrix_values():
    return pa.table({
        "data_element": ["births", "births", "births", "births", "road_km"],
        "org_unit": ["525001", "525001", "515001", "515001", "3900"],
        "period": ["202609", "202610", "202609", "202610", "202610"],
        "value": [12.0, 10.0, 15.0, 20.0, 4.0],
    })


@pytest.fixture(scope="module")
def world(matrix_world):
    """The matrix world, with these routes mounted if the app does not mount them itself yet."""
    app = matrix_world.app
    if not any(getattr(route, "path", "") == "/api/v1/flags" for route in app.routes):
        api = APIRouter(prefix=API_PREFIX, responses=COMMON_PROBLEMS)
        api.include_router(scorecard_routes.router)
        api.include_router(flag_routes.router)
        app.include_router(api)
        app.openapi_schema = None
    return matrix_world


@pytest.mark.parametrize(("entry", "role"), cases(ROWS))
def test_matrix(world, entry, role):
    check(world, entry, role)


def _get(world, role, path):
    response = world.client.get(path, headers=world.headers(role))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_collector_sees_only_her_district_flags(world):
    body = _get(world, "collector", "/api/v1/flags?status=any")
    assert sorted(f["id"] for f in body["items"]) == [2, 3]
    assert all(f["org_unit_path"].startswith("/24/459/") for f in body["items"])
    assert _get(world, "collector", "/api/v1/flags/counts") == {"critical": 0, "high": 2, "medium": 0, "low": 0,
                                                               "info": 0}


def test_flag_detail_carries_names_and_severity(world):
    flag = _get(world, "cmo", "/api/v1/flags/3")
    assert (flag["org_unit_name"], flag["indicator_name"], flag["period_label"]) == (
        "Surat", "Institutional deliveries", "Oct 2026")
    assert (flag["severity"]["code"], flag["severity"]["rank"], flag["status"]) == ("high", 3, "open")


def test_scorecard_numbers_through_the_api(world):
    card = _get(world, "cmo", f"/api/v1/scorecard?org_unit=24&{OCT}&department=HEALTH&today=2026-11-10")
    [inst] = card["rows"]
    cells = {c["org_unit"]: c for c in inst["cells"]}
    # Kachchh: 20 births x 100 = 2000, green (>= 1500), up from 1500 in September; Surat 1000, amber.
    assert (cells["449"]["value"], cells["449"]["status"]["code"], cells["449"]["trend"]["change"]) == (
        2000.0, "green", 500.0)
    assert (cells["459"]["value"], cells["459"]["status"]["code"]) == (1000.0, "amber")
    assert inst["parent"]["value"] == 3000.0


def test_root_cause_through_the_api(world):
    cause = _get(world, "collector", "/api/v1/flags/3/root-cause")
    # HLT_INST here is a count (births x 100): Surat's fall from 12 to 10 births is all Choryasi's.
    assert (cause["basis"], cause["compared_with"]["id"]) == ("change", "202609")
    [surat, choryasi] = cause["levels"]
    assert [(c["org_unit"]["code"], c["gap"], c["share_percent"]) for c in surat["contributions"]] == [
        ("3900", 2.0, 100.0)]
    assert [(c["org_unit"]["code"], c["gap"]) for c in choryasi["contributions"]] == [("525001", 2.0)]
