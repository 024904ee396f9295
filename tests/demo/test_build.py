"""The demo build end to end on the real Gujarat data (three days of simulated history to stay quick)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from govpulse.catalog.db import make_engine, make_session_factory
from govpulse.catalog.models import Batch, OrgUnit, QuarantinedRow, Source, User
from govpulse.core.expressions import parse_expression
from govpulse.core.indicators import IndicatorSpec
from govpulse.demo.build import build_demo
from govpulse.settings import Settings
from govpulse.warehouse import connect

LITERACY = IndicatorSpec("LIT", parse_expression("#{census_literates}"),
                         parse_expression("#{census_population} - #{census_population_0_6}"), 100, 2)
# Census 2011 PCA: Ahmadabad district (census 474) counted 7,214,225 people; its talukas Ranpur (92,926) and
# Barwala (75,986) now belong to Botad (LGD 676), created in 2013. LGD's Ahmadabad (438) is the rest.
AHMADABAD_POPULATION = 7_214_225 - 92_926 - 75_986


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo")
    summary = build_demo(Settings(home=home), state="gujarat", days=3, today=date(2026, 11, 26))
    return home, summary


def test_counts_by_level(demo_home):
    _, summary = demo_home
    counts = {(level, kind): n for level, kind, n in summary.counts_by_level}
    assert counts[(1, "state")] == 1 and counts[(2, "district")] == 33
    assert counts[(3, "taluka")] == 225 and counts[(4, "village")] == 18_225
    assert summary.org_units == 20_448 and summary.problems == []
    assert summary.leaf_values > 241_449  # the census counts, then the simulated days


def test_literacy_is_a_ratio_of_sums_at_every_level(demo_home):
    home, _ = demo_home
    with connect(f"duckdb:///{home / 'warehouse.duckdb'}") as warehouse:
        [state] = warehouse.indicator_values([LITERACY], ["2011"], org_units=["24"]).to_pylist()
        districts = warehouse.indicator_values([LITERACY], ["2011"], parent_org_unit="24").to_pylist()
    assert state["value"] == 78.03  # not 76.39, the mean of the district rates
    rates = [d["value"] for d in districts]
    assert len(rates) == 33 and round(sum(rates) / len(rates), 2) != 78.03
    assert sum(d["numerator"] for d in districts) == state["numerator"]  # nothing counted twice


def test_a_district_total_equals_its_villages_and_towns(demo_home):
    home, _ = demo_home
    with connect(f"duckdb:///{home / 'warehouse.duckdb'}") as warehouse:
        [ahmadabad] = warehouse.data_values(["census_population"], ["438"], ["2011"]).to_pylist()
        below = warehouse.children_values(["census_population"], "438", ["2011"]).to_pylist()
    assert ahmadabad["value"] == AHMADABAD_POPULATION
    assert sum(child["value"] for child in below) == AHMADABAD_POPULATION


def test_one_demo_account_per_role_with_its_post(demo_home):
    home, summary = demo_home
    engine = make_engine(f"sqlite:///{home / 'catalog.sqlite'}")
    with make_session_factory(engine)() as session:
        users = set(session.scalars(select(User.username)))
        assert {"cmo", "secretary", "collector", "ddo", "commissioner", "tdo", "talati", "operator", "auditor",
                "admin"} <= users
        assert session.scalar(select(OrgUnit.kind).where(OrgUnit.code == "251096")) == "ulb"
    engine.dispose()
    assert any("collector" in line and "Ahmadabad (district, 438)" in line for line in summary.accounts)


def test_the_printed_demo_passwords_must_be_changed_at_the_first_sign_in(demo_home):
    home, summary = demo_home
    engine = make_engine(f"sqlite:///{home / 'catalog.sqlite'}")
    with make_session_factory(engine)() as session:
        printed = {line.split()[0] for line in summary.accounts[1:]}
        flags = dict(session.execute(select(User.username, User.must_change_password)
                                     .where(User.username.in_(printed))).all())
    engine.dispose()
    assert len(printed) >= 10 and flags == dict.fromkeys(printed, True)
    assert "must be changed at the first sign-in" in summary.accounts[0]


def test_a_scaled_catalogue_keeps_the_census_data_elements():
    from govpulse.demo.build import demo_catalog
    from govpulse.demo.geography import CENSUS_DATA_ELEMENTS

    small = demo_catalog(50)
    assert len(small.indicators) == 50
    assert set(CENSUS_DATA_ELEMENTS) <= {e.code for e in small.data_elements}


def test_the_last_days_arrive_through_the_demo_sources(demo_home):
    home, summary = demo_home
    engine = make_engine(f"sqlite:///{home / 'catalog.sqlite'}")
    with make_session_factory(engine)() as session:
        batches = dict(session.execute(
            select(Source.code, func.count(Batch.id)).join(Batch, Batch.source_id == Source.id)
            .where(Batch.status == "succeeded").group_by(Source.code)).all())
        rejected = session.scalars(select(QuarantinedRow.reason)).all()
    engine.dispose()
    # Two mornings (the 25th and 26th deliver the days before): every source on both, except the one that stopped after the first.
    showcase = {"food_pds": 2, "health_ambulance": 2, "transport_trips": 2, "wcd_anganwadi": 2, "water_supply": 2,
                "revenue_mutations": 1}
    assert {code: batches.pop(code, 0) for code in showcase} == showcase
    # and each department's daily CSV export on both mornings
    assert len(batches) >= 10 and set(batches.values()) == {2} and all(c.endswith("_daily_mis") for c in batches)
    # Bodeli (LGD 6020, not in a Census 2011 tree) on each delivery; any other rejection is a rule broken by an
    # injected typo (a count dropped to a tenth), never a row the simulation got wrong.
    unknown = [reason for reason in rejected if "unknown org unit" in reason]
    assert len(unknown) == 2 and all("'6020'" in reason for reason in unknown)
    assert all("fails validation rule" in reason for reason in rejected if reason not in unknown)
    assert any(line.startswith(f"sources: {11 + 2 * len(batches)} batches delivered") for line in summary.notes)


def test_a_delivered_value_traces_back_to_its_source_batch(demo_home):
    home, _ = demo_home
    with connect(f"duckdb:///{home / 'warehouse.duckdb'}") as warehouse:
        lineage = warehouse.lineage("hlt_amb_calls", "3782", "20261125")
        stopped = warehouse.data_values(["rev_mutations_pending"], ["3782"], ["20261124", "20261125"]).to_pylist()
    assert [key.split("-")[0] for key in lineage.batches["batch_id"].to_pylist()] == ["health_ambulance"]
    # revenue_mutations delivered the 24th on the first morning, then stopped: the 25th never came.
    assert [row["period"] for row in stopped] == ["20261124"]
