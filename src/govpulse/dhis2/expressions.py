"""DHIS2 indicator expressions in our syntax: ``#{uid}`` and ``#{uid.coc}`` become ``#{code}`` and ``#{code.disagg}``.

Supported: data element operands ``#{de}``, ``#{de.coc}``, ``#{de.coc.aoc}`` and ``#{de.*}`` (the default
combo, ``*`` and the default attribute combo stand for the total), constants ``C{uid}``, numbers, ``+ - * /``
and brackets. Not supported (the indicator is reported and left out): indicators inside indicators ``I{}``,
reporting rates ``R{}``, program data ``D{}`` / ``A{}``, org-unit group counts ``OUG{}``, ``N{}``, ``[days]``
and attribute option combos other than the default.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from govpulse.core.expressions import ExpressionError, parse_expression
from govpulse.dhis2.ids import DEFAULT_NAMES, TOTAL

__all__ = ["UntranslatableExpression", "translate_expression"]

_TOKEN = re.compile(r"([#A-Z]{1,3})\{([^}]*)\}|\[days\]")
_WHAT = {"I": "indicators inside indicators (I{...})", "R": "reporting rates (R{...})",
         "D": "program data elements (D{...})", "A": "program attributes (A{...})",
         "OUG": "org-unit group counts (OUG{...})", "N": "indicator references (N{...})"}


class UntranslatableExpression(ValueError):
    """An expression govpulse cannot take: ``unsupported`` when it is valid DHIS2 that govpulse does not compute,
    otherwise it names something unknown (a data element that is neither in the payload nor stored)."""

    def __init__(self, message: str, *, unsupported: bool) -> None:
        super().__init__(message)
        self.unsupported = unsupported


def translate_expression(text: str, element: Callable[[str], str | None], combo: Callable[[str], str | None],
                         constant: Callable[[str], str | None]) -> str:
    """``text`` with DHIS2 ids replaced by our codes (the callables map a UID to our code, None when unknown);
    the result is checked with our parser."""
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "[days]":
            raise UntranslatableExpression("[days] is not supported", unsupported=True)
        prefix, inner = match.group(1), match.group(2).strip()
        if prefix == "#":
            return _operand(inner, element, combo)
        if prefix == "C":
            code = constant(inner)
            if code is None:
                raise UntranslatableExpression(f"unknown constant {inner!r}", unsupported=False)
            return f"C{{{code}}}"
        raise UntranslatableExpression(f"{_WHAT.get(prefix, prefix + '{...}')} are not supported", unsupported=True)

    translated = " ".join(_TOKEN.sub(replace, text).split())
    try:
        parse_expression(translated)
    except ExpressionError as error:
        raise UntranslatableExpression(f"{error.message} at position {error.position} of {translated!r}",
                                       unsupported=True) from None
    return translated


def _operand(inner: str, element: Callable[[str], str | None], combo: Callable[[str], str | None]) -> str:
    parts = inner.split(".")
    code = element(parts[0])
    if code is None:
        raise UntranslatableExpression(f"unknown data element {parts[0]!r}", unsupported=False)
    if len(parts) > 2 and parts[2] not in DEFAULT_NAMES and parts[2] != "*":
        raise UntranslatableExpression(f"attribute option combo {parts[2]!r} is not supported", unsupported=True)
    if len(parts) == 1 or parts[1] == "*" or parts[1] in DEFAULT_NAMES:
        return f"#{{{code}}}"
    disaggregation = combo(parts[1])
    if disaggregation is None:
        raise UntranslatableExpression(f"unknown category option combo {parts[1]!r}", unsupported=False)
    return f"#{{{code}}}" if disaggregation == TOTAL else f"#{{{code}.{disaggregation}}}"
