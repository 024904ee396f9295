"""Sources: where data comes from (the connector and its settings, schedule, mapping, promised freshness)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govpulse.catalog.models.base import Base, Timestamped


class Source(Timestamped, Base):
    __tablename__ = "source"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    connector: Mapped[str] = mapped_column(String(64))
    settings: Mapped[dict] = mapped_column(default=dict)
    mapping: Mapped[dict] = mapped_column(default=dict)
    schedule: Mapped[str] = mapped_column(String(128), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Kolkata")
    freshness: Mapped[str] = mapped_column(String(128), default="")
    token_hash: Mapped[str | None] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str] = mapped_column(Text, default="")
