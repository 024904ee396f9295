"""The effect of an action: before/after against comparable org units (a difference-in-differences), computed by
hand on known series; the summaries per officer, department and kind; and the warehouse adapter end to end."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from govpulse.analytics.impact import (
    ActionOutcome,
    comparable_units,
    measure_action,
    measure_effect,
    summarise,
    value_at,
)
from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.catalog.models import Action, ActionEffect, DataElement, Department, Indicator
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.periods import PeriodType
from govpulse.core.scope import Scope
from govpulse.warehouse import connect
from govpulse.workflow.effects import refresh_effects
from govpulse.workflow.views import effect_report

D = date

# The treated org unit and three others of the same kind under the same parent.
TREATED = [(D(2026, 3, 1), 50.0), (D(2026, 3, 8), 52.0), (D(2026, 3, 15), 55.0), (D(2026, 3, 22), 60.0),
           (D(2026, 4, 12), 64.0), (D(2026, 4, 19), 70.0), (D(2026, 5, 10), 71.0)]
OTHERS = {
    "A": [(D(2026, 3, 8), 40.0), (D(2026, 3, 15), 41.0), (D(2026, 4, 19), 45.0)],
    "B": [(D(2026, 3, 1), 60.0), (D(2026, 3, 20), 59.0), (D(2026, 4, 12), 63.0)],
    "C": [(D(2026, 3, 20), 10.0)],  # no value before the action: cannot be compared
}
OPENED, CLOSED, AS_OF = D(2026, 3, 10), D(2026, 3, 20), D(2026, 5, 15)


def test_value_at_is_the_newest_value_known_that_day():
    assert value_at(TREATED, D(2026, 2, 28)) is None
    assert value_at(TREATED, D(2026, 3, 8)) == 52.0
    assert value_at(TREATED, D(2026, 3, 21)) == 55.0
    assert value_at(list(reversed(TREATED)), D(2026, 6, 1)) == 71.0  # order of the points does not matter


def test_difference_in_differences_by_hand():
    effect = measure_effect(TREATED, OTHERS, opened=OPENED, closed=CLOSED, as_of=AS_OF, polarity="higher")
    # Before: the value known on 9 March (the 8 March point) = 52. A: 40, B: 60; C has none and drops out.
    assert (effect.before, effect.comparison_units) == (52.0, 2)
    closure, day30 = effect.horizons
    # At closure (20 March): treated 55 (+3); A 41 (+1), B 59 (-1): mean 0; difference 3.
    assert (closure.days, closure.on, closure.value, closure.treated_change) == (0, CLOSED, 55.0, 3.0)
    assert (closure.comparison_change, closure.difference, closure.improvement) == (0.0, 3.0, 3.0)
    # 30 days after (19 April): treated 70 (+18); A 45 (+5), B 63 (+3): mean +4; difference 18 - 4 = 14.
    assert (day30.on, day30.value, day30.treated_change, day30.comparison_change) == (D(2026, 4, 19), 70.0, 18.0, 4.0)
    assert (day30.difference, day30.improvement, day30.comparison_units) == (14.0, 14.0, 2)
    # 60 days after (19 May) is after as_of (15 May): not measured yet. The verdict is at 30 days.
    assert [h.days for h in effect.horizons] == [0, 30]
    assert (effect.at_closure, effect.verdict_horizon, effect.improvement, effect.recovered) == (55.0, 30, 14.0, True)


def test_polarity_turns_the_same_numbers_into_a_failure():
    effect = measure_effect(TREATED, OTHERS, opened=OPENED, closed=CLOSED, as_of=AS_OF, polarity="lower")
    assert (effect.improvement, effect.recovered) == (-14.0, False)
    neutral = measure_effect(TREATED, OTHERS, opened=OPENED, closed=CLOSED, as_of=AS_OF, polarity="neutral")
    assert (neutral.recovered, neutral.note) == (None, "the indicator has no better direction")


def test_better_but_less_than_the_others_is_not_a_recovery():
    others = {"A": [(D(2026, 3, 1), 40.0), (D(2026, 4, 19), 70.0)]}  # +30 without any action
    effect = measure_effect(TREATED, others, opened=OPENED, closed=CLOSED, as_of=AS_OF, polarity="higher")
    assert effect.horizon(30).difference == -12.0 and effect.recovered is False


def test_no_verdict_without_comparison_or_before_thirty_days():
    alone = measure_effect(TREATED, {}, opened=OPENED, closed=CLOSED, as_of=AS_OF, polarity="higher")
    assert alone.horizon(30).treated_change == 18.0 and alone.horizon(30).difference is None
    assert (alone.recovered, alone.note) == (None, "no comparable org unit without an action")
    early = measure_effect(TREATED, OTHERS, opened=OPENED, closed=CLOSED, as_of=D(2026, 4, 1), polarity="higher")
    assert [h.days for h in early.horizons] == [0] and early.recovered is None
    assert early.note == "not 30 days since closure yet"


@given(st.lists(st.tuples(st.dates(D(2026, 1, 1), D(2026, 12, 31)), st.floats(-1e6, 1e6)), max_size=20),
       st.floats(-1e3, 1e3))
def test_a_shift_common_to_every_unit_cancels_out(points, shift):
    """Adding the same amount to every unit after the action changes no difference (the point of DiD)."""
    points = sorted(dict(points).items())
    treated = [(d, v) for d, v in points]
    other = [(d, v * 0.5) for d, v in points]
    moved = lambda series: [(d, v + (shift if d >= CLOSED else 0.0)) for d, v in series]  # noqa: E731
    plain = measure_effect(treated, {"o": other}, opened=OPENED, closed=CLOSED, as_of=D(2027, 1, 1),
                           polarity="higher")
    shifted = measure_effect(moved(treated), {"o": moved(other)}, opened=OPENED, closed=CLOSED,
                             as_of=D(2027, 1, 1), polarity="higher")
    for a, b in zip(plain.horizons, shifted.horizons, strict=True):
        assert (a.difference is None) == (b.difference is None)
        if a.difference is not None:
            assert b.difference == pytest.approx(a.difference, abs=1e-6 * max(1.0, abs(shift), abs(a.difference)))


def test_summaries_per_officer_department_and_kind():
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    outcomes = [
        ActionOutcome(1, "asha", "HEALTH", "field_visit", t0, t0 + timedelta(days=2), True),
        ActionOutcome(2, "asha", "HEALTH", "follow_up", t0, t0 + timedelta(days=4), False),
        ActionOutcome(3, "asha", "ROADS", "field_visit", t0, t0 + timedelta(days=9), None),
        ActionOutcome(4, "ravi", "HEALTH", "field_visit", t0, None, None),
    ]
    got = {(g.by, g.key): (g.actions, g.closed, g.median_days_to_close, g.measured, g.recovered, g.recovery_rate)
           for g in summarise(outcomes)}
    assert got == {
        ("officer", "asha"): (3, 3, 4.0, 2, 1, 0.5), ("officer", "ravi"): (1, 0, None, 0, 0, None),
        ("department", "HEALTH"): (3, 2, 3.0, 2, 1, 0.5), ("department", "ROADS"): (1, 1, 9.0, 0, 0, None),
        ("kind", "field_visit"): (3, 2, 5.5, 1, 1, 1.0), ("kind", "follow_up"): (1, 1, 4.0, 1, 0, 0.0),
    }


# --- the adapter, on a real warehouse ----------------------------------------------------------------------

TREE = [
    {"code": "S", "name": "State", "kind": "state", "level": 1, "path": "/S/", "parent_code": None},
    {"code": "D", "name": "District", "kind": "district", "level": 2, "path": "/S/D/", "parent_code": "S"},
    *({"code": t, "name": f"Taluka {t}", "kind": "taluka", "level": 3, "path": f"/S/D/{t}/", "parent_code": "D"}
      for t in ("T1", "T2", "T3")),
]
# Monthly vaccinations per 100 births. T1 is treated; T3 had its own action at the same time (left out).
MONTHS = ["202601", "202602", "202603", "202604", "202605", "202606"]
VACC = {"T1": [50, 50, 60, 70, 80, 80], "T2": [50, 50, 52, 54, 56, 58], "T3": [90, 90, 10, 10, 10, 10]}


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
                          denominator="#{births}", factor=100, decimals=1, polarity="higher"))
    at = lambda d: datetime.combine(d, datetime.min.time(), tzinfo=UTC)  # noqa: E731
    for unit, opened, closed in (("T1", D(2026, 3, 10), D(2026, 3, 25)), ("T3", D(2026, 3, 12), D(2026, 4, 20))):
        session.add(Action(title=f"act on {unit}", indicator="IMM", org_unit=unit, org_unit_path=f"/S/D/{unit}/",
                           department="HEALTH", severity="high", priority="high", status="closed",
                           assignee_role="tdo", assignee_org_unit=unit, opened_by="cmo", opened_at=at(opened),
                           due_at=at(opened + timedelta(days=5)), closed_at=at(closed)))
    session.commit()
    warehouse = connect("duckdb:///:memory:")
    warehouse.sync_org_units(pa.table({key: [n[key] for n in TREE]
                                       for key in ("code", "parent_code", "path", "level", "kind")}))
    warehouse.sync_data_elements(pa.table({"code": ["vacc", "births"], "aggregation_type": ["SUM", "SUM"],
                                           "period_type": ["Monthly", "Monthly"],
                                           "reported_at": [["taluka"], ["taluka"]]}))
    rows = [(de, unit, month, float(value if de == "vacc" else 100))
            for unit, values in VACC.items() for month, value in zip(MONTHS, values) for de in ("vacc", "births")]
    warehouse.write("b1", pa.table({"data_element": [r[0] for r in rows], "org_unit": [r[1] for r in rows],
                                    "period": [r[2] for r in rows], "value": [r[3] for r in rows]}))
    warehouse.rollup()
    yield session, warehouse
    warehouse.close()
    session.close()


def test_the_adapter_reads_the_warehouse_and_leaves_out_siblings_with_actions(stores):
    session, warehouse = stores
    assert comparable_units(session, "T1") == ["T2", "T3"]
    action = session.scalar(select(Action).where(Action.org_unit == "T1"))
    measured = measure_action(session, warehouse, action, D(2026, 7, 15))
    assert measured.period_type is PeriodType.MONTHLY
    effect = measured.effect
    # Monthly values are known from the month's last day. Before (9 March) and at closure (25 March): February,
    # 50 %. 30 days (24 April): March 60 vs T2 52 (+2); 60 days: April 70 vs 54; 90 days (23 June): May 80 vs 56.
    assert (effect.before, effect.at_closure, effect.comparison_units) == (50.0, 50.0, 1)
    assert [(h.days, h.treated_change, h.comparison_change, h.difference) for h in effect.horizons] == [
        (0, 0.0, 0.0, 0.0), (30, 10.0, 2.0, 8.0), (60, 20.0, 4.0, 16.0), (90, 30.0, 6.0, 24.0)]
    assert (effect.verdict_horizon, effect.improvement, effect.recovered) == (90, 24.0, True)


def test_effects_are_stored_and_reported(stores):
    session, warehouse = stores
    assert refresh_effects(session, warehouse, D(2026, 7, 15)) == 2
    session.commit()
    stored = {e.action_id: e for e in session.scalars(select(ActionEffect))}
    t1 = session.scalar(select(Action.id).where(Action.org_unit == "T1"))
    assert (stored[t1].improvement, stored[t1].recovered, stored[t1].verdict_horizon) == (24.0, True, 90)
    assert [h["days"] for h in stored[t1].horizons] == [0, 30, 60, 90]
    # Both horizons of T1 are final: a second run measures only T3 (closed 20 April, 90 days not yet past).
    assert refresh_effects(session, warehouse, D(2026, 7, 16)) == 1
    report = effect_report(session, Scope.system(), datetime(2026, 7, 16, tzinfo=UTC))
    assert {a.org_unit: a.recovered for a in report.actions}["T1"] is True
