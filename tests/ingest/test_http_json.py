"""http_json against a real local HTTP server playing an e-governance API: paging, auth, retries, errors."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import datetime, timezone

import pytest

from govpulse.ingest.connectors import ConnectorError, ConnectorSettingsError, SourceDataError
from govpulse.ingest.connectors.http_client import HttpStatusError
from govpulse.ingest.connectors.http_json import HttpJsonConnector
from govpulse.ingest.connectors.retry import RetriesExhausted
from tests.ingest.api_server import ApiServer, Reply, Request

APPLICATIONS = [
    {"application_id": f"APP{i:04d}", "district": "Kutch" if i % 2 else "Patan", "fee": f"{i}.50", "paid": i % 3 == 0}
    for i in range(1, 251)
]


def connector(server: ApiServer, path: str = "/api/applications", **settings) -> HttpJsonConnector:
    return HttpJsonConnector({"url": server.url(path), "backoff_seconds": 0.01, **settings}, name="rts")


def rows(connector: HttpJsonConnector, since=None) -> list[dict]:
    return [row for chunk in connector.read(since) for row in chunk.table.to_pylist()]


def page_api(request: Request) -> Reply:
    page, size = int(request.param("page", "1")), int(request.param("page_size", "100"))
    items = APPLICATIONS[(page - 1) * size : page * size]
    return Reply(body={"status": "ok", "data": {"items": items, "pager": {"pages": -(-len(APPLICATIONS) // size)}}})


# --- paging -------------------------------------------------------------------------------------------------


def test_page_number_paging_until_a_short_page(api_server):
    api_server.route("/api/applications", page_api)
    source = connector(
        api_server, records_path="data.items", paging={"style": "page", "page_size": 100}, chunk_rows=100
    )
    chunks = list(source.read())
    assert [chunk.num_rows for chunk in chunks] == [100, 100, 50]
    table_rows = [row for chunk in chunks for row in chunk.table.to_pylist()]
    assert [row["application_id"] for row in table_rows] == [item["application_id"] for item in APPLICATIONS]
    assert [row["_source_row"] for row in table_rows] == list(range(1, 251))
    # Numbers keep their written form, booleans read as JSON writes them.
    assert table_rows[0] | {"_source_file": ""} == {
        "application_id": "APP0001", "district": "Kutch", "fee": "1.50", "paid": "false", "_source_file": "",
        "_source_row": 1,
    }
    assert table_rows[150]["_source_file"].endswith("page_size=100&page=2")
    assert [request.param("page") for request in api_server.requests] == ["1", "2", "3"]
    assert chunks[0].origin == api_server.url("/api/applications")


def test_page_paging_with_a_page_count_stops_without_asking_for_an_empty_page(api_server):
    api_server.route("/api/applications", page_api)
    source = connector(
        api_server, records_path="data.items",
        paging={"style": "page", "page_size": 125, "total_pages_path": "data.pager.pages"},
    )
    assert len(rows(source)) == 250
    assert len(api_server.requests) == 2


def test_offset_paging(api_server):
    def offset_api(request: Request) -> Reply:
        offset, limit = int(request.param("start")), int(request.param("count"))
        return Reply(body={"records": APPLICATIONS[offset : offset + limit], "total": len(APPLICATIONS)})

    api_server.route("/api/applications", offset_api)
    source = connector(
        api_server, records_path="records",
        paging={"style": "offset", "offset_param": "start", "limit_param": "count", "limit": 100,
                "total_path": "total"},
    )
    assert [row["application_id"] for row in rows(source)] == [item["application_id"] for item in APPLICATIONS]
    assert [request.param("start") for request in api_server.requests] == ["0", "100", "200"]


def test_cursor_paging_and_nested_records(api_server):
    cursors = {None: ("c1", 0), "c1": ("c2", 1), "c2": (None, 2)}

    def cursor_api(request: Request) -> Reply:
        following, index = cursors[request.param("after")]
        record = {"id": index, "address": {"district": "Dang", "village": {"code": "524001"}}, "tags": ["a", "b"]}
        return Reply(body={"results": [record], "meta": {"next_cursor": following}})

    api_server.route("/api/applications", cursor_api)
    source = connector(
        api_server, records_path="results",
        paging={"style": "cursor", "cursor_path": "meta.next_cursor", "cursor_param": "after"},
    )
    found = rows(source)
    assert [row["id"] for row in found] == ["0", "1", "2"]
    assert found[0]["address.district"] == "Dang" and found[0]["address.village.code"] == "524001"
    assert found[0]["tags"] == '["a","b"]'


def test_next_link_paging_in_the_body_and_in_the_link_header(api_server):
    def body_link_api(request: Request) -> Reply:
        page = int(request.param("p", "1"))
        nxt = f"/api/applications?p={page + 1}" if page < 3 else None
        return Reply(body={"value": APPLICATIONS[page - 1 : page], "links": {"next": nxt}})

    def header_link_api(request: Request) -> Reply:
        page = int(request.param("p", "1"))
        link = {"Link": f'<{api_server.url("/api/other")}?p={page + 1}>; rel="next"'} if page < 4 else {}
        return Reply(body=APPLICATIONS[page - 1 : page], headers=link)

    api_server.route("/api/applications", body_link_api)
    api_server.route("/api/other", header_link_api)
    in_body = connector(api_server, records_path="value", paging={"style": "next_link", "next_path": "links.next"})
    assert [row["application_id"] for row in rows(in_body)] == ["APP0001", "APP0002", "APP0003"]
    in_header = connector(api_server, "/api/other", paging={"style": "next_link"})
    assert [row["application_id"] for row in rows(in_header)] == ["APP0001", "APP0002", "APP0003", "APP0004"]


def test_a_server_that_never_stops_paging_is_cut_off(api_server):
    endless = Reply(body={"items": [{"a": 1}], "next": "/api/applications"})
    api_server.route("/api/applications", lambda request: endless)
    source = connector(api_server, records_path="items",
                       paging={"style": "next_link", "next_path": "next", "max_pages": 5})
    with pytest.raises(SourceDataError, match="max_pages=5"):
        rows(source)


def test_since_param_and_post_body(api_server):
    api_server.route("/api/applications", lambda request: Reply(body={"items": APPLICATIONS[:2]}))
    source = connector(
        api_server, method="POST", body={"department": "revenue"}, records_path="items",
        since_param="modified_after", params={"state": "24"},
    )
    assert len(rows(source, since=datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc))) == 2
    (request,) = api_server.requests
    assert request.method == "POST" and request.body == b'{"department":"revenue"}'
    assert request.param("modified_after") == "2026-11-24T06:00:00+00:00" and request.param("state") == "24"


def test_no_records_gives_one_empty_chunk(api_server):
    api_server.route("/api/applications", lambda request: Reply(body={"items": None}))
    chunks = list(connector(api_server, records_path="items").read())
    assert len(chunks) == 1 and chunks[0].num_rows == 0


def test_records_that_are_not_objects_are_problems(api_server):
    api_server.route("/api/applications", lambda request: Reply(body=[{"a": 1}, [1, 2], {"a": 3}]))
    (chunk,) = connector(api_server).read()
    assert chunk.table.column("_source_row").to_pylist() == [1, 3]
    assert [(problem.row, problem.message) for problem in chunk.problems] == [(2, "is a JSON list, not an object")]


def test_wrong_records_path_names_the_url_and_the_keys(api_server):
    api_server.route("/api/applications", lambda request: Reply(body={"status": "ok", "data": {}}))
    with pytest.raises(SourceDataError, match=r"/api/applications: expected a list of records at records_path "
                                              r"'data.items' but found nothing; .*'status', 'data'"):
        rows(connector(api_server, records_path="data.items"))


def test_an_answer_that_is_not_json(api_server):
    api_server.route("/api/applications", lambda request: Reply(raw=b"<html>Service down for maintenance</html>"))
    with pytest.raises(SourceDataError, match=r"GET http://127\.0\.0\.1:\d+/api/applications: the answer is not "
                                              r"JSON .*Service down"):
        rows(connector(api_server))


# --- authentication -----------------------------------------------------------------------------------------


def test_api_key_header_read_from_the_environment(api_server, monkeypatch):
    def keyed_api(request: Request) -> Reply:
        if request.headers.get("x-api-key") != "s3cret":
            return Reply(401, {"error": "bad key"})
        return Reply(body=APPLICATIONS[:3])

    api_server.route("/api/applications", keyed_api)
    monkeypatch.setenv("RTS_API_KEY", "s3cret")
    assert len(rows(connector(api_server, auth={"type": "api_key", "value": "env:RTS_API_KEY"}))) == 3
    monkeypatch.delenv("RTS_API_KEY")
    with pytest.raises(ConnectorSettingsError, match="reads environment variable RTS_API_KEY, which is not set"):
        connector(api_server, auth={"type": "api_key", "value": "env:RTS_API_KEY"})


def test_api_key_in_the_query_is_kept_out_of_lineage_and_errors(api_server):
    def keyed_api(request: Request) -> Reply:
        if request.param("key") != "s3cret":
            return Reply(403, {"error": "forbidden"})
        return Reply(body=APPLICATIONS[:1])

    api_server.route("/api/applications", keyed_api)
    source = connector(api_server, auth={"type": "api_key", "value": "s3cret", "in": "query", "name": "key"})
    (row,) = rows(source)
    assert "s3cret" not in row["_source_file"] and "key=***" in row["_source_file"]
    wrong = connector(api_server, auth={"type": "api_key", "value": "wrong", "in": "query", "name": "key"})
    with pytest.raises(HttpStatusError) as caught:
        rows(wrong)
    assert "wrong" not in str(caught.value) and "key=***" in str(caught.value)


def test_basic_auth(api_server):
    def basic_api(request: Request) -> Reply:
        if request.basic_auth() != ("dataop", "pa:ss"):
            return Reply(401, {"error": "who are you"})
        return Reply(body=APPLICATIONS[:2])

    api_server.route("/api/applications", basic_api)
    assert len(rows(connector(api_server, auth={"type": "basic", "username": "dataop", "password": "pa:ss"}))) == 2
    with pytest.raises(HttpStatusError, match="answered 401 Unauthorized"):
        rows(connector(api_server, auth={"type": "basic", "username": "dataop", "password": "nope"}))


class OAuthServer:
    """Token endpoint plus a paged data endpoint that accepts only live tokens it issued."""

    def __init__(self, server: ApiServer, *, lifetime: float, uses_per_token: int = 1_000) -> None:
        self.lifetime, self.uses_per_token = lifetime, uses_per_token
        self.issued: dict[str, list[float]] = {}  # token -> [issued at, uses]
        self.serial = itertools.count(1)
        self.lock = threading.Lock()
        server.route("/oauth/token", self.token)
        server.route("/api/applications", self.data)

    def token(self, request: Request) -> Reply:
        form = request.form()
        if request.basic_auth() != ("govpulse", "client-secret") or form.get("grant_type") != "client_credentials":
            return Reply(401, {"error": "invalid_client"})
        with self.lock:
            token = f"tok-{next(self.serial)}"
            self.issued[token] = [time.monotonic(), 0]
        return Reply(body={"access_token": token, "token_type": "Bearer", "expires_in": self.lifetime})

    def data(self, request: Request) -> Reply:
        with self.lock:
            state = self.issued.get(request.bearer() or "")
            if state is None or time.monotonic() - state[0] > self.lifetime or state[1] >= self.uses_per_token:
                return Reply(401, {"error": "invalid_token"})
            state[1] += 1
        return page_api(request)


OAUTH = {"type": "oauth2_client_credentials", "client_id": "govpulse", "client_secret": "client-secret"}


def test_oauth2_client_credentials_renews_an_expiring_token(api_server):
    oauth = OAuthServer(api_server, lifetime=0.3)
    source = connector(
        api_server, records_path="data.items", paging={"style": "page", "page_size": 100},
        auth=OAUTH | {"token_url": api_server.url("/oauth/token")}, rate_limit_per_second=2.5,
    )
    assert len(rows(source)) == 250
    # Each page came 0.4 s after the last, past the token's 0.3 s life: a fresh token every time, never a 401.
    assert len(oauth.issued) == 3
    assert len(api_server.requests_to("/api/applications")) == 3


def test_oauth2_token_refused_mid_run_is_fetched_again(api_server):
    oauth = OAuthServer(api_server, lifetime=3600, uses_per_token=2)
    source = connector(
        api_server, records_path="data.items", paging={"style": "page", "page_size": 100},
        auth=OAUTH | {"token_url": api_server.url("/oauth/token")},
    )
    assert len(rows(source)) == 250
    assert sorted(oauth.issued) == ["tok-1", "tok-2"]
    statuses = [request.bearer() for request in api_server.requests_to("/api/applications")]
    assert statuses == ["tok-1", "tok-1", "tok-1", "tok-2"]  # the third page was refused once, then retried


def test_oauth2_wrong_client_secret_is_a_clear_error(api_server):
    OAuthServer(api_server, lifetime=60)
    source = connector(api_server, auth=OAUTH | {"token_url": api_server.url("/oauth/token"), "client_secret": "x"})
    with pytest.raises(ConnectorError, match=r"OAuth2 token endpoint .*/oauth/token refused the client credentials"):
        rows(source)


# --- failures, retries, rate limit --------------------------------------------------------------------------


def flaky(failures: list[Reply], then: Reply):
    remaining = list(failures)

    def handler(request: Request) -> Reply:
        return remaining.pop(0) if remaining else then

    return handler


def test_5xx_twice_then_success_is_retried_with_backoff(api_server):
    api_server.route("/api/applications", flaky([Reply(503, {}), Reply(502, {})], Reply(body=APPLICATIONS[:4])))
    started = time.perf_counter()
    assert len(rows(connector(api_server, max_retries=3))) == 4
    assert len(api_server.requests) == 3
    assert time.perf_counter() - started < 2


def test_5xx_every_time_gives_up_after_max_retries(api_server):
    api_server.route("/api/applications", lambda request: Reply(500, {"error": "boom"}))
    with pytest.raises(RetriesExhausted, match=r"answered 500 Internal Server Error \(gave up after 3 attempts\)"):
        rows(connector(api_server, max_retries=2))
    assert len(api_server.requests) == 3


def test_a_timeout_is_retried(api_server):
    api_server.route("/api/applications", flaky([Reply(body=[], delay=1.0)], Reply(body=APPLICATIONS[:2])))
    assert len(rows(connector(api_server, timeout=0.3))) == 2
    assert len(api_server.requests) == 2


def test_timeouts_every_time_name_the_timeout(api_server):
    api_server.route("/api/applications", lambda request: Reply(body=[], delay=0.6))
    with pytest.raises(RetriesExhausted, match=r"no answer within 0\.2 s \(gave up after 2 attempts\)"):
        rows(connector(api_server, timeout=0.2, max_retries=1))


def test_429_retry_after_is_honoured(api_server):
    api_server.route(
        "/api/applications", flaky([Reply(429, {"error": "slow down"}, headers={"Retry-After": "1"})],
                                   Reply(body=APPLICATIONS[:1]))
    )
    started = time.perf_counter()
    assert len(rows(connector(api_server, backoff_seconds=0.001))) == 1
    assert time.perf_counter() - started >= 0.95  # the back-off alone would have waited about a millisecond


def test_a_permanent_4xx_is_not_retried_and_names_url_and_status(api_server):
    api_server.route("/api/applications", lambda request: Reply(404, {"error": "no such scheme"}))
    with pytest.raises(HttpStatusError, match=r"GET http://127\.0\.0\.1:\d+/api/applications\?scheme=PMAY answered "
                                              r"404 Not Found: .*no such scheme") as caught:
        rows(connector(api_server, params={"scheme": "PMAY"}))
    assert caught.value.status == 404
    assert len(api_server.requests) == 1


def test_connection_refused_is_retried_then_reported(api_server):
    dead_url = api_server.url("/api/applications")
    api_server.stop()
    source = HttpJsonConnector({"url": dead_url, "max_retries": 1, "backoff_seconds": 0.01})
    with pytest.raises(RetriesExhausted, match=r"ConnectError.*gave up after 2 attempts"):
        rows(source)


def test_rate_limit_spaces_requests(api_server):
    api_server.route("/api/applications", page_api)
    source = connector(api_server, records_path="data.items", paging={"style": "page", "page_size": 50},
                       rate_limit_per_second=20)
    started = time.perf_counter()
    assert len(rows(source)) == 250
    assert len(api_server.requests) == 6  # five full pages, then an empty one to learn there are no more
    assert time.perf_counter() - started >= 5 / 20 * 0.95


# --- settings -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"url": "ftp://example.org"}, "must start with http"),
        ({"paging": {"style": "scroll"}}, "setting 'paging'"),
        ({"paging": {"style": "cursor"}}, "setting 'paging.cursor.cursor_path': Field required"),
        ({"auth": {"type": "kerberos"}}, "setting 'auth'"),
        ({"auth": {"type": "basic", "username": "a"}}, "setting 'auth.basic.password': Field required"),
        ({"timeout": 0}, "setting 'timeout'"),
        ({"records": "data"}, "setting 'records': unknown setting"),
    ],
)
def test_settings_errors_are_clear(settings, message):
    with pytest.raises(ConnectorSettingsError, match=message):
        HttpJsonConnector({"url": "https://rts.gujarat.gov.in/api/applications"} | settings, name="rts")


def test_describe():
    text = HttpJsonConnector(
        {"url": "https://rts.gujarat.gov.in/api/applications", "records_path": "data.items",
         "paging": {"style": "page"}, "auth": {"type": "basic", "username": "u", "password": "p"}}
    ).describe()
    assert text == ("JSON records at 'data.items' from GET https://rts.gujarat.gov.in/api/applications, "
                    "page paging, basic auth")
