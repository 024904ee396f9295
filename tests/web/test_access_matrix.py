"""Every role against every endpoint, in scope and out of scope. The expectations are written out here.

World (tests/access/world.py): Gujarat 24 > Surat 459 (taluka 3900 > village 525001 > school; ULB 802 > ward)
and Kachchh 449 (taluka 3700 > village 515001 > school): 11 org units. Departments HEALTH and ROADS, one data
element and one indicator each. Secretary and operator are limited to HEALTH. Out of scope answers 404; an
action the role lacks answers 403; no credentials answer 401.
"""

from __future__ import annotations

import pytest

from tests.web.access_matrix import EXEMPT, all_rows, cases, check, path_template, row


def _new_user(role: str) -> dict:
    return {"username": f"made-by-{role}", "roles": [{"role": "collector", "org_unit": "459"}]}


def _fresh(world) -> dict[str, str]:
    return {"victim": world.fresh_account()}


READS = [
    #    anon   none   cmo    sec    col    ddo    com    tdo    tal    pri    opr    aud    adm
    row("GET", "/api/v1/orgunits", "every org unit",
        "401    200:0  200:11 200:11 200:6  200:6  200:2  200:3  200:2  200:1  200:11 200:11 200:11"),
    row("GET", "/api/v1/orgunits?within=449", "Kachchh subtree",
        "401    200:0  200:4  200:4  200:0  200:0  200:0  200:0  200:0  200:0  200:4  200:4  200:4"),
    row("GET", "/api/v1/orgunits?kind=village", "villages",
        "401    200:0  200:2  200:2  200:1  200:1  200:0  200:1  200:1  200:0  200:2  200:2  200:2"),
    row("GET", "/api/v1/orgunits/515001", "village of Kachchh",
        "401    404    200    200    404    404    404    404    404    404    200    200    200"),
    row("GET", "/api/v1/orgunits/525001", "village of Surat",
        "401    404    200    200    200    200    404    200    200    404    200    200    200"),
    row("GET", "/api/v1/orgunits/802", "ULB of Surat",
        "401    404    200    200    200    200    200    404    404    404    200    200    200"),
    row("GET", "/api/v1/orgunits/24250100101", "school of Surat",
        "401    404    200    200    200    200    404    200    200    200    200    200    200"),
    row("GET", "/api/v1/orgunits/24", "the state",
        "401    404    200    200    404    404    404    404    404    404    200    200    200"),
    row("GET", "/api/v1/orgunits/459/children", "children of Surat",
        "401    404    200:2  200:2  200:2  200:2  404    404    404    404    200:2  200:2  200:2"),
    row("GET", "/api/v1/orgunits/3700/children", "children of Bhuj",
        "401    404    200:1  200:1  404    404    404    404    404    404    200:1  200:1  200:1"),
    row("GET", "/api/v1/departments", "departments",
        "401    200:0  200:2  200:1  200:2  200:2  200:2  200:2  200:2  200:2  200:1  200:2  200:2"),
    row("GET", "/api/v1/departments/ROADS", "another department",
        "401    404    200    404    200    200    200    200    200    200    404    200    200"),
    row("GET", "/api/v1/departments/HEALTH", "own department",
        "401    404    200    200    200    200    200    200    200    200    200    200    200"),
    row("GET", "/api/v1/dataElements", "data elements",
        "401    200:0  200:2  200:1  200:2  200:2  200:2  200:2  200:2  200:2  200:1  200:2  200:2"),
    row("GET", "/api/v1/dataElements/road_km", "Roads element",
        "401    404    200    404    200    200    200    200    200    200    404    200    200"),
    row("GET", "/api/v1/indicators", "indicators",
        "401    200:0  200:2  200:1  200:2  200:2  200:2  200:2  200:2  200:2  200:1  200:2  200:2"),
    row("GET", "/api/v1/indicators/RD_DONE", "Roads indicator",
        "401    404    200    404    200    200    200    200    200    200    404    200    200"),
    row("GET", "/api/v1/indicators/HLT_INST", "Health indicator",
        "401    404    200    200    200    200    200    200    200    200    200    200    200"),
    row("GET", "/api/v1/users", "accounts",
        "401    403    403    403    403    403    403    403    403    403    403    200    200"),
    row("GET", "/api/v1/users/collector", "one account",
        "401    403    403    403    403    403    403    403    403    403    403    200    200"),
    row("GET", "/api/v1/users/no-such-user", "missing account",
        "401    403    403    403    403    403    403    403    403    403    403    404    404"),
    row("GET", "/api/v1/users/collector/scope", "scope of another account",
        "401    403    403    403    403    403    403    403    403    403    403    200    200"),
    row("GET", "/api/v1/audit", "audit log",
        "401    403    403    403    403    403    403    403    403    403    403    200    200"),
    row("GET", "/api/v1/audit/export.csv", "audit CSV",
        "401    403    403    403    403    403    403    403    403    403    403    200    200"),
    row("GET", "/api/v1/me", "own account and scope",
        "401    200    200    200    200    200    200    200    200    200    200    200    200"),
    row("GET", "/api/v1/roles", "the roles",
        "401    200:11 200:11 200:11 200:11 200:11 200:11 200:11 200:11 200:11 200:11 200:11 200:11"),
    row("GET", "/api/v1/tokens", "own tokens",
        "401    200:1  200:1  200:1  200:1  200:1  200:1  200:1  200:1  200:1  200:1  200:1  200:1"),
]

WRITES = [
    #    anon   none   cmo    sec    col    ddo    com    tdo    tal    pri    opr    aud    adm
    row("POST", "/api/v1/users", "new collector of Surat",
        "401    403    403    403    403    403    403    403    403    403    403    403    201",
        body=_new_user),
    row("POST", "/api/v1/users", "account at an unknown org unit",
        "401    403    403    403    403    403    403    403    403    403    403    403    422",
        body=lambda role: {"username": f"lost-{role}", "roles": [{"role": "talati", "org_unit": "999999"}]}),
    row("POST", "/api/v1/users", "existing user name",
        "401    403    403    403    403    403    403    403    403    403    403    403    409",
        body={"username": "collector", "roles": []}),
    row("POST", "/api/v1/users/{victim}/disable", "an account",
        "401    403    403    403    403    403    403    403    403    403    403    403    200",
        setup=_fresh),
    row("POST", "/api/v1/users/no-such-user/disable", "missing account",
        "401    403    403    403    403    403    403    403    403    403    403    403    404"),
    row("POST", "/api/v1/tokens", "a token for oneself",
        "401    403    201    201    201    201    201    201    201    201    201    201    201",
        body={"name": "script"}),
    row("POST", "/api/v1/tokens/gpt_nonexistent/revoke", "a token that is not one's own",
        "401    403    404    404    404    404    404    404    404    404    404    404    404"),
]


@pytest.mark.parametrize(("entry", "role"), cases(READS))
def test_reads(matrix_world, entry, role):
    check(matrix_world, entry, role)


@pytest.mark.parametrize(("entry", "role"), cases(WRITES))
def test_writes(matrix_world, entry, role):
    check(matrix_world, entry, role)


def test_the_matrix_covers_every_api_operation(matrix_world):
    """A new API route fails this until some tests/web module has matrix rows for it (or it is listed, with its
    reason, in ``access_matrix.EXEMPT``)."""
    document = matrix_world.client.get("/api/v1/openapi.json").json()
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    covered = {(r.method, path_template(r.path, operations, r.method)) for r in all_rows()}
    missing = {f"{m} {p}" for m, p in operations - covered} - set(EXEMPT)
    assert not missing, f"API operations with no access-matrix rows: {sorted(missing)}"
