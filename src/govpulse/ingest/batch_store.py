"""Batches, quarantined rows and scheduler state in the catalogue: the bookkeeping side of ``ingest.batches``.

A batch row is written in two steps around the warehouse write: ``begin_batch`` (status ``running``, with its
rejected rows, committed before anything reaches the warehouse) and ``finish_batch`` (``succeeded`` with the
counts, or ``failed`` with the error). A run killed in between leaves ``running``; running the same input again
finds the batch by its key and takes it over, replacing its quarantined rows.

Rejected rows are source data of an org unit, so people read them through their scope like any other data
(``rejected_rows``, the one place): grant by grant over the row's org unit, the source's department and the
source. Each row stores its org unit's code and path when the mapping could read it. A row whose org unit could
not be read (unknown code, empty cell, a line the connector could not split) could belong anywhere: only readers
of the whole tree see it (state-level roles, an operator of the source placed at the state, the auditor), never a
district's or a village's officer. Counts of rows (the batch's, ``pending_count``) are facts about the source and
are not scoped, like the source's freshness; replaying works on every pending row of the source, for those who may
manage it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from govpulse.catalog.models import Batch, Department, OrgUnit, QuarantinedRow, Source, SourceRun
from govpulse.catalog.models.base import utcnow
from govpulse.catalog.scoping import path_or_whole_tree, restrict
from govpulse.core.scope import Scope
from govpulse.ingest.pipeline import RejectedRow

__all__ = [
    "batches_of",
    "begin_batch",
    "dismiss_quarantine",
    "find_batch",
    "finish_batch",
    "last_read_started",
    "mark_replayed",
    "pending_count",
    "quarantine_of_batch",
    "record_attempt",
    "rejected_rows",
    "source_run",
]

_INSERT_ROWS = 5_000


def find_batch(session: Session, key: str) -> Batch | None:
    return session.scalar(select(Batch).where(Batch.key == key))


def begin_batch(session: Session, *, source: Source, key: str, trigger: str, started_at: datetime,
                since: datetime | None, triggered_by: str, origins: list[str],
                rejected: list[RejectedRow]) -> Batch:
    """Create the batch ``key`` as running (or take over an unfinished one) with its quarantined rows."""
    batch = find_batch(session, key)
    if batch is None:
        batch = Batch(key=key, source_id=source.id)
        session.add(batch)
    else:
        session.execute(delete(QuarantinedRow).where(QuarantinedRow.batch_id == batch.id))
    batch.trigger, batch.status, batch.started_at, batch.finished_at = trigger, "running", started_at, None
    batch.since, batch.triggered_by, batch.origins, batch.error = since, triggered_by, origins, ""
    session.flush()
    _insert_quarantine(session, batch, source, rejected, started_at)
    return batch


def _insert_quarantine(session: Session, batch: Batch, source: Source, rejected: list[RejectedRow],
                       at: datetime) -> None:
    paths = _paths_of(session, {row.org_unit for row in rejected if row.org_unit is not None})
    rows = [{"batch_id": batch.id, "source_id": source.id, "source_file": row.source_file[:1024],
             "source_row": row.source_row, "field": row.field[:255], "reason": row.reason,
             "problems": row.problems, "raw": row.raw, "status": "pending", "created_at": at,
             "org_unit": row.org_unit if row.org_unit in paths else None, "org_unit_path": paths.get(row.org_unit)}
            for row in rejected]
    for start in range(0, len(rows), _INSERT_ROWS):
        session.execute(QuarantinedRow.__table__.insert(), rows[start : start + _INSERT_ROWS])


def _paths_of(session: Session, codes: set[str]) -> dict[str, str]:
    """The materialised path of each org unit code that exists (the mapping checked them; one may have gone)."""
    ordered, paths = sorted(codes), {}
    for start in range(0, len(ordered), 900):
        paths.update(session.execute(select(OrgUnit.code, OrgUnit.path)
                                     .where(OrgUnit.code.in_(ordered[start : start + 900]))).all())
    return paths


def finish_batch(session: Session, batch: Batch, *, status: str, finished_at: datetime, error: str = "",
                 **counts: int) -> Batch:
    """Record how the batch ended and its counts (rows_read, values_inserted, ...)."""
    batch.status, batch.finished_at, batch.error = status, finished_at, error
    for name, value in counts.items():
        setattr(batch, name, int(value))
    session.flush()
    return batch


def batches_of(session: Session, source: Source, limit: int = 50) -> list[Batch]:
    """The source's latest batches, newest first."""
    return list(session.scalars(select(Batch).where(Batch.source_id == source.id)
                                .order_by(Batch.started_at.desc(), Batch.id.desc()).limit(limit)))


def last_read_started(session: Session, source: Source) -> datetime | None:
    """When the source's last successful scheduled or manual read began: the ``since`` of the next read."""
    return session.scalar(select(func.max(Batch.started_at)).where(
        Batch.source_id == source.id, Batch.status == "succeeded", Batch.trigger.in_(("schedule", "manual"))))


def quarantine_of_batch(session: Session, batch: Batch, limit: int | None = None) -> list[QuarantinedRow]:
    """Every rejected row of ``batch``, for the run that wrote it: its report to whoever sent the rows. People
    reading a batch later go through ``rejected_rows`` with their scope."""
    stmt = select(QuarantinedRow).where(QuarantinedRow.batch_id == batch.id).order_by(QuarantinedRow.id)
    return list(session.scalars(stmt.limit(limit) if limit else stmt))


def rejected_rows(session: Session, scope: Scope, *, source: Source, batch: Batch | None = None,
                  pending: bool = False, limit: int | None = None) -> list[QuarantinedRow]:
    """The rejected rows of ``source`` that ``scope`` may read (see the module docstring), oldest first: those of
    one ``batch``, or with ``pending`` those still waiting to be replayed or dismissed."""
    stmt = select(QuarantinedRow).where(QuarantinedRow.source_id == source.id)
    if batch is not None:
        stmt = stmt.where(QuarantinedRow.batch_id == batch.id)
    if pending:
        stmt = stmt.where(QuarantinedRow.status == "pending")
    stmt = _readable(stmt, scope).order_by(QuarantinedRow.id)
    return list(session.scalars(stmt.limit(limit) if limit else stmt))


def _readable(stmt, scope: Scope):
    """Rejected rows inside some one grant of ``scope`` on org unit, department and source."""
    stmt = (stmt.join(Source, Source.id == QuarantinedRow.source_id)
            .outerjoin(Department, Department.id == Source.department_id))
    return restrict(stmt, scope, path_column=path_or_whole_tree(QuarantinedRow.org_unit_path),
                    department_column=Department.code, source_column=Source.code)


def pending_count(session: Session, source: Source) -> int:
    return session.scalar(select(func.count()).select_from(QuarantinedRow).where(
        QuarantinedRow.source_id == source.id, QuarantinedRow.status == "pending")) or 0


def mark_replayed(session: Session, ids: Iterable[int], batch: Batch) -> None:
    ids = list(ids)
    for start in range(0, len(ids), 900):
        session.execute(update(QuarantinedRow).where(QuarantinedRow.id.in_(ids[start : start + 900]))
                        .values(status="replayed", replayed_in_id=batch.id))


def dismiss_quarantine(session: Session, source: Source, ids: Iterable[int] | None = None) -> int:
    """Give up on pending rows (all of the source's, or ``ids``); returns how many."""
    stmt = update(QuarantinedRow).where(QuarantinedRow.source_id == source.id, QuarantinedRow.status == "pending")
    if ids is not None:
        stmt = stmt.where(QuarantinedRow.id.in_(list(ids)))
    return session.execute(stmt.values(status="dismissed")).rowcount or 0


def source_run(session: Session, source: Source) -> SourceRun:
    """The source's scheduler state row (created empty on first use)."""
    state = session.get(SourceRun, source.id)
    if state is None:
        state = SourceRun(source_id=source.id, schedule=source.schedule or "")
        session.add(state)
        session.flush()
    return state


def record_attempt(session: Session, source: Source, *, at: datetime | None = None, outcome: str,
                   error: str = "", batch_key: str = "") -> SourceRun:
    """Note a run's outcome on the source's state row (success resets the failure count)."""
    state = source_run(session, source)
    state.last_attempt_at = at or utcnow()
    state.last_outcome = outcome
    if outcome == "failed":
        state.last_error = error
        state.consecutive_failures += 1
    else:
        state.last_success_at, state.last_error, state.consecutive_failures = state.last_attempt_at, "", 0
    if batch_key:
        state.last_batch_key = batch_key
    session.flush()
    return state
