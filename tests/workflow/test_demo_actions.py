"""The demo's action history: weeks of actions with calls, closures, a reopening and escalations, and effects
measured from the warehouse so the report has something to show."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pyarrow as pa
import pytest
from sqlalchemy import func, select

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.catalog.models import (
    Action,
    ActionEffect,
    ActionEvent,
    Call,
    DataElement,
    Department,
    Escalation,
    Indicator,
)
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.scope import Scope
from govpulse.demo.actions import seed_demo_actions
from govpulse.demo.simulation.anomalies import Deterioration, SimulationNotes, Stop
from govpulse.warehouse import connect
from govpulse.workflow.views import effect_report

TALUKAS = ("T1", "T2", "T3", "T4", "T5")
TREE = [
    {"code": "S", "name": "Gujarat", "kind": "state", "level": 1, "path": "/S/", "parent_code": None},
    {"code": "D", "name": "Surat", "kind": "district", "level": 2, "path": "/S/D/", "parent_code": "S"},
    *({"code": t, "name": f"Taluka {t}", "kind": "taluka", "level": 3, "path": f"/S/D/{t}/", "parent_code": "D"}
      for t in TALUKAS),
]
MONTHS = [f"2026{m:02d}" for m in range(1, 8)]
TODAY = date(2026, 8, 20)


@pytest.fixture
def stores(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    migrate(engine)
    session = make_session_factory(engine)()
    set_actor(session, Actor.system("test"))
    OrgUnitRepository(session).replace_all(TREE)
    health = Department(code="HEALTH", name="Health")
    session.add(health)
    session.flush()
    session.add_all([DataElement(code=c, name=c, department_id=health.id, value_type="INTEGER", aggregation_type="SUM",
                                 period_type="Monthly", reported_at=["taluka"]) for c in ("vacc", "births")])
    session.add(Indicator(code="IMM", name="Immunisation", department_id=health.id, numerator="#{vacc}",
                          denominator="#{births}", factor=100, polarity="higher"))
    session.commit()
    warehouse = connect("duckdb:///:memory:")
    warehouse.sync_org_units(pa.table({key: [n[key] for n in TREE] for key in ("code", "path", "level", "kind")}
                                      | {"parent_code": [n["parent_code"] for n in TREE]}))
    warehouse.sync_data_elements(pa.table({"code": ["vacc", "births"], "aggregation_type": ["SUM", "SUM"],
                                           "period_type": ["Monthly", "Monthly"],
                                           "reported_at": [["taluka"], ["taluka"]]}))
    rows = [(de, t, m, float(40 + 3 * i + 2 * j if de == "vacc" else 100))
            for i, t in enumerate(TALUKAS) for j, m in enumerate(MONTHS) for de in ("vacc", "births")]
    warehouse.write("b1", pa.table({name: [r[k] for r in rows] for k, name in enumerate(
        ("data_element", "org_unit", "period", "value"))}))
    warehouse.rollup()
    yield session, warehouse
    warehouse.close()
    session.close()


def test_a_few_weeks_of_history(stores):
    session, warehouse = stores
    summary = seed_demo_actions(session, warehouse, TODAY, count=8)
    session.commit()
    count = lambda model, *where: session.scalar(select(func.count()).select_from(model).where(*where))  # noqa: E731
    assert summary.opened == count(Action) == 8
    statuses = dict(session.execute(select(Action.status, func.count()).group_by(Action.status)).all())
    assert statuses.get("closed", 0) >= 4 and summary.closed == statuses["closed"]
    assert count(ActionEvent, ActionEvent.kind == "reopen") == 1
    assert count(Escalation) == summary.escalations > 0  # the ignored ones climbed their ladder
    assert count(Call) == summary.calls >= 6
    assert summary.effects_measured == count(ActionEffect) == statuses["closed"]
    # Every post got an officer, so the per-officer report names people, not vacant posts.
    assert session.scalar(select(func.count()).select_from(Action).where(Action.assignee_user_id.is_(None))) == 0
    report = effect_report(session, Scope.system(), datetime.combine(TODAY, time(12), tzinfo=UTC))
    officers = [g for g in report.groups if g.by == "officer"]
    assert officers and all(not g.key.startswith("vacant") for g in officers)
    assert sum(g.measured for g in officers) >= 1  # some closures are old enough for a 30-day verdict
    # The same inputs give the same history.
    assert "8 demo actions over 63 days" in summary.lines[0]


def test_actions_follow_the_problems_the_simulation_injected(stores):
    session, _warehouse = stores
    notes = SimulationNotes(first_day=date(2025, 8, 1), today=TODAY,
                            stops=(Stop("T3", "taluka", date(2026, 7, 1), "HEALTH"),),
                            deteriorations=(Deterioration("D", ("IMM",), ("vacc",), date(2026, 5, 1), 1.6),))
    seed_demo_actions(session, None, TODAY, notes=notes, count=3)
    first = session.scalars(select(Action).order_by(Action.id)).all()
    assert [(a.org_unit, a.kind, a.assignee_role) for a in first[:2]] == [
        ("D", "field_visit", "collector"), ("T3", "data_correction", "tdo")]
    assert first[1].title == "Taluka T3 stopped reporting"
