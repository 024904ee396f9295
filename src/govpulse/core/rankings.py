"""Rankings of org units (or departments, or officers): by value, by improvement, and within peer groups.

Ties share a rank and the next rank skips ("standard competition ranking", 1-2-2-4): two districts tied for
second are both 2nd and the next is 4th, so a rank always says how many did strictly better (rank - 1). Dense
ranking (1-2-2-3) would make the 4th of 33 districts look 3rd. Ties are exact equality of the values compared,
so round values to the decimals shown first (``decimals=``) and a tie on screen is a tie in rank.

Units without a value get rank None and come last, in key order.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from govpulse.core.enums import Polarity

__all__ = [
    "Improvement",
    "PeerRanking",
    "Ranked",
    "groups_from_lists",
    "improvement_ranking",
    "population_bands",
    "rank",
    "rank_within_groups",
]


@dataclass(frozen=True, slots=True)
class Ranked:
    """One unit's place: ``rank`` 1 is the best, None when it has no value."""

    key: str
    value: float | None
    rank: int | None


def rank(
    values: Mapping[str, float | None],
    polarity: Polarity = Polarity.HIGHER_IS_BETTER,
    *,
    decimals: int | None = None,
) -> list[Ranked]:
    """``values`` ranked best first (standard competition ranking; ties share a rank, then key order)."""
    if polarity is Polarity.NEUTRAL:
        raise ValueError("a neutral indicator has no better direction, so it cannot be ranked")
    compared = {key: _rounded(value, decimals) for key, value in values.items()}
    present = [key for key, value in compared.items() if value is not None]
    sign = -1 if polarity is Polarity.HIGHER_IS_BETTER else 1
    present.sort(key=lambda key: (sign * compared[key], key))
    ranked: list[Ranked] = []
    for position, key in enumerate(present):
        tied = position > 0 and compared[key] == compared[present[position - 1]]
        place = ranked[-1].rank if tied else position + 1
        ranked.append(Ranked(key, values[key], place))
    absent = sorted(key for key, value in compared.items() if value is None)
    return ranked + [Ranked(key, None, None) for key in absent]


def _rounded(value: float | None, decimals: int | None) -> float | None:
    if value is None or decimals is None:
        return value
    return round(value, decimals)


# --- most improved --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Improvement:
    """A unit's change between two periods.

    ``change`` is after - before; ``rank`` orders by improvement (1 = most improved: the largest rise when
    higher is better, the largest fall when lower is better); ``rank_change`` is rank_before - rank_after, so
    a positive number means the unit climbed. Any of these is None when a period has no value.
    """

    key: str
    before: float | None
    after: float | None
    change: float | None
    rank: int | None
    rank_before: int | None
    rank_after: int | None
    rank_change: int | None


def improvement_ranking(
    before: Mapping[str, float | None],
    after: Mapping[str, float | None],
    polarity: Polarity = Polarity.HIGHER_IS_BETTER,
    *,
    decimals: int | None = None,
) -> list[Improvement]:
    """Units ranked by how much they improved from ``before`` to ``after`` (most improved first), with their
    ranks in each period. Ranks in each period are among the units that have a value in that period."""
    keys = sorted(set(before) | set(after))
    old = {key: _rounded(before.get(key), decimals) for key in keys}
    new = {key: _rounded(after.get(key), decimals) for key in keys}
    changes = {key: None if old[key] is None or new[key] is None else new[key] - old[key] for key in keys}
    by_change = {item.key: item.rank for item in rank(changes, polarity, decimals=decimals)}
    rank_before = {item.key: item.rank for item in rank(old, polarity)}
    rank_after = {item.key: item.rank for item in rank(new, polarity)}
    rows = [
        Improvement(
            key, before.get(key), after.get(key), changes[key], by_change[key], rank_before[key], rank_after[key],
            None if rank_before[key] is None or rank_after[key] is None else rank_before[key] - rank_after[key],
        )
        for key in keys
    ]
    return sorted(rows, key=lambda row: (row.rank is None, row.rank or 0, row.key))


# --- peer groups ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeerRanking:
    """Rankings within each peer group (by group name), and the units that belong to no group."""

    groups: Mapping[str, list[Ranked]]
    ungrouped: tuple[str, ...]


def rank_within_groups(
    values: Mapping[str, float | None],
    groups: Mapping[str, str],
    polarity: Polarity = Polarity.HIGHER_IS_BETTER,
    *,
    decimals: int | None = None,
) -> PeerRanking:
    """Rank like with like: ``groups`` maps each unit to its peer group (a population band, an explicit list,
    "aspirational districts"), and each group is ranked on its own. Units of ``values`` without a group are
    listed in ``ungrouped`` rather than dropped silently."""
    members: dict[str, dict[str, float | None]] = {}
    ungrouped = []
    for key, value in values.items():
        if key in groups:
            members.setdefault(groups[key], {})[key] = value
        else:
            ungrouped.append(key)
    ranked = {name: rank(members[name], polarity, decimals=decimals) for name in sorted(members)}
    return PeerRanking(ranked, tuple(sorted(ungrouped)))


def groups_from_lists(lists: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """``{group: [units]}`` -> ``{unit: group}``; a unit listed in two groups raises ``ValueError`` naming both."""
    groups: dict[str, str] = {}
    for name, units in lists.items():
        for unit in units:
            if unit in groups and groups[unit] != name:
                raise ValueError(f"{unit} is in two peer groups: {groups[unit]!r} and {name!r}")
            groups[unit] = name
    return groups


def population_bands(populations: Mapping[str, float | None], bounds: Sequence[float]) -> dict[str, str]:
    """Peer groups by population: ``bounds`` [10000, 50000] give "< 10,000", "10,000 to < 50,000" and
    ">= 50,000". Units with no population get no group."""
    edges = list(bounds)
    if not edges or any(a >= b for a, b in itertools.pairwise(edges)):
        raise ValueError(f"population band bounds must be given in increasing order, got {edges}")
    labels = [f"< {edges[0]:,.0f}"]
    labels += [f"{low:,.0f} to < {high:,.0f}" for low, high in itertools.pairwise(edges)]
    labels.append(f">= {edges[-1]:,.0f}")
    bands = {}
    for unit, population in populations.items():
        if population is not None:
            bands[unit] = labels[sum(population >= edge for edge in edges)]
    return bands
