"""A small state for access tests: two districts (Surat, Kachchh) with a taluka, a village and a school each, a
ULB with a ward in Surat, two departments, and one account per role (plus one with no role).

Shared by the store tests (tests/access) and the endpoint matrix (tests/web/access_matrix.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models import DataElement, Department, Indicator
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from tests.catalog.test_store import TREE

SURAT_SCHOOL, KUTCH_SCHOOL = "24250100101", "24010100101"
WORLD_TREE = TREE + [
    {"code": "802", "name": "Surat Municipal Corporation", "kind": "ulb", "level": 3, "path": "/24/459/802/",
     "parent_code": "459"},
    {"code": "80201", "name": "Ward 1", "kind": "ward", "level": 4, "path": "/24/459/802/80201/",
     "parent_code": "802"},
    {"code": SURAT_SCHOOL, "name": "Bhestan Primary School", "kind": "school", "level": 5,
     "path": f"/24/459/3900/525001/{SURAT_SCHOOL}/", "parent_code": "525001"},
    {"code": KUTCH_SCHOOL, "name": "Madhapar Primary School", "kind": "school", "level": 5,
     "path": f"/24/449/3700/515001/{KUTCH_SCHOOL}/", "parent_code": "515001"},
]

# One account per role, named after the role. Written out, not derived from core/access.py.
ROLE_ACCOUNTS: dict[str, list[AssignmentSpec]] = {
    "cmo": [AssignmentSpec("cmo", "24")],
    "secretary": [AssignmentSpec("secretary", "24", departments=("HEALTH",))],
    "collector": [AssignmentSpec("collector", "459")],
    "ddo": [AssignmentSpec("ddo", "459")],
    "commissioner": [AssignmentSpec("commissioner", "802")],
    "tdo": [AssignmentSpec("tdo", "3900")],
    "talati": [AssignmentSpec("talati", "525001")],
    "principal": [AssignmentSpec("principal", SURAT_SCHOOL)],
    "operator": [AssignmentSpec("operator", "24", departments=("HEALTH",), sources=("ehealth",))],
    "auditor": [AssignmentSpec("auditor")],
    "admin": [AssignmentSpec("admin", "24")],
    "nobody": [],
}


def seed_catalogue(session: Session) -> None:
    OrgUnitRepository(session).replace_all(WORLD_TREE)
    health, roads = Department(code="HEALTH", name="Health"), Department(code="ROADS", name="Roads")
    session.add_all([health, roads])
    session.flush()
    session.add_all([
        DataElement(code="births", name="Births", department_id=health.id, value_type="INTEGER",
                    aggregation_type="SUM", period_type="Monthly", reported_at=["village"]),
        DataElement(code="road_km", name="Road built (km)", department_id=roads.id, value_type="NUMBER",
                    aggregation_type="SUM", period_type="Monthly", reported_at=["taluka"]),
        Indicator(code="HLT_INST", name="Institutional deliveries", department_id=health.id,
                  numerator="#{births}", denominator="1", factor=100, unit="%"),
        Indicator(code="RD_DONE", name="Roads completed", department_id=roads.id, numerator="#{road_km}",
                  denominator="1"),
    ])
    session.flush()


def seed_world(session: Session) -> None:
    """The tree, the catalogue and one account per role (no passwords: tests sign in with tokens)."""
    set_actor(session, Actor.system("test set-up"))
    seed_catalogue(session)
    users = UserRepository(session)
    for username, assignments in ROLE_ACCOUNTS.items():
        users.create(Scope.system(), username=username, assignments=assignments)
    session.commit()
