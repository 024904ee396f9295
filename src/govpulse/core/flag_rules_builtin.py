"""The built-in flag rules that judge values, one class per kind (``flag_rules_data_quality`` has the rest):

=================  ==================================================================================
kind               fires when (on the newest period of the series)
=================  ==================================================================================
threshold          the value is in the red band (or amber, if ``amber_severity`` is set), optionally
                   only after ``min_periods`` periods running
deterioration      ``compare: running``: worse for ``runs`` periods running; ``previous`` /
                   ``last_year``: worse by more than ``drop_percent`` % than the previous period / the
                   same period last year (polarity-aware: a rise is worse when lower is better)
anomaly            robust z-score (median and MAD, the MAD floored) beyond ``k`` against the unit's own
                   recent history (``against: own_history``) or its peers in the same period (``peers``)
=================  ==================================================================================

Rules on values take ``min_denominator``: for a rate or percentage, a point whose denominator is smaller is
not judged, so a village with 3 births does not raise a flag because one of them was at home. Counts (no real
denominator) are never held back by it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from govpulse.core.enums import Polarity, Rag, Severity
from govpulse.core.evaluation import band_of
from govpulse.core.flag_rule_params import require
from govpulse.core.flag_rules import (
    FlagCandidate,
    FlagInput,
    FlagRule,
    SeriesPoint,
    contiguous_run,
    format_number,
    format_value,
    period_noun,
)

__all__ = [
    "AnomalyRule",
    "DeteriorationRule",
    "ThresholdRule",
    "ValueParams",
    "ValueRule",
    "escalated",
    "robust_z",
]

MAD_TO_SIGMA = 1.4826
"""MAD x 1.4826 estimates the standard deviation of normally distributed data."""


@dataclass(frozen=True)
class ValueParams:
    """Parameters shared by the rules that judge values."""

    min_denominator: float = 0.0

    def __post_init__(self) -> None:
        require(self.min_denominator >= 0, "min_denominator", "must be zero or more")


class ValueRule(FlagRule):
    """A rule that judges values, skipping points of rates whose denominator is below ``min_denominator``."""

    def usable(self, data: FlagInput, point: SeriesPoint) -> bool:
        if point.value is None:
            return False
        if not data.indicator.is_ratio or point.denominator is None:
            return True
        return point.denominator >= self.params.min_denominator

    def head(self, data: FlagInput, point: SeriesPoint) -> str:
        """The start of every message: "Institutional deliveries 71.2 % in Surat, Nov 2026"."""
        info = data.indicator
        shown = format_value(point.value, info.unit, info.decimals)
        return f"{info.name} {shown} in {data.org_unit.name}, {point.period.label}"

    def show(self, data: FlagInput, value: float | None, *, trim: bool = False) -> str:
        return format_value(value, data.indicator.unit, data.indicator.decimals, trim=trim)


def escalated(severity: Severity) -> Severity:
    """One step more urgent, up to critical."""
    return next((s for s in Severity if s.rank == severity.rank + 1), severity)


def _worsening_percent(base: float, current: float, polarity: Polarity) -> float | None:
    """How much worse ``current`` is than ``base``, in % of ``base`` (negative: better). None when base is 0."""
    if base == 0:
        return None
    change = (current - base) / abs(base) * 100
    return -change if polarity is Polarity.HIGHER_IS_BETTER else change


def _direction_word(polarity: Polarity) -> str:
    return "down" if polarity is Polarity.HIGHER_IS_BETTER else "up"


# --- threshold ------------------------------------------------------------------------------------------


class ThresholdRule(ValueRule):
    kind = "threshold"

    @dataclass(frozen=True)
    class Params(ValueParams):
        red_severity: Severity | None = Severity.HIGH
        amber_severity: Severity | None = None
        min_periods: int = 1
        escalate_after_periods: int | None = None

        def __post_init__(self) -> None:
            super().__post_init__()
            require(self.red_severity is not None or self.amber_severity is not None, "red_severity",
                    "red_severity and amber_severity cannot both be null: the rule would never fire")
            require(self.min_periods >= 1, "min_periods", "must be 1 or more")
            require(self.escalate_after_periods is None or self.escalate_after_periods > self.min_periods,
                    "escalate_after_periods", "must be more than min_periods")

    def describe(self) -> str:
        bands = "red band" if self.params.amber_severity is None else "red or amber band"
        running = f" for {self.params.min_periods} periods running" if self.params.min_periods > 1 else ""
        return f"The value is in the {bands}{running}."

    def _band(self, data: FlagInput, point: SeriesPoint) -> Rag | None:
        limits = data.indicator.thresholds.limits(point.target) if self.usable(data, point) else None
        return None if limits is None else band_of(point.value, limits, data.indicator.polarity)

    def check(self, data: FlagInput) -> FlagCandidate | None:
        info, latest = data.indicator, data.latest
        if info.thresholds is None or info.polarity is Polarity.NEUTRAL:
            return None
        band = self._band(data, latest)
        if band not in (Rag.RED, Rag.AMBER):
            return None
        severity = self.params.red_severity if band is Rag.RED else self.params.amber_severity
        if severity is None:
            return None
        as_bad = {Rag.RED} if band is Rag.RED else {Rag.RED, Rag.AMBER}
        run = len(contiguous_run(data.series, lambda point: self._band(data, point) in as_bad))
        if run < self.params.min_periods:
            return None
        if self.params.escalate_after_periods is not None and run >= self.params.escalate_after_periods:
            severity = escalated(severity)
        green, amber = info.thresholds.limits(latest.target)
        crossed, limit = ("amber", amber) if band is Rag.RED else ("green", green)
        side = "below" if info.polarity is Polarity.HIGHER_IS_BETTER else "above"
        running = f" for {run} {period_noun(latest.period.type, run)} running" if run > 1 else ""
        limit_words = self._limit_words(data, latest, crossed)
        message = f"{self.head(data, latest)}: {side} the {crossed} band ({limit_words}){running}"
        evidence = {"band": band.value, "limit": limit, "green_limit": green, "amber_limit": amber,
                    "basis": info.thresholds.basis, "target": latest.target, "periods_running": run}
        return self.candidate(data, latest, severity, expected=limit, message=message, evidence=evidence)

    def _limit_words(self, data: FlagInput, point: SeriesPoint, crossed: str) -> str:
        bands = data.indicator.thresholds
        percent = bands.amber if crossed == "amber" else bands.green
        if bands.basis == "absolute":
            return self.show(data, percent, trim=True)
        return f"{format_number(percent, 2, trim=True)} % of target {self.show(data, point.target, trim=True)}"


# --- deterioration --------------------------------------------------------------------------------------


class DeteriorationRule(ValueRule):
    kind = "deterioration"

    @dataclass(frozen=True)
    class Params(ValueParams):
        compare: Literal["running", "previous", "last_year"] = "running"
        runs: int = 3
        min_total_change_percent: float = 0.0
        drop_percent: float = 10.0
        severity: Severity = Severity.MEDIUM

        MODE_FIELD: ClassVar[str] = "compare"
        MODE_ONLY: ClassVar[dict[str, tuple[str, ...]]] = {
            "runs": ("running",),
            "min_total_change_percent": ("running",),
            "drop_percent": ("previous", "last_year"),
        }

        def __post_init__(self) -> None:
            super().__post_init__()
            require(self.runs >= 2, "runs", "must be 2 or more (one worse period is what 'previous' checks)")
            require(self.min_total_change_percent >= 0, "min_total_change_percent", "must be zero or more")
            require(self.drop_percent > 0, "drop_percent", "must be more than 0")

    def describe(self) -> str:
        p = self.params
        if p.compare == "running":
            return f"The value got worse {p.runs} periods running."
        against = "the previous period" if p.compare == "previous" else "the same period last year"
        return f"The value is more than {format_number(p.drop_percent, 2, trim=True)} % worse than {against}."

    def check(self, data: FlagInput) -> FlagCandidate | None:
        if data.indicator.polarity is Polarity.NEUTRAL or not self.usable(data, data.latest):
            return None
        if self.params.compare == "running":
            return self._running(data)
        return self._against(data)

    def _running(self, data: FlagInput) -> FlagCandidate | None:
        polarity, latest = data.indicator.polarity, data.latest
        run = contiguous_run(data.series, lambda point: self.usable(data, point))
        steps = 0
        while steps + 1 < len(run) and polarity.better(run[-steps - 2].value, run[-steps - 1].value):
            steps += 1
        if steps < self.params.runs:
            return None
        first = run[-steps - 1]
        total = _worsening_percent(first.value, latest.value, polarity)
        if (total if total is not None else math.inf) < self.params.min_total_change_percent:
            return None
        change = "" if total is None else f", {_direction_word(polarity)} {format_number(total, 1)} %"
        message = (f"{self.head(data, latest)}: worse for {steps} {period_noun(latest.period.type, steps)} running, "
                   f"from {self.show(data, first.value)} in {first.period.label}{change}")
        evidence = {"periods_running": steps, "from_period": first.period.id, "from_value": first.value,
                    "worse_by_percent": total}
        return self.candidate(data, latest, self.params.severity, expected=first.value, message=message,
                              evidence=evidence)

    def _against(self, data: FlagInput) -> FlagCandidate | None:
        latest, polarity = data.latest, data.indicator.polarity
        previous = self.params.compare == "previous"
        try:
            base_period = latest.period.previous() if previous else latest.period.same_period_last_year()
        except ValueError:  # the year 1 has no year before it
            return None
        base = data.point(base_period)
        if base is None or not self.usable(data, base):
            return None
        worse = _worsening_percent(base.value, latest.value, polarity)
        if worse is None or worse <= self.params.drop_percent:
            return None
        message = (f"{self.head(data, latest)}: {_direction_word(polarity)} {format_number(worse, 1)} % on "
                   f"{base.period.label} ({self.show(data, base.value)})")
        evidence = {"compared_with": base.period.id, "base_value": base.value, "worse_by_percent": worse,
                    "drop_percent": self.params.drop_percent}
        return self.candidate(data, latest, self.params.severity, expected=base.value, message=message,
                              evidence=evidence)


# --- anomaly --------------------------------------------------------------------------------------------


def robust_z(
    value: float, baseline: Sequence[float], *, mad_floor: float = 0.0, mad_floor_percent: float = 0.0
) -> tuple[float, float, float]:
    """(z, median, scale): how many robust standard deviations ``value`` lies from the median of ``baseline``.

    scale = max(1.4826 x MAD, ``mad_floor``, ``mad_floor_percent`` % of |median|): the floors stop a baseline
    that hardly moves (MAD near 0) from turning a tiny change into a huge z. With a scale of 0, z is 0 for the
    median itself and infinite otherwise."""
    median = statistics.median(baseline)
    mad = statistics.median(abs(x - median) for x in baseline)
    scale = max(MAD_TO_SIGMA * mad, mad_floor, mad_floor_percent / 100 * abs(median))
    if scale == 0:
        return (0.0 if value == median else math.copysign(math.inf, value - median)), median, 0.0
    return (value - median) / scale, median, scale


class AnomalyRule(ValueRule):
    kind = "anomaly"

    @dataclass(frozen=True)
    class Params(ValueParams):
        against: Literal["own_history", "peers"] = "own_history"
        k: float = 3.5
        escalate_k: float | None = None
        window: int = 12
        min_history: int = 6
        min_peers: int = 5
        ratios_only: bool = True
        mad_floor: float = 0.0
        mad_floor_percent: float = 5.0
        direction: Literal["both", "worse"] = "both"
        severity: Severity = Severity.MEDIUM

        MODE_FIELD: ClassVar[str] = "against"
        MODE_ONLY: ClassVar[dict[str, tuple[str, ...]]] = {
            "window": ("own_history",),
            "min_history": ("own_history",),
            "min_peers": ("peers",),
            "ratios_only": ("peers",),
        }

        def __post_init__(self) -> None:
            super().__post_init__()
            require(self.k > 0, "k", "must be more than 0")
            require(self.escalate_k is None or self.escalate_k > self.k, "escalate_k", "must be more than k")
            require(self.min_history >= 3, "min_history", "must be 3 or more")
            require(self.window >= self.min_history, "window", "must be at least min_history")
            require(self.min_peers >= 3, "min_peers", "must be 3 or more")
            require(self.mad_floor >= 0, "mad_floor", "must be zero or more")
            require(self.mad_floor_percent >= 0, "mad_floor_percent", "must be zero or more")

    def describe(self) -> str:
        against = "its own recent history" if self.params.against == "own_history" else "its peers"
        k = format_number(self.params.k, 2, trim=True)
        return f"The value is more than {k} robust standard deviations from {against}."

    def check(self, data: FlagInput) -> FlagCandidate | None:
        latest = data.latest
        if not self.usable(data, latest):
            return None
        baseline = self._baseline(data)
        if baseline is None:
            return None
        p = self.params
        z, median, scale = robust_z(latest.value, baseline, mad_floor=p.mad_floor,
                                    mad_floor_percent=p.mad_floor_percent)
        polarity = data.indicator.polarity
        if abs(z) <= p.k or (p.direction == "worse" and not polarity.better(median, latest.value)
                             and polarity is not Polarity.NEUTRAL):
            return None
        severity = escalated(p.severity) if p.escalate_k is not None and abs(z) > p.escalate_k else p.severity
        if p.against == "own_history":
            noun = period_noun(latest.period.type, len(baseline))
            context = f"unusual against its own last {len(baseline)} {noun}"
        else:
            context = f"out of line with {len(baseline)} peers"
        message = (f"{self.head(data, latest)}: {context} (median {self.show(data, median)}, "
                   f"robust z {format_number(z, 1) if math.isfinite(z) else format_number(z)})")
        evidence = {"against": p.against, "z": z, "median": median, "scale": scale, "baseline_size": len(baseline),
                    "k": p.k}
        return self.candidate(data, latest, severity, expected=median, message=message, evidence=evidence)

    def _baseline(self, data: FlagInput) -> list[float] | None:
        p = self.params
        if p.against == "peers":
            if p.ratios_only and not data.indicator.is_ratio:
                return None
            values = data.peer_values()
            return values if len(values) >= p.min_peers else None
        latest = data.latest
        start = latest.period.shift(-p.window)
        values = [point.value for point in data.series[:-1] if point.period >= start and self.usable(data, point)]
        return values if len(values) >= p.min_history else None
