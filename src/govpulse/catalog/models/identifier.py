"""External identifiers: what other systems call our catalogue's objects (a DHIS2 UID, a DHIS2 code, ...).

One row says that ``entity`` ``entity_code`` (our code) is known as ``value`` in ``scheme``. A value names one
object per entity and scheme (unique), so a lookup by external id is one indexed query; an object may carry
several values in one scheme (a DHIS2 object imported twice under different UIDs keeps both).

Entities are our tables (``org_unit``, ``data_element``, ``indicator``) and a few things DHIS2 has that the
catalogue keeps no table for: a category option combo is a warehouse disaggregation code
(``category_option_combo``), an indicator type is just its factor (``indicator_type``, entity_code "100"), an
org-unit level is its number (``org_unit_level``), a data set is a name for a group of data elements
(``data_set``; its members are rows of scheme ``dhis2:member`` whose value is ``<data set code>:<element code>``).
"""

from __future__ import annotations

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govpulse.catalog.models.base import Base, Timestamped


class Identifier(Timestamped, Base):
    __tablename__ = "identifier"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_code: Mapped[str] = mapped_column(String(128))
    scheme: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(255))

    __table_args__ = (
        UniqueConstraint("entity", "scheme", "value", name="uq_identifier_value"),
        Index("ix_identifier_entity_code", "entity", "entity_code"),
    )
