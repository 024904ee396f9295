"""Targets: which one applies to an org unit and period, targets derived from data, and yearly targets split.

A ``Target`` is set for the whole state (``org_unit`` None) or one org unit, for one period or standing
(``period`` None, "always"). The most specific one wins, in this order:

    =====  ==========================  ==========================================
    order  target set for              example
    =====  ==========================  ==========================================
    1      this org unit, this period  Surat, FY 2026-27: 92 %
    2      this org unit, standing     Surat: 90 %
    3      the state, this period      state, FY 2026-27: 95 %
    4      the state, standing         state: 95 %
    =====  ==========================  ==========================================

Periods match by identifier only: a yearly target does not silently apply to a month. A target stated for a
year is turned into targets for its months (or quarters) with ``split_target`` first, because a count (births
registered) is split across the months while a rate (institutional deliveries, %) holds in every month.

Derived targets, for indicators nobody has set a target for (each marked by its ``origin``):

* ``state_average_target``: the mean of the peers' values (weighted by denominators: the state's own rate);
* ``last_year_plus_target``: last year's value improved by X % (higher-is-better: +X %, lower-is-better: -X %);
* ``best_quartile_target``: the value the best quarter of peers reach: the 75th percentile of peers'
  values when higher is better, the 25th when lower is better (percentiles interpolated linearly between the
  sorted values, as numpy's default and Excel's PERCENTILE.INC do).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from govpulse.core.enums import Polarity
from govpulse.core.periods import Period, PeriodType, iter_periods, parse_period, period_of

__all__ = [
    "Target",
    "best_quartile_target",
    "last_year_plus_target",
    "percentile",
    "resolve_target",
    "split_target",
    "state_average_target",
]


@dataclass(frozen=True, slots=True)
class Target:
    """A target value for an indicator, for the state (``org_unit`` None) or one org unit, for one period
    (a period id) or standing (``period`` None). ``origin`` says where it came from: "catalogue" for a target
    somebody set, or the rule that derived it ("state_average", "last_year_plus", "best_quartile",
    "split:2026April")."""

    value: float
    org_unit: str | None = None
    period: str | None = None
    origin: str = "catalogue"

    def __post_init__(self) -> None:
        if not isinstance(self.value, int | float) or isinstance(self.value, bool) or not math.isfinite(self.value):
            raise ValueError(f"a target value must be a finite number, got {self.value!r}")


def resolve_target(targets: Iterable[Target], org_unit: str, period: Period | str) -> Target | None:
    """The target that applies to ``org_unit`` in ``period``: org unit and period, then org unit standing,
    then state and period, then state standing. None when no target applies.

    ``targets`` are one indicator's targets. Two targets for the same (org unit, period) are a data error and
    raise ``ValueError`` naming them, rather than one winning by accident of order.
    """
    period_id = period.id if isinstance(period, Period) else period
    wanted = [(org_unit, period_id), (org_unit, None), (None, period_id), (None, None)]
    found: dict[tuple[str | None, str | None], Target] = {}
    for target in targets:
        key = (target.org_unit, target.period)
        if key not in wanted:
            continue
        if key in found:
            raise ValueError(f"two targets for org unit {key[0] or 'state'}, period {key[1] or 'standing'}: "
                             f"{found[key].value} ({found[key].origin}) and {target.value} ({target.origin})")
        found[key] = target
    return next((found[key] for key in wanted if key in found), None)


# --- derived targets -------------------------------------------------------------------------------------


def state_average_target(
    peer_values: Mapping[str, float | None],
    *,
    weights: Mapping[str, float] | None = None,
    org_unit: str | None = None,
    period: str | None = None,
) -> Target | None:
    """The mean of the peers' values (those with a value), as a target. None when no peer has a value.

    For a rate, pass each peer's denominator as its weight: the weighted mean of rates is the ratio of the
    summed numerators to the summed denominators, i.e. the state's own rate rather than a mean of district rates.
    """
    present = {unit: value for unit, value in peer_values.items() if value is not None}
    if weights is None:
        total_weight, weighted = len(present), math.fsum(present.values())
    else:
        missing = sorted(unit for unit in present if unit not in weights)
        if missing:
            raise ValueError(f"no weight given for {', '.join(missing)}")
        total_weight = math.fsum(weights[unit] for unit in present)
        weighted = math.fsum(value * weights[unit] for unit, value in present.items())
    if not present or total_weight == 0:
        return None
    return Target(weighted / total_weight, org_unit, period, "state_average")


def last_year_plus_target(
    last_year_value: float | None,
    percent: float,
    polarity: Polarity,
    *,
    org_unit: str | None = None,
    period: str | None = None,
) -> Target | None:
    """Last year's value improved by ``percent`` %: x (1 + p/100) when higher is better, x (1 - p/100) when
    lower is better (10 % fewer deaths). None when there is no value for last year; a neutral indicator has no
    direction to improve in and raises ``ValueError``."""
    if polarity is Polarity.NEUTRAL:
        raise ValueError("a neutral indicator has no better direction, so it has no 'last year + X %' target")
    if last_year_value is None:
        return None
    sign = 1 if polarity is Polarity.HIGHER_IS_BETTER else -1
    return Target(last_year_value * (1 + sign * percent / 100), org_unit, period, "last_year_plus")


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, interpolating linearly between the sorted values
    (numpy's default method, Excel's PERCENTILE.INC). Raises ``ValueError`` on an empty sequence."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not between 0 and 100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def best_quartile_target(
    peer_values: Mapping[str, float | None],
    polarity: Polarity,
    *,
    org_unit: str | None = None,
    period: str | None = None,
) -> Target | None:
    """What the best quarter of peers reach: the 75th percentile of their values when higher is better, the
    25th when lower is better. None when no peer has a value; neutral indicators raise ``ValueError``."""
    if polarity is Polarity.NEUTRAL:
        raise ValueError("a neutral indicator has no better direction, so it has no best quartile")
    present = [value for value in peer_values.values() if value is not None]
    if not present:
        return None
    q = 75 if polarity is Polarity.HIGHER_IS_BETTER else 25
    return Target(percentile(present, q), org_unit, period, "best_quartile")


# --- splitting a target over shorter periods ----------------------------------------------------------------


def split_target(
    target: Target,
    into: PeriodType,
    *,
    additive: bool,
    profile: Sequence[float] | None = None,
) -> list[Target]:
    """Targets for each ``into`` period (e.g. month) inside the target's period (e.g. a financial year).

    ``additive`` is True for a count (the data element sums over time: births registered): the year's target
    is shared out in proportion to the days of each month, or to ``profile`` (one non-negative weight per
    sub-period, in order: a seasonal pattern), and the parts add up to the year's target. For a rate or an
    average (``additive`` False) every sub-period gets the year's value. Each part keeps the org unit and gets
    origin ``split:<period id>``.
    """
    if target.period is None:
        raise ValueError("a standing target (no period) cannot be split; give it a period first")
    whole = parse_period(target.period)
    parts = _sub_periods(whole, PeriodType(into))
    origin = f"split:{whole.id}"
    if not additive:
        return [replace(target, period=part.id, origin=origin) for part in parts]
    weights = _weights(parts, profile, whole)
    shares = _exact_shares(Fraction(target.value), weights)
    return [replace(target, period=part.id, value=float(share), origin=origin) for part, share in zip(parts, shares)]


def _sub_periods(whole: Period, into: PeriodType) -> list[Period]:
    if into.rank >= whole.type.rank:
        raise ValueError(f"cannot split {whole.type} {whole.id} into {into} periods: {into} is not shorter")
    first, last = period_of(whole.start, into), period_of(whole.end, into)
    if first.start != whole.start or last.end != whole.end:
        raise ValueError(f"{into} periods do not fit exactly inside {whole.type} {whole.id}")
    return list(iter_periods(first, last))


def _weights(parts: list[Period], profile: Sequence[float] | None, whole: Period) -> list[Fraction]:
    if profile is None:
        return [Fraction(part.days) for part in parts]
    if len(profile) != len(parts):
        raise ValueError(f"a profile for {whole.id} needs {len(parts)} weights (one per {parts[0].type} period), "
                         f"got {len(profile)}")
    if any(not math.isfinite(weight) or weight < 0 for weight in profile) or not any(profile):
        raise ValueError("profile weights must be finite, zero or more, and not all zero")
    return [Fraction(weight) for weight in profile]


def _exact_shares(total: Fraction, weights: list[Fraction]) -> list[Fraction]:
    """``total`` shared in proportion to ``weights``, in exact arithmetic so the parts add up to the total."""
    weight_sum = sum(weights)
    return [total * weight / weight_sum for weight in weights]
