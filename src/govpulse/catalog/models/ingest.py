"""Ingest bookkeeping: batches (one run of reading a source), quarantined rows, scheduler state and lock.

A ``Batch`` is identified by ``key``, derived from the source, its mapping, the catalogue and the content read,
so running the same input again finds the same batch (idempotent). Its ``origins`` list the files or pages it
read; the warehouse stores each value's ``source_row`` as ``origin index << 32 | row``, so a value leads back to
its file and row (see ``govpulse.ingest.batches``). Rejected rows are kept in ``quarantined_row`` with their
cells and reasons until they are replayed, and with their org unit where it could be read, so that a reader sees
only the rejected rows of their own subtree (``govpulse.ingest.batch_store``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govpulse.catalog.models.base import Base, utcnow


class Batch(Base):
    """One run of a source (scheduled, manual, push or replay) and what became of its rows."""

    __tablename__ = "batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    trigger: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    since: Mapped[datetime | None]
    triggered_by: Mapped[str] = mapped_column(String(128), default="")
    origins: Mapped[list[str]] = mapped_column(default=list)
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_accepted: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    values_accepted: Mapped[int] = mapped_column(default=0)
    values_inserted: Mapped[int] = mapped_column(default=0)
    values_updated: Mapped[int] = mapped_column(default=0)
    values_unchanged: Mapped[int] = mapped_column(default=0)
    problems_found: Mapped[int] = mapped_column(default=0)
    duplicates_collapsed: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_batch_source_started", "source_id", "started_at"),)


class QuarantinedRow(Base):
    """A source row (or part of a wide row) that was rejected, with every reason and its cells for replay.

    ``status``: ``pending`` until replayed (``replayed``, with the batch that replayed it) or ``dismissed``.
    ``raw`` is None for rows the connector could not split into cells (nothing to replay).
    ``org_unit`` and ``org_unit_path`` (the org unit's code and materialised path) are the row's place in the tree,
    None when its org unit could not be read (no such code, no cell, no cells at all): such a row belongs to no
    subtree, so only readers of the whole tree see it."""

    __tablename__ = "quarantined_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    source_file: Mapped[str] = mapped_column(String(1024))
    source_row: Mapped[int] = mapped_column(BigInteger)
    field: Mapped[str] = mapped_column(String(255), default="")
    reason: Mapped[str] = mapped_column(Text)
    problems: Mapped[list] = mapped_column(JSON, default=list)
    raw: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    org_unit: Mapped[str | None] = mapped_column(String(64))
    org_unit_path: Mapped[str | None] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    replayed_in_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_quarantined_row_source_status", "source_id", "status"),)


class SourceRun(Base):
    """The scheduler's view of one source: when it runs next, how the last attempts went (visible to people)."""

    __tablename__ = "source_run"

    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), primary_key=True)
    schedule: Mapped[str] = mapped_column(String(128), default="")
    next_run_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_outcome: Mapped[str] = mapped_column(String(32), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_batch_key: Mapped[str] = mapped_column(String(128), default="")
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    running_since: Mapped[datetime | None]
    running_owner: Mapped[str] = mapped_column(String(128), default="")


class SchedulerLock(Base):
    """A named lease: whoever holds an unexpired row is the one scheduler among several processes."""

    __tablename__ = "scheduler_lock"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]
