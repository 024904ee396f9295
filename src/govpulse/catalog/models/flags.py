"""Red flags: something a person must look at, raised by the flag rules and kept open until it resolves.

A flag is identified by (rule, indicator, org unit): it stays one flag, month after month, while the condition
holds (see ``core.flag_lifecycle``). ``org_unit_path`` and ``department`` are copied onto the row so that scope
applies with the same one filter as everywhere else.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govpulse.catalog.models.base import Base, Timestamped

OPEN = "open"
RESOLVED = "resolved"
DISMISSED = "dismissed"


class Flag(Timestamped, Base):
    __tablename__ = "flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    indicator: Mapped[str] = mapped_column(String(128))
    org_unit: Mapped[str] = mapped_column(String(64))
    org_unit_path: Mapped[str] = mapped_column(String(1024))
    department: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    value: Mapped[float | None] = mapped_column(Float)
    expected: Mapped[float | None] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict] = mapped_column(default=dict)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    times_seen: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        # One open flag per key is enforced by the engine; the index makes the lookup of open flags cheap.
        Index("ix_flag_key", "rule", "indicator", "org_unit"),
        Index("ix_flag_status_severity", "status", "severity"),
        Index("ix_flag_org_unit_path", "org_unit_path"),
        Index("ix_flag_department", "department"),
    )


class FlagRun(Base):
    """One run of the flag engine: when, over what, and what it changed."""

    __tablename__ = "flag_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    evaluated: Mapped[int] = mapped_column(default=0)
    raised: Mapped[int] = mapped_column(default=0)
    kept_open: Mapped[int] = mapped_column(default=0)
    resolved: Mapped[int] = mapped_column(default=0)
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("started_at", name="uq_flag_run_started_at"),)
