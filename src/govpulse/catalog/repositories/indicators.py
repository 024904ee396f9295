"""Departments, data elements and indicators: reads within a scope (departments limit what a Secretary sees)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from govpulse.catalog.models import DataElement, Department, Indicator
from govpulse.catalog.repositories.paging import Page, PageRequest, paginate
from govpulse.catalog.scoping import restrict
from govpulse.core.scope import Scope


@dataclass(frozen=True)
class CatalogFilter:
    """Query parameters for listing data elements and indicators."""

    q: str | None = None
    department: str | None = None


class DepartmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def list(self, scope: Scope) -> list[Department]:
        stmt = restrict(select(Department).order_by(Department.name), scope, department_column=Department.code)
        return list(self.session.scalars(stmt))

    def get(self, code: str, scope: Scope) -> Department | None:
        stmt = restrict(select(Department).where(Department.code == code), scope, department_column=Department.code)
        return self.session.scalar(stmt)

    def codes_by_id(self) -> dict[int, str]:
        return dict(self.session.execute(select(Department.id, Department.code)).all())


class _DepartmentOwned:
    """Reads shared by data elements and indicators, both owned by a department."""

    model: type

    def __init__(self, session: Session) -> None:
        self.session = session

    def _select(self, scope: Scope):
        return restrict(
            select(self.model).join(Department, Department.id == self.model.department_id),
            scope,
            department_column=Department.code,
        )

    def get(self, code: str, scope: Scope):
        return self.session.scalar(self._select(scope).where(self.model.code == code))

    def list(self, filters: CatalogFilter, scope: Scope, page: PageRequest) -> Page:
        stmt = self._select(scope)
        if filters.department:
            stmt = stmt.where(Department.code == filters.department)
        if filters.q:
            needle = filters.q.strip().lower()
            stmt = stmt.where(or_(func.lower(self.model.code).contains(needle, autoescape=True),
                                  func.lower(self.model.name).contains(needle, autoescape=True)))
        return paginate(self.session, stmt.order_by(self.model.code), page)

    def all(self, scope: Scope) -> list:
        return list(self.session.scalars(self._select(scope).order_by(self.model.code)))

    def count(self, scope: Scope) -> int:
        return self.session.scalar(select(func.count()).select_from(self._select(scope).subquery())) or 0


class DataElementRepository(_DepartmentOwned):
    model = DataElement


class IndicatorRepository(_DepartmentOwned):
    model = Indicator
