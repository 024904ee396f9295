"""dhis2: a real local HTTP server serving DHIS2-shaped /api/dataValueSets and /api/analytics, behind basic auth."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from govpulse.ingest.connectors import ConnectorSettingsError
from govpulse.ingest.connectors.dhis2 import Dhis2Connector
from govpulse.ingest.connectors.http_client import HttpStatusError
from tests.ingest.api_server import ApiServer, Reply, Request
from tests.shared_data import SHARED_DATA

FIXTURE = SHARED_DATA / "dhis2-sample" / "dataValues_bulk.json"
DATA_VALUES = json.loads(FIXTURE.read_text())["dataValues"] if FIXTURE.exists() else []
pytestmark = pytest.mark.skipif(not DATA_VALUES, reason=f"DHIS2 fixture {FIXTURE} is missing")

USER, PASSWORD = "admin", "district"


def _authorised(request: Request) -> bool:
    return request.basic_auth() == (USER, PASSWORD) or request.headers.get("authorization") == "ApiToken d2pat_abc"


def data_value_sets(request: Request) -> Reply:
    """Like DHIS2: filter by period and lastUpdated; answer 409 when no data set is named."""
    if not _authorised(request):
        return Reply(401, {"httpStatus": "Unauthorized", "message": "Unauthorized"})
    if not request.param("dataSet"):
        return Reply(409, {"httpStatus": "Conflict", "message": "At least one data set must be specified"})
    values = DATA_VALUES
    if period := request.param("period"):
        values = [value for value in values if value["period"] == period]
    if since := request.param("lastUpdated"):
        cutoff = datetime.fromisoformat(since)
        values = [value for value in values if "lastUpdated" in value and _stamp(value["lastUpdated"]) >= cutoff]
    return Reply(body={"dataValues": values} if values else {})


def _stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def _analytics_rows() -> list[list[str]]:
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for value in DATA_VALUES:
        try:
            totals[value["dataElement"], value["period"], value["orgUnit"]] += Decimal(value["value"])
        except ArithmeticError:
            continue  # text and boolean values are not aggregated
    return [[dx, pe, ou, str(total)] for (dx, pe, ou), total in sorted(totals.items())]


ANALYTICS_ROWS = _analytics_rows()
HEADERS = [
    {"name": "dx", "column": "Data", "valueType": "TEXT", "type": "java.lang.String", "hidden": False, "meta": True},
    {"name": "pe", "column": "Period", "valueType": "TEXT", "type": "java.lang.String", "hidden": False, "meta": True},
    {"name": "ou", "column": "Organisation unit", "valueType": "TEXT", "type": "java.lang.String", "hidden": False,
     "meta": True},
    {"name": "value", "column": "Value", "valueType": "NUMBER", "type": "java.lang.Double", "hidden": False,
     "meta": False},
]


def analytics(request: Request) -> Reply:
    if not _authorised(request):
        return Reply(401, {"httpStatus": "Unauthorized"})
    rows, meta = ANALYTICS_ROWS, {"items": {}}
    if request.param("paging") == "true":
        page, size = int(request.param("page")), int(request.param("pageSize"))
        rows = ANALYTICS_ROWS[(page - 1) * size : page * size]
        meta["pager"] = {"page": page, "pageSize": size, "total": len(ANALYTICS_ROWS),
                         "pageCount": -(-len(ANALYTICS_ROWS) // size)}
    return Reply(body={"headers": HEADERS, "metaData": meta, "rows": rows, "height": len(rows), "width": 4})


@pytest.fixture
def dhis2(api_server: ApiServer) -> ApiServer:
    api_server.route("/api/dataValueSets", data_value_sets)
    api_server.route("/api/analytics", analytics)
    return api_server


def connector(server: ApiServer, **settings) -> Dhis2Connector:
    base = {"base_url": server.base_url, "username": USER, "password": PASSWORD, "backoff_seconds": 0.01}
    return Dhis2Connector(base | settings, name="dhis2-demo")


def test_data_value_sets_arrive_as_dhis2_wrote_them(dhis2):
    source = connector(dhis2, params={"dataSet": "BfMAe6Itzgt", "period": "201912", "orgUnit": "O6uvpzGd5pu"},
                       chunk_rows=100)
    chunks = list(source.read())
    expected = [value for value in DATA_VALUES if value["period"] == "201912"]
    assert [chunk.num_rows for chunk in chunks] == [100, 100, len(expected) - 200]
    rows = [row for chunk in chunks for row in chunk.table.to_pylist()]
    assert {"dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value",
            "followup"} <= set(chunks[0].data_columns)
    assert [(row["dataElement"], row["categoryOptionCombo"], row["value"]) for row in rows] == [
        (value["dataElement"], value["categoryOptionCombo"], value["value"]) for value in expected
    ]
    assert [row["_source_row"] for row in rows] == list(range(1, len(expected) + 1))
    commented = next(row for row in rows if row.get("comment"))
    assert commented["comment"] == "Important!" and commented["followup"] == "true"
    assert rows[0]["_source_file"].startswith(f"{dhis2.base_url}/api/dataValueSets?dataSet=BfMAe6Itzgt")
    assert chunks[0].origin == f"{dhis2.base_url}/api/dataValueSets"
    (request,) = dhis2.requests
    assert request.headers["accept"] == "application/json"


def test_since_becomes_last_updated(dhis2):
    source = connector(dhis2, params={"dataSet": "BfMAe6Itzgt"})
    since = datetime(2019, 9, 2, 15, 52, 8, 200_000, tzinfo=timezone.utc)
    rows = [row for chunk in source.read(since) for row in chunk.table.to_pylist()]
    expected = [v for v in DATA_VALUES if "lastUpdated" in v and _stamp(v["lastUpdated"]) >= since]
    assert 0 < len(rows) == len(expected) < len(DATA_VALUES)
    assert dhis2.requests[0].param("lastUpdated") == since.isoformat()


def test_nothing_matching_gives_one_empty_chunk(dhis2):
    chunks = list(connector(dhis2, params={"dataSet": "BfMAe6Itzgt", "period": "203001"}).read())
    assert len(chunks) == 1 and chunks[0].num_rows == 0


def test_dhis2_refusals_are_reported_with_its_message(dhis2):
    with pytest.raises(HttpStatusError, match=r"/api/dataValueSets answered 409 Conflict: .*At least one data set"):
        list(connector(dhis2).read())
    with pytest.raises(HttpStatusError, match=r"/api/dataValueSets\?dataSet=x answered 401 Unauthorized"):
        list(connector(dhis2, password="wrong", params={"dataSet": "x"}).read())
    assert len(dhis2.requests) == 2  # neither was retried


def test_personal_access_token_from_the_environment(dhis2, monkeypatch):
    monkeypatch.setenv("DHIS2_TOKEN", "d2pat_abc")
    source = Dhis2Connector({"base_url": dhis2.base_url + "/api/", "token": "env:DHIS2_TOKEN",
                             "params": {"dataSet": "BfMAe6Itzgt"}})
    assert sum(chunk.num_rows for chunk in source.read()) == len(DATA_VALUES)


def test_analytics_rows_under_their_header_names(dhis2):
    source = connector(dhis2, mode="analytics",
                       params={"dimension": ["dx:QFz6w4llj0h;tpz77FcntKx", "pe:201912;2018"],
                               "filter": "ou:O6uvpzGd5pu"})
    (chunk,) = source.read()
    assert chunk.data_columns == ["dx", "pe", "ou", "value"]
    assert [list(row.values())[:4] for row in chunk.table.to_pylist()] == ANALYTICS_ROWS
    (request,) = dhis2.requests
    assert request.query["dimension"] == ["dx:QFz6w4llj0h;tpz77FcntKx", "pe:201912;2018"]


def test_analytics_in_pages(dhis2):
    source = connector(dhis2, mode="analytics", page_size=20, params={"dimension": "dx:a"})
    rows = [row for chunk in source.read() for row in chunk.table.to_pylist()]
    assert [[row["dx"], row["pe"], row["ou"], row["value"]] for row in rows] == ANALYTICS_ROWS
    assert [row["_source_row"] for row in rows] == list(range(1, len(ANALYTICS_ROWS) + 1))
    pages = -(-len(ANALYTICS_ROWS) // 20)
    assert [request.param("page") for request in dhis2.requests] == [str(n) for n in range(1, pages + 1)]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"password": None}, "give a username and password"),
        ({"token": "t"}, "either a token or a username and password"),
        ({"page_size": 10}, "page_size applies to mode analytics only"),
        ({"mode": "events"}, "setting 'mode'"),
        ({"base_url": "dhis2.example.org"}, "must start with http"),
    ],
)
def test_settings_errors(settings, message):
    base = {"base_url": "https://dhis2.example.org", "username": USER, "password": PASSWORD}
    with pytest.raises(ConnectorSettingsError, match=message):
        Dhis2Connector(base | settings)


def test_describe():
    text = Dhis2Connector({"base_url": "https://hmis.example.gov.in/", "username": "ingest", "password": "p",
                           "params": {"dataSet": "BfMAe6Itzgt"}}).describe()
    assert text == "DHIS2 dataValueSets from https://hmis.example.gov.in as user ingest (dataSet=BfMAe6Itzgt)"
