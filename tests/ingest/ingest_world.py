"""A small state for the pipeline tests: a catalogue (tree, departments, data elements) and a warehouse.

Two villages share the name Rampur, on purpose (name lookups must refuse to guess). Data elements cover the value
types and period types the checks care about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
from sqlalchemy.orm import Session, sessionmaker

from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.catalog.models import DataElement, Department
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.ingest.batches import IngestStores
from govpulse.ingest.lookups import CatalogLookups, ElementIndex, OrgUnitIndex, normalise_names
from govpulse.ingest.sources import parse_definition, register_source
from govpulse.warehouse import Warehouse, connect

TREE = [
    {"code": "24", "name": "Gujarat", "kind": "state", "level": 1, "path": "/24/", "parent_code": None},
    {"code": "459", "name": "Surat", "kind": "district", "level": 2, "path": "/24/459/", "parent_code": "24"},
    {"code": "449", "name": "Kachchh", "kind": "district", "level": 2, "path": "/24/449/", "parent_code": "24"},
    {"code": "3900", "name": "Choryasi", "kind": "taluka", "level": 3, "path": "/24/459/3900/", "parent_code": "459"},
    {"code": "3700", "name": "Bhuj", "kind": "taluka", "level": 3, "path": "/24/449/3700/", "parent_code": "449"},
    {"code": "525001", "name": "Bhestan", "kind": "village", "level": 4, "path": "/24/459/3900/525001/",
     "parent_code": "3900", "census_code": "0525001"},
    {"code": "525002", "name": "Rampur", "kind": "village", "level": 4, "path": "/24/459/3900/525002/",
     "parent_code": "3900", "census_code": "525002"},
    {"code": "515001", "name": "Madhapar", "kind": "village", "level": 4, "path": "/24/449/3700/515001/",
     "parent_code": "3700", "census_code": "515001"},
    {"code": "515002", "name": "Rampur", "kind": "village", "level": 4, "path": "/24/449/3700/515002/",
     "parent_code": "3700", "census_code": "515002"},
]
VILLAGES = ["525001", "525002", "515001", "515002"]

ELEMENTS = [
    # code, period type, value type, min, max
    ("births", "Daily", "INTEGER_ZERO_OR_POSITIVE", None, 1000.0),
    ("births_21", "Daily", "INTEGER_ZERO_OR_POSITIVE", None, None),
    ("children", "Monthly", "INTEGER_ZERO_OR_POSITIVE", None, None),
    ("vaccinated", "Monthly", "INTEGER_ZERO_OR_POSITIVE", None, None),
    ("coverage", "Monthly", "PERCENTAGE", None, None),
    ("has_doctor", "Monthly", "BOOLEAN", None, None),
    ("rainfall_mm", "Daily", "NUMBER", -5.0, None),
]

# A moment in the middle of the test month (IST afternoon), so "today" is 26 Nov 2026 everywhere.
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def seed_catalog(session: Session) -> None:
    OrgUnitRepository(session).replace_all(TREE)
    health = Department(code="HEALTH", name="Health")
    session.add(health)
    session.flush()
    session.add_all([
        DataElement(code=code, name=code.replace("_", " ").title(), department_id=health.id, value_type=value_type,
                    aggregation_type="SUM", period_type=period_type, reported_at=["village"], min_value=low,
                    max_value=high)
        for code, period_type, value_type, low, high in ELEMENTS
    ])
    session.commit()


@dataclass
class World:
    """A seeded catalogue and a warehouse, with helpers to register sources."""

    session_factory: sessionmaker[Session]
    warehouse: Warehouse
    home: Path

    @property
    def stores(self) -> IngestStores:
        return IngestStores(self.session_factory, self.warehouse)

    def register(self, definition: dict):
        with self.session_factory() as session:
            source, _ = register_source(session, parse_definition(definition))
            session.commit()
            return source

    def values(self, elements: list[str], org_units: list[str], periods: list[str]) -> dict:
        """{(data element, org unit, period): value} of the rolled-up values."""
        table = self.warehouse.data_values(elements, org_units, periods)
        return {(r["data_element"], r["org_unit"], r["period"]): r["value"] for r in table.to_pylist()}


def make_world(catalog_url: str, home: Path, warehouse_url: str | None = None) -> World:
    engine = make_engine(catalog_url)
    migrate(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        seed_catalog(session)
    warehouse = connect(warehouse_url or f"duckdb:///{home / 'warehouse.duckdb'}")
    return World(factory, warehouse, home)


def lookups() -> CatalogLookups:
    """The same catalogue as lookup tables, without a database (for pure mapping and validation tests)."""
    units = OrgUnitIndex(
        codes=pa.array([u["code"] for u in TREE]),
        census_codes=pa.array([u.get("census_code") for u in TREE], pa.string()),
        names=normalise_names(pa.array([u["name"] for u in TREE])),
        kinds=pa.array([u["kind"] for u in TREE]),
    )
    elements = pa.table({
        "code": [e[0] for e in ELEMENTS],
        "name": [e[0] for e in ELEMENTS],
        "period_type": [e[1] for e in ELEMENTS],
        "value_type": [e[2] for e in ELEMENTS],
        "min_value": pa.array([e[3] for e in ELEMENTS], pa.float64()),
        "max_value": pa.array([e[4] for e in ELEMENTS], pa.float64()),
    })
    return CatalogLookups(units, ElementIndex(elements), "test")


def csv_source(code: str, folder: Path, mapping: dict, **extra) -> dict:
    return {"code": code, "name": code.title(), "department": "HEALTH", "connector": "csv_folder",
            "settings": {"folder": str(folder), **extra.pop("settings", {})}, "mapping": mapping, **extra}
