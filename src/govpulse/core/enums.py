"""Choice sets used everywhere: each member keeps its value, label and (for statuses) colour together.

In the spirit of NetBox's ``ChoiceSet``: a template or chart asks ``Rag.RED.colour`` and never hard-codes a
hex code, and a form lists ``Rag.choices()``. Every enum here is a ``StrEnum``, so a member *is* its value
(``Rag.RED == "red"``) and stores, serialises and compares as a plain string.

Extra fields are given next to the value (``GREEN = "green", "On track", ...``) and set by each class's
``__new__``, so one line holds everything about a member.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Self


class ChoiceError(ValueError):
    """A text that names no member of a choice set; the message lists the accepted values."""

    def __init__(self, choice_set: str, given: str, accepted: tuple[str, ...]):
        self.choice_set = choice_set
        self.given = given
        self.accepted = accepted
        super().__init__(f"unknown {choice_set} {given!r}; accepted values are: {', '.join(accepted)}")


class Choice(StrEnum):
    """Base of every govpulse choice set: a string value plus a human ``label``."""

    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, text: str) -> Self:
        """Member whose value or name equals ``text``, ignoring case and surrounding spaces.

        Raises ``ChoiceError`` (a ``ValueError``) listing the accepted values when nothing matches.
        """
        wanted = text.strip().casefold()
        for member in cls:
            if wanted in (member.value.casefold(), member.name.casefold()):
                return member
        raise ChoiceError(_words(cls.__name__), text, tuple(member.value for member in cls))

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(value, label)`` pairs in definition order, for forms and API documentation."""
        return [(member.value, member.label) for member in cls]


def _words(class_name: str) -> str:
    """``AggregationType`` -> ``aggregation type`` for error messages."""
    return "".join(f" {c.lower()}" if c.isupper() else c for c in class_name).strip()


def readable_text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (``#RRGGBB``), by WCAG relative luminance."""
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    # Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05); pick the larger.
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#FFFFFF"


class ColouredChoice(Choice):
    """A choice with a display ``colour`` (``#RRGGBB``) as well as a label."""

    colour: str

    def __new__(cls, value: str, label: str, colour: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.colour = colour
        return member

    @property
    def text_colour(self) -> str:
        """Colour for text drawn on a badge of ``colour``, so no template has to choose one."""
        return readable_text_colour(self.colour)


# --------------------------------------------------------------------------------------------------
# Aggregation


class Combine(Choice):
    """How values are combined along one axis (over org units, or over time)."""

    SUM = "sum", "Sum"
    AVERAGE = "average", "Average"
    MIN = "min", "Minimum"
    MAX = "max", "Maximum"
    LAST = "last", "Last value"
    FIRST = "first", "First value"
    COUNT = "count", "Count of values"
    NONE = "none", "Not combined"


class AggregationType(Choice):
    """How a data element's values combine over org units and over time, with DHIS2's names and meanings.

    Values are DHIS2's own names, so metadata and API payloads from DHIS2 read unchanged.

    ==================================  ================  ================  =========================================
    member                              over time         over org units    typical use
    ==================================  ================  ================  =========================================
    SUM                                 sum               sum               births registered, cases, payments
    AVERAGE                             average           average           a rate reported as a raw value
    AVERAGE_SUM_ORG_UNIT                average           sum               population or enrolment reported monthly:
                                                                            a year is the average of its months, a
                                                                            district the sum of its villages
    LAST                                last              sum               stock on hand, staff in post
    LAST_AVERAGE_ORG_UNIT               last              average           latest score of each facility, averaged
    LAST_IN_PERIOD                      last              sum               like LAST, but only values inside the
                                                                            period count
    LAST_IN_PERIOD_AVERAGE_ORG_UNIT     last              average           like LAST_AVERAGE_ORG_UNIT, only values
                                                                            inside the period count
    FIRST                               first             sum               opening balance
    FIRST_AVERAGE_ORG_UNIT              first             average           opening score, averaged over units
    MIN                                 min               min               lowest reading
    MAX                                 max               max               highest reading
    COUNT                               count             count             number of values reported
    NONE                                none              none              not aggregated (text, codes)
    ==================================  ================  ================  =========================================

    Where the two axes differ (AVERAGE_SUM_ORG_UNIT, LAST*, FIRST*), time is combined first, per org unit, and
    the per-unit results are then combined over org units; that is DHIS2's order. "Count over org units" means
    the counts of the children are added up. DHIS2's LAST and LAST_AVERAGE_ORG_UNIT also use the latest value
    reported *before* the period when the period itself has none (``looks_before_period``); the LAST_IN_PERIOD
    variants do not.
    """

    over_time: Combine
    over_org_units: Combine

    def __new__(cls, value: str, label: str, over_time: Combine, over_org_units: Combine) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.over_time = over_time
        member.over_org_units = over_org_units
        return member

    SUM = "SUM", "Sum", Combine.SUM, Combine.SUM
    AVERAGE = "AVERAGE", "Average", Combine.AVERAGE, Combine.AVERAGE
    AVERAGE_SUM_ORG_UNIT = (
        "AVERAGE_SUM_ORG_UNIT", "Average (sum in org unit hierarchy)", Combine.AVERAGE, Combine.SUM
    )
    LAST = "LAST", "Last value (sum in org unit hierarchy)", Combine.LAST, Combine.SUM
    LAST_AVERAGE_ORG_UNIT = (
        "LAST_AVERAGE_ORG_UNIT", "Last value (average in org unit hierarchy)", Combine.LAST, Combine.AVERAGE
    )
    LAST_IN_PERIOD = (
        "LAST_IN_PERIOD", "Last value in period (sum in org unit hierarchy)", Combine.LAST, Combine.SUM
    )
    LAST_IN_PERIOD_AVERAGE_ORG_UNIT = (
        "LAST_IN_PERIOD_AVERAGE_ORG_UNIT",
        "Last value in period (average in org unit hierarchy)",
        Combine.LAST,
        Combine.AVERAGE,
    )
    FIRST = "FIRST", "First value (sum in org unit hierarchy)", Combine.FIRST, Combine.SUM
    FIRST_AVERAGE_ORG_UNIT = (
        "FIRST_AVERAGE_ORG_UNIT", "First value (average in org unit hierarchy)", Combine.FIRST, Combine.AVERAGE
    )
    MIN = "MIN", "Minimum", Combine.MIN, Combine.MIN
    MAX = "MAX", "Maximum", Combine.MAX, Combine.MAX
    COUNT = "COUNT", "Count", Combine.COUNT, Combine.COUNT
    NONE = "NONE", "None (not aggregated)", Combine.NONE, Combine.NONE

    @property
    def looks_before_period(self) -> bool:
        """True when an empty period takes the latest value reported before it (DHIS2's LAST, not LAST_IN_PERIOD)."""
        return self in (AggregationType.LAST, AggregationType.LAST_AVERAGE_ORG_UNIT)


# --------------------------------------------------------------------------------------------------
# Indicators and values


class Polarity(Choice):
    """Which direction of an indicator is good news."""

    HIGHER_IS_BETTER = "higher", "Higher is better"
    LOWER_IS_BETTER = "lower", "Lower is better"
    NEUTRAL = "neutral", "Neither direction is better"

    def better(self, a: float, b: float) -> bool:
        """True when value ``a`` is strictly better than value ``b``; never true for a neutral indicator."""
        if self is Polarity.HIGHER_IS_BETTER:
            return a > b
        if self is Polarity.LOWER_IS_BETTER:
            return a < b
        return False


class ValueType(Choice):
    """What numbers a data element accepts, with DHIS2's names and rules."""

    NUMBER = "NUMBER", "Number"
    INTEGER = "INTEGER", "Integer"
    INTEGER_POSITIVE = "INTEGER_POSITIVE", "Positive integer"
    INTEGER_ZERO_OR_POSITIVE = "INTEGER_ZERO_OR_POSITIVE", "Zero or positive integer"
    PERCENTAGE = "PERCENTAGE", "Percentage"
    BOOLEAN = "BOOLEAN", "Yes/No"

    def validate(self, x: float) -> str | None:
        """The problem with ``x`` for this value type in plain words, or None when ``x`` is acceptable.

        As in DHIS2, a PERCENTAGE is a whole number from 0 to 100 and a BOOLEAN is stored as 1 (yes) or 0 (no).
        """
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
            return f"{x!r} is not a number"
        whole = float(x).is_integer()
        shown = _show(x)
        if self is ValueType.NUMBER:
            return None
        if self is ValueType.BOOLEAN:
            return None if x in (0, 1) else f"{shown} is not a yes/no value (1 or 0)"
        if not whole:
            return f"{shown} is not a whole number"
        if self is ValueType.INTEGER_POSITIVE and x <= 0:
            return f"{shown} is not a positive whole number (1 or more)"
        if self is ValueType.INTEGER_ZERO_OR_POSITIVE and x < 0:
            return f"{shown} is negative; zero or more is expected"
        if self is ValueType.PERCENTAGE and not 0 <= x <= 100:
            return f"{shown} is not a percentage from 0 to 100"
        return None


def _show(x: float) -> str:
    """``3.0`` -> ``3``, ``2.5`` -> ``2.5``: numbers as a person would write them."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


# --------------------------------------------------------------------------------------------------
# Status and places


class Rag(ColouredChoice):
    """Red / amber / green status, plus no data and stale data.

    Colours are from the Okabe-Ito palette (readable with colour-blindness), and every status also has a
    distinct ``symbol`` so that status is never shown by colour alone.
    """

    symbol: str

    def __new__(cls, value: str, label: str, colour: str, symbol: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.colour = colour
        member.symbol = symbol
        return member

    GREEN = "green", "On track", "#009E73", "●"
    AMBER = "amber", "Needs attention", "#E69F00", "▲"
    RED = "red", "Off track", "#D55E00", "■"
    NO_DATA = "no_data", "No data", "#999999", "○"
    STALE = "stale", "Stale data", "#56B4E9", "◷"


class OrgUnitKind(Choice):
    """Kinds of node in the administrative tree (rural and urban branches share one tree)."""

    STATE = "state", "State"
    DISTRICT = "district", "District"
    TALUKA = "taluka", "Taluka"
    VILLAGE = "village", "Village"
    ULB = "ulb", "Urban local body"
    WARD = "ward", "Ward"
    TOWN = "town", "Census town"
    SCHOOL = "school", "School"
    FACILITY = "facility", "Facility"


class Severity(ColouredChoice):
    """How urgent a flag is; ``rank`` orders them (higher is more urgent)."""

    rank: int

    def __new__(cls, value: str, label: str, colour: str, rank: int) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.colour = colour
        member.rank = rank
        return member

    # Okabe-Ito again; black is that palette's own darkest colour, kept for the most urgent.
    INFO = "info", "Information", "#999999", 0
    LOW = "low", "Low", "#56B4E9", 1
    MEDIUM = "medium", "Medium", "#E69F00", 2
    HIGH = "high", "High", "#D55E00", 3
    CRITICAL = "critical", "Critical", "#000000", 4
