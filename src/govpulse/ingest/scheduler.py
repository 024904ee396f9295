"""Running sources on their cron schedules, in-process, with one scheduler among any number of processes.

``Scheduler.run_pending(now)`` does one round at the moment ``now`` (tests pass simulated times):

1. take or renew the lease on the ``scheduler_lock`` row named "ingest" (one UPDATE ... WHERE expired-or-mine,
   or an INSERT; atomic on SQLite and PostgreSQL alike). A process that does not hold it does nothing, so with
   several web workers exactly one runs sources;
2. for every enabled source with a schedule whose ``next_run_at`` has come, run it (``batches.run_source``);
3. on success the next run is the next cron time; on failure it is retried after a back-off that doubles
   (1 min, 2, 4, ... at most 1 h, never past the next cron time), and after ``max_retries`` failures in a row
   it waits for the next cron time. Failures, their count and the error stay on the source's ``source_run``
   row, which ``govpulse sources`` and the API show.

A source seen for the first time runs at once if its last scheduled time has passed since its last success
(so a server started at 08:00 catches up on the 07:30 run), else at its next scheduled time.

``BackgroundScheduler`` calls ``run_pending`` every ``interval`` seconds on a daemon thread; ``govpulse serve``
starts one with the app's warehouse (the process that owns the warehouse file is the one that writes it).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govpulse.catalog.models import SchedulerLock, Source
from govpulse.catalog.models.base import as_utc, utcnow
from govpulse.ingest import batch_store
from govpulse.ingest.batches import FAILED, BatchReport, IngestStores, run_source

__all__ = ["BackgroundScheduler", "RetryPolicy", "ScheduledRun", "Scheduler", "next_cron_time"]

log = logging.getLogger(__name__)
LOCK_NAME = "ingest"


def next_cron_time(schedule: str, timezone: str, after: datetime) -> datetime:
    """The first time strictly after ``after`` that ``schedule`` (cron, in ``timezone``) names, in UTC."""
    local = as_utc(after).astimezone(ZoneInfo(timezone))
    return croniter(schedule, local).get_next(datetime).astimezone(UTC)


def previous_cron_time(schedule: str, timezone: str, before: datetime) -> datetime:
    """The last time at or before ``before`` that ``schedule`` names, in UTC."""
    local = as_utc(before).astimezone(ZoneInfo(timezone)) + timedelta(microseconds=1)
    return croniter(schedule, local).get_prev(datetime).astimezone(UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """Back-off after failures: ``first`` * 2^(failures - 1), at most ``longest``; ``max_retries`` in a row."""

    first: timedelta = timedelta(minutes=1)
    longest: timedelta = timedelta(hours=1)
    max_retries: int = 5

    def delay(self, failures: int) -> timedelta:
        return min(self.first * (2 ** max(0, failures - 1)), self.longest)


@dataclass(frozen=True)
class ScheduledRun:
    """One run the scheduler made: which source, when, how it went, and when it runs next."""

    source: str
    at: datetime
    report: BatchReport
    next_run_at: datetime


Runner = Callable[..., BatchReport]


class Scheduler:
    """Runs due sources; see the module docstring. ``owner`` names this process in the lock row."""

    def __init__(self, stores: IngestStores, *, owner: str | None = None, lease: timedelta = timedelta(minutes=10),
                 retry: RetryPolicy = RetryPolicy(), runner: Runner = run_source) -> None:
        self.stores = stores
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease = lease
        self.retry = retry
        self.runner = runner

    # --- the lease -------------------------------------------------------------------------------------

    def acquire(self, now: datetime) -> bool:
        """Take or renew the lease until ``now + lease``; False when another live scheduler holds it."""
        now, expires = as_utc(now), as_utc(now) + self.lease
        with self.stores.session_factory() as session:
            taken = session.execute(
                update(SchedulerLock)
                .where(SchedulerLock.name == LOCK_NAME,
                       (SchedulerLock.owner == self.owner) | (SchedulerLock.expires_at < now))
                .values(owner=self.owner, expires_at=expires)
            ).rowcount
            if not taken:
                try:
                    session.execute(insert(SchedulerLock).values(name=LOCK_NAME, owner=self.owner,
                                                                 expires_at=expires))
                except IntegrityError:
                    session.rollback()
                    return False
            session.commit()
            return True

    def release(self) -> None:
        """Give the lease up (on shutdown), so another process may take over at once."""
        with self.stores.session_factory() as session:
            session.execute(update(SchedulerLock).where(SchedulerLock.name == LOCK_NAME,
                                                        SchedulerLock.owner == self.owner)
                            .values(expires_at=datetime(1970, 1, 1, tzinfo=UTC)))
            session.commit()

    def holder(self) -> tuple[str, datetime] | None:
        """Who holds the lease and until when (None if nobody ever did)."""
        with self.stores.session_factory() as session:
            row = session.execute(select(SchedulerLock.owner, SchedulerLock.expires_at)
                                  .where(SchedulerLock.name == LOCK_NAME)).first()
            return None if row is None else (row[0], as_utc(row[1]))

    # --- one round -------------------------------------------------------------------------------------

    def run_pending(self, now: datetime) -> list[ScheduledRun]:
        """Run every source that is due at ``now`` (if this process holds the lease); see the module."""
        now = as_utc(now)
        if not self.acquire(now):
            return []
        runs = []
        for code in self._due(now):
            if not self.acquire(now):  # renewed before each run: a long round keeps the lease
                break
            runs.append(self._run(code, now))
        return runs

    def _due(self, now: datetime) -> list[str]:
        due = []
        with self.stores.session_factory() as session:
            sources = session.scalars(select(Source).where(Source.enabled.is_(True), Source.schedule != "")
                                      .order_by(Source.code)).all()
            for source in sources:
                state = batch_store.source_run(session, source)
                if state.schedule != source.schedule or state.next_run_at is None:
                    state.schedule = source.schedule
                    state.next_run_at = self._first_run(source, state.last_success_at, now)
                if as_utc(state.next_run_at) <= now:
                    due.append(source.code)
            session.commit()
        return due

    @staticmethod
    def _first_run(source: Source, last_success: datetime | None, now: datetime) -> datetime:
        previous = previous_cron_time(source.schedule, source.timezone, now)
        if last_success is None or as_utc(last_success) < previous:
            return previous
        return next_cron_time(source.schedule, source.timezone, now)

    def _run(self, code: str, now: datetime) -> ScheduledRun:
        self._mark_running(code, now, running=True)
        try:
            report = self.runner(self.stores, code, now=now, trigger="schedule", triggered_by="scheduler")
        except Exception as error:  # a bug or an unexpected failure: recorded and retried, never fatal
            log.exception("scheduled run of source %s failed", code)
            report = BatchReport(source=code, status=FAILED, trigger="schedule", started_at=now,
                                 error=f"{type(error).__name__}: {error}")
            self._note_failure(code, now, report.error)
        next_run = self._reschedule(code, now, report)
        return ScheduledRun(code, now, report, next_run)

    def _mark_running(self, code: str, now: datetime, *, running: bool) -> None:
        with self.stores.session_factory() as session:
            state = batch_store.source_run(session, self._source(session, code))
            state.running_since = now if running else None
            state.running_owner = self.owner if running else ""
            session.commit()

    def _note_failure(self, code: str, now: datetime, error: str) -> None:
        with self.stores.session_factory() as session:
            batch_store.record_attempt(session, self._source(session, code), at=now, outcome=FAILED, error=error)
            session.commit()

    def _reschedule(self, code: str, now: datetime, report: BatchReport) -> datetime:
        with self.stores.session_factory() as session:
            source = self._source(session, code)
            state = batch_store.source_run(session, source)
            next_cron = next_cron_time(source.schedule, source.timezone, now)
            failures = state.consecutive_failures
            if report.ok or failures > self.retry.max_retries:
                state.next_run_at = next_cron
            else:
                state.next_run_at = min(now + self.retry.delay(failures), next_cron)
            state.running_since, state.running_owner = None, ""
            session.commit()
            return as_utc(state.next_run_at)

    @staticmethod
    def _source(session: Session, code: str) -> Source:
        return session.scalars(select(Source).where(Source.code == code)).one()


class BackgroundScheduler:
    """Calls ``scheduler.run_pending(now)`` every ``interval`` seconds on a daemon thread until ``stop()``."""

    def __init__(self, scheduler: Scheduler, *, interval: float = 30.0,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.scheduler = scheduler
        self.interval = interval
        self.clock = clock
        self.rounds = 0
        self.last_error = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="govpulse-scheduler", daemon=True)

    def start(self) -> BackgroundScheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
        self.scheduler.release()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.scheduler.run_pending(self.clock())
                self.last_error = ""
            except Exception as error:  # the catalogue may be briefly unreachable; try again next round
                self.last_error = f"{type(error).__name__}: {error}"
                log.exception("scheduler round failed")
            self.rounds += 1
            self._stop.wait(self.interval)

