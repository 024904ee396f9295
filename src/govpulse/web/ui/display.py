"""Indicator values as text in the reader's language: "91.2%", "12,34,567", "4.5 days", "₹ 12.3 lakh".

The one place that decides how a value of an indicator is written, used by templates (``value_text``), chart
specs (tooltips and labels) and nothing else; the numbers themselves come from analytics untouched.
"""

from __future__ import annotations

from govpulse.core import formatting
from govpulse.core.enums import Rag

PERCENT_UNITS = frozenset({"%", "percent"})
MONEY_UNITS = frozenset({"₹", "rs", "inr", "rupees"})
COMPACT_FROM = 10_00_000  # a value of ten lakh or more reads better as "12.3 lakh" in a tile or a chart label


def value_text(value: float | None, *, unit: str = "", decimals: int = 1, lang: str = "en",
               digits: formatting.Digits = "latin", compact: bool = False) -> str:
    """``value`` with its unit: a percentage as "91.2%", money as "₹ 12.3 lakh", other units after the
    number ("4.5 days"); ``compact`` writes ten lakh and more in lakh and crore. Missing is "—"."""
    if value is None:
        return formatting.MISSING
    unit_key = unit.strip().casefold()
    if unit_key in PERCENT_UNITS:
        return formatting.format_percent(value, decimals, lang=lang, digits=digits)
    if compact and abs(value) >= COMPACT_FROM:
        number = formatting.format_compact(value, lang, digits=digits)
    else:
        number = formatting.format_indian(value, decimals, lang=lang, digits=digits)
    if unit_key in MONEY_UNITS:
        return f"₹ {number}"
    return f"{number} {unit}".strip() if unit else number


def count_text(value: float | None, *, lang: str = "en", digits: formatting.Digits = "latin") -> str:
    return formatting.format_indian(value, 0, lang=lang, digits=digits)


# Status as drawn on a chart: ECharts symbol names matching each status's symbol in core.enums (● ▲ ■ ○ ◷),
# so a marker or a map's pattern says the status by shape as well as colour.
CHART_SYMBOL = {Rag.GREEN: "circle", Rag.AMBER: "triangle", Rag.RED: "rect", Rag.NO_DATA: "emptyCircle",
                Rag.STALE: "diamond"}


def status_colour(status: Rag | None) -> str:
    """The colour a status is drawn in (grey when the indicator has no rating)."""
    return (status or Rag.NO_DATA).colour


class Show:
    """``show`` in templates: values written in the reader's language and digits (bound once per page)."""

    def __init__(self, lang: str, digits: formatting.Digits = "latin") -> None:
        self.lang = lang
        self.digits = digits

    def value(self, value: float | None, unit: str = "", decimals: int = 1, compact: bool = False) -> str:
        return value_text(value, unit=unit, decimals=decimals, lang=self.lang, digits=self.digits, compact=compact)

    def of(self, value: float | None, indicator, compact: bool = False) -> str:
        """A value of ``indicator`` (anything with ``unit`` and ``decimals``)."""
        return self.value(value, indicator.unit, indicator.decimals, compact)

    def number(self, value: float | None) -> str:
        """A numerator or denominator: whole numbers as they are, others with two decimals."""
        if value is None:
            return formatting.MISSING
        decimals = 0 if float(value).is_integer() else 2
        return formatting.format_indian(value, decimals, lang=self.lang, digits=self.digits)

    def signed(self, value: float | None, decimals: int = 1) -> str:
        """A change: "+1.2", "−0.3" (a true minus sign), "0.0"; missing is "—"."""
        if value is None:
            return formatting.MISSING
        text = formatting.format_indian(abs(value), decimals, lang=self.lang, digits=self.digits)
        if text.strip("0.,") == "":
            return text
        return ("+" if value > 0 else "\u2212") + text

    def count(self, value: float | None) -> str:
        return count_text(value, lang=self.lang, digits=self.digits)

    def percent(self, value: float | None, decimals: int = 1) -> str:
        return formatting.format_percent(value, decimals, lang=self.lang, digits=self.digits)

    def digits_of(self, text: object) -> str:
        return formatting.native_digits(str(text), self.lang) if self.digits == "native" else str(text)
