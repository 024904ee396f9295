"""What an aggregated value means: a plain, naive reference for the warehouse's rollups.

The warehouse computes these numbers in SQL, incrementally, over millions of rows. This module computes the
same numbers from scratch over a list of stored values, in the most obvious way, so that property tests can
check the one against the other. Nothing here is fast and nothing here needs to be.

Vocabulary
    observation   one stored value: the org unit it was reported for, the first day of the period it was
                  reported for (in its data element's own period type), the value, and its disaggregation
    series        one org unit x one disaggregation: what "over time" combines (its first, last, average)
    summary       everything the warehouse keeps for (data element, org unit, period): the observations of
                  the org unit's whole subtree that fall inside the period, summarised

Meaning of each statistic of a summary
    sum, count, min, max   over every observation
    last / first           for each series, its value in the latest / earliest period that has one; added
                           up over all series (so per org unit, then over org units)
    avg_sum                for each series, the mean of its values over time; added up over all series
    reporting              the number of distinct org units with at least one observation
    newest                 the latest ``stored_at`` (freshness)

The DHIS2 ``value`` of a data element follows from its aggregation type's two axes (``Combine``), time first:

    ===================  ================  ======================================================
    over time            over org units    value
    ===================  ================  ======================================================
    sum                  sum               sum
    average              average           sum / count  (DHIS2 AVERAGE: the mean of all values)
    average              sum               avg_sum      (AVERAGE_SUM_ORG_UNIT)
    last / first         sum               last / first
    last / first         average           last / reporting, first / reporting
    min / max / count    same              min / max / count
    none                 none              the value itself where nothing was combined (one value,
                                           stored at that org unit for that very period), else none
    ===================  ================  ======================================================

Only values inside the period count: DHIS2's LAST looks back before the period when the period itself has
no value; the warehouse does not (yet), and neither does this reference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from govpulse.core.enums import AggregationType, Combine

__all__ = ["Observation", "Summary", "SUPPORTED_COMBINATIONS", "summarize", "value_of", "naive_value"]


@dataclass(frozen=True)
class Observation:
    """One stored value. ``day`` is the first day of the (native) period it was reported for."""

    org_unit: str
    day: date
    value: float
    series: str = "total"
    stored_at: datetime | None = None


@dataclass(frozen=True)
class Summary:
    """The statistics the warehouse keeps for one (data element, org unit, period); see the module docstring."""

    sum: float
    count: int
    min: float
    max: float
    last: float
    first: float
    avg_sum: float
    reporting: int
    newest: datetime | None


SUPPORTED_COMBINATIONS: frozenset[tuple[Combine, Combine]] = frozenset(
    {
        (Combine.SUM, Combine.SUM),
        (Combine.AVERAGE, Combine.AVERAGE),
        (Combine.AVERAGE, Combine.SUM),
        (Combine.LAST, Combine.SUM),
        (Combine.LAST, Combine.AVERAGE),
        (Combine.FIRST, Combine.SUM),
        (Combine.FIRST, Combine.AVERAGE),
        (Combine.MIN, Combine.MIN),
        (Combine.MAX, Combine.MAX),
        (Combine.COUNT, Combine.COUNT),
        (Combine.NONE, Combine.NONE),
    }
)
"""(over time, over org units) pairs that have a meaning here; every DHIS2 aggregation type is one of them."""


def summarize(observations: Iterable[Observation]) -> Summary | None:
    """The summary of some observations (already cut to one subtree and one period); None if there are none."""
    observations = list(observations)
    if not observations:
        return None
    values = [o.value for o in observations]
    series: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for o in observations:
        series[(o.org_unit, o.series)].append(o)
    lasts, firsts, means = [], [], []
    for members in series.values():
        members.sort(key=lambda o: o.day)
        lasts.append(members[-1].value)
        firsts.append(members[0].value)
        means.append(sum(o.value for o in members) / len(members))
    stamps = [o.stored_at for o in observations if o.stored_at is not None]
    return Summary(
        sum=sum(values),
        count=len(values),
        min=min(values),
        max=max(values),
        last=sum(lasts),
        first=sum(firsts),
        avg_sum=sum(means),
        reporting=len({o.org_unit for o in observations}),
        newest=max(stamps) if stamps else None,
    )


def value_of(summary: Summary, aggregation_type: AggregationType, *, combined: bool) -> float | None:
    """The DHIS2 value of a summary for a data element of ``aggregation_type``.

    ``combined`` is False only when the summary is one stored value at its own org unit and own period
    (nothing was aggregated); it matters only for NONE, which has a value there and nowhere else.
    """
    pair = (aggregation_type.over_time, aggregation_type.over_org_units)
    if pair not in SUPPORTED_COMBINATIONS:
        raise ValueError(f"aggregation over time {pair[0]} then over org units {pair[1]} has no meaning here")
    over_time, over_units = pair
    if over_time is Combine.NONE:
        return None if combined else summary.sum
    if over_time is Combine.AVERAGE and over_units is Combine.AVERAGE:
        return summary.sum / summary.count
    if over_time in (Combine.MIN, Combine.MAX, Combine.COUNT):
        return {Combine.MIN: summary.min, Combine.MAX: summary.max, Combine.COUNT: float(summary.count)}[over_time]
    per_unit_total = {
        Combine.SUM: summary.sum,
        Combine.AVERAGE: summary.avg_sum,
        Combine.LAST: summary.last,
        Combine.FIRST: summary.first,
    }[over_time]
    return per_unit_total if over_units is Combine.SUM else per_unit_total / summary.reporting


def naive_value(
    observations: Iterable[Observation], aggregation_type: AggregationType, *, combined: bool = True
) -> float | None:
    """The DHIS2 value straight from the definitions, without going through a ``Summary``.

    Written separately from ``summarize``/``value_of`` (time first per series, then per org unit, then over
    org units) so that a test can check the two routes agree.
    """
    observations = list(observations)
    if not observations:
        return None
    over_time, over_units = aggregation_type.over_time, aggregation_type.over_org_units
    values = [o.value for o in observations]
    if over_time is Combine.NONE:
        return values[0] if len(values) == 1 and not combined else None
    if over_time is Combine.AVERAGE and over_units is Combine.AVERAGE:
        return sum(values) / len(values)
    if over_time is Combine.MIN:
        return min(values)
    if over_time is Combine.MAX:
        return max(values)
    if over_time is Combine.COUNT:
        return float(len(values))
    per_unit: dict[str, float] = defaultdict(float)
    by_series: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for o in observations:
        by_series[(o.org_unit, o.series)].append(o)
    for (unit, _), members in by_series.items():
        ordered = sorted(members, key=lambda o: o.day)
        if over_time is Combine.SUM:
            per_unit[unit] += sum(o.value for o in ordered)
        elif over_time is Combine.AVERAGE:
            per_unit[unit] += sum(o.value for o in ordered) / len(ordered)
        elif over_time is Combine.LAST:
            per_unit[unit] += ordered[-1].value
        else:
            per_unit[unit] += ordered[0].value
    total = sum(per_unit.values())
    return total if over_units is Combine.SUM else total / len(per_unit)
