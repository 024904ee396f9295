"""What evaluation needs to know about each indicator, read once from the catalogue.

An indicator's values exist only for periods that every data element behind it reaches, so two period types
matter (both from the data elements' own types):

* ``natural_type``, the coarsest type among its data elements: the finest period it has a value for (a
  monthly count over a yearly population has a value per year, not per month);
* ``reporting_type``, the finest type among its numerator's data elements: how often new figures arrive,
  which is what staleness is judged on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.analytics.evaluation_models import DepartmentRef
from govpulse.analytics.models import IndicatorRef
from govpulse.analytics.values import NotFound
from govpulse.catalog.models import Constant, DataElement, Department, Indicator
from govpulse.catalog.repositories.indicators import DepartmentRepository
from govpulse.catalog.scoping import restrict
from govpulse.core.enums import AggregationType, Combine, Polarity
from govpulse.core.evaluation import Thresholds
from govpulse.core.expressions import parse_expression
from govpulse.core.flag_rules import IndicatorInfo
from govpulse.core.indicators import IndicatorSpec
from govpulse.core.periods import Period, PeriodType, coarser_types, period_of
from govpulse.core.scope import Scope

__all__ = ["EvalIndicator", "departments_by_code", "evaluation_period", "load_indicators", "require_department"]


@dataclass(frozen=True)
class EvalIndicator:
    code: str
    name: str
    names: dict[str, str]
    department: str
    theme: str
    weight: float
    polarity: Polarity
    unit: str
    decimals: int
    factor: float
    thresholds: Thresholds | None
    spec: IndicatorSpec
    natural_type: PeriodType
    reporting_type: PeriodType
    reported_at: frozenset[str]
    """Org-unit kinds that report the numerator's data elements."""
    is_ratio: bool
    """The denominator has data elements (a rate or a share), so units of different sizes compare."""
    additive: bool
    """A count that sums over time (every numerator element sums over time, no denominator)."""

    @property
    def ref(self) -> IndicatorRef:
        return IndicatorRef(code=self.code, name=self.name, names=self.names, department=self.department,
                            unit=self.unit, decimals=self.decimals, factor=self.factor, polarity=self.polarity.value)

    @property
    def rated(self) -> bool:
        """Whether a value can have a RAG status at all (bands set, a better direction)."""
        return self.thresholds is not None and self.polarity is not Polarity.NEUTRAL

    def info(self) -> IndicatorInfo:
        """The indicator as flag rules see it."""
        return IndicatorInfo(self.code, self.name, self.department, self.polarity, self.unit, self.decimals,
                             self.thresholds, self.is_ratio, period_type=self.natural_type)


_parse = lru_cache(maxsize=16_384)(parse_expression)
"""Expressions by text: parsing is pure and its trees are immutable, so each text is parsed once per process
(every overview and scorecard loads every indicator it shows)."""


def _thresholds(row: Indicator) -> Thresholds | None:
    if row.threshold_basis is None or row.threshold_green is None or row.threshold_amber is None:
        return None
    return Thresholds(row.threshold_basis, row.threshold_green, row.threshold_amber)  # type: ignore[arg-type]


def _coarsest(types: Iterable[PeriodType]) -> PeriodType:
    return max(types, key=lambda t: (t.rank, t.value))


def _finest(types: Iterable[PeriodType]) -> PeriodType:
    return min(types, key=lambda t: (t.rank, t.value))


def _build(row: Indicator, department: str, elements: dict[str, Any],
           constants: dict[str, float]) -> EvalIndicator | None:
    """``elements``: rows with a data element's code, period_type, aggregation_type and reported_at."""
    numerator, denominator = _parse(row.numerator), _parse(row.denominator)
    used = numerator.data_elements() | denominator.data_elements()
    if not used or any(code not in elements for code in used):
        return None  # nothing (or an unknown element) behind it: nothing to evaluate
    counted = numerator.data_elements() or used
    types = [PeriodType(elements[c].period_type) for c in used]
    counted_elements = [elements[c] for c in counted]
    additive = not denominator.data_elements() and all(
        AggregationType(e.aggregation_type).over_time is Combine.SUM for e in counted_elements)
    return EvalIndicator(
        code=row.code, name=row.name, names=dict(row.names or {}), department=department, theme=row.theme or "",
        weight=float(row.weight), polarity=Polarity(row.polarity), unit=row.unit, decimals=row.decimals,
        factor=row.factor, thresholds=_thresholds(row),
        spec=IndicatorSpec(row.code, numerator, denominator, row.factor, row.decimals, constants),
        natural_type=_coarsest(types), reporting_type=_finest(PeriodType(e.period_type) for e in counted_elements),
        reported_at=frozenset(kind for e in counted_elements for kind in (e.reported_at or [])),
        is_ratio=bool(denominator.data_elements()), additive=additive,
    )


def load_indicators(session: Session, scope: Scope, *, department: str | None = None,
                    codes: Sequence[str] | None = None) -> list[EvalIndicator]:
    """The indicators the reader may see (of ``department``, or with ``codes``), ordered by department and code.
    An indicator with no data element behind it is left out: there is nothing to evaluate."""
    stmt = restrict(select(Indicator).join(Department, Department.id == Indicator.department_id), scope,
                    department_column=Department.code)
    if department is not None:
        stmt = stmt.where(Department.code == department)
    if codes is not None:
        stmt = stmt.where(Indicator.code.in_(list(codes)))
    rows = list(session.scalars(stmt.order_by(Indicator.code)))
    if not rows:
        return []
    departments = dict(session.execute(select(Department.id, Department.code)).all())
    elements = {e.code: e for e in session.execute(select(DataElement.code, DataElement.period_type,
                                                           DataElement.aggregation_type, DataElement.reported_at))}
    constants = {c.code: c.value for c in session.scalars(select(Constant))}
    built = [_build(row, departments[row.department_id], elements, constants) for row in rows]
    return sorted((b for b in built if b is not None), key=lambda b: (b.department, b.code))


def departments_by_code(session: Session, scope: Scope) -> dict[str, DepartmentRef]:
    """The departments the reader may see, by code, in name order."""
    return {d.code: DepartmentRef(code=d.code, name=d.name, names=dict(d.names or {}))
            for d in DepartmentRepository(session).list(scope)}


def require_department(session: Session, scope: Scope, code: str) -> DepartmentRef:
    found = departments_by_code(session, scope).get(code)
    if found is None:
        raise NotFound(f"no department with code {code!r}")
    return found


def evaluation_period(asked: Period, natural: PeriodType, today: date) -> Period:
    """The period an indicator of ``natural`` type is evaluated for when ``asked`` is asked for: ``asked``
    itself when the indicator has values for it, else its own period containing the last day of ``asked``
    (up to today): a yearly indicator in a monthly scorecard shows its year."""
    if asked.type == natural or asked.type in coarser_types(natural):
        return asked
    return period_of(min(asked.end, today), natural)
