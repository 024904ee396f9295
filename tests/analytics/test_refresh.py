"""The serving process evaluates red flags again when new data lands, and at least hourly otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from sqlalchemy import func, select

from govpulse.analytics.refresh import AfterNewData
from govpulse.catalog.db import make_session_factory
from govpulse.catalog.models import AuditEntry, Flag
from tests.analytics.perf_world import open_world

NOW = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def world(tmp_path):
    stores, engine = open_world(tmp_path)
    stores.session.close()
    yield make_session_factory(engine), stores.warehouse
    stores.warehouse.close()
    engine.dispose()


def test_flags_run_on_the_first_tick_then_only_after_new_data_or_an_hour(world):
    factory, warehouse = world
    clock, followed = Clock(NOW), []
    job = AfterNewData(factory, warehouse, clock=clock, also=[lambda s, w, today: followed.append(today)])
    first = job()
    assert first is not None and followed == [NOW.date()]  # 11:30 in India: the same day
    with factory() as session:
        flags = session.scalar(select(func.count()).select_from(Flag))
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.actor == "red-flags")) > 0  # written as the system, audited
    assert flags == first.open_total > 0

    clock.moment = NOW + timedelta(minutes=1)
    assert job() is None  # nothing new: nothing done

    warehouse.write("late-arrival", pa.table({"data_element": ["calls"], "org_unit": ["3900"],
                                              "period": ["20261109"], "value": [17.0]}))  # was 10
    warehouse.rollup()
    clock.moment = NOW + timedelta(minutes=2)
    assert job() is not None and len(followed) == 2  # new data: run again

    clock.moment = NOW + timedelta(minutes=3)
    assert job() is None
    clock.moment = NOW + timedelta(minutes=2, hours=1)
    before = _audited(factory)
    assert job() is not None  # an hour on: sources may have gone stale meanwhile
    assert _audited(factory) == before  # flags only seen again are not news in the audit log


def _audited(factory) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "flag"))
