"""Read endpoints of the foundation: org units, departments, data elements, indicators."""

from __future__ import annotations


def test_org_unit_detail_has_breadcrumb_and_children(client):
    body = client.get("/api/v1/orgunits/3900").json()
    assert body["name"] == "Choryasi"
    assert body["parent_code"] == "459"
    assert [a["code"] for a in body["ancestors"]] == ["24", "459"]
    assert [c["code"] for c in body["children"]] == ["525001"]


def test_org_unit_search_and_paging(client):
    body = client.get("/api/v1/orgunits", params={"kind": "district", "page_size": 1}).json()
    assert body["total"] == 2 and len(body["items"]) == 1
    found = client.get("/api/v1/orgunits", params={"q": "madha"}).json()["items"]
    assert [u["code"] for u in found] == ["515001"]
    assert client.get("/api/v1/orgunits", params={"within": "459"}).json()["total"] == 3
    assert [c["code"] for c in client.get("/api/v1/orgunits/24/children").json()] == ["449", "459"]


def test_unknown_org_unit_is_a_problem_document(client):
    response = client.get("/api/v1/orgunits/999999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "no org unit with code '999999'"


def test_bad_query_parameter_is_a_problem_document(client):
    response = client.get("/api/v1/orgunits", params={"page_size": 0})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.page_size"


def test_catalogue_endpoints(client):
    assert client.get("/api/v1/departments").json()[0]["names"]["gu"] == "આરોગ્ય"
    indicator = client.get("/api/v1/indicators/HLT_INST").json()
    assert (indicator["department"], indicator["factor"]) == ("HEALTH", 100)
    assert client.get("/api/v1/dataElements", params={"q": "birth"}).json()["items"][0]["aggregation_type"] == "SUM"
    assert client.get("/api/v1/indicators", params={"department": "ROADS"}).json()["total"] == 0


def test_openapi_lists_every_read_endpoint(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/orgunits", "/api/v1/orgunits/{code}", "/api/v1/orgunits/{code}/children",
                 "/api/v1/departments", "/api/v1/dataElements", "/api/v1/indicators/{code}"):
        assert "get" in paths[path], path


def test_home_page_lists_what_the_installation_holds(client):
    page = client.get("/").text
    assert "Gujarat" in page and "Villages" in page and "/api/v1/orgunits/24" in page
