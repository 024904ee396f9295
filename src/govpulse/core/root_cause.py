"""Root cause of a gap to target: which children of an org unit account for most of it, down the tree.

A district's rate is the ratio of its summed numerator to its summed denominator, so its gap to a target
rate, measured in numerator units (deliveries that should have been institutional and were not), splits
exactly over its children:

    gap(parent) = target_rate x D - N = sum over children of (target_rate x d_i - n_i) = sum of gap(child_i)

where ``target_rate`` is the target in the indicator's unit divided by its factor (95 % -> 0.95). For a
lower-is-better rate the sign flips (gap = n - target_rate x d: cases above what the target allows). A
positive gap is a shortfall; a child beating the target has a negative contribution and offsets others, so
shares can be negative or above 100 %, and always add up to 100 % of the parent's gap.

Gaps are computed in exact rational arithmetic and only then turned into floats, so the parent's gap is the
sum of its children's contributions, not merely close to it. Children without figures are listed apart in
``no_data``. ``drill_gap`` repeats the breakdown under the largest contributor: talukas of a district, then
villages of the worst taluka.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from govpulse.core.enums import Polarity

__all__ = ["Contribution", "GapBreakdown", "UnitFigures", "drill_gap", "explain_gap"]


@dataclass(frozen=True, slots=True)
class UnitFigures:
    """An org unit's rolled-up numerator and denominator for the indicator and period (None: no data)."""

    org_unit: str
    numerator: float | None
    denominator: float | None
    name: str = ""


@dataclass(frozen=True, slots=True)
class Contribution:
    """One child's part of its parent's gap: ``gap`` in numerator units (positive: short of target),
    ``share_percent`` of the parent's gap (None when the parent has no gap to explain), ``rank`` 1 = largest."""

    org_unit: str
    name: str
    numerator: float
    denominator: float
    value: float | None
    gap: float
    share_percent: float | None
    rank: int


@dataclass(frozen=True)
class GapBreakdown:
    """A parent's gap split over its children, largest contribution first.

    ``gap`` is the sum of the children's contributions. ``unattributed`` is the parent's own gap (from
    ``parent_figures``) minus that sum: figures reported at the parent itself or by children listed in
    ``no_data``; None when the parent's figures were not given."""

    parent: str
    target: float
    gap: float
    contributions: tuple[Contribution, ...]
    no_data: tuple[str, ...]
    unattributed: float | None = None

    @property
    def top(self) -> Contribution | None:
        """The child that explains most of the gap, if any child has data."""
        return self.contributions[0] if self.contributions else None


def _gap(numerator: float, denominator: float, target_rate: Fraction, polarity: Polarity) -> Fraction:
    shortfall = target_rate * Fraction(denominator) - Fraction(numerator)
    return shortfall if polarity is Polarity.HIGHER_IS_BETTER else -shortfall


def explain_gap(
    parent: str,
    children: Iterable[UnitFigures],
    target: float,
    polarity: Polarity,
    *,
    factor: float = 100.0,
    parent_figures: UnitFigures | None = None,
) -> GapBreakdown:
    """Each child's contribution to ``parent``'s gap to ``target`` (in the indicator's unit, e.g. 95 for 95 %
    with ``factor`` 100), ranked largest first (ties by org-unit code)."""
    if polarity is Polarity.NEUTRAL:
        raise ValueError("a neutral indicator has no better direction, so it has no gap to target")
    if factor <= 0:
        raise ValueError(f"factor must be more than 0, got {factor}")
    target_rate = Fraction(target) / Fraction(factor)
    with_data, no_data = [], []
    for child in children:
        if child.numerator is None or child.denominator is None:
            no_data.append(child.org_unit)
        else:
            with_data.append((child, _gap(child.numerator, child.denominator, target_rate, polarity)))
    total = sum((gap for _, gap in with_data), Fraction(0))
    with_data.sort(key=lambda item: (-item[1], item[0].org_unit))
    contributions = tuple(
        Contribution(
            child.org_unit, child.name, child.numerator, child.denominator,
            child.numerator / child.denominator * factor if child.denominator else None,
            float(gap), float(gap / total * 100) if total > 0 else None, position,
        )
        for position, (child, gap) in enumerate(with_data, start=1)
    )
    return GapBreakdown(parent, target, float(total), contributions, tuple(sorted(no_data)),
                        _unattributed(parent_figures, total, target_rate, polarity))


def _unattributed(
    figures: UnitFigures | None, children_total: Fraction, target_rate: Fraction, polarity: Polarity
) -> float | None:
    if figures is None or figures.numerator is None or figures.denominator is None:
        return None
    return float(_gap(figures.numerator, figures.denominator, target_rate, polarity) - children_total)


def drill_gap(
    root: str,
    children_of: Callable[[str], Sequence[UnitFigures]],
    target: float,
    polarity: Polarity,
    *,
    factor: float = 100.0,
    depth: int = 2,
    root_figures: UnitFigures | None = None,
) -> list[GapBreakdown]:
    """Breakdowns from ``root`` down: its children, then the children of its largest contributor, and so on
    for ``depth`` levels, stopping early where the top child has no shortfall or no children.

    ``children_of(code)`` gives a unit's children's figures (the analytics layer reads them from the
    warehouse); each level's ``parent_figures`` are the top child's own figures from the level above."""
    if depth < 1:
        raise ValueError(f"depth must be 1 or more, got {depth}")
    levels: list[GapBreakdown] = []
    parent, figures = root, root_figures
    for _ in range(depth):
        children = children_of(parent)
        if not children:
            break
        breakdown = explain_gap(parent, children, target, polarity, factor=factor, parent_figures=figures)
        levels.append(breakdown)
        top = breakdown.top
        if top is None or top.gap <= 0:
            break
        parent, figures = top.org_unit, UnitFigures(top.org_unit, top.numerator, top.denominator, top.name)
    return levels
