"""Evaluation of indicator values: RAG status against bands, 0-100 scores, weighted composites, grades.

Decisions written down once (the tests check each):

* **RAG bands.** ``Thresholds(basis, green, amber)``. With ``absolute`` the limits are values in the
  indicator's unit; with ``percent_of_target`` they are percentages of the target, turned into values as
  ``limit = percent x target / 100``. So for a lower-is-better indicator the percentage compared is
  *value / target x 100* (the same quantity as for higher-is-better, only the comparison flips), never
  target / value, which would make a target of zero deaths impossible to express. As in the catalogue, higher
  is better: green when value >= green limit, amber when >= amber limit, else red; lower is better: green
  when value <= green limit, amber when <= amber limit, else red.
* **No rating.** A neutral indicator has no good direction, and an indicator without bands has nothing to
  compare with: ``rag_status`` returns None (not ``Rag.NO_DATA``, which would claim that data is missing and be
  counted as such). A missing value is ``NO_DATA``; stale data is ``STALE`` whatever its value, so stale data
  is never shown green.
* **Min-max scores** put each value between the worst (0) and the best (100) of its peers, reversed for
  lower-is-better. When every peer has the same value nobody is behind anybody, and all score 100.
* **Target scores** are value / target x 100 capped at 100 (target / value for lower-is-better).
* **Composites** follow NITI Aayog's Aspirational Districts method: indicator scores are averaged within a
  theme by indicator weight, themes are averaged by theme weight (without theme weights: one weighted mean
  over all indicators). A missing score drops out and the weights are renormalised over what is present;
  ``coverage`` reports what share of the full weight had data.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from govpulse.core.enums import Polarity, Rag

__all__ = [
    "DEFAULT_GRADE_BANDS",
    "CompositeScore",
    "GradeBands",
    "IndicatorWeight",
    "Thresholds",
    "band_of",
    "composite_score",
    "composite_scores",
    "grade",
    "min_max_scores",
    "rag_status",
    "target_score",
]

ThresholdBasis = Literal["absolute", "percent_of_target"]


# --- RAG ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Thresholds:
    """RAG bands of an indicator: ``green`` and ``amber`` limits, absolute or as percentages of the target."""

    basis: ThresholdBasis
    green: float
    amber: float

    def __post_init__(self) -> None:
        if self.basis not in ("absolute", "percent_of_target"):
            raise ValueError(f"threshold basis {self.basis!r} is not 'absolute' or 'percent_of_target'")
        for name in ("green", "amber"):
            limit = getattr(self, name)
            if isinstance(limit, bool) or not isinstance(limit, int | float) or not math.isfinite(limit):
                raise ValueError(f"threshold {name} must be a finite number, got {limit!r}")

    def limits(self, target: float | None) -> tuple[float, float] | None:
        """The (green, amber) limits in the indicator's own unit; None when they are relative to a target and
        there is none. A negative target with relative bands raises ``ValueError`` (percentages of it flip)."""
        if self.basis == "absolute":
            return self.green, self.amber
        if target is None:
            return None
        if target < 0:
            raise ValueError(f"bands relative to a target need a target of zero or more, got {target}")
        return self.green * target / 100, self.amber * target / 100

    def check_order(self, polarity: Polarity) -> None:
        """Raise ``ValueError`` when the bands are the wrong way round for ``polarity``."""
        if polarity is Polarity.HIGHER_IS_BETTER and self.green < self.amber:
            raise ValueError(f"green ({self.green}) must be >= amber ({self.amber}) when higher is better")
        if polarity is Polarity.LOWER_IS_BETTER and self.green > self.amber:
            raise ValueError(f"green ({self.green}) must be <= amber ({self.amber}) when lower is better")


def rag_status(
    value: float | None,
    target: float | None,
    thresholds: Thresholds | None,
    polarity: Polarity,
    *,
    stale: bool = False,
) -> Rag | None:
    """The RAG status of ``value``; None when the indicator cannot be rated at all (neutral polarity, no
    bands, or bands relative to a target that is not set). See the module docstring for the rules."""
    if polarity is Polarity.NEUTRAL or thresholds is None:
        return None
    thresholds.check_order(polarity)
    limits = thresholds.limits(target)
    if limits is None:
        return None
    if value is None:
        return Rag.NO_DATA
    if stale:
        return Rag.STALE
    return band_of(value, limits, polarity)


def band_of(value: float, limits: tuple[float, float], polarity: Polarity) -> Rag:
    """GREEN, AMBER or RED for ``value`` against (green, amber) limits in the value's unit."""
    green, amber = limits
    if polarity is Polarity.LOWER_IS_BETTER:
        return Rag.GREEN if value <= green else Rag.AMBER if value <= amber else Rag.RED
    return Rag.GREEN if value >= green else Rag.AMBER if value >= amber else Rag.RED


# --- scores ---------------------------------------------------------------------------------------------


def min_max_scores(values: Mapping[str, float | None], polarity: Polarity) -> dict[str, float | None]:
    """Each value scored 0-100 between the worst (0) and the best (100) of ``values``.

    Higher is better: (v - min) / (max - min) x 100; lower is better: (max - v) / (max - min) x 100. A missing
    value scores None and does not count towards min and max. All values equal: everyone scores 100.
    """
    if polarity is Polarity.NEUTRAL:
        raise ValueError("a neutral indicator has no better direction, so it cannot be scored")
    present = [value for value in values.values() if value is not None]
    if not present:
        return {key: None for key in values}
    low, high = min(present), max(present)
    span = high - low
    scores: dict[str, float | None] = {}
    for key, value in values.items():
        if value is None:
            scores[key] = None
        elif span == 0:
            scores[key] = 100.0
        elif polarity is Polarity.HIGHER_IS_BETTER:
            scores[key] = (value - low) / span * 100
        else:
            scores[key] = (high - value) / span * 100
    return scores


def target_score(value: float | None, target: float | None, polarity: Polarity) -> float | None:
    """How far ``value`` has come towards ``target``, 0-100: value / target x 100 when higher is better,
    target / value x 100 when lower is better, capped to 0-100. Reaching or beating the target scores 100
    (so a lower-is-better value of 0, or any value against a target of 0 when higher is better). None when the
    value or target is missing."""
    if polarity is Polarity.NEUTRAL:
        raise ValueError("a neutral indicator has no better direction, so it cannot be scored")
    if value is None or target is None:
        return None
    if target < 0 or value < 0:
        raise ValueError(f"target scores need values and targets of zero or more, got {value} and {target}")
    higher = polarity is Polarity.HIGHER_IS_BETTER
    achieved, aim = (value, target) if higher else (target, value)
    if aim == 0:
        return 100.0
    return min(achieved / aim, 1.0) * 100


# --- composite scores -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorWeight:
    """An indicator's weight within its theme (health, education, ...) in a composite score."""

    indicator: str
    theme: str
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not math.isfinite(self.weight) or self.weight < 0:
            raise ValueError(f"weight of {self.indicator} must be zero or more, got {self.weight}")


@dataclass(frozen=True, slots=True)
class CompositeScore:
    """A weighted composite of indicator scores, with how much of the intended weight had data.

    ``coverage`` is 0-1: the share of the full weight (themes x indicators) whose scores were present;
    ``themes`` maps each theme to its score (None when none of its indicators had one); ``missing`` lists the
    indicators without a score."""

    score: float | None
    coverage: float
    themes: Mapping[str, float | None] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


def composite_score(
    scores: Mapping[str, float | None],
    weights: Sequence[IndicatorWeight],
    theme_weights: Mapping[str, float] | None = None,
) -> CompositeScore:
    """The composite of one org unit's indicator ``scores`` (0-100, by indicator code).

    With ``theme_weights``: within a theme, sum(w x score) / sum(w) over its indicators with a score; across
    themes, the same with theme weights over themes with a score. Without them: sum(w x score) / sum(w) over
    every indicator with a score (theme scores are still reported).
    """
    by_theme: dict[str, list[IndicatorWeight]] = {}
    for item in weights:
        by_theme.setdefault(item.theme, []).append(item)
    theme_scores = {theme: _weighted_mean(items, scores) for theme, items in by_theme.items()}
    missing = tuple(item.indicator for item in weights if scores.get(item.indicator) is None)
    if theme_weights is None:
        return CompositeScore(_weighted_mean(weights, scores), _present_share(weights, scores), theme_scores, missing)
    themes_weighted = _theme_weights(by_theme, theme_weights)
    total = math.fsum(themes_weighted.values())
    covered = math.fsum(themes_weighted[theme] / total * _present_share(items, scores)
                        for theme, items in by_theme.items()) if total else 0.0
    present_themes = {t: s for t, s in theme_scores.items() if s is not None and themes_weighted[t] > 0}
    weight_present = math.fsum(themes_weighted[t] for t in present_themes)
    score = (math.fsum(themes_weighted[t] * s for t, s in present_themes.items()) / weight_present
             if present_themes else None)
    return CompositeScore(score, covered, theme_scores, missing)


def _theme_weights(
    by_theme: Mapping[str, list[IndicatorWeight]], theme_weights: Mapping[str, float]
) -> dict[str, float]:
    unweighted = sorted(theme for theme in by_theme if theme not in theme_weights)
    if unweighted:
        raise ValueError(f"no theme weight given for theme(s): {', '.join(unweighted)}")
    negative = sorted(theme for theme, weight in theme_weights.items() if not weight >= 0)
    if negative:
        raise ValueError(f"theme weights must be zero or more: {', '.join(negative)}")
    return {theme: float(theme_weights[theme]) for theme in by_theme}


def _weighted_mean(items: Sequence[IndicatorWeight], scores: Mapping[str, float | None]) -> float | None:
    """sum(w x score) / sum(w) over the items with a score; None when their weights add up to nothing."""
    present = [(item.weight, scores[item.indicator]) for item in items if scores.get(item.indicator) is not None]
    weight = math.fsum(w for w, _ in present)
    return math.fsum(w * s for w, s in present) / weight if weight else None


def _present_share(items: Sequence[IndicatorWeight], scores: Mapping[str, float | None]) -> float:
    """The share of the items' weight whose scores are present (0 when they weigh nothing)."""
    full = math.fsum(item.weight for item in items)
    present = math.fsum(item.weight for item in items if scores.get(item.indicator) is not None)
    return present / full if full else 0.0


def composite_scores(
    scores_by_unit: Mapping[str, Mapping[str, float | None]],
    weights: Sequence[IndicatorWeight],
    theme_weights: Mapping[str, float] | None = None,
) -> dict[str, CompositeScore]:
    """``composite_score`` for each org unit (or department): ``{unit: {indicator: score}}`` in, by unit out.
    For a department's composite, give only that department's indicators in ``weights``."""
    return {unit: composite_score(scores, weights, theme_weights) for unit, scores in scores_by_unit.items()}


# --- grades ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GradeBands:
    """Letter grades for composite scores: ``bands`` are (grade, lowest score) from the best grade down, and
    ``lowest`` is the grade for anything below the last band. Default A >= 75, B >= 60, C >= 45, else D."""

    bands: tuple[tuple[str, float], ...] = (("A", 75.0), ("B", 60.0), ("C", 45.0))
    lowest: str = "D"

    def __post_init__(self) -> None:
        floors = [floor for _, floor in self.bands]
        if any(a <= b for a, b in itertools.pairwise(floors)):
            raise ValueError(f"grade bands must go from the highest floor down, got {floors}")
        names = [name for name, _ in self.bands] + [self.lowest]
        if len(set(names)) != len(names):
            raise ValueError(f"grade names must differ, got {names}")


DEFAULT_GRADE_BANDS = GradeBands()


def grade(score: float | None, bands: GradeBands = DEFAULT_GRADE_BANDS) -> str | None:
    """The grade of ``score`` (the first band whose floor it reaches), or None when there is no score."""
    if score is None:
        return None
    return next((name for name, floor in bands.bands if score >= floor), bands.lowest)
