"""Filling the warehouse read cache (``read_cache``) after the data changed, so the first reader pays nothing.

After a write or a rollup every kept answer is dropped (the warehouse's data version changed); the next
overview would read every indicator again (1-3 s on the Gujarat demo). ``warm_department_summaries`` reads
what the overview's department tiles need at the top of the tree and the units right under it (the state and
its districts) in one pass, so the CMO's overview, each Collector's overview and the state's department
scorecards (indicators x districts) all find their answers kept. Call it after each ingest batch's rollup and
after building the demo, from the process that serves the screens (the cache lives in that process's
warehouse object).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from govpulse.analytics.evaluate import read_evaluated
from govpulse.analytics.indicator_catalogue import evaluation_period, load_indicators
from govpulse.analytics.read_cache import cache_for
from govpulse.analytics.scorecard import headline_kpis
from govpulse.analytics.values import NotFound, parse_periods
from govpulse.catalog.models import OrgUnit
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.periods import Period, PeriodType, period_of
from govpulse.core.scope import Scope
from govpulse.warehouse import Warehouse

__all__ = ["Warmed", "warm_department_summaries"]


@dataclass(frozen=True)
class Warmed:
    """What one warm-up did: the period, how many org units and indicators, answers now kept, how long."""

    period: str
    org_units: int
    indicators: int
    kept: int
    seconds: float


def warm_department_summaries(session: Session, warehouse: Warehouse, *, today: date, period: str | None = None,
                              org_units: Sequence[str] | None = None) -> Warmed:
    """Read every indicator's value for ``period`` (default: the last complete month, the screens' default)
    and the previous period, with its staleness window as of ``today``, at ``org_units`` (default: each top
    org unit and its children), all units at once; then the headline KPIs of the top units.

    Runs as the system: what is kept is the warehouse's answer for an org unit, the same for every reader who
    may see it there, and each reader's scope is applied again when it is looked up."""
    began = time.perf_counter()
    scope = Scope.system()
    asked = _period(period, today)
    units = _units(session, scope, org_units)
    indicators = load_indicators(session, scope)
    cells = [(i, evaluation_period(asked, i.natural_type, today)) for i in indicators]
    read_evaluated(warehouse, scope, cells, [u.code for u in units], today, paths={u.code: u.path for u in units})
    for unit in units:
        if unit.parent_id is None:
            headline_kpis(session, warehouse, scope, org_unit=unit.code, period=asked.id, today=today)
    return Warmed(period=asked.id, org_units=len(units), indicators=len(indicators), kept=len(cache_for(warehouse)),
                  seconds=round(time.perf_counter() - began, 3))


def _period(text: str | None, today: date) -> Period:
    if text is not None:
        [asked] = parse_periods([text])
        return asked
    return period_of(today, PeriodType.MONTHLY).previous()


def _units(session: Session, scope: Scope, codes: Sequence[str] | None) -> list[OrgUnit]:
    repository = OrgUnitRepository(session)
    if codes is not None:
        found = repository.by_codes(codes, scope)
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise NotFound(f"no org unit with code {unknown[0]!r} to warm the overview of")
        return [found[code] for code in dict.fromkeys(codes)]
    roots = repository.roots(scope)
    return roots + [child for root in roots for child in repository.children(root.code, scope)]
