"""The scheduler in simulated time: cron schedules in IST, retries with back-off, one scheduler among many."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from govpulse.catalog.models import Batch, SourceRun
from govpulse.ingest.scheduler import BackgroundScheduler, RetryPolicy, Scheduler, next_cron_time
from tests.ingest.ingest_world import World, csv_source, make_world
from tests.ingest.test_batches import VILLAGE_MAPPING, empty_postgres, nasty_folder

IST = ZoneInfo("Asia/Kolkata")


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=IST)


@pytest.fixture
def world(tmp_path) -> World:
    world = make_world(f"sqlite:///{tmp_path / 'catalog.sqlite'}", tmp_path)
    yield world
    world.warehouse.close()


def scheduled(world: World, folder, schedule: str = "30 7 * * *") -> None:
    world.register(csv_source("villages", folder, VILLAGE_MAPPING, schedule=schedule))


def state(world: World) -> SourceRun:
    with world.session_factory() as session:
        return session.scalar(select(SourceRun))


def test_cron_times_are_read_in_india_time():
    assert next_cron_time("30 7 * * *", "Asia/Kolkata", ist(26, 6)) == datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    assert next_cron_time("30 7 * * *", "Asia/Kolkata", ist(26, 7, 30)) == ist(27, 7, 30).astimezone(UTC)


def dropped_at(folder, moment: datetime) -> None:
    """Give the dropped files a modification time in simulated time."""
    for path in folder.iterdir():
        os.utime(path, (moment.timestamp(), moment.timestamp()))


def test_a_source_runs_at_its_time_and_then_waits_for_the_next(world, tmp_path):
    nasty_folder(tmp_path / "drop")
    dropped_at(tmp_path / "drop", ist(26, 6))
    scheduled(world, tmp_path / "drop")
    scheduler = Scheduler(world.stores)
    (caught_up,) = scheduler.run_pending(ist(26, 7, 0))  # first sight: the 25th's 07:30 run is still owed
    assert caught_up.report.status == "succeeded"
    assert caught_up.next_run_at == ist(26, 7, 30).astimezone(UTC)
    assert scheduler.run_pending(ist(26, 7, 29)) == []
    (run,) = scheduler.run_pending(ist(26, 7, 31))
    assert run.source == "villages" and run.report.status == "no new data"  # no file newer than the last read
    assert run.next_run_at == ist(27, 7, 30).astimezone(UTC)
    assert scheduler.run_pending(ist(26, 12)) == []
    assert state(world).last_outcome == "no new data"


def test_a_server_started_after_the_scheduled_time_catches_up_once(world, tmp_path):
    nasty_folder(tmp_path / "drop")
    scheduled(world, tmp_path / "drop")
    scheduler = Scheduler(world.stores)
    (run,) = scheduler.run_pending(ist(26, 8))
    assert run.report.status == "succeeded" and run.report.trigger == "schedule"
    assert scheduler.run_pending(ist(26, 8, 1)) == []
    with world.session_factory() as session:
        batch = session.scalar(select(Batch))
        assert batch.triggered_by == "scheduler" and batch.started_at.replace(tzinfo=UTC) == ist(26, 8)


def test_failures_are_retried_with_back_off_then_wait_for_the_next_scheduled_time(world, tmp_path):
    folder = tmp_path / "later"
    scheduled(world, folder)
    scheduler = Scheduler(world.stores, retry=RetryPolicy(first=timedelta(minutes=1), max_retries=3))
    now = ist(26, 7, 30)
    waits = []
    for _ in range(5):
        (run,) = scheduler.run_pending(now)
        assert run.report.status == "failed" and "does not exist" in run.report.error
        waits.append(run.next_run_at - now)
        now = run.next_run_at
    minute = timedelta(minutes=1)
    assert waits == [minute, 2 * minute, 4 * minute, ist(27, 7, 30) - ist(26, 7, 37), timedelta(days=1)]
    failing = state(world)
    assert failing.consecutive_failures == 5 and "does not exist" in failing.last_error
    nasty_folder(folder)  # the department fixes its drop folder
    (run,) = scheduler.run_pending(now)
    assert run.report.status == "succeeded"
    recovered = state(world)
    assert (recovered.consecutive_failures, recovered.last_error, recovered.last_outcome) == (0, "", "succeeded")


def test_only_the_scheduler_holding_the_lease_runs(world, tmp_path):
    nasty_folder(tmp_path / "drop")
    scheduled(world, tmp_path / "drop", schedule="*/10 * * * *")
    first = Scheduler(world.stores, owner="worker-1", lease=timedelta(minutes=5))
    second = Scheduler(world.stores, owner="worker-2", lease=timedelta(minutes=5))
    assert len(first.run_pending(ist(26, 8, 1))) == 1
    assert first.acquire(ist(26, 8, 9))  # worker-1 is alive: its lease runs to 08:14
    assert second.run_pending(ist(26, 8, 11)) == []  # the 08:10 run is due, but not worker-2's to make
    assert [run.source for run in first.run_pending(ist(26, 8, 12))] == ["villages"]


def test_a_lease_passes_on_when_its_holder_stops_renewing_or_releases_it(world, tmp_path):
    nasty_folder(tmp_path / "drop")
    scheduled(world, tmp_path / "drop", schedule="*/10 * * * *")
    first = Scheduler(world.stores, owner="worker-1", lease=timedelta(minutes=5))
    second = Scheduler(world.stores, owner="worker-2", lease=timedelta(minutes=5))
    assert first.acquire(ist(26, 8)) and not second.acquire(ist(26, 8, 4))
    assert first.acquire(ist(26, 8, 4))  # renewed until 08:09
    assert not second.acquire(ist(26, 8, 8))
    assert second.acquire(ist(26, 8, 10))  # worker-1 went quiet: worker-2 takes over
    assert first.run_pending(ist(26, 8, 11)) == [] and second.holder() == ("worker-2", ist(26, 8, 15))
    second.release()
    assert first.acquire(ist(26, 8, 12))


@pytest.mark.postgres
def test_the_lease_on_postgresql(tmp_path, request):
    world = make_world(empty_postgres(request), tmp_path)
    try:
        schedulers = [Scheduler(world.stores, owner=f"worker-{i}") for i in range(3)]
        assert [s.acquire(ist(26, 8)) for s in schedulers] == [True, False, False]
        assert schedulers[0].holder()[0] == "worker-0"
    finally:
        world.warehouse.close()


def test_the_background_thread_runs_due_sources(world, tmp_path):
    nasty_folder(tmp_path / "drop")
    scheduled(world, tmp_path / "drop")
    background = BackgroundScheduler(Scheduler(world.stores), interval=0.05, clock=lambda: ist(26, 8)).start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (state(world) is None or state(world).last_outcome != "succeeded"):
        time.sleep(0.05)
    background.stop()
    assert not background.alive and background.rounds >= 1 and background.last_error == ""
    assert state(world).last_outcome == "succeeded"
    assert Scheduler(world.stores, owner="another").acquire(ist(26, 8))  # released on stop
