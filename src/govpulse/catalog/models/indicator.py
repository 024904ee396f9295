"""What is measured: departments, data elements (raw numbers), indicators (ratios people look at), targets."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govpulse.catalog.models.base import Base, Timestamped


class Department(Timestamped, Base):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    names: Mapped[dict[str, str]] = mapped_column(default=dict)
    description: Mapped[str] = mapped_column(Text, default="")


class DataElement(Timestamped, Base):
    """A raw number a source reports, with DHIS2's aggregation type saying how it combines."""

    __tablename__ = "data_element"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    names: Mapped[dict[str, str]] = mapped_column(default=dict)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    value_type: Mapped[str] = mapped_column(String(32))
    aggregation_type: Mapped[str] = mapped_column(String(48))
    period_type: Mapped[str] = mapped_column(String(32))
    reported_at: Mapped[list[str]] = mapped_column(default=list)
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text, default="")


class Indicator(Timestamped, Base):
    """numerator / denominator x factor, computed at any level from rolled-up data elements."""

    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    names: Mapped[dict[str, str]] = mapped_column(default=dict)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    theme: Mapped[str] = mapped_column(String(128), default="")
    numerator: Mapped[str] = mapped_column(Text)
    denominator: Mapped[str] = mapped_column(Text, default="1")
    factor: Mapped[float] = mapped_column(Float, default=1.0)
    unit: Mapped[str] = mapped_column(String(32), default="")
    decimals: Mapped[int] = mapped_column(default=1)
    polarity: Mapped[str] = mapped_column(String(16), default="higher")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    threshold_basis: Mapped[str | None] = mapped_column(String(32))
    threshold_green: Mapped[float | None] = mapped_column(Float)
    threshold_amber: Mapped[float | None] = mapped_column(Float)
    source_system: Mapped[str] = mapped_column(String(128), default="")
    description: Mapped[str] = mapped_column(Text, default="")


class Target(Timestamped, Base):
    """A target for an indicator, for the state (org_unit_id NULL) or one org unit, for a period or always."""

    __tablename__ = "target"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    period: Mapped[str | None] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    origin: Mapped[str] = mapped_column(String(64), default="catalogue")

    __table_args__ = (UniqueConstraint("indicator_id", "org_unit_id", "period", name="uq_target_key"),)


class Constant(Timestamped, Base):
    """A named number usable in expressions as ``C{code}``."""

    __tablename__ = "constant"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    value: Mapped[float] = mapped_column(Float)
