"""Every role against the ingest endpoints: sources, their batches and rejected rows, replay, push tokens, pushes,
and the lineage of a value. The expectations are written out by hand from ``core/access.py``, not copied from
what the code answers.

World (tests/access/world.py): Gujarat 24 > Surat 459 (taluka 3900 > village 525001 > school; ULB 802) and
Kachchh 449 (taluka 3700 > village 515001). Seeded here: three push sources, each with one finished batch:

* ``ehealth`` (HEALTH): the operator's own source. Its batch rejected three rows (a value "x"), one of Bhestan
  (525001, Surat), one of Madhapar (515001, Kachchh) and one whose org unit code is in no tree (999999), all
  still pending;
* ``hmis`` (HEALTH): not the operator's (operators are limited to their listed sources);
* ``roads_mis`` (ROADS): outside the Secretary's and the operator's departments.

Warehouse values (batch "matrix"): births 10 in Bhestan and 20 in Madhapar, road_km 4 in Choryasi (3900) and 6 in
Bhuj (3700), all October 2026.

How the policy is read (the ambiguous points follow the rest of the matrix; see tests/web/test_access_matrix.py
and test_actions_matrix.py):

* Sources and their batches are catalogue objects of a department, with no place in the tree, so every role
  that sees a department sees its sources, like its data elements (a Talati sees the Roads sources); an
  operator sees only their listed sources. Out of scope answers 404.
* Batch lists and batch counts are facts about the source (like its freshness), visible with the source.
  Rejected rows are source data of an org unit, so the rule "a reader sees only their own org-unit subtree"
  applies to them: a reader sees the rejected rows of their subtree only (200 with fewer rows, not 404).
  A row whose org unit could not be read could belong anywhere: only readers of the whole tree see it (the
  state-level roles, the operator placed at the state, the auditor), no district's or village's officer.
  Replay runs every pending row of the source, for those who may manage it; its report lists only the rows
  the replaying reader may read.
* Register, replay and push tokens need ``manage-sources`` (route docstring). A push token lets a program send
  data, so ``push-data`` would fit it as well; only the operator and the admin hold either, so the matrix
  cannot tell the two readings apart.
* A role without the action answers 403 before anything is looked up, as everywhere else in the matrix
  (POST /users/no-such-user/disable, POST /tokens/.../revoke as nobody, the action endpoints); a role with the
  action answers 404 for a source outside its scope.
* POST /sources creates or updates by the code in the body: a source the reader may not manage answers 403
  whether it exists or not (a 404 would tell which codes exist, and a create has nothing to be "not found").
* POST /sources/{code}/values takes the source's own push token, never a person's: every column (people's
  tokens) answers 401, and so does an unknown source (no probing). Pushes with source tokens are tested below.
"""

from __future__ import annotations

from datetime import timedelta

import pyarrow as pa
import pytest

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models.base import utcnow
from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from govpulse.ingest import batch_store
from govpulse.ingest.pipeline import RejectedRow
from govpulse.ingest.sources import parse_definition, register_source
from tests.web.access_matrix import cases, check, row

MAPPING = {"org_unit": "orgUnit", "period": "period", "data_element": "dataElement", "value": "value"}
SOURCES = {
    "ehealth": {"code": "ehealth", "name": "e-Health births", "department": "HEALTH", "mapping": MAPPING},
    "hmis": {"code": "hmis", "name": "HMIS", "department": "HEALTH", "mapping": MAPPING},
    "roads_mis": {"code": "roads_mis", "name": "Roads MIS", "department": "ROADS", "mapping": MAPPING},
}
BATCH = {code: f"{code}-seeded" for code in SOURCES}
PUSH_FILE = "push:0123456789ab"


def _rejected(number: int, org_unit: str, placed: bool = True) -> RejectedRow:
    """A row the pipeline rejected for its value; it keeps the org unit code it read (None: unknown code)."""
    return RejectedRow(PUSH_FILE, number, [{"field": "value", "reason": "not a number: 'x' is not a number"}],
                       {"orgUnit": org_unit, "period": "202610", "dataElement": "births", "value": "x"},
                       org_unit if placed else None)


REJECTED = {"ehealth": [_rejected(1, "525001"), _rejected(2, "515001"), _rejected(3, "999999", placed=False)],
            "hmis": [], "roads_mis": []}


def _seed(session) -> None:
    set_actor(session, Actor.system("matrix set-up"))
    finished = utcnow()
    for code, definition in SOURCES.items():
        source, _ = register_source(session, parse_definition(definition))
        rejected = REJECTED[code]
        batch = batch_store.begin_batch(session, source=source, key=BATCH[code], trigger="push",
                                        started_at=finished - timedelta(minutes=1), since=None,
                                        triggered_by="matrix set-up", origins=[PUSH_FILE], rejected=rejected)
        batch_store.finish_batch(session, batch, status="succeeded", finished_at=finished, rows_read=4,
                                 rows_accepted=4 - len(rejected), rows_rejected=len(rejected))
    session.commit()


@pytest.fixture(scope="module")
def matrix_seed():
    return _seed


@pytest.fixture(scope="module")
def matrix_values():
    return pa.table({
        "data_element": ["births", "births", "road_km", "road_km"],
        "org_unit": ["525001", "515001", "3900", "3700"],
        "period": ["202610"] * 4,
        "value": [10.0, 20.0, 4.0, 6.0],
    })


def _lineage(element: str, org_unit: str, period: str = "202610") -> str:
    return f"/api/v1/values/lineage?data_element={element}&org_unit={org_unit}&period={period}"


def _new(prefix: str, department: str):
    return lambda role: {"code": f"{prefix}_{role}", "name": f"Made by {role}", "department": department,
                         "mapping": MAPPING}


RECORDS = [{"orgUnit": "525001", "period": "202611", "dataElement": "births", "value": 7}]

READS = [
    #    anon   none   cmo    sec    col    ddo    com    tdo    tal    pri    opr    aud    adm
    row("GET", "/api/v1/sources", "every source",
        "401    200:0  200:3  200:2  200:3  200:3  200:3  200:3  200:3  200:3  200:1  200:3  200:3"),
    row("GET", "/api/v1/sources/ehealth", "the operator's Health source",
        "401    404    200    200    200    200    200    200    200    200    200    200    200"),
    row("GET", "/api/v1/sources/hmis", "a Health source not the operator's",
        "401    404    200    200    200    200    200    200    200    200    404    200    200"),
    row("GET", "/api/v1/sources/roads_mis", "a Roads source",
        "401    404    200    404    200    200    200    200    200    200    404    200    200"),
    row("GET", "/api/v1/sources/nope", "no such source",
        "401    404    404    404    404    404    404    404    404    404    404    404    404"),
    row("GET", "/api/v1/sources/ehealth/batches", "batches of the operator's source",
        "401    404    200:1  200:1  200:1  200:1  200:1  200:1  200:1  200:1  200:1  200:1  200:1"),
    row("GET", "/api/v1/sources/hmis/batches", "batches of a Health source not the operator's",
        "401    404    200:1  200:1  200:1  200:1  200:1  200:1  200:1  200:1  404    200:1  200:1"),
    row("GET", "/api/v1/sources/roads_mis/batches", "batches of a Roads source",
        "401    404    200:1  404    200:1  200:1  200:1  200:1  200:1  200:1  404    200:1  200:1"),
    row("GET", f"/api/v1/sources/ehealth/batches/{BATCH['ehealth']}", "a batch of the operator's source",
        "401    404    200    200    200    200    200    200    200    200    200    200    200"),
    row("GET", f"/api/v1/sources/roads_mis/batches/{BATCH['roads_mis']}", "a batch of a Roads source",
        "401    404    200    404    200    200    200    200    200    200    404    200    200"),
    row("GET", f"/api/v1/sources/ehealth/batches/{BATCH['hmis']}", "another source's batch under ehealth",
        "401    404    404    404    404    404    404    404    404    404    404    404    404"),
    row("GET", "/api/v1/sources/ehealth/batches/no-such-batch", "no such batch",
        "401    404    404    404    404    404    404    404    404    404    404    404    404"),
    # Three rejected rows: Bhestan (Surat), Madhapar (Kachchh) and one of an unknown org unit. Surat officers
    # see Bhestan's; the ULB's Commissioner and the school's Principal see the source but no row; the unknown
    # org unit's row only readers of the whole state.
    row("GET", "/api/v1/sources/ehealth/quarantine", "rejected rows of a Surat and a Kachchh village, and nowhere",
        "401    404    200:3  200:3  200:1  200:1  200:0  200:1  200:1  200:0  200:3  200:3  200:3"),
    row("GET", "/api/v1/sources/hmis/quarantine", "no rejected rows, a Health source not the operator's",
        "401    404    200:0  200:0  200:0  200:0  200:0  200:0  200:0  200:0  404    200:0  200:0"),
    row("GET", "/api/v1/sources/roads_mis/quarantine", "no rejected rows, a Roads source",
        "401    404    200:0  404    200:0  200:0  200:0  200:0  200:0  200:0  404    200:0  200:0"),
    # Lineage follows the value's own visibility (the /api/v1/values rows in test_values_api.py).
    row("GET", _lineage("births", "525001"), "Health value of a Surat village",
        "401    404    200    200    200    200    404    200    200    404    200    200    200"),
    row("GET", _lineage("births", "515001"), "Health value of a Kachchh village",
        "401    404    200    200    404    404    404    404    404    404    200    200    200"),
    row("GET", _lineage("road_km", "3900"), "Roads value of a Surat taluka",
        "401    404    200    404    200    200    404    200    404    404    404    200    200"),
    row("GET", _lineage("road_km", "3700"), "Roads value of a Kachchh taluka",
        "401    404    200    404    404    404    404    404    404    404    404    200    200"),
    row("GET", _lineage("births", "24", "2026W99"), "a period that does not exist",
        "401    404    422    422    404    404    404    404    404    404    422    422    422"),
    row("GET", _lineage("no_such_element", "24"), "no such data element",
        "401    404    404    404    404    404    404    404    404    404    404    404    404"),
]

WRITES = [
    #    anon   none   cmo    sec    col    ddo    com    tdo    tal    pri    opr    aud    adm
    row("POST", "/api/v1/sources", "the operator's Health source, unchanged",
        "401    403    403    403    403    403    403    403    403    403    200    403    200",
        body=SOURCES["ehealth"]),
    row("POST", "/api/v1/sources", "a Health source not the operator's, unchanged",
        "401    403    403    403    403    403    403    403    403    403    403    403    200",
        body=SOURCES["hmis"]),
    row("POST", "/api/v1/sources", "a Roads source, unchanged",
        "401    403    403    403    403    403    403    403    403    403    403    403    200",
        body=SOURCES["roads_mis"]),
    row("POST", "/api/v1/sources", "a new Health source",
        "401    403    403    403    403    403    403    403    403    403    403    403    201",
        body=_new("new", "HEALTH")),
    row("POST", "/api/v1/sources", "a source of an unknown department",
        "401    403    403    403    403    403    403    403    403    403    403    403    422",
        body=_new("lost", "NO_SUCH_DEPARTMENT")),
    row("POST", "/api/v1/sources/ehealth/token", "push token of the operator's source",
                 "401    403    403    403    403    403    403    403    403    403    200    403    200"),
    row("POST", "/api/v1/sources/hmis/token", "push token of a Health source not the operator's",
                 "401    403    403    403    403    403    403    403    403    403    404    403    200"),
    row("POST", "/api/v1/sources/roads_mis/token", "push token of a Roads source",
                 "401    403    403    403    403    403    403    403    403    403    404    403    200"),
    row("POST", "/api/v1/sources/nope/token", "push token of no such source",
                 "401    403    403    403    403    403    403    403    403    403    404    403    404"),
    row("POST", "/api/v1/sources/ehealth/quarantine/replay", "replay the operator's rejected rows",
                 "401    403    403    403    403    403    403    403    403    403    200    403    200"),
    row("POST", "/api/v1/sources/hmis/quarantine/replay", "replay, a Health source not the operator's",
                 "401    403    403    403    403    403    403    403    403    403    404    403    200"),
    row("POST", "/api/v1/sources/roads_mis/quarantine/replay", "replay, a Roads source",
                 "401    403    403    403    403    403    403    403    403    403    404    403    200"),
    row("POST", "/api/v1/sources/ehealth/values", "push with a person's token",
        "401    401    401    401    401    401    401    401    401    401    401    401    401", body=RECORDS),
    row("POST", "/api/v1/sources/nope/values", "push to no such source",
        "401    401    401    401    401    401    401    401    401    401    401    401    401", body=RECORDS),
]


@pytest.mark.parametrize(("entry", "role"), cases(READS))
def test_reads(matrix_world, entry, role):
    check(matrix_world, entry, role)


@pytest.mark.parametrize(("entry", "role"), cases(WRITES))
def test_writes(matrix_world, entry, role):
    check(matrix_world, entry, role)


# --- what the matrix cannot send: source tokens, and accounts of several roles ---------------------------------


def _as(world, role: str, method: str, path: str, **kwargs):
    return world.client.request(method, path, headers=world.headers(role), **kwargs)


def _pusher(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_source_token_pushes_to_its_own_source_only(matrix_world):
    made = _as(matrix_world, "operator", "POST", "/api/v1/sources/ehealth/token")
    assert made.status_code == 200, made.text
    token = made.json()["token"]
    for other in ("hmis", "roads_mis", "nope"):
        refused = matrix_world.client.post(f"/api/v1/sources/{other}/values", json=RECORDS, headers=_pusher(token))
        assert refused.status_code == 401, (other, refused.text)
    pushed = matrix_world.client.post("/api/v1/sources/ehealth/values", json=RECORDS, headers=_pusher(token))
    assert pushed.status_code == 200, pushed.text
    report = pushed.json()
    assert (report["status"], report["values_inserted"]) == ("succeeded", 1)
    lineage = _as(matrix_world, "talati", "GET", _lineage("births", "525001", "202611"))
    assert lineage.status_code == 200, lineage.text
    assert [(b["batch"], b["source"], b["trigger"]) for b in lineage.json()["batches"]] == [
        (report["batch"], "ehealth", "push")]


def test_a_village_officer_sees_only_the_rejected_rows_of_their_village(matrix_world):
    answer = _as(matrix_world, "talati", "GET", f"/api/v1/sources/ehealth/batches/{BATCH['ehealth']}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["rows_rejected"] == 3  # the batch's count is a fact about the source
    assert [(r["org_unit"], r["cells"]["orgUnit"]) for r in answer.json()["rejected"]] == [("525001", "525001")]


def test_only_readers_of_the_whole_state_see_a_row_of_an_unknown_org_unit(matrix_world):
    for role, seen in (("cmo", ["525001", "515001", None]), ("operator", ["525001", "515001", None]),
                       ("collector", ["525001"]), ("commissioner", [])):
        answer = _as(matrix_world, role, "GET", f"/api/v1/sources/ehealth/batches/{BATCH['ehealth']}")
        assert answer.status_code == 200, (role, answer.text)
        assert [r["org_unit"] for r in answer.json()["rejected"]] == seen, role


def test_a_district_operator_sees_their_district_and_replays_the_whole_source(matrix_world):
    """Replay stays whole-source for those who may manage the source; reading stays within their subtree."""
    with matrix_world.app.state.session_factory() as session:
        set_actor(session, Actor.system("matrix set-up"))
        user = UserRepository(session).create(Scope.system(), username="ehealth.operator.surat",
                                              assignments=[AssignmentSpec("operator", "459", departments=("HEALTH",),
                                                                          sources=("ehealth",))])
        _, secret = TokenRepository(session).create(user, Scope.system(), name="matrix")
        session.commit()
    listed = matrix_world.client.get("/api/v1/sources/ehealth/quarantine", headers=_pusher(secret))
    assert listed.status_code == 200, listed.text
    assert [r["org_unit"] for r in listed.json()] == ["525001"]
    replayed = matrix_world.client.post("/api/v1/sources/ehealth/quarantine/replay", headers=_pusher(secret))
    assert replayed.status_code == 200, replayed.text
    report = replayed.json()
    assert (report["rows_read"], report["rows_rejected"]) == (3, 3)  # every pending row, still failing
    assert [r["source_row"] for r in report["rejected"]] == [1]  # of which only Bhestan's is shown
    after = _as(matrix_world, "cmo", "GET", "/api/v1/sources/ehealth/quarantine")
    assert sorted((r["org_unit"] or "") for r in after.json()) == ["", "515001", "525001"]  # placed again


@pytest.fixture(scope="module")
def two_roles(matrix_world) -> dict[str, str]:
    """Headers of an account that is Secretary of Health for the state and Collector of Surat: Health
    everywhere, every department in Surat, and not Roads in Kachchh (no one grant covers that)."""
    with matrix_world.app.state.session_factory() as session:
        set_actor(session, Actor.system("matrix set-up"))
        user = UserRepository(session).create(Scope.system(), username="health.secretary.surat.collector",
                                              assignments=[AssignmentSpec("secretary", "24", departments=("HEALTH",)),
                                                           AssignmentSpec("collector", "459")])
        _, secret = TokenRepository(session).create(user, Scope.system(), name="matrix")
        session.commit()
    return _pusher(secret)


def test_lineage_for_several_roles_reaches_what_some_grant_covers(matrix_world, two_roles):
    for element, org_unit in (("births", "515001"), ("road_km", "3900")):
        answer = matrix_world.client.get(_lineage(element, org_unit), headers=two_roles)
        assert answer.status_code == 200, (element, org_unit, answer.text)
        assert answer.json()["total_rows"] == 1, (element, org_unit)


def test_lineage_for_several_roles_does_not_reach_what_no_one_grant_covers(matrix_world, two_roles):
    """404, as /values/children and /values/series answer for an (org unit, department) no one grant covers."""
    answer = matrix_world.client.get(_lineage("road_km", "3700"), headers=two_roles)
    assert answer.status_code == 404, answer.text
