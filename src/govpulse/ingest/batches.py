"""Running a source: read -> map -> validate -> one warehouse write -> rollup -> batch and quarantine recorded.

``run_source`` reads a source through its connector (``since`` defaults to when its last successful read
began), ``run_batch`` takes chunks from anywhere (a connector, a push, the quarantine) through the rest:

1. the batch key is ``<source>-<hash>`` of what was read, the mapping and the catalogue: the same input is the
   same batch, and a batch that already succeeded is not written again (``already loaded``);
2. every chunk is mapped and checked (``ingest.pipeline``); rejected rows keep their file, row, reasons, cells;
3. the batch is recorded as ``running`` with its rejected rows (catalogue, committed);
4. all accepted values go to the warehouse in ONE ``write`` (one transaction), then ``rollup``;
5. the batch is marked ``succeeded`` with its counts, and the connector is told which origins are stored.

A run killed anywhere leaves either nothing in the warehouse or the whole batch (step 4 is one transaction),
and a ``running`` batch in the catalogue; running it again gives the same key, takes the batch over and ends
with exactly the same values (a second write of equal values changes nothing).

``replay_quarantine`` runs a source's pending rejected rows again, after the operator fixed the mapping or the
catalogue; rows that pass are written, the others are quarantined anew by the replay batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from govpulse.catalog.models import Batch, QuarantinedRow, Source
from govpulse.catalog.models.base import as_utc, utcnow
from govpulse.core.progress import NullProgress, Progress
from govpulse.core.scope import Scope
from govpulse.ingest import batch_store
from govpulse.ingest.connectors.base import Connector, ConnectorError, RecordChunk
from govpulse.ingest.connectors.tables import records_chunk
from govpulse.ingest.lookups import CatalogLookups
from govpulse.ingest.pipeline import RejectedRow, batch_fingerprint, process
from govpulse.ingest.sources import SourceDefinition, SourceDefinitionError, connector_for, definition_of, get_source
from govpulse.ingest.warehouse_sync import write_values
from govpulse.warehouse import RollupResult, Warehouse
from govpulse.warehouse.errors import WarehouseError

__all__ = [
    "ALREADY_LOADED",
    "FAILED",
    "NOTHING_TO_REPLAY",
    "NO_NEW_DATA",
    "SUCCEEDED",
    "BatchReport",
    "IngestError",
    "IngestStores",
    "UnknownSource",
    "replay_quarantine",
    "run_batch",
    "run_source",
]

SUCCEEDED, ALREADY_LOADED, NO_NEW_DATA, FAILED = "succeeded", "already loaded", "no new data", "failed"
NOTHING_TO_REPLAY = "nothing to replay"
_SHOWN_REJECTIONS = 200
_LAST_READ: Any = object()


class IngestError(Exception):
    """A run that cannot go ahead; the message says why."""


class UnknownSource(IngestError, LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(f"no source with code {code!r} (see `govpulse sources`)")


@dataclass(frozen=True)
class IngestStores:
    """Where batches go: the catalogue (sessions) and the warehouse (the one writer of its file)."""

    session_factory: sessionmaker[Session]
    warehouse: Warehouse


@dataclass
class BatchReport:
    """What one run did. ``rejected`` holds the first rejected rows (all of them are in the quarantine)."""

    source: str
    status: str
    trigger: str
    key: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    since: datetime | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    values_accepted: int = 0
    values_inserted: int = 0
    values_updated: int = 0
    values_unchanged: int = 0
    problems_found: int = 0
    duplicates_collapsed: int = 0
    origins: list[str] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    error: str = ""
    rollup: RollupResult | None = None
    chunk_origins: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != FAILED

    def counts(self) -> dict[str, int]:
        names = ("rows_read", "rows_accepted", "rows_rejected", "values_accepted", "values_inserted",
                 "values_updated", "values_unchanged", "problems_found", "duplicates_collapsed")
        return {name: getattr(self, name) for name in names}

    def as_dict(self) -> dict:
        def iso(moment: datetime | None) -> str | None:
            return None if moment is None else moment.isoformat()

        return {"source": self.source, "status": self.status, "trigger": self.trigger, "batch": self.key,
                "started_at": iso(self.started_at), "finished_at": iso(self.finished_at), "since": iso(self.since),
                **self.counts(), "origins": self.origins, "error": self.error,
                "rejected": [{"source_file": r.source_file, "source_row": r.source_row, "field": r.field,
                              "reason": r.reason} for r in self.rejected]}

    @classmethod
    def of_batch(cls, batch: Batch, source: str, status: str | None = None,
                 rejected: list[RejectedRow] | None = None) -> BatchReport:
        report = cls(source=source, status=status or batch.status, trigger=batch.trigger, key=batch.key,
                     started_at=batch.started_at, finished_at=batch.finished_at, since=batch.since,
                     origins=list(batch.origins or []), error=batch.error, rejected=rejected or [])
        for name in report.counts():
            setattr(report, name, getattr(batch, name))
        return report


def run_source(stores: IngestStores, code: str, *, since: datetime | None = _LAST_READ, now: datetime | None = None,
               trigger: str = "manual", triggered_by: str = "", progress: Progress | None = None) -> BatchReport:
    """Read the source ``code`` and run what it gave as one batch (see the module docstring).

    ``since``: only what changed after it (default: when the last successful read began; None: everything).
    Failures of the source, its definition or the warehouse give a report with status ``failed``; either way the
    outcome is noted on the source's scheduler state."""
    started = as_utc(now or utcnow())
    source, definition = _load(stores, code)
    if since is _LAST_READ:
        with stores.session_factory() as session:
            since = batch_store.last_read_started(session, session.merge(source))
    since = None if since is None else as_utc(since)
    try:
        connector = connector_for(definition)
        if connector is None:
            raise IngestError(f"source {code!r} receives its data by push; there is nothing to read")
        chunks = _read(connector, since, progress or NullProgress(), code)
        report = run_batch(stores, code, chunks, trigger=trigger, since=since, now=started,
                           triggered_by=triggered_by, progress=progress)
        if report.status in (SUCCEEDED, ALREADY_LOADED):
            for origin in report.chunk_origins:
                connector.mark_processed(origin)
    except (ConnectorError, SourceDefinitionError, WarehouseError, IngestError) as error:
        report = BatchReport(source=code, status=FAILED, trigger=trigger, started_at=started, since=since,
                             finished_at=utcnow(), error=str(error))
    with stores.session_factory() as session:
        batch_store.record_attempt(session, session.merge(source), at=started, outcome=report.status,
                                   error=report.error, batch_key=report.key)
        session.commit()
    return report


def _load(stores: IngestStores, code: str) -> tuple[Source, SourceDefinition]:
    with stores.session_factory() as session:
        found = get_source(session, code, Scope.system())
        if found is None:
            raise UnknownSource(code)
        source, department = found
        return source, definition_of(source, department)


def _read(connector: Connector, since: datetime | None, progress: Progress, code: str) -> list[RecordChunk]:
    chunks = []
    with progress.step(f"Reading {code}") as step:
        for chunk in connector.read(since):
            chunks.append(chunk)
            step.advance(chunk.num_rows)
    return chunks


def run_batch(stores: IngestStores, code: str, chunks: list[RecordChunk], *, trigger: str,
              since: datetime | None = None, now: datetime | None = None, triggered_by: str = "",
              progress: Progress | None = None) -> BatchReport:
    """Map, check, write and record ``chunks`` of source ``code`` as one batch (steps 1-5 of the module)."""
    progress = progress or NullProgress()
    started = as_utc(now or utcnow())
    # A run at a given ``now`` (a replayed history, a test) finishes as long after it as this one takes.
    offset = started - utcnow()
    since = None if since is None else as_utc(since)
    source, definition = _load(stores, code)
    if not any(chunk.num_rows or chunk.problems for chunk in chunks):
        return BatchReport(source=code, status=NO_NEW_DATA, trigger=trigger, started_at=started, since=since,
                           finished_at=utcnow() + offset)
    with stores.session_factory() as session:
        lookups = CatalogLookups.load(session)
        key = f"{code}-{batch_fingerprint(code, definition.mapping, lookups.fingerprint, chunks)[:20]}"
        done = batch_store.find_batch(session, key)
        if done is not None and done.status == SUCCEEDED:
            report = BatchReport.of_batch(done, code, ALREADY_LOADED, _shown(session, done))
            report.chunk_origins = list(dict.fromkeys(chunk.origin for chunk in chunks))
            return report
    today = started.astimezone(ZoneInfo(definition.timezone)).date()
    rows = sum(chunk.num_rows for chunk in chunks)
    with progress.step(f"Checking {rows:,} rows", total=1) as step:
        processed = process(definition.mapping, lookups, chunks, today)
        step.advance()
    with stores.session_factory() as session:
        batch = batch_store.begin_batch(session, source=session.merge(source), key=key, trigger=trigger,
                                        started_at=started, since=since, triggered_by=triggered_by,
                                        origins=processed.origins, rejected=processed.rejected)
        session.commit()
        batch_id = batch.id
    report = BatchReport(source=code, status=SUCCEEDED, trigger=trigger, key=key, started_at=started, since=since,
                         rows_read=processed.rows_read, rows_accepted=processed.rows_accepted,
                         rows_rejected=processed.rows_rejected, values_accepted=processed.values.num_rows,
                         problems_found=processed.problems_found, duplicates_collapsed=processed.duplicates_collapsed,
                         origins=processed.origins, rejected=processed.rejected[:_SHOWN_REJECTIONS],
                         chunk_origins=processed.chunk_origins)
    try:
        with progress.step(f"Writing {processed.values.num_rows:,} values", total=1) as step:
            if processed.values.num_rows:
                written = write_values(stores.warehouse, stores.session_factory, key, processed.values)
                report.values_inserted, report.values_updated = written.inserted, written.updated
                report.values_unchanged = written.unchanged
            step.advance()
        if stores.warehouse.pending():  # also finishes a rollup that a killed run left undone
            report.rollup = stores.warehouse.rollup(progress=progress)
    except BaseException as error:
        _finish(stores, batch_id, report, FAILED, offset, error=f"{type(error).__name__}: {error}")
        raise
    _finish(stores, batch_id, report, SUCCEEDED, offset)
    return report


def _finish(stores: IngestStores, batch_id: int, report: BatchReport, status: str, offset: timedelta,
            error: str = "") -> None:
    report.finished_at = utcnow() + offset
    with stores.session_factory() as session:
        batch_store.finish_batch(session, session.get(Batch, batch_id), status=status, finished_at=report.finished_at,
                                 error=error, **report.counts())
        session.commit()


def _shown(session: Session, batch: Batch) -> list[RejectedRow]:
    return [_as_rejected(row) for row in batch_store.quarantine_of_batch(session, batch, _SHOWN_REJECTIONS)]


def _as_rejected(row: QuarantinedRow) -> RejectedRow:
    return RejectedRow(row.source_file, row.source_row, list(row.problems or []), row.raw, row.org_unit)


def replay_quarantine(stores: IngestStores, code: str, *, now: datetime | None = None, triggered_by: str = "",
                      progress: Progress | None = None) -> BatchReport:
    """Run the source's pending rejected rows again as one batch; rows that still fail are quarantined by it.

    Every pending row of the source, wherever its org unit: whoever may replay the source (``manage-sources``,
    checked by the caller) replays all of it; the API's answer lists only the rejected rows the reader may read.
    Rows the connector could not split into cells cannot be replayed and stay pending (dismiss them)."""
    source, _ = _load(stores, code)
    with stores.session_factory() as session:
        pending = [row for row in batch_store.rejected_rows(session, Scope.system(), source=session.merge(source),
                                                            pending=True)
                   if row.raw is not None]
        if not pending:
            return BatchReport(source=code, status=NOTHING_TO_REPLAY, trigger="replay", started_at=now or utcnow())
        ids = [row.id for row in pending]
        chunk = records_chunk([row.raw for row in pending], [row.source_row for row in pending],
                              [row.source_file for row in pending], origin="quarantine")
    report = run_batch(stores, code, [chunk], trigger="replay", now=now, triggered_by=triggered_by,
                       progress=progress)
    if report.status == SUCCEEDED:
        with stores.session_factory() as session:
            batch_store.mark_replayed(session, ids, batch_store.find_batch(session, report.key))
            session.commit()
    return report

