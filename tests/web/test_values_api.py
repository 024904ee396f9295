"""Indicator values through /api/v1/values: every role, in scope and out, and the numbers themselves.

World: tests/access/world.py (Surat 459 > Choryasi 3900 > village 525001; Kachchh 449 > Bhuj 3700 > village
515001). Values written here: births 10 in the Surat village and 20 in the Kutch village, road_km 4 in Choryasi,
all for October 2026. HLT_INST = births x 100; RD_DONE = road_km.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from tests.web.access_matrix import cases, check, row

OCT = "period=202610"

ROWS = [
    #    anon   none   cmo    sec    col    ddo    com    tdo    tal    pri    opr    aud    adm
    row("GET", f"/api/v1/values?indicator=HLT_INST&org_unit=515001&{OCT}", "Health in a Kutch village",
        "401    404    200    200    404    404    404    404    404    404    200    200    200"),
    row("GET", f"/api/v1/values?indicator=RD_DONE&org_unit=525001&{OCT}", "Roads in a Surat village",
        "401    404    200    404    200    200    404    200    200    404    404    200    200"),
    row("GET", f"/api/v1/values/children?indicator=HLT_INST&org_unit=24&{OCT}", "drill-down from the state",
        "401    404    200    200    404    404    404    404    404    404    200    200    200"),
    row("GET", f"/api/v1/values/children?indicator=HLT_INST&org_unit=459&{OCT}", "drill-down from Surat",
        "401    404    200    200    200    200    404    404    404    404    200    200    200"),
    row("GET", "/api/v1/values/series?indicator=HLT_INST&org_unit=525001&first=2026-09-01&last=2026-11-30",
        "series of a Surat village",
        "401    404    200    200    200    200    404    200    200    404    200    200    200"),
    row("GET", "/api/v1/values?indicator=HLT_INST&org_unit=24&period=2026W99", "a period that does not exist",
        "401    404    422    422    404    404    404    404    404    404    422    422    422"),
]


@pytest.fixture(scope="module")
def matrix_values():
    return pa.table({
        "data_element": ["births", "births", "road_km"],
        "org_unit": ["525001", "515001", "3900"],
        "period": ["202610", "202610", "202610"],
        "value": [10.0, 20.0, 4.0],
    })


@pytest.mark.parametrize(("entry", "role"), cases(ROWS))
def test_matrix(matrix_world, entry, role):
    check(matrix_world, entry, role)


def _get(world, role, path):
    response = world.client.get(path, headers=world.headers(role))
    assert response.status_code == 200, response.text
    return response.json()


def test_state_value_is_the_sum_over_villages(matrix_world):
    body = _get(matrix_world, "cmo", f"/api/v1/values?indicator=HLT_INST&org_unit=24&org_unit=459&{OCT}")
    assert [(v["org_unit"], v["value"], v["reporting"], v["expected"]) for v in body["values"]] == [
        ("24", 3000.0, 2, 2), ("459", 1000.0, 1, 1)]
    assert body["description"] == "Institutional deliveries; Gujarat, Surat; Oct 2026"


def test_drilldown_lists_children_in_scope_with_and_without_data(matrix_world):
    body = _get(matrix_world, "cmo", f"/api/v1/values/children?indicator=HLT_INST&org_unit=24&{OCT}")
    assert body["parent_value"]["value"] == 3000.0
    assert [(c["org_unit"]["code"], c["value"]["value"]) for c in body["children"]] == [
        ("449", 2000.0), ("459", 1000.0)]
    surat = _get(matrix_world, "collector", f"/api/v1/values/children?indicator=HLT_INST&org_unit=459&{OCT}")
    assert [(c["org_unit"]["code"], c["value"]) for c in surat["children"]][1] == ("802", None)  # ULB: no data
    assert [b["code"] for b in surat["breadcrumb"]] == ["459"]  # the state lies outside a Collector's scope


def test_series_has_every_period_and_no_value_where_nothing_was_reported(matrix_world):
    body = _get(matrix_world, "talati",
                "/api/v1/values/series?indicator=HLT_INST&org_unit=525001&first=2026-09-01&last=2026-11-30")
    assert [(p["period"]["id"], p["value"] and p["value"]["value"]) for p in body["points"]] == [
        ("202609", None), ("202610", 1000.0), ("202611", None)]
