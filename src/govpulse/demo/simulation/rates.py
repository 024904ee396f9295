"""The typical rate of each indicator (numerator / denominator) and how it behaves over places and seasons.

A rate sits near the indicator's target, usually a little on the wrong side of it: most dashboards show more
amber than green, and a target of 100 % is rarely met everywhere. The gap to target is drawn once per
indicator (on the logit scale for proportions, the log scale for other ratios) and bounded, so no indicator
lands absurdly far from its target. Seasonality follows keywords of the indicator and its department: the
monsoon (roads, water, health access) or the school calendar (attendance).
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass
from typing import Literal

import numpy as np

from govpulse.catalog.io.schema import CatalogFile, DataElement, Indicator, parsed_expression
from govpulse.core.enums import Polarity

Season = Literal["monsoon", "school", "none"]

MONSOON = re.compile(r"road|water|drink|tanker|supply|health|hospital|\bphc\b|\bchc\b|deliver|immuni|vaccin|"
                     r"ambulance|\b108\b|\banc\b|malaria|dengue|electric|power|feeder|\bbus\b|transport|pothole")
SCHOOL = re.compile(r"attend|school|student|enrol|mid.?day|\bmdm\b|pupil|teacher|pre-school|anganwadi")
HEALTH = re.compile(r"health|hfw|medical|family welfare")
GAP_MEAN, GAP_SD, GAP_LOW, GAP_HIGH = 0.2, 0.2, -0.2, 0.5  # logit units towards "worse"
HIGHEST = 0.97  # a target of 100 % is met by nobody everywhere: typical rates stop short of it
RARE = 0.3  # below this, the logit scale is nearly a log scale: the gap is halved (+10-25 %, not +65 %)


@dataclass(frozen=True)
class Rate:
    """The typical ratio numerator/denominator (or level) of an indicator, and how it behaves."""

    key: str
    """Seeds the place effects and trends (an indicator or data element code)."""
    center: float
    """State-wide typical value: a fraction for ``logit``, a positive number for ``log``."""
    link: Literal["logit", "log"]
    direction: int
    """+1 when higher is better, -1 when lower is better, 0 for neutral."""
    season: Season
    health: bool
    cap: float | None = None
    """For a ratio that cannot exceed its target (24 hours of supply a day): the rate is ``cap`` x a fraction
    on the logit scale (``center`` is then that fraction)."""

    @property
    def proportion(self) -> bool:
        """A fraction of its denominator (so the numerator can be drawn from it)."""
        return self.link == "logit" and self.cap is None


class Texts:
    """Lower-case text of each element and indicator, department names included, for keyword rules."""

    def __init__(self, catalog: CatalogFile) -> None:
        self.departments = {d.code: f"{d.code} {d.name}".lower() for d in catalog.departments}

    def element(self, e: DataElement) -> str:
        department = self.departments.get(e.department, e.department.lower())
        return f"{e.code.replace('_', ' ')} {e.name} {e.unit} {department}".lower()

    def indicator(self, i: Indicator) -> str:
        department = self.departments.get(i.department, i.department.lower())
        return f"{i.code.replace('_', ' ')} {i.name} {i.theme} {i.unit} {department}".lower()


def stable_hash(*parts: object) -> int:
    """A 32-bit hash of ``parts`` that is the same in every process (``hash()`` of a str is not)."""
    return zlib.crc32("\x1f".join(str(part) for part in parts).encode())


def direction_of(polarity: Polarity) -> int:
    return {Polarity.HIGHER_IS_BETTER: 1, Polarity.LOWER_IS_BETTER: -1}.get(polarity, 0)


def season_of(text: str) -> Season:
    if SCHOOL.search(text):
        return "school"
    return "monsoon" if MONSOON.search(text) else "none"


def _gap(rng: np.random.Generator, direction: int) -> float:
    if direction:
        return float(np.clip(rng.normal(GAP_MEAN, GAP_SD), GAP_LOW, GAP_HIGH))
    return float(np.clip(rng.normal(0.0, 0.15), -0.3, 0.3))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def indicator_rate(indicator: Indicator, texts: Texts, seed: int) -> Rate:
    """Rate of an indicator's numerator over its denominator (module docstring)."""
    direction = direction_of(indicator.polarity)
    text = texts.indicator(indicator)
    target = indicator.target / indicator.factor if indicator.target is not None else None
    proportion = target <= 1.0 if target is not None else indicator.factor >= 100
    gap = _gap(np.random.default_rng([seed, stable_hash("centre", indicator.code)]), direction)
    season, health = season_of(text), _is_health(indicator, texts)
    if proportion:
        default = {1: 0.8, -1: 0.15, 0: 0.5}[direction]
        return Rate(indicator.code, _near(target if target is not None else default, direction, gap), "logit",
                    direction, season, health)
    if direction > 0 and target is not None and target > 0:  # at most the target: a fraction of it
        return Rate(indicator.code, _near(0.95, direction, gap), "logit", direction, season, health, target)
    centre = target if target is not None and target > 0 else 1.0
    return Rate(indicator.code, centre * math.exp(-direction * gap * 0.5), "log", direction, season, health)


def _near(target: float, direction: int, gap: float) -> float:
    """A fraction near ``target``, ``gap`` (logit units) on the worse side; half that for rare events."""
    centre = min(max(target, 1e-6), HIGHEST)
    if centre < RARE or direction < 0:
        gap = gap * 0.5
    return _expit(_logit(centre) - direction * gap)


def _is_health(indicator: Indicator, texts: Texts) -> bool:
    department = texts.departments.get(indicator.department, indicator.department.lower())
    return bool(HEALTH.search(department))


def element_rate(element: DataElement, shown_by: Indicator | None, texts: Texts) -> Rate:
    """Rate of a count: only its key, direction and season matter (its size comes from ``scales``).

    A count shown by an indicator of its own (complaints received, calls) takes that indicator's season; other
    counts are volumes (births, registrations, trips scheduled) and keep none.
    """
    direction = direction_of(shown_by.polarity) if shown_by else 0
    season = season_of(texts.indicator(shown_by)) if shown_by else "none"
    return Rate(element.code, 1.0, "log", direction, season, False)


def level_rate(element: DataElement, shape: str, shown_by: tuple[Indicator, str | None] | None, texts: Texts,
               seed: int, parent: bool = False) -> Rate:
    """Rate of a level: a fraction (yes/no, percentage) or a mean (duration), near the showing indicator's target."""
    indicator = shown_by[0] if shown_by and shown_by[1] is None else None
    direction = direction_of(indicator.polarity) if indicator else 0
    text = texts.indicator(indicator) if indicator else texts.element(element)
    target = None
    if indicator is not None and indicator.target is not None:
        denominator = parsed_expression(indicator.denominator).evaluate({}) or 1.0
        target = indicator.target * denominator / indicator.factor
    gap = _gap(np.random.default_rng([seed, stable_hash("level", element.code)]), direction)
    key = indicator.code if indicator else element.code
    season, health = season_of(text), indicator is not None and _is_health(indicator, texts)
    if shape in ("percent", "boolean"):
        scale = 100.0 if shape == "percent" else 1.0
        # A yes/no that counts units (villages, panchayats, working days) is a denominator: nearly always yes.
        default = 0.97 if parent else ({1: 0.8, -1: 0.15, 0: 0.6}[direction] if shape == "percent" else 0.85)
        return Rate(key, _near(target / scale if target is not None else default, direction, gap), "logit",
                    direction, season, health)
    centre = target if target is not None and target > 0 else _default_mean(element)
    return Rate(key, centre * math.exp(-direction * gap), "log", direction, season, health)


def _default_mean(element: DataElement) -> float:
    unit = element.unit.lower()
    for word, mean in (("minute", 30.0), ("hour", 24.0), ("week", 3.0), ("day", 7.0)):
        if word in unit:
            return mean
    if element.min is not None and element.max is not None:
        return max((element.min + element.max) / 2, 1e-3)
    return 10.0
