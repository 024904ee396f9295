"""Telling the warehouse about the catalogue's org units and data elements (it speaks codes, and must know them).

``write_values`` writes a batch and, when the warehouse answers that it does not know some codes, copies the
org-unit tree and the data elements over from the catalogue and tries once more. So a fresh warehouse, or one
behind a catalogue that gained villages or data elements, needs no separate step.
"""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, sessionmaker

from govpulse.catalog.models import DataElement, OrgUnit
from govpulse.warehouse import Warehouse, WriteResult
from govpulse.warehouse.errors import UnknownCodes

__all__ = ["data_element_table", "org_unit_table", "sync_dimensions", "write_values"]


def org_unit_table(session: Session) -> pa.Table:
    """The catalogue's tree as the warehouse's org-unit input table (parents before children)."""
    parent = aliased(OrgUnit)
    rows = session.execute(
        select(OrgUnit.code, parent.code, OrgUnit.path, OrgUnit.level, OrgUnit.kind)
        .outerjoin(parent, parent.id == OrgUnit.parent_id)
        .order_by(OrgUnit.level, OrgUnit.path)
    ).all()
    names = ["code", "parent_code", "path", "level", "kind"]
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    types = [pa.string(), pa.string(), pa.string(), pa.int32(), pa.string()]
    return pa.table({n: pa.array(c, t) for n, c, t in zip(names, columns, types, strict=True)})


def data_element_table(session: Session) -> pa.Table:
    """The catalogue's data elements as the warehouse's data-element input table."""
    rows = session.execute(
        select(DataElement.code, DataElement.aggregation_type, DataElement.period_type, DataElement.reported_at)
        .order_by(DataElement.code)
    ).all()
    return pa.table({
        "code": pa.array([r[0] for r in rows], pa.string()),
        "aggregation_type": pa.array([r[1] for r in rows], pa.string()),
        "period_type": pa.array([r[2] for r in rows], pa.string()),
        "reported_at": pa.array([list(r[3] or []) for r in rows], pa.list_(pa.string())),
    })


def sync_dimensions(session: Session, warehouse: Warehouse) -> tuple[int, int]:
    """Copy the org-unit tree and the data elements into the warehouse; returns how many of each it holds."""
    units = warehouse.sync_org_units(org_unit_table(session))
    elements = warehouse.sync_data_elements(data_element_table(session))
    return units, elements


def write_values(warehouse: Warehouse, session_factory: sessionmaker[Session], batch_key: str,
                 values: pa.Table) -> WriteResult:
    """``warehouse.write`` in one transaction, syncing the catalogue's codes first if the warehouse lacks some."""
    try:
        return warehouse.write(batch_key, values)
    except UnknownCodes:
        with session_factory() as session:
            sync_dimensions(session, warehouse)
        return warehouse.write(batch_key, values)
