"""The scorecard (indicators x the children of an org unit), department summaries with composite scores and
grades, and the state's headline KPIs.

Composite scores follow ``core.evaluation.composite_score``: each indicator's score is its progress to target
(0-100, ``target_score``), averaged by indicator weight within its theme, and themes are averaged with equal
weight, so a theme with many indicators does not drown the others. Only indicators that can be scored count
(a better direction, a target somewhere in the catalogue, weight above 0); ``coverage`` says how much of that
weight had a score in the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from govpulse.analytics.evaluate import (
    STALENESS_RULE,
    applies,
    kinds_below,
    make_cell,
    read_evaluated,
    read_values,
    stale_cells,
)
from govpulse.analytics.evaluation_models import (
    CellOut,
    DepartmentRef,
    DepartmentSummary,
    KpiTile,
    RagCounts,
    Scorecard,
    ScorecardRow,
    SparkPoint,
)
from govpulse.analytics.indicator_catalogue import (
    EvalIndicator,
    departments_by_code,
    evaluation_period,
    load_indicators,
    require_department,
)
from govpulse.analytics.targets import TargetBook
from govpulse.analytics.values import org_unit_ref, parse_periods, period_ref, resolve_org_unit
from govpulse.catalog.models import OrgUnit
from govpulse.catalog.repositories.flags import FlagRepository
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.enums import Polarity
from govpulse.core.evaluation import IndicatorWeight, composite_score, grade
from govpulse.core.periods import Period
from govpulse.core.scope import Scope
from govpulse.warehouse import Warehouse

__all__ = ["department_summaries", "headline_indicators", "headline_kpis", "scorecard"]

SPARKLINE_PERIODS = 12
GENERAL_THEME = "General"


def _visible(indicators: Sequence[EvalIndicator], scope: Scope, unit: OrgUnit) -> list[EvalIndicator]:
    """The indicators whose department the reader sees at ``unit``."""
    return [i for i in indicators if scope.allows(path=unit.path, department=i.department)]


def scorecard(session: Session, warehouse: Warehouse, scope: Scope, *, org_unit: str, period: str,
              department: str | None = None, today: date | None = None) -> Scorecard:
    """Indicators (of ``department``, or every one the reader sees) x the children of ``org_unit``: each cell's
    value, target, status, score, trend against the previous period, coverage and staleness."""
    today = today or date.today()
    unit = resolve_org_unit(session, org_unit, scope)
    [asked] = parse_periods([period])
    department_ref = require_department(session, scope, department) if department else None
    indicators = _visible(load_indicators(session, scope, department=department), scope, unit)
    children = OrgUnitRepository(session).children(unit.code, scope)
    codes = [unit.code] + [c.code for c in children]
    periods = {i.code: evaluation_period(asked, i.natural_type, today) for i in indicators}
    paths = {u.code: u.path for u in [unit, *children]}
    rows, stale = read_evaluated(warehouse, scope, [(i, periods[i.code]) for i in indicators], codes, today,
                                 paths=paths)
    targets = TargetBook.load(session, indicators)
    kinds = kinds_below(session, codes)
    out_rows = []
    for indicator in indicators:
        evaluated = periods[indicator.code]
        # a column the reader may not see this department in shows nothing, rather than "no data"
        cells = [make_cell(indicator, code, evaluated, rows, targets, stale=(indicator.code, code) in stale,
                           applicable=applies(indicator, kinds.get(code))
                           and scope.allows(path=paths[code], department=indicator.department))
                 for code in codes]
        counts = RagCounts()
        for cell in cells[1:]:
            counts.add(cell)
        out_rows.append(ScorecardRow(indicator=indicator.ref, theme=indicator.theme, weight=indicator.weight,
                                     period=period_ref(evaluated), parent=cells[0], cells=cells[1:], counts=counts))
    what = department_ref.name if department_ref else "All departments"
    return Scorecard(description=f"{what}; {unit.name} by {_children_word(children)}; {asked.label}",
                     org_unit=org_unit_ref(unit), period=period_ref(asked), department=department_ref, today=today,
                     columns=[org_unit_ref(c) for c in children], rows=out_rows, staleness_rule=STALENESS_RULE)


def _children_word(children: Sequence[OrgUnit]) -> str:
    kinds = sorted({c.kind for c in children})
    return " and ".join(f"{kind}s" for kind in kinds) if kinds else "no children"


# --- department summaries -----------------------------------------------------------------------------


def _scorable(indicator: EvalIndicator, targets: TargetBook) -> bool:
    return indicator.polarity is not Polarity.NEUTRAL and indicator.weight > 0 and targets.has_any(indicator.code)


def _composite(indicators: Sequence[EvalIndicator], cells: dict[str, CellOut]):
    weights = [IndicatorWeight(i.code, i.theme or GENERAL_THEME, i.weight) for i in indicators]
    scores = {code: cell.score for code, cell in cells.items()}
    return composite_score(scores, weights, {w.theme: 1.0 for w in weights}) if weights else None


def department_summaries(session: Session, warehouse: Warehouse, scope: Scope, *, org_unit: str, period: str,
                         today: date | None = None) -> list[DepartmentSummary]:
    """Per department the reader sees at ``org_unit``: composite score, grade, RAG counts, the change of the
    score since the previous period and open flags by severity, in department name order. Indicators that
    nothing under ``org_unit`` reports (a school feed in a state without schools) are left out."""
    today = today or date.today()
    unit = resolve_org_unit(session, org_unit, scope)
    [asked] = parse_periods([period])
    kinds = kinds_below(session, [unit.code]).get(unit.code)
    indicators = [i for i in _visible(load_indicators(session, scope), scope, unit) if applies(i, kinds)]
    periods = {i.code: evaluation_period(asked, i.natural_type, today) for i in indicators}
    rows, stale = read_evaluated(warehouse, scope, [(i, periods[i.code]) for i in indicators], [unit.code], today,
                                 paths={unit.code: unit.path})
    targets = TargetBook.load(session, indicators)
    flags = FlagRepository(session).open_counts_by_department(scope, within=unit.path)
    by_department: dict[str, list[EvalIndicator]] = {}
    for indicator in indicators:
        by_department.setdefault(indicator.department, []).append(indicator)
    summaries = []
    for code, department in departments_by_code(session, scope).items():
        members = by_department.get(code, [])
        if not members:
            continue
        now = {i.code: make_cell(i, unit.code, periods[i.code], rows, targets,
                                 stale=(i.code, unit.code) in stale, with_trend=False) for i in members}
        before = {i.code: make_cell(i, unit.code, periods[i.code].previous(), rows, targets, with_trend=False)
                  for i in members}
        summaries.append(_summary(department, unit, asked, members, now, before, targets, flags.get(code, {})))
    return summaries


def _summary(department: DepartmentRef, unit: OrgUnit, asked: Period, members: Sequence[EvalIndicator],
             now: dict[str, CellOut], before: dict[str, CellOut], targets: TargetBook,
             flags: dict[str, int]) -> DepartmentSummary:
    counts = RagCounts()
    for cell in now.values():
        counts.add(cell)
    scored = [i for i in members if _scorable(i, targets)]
    current = _composite(scored, {i.code: now[i.code] for i in scored})
    previous = _composite(scored, {i.code: before[i.code] for i in scored})
    score = None if current is None or current.score is None else round(current.score, 1)
    previous_score = None if previous is None or previous.score is None else round(previous.score, 1)
    return DepartmentSummary(
        department=department, org_unit=org_unit_ref(unit), period=period_ref(asked), score=score, grade=grade(score),
        coverage=0.0 if current is None else round(current.coverage, 3),
        themes={} if current is None else {t: None if s is None else round(s, 1) for t, s in current.themes.items()},
        previous_score=previous_score,
        score_change=None if score is None or previous_score is None else round(score - previous_score, 1),
        counts=counts, indicators=len(members), open_flags=flags,
    )


# --- headline KPIs ------------------------------------------------------------------------------------


def headline_indicators(indicators: Sequence[EvalIndicator], *, per_department: int = 1) -> list[EvalIndicator]:
    """The headline indicators: per department the heaviest rated indicators (weight, then code), departments
    ordered by the total weight of their indicators (the larger departments first), then by code."""
    by_department: dict[str, list[EvalIndicator]] = {}
    for indicator in indicators:
        by_department.setdefault(indicator.department, []).append(indicator)
    order = sorted(by_department, key=lambda d: (-sum(i.weight for i in by_department[d]), d))
    chosen = []
    for department in order:
        ranked = sorted((i for i in by_department[department] if i.rated), key=lambda i: (-i.weight, i.code))
        chosen.extend(ranked[:per_department])
    return chosen


def headline_kpis(session: Session, warehouse: Warehouse, scope: Scope, *, org_unit: str, period: str,
                  limit: int = 8, today: date | None = None) -> list[KpiTile]:
    """The headline KPIs at ``org_unit``: the heaviest rated indicator of each of the largest departments (the
    next heaviest when it has no value for the period; a department with neither is skipped), up to ``limit``
    tiles, each with value, target, status, trend and a sparkline of the last 12 periods of its own type."""
    today = today or date.today()
    unit = resolve_org_unit(session, org_unit, scope)
    [asked] = parse_periods([period])
    candidates = headline_indicators(_visible(load_indicators(session, scope), scope, unit), per_department=2)
    periods = {i.code: evaluation_period(asked, i.natural_type, today) for i in candidates}
    paths = {unit.code: unit.path}
    now = read_values(warehouse, scope, [(i, (periods[i.code],)) for i in candidates], org_units=[unit.code],
                      paths=paths)
    chosen: dict[str, EvalIndicator] = {}
    for indicator in candidates:
        has_value = now.get((indicator.code, unit.code, periods[indicator.code].id), {}).get("value") is not None
        if has_value and indicator.department not in chosen and len(chosen) < limit:
            chosen[indicator.department] = indicator
    history = {i.code: [periods[i.code].shift(-n) for n in range(SPARKLINE_PERIODS - 1, -1, -1)]
               for i in chosen.values()}
    rows = read_values(warehouse, scope, [(i, history[i.code]) for i in chosen.values()], org_units=[unit.code],
                       paths=paths)
    stale = stale_cells(warehouse, scope, [(i, periods[i.code]) for i in chosen.values()], [unit.code], today,
                        paths=paths)
    targets = TargetBook.load(session, chosen.values())
    names = departments_by_code(session, scope)
    return [
        KpiTile(indicator=i.ref, department=names[i.department], org_unit=org_unit_ref(unit),
                cell=make_cell(i, unit.code, periods[i.code], rows, targets, stale=(i.code, unit.code) in stale),
                sparkline=[SparkPoint(period=p.id, label=p.label,
                                      value=rows.get((i.code, unit.code, p.id), {}).get("value"))
                           for p in history[i.code]])
        for i in chosen.values()
    ]
