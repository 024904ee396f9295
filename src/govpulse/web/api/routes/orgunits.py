"""Org units: list and search, one unit with its breadcrumb and children."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from govpulse.catalog.models import OrgUnit
from govpulse.catalog.repositories.orgunits import OrgUnitFilter, OrgUnitRepository
from govpulse.core.orgunits import path_codes
from govpulse.web.api.schemas import OrgUnitDetailOut, OrgUnitOut, PageOut
from govpulse.web.deps import PageDep, ScopeDep, SessionDep, not_found

router = APIRouter(prefix="/orgunits", tags=["org units"])


def org_unit_out(unit: OrgUnit, parent_code: str | None = None) -> OrgUnitOut:
    out = OrgUnitOut.model_validate(unit)
    out.parent_code = parent_code if parent_code is not None else _parent_code(unit)
    return out


def _parent_code(unit: OrgUnit) -> str | None:
    codes = path_codes(unit.path)
    return codes[-2] if len(codes) > 1 else None


@router.get("", response_model=PageOut[OrgUnitOut], summary="List and search org units")
def list_org_units(
    session: SessionDep,
    scope: ScopeDep,
    page: PageDep,
    q: Annotated[str | None, Query(description="Part of a name, or an exact LGD or Census code.")] = None,
    kind: Annotated[str | None, Query(description="state, district, taluka, village, ulb, ward, town, school")] = None,
    level: Annotated[int | None, Query(ge=1, le=10)] = None,
    parent: Annotated[str | None, Query(description="Only the children of this org unit (code).")] = None,
    within: Annotated[str | None, Query(description="Only this org unit and everything under it (code).")] = None,
):
    filters = OrgUnitFilter(q=q, kind=kind, level=level, parent=parent, within=within)
    result = OrgUnitRepository(session).list(filters, scope, page)
    return PageOut[OrgUnitOut](
        items=[org_unit_out(u) for u in result.items], total=result.total, page=result.page,
        page_size=result.page_size,
    )


@router.get("/{code}", response_model=OrgUnitDetailOut, summary="One org unit, its breadcrumb and children")
def get_org_unit(code: str, session: SessionDep, scope: ScopeDep):
    repo = OrgUnitRepository(session)
    unit = repo.get(code, scope)
    if unit is None:
        raise not_found("org unit", code)
    detail = OrgUnitDetailOut.model_validate(unit)
    detail.parent_code = _parent_code(unit)
    detail.ancestors = [org_unit_out(a) for a in repo.ancestors(unit)[:-1] if scope.allows_path(a.path)]
    detail.children = [org_unit_out(c, unit.code) for c in repo.children(code, scope)]
    return detail


@router.get("/{code}/children", response_model=list[OrgUnitOut], summary="The children of an org unit")
def get_children(code: str, session: SessionDep, scope: ScopeDep):
    repo = OrgUnitRepository(session)
    if repo.get(code, scope) is None:
        raise not_found("org unit", code)
    return [org_unit_out(c, code) for c in repo.children(code, scope)]
