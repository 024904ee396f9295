"""Org units: reads within a scope, and loading a whole tree in bulk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, false, func, or_, select
from sqlalchemy.orm import Session

from govpulse.catalog.models import OrgUnit
from govpulse.catalog.repositories.paging import Page, PageRequest, paginate
from govpulse.catalog.scoping import restrict, subtree
from govpulse.core.orgunits import path_codes
from govpulse.core.scope import Scope


@dataclass(frozen=True)
class OrgUnitFilter:
    """Query parameters for listing org units (shared by the API and the pages)."""

    q: str | None = None
    kind: str | None = None
    level: int | None = None
    parent: str | None = None
    within: str | None = None


class OrgUnitRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, code: str, scope: Scope) -> OrgUnit | None:
        """The org unit with ``code``, or None when it does not exist or lies outside the scope."""
        stmt = restrict(select(OrgUnit).where(OrgUnit.code == code), scope, path_column=OrgUnit.path)
        return self.session.scalar(stmt)

    def by_codes(self, codes: Iterable[str], scope: Scope) -> dict[str, OrgUnit]:
        codes = list(set(codes))
        found: dict[str, OrgUnit] = {}
        for start in range(0, len(codes), 900):  # stay under SQLite's bound-parameter limit
            stmt = restrict(
                select(OrgUnit).where(OrgUnit.code.in_(codes[start : start + 900])), scope, path_column=OrgUnit.path
            )
            found.update({unit.code: unit for unit in self.session.scalars(stmt)})
        return found

    def children(self, code: str, scope: Scope) -> list[OrgUnit]:
        parent = self.get(code, scope)
        if parent is None:
            return []
        stmt = select(OrgUnit).where(OrgUnit.parent_id == parent.id).order_by(OrgUnit.name)
        return list(self.session.scalars(restrict(stmt, scope, path_column=OrgUnit.path)))

    def ancestors(self, unit: OrgUnit) -> list[OrgUnit]:
        """Root first, ending with ``unit`` itself (the breadcrumb)."""
        codes = path_codes(unit.path)
        units = {u.code: u for u in self.session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}
        return [units[c] for c in codes if c in units]

    def roots(self, scope: Scope) -> list[OrgUnit]:
        """The highest org units the scope can see (the state, or a Collector's district)."""
        if scope.paths is None:
            return list(self.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None))))
        return list(self.session.scalars(select(OrgUnit).where(OrgUnit.path.in_(scope.paths)).order_by(OrgUnit.path)))

    def list(self, filters: OrgUnitFilter, scope: Scope, page: PageRequest) -> Page[OrgUnit]:
        stmt = restrict(select(OrgUnit), scope, path_column=OrgUnit.path)
        if filters.q:
            needle = filters.q.strip()
            stmt = stmt.where(or_(OrgUnit.code == needle, OrgUnit.census_code == needle,
                                  func.lower(OrgUnit.name).contains(needle.lower(), autoescape=True)))
        if filters.kind:
            stmt = stmt.where(OrgUnit.kind == filters.kind)
        if filters.level:
            stmt = stmt.where(OrgUnit.level == filters.level)
        if filters.parent:
            parent = self.get(filters.parent, scope)
            stmt = stmt.where(OrgUnit.parent_id == (parent.id if parent else -1))
        if filters.within:
            root = self.get(filters.within, scope)
            stmt = stmt.where(subtree(OrgUnit.path, root.path) if root else false())
        return paginate(self.session, stmt.order_by(OrgUnit.level, OrgUnit.name, OrgUnit.code), page)

    def count_by(self, column, scope: Scope) -> dict:
        stmt = restrict(select(column, func.count()).group_by(column), scope, path_column=OrgUnit.path)
        return dict(self.session.execute(stmt).all())

    def replace_all(self, nodes: Iterable[dict]) -> int:
        """Replace the whole tree with ``nodes`` (dicts with code, name, names, kind, level, parent_code, path,
        census_code, latitude, longitude), parents before children. Ids are assigned here in that order so the
        bulk insert needs no lookups. Returns the number of units written."""
        self.session.execute(delete(OrgUnit))
        ids: dict[str, int] = {}
        rows = []
        for number, node in enumerate(nodes, start=1):
            ids[node["code"]] = number
            parent = node.get("parent_code")
            rows.append({
                "id": number, "code": node["code"], "name": node["name"], "names": dict(node.get("names") or {}),
                "kind": node["kind"], "level": node["level"], "path": node["path"],
                "parent_id": ids[parent] if parent else None, "census_code": node.get("census_code"),
                "latitude": node.get("latitude"), "longitude": node.get("longitude"),
            })
        for start in range(0, len(rows), 5000):
            self.session.execute(OrgUnit.__table__.insert(), rows[start : start + 5000])
        return len(rows)
