"""The ``mapping`` section of a source definition, checked by Pydantic: where the org unit, the period, the data
elements and the values are in the source's rows (see ``ingest.mapping`` for what is done with it).

A plain string is short for ``{column: ...}`` (``org_unit: village_code``, ``period: month``,
``data_element: indicator``). Long format names one value column and a data element column; wide format maps
each value column to a data element.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from govpulse.core.enums import OrgUnitKind
from govpulse.core.periods import InvalidPeriod, parse_period
from govpulse.ingest.validation import ValidationRule

__all__ = ["DataElementMapping", "OrgUnitMapping", "PeriodMapping", "SourceMapping"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _column_shorthand(cls, data: Any) -> Any:
        return {"column": data} if isinstance(data, str) and "column" in cls.model_fields else data


class OrgUnitMapping(_Spec):
    column: str = Field(min_length=1, description="Column holding the org unit.")
    by: Literal["code", "census_code", "name"] = Field("code", description="What the column holds.")
    kind: OrgUnitKind | None = Field(None, description="Only org units of this kind (names repeat across kinds).")
    table: dict[str, str] = Field(default_factory=dict, description="Source text -> org unit code, tried first.")


class DataElementMapping(_Spec):
    column: str = Field(min_length=1, description="Column holding the data element (long format).")
    codes: dict[str, str] = Field(default_factory=dict, description="Source code -> data element code.")


class PeriodMapping(_Spec):
    column: str | None = Field(None, description="Column of DHIS2 period ids (20261124, 202611, 2026Q3, ...).")
    date_column: str | None = Field(None, description="Column of dates; the period follows each data element.")
    value: str | None = Field(None, description="One period for every row (a DHIS2 period id).")
    dayfirst: bool = Field(True, description="Read 03/04/2026 as 3 April (Indian usage).")

    @model_validator(mode="after")
    def _exactly_one(self) -> PeriodMapping:
        given = [name for name in ("column", "date_column", "value") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("give exactly one of column, date_column or value")
        if self.value:
            try:
                object.__setattr__(self, "value", parse_period(self.value).id)
            except InvalidPeriod as error:
                raise ValueError(str(error)) from None
        return self


class SourceMapping(_Spec):
    org_unit: OrgUnitMapping
    period: PeriodMapping
    data_element: DataElementMapping | None = None
    value: str | None = Field(None, description="Long format: the column holding the value.")
    values: dict[str, str] = Field(default_factory=dict, description="Wide format: column -> data element code.")
    disaggregation: str | None = Field(None, description="Column holding a disaggregation (category option).")
    required: list[str] = Field(default_factory=list, description="Wide format: value columns that must be filled.")
    rules: list[ValidationRule] = Field(default_factory=list, description="Checks between data elements.")

    def data_elements(self) -> frozenset[str]:
        """The data-element codes this mapping delivers: the wide columns' codes or the long format's code table
        (empty for a long format without one: its codes come from the rows, unknown in advance)."""
        if self.values:
            return frozenset(self.values.values())
        return frozenset(self.data_element.codes.values()) if self.data_element is not None else frozenset()

    @model_validator(mode="before")
    @classmethod
    def _period_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("period"), str):
            return {**data, "period": {"column": data["period"]}}
        return data

    @model_validator(mode="after")
    def _one_format(self) -> SourceMapping:
        long_format = self.data_element is not None or self.value is not None
        if long_format and self.values:
            raise ValueError("give either data_element and value (long format) or values (wide format), not both")
        if long_format and (self.data_element is None or self.value is None):
            raise ValueError("long format needs both data_element (a column) and value (a column)")
        if not long_format and not self.values:
            raise ValueError("give data_element and value (long format) or values (wide format)")
        if unknown := [column for column in self.required if column not in self.values]:
            raise ValueError(f"required lists {', '.join(map(repr, unknown))}, which are not value columns")
        return self

    @field_validator("values")
    @classmethod
    def _value_columns_named(cls, values: dict[str, str]) -> dict[str, str]:
        if any(not column.strip() or not code.strip() for column, code in values.items()):
            raise ValueError("every value column and data element code must be non-empty")
        return values
