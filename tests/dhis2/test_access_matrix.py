"""The DHIS2-compatible routes in the role x endpoint matrix, on the access world (tests/access/world.py).

World: Gujarat 24 > Surat 459 (Choryasi 3900 > village 525001 > school; ULB 802 > ward) and Kachchh 449 (Bhuj
3700 > village 515001 > school). Values for October 2026: births 10 in the Surat village and 20 in the Kutch
village, road_km 4 in Choryasi. HLT_INST = births x 100 (HEALTH), RD_DONE = road_km (ROADS).

Answers: no credentials 401; a missing action 403 (exports need ``export``, imports ``push-data`` or
``edit-catalog``); an org unit or data item that does not exist or lies outside the reader's scope 404, as on
/api/v1 (an account without roles sees no department, so every data item is 404 to it); ``LEVEL-n`` and
``USER_ORGUNIT`` expand within the reader's scope. A cell ``200:n`` counts analytics rows, exported values or CSV
lines. Conflicts inside an import answer 409 with DHIS2's import summary.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from tests.dhis2.conftest import add_user, with_dhis2_routes
from tests.web.access_matrix import (  # noqa: F401 - fixtures of the matrix world
    cases,
    matrix_seed,
    matrix_values,
    matrix_world,
    row,
)

MATRIX_APP_SETUP = with_dhis2_routes
OCT = "pe:202610"


def _analytics(dx: str, ou: str) -> str:
    return f"/api/analytics?dimension=dx:{dx}&dimension={OCT}&dimension=ou:{ou}"


def _element(role: str) -> dict:
    return {"dataElements": [{"id": f"B{role:x<10}"[:11], "name": f"Beds ({role})", "valueType": "INTEGER"}]}


def _village(role: str) -> dict:
    return {"organisationUnits": [{"id": f"V{role:x<10}"[:11], "name": f"New village ({role})",
                                   "parent": {"id": "3700"}}]}


def _values(element: str, unit: str) -> dict:
    return {"dataValues": [{"dataElement": element, "period": "202609", "orgUnit": unit, "value": "5"}]}


ROWS = [
    #    anon   none   cmo    sec    col    ddo    com    tdo    tal    pri    opr    aud    adm
    row("GET", _analytics("HLT_INST", "515001"), "Health in a Kutch village",
        "401    404    200:1  200:1  404    404    404    404    404    404    200:1  200:1  200:1"),
    row("GET", _analytics("RD_DONE", "3900"), "Roads in a Surat taluka",
        "401    404    200:1  404    200:1  200:1  404    200:1  404    404    404    200:1  200:1"),
    row("GET", _analytics("HLT_INST", "LEVEL-2"), "districts within one's scope",
        "401    404    200:2  200:2  200:1  200:1  200:0  200:0  200:0  200:0  200:2  200:2  200:2"),
    row("GET", _analytics("births", "USER_ORGUNIT"), "one's own org units",
        "401    404    200:1  200:1  200:1  200:1  200:0  200:1  200:1  200:0  200:1  200:1  200:1"),
    row("GET", f"/api/analytics.json?dimension=dx:HLT_INST&dimension={OCT}&dimension=ou:449;LEVEL-4",
        "villages of Kachchh",
        "401    404    200:1  200:1  404    404    404    404    404    404    200:1  200:1  200:1"),
    row("GET", "/api/dataValueSets?dataElement=births&period=202610&orgUnit=449&children=true", "Kutch export",
        "401    403    200:1  200:1  404    404    404    404    404    404    200:1  200:1  200:1"),
    row("GET", "/api/dataValueSets.json?dataElement=births&period=202610&orgUnit=459&children=true", "Surat export",
        "401    403    200:1  200:1  200:1  200:1  404    404    404    404    200:1  200:1  200:1"),
    row("GET", "/api/dataValueSets.csv?dataElement=road_km&period=202610&orgUnit=24&children=true", "state, CSV",
        "401    403    200:1  404    404    404    404    404    404    404    404    200:1  200:1"),
    row("GET", "/api/system/info", "server facts",
        "401    200    200    200    200    200    200    200    200    200    200    200    200"),
    row("GET", "/api/me", "own account",
        "401    200    200    200    200    200    200    200    200    200    200    200    200"),
]

WRITES = [
    #    anon   none   cmo    sec    col    ddo    com    tdo    tal    pri    opr    aud    adm
    row("POST", "/api/dataValueSets", "births in a Kutch village",
        "401    403    403    403    403    403    403    403    403    403    200    403    200",
        body=_values("births", "515001")),
    row("POST", "/api/dataValueSets", "roads in a Kutch taluka",
        "401    403    403    403    403    403    403    403    403    403    409    403    200",
        body=_values("road_km", "3700")),
    row("POST", "/api/metadata?department=HEALTH", "a Health data element",
        "401    403    403    200    403    403    403    403    403    403    403    403    200", body=_element),
    row("POST", "/api/metadata?department=HEALTH", "a village in Kachchh",
        "401    403    403    409    403    403    403    403    403    403    403    403    200", body=_village),
]


@pytest.fixture(scope="module")
def matrix_values():  # noqa: F811 - this module's values
    return pa.table({
        "data_element": ["births", "births", "road_km"],
        "org_unit": ["525001", "515001", "3900"],
        "period": ["202610", "202610", "202610"],
        "value": [10.0, 20.0, 4.0],
    })


def check_dhis2(world, entry, role: str) -> None:
    """Like ``access_matrix.check``, counting analytics rows, exported values or CSV lines, and accepting DHIS2's
    web message (not a problem document) for 409."""
    body = entry.body(role) if callable(entry.body) else entry.body
    response = world.client.request(entry.method, entry.path, json=body, headers=world.headers(role))
    expected = entry.expect[role]
    assert response.status_code == expected.status, (
        f"{entry.method} {entry.path} [{entry.target}] as {role}: {response.status_code} {response.text[:300]}")
    if response.status_code == 409:
        assert response.json()["httpStatusCode"] == 409
    elif response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
    if expected.items is not None:
        if response.headers["content-type"].startswith("application/csv"):
            found = len(response.text.splitlines()) - 1
        else:
            payload = response.json()
            found = len(payload["rows"] if "rows" in payload else payload["dataValues"])
        assert found == expected.items, f"{entry.method} {entry.path} as {role}: {found} items"


@pytest.mark.parametrize(("entry", "role"), cases(ROWS))
def test_reads(matrix_world, entry, role):
    check_dhis2(matrix_world, entry, role)


@pytest.mark.parametrize(("entry", "role"), cases(WRITES))
def test_writes(matrix_world, entry, role):
    check_dhis2(matrix_world, entry, role)


def test_a_surat_operator_cannot_write_kutch_values(matrix_world):
    """Push-data limited to Surat: Kutch values are conflicts worded like unknown org units; Surat's go in."""
    app = matrix_world.app
    add_user(app, "surat.operator", [AssignmentSpec("operator", "459", departments=("HEALTH",))])
    with app.state.session_factory() as session:
        user = UserRepository(session).for_sign_in("surat.operator")
        _token, secret = TokenRepository(session).create(user, Scope.system(), name="matrix")
        session.commit()
    with TestClient(app, base_url="https://testserver", headers={"Authorization": f"Bearer {secret}"}) as client:
        kutch = client.post("/api/dataValueSets", json=_values("births", "515001"))
        assert kutch.status_code == 409
        [conflict] = kutch.json()["response"]["conflicts"]
        assert (conflict["errorCode"], conflict["indexes"]) == ("E7612", [0])
        assert "not found or not accessible" in conflict["value"]
        surat = client.post("/api/dataValueSets", json=_values("births", "525001"))
        assert surat.status_code == 200 and surat.json()["response"]["importCount"]["imported"] == 1
        assert client.get(_analytics("births", "449")).status_code == 404


class _ApiTokenWorld:
    """The matrix world with each role's API token sent as DHIS2 sends a personal access token."""

    def __init__(self, world) -> None:
        self.client = world.client
        self._world = world

    def headers(self, role: str) -> dict[str, str]:
        return {name: value.replace("Bearer ", "ApiToken ", 1) for name, value in self._world.headers(role).items()}


@pytest.mark.parametrize(("entry", "role"), cases(ROWS))
def test_reads_with_api_tokens(matrix_world, entry, role):
    """``Authorization: ApiToken <token>`` is the same user and scope as ``Bearer <token>``: the same answers."""
    check_dhis2(_ApiTokenWorld(matrix_world), entry, role)
