"""After new data, the red flags are evaluated again, in the process that serves the screens.

``govpulse serve`` calls an ``AfterNewData`` every minute (a background job). When the warehouse's data version
has moved since its last run (a scheduled source, a push, a DHIS2 import, a replay) it first does what the screens
wait on (``also``: warming the overview's answers, ``analytics.warming``), then runs the red-flag engine as of
today in the installation's time zone (20 s or more on a state); otherwise it does nothing. Freshness moves with the clock, not with the data, so the engine also runs at least every
``every`` (an hour) and a source that stops delivering raises its stale flag even when nothing arrives.

The version is read *before* the run, so data that lands during a run makes the next tick run again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from govpulse.analytics.flag_engine import EngineOptions, FlagRunSummary, run_flag_engine
from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models.base import utcnow
from govpulse.warehouse import Warehouse

__all__ = ["AfterNewData"]

log = logging.getLogger(__name__)
FollowUp = Callable[[Session, Warehouse, date], object]
"""Called with a session, the warehouse and today's date, before the flags run."""


class AfterNewData:
    """A job: ``job()`` runs the red-flag engine if the data changed (or ``every`` passed) since the last run."""

    def __init__(self, session_factory: sessionmaker[Session], warehouse: Warehouse, *,
                 every: timedelta = timedelta(hours=1), zone: str = "Asia/Kolkata",
                 clock: Callable[[], datetime] = utcnow, also: Sequence[FollowUp] = ()) -> None:
        self.session_factory, self.warehouse = session_factory, warehouse
        self.every, self.zone, self.clock, self.also = every, ZoneInfo(zone), clock, tuple(also)
        self.seen_version: str | None = None  # None: the first tick runs (flags as of the serve's start)
        self.last_run: datetime | None = None

    def due(self, version: str, now: datetime) -> bool:
        return version != self.seen_version or self.last_run is None or now - self.last_run >= self.every

    def __call__(self) -> FlagRunSummary | None:
        version, now = self.warehouse.data_version(), self.clock()
        if not self.due(version, now):
            return None
        today = now.astimezone(self.zone).date()
        with self.session_factory() as session:
            for first in self.also:
                first(session, self.warehouse, today)
            set_actor(session, Actor.system("red-flags"))
            summary = run_flag_engine(session, self.warehouse, today=today, options=EngineOptions(now=now))
            session.commit()
        self.seen_version, self.last_run = version, now
        log.info("red flags evaluated after new data (version %s): %s open", version, summary.open_total)
        return summary
