"""Response models of the API (kept apart from the tables, so the API stays stable while tables change)."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Number of items over all pages.")
    page: int
    page_size: int


class OrgUnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(description="LGD code where one exists, else a Census 2011 based code.")
    name: str
    names: dict[str, str] = Field(default_factory=dict, description="Names in other languages, by language code.")
    kind: str
    level: int = Field(description="1 = state.")
    path: str = Field(description="Codes from the root, e.g. /24/438/3712/.")
    parent_code: str | None = None
    census_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class OrgUnitDetailOut(OrgUnitOut):
    ancestors: list[OrgUnitOut] = Field(default_factory=list, description="Root first (the breadcrumb).")
    children: list[OrgUnitOut] = Field(default_factory=list)


class DepartmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    names: dict[str, str] = Field(default_factory=dict)
    description: str = ""


class DataElementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    names: dict[str, str] = Field(default_factory=dict)
    department: str
    value_type: str
    aggregation_type: str
    period_type: str
    reported_at: list[str]
    min_value: float | None = None
    max_value: float | None = None
    unit: str = ""
    description: str = ""


class IndicatorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    names: dict[str, str] = Field(default_factory=dict)
    department: str
    theme: str = ""
    numerator: str
    denominator: str
    factor: float
    unit: str = ""
    decimals: int
    polarity: str
    weight: float = 1.0
    threshold_basis: str | None = None
    threshold_green: float | None = None
    threshold_amber: float | None = None
    source_system: str = ""
    description: str = ""


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str | None = None
