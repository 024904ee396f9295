"""Which indicators can be drawn as a pair: the shapes of their numerator and denominator expressions.

``#{a} + #{b}`` is a sum of data elements (a numerator split into parts, or a denominator added up);
``(#{a} - #{b}) / #{a}`` (trips cancelled = scheduled - operated) is read as ``#{b} / #{a}`` with the opposite
polarity and the complementary target. Any other form (constants, products) is not a pair.
"""

from __future__ import annotations

from govpulse.catalog.io.schema import CatalogFile, Indicator, parsed_expression
from govpulse.core.enums import Polarity
from govpulse.core.expressions import BinaryOp, DataElementRef, Node

Pair = tuple[Indicator, tuple[str, ...], tuple[str, ...] | None]
"""(indicator, numerator codes, denominator codes or None when the denominator is not a sum of elements)."""


def sum_of_elements(text: str) -> tuple[str, ...] | None:
    """Codes of ``#{a} + #{b} + ...``, or None for any other form (constants, numbers, -, *, /)."""
    codes: list[str] = []

    def walk(node: Node) -> bool:
        if isinstance(node, DataElementRef):
            codes.append(node.code)
            return node.disaggregation is None
        if isinstance(node, BinaryOp) and node.op == "+":
            return walk(node.left) and walk(node.right)
        return False

    if not walk(parsed_expression(text).root) or len(set(codes)) != len(codes):
        return None
    return tuple(codes)


def indicator_pairs(catalog: CatalogFile) -> list[Pair]:
    """(indicator, numerator codes, denominator codes or None) for every indicator with a sum numerator.

    "Share lost" indicators, ``(#{a} - #{b} ...) / #{a}`` (trips cancelled = scheduled - operated), count as
    ``#{b} / #{a}`` with the opposite polarity and the complementary target.
    """
    found = []
    for indicator in catalog.indicators:
        numerator = sum_of_elements(indicator.numerator)
        denominator = sum_of_elements(indicator.denominator)
        if numerator:
            found.append((indicator, numerator, denominator))
        elif denominator and len(denominator) == 1:
            kept = _kept_part(indicator, denominator[0])
            if kept is not None:
                found.append(kept)
    return found


def _kept_part(indicator: Indicator, whole: str) -> tuple[Indicator, tuple[str, ...], tuple[str, ...]] | None:
    root = parsed_expression(indicator.numerator).root
    if not (isinstance(root, BinaryOp) and root.op == "-" and isinstance(root.left, DataElementRef)
            and root.left.code == whole):
        return None
    kept = next((n for n in _nodes_of(root.right) if isinstance(n, DataElementRef)), None)
    if kept is None or kept.code == whole:
        return None
    flipped = {Polarity.HIGHER_IS_BETTER: Polarity.LOWER_IS_BETTER,
               Polarity.LOWER_IS_BETTER: Polarity.HIGHER_IS_BETTER}.get(indicator.polarity, indicator.polarity)
    target = None
    if indicator.target is not None and indicator.factor > 0 and indicator.target <= indicator.factor:
        target = indicator.factor - indicator.target
    twin = indicator.model_copy(update={"polarity": flipped, "target": target, "thresholds": None})
    return twin, (kept.code,), (whole,)


def _nodes_of(node: Node) -> list[Node]:
    """``node`` and everything under it, left to right."""
    found = [node]
    for child in node.children():
        found.extend(_nodes_of(child))
    return found
