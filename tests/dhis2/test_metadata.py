"""POST /api/metadata with DHIS2's own e2e fixtures, counted by hand, and what the catalogue holds afterwards."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from govpulse.catalog.models import AuditEntry, DataElement, Department, Indicator, OrgUnit
from govpulse.catalog.repositories.users import AssignmentSpec
from govpulse.dhis2.ids import UID, IdentifierStore
from tests.dhis2.conftest import add_user, basic, load

# orgunits_setup_metadata.json, counted by hand: 4 organisationUnitLevels, 5 organisationUnits, 2 categoryCombos
# (default + an attribute combo, not stored), 1 categoryOptionCombo, 2 dataElements (one AGGREGATE BOOLEAN, one
# TRACKER TEXT: not stored), and 8 objects of types govpulse does not store (1 categoryOptionGroupSet,
# 2 categories, 1 organisationUnitGroup, 1 categoryOption, 1 optionSet, 2 options).
SETUP = {"created": 4 + 5 + 1 + 1 + 1, "updated": 0, "deleted": 0, "ignored": 1 + 1 + 8, "total": 22}
# aggregate_metadata.json: 75 dataElements, 19 indicators, 2 indicatorTypes, 2 dataSets, 12 categoryOptionCombos
# created; 3 non-default categoryCombos and 34 objects of other types (3 categories, 8 categoryOptions,
# 12 validationRules, 1 validationRuleGroup, 7 dataElementGroups, 1 indicatorGroup, 2 legendSets) ignored.
AGGREGATE = {"created": 75 + 19 + 2 + 2 + 12, "updated": 0, "deleted": 0, "ignored": 3 + 34, "total": 147}


def _types(body: dict) -> dict[str, dict]:
    return {report["klass"].rsplit(".", 1)[-1]: report for report in body["response"]["typeReports"]}


def test_the_dhis2_fixtures_import_with_counts_that_match_the_files(client):
    setup = client.post("/api/metadata", json=load("orgunits_setup_metadata.json"))
    assert setup.status_code == 200, setup.text
    body = setup.json()
    assert (body["httpStatus"], body["status"], body["response"]["status"]) == ("OK", "OK", "OK")
    assert body["response"]["stats"] == SETUP
    types = _types(body)
    assert types["OrganisationUnit"]["stats"]["created"] == 5
    [tracker] = [e for o in types["DataElement"]["objectReports"] for e in o["errorReports"]]
    assert "TRACKER" in tracker["message"] and tracker["errorCode"] == "E6002"
    aggregate = client.post("/api/metadata", json=load("aggregate_metadata.json")).json()
    assert aggregate["response"]["stats"] == AGGREGATE
    assert "validationRules" in aggregate["message"]  # what was not stored is said, not hidden
    assert _types(aggregate)["ValidationRule"]["stats"]["ignored"] == 12


def test_org_units_form_a_tree_parents_first_whatever_the_payload_order(client, app):
    client.post("/api/metadata", json=load("orgunits_setup_metadata.json"))
    with app.state.session_factory() as session:
        units = {u.code: u for u in session.scalars(select(OrgUnit))}
        uid_of = IdentifierStore(session).values_for("org_unit", UID)
    # The file lists the facility before its chiefdom, district and country.
    assert units["OU_559"].path == "/OU_525/OU_264/OU_539/OU_559/"
    assert [(units[c].level, units[c].kind) for c in ("OU_525", "OU_264", "OU_539", "OU_559")] == [
        (1, "state"), (2, "district"), (3, "taluka"), (4, "facility")]
    assert (round(units["OU_559"].latitude, 4), round(units["OU_559"].longitude, 4)) == (8.1039, -11.4197)
    assert uid_of["OU_559"] == "DiszpKrYNg8"


def test_data_elements_and_indicators_use_our_codes_and_the_data_sets_period_types(client, app):
    client.post("/api/metadata", json=load("orgunits_setup_metadata.json"))
    client.post("/api/metadata", json=load("aggregate_metadata.json"))
    with app.state.session_factory() as session:
        elements = {e.code: e for e in session.scalars(select(DataElement))}
        indicators = {i.code: i for i in session.scalars(select(Indicator))}
        department = session.scalar(select(Department).where(Department.code == "DHIS2"))
    funding = elements["ta_gen_ext_fund"]  # TA_GEN_EXT_FUND, in the yearly data set
    assert (funding.period_type, funding.aggregation_type, funding.value_type) == (
        "Yearly", "SUM", "INTEGER_ZERO_OR_POSITIVE")
    assert funding.reported_at == ["district", "facility", "state", "taluka"]  # kinds of the data set's org units
    assert funding.department_id == department.id
    assert elements["ta_mal_stockout_rdt"].value_type == "BOOLEAN"
    assert elements["ta_mal_cases_test_rdt"].period_type == "Monthly"
    rdt = indicators["TA_MAL_PER_CASES_WITH_RDT"]  # #{pmRn0GsUfr6} / #{DPNsg3wjxGm}+#{pmRn0GsUfr6}, type x100
    assert (rdt.numerator, rdt.denominator, rdt.factor, rdt.unit) == (
        "#{ta_mal_cases_test_rdt}", "#{ta_mal_cases_test_micr}+#{ta_mal_cases_test_rdt}", 100.0, "%")
    # #{uid.HllvX50cXC0} names the default combo: the element's total.
    assert indicators["TA_MAL_FOCI_IDENT_NEW_OLD"].numerator == "#{ta_mal_foci_ident_new_old}"
    assert "TA_MAL_DTH_REP_COMP" in indicators  # code TA_MAL_DTH_REP_COMP_(%) made fit for our codes


def test_importing_again_updates_and_creates_nothing(client):
    client.post("/api/metadata", json=load("orgunits_setup_metadata.json"))
    again = client.post("/api/metadata", json=load("orgunits_setup_metadata.json")).json()
    assert again["response"]["stats"] == {**SETUP, "created": 0, "updated": SETUP["created"]}


def test_every_write_is_audited(client, app):
    client.post("/api/metadata", json=load("orgunits_setup_metadata.json"))
    with app.state.session_factory() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.actor == "dhis2.admin")).all()
    kinds = {(e.entity, e.action) for e in entries}
    assert {("org_unit", "create"), ("data_element", "create"), ("identifier", "create"),
            ("dhis2_metadata", "import")} <= kinds
    assert sum(1 for e in entries if e.entity == "org_unit") == 5


def test_a_broken_reference_stores_nothing_unless_atomic_mode_is_none(client, app):
    payload = {"organisationUnits": [
        {"id": "aaaaaaaaaa1", "name": "Root", "code": "ROOT_A"},
        {"id": "aaaaaaaaaa2", "name": "Orphan", "parent": {"id": "zzzzzzzzzz9"}},
    ]}
    refused = client.post("/api/metadata", json=payload)
    assert refused.status_code == 409
    body = refused.json()
    assert (body["status"], body["response"]["status"]) == ("WARNING", "ERROR")
    [report] = _types(body)["OrganisationUnit"]["objectReports"]
    assert (report["index"], report["errorReports"][0]["errorCode"]) == (1, "E5002")
    with app.state.session_factory() as session:
        assert session.scalar(select(OrgUnit).where(OrgUnit.code == "ROOT_A")) is None
    partial = client.post("/api/metadata", params={"atomicMode": "NONE"}, json=payload).json()
    assert (partial["response"]["status"], partial["response"]["stats"]["created"]) == ("WARNING", 1)
    with app.state.session_factory() as session:
        assert session.scalar(select(OrgUnit).where(OrgUnit.code == "ROOT_A")) is not None


def test_validate_mode_and_strategies(client, app):
    payload = {"dataElements": [{"id": "bbbbbbbbbb1", "name": "Beds", "code": "BEDS", "valueType": "INTEGER",
                                 "aggregationType": "SUM", "domainType": "AGGREGATE"}]}
    checked = client.post("/api/metadata", params={"importMode": "VALIDATE"}, json=payload).json()
    assert checked["response"]["stats"]["created"] == 1
    with app.state.session_factory() as session:
        assert session.scalar(select(DataElement).where(DataElement.code == "beds")) is None
    assert client.post("/api/metadata", params={"importStrategy": "UPDATE"}, json=payload).status_code == 409
    assert client.post("/api/metadata", json=payload).json()["response"]["stats"]["created"] == 1
    create_only = client.post("/api/metadata", params={"importStrategy": "CREATE"}, json=payload)
    assert create_only.status_code == 409 and "E5000" in create_only.text
    deleting = client.post("/api/metadata", params={"importStrategy": "DELETE"}, json=payload)
    assert deleting.status_code == 409 and "DELETE is not supported" in deleting.json()["message"]


def test_indicators_govpulse_cannot_compute_are_reported_not_stored(client, app):
    payload = {
        "indicatorTypes": [{"id": "ccccccccc01", "name": "Number", "factor": 1}],
        "dataElements": [{"id": "ccccccccc02", "name": "Cases", "valueType": "INTEGER"}],
        "indicators": [
            {"id": "ccccccccc03", "name": "Rate", "indicatorType": {"id": "ccccccccc01"},
             "numerator": "#{ccccccccc02}", "denominator": "R{someDataSet.REPORTING_RATE}"},
            {"id": "ccccccccc04", "name": "Cases again", "indicatorType": {"id": "ccccccccc01"},
             "numerator": "#{ccccccccc02.*}", "denominator": "1"},
        ],
    }
    body = client.post("/api/metadata", json=payload).json()
    assert body["response"]["status"] == "OK"  # not computing reporting rates is govpulse's limit, not an error
    [report] = _types(body)["Indicator"]["objectReports"]
    assert "reporting rates" in report["errorReports"][0]["message"]
    with app.state.session_factory() as session:
        rows = {i.name: i for i in session.scalars(select(Indicator))}
    assert set(rows) == {"Cases again"} and rows["Cases again"].numerator == "#{de_ccccccccc02}"


def test_a_secretary_imports_into_her_own_department_only(app, client):
    with app.state.session_factory() as session:
        session.add(Department(code="HEALTH", name="Health"))
        session.commit()
    add_user(app, "health.secretary", [AssignmentSpec("secretary", departments=("HEALTH",))])
    payload = {"dataElements": [{"id": "ddddddddd01", "name": "OPD visits", "valueType": "INTEGER"}]}
    auth = basic("health.secretary")
    assert client.post("/api/metadata", json=payload, headers=auth).status_code == 403  # DHIS2 department: not hers
    mine = client.post("/api/metadata", params={"department": "HEALTH"}, json=payload, headers=auth)
    assert mine.status_code == 200, mine.text
    tree = client.post("/api/metadata", headers=auth, params={"department": "HEALTH"},
                       json={"organisationUnits": [{"id": "ddddddddd02", "name": "New state"}]})
    assert tree.status_code == 409 and "E3000" in tree.text  # the tree is not a department's to change


def test_basic_auth_as_dhis2_clients_send_it(app):
    with TestClient(app, base_url="https://testserver") as anonymous:
        assert anonymous.get("/api/system/info", headers=basic()).status_code == 200
        wrong = anonymous.post("/api/metadata", json={}, headers=basic(password="not the password"))
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Basic")
        assert anonymous.get("/api/analytics").status_code == 401
