"""A DHIS2 client library from PyPI (``dhis2-client``) against govpulse served by uvicorn, as against DHIS2:
metadata and data values posted, analytics and data value sets read, with HTTP basic auth and with a personal
access token (``Authorization: ApiToken ...``)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn

from tests.dhis2.conftest import ADMIN, PASSWORD, load, make_app

dhis2_client = pytest.importorskip("dhis2_client")
DHIS2Client, DHIS2HTTPError = dhis2_client.DHIS2Client, dhis2_client.errors.DHIS2HTTPError

BO = "O6uvpzGd5pu"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("served"))


@pytest.fixture(scope="module")
def server(app):
    """govpulse on a free 127.0.0.1 port, in a thread, stopped at the end."""
    port = _free_port()
    served = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not served.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    thread.join(timeout=20)


@pytest.fixture(scope="module")
def dhis2(server):
    client = DHIS2Client(server, username=ADMIN, password=PASSWORD, retries=0, timeout=60)
    yield client
    client.close()


def test_a_dhis2_client_imports_the_sample_and_reads_it_back(dhis2):
    assert dhis2.get_system_info()["version"].startswith("2.")
    for name, created in (("orgunits_setup_metadata.json", 12), ("aggregate_metadata.json", 110)):
        report = dhis2.post("/api/metadata", json=load(name))
        assert (report["status"], report["response"]["stats"]["created"]) == ("OK", created)
    summary = dhis2.post_data_value_set(load("dataValues_bulk.json"))
    assert summary["response"]["importCount"] == {"imported": 231, "updated": 0, "ignored": 0, "deleted": 0}
    table = dhis2.get_analytics_data(dx=["K1DkT2kokjD", "tpz77FcntKx"], pe=["201912", "2018"], ou=[BO])
    assert [h["name"] for h in table["headers"]] == ["dx", "pe", "ou", "value"]
    assert table["rows"] == [["K1DkT2kokjD", "201912", BO, "55.4"], ["tpz77FcntKx", "2018", BO, "500000"]]
    exported = dhis2.get_data_value_set({"dataSet": "qNtxTrp56wV", "period": "2018", "orgUnit": BO})
    assert len(exported["dataValues"]) == 9  # the yearly data set's 9 values of 2018 in the fixture
    assert dhis2.get_current_user()["username"] == ADMIN


def test_conflicts_reach_the_client_as_dhis2s_409(dhis2):
    dhis2.post("/api/metadata", json=load("orgunits_setup_metadata.json"))
    with pytest.raises(DHIS2HTTPError) as raised:
        dhis2.post_data_value_set({"dataValues": [{"dataElement": "nosuchthing", "period": "201912",
                                                   "orgUnit": BO, "value": "1"}]})
    assert raised.value.status_code == 409
    assert raised.value.payload["response"]["conflicts"][0]["errorCode"] == "E7610"


def test_a_wrong_password_is_401(server):
    wrong = DHIS2Client(server, username=ADMIN, password="not the password", retries=0)
    with pytest.raises(DHIS2HTTPError) as raised:
        wrong.get_system_info()
    wrong.close()
    assert raised.value.status_code == 401


def test_a_dhis2_client_with_a_personal_access_token(app, server, dhis2):
    """The client sends ``Authorization: ApiToken <token>`` for a token (and no password); govpulse takes its own
    API token there as the same user, and refuses a wrong one with 401."""
    for name in ("orgunits_setup_metadata.json", "aggregate_metadata.json"):  # again, if already there: updates
        dhis2.post("/api/metadata", json=load(name))
    dhis2.post_data_value_set(load("dataValues_bulk.json"))
    secret = app.state.admin_headers["Authorization"].removeprefix("Bearer ")
    with_token = DHIS2Client(server, token=secret, retries=0, timeout=60)
    assert with_token._token_header == f"ApiToken {secret}"  # what the library puts in the header
    assert with_token.get_current_user()["username"] == ADMIN
    query = {"dataSet": "qNtxTrp56wV", "period": "2018", "orgUnit": BO}
    assert len(with_token.get_data_value_set(query)["dataValues"]) == 9
    assert with_token.get_data_value_set(query) == dhis2.get_data_value_set(query)
    with_token.close()
    wrong = DHIS2Client(server, token="d2pat_not-a-govpulse-token", retries=0)
    with pytest.raises(DHIS2HTTPError) as raised:
        wrong.get_system_info()
    wrong.close()
    assert raised.value.status_code == 401
