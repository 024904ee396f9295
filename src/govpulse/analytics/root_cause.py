"""Root cause of a flag: which children of the flagged org unit (and below the largest one, which of its
children) explain most of what went wrong, with contributions that add up exactly to the parent's gap.

Two bases, chosen from the indicator:

* **target** (a rate: the denominator has data elements). The gap to a target rate splits exactly over the
  children (``core.root_cause``): deliveries short of 95 % institutional, in deliveries. The target is the one
  resolved for the flag's org unit and period; without one, what the flag expected (the band's limit, last
  month's value, the median of the history); without that, the unit's own value in the previous period.
* **change** (a count). A count's target belongs to the unit as a whole and does not split over its children,
  but its fall does: the figure in the comparison period minus the figure now, summed over the children, is
  exactly the parent's fall. The comparison period is the one the flag compared with (``compared_with``,
  ``from_period``), else the previous period. Each contribution's numerator is the child's figure in the
  flag's period and its denominator the figure in the comparison period.

Which way is "short" follows the indicator's polarity; for a neutral indicator, the direction the flagged
value moved away from what was expected.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from govpulse.analytics.evaluation_models import Contribution, GapLevel, RootCause
from govpulse.analytics.flags import flag_outs
from govpulse.analytics.indicator_catalogue import EvalIndicator, load_indicators
from govpulse.analytics.targets import TargetBook
from govpulse.analytics.values import InvalidQuery, NotFound, org_unit_ref, period_ref, visible_paths
from govpulse.catalog.models import Flag, OrgUnit
from govpulse.catalog.repositories.flags import FlagRepository
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.enums import Polarity
from govpulse.core.periods import InvalidPeriod, Period, parse_period
from govpulse.core.root_cause import GapBreakdown, UnitFigures, drill_gap
from govpulse.core.scope import Scope
from govpulse.warehouse import Warehouse

__all__ = ["explain_flag"]

MAX_DEPTH = 4


def explain_flag(session: Session, warehouse: Warehouse, scope: Scope, flag_id: int, *,
                 depth: int = 2) -> RootCause:
    """The root cause of flag ``flag_id`` down ``depth`` levels (``NotFound`` when the flag is absent or out
    of scope; ``InvalidQuery`` for a depth outside 1-4)."""
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidQuery(f"depth must be from 1 to {MAX_DEPTH}, got {depth}")
    flag = FlagRepository(session).get(flag_id, scope)
    if flag is None:
        raise NotFound(f"no flag with id {flag_id}")
    [indicator] = load_indicators(session, Scope.system(), codes=[flag.indicator]) or [None]
    unit = OrgUnitRepository(session).get(flag.org_unit, scope)
    if indicator is None or unit is None:
        raise NotFound(f"flag {flag_id} is about an indicator or org unit that no longer exists")
    try:
        period = parse_period(flag.period)
    except InvalidPeriod as error:
        raise InvalidQuery(f"flag {flag_id} has a period that cannot be read: {error}") from None
    reader = _Reader(session, warehouse, scope, indicator)
    if indicator.is_ratio:
        return _by_target(flag, indicator, unit, period, reader, depth)
    return _by_change(flag, indicator, unit, period, reader, depth)


class _Reader:
    """Figures of one indicator at org units and their children, within the reader's scope."""

    def __init__(self, session: Session, warehouse: Warehouse, scope: Scope, indicator: EvalIndicator) -> None:
        self.session, self.warehouse, self.indicator = session, warehouse, indicator
        self.paths = visible_paths(scope, indicator.department)
        self.units = OrgUnitRepository(session)
        self.scope = scope
        self.known: dict[str, OrgUnit] = {}

    def rows(self, periods: list[Period], *, parent: str | None = None, org_unit: str | None = None) -> dict:
        table = self.warehouse.indicator_values([self.indicator.spec], [p.id for p in periods],
                                                org_units=[org_unit] if org_unit else None, parent_org_unit=parent,
                                                scope_paths=self.paths)
        return {(r["org_unit"], r["period"]): r for r in table.to_pylist()}

    def children(self, code: str) -> list[OrgUnit]:
        children = [c for c in self.units.children(code, self.scope)
                    if self.scope.allows(path=c.path, department=self.indicator.department)]
        self.known.update({c.code: c for c in children})
        return children


def _direction(indicator: EvalIndicator, value: float | None, expected: float | None) -> Polarity:
    if indicator.polarity is not Polarity.NEUTRAL:
        return indicator.polarity
    below = value is not None and expected is not None and value < expected
    return Polarity.HIGHER_IS_BETTER if below else Polarity.LOWER_IS_BETTER


def _by_target(flag: Flag, indicator: EvalIndicator, unit: OrgUnit, period: Period, reader: _Reader,
               depth: int) -> RootCause:
    own = reader.rows([period, period.previous()], org_unit=unit.code)
    now, before = own.get((unit.code, period.id), {}), own.get((unit.code, period.previous().id), {})
    resolved = TargetBook.load(reader.session, [indicator]).resolve(indicator.code, unit.code, period)
    if resolved is not None:
        target, origin = resolved.value, resolved.origin
    elif flag.expected is not None:
        target, origin = flag.expected, "expected by the flag"
    elif before.get("value") is not None:
        target, origin = before["value"], f"value in {period.previous().label}"
    else:
        raise InvalidQuery(f"flag {flag.id}: no target, no expected value and no previous value to explain "
                           "the gap against")
    polarity = _direction(indicator, now.get("value"), target)

    def children_of(code: str) -> list[UnitFigures]:
        kids = reader.children(code)
        rows = reader.rows([period], parent=code)
        return [UnitFigures(c.code, rows.get((c.code, period.id), {}).get("numerator"),
                            rows.get((c.code, period.id), {}).get("denominator"), c.name) for c in kids]

    root = UnitFigures(unit.code, now.get("numerator"), now.get("denominator"), unit.name)
    levels = drill_gap(unit.code, children_of, target, polarity, factor=indicator.factor, depth=depth,
                       root_figures=root)
    reader.known[unit.code] = unit
    values = {unit.code: now.get("value")}
    return RootCause(
        description=f"{indicator.name} in {unit.name}, {period.label}: gap to the target of "
                    f"{target:g} {indicator.unit}".rstrip() + " split over the units below",
        flag=flag_outs(reader.session, [flag])[0], indicator=indicator.ref, period=period_ref(period),
        basis="target", target=target, target_origin=origin,
        levels=[_level(b, reader, values, indicator.factor) for b in levels],
    )


def _comparison(flag: Flag, period: Period) -> Period:
    evidence = flag.evidence or {}
    for key in ("compared_with", "from_period"):
        text = evidence.get(key)
        if isinstance(text, str):
            try:
                found = parse_period(text)
            except InvalidPeriod:
                continue
            if found.type == period.type and found < period:
                return found
    return period.previous()


def _by_change(flag: Flag, indicator: EvalIndicator, unit: OrgUnit, period: Period, reader: _Reader,
               depth: int) -> RootCause:
    base = _comparison(flag, period)
    own = reader.rows([period, base], org_unit=unit.code)
    after, before = own.get((unit.code, period.id), {}), own.get((unit.code, base.id), {})
    polarity = _direction(indicator, after.get("numerator"), before.get("numerator"))

    def children_of(code: str) -> list[UnitFigures]:
        kids = reader.children(code)
        rows = reader.rows([period, base], parent=code)
        return [UnitFigures(c.code, rows.get((c.code, period.id), {}).get("numerator"),
                            rows.get((c.code, base.id), {}).get("numerator"), c.name) for c in kids]

    # numerator: the figure now; denominator: the figure then; a "target" of 100 % of then makes the gap the fall
    root = UnitFigures(unit.code, after.get("numerator"), before.get("numerator"), unit.name)
    levels = drill_gap(unit.code, children_of, 100.0, polarity, factor=100.0, depth=depth, root_figures=root)
    reader.known[unit.code] = unit
    values = {unit.code: after.get("numerator")}
    word = "fall" if polarity is Polarity.HIGHER_IS_BETTER else "rise"
    return RootCause(
        description=f"{indicator.name} in {unit.name}: the {word} from {base.label} to {period.label} split over "
                    "the units below",
        flag=flag_outs(reader.session, [flag])[0], indicator=indicator.ref, period=period_ref(period),
        basis="change", compared_with=period_ref(base),
        levels=[_level(b, reader, values, None) for b in levels],
    )


def _level(breakdown: GapBreakdown, reader: _Reader, values: dict[str, float | None],
           factor: float | None) -> GapLevel:
    """One level for readers; ``values`` holds parents' values (filled in from each level for the next)."""
    contributions = []
    for item in breakdown.contributions:
        value = item.value if factor is not None else (
            None if not item.denominator else round(item.numerator / item.denominator * 100, 1))
        values[item.org_unit] = item.value if factor is not None else item.numerator
        contributions.append(Contribution(
            org_unit=org_unit_ref(reader.known[item.org_unit]), numerator=item.numerator,
            denominator=item.denominator, value=None if value is None else round(value, reader.indicator.decimals + 1),
            gap=item.gap, share_percent=None if item.share_percent is None else round(item.share_percent, 2),
            rank=item.rank))
    return GapLevel(parent=org_unit_ref(reader.known[breakdown.parent]), parent_value=values.get(breakdown.parent),
                    gap=breakdown.gap, unattributed=breakdown.unattributed, contributions=contributions,
                    no_data=[org_unit_ref(reader.known[code]) for code in breakdown.no_data])

