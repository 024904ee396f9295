"""Departments, data elements and indicators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from govpulse.catalog.repositories.indicators import (
    CatalogFilter,
    DataElementRepository,
    DepartmentRepository,
    IndicatorRepository,
)
from govpulse.web.api.schemas import DataElementOut, DepartmentOut, IndicatorOut, PageOut
from govpulse.web.deps import PageDep, ScopeDep, SessionDep, not_found

router = APIRouter(tags=["catalogue"])

QueryText = Annotated[str | None, Query(description="Part of a code or name.")]
DepartmentCode = Annotated[str | None, Query(description="Only this department (code).")]


def _with_department(model_out, row, departments: dict[int, str]):
    return model_out.model_validate({**_columns(row), "department": departments.get(row.department_id, "")})


def _columns(row) -> dict:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


@router.get("/departments", response_model=list[DepartmentOut], summary="Departments")
def list_departments(session: SessionDep, scope: ScopeDep):
    return DepartmentRepository(session).list(scope)


@router.get("/departments/{code}", response_model=DepartmentOut, summary="One department")
def get_department(code: str, session: SessionDep, scope: ScopeDep):
    department = DepartmentRepository(session).get(code, scope)
    if department is None:
        raise not_found("department", code)
    return department


def _page(repo, out, session, scope, page, q, department):
    result = repo.list(CatalogFilter(q=q, department=department), scope, page)
    departments = DepartmentRepository(session).codes_by_id()
    return PageOut[out](
        items=[_with_department(out, row, departments) for row in result.items],
        total=result.total, page=result.page, page_size=result.page_size,
    )


@router.get("/dataElements", response_model=PageOut[DataElementOut], summary="Data elements")
def list_data_elements(session: SessionDep, scope: ScopeDep, page: PageDep, q: QueryText = None,
                       department: DepartmentCode = None):
    return _page(DataElementRepository(session), DataElementOut, session, scope, page, q, department)


@router.get("/dataElements/{code}", response_model=DataElementOut, summary="One data element")
def get_data_element(code: str, session: SessionDep, scope: ScopeDep):
    row = DataElementRepository(session).get(code, scope)
    if row is None:
        raise not_found("data element", code)
    return _with_department(DataElementOut, row, DepartmentRepository(session).codes_by_id())


@router.get("/indicators", response_model=PageOut[IndicatorOut], summary="Indicators")
def list_indicators(session: SessionDep, scope: ScopeDep, page: PageDep, q: QueryText = None,
                    department: DepartmentCode = None):
    return _page(IndicatorRepository(session), IndicatorOut, session, scope, page, q, department)


@router.get("/indicators/{code}", response_model=IndicatorOut, summary="One indicator")
def get_indicator(code: str, session: SessionDep, scope: ScopeDep):
    row = IndicatorRepository(session).get(code, scope)
    if row is None:
        raise not_found("indicator", code)
    return _with_department(IndicatorOut, row, DepartmentRepository(session).codes_by_id())
