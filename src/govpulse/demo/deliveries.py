"""The demo's last few days arrive through its sources, the way real departments' data would.

The simulation draws every value of the window. The values of the data elements that a demo source delivers, for
the last ``DeliveryPlan.days`` days, are held back from the direct load (``DeliveryPlan.split``); then, day by
day, each source's files are written as the department would deliver them and the source is run at its scheduled
time (``deliver``): a batch per source per day, with its counts, rejections, lineage and freshness. Each morning a
source delivers the day before (the reporting day that just closed), so the newest day of a source-fed element
is yesterday.

The 108 ambulance report also carries a row for Bodeli (LGD sub-district 6020, carved out of Chhota Udaipur
in 2013, so not in a tree built from Census 2011 units): each day it is rejected as an unknown org unit and kept
in quarantine, where an operator sees it, as in any real installation whose tree lags behind LGD.

One source has stopped: ``STOPPED_SOURCE`` delivered on the first day of the window and nothing since, so it
shows as stale in the sources screen and the red-flag engine raises it. Deliveries whose scheduled time is still
to come (a build early in the morning) wait for the scheduler, as they would in a real installation.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
from croniter import croniter

from govpulse.core.progress import NullProgress, Progress
from govpulse.demo.source_feeds import source_elements, write_demo_source_files
from govpulse.ingest.batches import BatchReport, IngestStores, run_source
from govpulse.ingest.push import push_values
from govpulse.ingest.sources import SourceDefinition

__all__ = ["DELIVERY_DAYS", "STOPPED_SOURCE", "DeliveryPlan", "DeliveryRecord", "deliver"]

DELIVERY_DAYS = 4
"""Mornings of deliveries the demo replays (today included)."""
STOPPED_SOURCE = "revenue_mutations"
"""The demo source that stopped delivering after the first day of the window (it shows as stale)."""
UNMAPPED_TALUKA = ("health_ambulance", "6020")
"""(source, LGD code) of a taluka the department reports but the demo's tree lacks (module docstring)."""
PUSH_TIME = time(11, 0)
"""When the pushing department's system sends its figures (a push source has no schedule of its own)."""


@dataclass(frozen=True)
class DeliveryPlan:
    """Which simulated values go through the sources: those of ``elements`` for the days of the window."""

    today: date
    elements: frozenset[str]
    days: int = DELIVERY_DAYS

    @classmethod
    def for_sources(cls, definitions: Iterable[SourceDefinition], today: date,
                    days: int = DELIVERY_DAYS) -> DeliveryPlan:
        elements = frozenset(code for definition in definitions for code in source_elements(definition))
        return cls(today=today, elements=elements, days=days)

    @property
    def delivery_days(self) -> list[date]:
        """The mornings on which sources deliver, oldest first (the last is ``today``)."""
        return [self.today - timedelta(days=back) for back in range(self.days - 1, -1, -1)]

    @property
    def periods(self) -> list[str]:
        """The daily periods held back: each delivery day's day before, and today (delivered tomorrow)."""
        days = [day - timedelta(days=1) for day in self.delivery_days] + [self.today]
        return [f"{day:%Y%m%d}" for day in days]

    def split(self, chunk: pa.Table) -> tuple[pa.Table, pa.Table]:
        """(values loaded directly, values held back for the sources)."""
        if not self.elements:
            return chunk, chunk.slice(0, 0)
        held = pc.and_(pc.is_in(chunk["data_element"], value_set=pa.array(sorted(self.elements))),
                       pc.is_in(chunk["period"], value_set=pa.array(self.periods)))
        return chunk.filter(pc.invert(held)), chunk.filter(held)


@dataclass
class DeliveryRecord:
    """What ``deliver`` did: one report per run, and the runs left for the scheduler."""

    reports: list[BatchReport] = field(default_factory=list)
    waiting: list[tuple[str, datetime]] = field(default_factory=list)

    def lines(self) -> list[str]:
        succeeded = [r for r in self.reports if r.status == "succeeded"]
        values = sum(r.values_accepted for r in succeeded)
        rejected = sum(r.rows_rejected for r in self.reports)
        failed = [r for r in self.reports if r.status == "failed"]
        lines = [f"sources: {len(succeeded)} batches delivered {values:,} values ({rejected:,} rows rejected and "
                 f"kept in quarantine); {STOPPED_SOURCE} stopped delivering after the first day"]
        if self.waiting:
            lines.append(f"  {len(self.waiting)} of today's runs wait for their scheduled time: "
                         + ", ".join(f"{code} at {moment:%H:%M} UTC" for code, moment in self.waiting))
        lines += [f"  source {r.source} failed: {r.error}" for r in failed]
        return lines


def deliver(stores: IngestStores, home: Path, definitions: list[SourceDefinition], held: pa.Table,
            plan: DeliveryPlan, *, now: datetime | None = None, progress: Progress | None = None) -> DeliveryRecord:
    """Run every demo source on each delivery day of ``plan``, at its scheduled time, up to ``now``."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    progress = progress or NullProgress()
    record = DeliveryRecord()
    runs = sorted(((scheduled_time(definition, day), definition) for day in plan.delivery_days
                   for definition in definitions if not _stopped(definition, day, plan)),
                  key=lambda run: (run[0], run[1].code))
    with progress.step("Delivering the last days through the sources", total=len(runs)) as step:
        for moment, definition in runs:
            if moment > now:
                record.waiting.append((definition.code, moment))
            else:
                record.reports.append(_run(stores, home, definition, held, moment))
            step.advance()
    return record


def scheduled_time(definition: SourceDefinition, day: date) -> datetime:
    """When ``definition`` runs on ``day`` (its first cron time that day, in its time zone), in UTC."""
    zone = ZoneInfo(definition.timezone)
    start = datetime.combine(day, time(0), zone)
    if definition.schedule:
        moment = croniter(definition.schedule, start - timedelta(microseconds=1)).get_next(datetime)
    else:
        moment = datetime.combine(day, PUSH_TIME, zone)
    return moment.astimezone(UTC)


def _stopped(definition: SourceDefinition, day: date, plan: DeliveryPlan) -> bool:
    return definition.code == STOPPED_SOURCE and day > plan.delivery_days[0]


def _run(stores: IngestStores, home: Path, definition: SourceDefinition, held: pa.Table,
         moment: datetime) -> BatchReport:
    """Write the reporting day before ``moment``'s day as the department delivers it, and run the source."""
    day = moment.astimezone(ZoneInfo(definition.timezone)).date() - timedelta(days=1)
    written = write_demo_source_files(home, held, day, delivered_at=moment, definitions=[definition])
    if definition.code == UNMAPPED_TALUKA[0] and definition.code in written:
        _add_unmapped_taluka(written[definition.code], day, moment)
    if definition.connector == "push":
        if definition.code not in written:
            return BatchReport(source=definition.code, status="no new data", trigger="push", started_at=moment)
        body = written[definition.code].read_bytes()
        return push_values(stores, definition.code, body, "application/json", now=moment,
                           triggered_by=definition.code)
    return run_source(stores, definition.code, now=moment, trigger="schedule")


def _add_unmapped_taluka(path: Path, day: date, moment: datetime) -> None:
    """Append the row of a taluka the tree lacks, its figures written the Indian way (``1,204``)."""
    with path.open("a", encoding="utf-8") as csv:
        csv.write(f'{UNMAPPED_TALUKA[1]},{day:%d-%m-%Y},"1,204",1011,842,"18,540"\n')
    os.utime(path, (moment.timestamp(), moment.timestamp()))
