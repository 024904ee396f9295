"""An indicator as the warehouse computes it: numerator / denominator x factor, rounded.

A district percentage is the ratio of the district's rolled-up numerator to its rolled-up denominator, never
the mean of its villages' percentages: two villages at 9/10 and 1/90 make 10/100 = 10 %, not 45.6 %.
Division by zero, or any missing part, gives no value (None), never 0 and never an error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from govpulse.core.expressions import Expression, parse_expression

__all__ = ["IndicatorSpec", "indicator_value"]

_NO_CONSTANTS: Mapping[str, float] = MappingProxyType({})


@dataclass(frozen=True)
class IndicatorSpec:
    """What the warehouse needs to compute one indicator; the catalogue's Indicator carries much more."""

    code: str
    numerator: Expression
    denominator: Expression
    factor: float = 1.0
    decimals: int = 1
    constants: Mapping[str, float] = field(default_factory=lambda: _NO_CONSTANTS, compare=False)

    @classmethod
    def parse(
        cls,
        code: str,
        numerator: str,
        denominator: str = "1",
        factor: float = 1.0,
        decimals: int = 1,
        constants: Mapping[str, float] = _NO_CONSTANTS,
    ) -> IndicatorSpec:
        """A spec from expression texts, e.g. ``IndicatorSpec.parse("immun", "#{vacc}", "#{births}", 100)``."""
        return cls(code, parse_expression(numerator), parse_expression(denominator), factor, decimals, constants)

    def data_elements(self) -> frozenset[str]:
        """Codes of every data element the numerator or denominator uses."""
        return self.numerator.data_elements() | self.denominator.data_elements()


def indicator_value(numerator: float | None, denominator: float | None, factor: float, decimals: int) -> float | None:
    """``round(numerator / denominator * factor, decimals)``, or None when a part is missing or zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    result = numerator / denominator * factor
    return round(result, decimals) if math.isfinite(result) else None
