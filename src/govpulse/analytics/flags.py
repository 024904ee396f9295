"""Red flags for readers: list (filtered, most urgent first), one flag, counts by severity; and the engine run.

Every read goes through ``FlagRepository`` with the reader's scope: a flag outside it is answered as absent.
The engine itself (``run_flag_engine``) lives in ``flag_engine``; it is re-exported here so callers find the
whole of flags in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.analytics.evaluation_models import FlagOut, SeverityOut
from govpulse.analytics.flag_engine import EngineOptions, run_flag_engine
from govpulse.analytics.values import resolve_org_unit
from govpulse.catalog.models import Flag, Indicator, OrgUnit
from govpulse.catalog.repositories.flags import FlagFilter, FlagRepository
from govpulse.catalog.repositories.paging import Page, PageRequest
from govpulse.core.enums import Severity
from govpulse.core.periods import InvalidPeriod, parse_period
from govpulse.core.scope import Scope

__all__ = ["EngineOptions", "FlagFilter", "flag_counts", "flag_outs", "get_flag", "list_flags", "run_flag_engine"]


def _label(period: str) -> str:
    try:
        return parse_period(period).label
    except InvalidPeriod:
        return period


def flag_outs(session: Session, flags: Sequence[Flag]) -> list[FlagOut]:
    """Flags as readers see them, with the names of their indicators and org units (two lookups in all)."""
    indicator_codes = sorted({f.indicator for f in flags})
    unit_codes = sorted({f.org_unit for f in flags})
    indicators = {row.code: row for row in session.scalars(select(Indicator).where(
        Indicator.code.in_(indicator_codes)))} if indicator_codes else {}
    units: dict[str, OrgUnit] = {}
    for start in range(0, len(unit_codes), 900):
        stmt = select(OrgUnit).where(OrgUnit.code.in_(unit_codes[start:start + 900]))
        units.update({u.code: u for u in session.scalars(stmt)})
    out = []
    for flag in flags:
        indicator, unit = indicators.get(flag.indicator), units.get(flag.org_unit)
        out.append(FlagOut(
            id=flag.id, rule=flag.rule, kind=flag.kind, indicator=flag.indicator,
            indicator_name=indicator.name if indicator else flag.indicator,
            unit=indicator.unit if indicator else "", decimals=indicator.decimals if indicator else 1,
            department=flag.department, org_unit=flag.org_unit, org_unit_name=unit.name if unit else flag.org_unit,
            org_unit_kind=unit.kind if unit else "", org_unit_path=flag.org_unit_path, period=flag.period,
            period_label=_label(flag.period), severity=SeverityOut.of(Severity(flag.severity)), status=flag.status,
            value=flag.value, expected=flag.expected, message=flag.message, evidence=dict(flag.evidence or {}),
            first_seen=flag.first_seen, last_seen=flag.last_seen, resolved_at=flag.resolved_at,
            times_seen=flag.times_seen,
        ))
    return out


def list_flags(session: Session, scope: Scope, filters: FlagFilter, page: PageRequest) -> Page[FlagOut]:
    """One page of the flags the reader may see, most severe first, then the most recently seen. A severity
    that does not exist raises ``ValueError`` naming it."""
    found = FlagRepository(session).list(filters, scope, page)
    return Page(items=flag_outs(session, found.items), total=found.total, page=found.page,
                page_size=found.page_size)


def get_flag(session: Session, scope: Scope, flag_id: int) -> FlagOut | None:
    """The flag, or None when it does not exist or lies outside the reader's scope."""
    flag = FlagRepository(session).get(flag_id, scope)
    return None if flag is None else flag_outs(session, [flag])[0]


def flag_counts(session: Session, scope: Scope, *, org_unit: str | None = None) -> dict[str, int]:
    """Open flags the reader may see by severity (most urgent first), within ``org_unit``'s subtree when
    given (``NotFound`` when that org unit is absent or out of scope)."""
    within = resolve_org_unit(session, org_unit, scope).path if org_unit else None
    return FlagRepository(session).counts(scope, within=within)

