"""Org units: the administrative tree, state -> district -> taluka -> village (and ULB -> ward)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from govpulse.catalog.models.base import Base, Timestamped


class OrgUnit(Timestamped, Base):
    """A node of the tree. ``path`` holds the codes from the root ("/24/438/3712/"), so a subtree is one
    indexed prefix query: ``path LIKE '/24/438/%'``."""

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    names: Mapped[dict[str, str]] = mapped_column(default=dict)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    level: Mapped[int]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    path: Mapped[str] = mapped_column(String(1024), unique=True)
    census_code: Mapped[str | None] = mapped_column(String(32), index=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    __table_args__ = (Index("ix_org_unit_name", "name"),)
