"""Targets as evaluation uses them: the catalogue's Target rows, resolved per org unit and period, and targets
derived from data where nobody set one.

Which target applies follows ``core.targets.resolve_target``: this org unit and period, this org unit
standing, the state and period, the state standing. So the catalogue's standing state target (org unit and
period empty) applies to every org unit unless a more specific one exists.

A target set for a longer period (a financial year) also applies to the months and quarters inside it: it is
split with ``core.targets.split_target`` when the book is loaded, shared out by days for a count that sums
over time and repeated for a rate. A target set for the shorter period itself always wins over a split part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.analytics.indicator_catalogue import EvalIndicator
from govpulse.catalog.models import Indicator, OrgUnit
from govpulse.catalog.models import Target as TargetRow
from govpulse.core.enums import Polarity
from govpulse.core.periods import InvalidPeriod, Period, PeriodType, parse_period
from govpulse.core.targets import Target, best_quartile_target, resolve_target, split_target, state_average_target

__all__ = ["TargetBook", "derived_target"]

_SPLIT_INTO = (PeriodType.MONTHLY, PeriodType.QUARTERLY)


class TargetBook:
    """Every target of some indicators, by indicator code, ready to resolve."""

    def __init__(self, targets: Mapping[str, Iterable[Target]]) -> None:
        self._targets = {code: tuple(items) for code, items in targets.items()}
        self._index: dict[str, dict[tuple[str | None, str | None], Target]] = {}
        for code, items in self._targets.items():
            index = self._index[code] = {}
            for target in items:
                key = (target.org_unit, target.period)
                if key in index:  # the same error core.targets.resolve_target raises, found once at load
                    resolve_target([index[key], target], target.org_unit or "", target.period or "")
                index[key] = target

    @classmethod
    def load(cls, session: Session, indicators: Iterable[EvalIndicator]) -> TargetBook:
        """The Target rows of ``indicators`` (org units by code; None for the state), with period targets
        split over the months and quarters they contain."""
        wanted = {i.code: i for i in indicators}
        if not wanted:
            return cls({})
        stmt = (select(Indicator.code, OrgUnit.code, TargetRow.period, TargetRow.value, TargetRow.origin)
                .join(Indicator, Indicator.id == TargetRow.indicator_id)
                .outerjoin(OrgUnit, OrgUnit.id == TargetRow.org_unit_id))
        found: dict[str, list[Target]] = {}
        for indicator, org_unit, period, value, origin in session.execute(stmt):
            if indicator in wanted:
                found.setdefault(indicator, []).append(Target(value, org_unit, period, origin or "catalogue"))
        return cls({code: _with_splits(items, wanted[code].additive) for code, items in found.items()})

    def resolve(self, indicator: str, org_unit: str, period: Period | str) -> Target | None:
        """The target of ``indicator`` that applies to ``org_unit`` in ``period``, or None: the order of
        ``core.targets.resolve_target``, looked up in an index (the flag engine asks a million times a run)."""
        index = self._index.get(indicator)
        if not index:
            return None
        period_id = period.id if isinstance(period, Period) else period
        for key in ((org_unit, period_id), (org_unit, None), (None, period_id), (None, None)):
            found = index.get(key)
            if found is not None:
                return found
        return None

    def value(self, indicator: str, org_unit: str, period: Period | str) -> float | None:
        target = self.resolve(indicator, org_unit, period)
        return None if target is None else target.value

    def has_any(self, indicator: str) -> bool:
        return bool(self._targets.get(indicator))


def _with_splits(targets: list[Target], additive: bool) -> tuple[Target, ...]:
    """``targets`` plus the parts of period targets for shorter periods that no target of their own covers."""
    explicit = {(t.org_unit, t.period) for t in targets}
    parts: dict[tuple[str | None, str | None], Target] = {}
    for target in targets:
        if target.period is None:
            continue
        try:
            period = parse_period(target.period)
        except InvalidPeriod:
            continue  # a target for a period nobody can name applies to nothing
        for into in _SPLIT_INTO:
            if into.rank >= period.type.rank:
                continue
            try:
                pieces = split_target(target, into, additive=additive)
            except ValueError:
                continue  # e.g. quarters do not fit a half-year that straddles a financial year
            for piece in pieces:
                key = (piece.org_unit, piece.period)
                held = parts.get(key)
                # two containing targets (a year and a financial year): the shorter one is more specific
                if key not in explicit and (held is None or _span(piece) < _span(held)):
                    parts[key] = piece
    return tuple(targets) + tuple(parts.values())


def _span(target: Target) -> int:
    origin = target.origin.removeprefix("split:")
    try:
        return parse_period(origin).days
    except InvalidPeriod:
        return 10**6


def derived_target(
    rule: str,
    peer_values: Mapping[str, float | None],
    polarity: Polarity,
    *,
    weights: Mapping[str, float] | None = None,
    org_unit: str | None = None,
    period: str | None = None,
) -> Target | None:
    """A target derived from the peers' values when nobody set one: ``state_average`` (weighted by
    ``weights``, e.g. denominators, which gives the state's own rate) or ``best_quartile``."""
    if rule == "state_average":
        return state_average_target(peer_values, weights=weights, org_unit=org_unit, period=period)
    if rule == "best_quartile":
        return best_quartile_target(peer_values, polarity, org_unit=org_unit, period=period)
    raise ValueError(f"unknown target rule {rule!r}; use state_average or best_quartile")
