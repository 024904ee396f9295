"""Red-flag rules: a small family of classes keyed by ``kind``, each configured by data (name, selector, params).

A rule looks at one indicator at one org unit (``FlagInput``: the indicator's series, oldest first, plus its
bands, its peers' values for the latest period, the time of the run and how fresh the sources feeding the
indicator were then, as ``SourceStatus`` records) and returns at most one
``FlagCandidate``: the rule's name, the indicator, the org unit, the period, a severity, the value and what was
expected, a sentence a person can read and the evidence behind it. The same (rule, indicator, org unit) is
one flag: ``flag_lifecycle.reconcile`` raises it once, keeps it open while the rule keeps firing and resolves
it when the rule stops firing.

Rule classes come from the ``register_flag_rules`` hook (the built-in ones are in ``flag_rules_builtin`` and
``flag_rules_data_quality``, registered by ``govpulse.analytics.builtin_flag_rules``); which rules run, where and with which parameters is configuration (``analytics/flag_rules.yaml``), never code.
Every rule class has a ``Params`` frozen dataclass whose fields all have defaults; ``flag_rule_params`` builds
one from a mapping, and every configuration error is a ``FlagRuleError`` naming the parameter.
"""

from __future__ import annotations

import itertools
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from govpulse.core.enums import Polarity, Severity
from govpulse.core.evaluation import Thresholds
from govpulse.core.flag_rule_params import FlagRuleError, parse_params
from govpulse.core.periods import Period, PeriodType, parse_period

__all__ = [
    "FlagCandidate",
    "FlagInput",
    "FlagKey",
    "FlagRule",
    "FlagRuleError",
    "IndicatorInfo",
    "OrgUnitInfo",
    "Selector",
    "SeriesPoint",
    "SourceStatus",
    "contiguous_run",
    "evaluate_rules",
    "format_number",
    "format_value",
    "period_noun",
    "utc_naive",
]

FlagKey = tuple[str, str, str]
"""(rule name, indicator code, org unit code): what makes a flag the same flag from one run to the next."""


# --- what a rule looks at -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One period of an indicator at one org unit, as the warehouse gives it, with the target for the period.

    ``reporting`` / ``expected`` count the org units that reported and that should have; ``stored_at`` is the
    newest time any figure behind the value was stored; ``target`` is the target resolved for this period."""

    period: Period
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    reporting: int | None = None
    expected: int | None = None
    stored_at: datetime | None = None
    target: float | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any], target: float | None = None) -> SeriesPoint:
        """A point from a warehouse indicator row (``period`` id, ``value``, ``numerator``, ``denominator``,
        ``reporting``, ``expected``, ``stored_at``; missing keys count as None)."""
        return cls(parse_period(row["period"]), row.get("value"), row.get("numerator"), row.get("denominator"),
                   row.get("reporting"), row.get("expected"), row.get("stored_at"), target)

    @property
    def reported(self) -> float | None:
        """What somebody actually typed in: the numerator when there is one, else the value. Repeats and
        month-end rushes are judged on it (a constant denominator, such as a population, is not suspicious)."""
        return self.numerator if self.numerator is not None else self.value


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    """What rules need to know about an indicator. ``is_ratio`` is True when it has a real denominator
    (a rate or a percentage), so values of units of different sizes can be compared with each other.
    ``period_type`` is the finest period type it has values for (None: not known); series of coarser types
    are summaries of the same figures, so a fact about the indicator itself (a source that stopped) is judged
    on its own type only."""

    code: str
    name: str
    department: str = ""
    polarity: Polarity = Polarity.HIGHER_IS_BETTER
    unit: str = ""
    decimals: int = 1
    thresholds: Thresholds | None = None
    is_ratio: bool = False
    period_type: PeriodType | None = None


@dataclass(frozen=True, slots=True)
class OrgUnitInfo:
    """The org unit being judged: its code, the name shown in messages, and its kind (district, village...)."""

    code: str
    name: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """How fresh one source that feeds an indicator was at the time of the run, against its promise.

    ``state``: ``fresh``, ``late`` (the due delivery has not come, the one before it did), ``stale`` (two or more
    missed running), ``missing`` (nothing ever delivered) or ``not_promised``; ``promise`` is its text ("daily
    by 09:00", empty when none); ``late_by`` how long ago the deadline of the first missed delivery passed;
    times are UTC (naive ones are taken as UTC); ``timezone`` is the source's own, for showing times."""

    code: str
    name: str
    state: str
    promise: str = ""
    late_by: timedelta | None = None
    last_delivery_at: datetime | None = None
    due_by: datetime | None = None
    timezone: str = "UTC"


@dataclass(frozen=True)
class FlagInput:
    """One indicator at one org unit: its series (any order in, kept oldest first; one period type, each period
    once), ``peers``' values for the latest period (by org-unit code; the unit itself is ignored there),
    ``today``, the time of the run (naive datetimes are taken as UTC), and ``sources``: the freshness of the
    registered sources that deliver any data element behind the indicator (empty: none does, the data was
    loaded some other way)."""

    indicator: IndicatorInfo
    org_unit: OrgUnitInfo
    series: tuple[SeriesPoint, ...]
    today: datetime
    peers: Mapping[str, float | None] = field(default_factory=dict)
    sources: tuple[SourceStatus, ...] = ()

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.series, key=lambda point: point.period))
        types_seen = {point.period.type for point in ordered}
        if len(types_seen) > 1:
            raise ValueError(f"series of {self.indicator.code} at {self.org_unit.code} mixes period types: "
                             f"{', '.join(sorted(types_seen))}")
        for earlier, later in itertools.pairwise(ordered):
            if earlier.period == later.period:
                raise ValueError(f"series of {self.indicator.code} at {self.org_unit.code} has period "
                                 f"{later.period.id} twice")
        object.__setattr__(self, "series", ordered)
        object.__setattr__(self, "_by_period", {point.period: point for point in ordered})

    @property
    def latest(self) -> SeriesPoint | None:
        """The newest point of the series, or None for an empty series."""
        return self.series[-1] if self.series else None

    @property
    def period_type(self) -> PeriodType | None:
        return self.series[0].period.type if self.series else None

    def point(self, period: Period) -> SeriesPoint | None:
        """The point for ``period``, or None when the series has none."""
        return self._by_period.get(period)  # type: ignore[attr-defined]

    def peer_values(self) -> list[float]:
        """The peers' values that are present, without this unit's own."""
        return [value for code, value in self.peers.items() if value is not None and code != self.org_unit.code]


@dataclass(frozen=True)
class FlagCandidate:
    """What one rule found about one indicator at one org unit in one run."""

    rule: str
    indicator: str
    org_unit: str
    period: str
    severity: Severity
    value: float | None
    expected: float | None
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> FlagKey:
        return (self.rule, self.indicator, self.org_unit)


# --- where a rule applies -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selector:
    """Limits a rule to some departments, indicators, org-unit kinds and period types (each empty: all)."""

    departments: frozenset[str] = frozenset()
    indicators: frozenset[str] = frozenset()
    org_unit_kinds: frozenset[str] = frozenset()
    period_types: frozenset[str] = frozenset()

    FIELDS: ClassVar[tuple[str, ...]] = ("departments", "indicators", "org_unit_kinds", "period_types")

    @classmethod
    def from_mapping(cls, given: Mapping[str, Any] | None) -> Selector:
        """A selector from ``{departments: [...], indicators: [...], ...}``; errors name the key."""
        given = dict(given or {})
        unknown = sorted(set(given) - set(cls.FIELDS))
        if unknown:
            raise FlagRuleError(f"where.{unknown[0]}", f"unknown selector; accepted: {', '.join(cls.FIELDS)}")
        chosen: dict[str, frozenset[str]] = {}
        for name, values in given.items():
            if isinstance(values, str):
                values = [values]
            if not isinstance(values, list | tuple) or not all(isinstance(v, str) and v for v in values):
                raise FlagRuleError(f"where.{name}", "must be a list of names")
            chosen[name] = frozenset(values)
        if "period_types" in chosen:
            bad = sorted(chosen["period_types"] - {ptype.value for ptype in PeriodType})
            if bad:
                raise FlagRuleError("where.period_types", f"unknown period type {bad[0]!r}; accepted: "
                                    f"{', '.join(ptype.value for ptype in PeriodType)}")
        return cls(**chosen)

    def matches(self, data: FlagInput) -> bool:
        return (
            _allows(self.departments, data.indicator.department)
            and _allows(self.indicators, data.indicator.code)
            and _allows(self.org_unit_kinds, data.org_unit.kind)
            and (not self.period_types or (data.period_type is not None and data.period_type in self.period_types))
        )

    def describe(self) -> str:
        """The selector in words, e.g. "departments HEALTH; org units of kind district, taluka"."""
        parts = [f"{name.replace('_', ' ')} {', '.join(sorted(getattr(self, name)))}"
                 for name in self.FIELDS if getattr(self, name)]
        return "; ".join(parts) or "everywhere"


def _allows(allowed: frozenset[str], value: str) -> bool:
    return not allowed or value in allowed


# --- the rule base class --------------------------------------------------------------------------------


class FlagRule(ABC):
    """A rule kind. Subclasses set ``kind``, ``Params`` (a frozen dataclass whose fields all have defaults)
    and implement ``check`` and ``describe``. An instance is one configured rule with a unique ``name``."""

    kind: ClassVar[str]
    Params: ClassVar[type]

    def __init__(
        self,
        name: str,
        params: Any = None,
        *,
        where: Selector | None = None,
        description: str = "",
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise FlagRuleError("name", "a rule needs a non-empty name")
        self.name = name
        self.params = params if isinstance(params, self.Params) else parse_params(self.Params, params or {})
        self.where = where or Selector()
        self.description = description

    def evaluate(self, data: FlagInput) -> FlagCandidate | None:
        """The candidate this rule raises for ``data``, or None (also when the selector excludes ``data``)."""
        if not data.series or not self.where.matches(data):
            return None
        return self.check(data)

    @abstractmethod
    def check(self, data: FlagInput) -> FlagCandidate | None:
        """The rule itself, for an input its selector accepts and whose series is not empty."""

    @abstractmethod
    def describe(self) -> str:
        """What the rule checks, in one sentence a person can read (for the rules page)."""

    def candidate(
        self,
        data: FlagInput,
        point: SeriesPoint,
        severity: Severity,
        *,
        expected: float | None,
        message: str,
        evidence: Mapping[str, Any],
    ) -> FlagCandidate:
        """A candidate from this rule about ``point`` of ``data``."""
        return FlagCandidate(self.name, data.indicator.code, data.org_unit.code, point.period.id, severity,
                             point.value, expected, message, dict(evidence))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} ({self.where.describe()})>"


def evaluate_rules(rules: Iterable[FlagRule], data: FlagInput) -> list[FlagCandidate]:
    """Every candidate that ``rules`` raise for ``data``, in the rules' order."""
    return [found for rule in rules if (found := rule.evaluate(data)) is not None]


# --- words ----------------------------------------------------------------------------------------------


_NOUNS = {
    PeriodType.DAILY: ("day", "days"),
    PeriodType.WEEKLY: ("week", "weeks"),
    PeriodType.MONTHLY: ("month", "months"),
    PeriodType.QUARTERLY: ("quarter", "quarters"),
    PeriodType.SIXMONTHLY: ("half-year", "half-years"),
    PeriodType.YEARLY: ("year", "years"),
    PeriodType.FINANCIAL_APRIL: ("financial year", "financial years"),
}


def period_noun(ptype: PeriodType, count: int) -> str:
    """"day"/"days", "month"/"months", ... for ``count`` periods of ``ptype``."""
    singular, plural = _NOUNS[PeriodType(ptype)]
    return singular if count == 1 else plural


def format_number(x: float, decimals: int = 1, *, trim: bool = False) -> str:
    """``x`` with Indian digit grouping (12,34,567.8); with ``trim``, trailing zeros after the point go."""
    if not math.isfinite(x):
        return "∞" if x > 0 else "-∞" if x < 0 else "NaN"
    text = f"{abs(x):.{max(decimals, 0)}f}"
    whole, _, fraction = text.partition(".")
    if trim:
        fraction = fraction.rstrip("0")
    if len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        groups = [head[max(i - 2, 0):i] for i in range(len(head), 0, -2)][::-1]
        whole = ",".join([*groups, tail])
    sign = "-" if x < 0 and float(text) != 0 else ""
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


def format_value(x: float | None, unit: str = "", decimals: int = 1, *, trim: bool = False) -> str:
    """A value as shown in messages: "71.2 %", "1,250 births", "no value"."""
    if x is None:
        return "no value"
    number = format_number(x, decimals, trim=trim)
    return f"{number} {unit}" if unit else number


def utc_naive(moment: datetime) -> datetime:
    """``moment`` as a naive UTC datetime (naive ones are taken to be UTC already), so times compare."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def contiguous_run(points: Sequence[SeriesPoint], keep: Callable[[SeriesPoint], bool]) -> list[SeriesPoint]:
    """The newest points that satisfy ``keep``, in consecutive periods with no gap, oldest first."""
    run: list[SeriesPoint] = []
    for point in reversed(points):
        if not keep(point) or (run and point.period.next() != run[-1].period):
            break
        run.append(point)
    return run[::-1]
