"""Which rolled-up periods exist, and where each is computed from: a pure plan every backend shares.

Leaf values are stored in their data element's own ("native") period type. Every coarser period type that
the native one nests in (``coarser_types``) and that the warehouse is configured to keep becomes a *tier*.
A tier is computed either from the leaf values themselves or, when a finer tier already holds the same
information in fewer rows, from that tier: quarters from months, financial years from quarters. Deriving
is exact for sum, count, min, max, first and last; the per-series average is carried as sum / count.

What is stored (measured, see ``bench/RESULTS.md``): only the tiers computed straight from leaf values
(``stored_tiers``: week and month of a daily element, quarter of a monthly one). Every other tier is derived
at read time from the coarsest stored tier that nests in it (``base_for``): a financial year is twelve month
slices, each stored contiguously, which reads in ~3 ms, while keeping it stored would triple the rows that
every day's new values rewrite. The native period itself is read straight from the leaf values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from govpulse.core.periods import PERIOD_TYPES, PeriodType, coarser_types

__all__ = [
    "PERIOD_CODES",
    "CODE_PERIODS",
    "Tier",
    "tiers_for",
    "all_tiers",
    "stored_tiers",
    "base_for",
    "DEFAULT_PERIOD_TYPES",
]

PERIOD_CODES: dict[PeriodType, int] = {
    PeriodType.DAILY: 1,
    PeriodType.WEEKLY: 2,
    PeriodType.MONTHLY: 3,
    PeriodType.QUARTERLY: 4,
    PeriodType.SIXMONTHLY: 5,
    PeriodType.YEARLY: 6,
    PeriodType.FINANCIAL_APRIL: 7,
}
"""Small integer stored for each period type (a period is (type code, first day) inside the warehouse)."""

CODE_PERIODS: dict[int, PeriodType] = {code: ptype for ptype, code in PERIOD_CODES.items()}

DEFAULT_PERIOD_TYPES: frozenset[PeriodType] = frozenset(PeriodType)
"""Every period type is rolled up unless the warehouse is told otherwise."""


@dataclass(frozen=True)
class Tier:
    """One rolled-up period type for data elements of one native type, and what it is computed from."""

    native: PeriodType
    target: PeriodType
    source: PeriodType  # == native: from leaf values; otherwise from that (finer) tier

    @property
    def from_leaf_values(self) -> bool:
        return self.source == self.native


def tiers_for(native: PeriodType, kept: Iterable[PeriodType] = DEFAULT_PERIOD_TYPES) -> tuple[Tier, ...]:
    """The tiers of a native type, finest first, each reading from the coarsest finer tier that contains it.

    >>> [(t.target.value, t.source.value) for t in tiers_for(PeriodType.MONTHLY)]
    [('Quarterly', 'Monthly'), ('SixMonthly', 'Quarterly'), ('Yearly', 'SixMonthly'), ('FinancialApril', 'Quarterly')]
    """
    kept = frozenset(kept)
    targets = [t for t in PERIOD_TYPES if t in coarser_types(native) and t in kept]
    tiers: list[Tier] = []
    for target in targets:
        finer = [t.target for t in tiers if target in coarser_types(t.target)]
        source = max(finer, key=lambda p: (p.rank, p.value)) if finer else native
        tiers.append(Tier(native, target, source))
    return tuple(tiers)


def all_tiers(kept: Iterable[PeriodType] = DEFAULT_PERIOD_TYPES) -> tuple[Tier, ...]:
    """Every tier of every native type, each native type's tiers finest first."""
    kept = frozenset(kept)
    return tuple(tier for native in PERIOD_TYPES for tier in tiers_for(native, kept))


def stored_tiers(native: PeriodType, kept: Iterable[PeriodType] = DEFAULT_PERIOD_TYPES) -> tuple[Tier, ...]:
    """The tiers a rollup stores for a native type: those computed straight from leaf values."""
    return tuple(tier for tier in tiers_for(native, kept) if tier.from_leaf_values)


def base_for(
    native: PeriodType, target: PeriodType, kept: Iterable[PeriodType] = DEFAULT_PERIOD_TYPES
) -> PeriodType | None:
    """Where ``target`` periods of an element of type ``native`` are read from: ``native`` (leaf values),
    ``target`` itself (a stored tier), a stored finer tier to derive it from, or None (no such values).

    >>> base_for(PeriodType.DAILY, PeriodType.FINANCIAL_APRIL).value
    'Monthly'
    >>> base_for(PeriodType.MONTHLY, PeriodType.WEEKLY) is None
    True
    """
    kept = frozenset(kept)
    if target == native:
        return native
    if target not in kept or target not in coarser_types(native):
        return None
    stored = [tier.target for tier in stored_tiers(native, kept)]
    if target in stored:
        return target
    sources = [s for s in stored if target in coarser_types(s)]
    return max(sources, key=lambda p: (p.rank, p.value)) if sources else native
