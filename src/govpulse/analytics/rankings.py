"""Rankings: the children of an org unit ranked by an indicator (polarity-aware, ties share a rank), scored 0-100
between the worst and the best, with the change since another period (most improved, rank change) and ranks
within peer groups by population band."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from govpulse.analytics.evaluate import make_cell, read_values, stale_in, stale_windows
from govpulse.analytics.evaluation_models import CellOut, PeerGroup, Ranking, RankingRow
from govpulse.analytics.indicator_catalogue import EvalIndicator, evaluation_period, load_indicators
from govpulse.analytics.targets import TargetBook
from govpulse.analytics.values import (
    InvalidQuery,
    NotFound,
    org_unit_ref,
    parse_periods,
    period_ref,
    resolve_org_unit,
    visible_paths,
)
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.enums import Polarity
from govpulse.core.evaluation import min_max_scores
from govpulse.core.periods import PeriodType, period_of
from govpulse.core.rankings import improvement_ranking, population_bands, rank, rank_within_groups
from govpulse.core.scope import Scope
from govpulse.warehouse import Warehouse

__all__ = ["POPULATION_ELEMENT", "drilldown_ranking", "rankings"]

POPULATION_ELEMENT = "census_population"
"""The data element whose newest yearly value sorts units into population bands (the demo's Census 2011)."""


def rankings(session: Session, warehouse: Warehouse, scope: Scope, *, indicator: str, org_unit: str, period: str,
             compare_to: str | None = None, peer_bands: Sequence[float] | None = None,
             population_element: str = POPULATION_ELEMENT, today: date | None = None) -> Ranking:
    """The children of ``org_unit`` ranked by ``indicator`` in ``period`` (best first), with their score,
    status, target and coverage, and ``org_unit``'s own cell; with ``compare_to``, the change since then, the
    improvement rank and the rank change; with ``peer_bands`` (population bounds, e.g. [500000, 1500000]),
    ranks within each band."""
    ind = _indicator(session, scope, indicator)
    if ind.polarity is Polarity.NEUTRAL:
        raise InvalidQuery(f"{ind.code} has no better direction (neutral), so it cannot be ranked")
    return _ranking(session, warehouse, scope, ind, org_unit, period, compare_to=compare_to, peer_bands=peer_bands,
                    population_element=population_element, today=today or date.today())


def drilldown_ranking(session: Session, warehouse: Warehouse, scope: Scope, *, indicator: str, org_unit: str,
                      period: str, today: date | None = None) -> Ranking:
    """The drill-down in one call: ``org_unit``'s own cell (value, target, status, coverage) and each child's
    value, numerator, denominator, coverage, target, status and rank, all for the same period. Unlike
    ``rankings`` it takes a neutral indicator too (no better direction): its children are then not ranked
    (no rank, no score), in name order."""
    ind = _indicator(session, scope, indicator)
    return _ranking(session, warehouse, scope, ind, org_unit, period, today=today or date.today(),
                    ranked=ind.polarity is not Polarity.NEUTRAL)


def _indicator(session: Session, scope: Scope, code: str) -> EvalIndicator:
    found = load_indicators(session, scope, codes=[code])
    if not found:
        raise NotFound(f"no indicator with code {code!r}")
    return found[0]


def _ranking(session: Session, warehouse: Warehouse, scope: Scope, ind: EvalIndicator, org_unit: str, period: str,
             *, today: date, compare_to: str | None = None, peer_bands: Sequence[float] | None = None,
             population_element: str = POPULATION_ELEMENT, ranked: bool = True) -> Ranking:
    unit = resolve_org_unit(session, org_unit, scope)
    if not scope.allows(path=unit.path, department=ind.department):
        raise NotFound(f"no indicator with code {ind.code!r} at org unit {org_unit!r}")
    [asked] = parse_periods([period])
    evaluated = evaluation_period(asked, ind.natural_type, today)
    before = evaluation_period(parse_periods([compare_to])[0], ind.natural_type, today) if compare_to else None
    children = [c for c in OrgUnitRepository(session).children(unit.code, scope)
                if scope.allows(path=c.path, department=ind.department)]
    # The staleness window's periods come in the same reads: a figure whose data stopped is shown as stale here
    # as on the overview and the scorecard, never as fresh.
    windows = stale_windows([(ind, evaluated)], today)
    window = list(windows[ind.code].periods) if ind.code in windows else []
    wanted = list(dict.fromkeys([evaluated, evaluated.previous(), *window] + ([before] if before else [])))
    rows = read_values(warehouse, scope, [(ind, wanted)], parent=unit.code)
    own = read_values(warehouse, scope, [(ind, list(dict.fromkeys([evaluated, *window])))], org_units=[unit.code])
    stale = stale_in(windows, rows, [c.code for c in children]) | stale_in(windows, own, [unit.code])
    targets = TargetBook.load(session, [ind])
    cells = {c.code: make_cell(ind, c.code, evaluated, rows, targets, with_trend=False,
                               stale=(ind.code, c.code) in stale) for c in children}
    values = {code: cell.value for code, cell in cells.items()}
    places = {r.key: r.rank for r in rank(values, ind.polarity, decimals=ind.decimals)} if ranked else {}
    scores = min_max_scores(values, ind.polarity) if ranked else {}
    improvement = {}
    if before is not None:
        earlier = {c.code: rows.get((ind.code, c.code, before.id), {}).get("value") for c in children}
        improvement = {i.key: i for i in improvement_ranking(earlier, values, ind.polarity, decimals=ind.decimals)}
    groups, peer_rank = _peer_groups(warehouse, scope, ind.department, children, values, ind.polarity,
                                     peer_bands, population_element, ind.decimals)
    out = [_row(child, cells[child.code], places.get(child.code), scores.get(child.code),
                improvement.get(child.code), groups.get(child.code), peer_rank.get(child.code), ind.decimals)
           for child in children]
    out.sort(key=lambda r: (r.rank is None, r.rank or 0, r.org_unit.name))
    bands = sorted({name for name in groups.values()})
    return Ranking(
        description=f"{ind.name}; {unit.name} by {'area' if not children else children[0].kind}s; {evaluated.label}"
                    + (f" against {before.label}" if before else ""),
        indicator=ind.ref, org_unit=org_unit_ref(unit), period=period_ref(evaluated),
        compare_to=period_ref(before) if before else None,
        parent=make_cell(ind, unit.code, evaluated, own, targets, with_trend=False,
                         stale=(ind.code, unit.code) in stale), rows=out,
        peer_groups=[PeerGroup(name=b, members=sorted(c for c, g in groups.items() if g == b)) for b in bands],
    )


def _row(child, cell: CellOut, place: int | None, score: float | None, change, group: str | None,
         peer_rank: int | None, decimals: int) -> RankingRow:
    """One child's row: its cell's figures (value, target, status, coverage) with its places."""
    return RankingRow(
        org_unit=org_unit_ref(child), value=cell.value, numerator=cell.numerator, denominator=cell.denominator,
        rank=place, score=None if score is None else round(score, 1), status=cell.status, target=cell.target,
        previous_value=change.before if change else None,
        change=None if change is None or change.change is None else round(change.change, decimals + 1),
        improvement_rank=change.rank if change else None, previous_rank=change.rank_before if change else None,
        rank_change=change.rank_change if change else None, peer_group=group, peer_rank=peer_rank,
        reporting=cell.reporting, expected=cell.expected, coverage=cell.coverage, stored_at=cell.stored_at,
    )


def _peer_groups(warehouse: Warehouse, scope: Scope, department: str, children, values, polarity: Polarity,
                 bounds: Sequence[float] | None, element: str, decimals: int):
    """({unit: band name}, {unit: rank within its band}); empty without bounds or population figures."""
    if not bounds or not children:
        return {}, {}
    try:
        bands_bounds = sorted(float(b) for b in bounds)
        population = _population(warehouse, scope, department, [c.code for c in children], element)
        groups = population_bands(population, bands_bounds)
    except ValueError as error:
        raise InvalidQuery(str(error)) from None
    ranking = rank_within_groups(values, groups, polarity, decimals=decimals)
    peer_rank = {r.key: r.rank for members in ranking.groups.values() for r in members}
    return groups, peer_rank


def _population(warehouse: Warehouse, scope: Scope, department: str, codes: list[str],
                element: str) -> dict[str, float | None]:
    """Each unit's population from ``element``'s newest yearly value."""
    fresh = warehouse.freshness([element])
    ends = fresh.column("last_period_end").to_pylist()
    if not ends or ends[0] is None:
        raise ValueError(f"no population figures: data element {element!r} has no values")
    year = period_of(ends[0], PeriodType.YEARLY)
    table = warehouse.data_values([element], codes, [year.id], scope_paths=visible_paths(scope, department))
    found = dict(zip(table.column("org_unit").to_pylist(), table.column("value").to_pylist()))
    return {code: found.get(code) for code in codes}
