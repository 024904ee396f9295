"""The catalogue store on SQLite and PostgreSQL: migrations, tree loading, scoped reads."""

from __future__ import annotations

import sqlalchemy as sa

from govpulse.catalog.models import DataElement, Department, Indicator
from govpulse.catalog.repositories.indicators import CatalogFilter, DepartmentRepository, IndicatorRepository
from govpulse.catalog.repositories.orgunits import OrgUnitFilter, OrgUnitRepository
from govpulse.catalog.repositories.paging import PageRequest
from govpulse.core.scope import Scope

TREE = [
    {"code": "24", "name": "Gujarat", "kind": "state", "level": 1, "path": "/24/", "parent_code": None},
    {"code": "459", "name": "Surat", "kind": "district", "level": 2, "path": "/24/459/", "parent_code": "24"},
    {"code": "449", "name": "Kachchh", "kind": "district", "level": 2, "path": "/24/449/", "parent_code": "24"},
    {"code": "3900", "name": "Choryasi", "kind": "taluka", "level": 3, "path": "/24/459/3900/", "parent_code": "459"},
    {"code": "3700", "name": "Bhuj", "kind": "taluka", "level": 3, "path": "/24/449/3700/", "parent_code": "449"},
    {"code": "525001", "name": "Bhestan", "kind": "village", "level": 4, "path": "/24/459/3900/525001/",
     "parent_code": "3900", "census_code": "525001"},
    {"code": "515001", "name": "Madhapar", "kind": "village", "level": 4, "path": "/24/449/3700/515001/",
     "parent_code": "3700", "census_code": "515001"},
]
SURAT = Scope.for_paths(["/24/459/"], reason="collector of Surat")


def _load_tree(session) -> None:
    OrgUnitRepository(session).replace_all(TREE)
    session.commit()


def test_migrations_create_every_table(catalog_engine):
    tables = set(sa.inspect(catalog_engine).get_table_names())
    assert {"org_unit", "department", "data_element", "indicator", "target", "source", "user_account",
            "constant", "alembic_version"} <= tables


def test_tree_reads_follow_the_scope(session):
    _load_tree(session)
    repo = OrgUnitRepository(session)
    assert repo.get("515001", Scope.system()).name == "Madhapar"
    assert repo.get("515001", SURAT) is None  # a village of Kutch is invisible to Surat's Collector
    assert repo.get("525001", SURAT).parent_id == repo.get("3900", SURAT).id
    assert [u.code for u in repo.children("24", Scope.system())] == ["449", "459"]
    assert repo.children("24", SURAT) == []  # the state itself lies outside Surat's scope
    assert [u.code for u in repo.ancestors(repo.get("525001", SURAT))] == ["24", "459", "3900", "525001"]
    assert [u.code for u in repo.roots(SURAT)] == ["459"]


def test_listing_filters_and_pages(session):
    _load_tree(session)
    repo = OrgUnitRepository(session)
    page = repo.list(OrgUnitFilter(kind="village"), Scope.system(), PageRequest(page=1, page_size=1))
    assert (page.total, len(page.items)) == (2, 1)
    assert [u.code for u in repo.list(OrgUnitFilter(q="bhu"), Scope.system(), PageRequest()).items] == ["3700"]
    within = repo.list(OrgUnitFilter(within="449"), Scope.system(), PageRequest()).items
    assert {u.code for u in within} == {"449", "3700", "515001"}
    assert repo.list(OrgUnitFilter(within="449"), SURAT, PageRequest()).total == 0
    assert repo.list(OrgUnitFilter(q="525001"), SURAT, PageRequest()).items[0].name == "Bhestan"


def test_department_scope_limits_indicators(session):
    health = Department(code="HEALTH", name="Health")
    roads = Department(code="ROADS", name="Roads")
    session.add_all([health, roads])
    session.flush()
    session.add_all([
        DataElement(code="births", name="Births", department_id=health.id, value_type="INTEGER",
                    aggregation_type="SUM", period_type="Monthly", reported_at=["village"]),
        Indicator(code="HLT_A", name="A", department_id=health.id, numerator="#{births}", denominator="1"),
        Indicator(code="RD_B", name="B", department_id=roads.id, numerator="#{births}", denominator="1"),
    ])
    session.commit()
    secretary = Scope(departments=frozenset({"ROADS"}))
    repo = IndicatorRepository(session)
    assert [i.code for i in repo.list(CatalogFilter(), secretary, PageRequest()).items] == ["RD_B"]
    assert repo.get("HLT_A", secretary) is None
    assert repo.count(Scope.system()) == 2
    assert [d.code for d in DepartmentRepository(session).list(secretary)] == ["ROADS"]
    assert session.get(DataElement, 1).reported_at == ["village"]  # JSON columns round-trip on both stores
