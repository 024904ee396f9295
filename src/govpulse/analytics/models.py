"""Result models of analytics queries: the same objects leave through the API, the pages and the CLI."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class IndicatorRef(BaseModel):
    code: str
    name: str
    names: dict[str, str] = Field(default_factory=dict)
    department: str
    unit: str = ""
    decimals: int = 1
    factor: float = 1.0
    polarity: str = "higher"


class OrgUnitRef(BaseModel):
    code: str
    name: str
    names: dict[str, str] = Field(default_factory=dict)
    kind: str
    level: int
    path: str


class PeriodRef(BaseModel):
    id: str = Field(description="DHIS2 period id, e.g. 202611, 2026Q3, 2026April.")
    label: str = Field(description="For people, e.g. 'Nov 2026', 'FY 2026-27'.")
    type: str
    start: date
    end: date


class IndicatorValue(BaseModel):
    """One indicator at one org unit and period. ``value`` is None ("no value") when a part is missing or the
    denominator is 0, never 0 in their place."""

    indicator: str
    org_unit: str
    period: str
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    reporting: int = Field(0, description="Leaf org units that reported.")
    expected: int = Field(0, description="Leaf org units expected to report.")
    coverage: float | None = Field(None, description="reporting / expected, in %.")
    stored_at: datetime | None = Field(None, description="Newest leaf value behind this one: its freshness.")


class ValuesResult(BaseModel):
    description: str = Field(description="What the numbers are, in words (what the query really covered).")
    indicators: list[IndicatorRef]
    org_units: list[OrgUnitRef]
    periods: list[PeriodRef]
    values: list[IndicatorValue]


class ChildValue(BaseModel):
    org_unit: OrgUnitRef
    value: IndicatorValue | None = Field(None, description="None when the child has no data at all.")


class Drilldown(BaseModel):
    description: str
    indicator: IndicatorRef
    period: PeriodRef
    parent: OrgUnitRef
    breadcrumb: list[OrgUnitRef] = Field(description="Root first, ending with the parent.")
    parent_value: IndicatorValue | None
    children: list[ChildValue] = Field(description="Every child in scope, those with no data included.")


class SeriesPoint(BaseModel):
    period: PeriodRef
    value: IndicatorValue | None


class Series(BaseModel):
    description: str
    indicator: IndicatorRef
    org_unit: OrgUnitRef
    period_type: str
    points: list[SeriesPoint]
