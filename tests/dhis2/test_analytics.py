"""GET /api/analytics on the imported DHIS2 sample: DHIS2's response shape, ratios of sums, relative periods,
org-unit levels, filters, id schemes, and DHIS2's answers to illegal queries."""

from __future__ import annotations

import pytest

from tests.dhis2.conftest import load

BO, SIERRA_LEONE = "O6uvpzGd5pu", "ImspTQPwCqd"
RDT_SHARE = "K1DkT2kokjD"  # TA MAL - % of malaria tested cases by RDT: 100 x RDT / (microscopy + RDT)
RDT, MICROSCOPY = "pmRn0GsUfr6", "DPNsg3wjxGm"
EXTERNAL_FUNDING = "tpz77FcntKx"  # yearly, 2018


def _total(element: str, period: str) -> float:
    """The element's values in the fixture added up over its category option combos (computed from the file)."""
    return sum(float(v["value"]) for v in load("dataValues_bulk.json")["dataValues"]
               if v["dataElement"] == element and v["period"] == period)


def _get(client, *dimensions, filters=(), **params):
    response = client.get("/api/analytics", params={"dimension": list(dimensions), "filter": list(filters),
                                                     **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_response_has_dhis2s_shape_and_values_from_the_warehouse(loaded):
    body = _get(loaded, f"dx:{RDT_SHARE};{RDT};{MICROSCOPY}", "pe:201912", f"ou:{BO}")
    assert [h["name"] for h in body["headers"]] == ["dx", "pe", "ou", "value"]
    assert body["headers"][0] == {"name": "dx", "column": "Data", "valueType": "TEXT", "type": "java.lang.String",
                                  "hidden": False, "meta": True}
    assert body["headers"][3]["valueType"] == "NUMBER"
    assert (body["width"], body["height"], body["headerWidth"]) == (4, 3, 4)
    rdt, microscopy = _total(RDT, "201912"), _total(MICROSCOPY, "201912")
    share = round(100 * rdt / (microscopy + rdt), 1)
    assert body["rows"] == [[RDT_SHARE, "201912", BO, str(share)], [RDT, "201912", BO, str(int(rdt))],
                            [MICROSCOPY, "201912", BO, str(int(microscopy))]]
    meta = body["metaData"]
    assert meta["items"][BO] == {"name": "Bo"} and meta["items"]["201912"] == {"name": "Dec 2019"}
    assert meta["items"][RDT_SHARE]["name"] == "TA MAL - % of malaria tested cases by RDT"
    assert meta["dimensions"] == {"dx": [RDT_SHARE, RDT, MICROSCOPY], "pe": ["201912"], "ou": [BO], "co": []}


def test_values_roll_up_the_tree_and_levels_expand_below_a_unit(loaded):
    body = _get(loaded, f"dx:{EXTERNAL_FUNDING}", "pe:2018", f"ou:{SIERRA_LEONE};LEVEL-2;LEVEL-1")
    assert body["rows"] == [[EXTERNAL_FUNDING, "2018", SIERRA_LEONE, "500000"],
                            [EXTERNAL_FUNDING, "2018", BO, "500000"]]
    level_uid = _get(loaded, f"dx:{EXTERNAL_FUNDING}", "pe:2018", "ou:LEVEL-wjP19dkFeIk")  # the "District" level
    assert [row[2] for row in level_uid["rows"]] == [BO]
    mine = _get(loaded, f"dx:{EXTERNAL_FUNDING}", "pe:2018", "ou:USER_ORGUNIT")  # an administrator: the roots
    assert [row[2] for row in mine["rows"]] == [SIERRA_LEONE]


def test_relative_periods_count_from_relative_period_date(loaded):
    body = _get(loaded, f"dx:{RDT}", "pe:LAST_12_MONTHS;THIS_FINANCIAL_YEAR", f"ou:{BO}",
                relativePeriodDate="2020-01-15")
    periods = body["metaData"]["dimensions"]["pe"]
    assert periods[0] == "201901" and periods[11] == "201912" and periods[12] == "2019April"
    assert body["metaData"]["items"]["LAST_12_MONTHS"] == {"name": "Last 12 months"}
    assert body["metaData"]["items"]["2019April"] == {"name": "FY 2019-20"}
    rdt = str(int(_total(RDT, "201912")))
    assert body["rows"] == [[RDT, "201912", BO, rdt], [RDT, "2019April", BO, rdt]]  # Apr 2019 - Mar 2020


def test_a_filter_with_several_periods_adds_them_up_and_the_ratio_stays_a_ratio_of_sums(loaded):
    body = _get(loaded, f"dx:{RDT_SHARE};{RDT}", f"ou:{BO}", filters=["pe:201911;201912"], includeNumDen="true")
    assert [h["name"] for h in body["headers"]] == ["dx", "ou", "value", "numerator", "denominator", "factor",
                                                     "multiplier", "divisor"]
    rdt, microscopy = _total(RDT, "201912"), _total(MICROSCOPY, "201912")
    assert body["rows"][0] == [RDT_SHARE, BO, str(round(100 * rdt / (rdt + microscopy), 1)), str(int(rdt)),
                               str(int(rdt + microscopy)), "100", "100", "1"]
    assert body["rows"][1][:3] == [RDT, BO, str(int(rdt))]


def test_output_id_schemes(loaded):
    codes = _get(loaded, f"dx:{EXTERNAL_FUNDING}", "pe:2018", f"ou:{BO}", outputIdScheme="CODE")
    assert codes["rows"] == [["TA_GEN_EXT_FUND", "2018", "OU_264", "500000"]]
    names = _get(loaded, "dx:TA_GEN_EXT_FUND", "pe:2018", "ou:OU_264", outputIdScheme="NAME")  # codes work as ids
    assert names["rows"] == [["TA External funding", "2018", "Bo", "500000"]]


@pytest.mark.parametrize(("dimensions", "code"), [
    ([f"dx:{RDT}", f"ou:{BO}"], "E7104"),
    (["pe:2019", f"ou:{BO}"], "E7102"),
    ([f"dx:{RDT}", "pe:2019", "co:x"], "E7125"),
    ([f"dx:{RDT}.oPcWGgS2Liz", "pe:2019"], "E7125"),
    ([f"dx:{RDT}", "pe:LAST_FORTNIGHT"], "E7124"),
    ([f"dx:{RDT}", "pe:2019", "pe:2018"], "E7111"),
])
def test_illegal_queries_answer_409_with_dhis2s_error_codes(loaded, dimensions, code):
    response = loaded.get("/api/analytics", params={"dimension": dimensions})
    assert response.status_code == 409
    body = response.json()
    assert (body["httpStatusCode"], body["status"], body["errorCode"]) == (409, "ERROR", code)


def test_sums_over_several_periods_are_refused_for_data_that_do_not_add_up(loaded):
    averaged = next(e["id"] for e in load("aggregate_metadata.json")["dataElements"]
                    if e["aggregationType"] == "AVERAGE_SUM_ORG_UNIT")
    response = loaded.get("/api/analytics", params={"dimension": [f"dx:{averaged}", f"ou:{BO}"],
                                                    "filter": "pe:201911;201912"})
    assert response.status_code == 409 and response.json()["errorCode"] == "E7115"


def test_unknown_ids_answer_404(loaded):
    assert loaded.get("/api/analytics", params={"dimension": [f"dx:{RDT}", "pe:2019", "ou:nowhere0001"]}
                      ).status_code == 404
    assert loaded.get("/api/analytics.json", params={"dimension": ["dx:nothing0001", "pe:2019", f"ou:{BO}"]}
                      ).status_code == 404
