"""How each data element of a catalogue is drawn: the recipes, grouped into families drawn together.

Three kinds of recipe (``Step``):

- ``Count``: a count that follows a census driver of each unit (population, households, children 0-6, ...):
  a flow drawn from a Poisson law, or a stock stable from one period to the next (``scales``).
- ``Split``: the numerator of an indicator whose numerator and denominator are sums of data elements of the
  same shape (org-unit kinds and period type): numerator = ``Binomial(denominator, rate)``, so a percentage never
  exceeds 100 (``Poisson(denominator x rate)`` for a ratio above 1, ``denominator x rate`` for amounts), split
  among the numerator's elements. A denominator shared by several indicators is drawn once.
- ``Level``: a value that is not a count: a yes/no, a percentage, a duration averaged over units, drawn around
  the target of the indicator that shows it.

An indicator whose numerator and denominator have different shapes (a monthly achievement against a yearly
target, a taluka count against a district target) *links* its numerator to its denominator (``Under``): the
numerator is drawn from the denominator's size and place effects times the indicator's rate.

Rates sit near the indicator's target, usually a little on the wrong side (``rates``). Data elements linked by
``Split`` form one ``Family``, drawn together, parents first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from govpulse.catalog.io.schema import CatalogFile, DataElement, Indicator, parsed_expression
from govpulse.core.enums import Combine, ValueType
from govpulse.core.periods import PeriodType
from govpulse.demo.simulation.pairs import Pair, indicator_pairs
from govpulse.demo.simulation.rates import Rate, Texts, element_rate, indicator_rate, level_rate, stable_hash
from govpulse.demo.simulation.scales import Scale, scale_for

Shape = Literal["percent", "boolean", "duration", "number"]
SplitKind = Literal["binomial", "poisson", "continuous", "smooth"]
_SUMMED = (Combine.SUM, Combine.COUNT)
PERIOD_DAYS = {PeriodType.DAILY: 1.0, PeriodType.WEEKLY: 7.0, PeriodType.MONTHLY: 30.44,
               PeriodType.QUARTERLY: 91.3, PeriodType.SIXMONTHLY: 182.6, PeriodType.YEARLY: 365.25,
               PeriodType.FINANCIAL_APRIL: 365.25}


@dataclass(frozen=True)
class Under:
    """The denominator a linked numerator is drawn under: its size, its effects and its period length."""

    scale: Scale
    rate: Rate
    period_days: float
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Count:
    code: str
    scale: Scale
    rate: Rate
    under: Under | None = None
    """When set, the count is ``rate`` x the denominator described here (``scale`` and ``rate.key`` are then the
    denominator's, so that both share their place effects)."""
    share: Rate | None = None
    """The indicator's rate of a linked count."""


@dataclass(frozen=True)
class Split:
    parents: tuple[str, ...]
    parts: tuple[str, ...]
    shares: tuple[float, ...]
    rate: Rate
    kind: SplitKind
    """binomial (counts), poisson (a ratio above 1), continuous (amounts), smooth (stocks: no period noise)."""


@dataclass(frozen=True)
class Level:
    code: str
    shape: Shape
    rate: Rate
    persistent: bool = False
    """A yes/no that holds from one period to the next (a village is certified or not) rather than re-drawn."""
    under: Rate | None = None
    """A persistent yes/no that can only be yes where this other yes/no (its denominator) is yes."""


Step = Count | Split | Level


@dataclass(frozen=True)
class Family:
    """Data elements of one shape drawn together, parents before children."""

    kinds: tuple[str, ...]
    ptype: PeriodType
    current: bool
    """Whether the current, unfinished period is drawn too: only when every element is a stock (a flow is
    counted when its period closes; a stock or a target is known as of today)."""
    steps: tuple[Step, ...]

    @staticmethod
    def outputs(step: Step) -> tuple[str, ...]:
        return step.parts if isinstance(step, Split) else (step.code,)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for step in self.steps for code in self.outputs(step))

    @property
    def axis_key(self) -> tuple[PeriodType, bool]:
        return self.ptype, self.current


def shape_of(element: DataElement) -> tuple[tuple[str, ...], PeriodType]:
    return tuple(sorted(kind.value for kind in element.reported_at)), PeriodType(element.period_type)


def is_stock(element: DataElement) -> bool:
    """A level in time (LAST, AVERAGE, ...): known as of any day, not counted when the period closes."""
    return element.aggregation_type.over_time not in _SUMMED


def census_codes(catalog: CatalogFile, census_elements: Iterable[str]) -> set[str]:
    """Data elements that come from the census (``census_values``), never simulated."""
    return set(census_elements) | {e.code for e in catalog.data_elements if e.code.startswith("census_")}


def build_families(catalog: CatalogFile, census_elements: Iterable[str], seed: int) -> list[Family]:
    """Recipes for every data element of ``catalog`` except the census counts, grouped into families."""
    census = census_codes(catalog, census_elements)
    elements = {e.code: e for e in catalog.data_elements if e.code not in census}
    texts = Texts(catalog)
    pairs = indicator_pairs(catalog)
    splits, made_by = _pair(pairs, elements, texts, seed)
    parent_of_split = {code for split in splits for code in split.parents}
    shown = _shown_by(pairs, census)
    roots = {code: _root(e, shown.get(code), texts, seed, code in parent_of_split)
             for code, e in elements.items() if code not in made_by}
    _link(pairs, roots, elements, texts, seed)
    return _group(elements, list(roots.values()), splits)


# --------------------------------------------------------------------------------------------------
# Pairs drawn together


def _pairable(element: DataElement) -> bool:
    return element.value_type is not ValueType.PERCENTAGE


def _pair(pairs: list[Pair], elements: dict[str, DataElement], texts: Texts, seed: int) -> tuple[list[Split], dict[str, Split]]:
    """A ``Split`` for each indicator whose numerator can be drawn from its denominator (module docstring).

    Indicators with the longest numerators go first, so that "disposed = in time + late" claims both parts and
    "disposed in time" (one of them, over the same denominator) then sets that part's share.
    """
    splits: list[Split] = []
    made_by: dict[str, Split] = {}
    single = {(num[0], den): ind for ind, num, den in pairs if den and len(num) == 1}
    for indicator, numerator, denominator in sorted(pairs, key=lambda found: -len(found[1])):
        if not denominator or set(numerator) & set(denominator):
            continue
        involved = [elements.get(code) for code in numerator + denominator]
        if any(e is None or not _pairable(e) for e in involved) or len({shape_of(e) for e in involved}) != 1:
            continue
        if any(code in made_by for code in numerator) or any(
                code in _ancestors(parent, made_by) or code == parent for code in numerator for parent in denominator):
            continue
        rate = indicator_rate(indicator, texts, seed)
        known = {code: single[code, denominator] for code in numerator if (code, denominator) in single}
        shares = _shares(indicator.code, numerator, rate, known, texts, seed)
        split = Split(denominator, numerator, shares, rate, _split_kind(rate, [elements[c] for c in numerator]))
        splits.append(split)
        made_by.update({code: split for code in numerator})
    return splits, made_by


def _split_kind(rate: Rate, parts: list[DataElement]) -> SplitKind:
    if all(is_stock(e) for e in parts):
        return "smooth"
    if any(e.value_type is ValueType.NUMBER for e in parts):
        return "continuous"
    return "binomial" if rate.proportion else "poisson"


def _ancestors(code: str, made_by: dict[str, Split]) -> set[str]:
    found: set[str] = set()
    todo = [code]
    while todo:
        split = made_by.get(todo.pop())
        if split is not None:
            new = set(split.parents) - found
            found |= new
            todo.extend(new)
    return found


def _shares(key: str, parts: tuple[str, ...], rate: Rate, known: dict[str, Indicator], texts: Texts,
            seed: int) -> tuple[float, ...]:
    """How a numerator total divides among its parts: as the parts' own indicators say, the rest at random."""
    rng = np.random.default_rng([seed, stable_hash("shares", key)])
    shares = rng.dirichlet(np.full(len(parts), 4.0))
    if len(parts) == 1 or not known or not rate.proportion:
        return tuple(float(x) for x in shares)
    fixed = {code: min(indicator_rate(ind, texts, seed).center / rate.center, 0.95) for code, ind in known.items()}
    total_fixed = sum(fixed.values())
    if total_fixed >= 1.0 or len(fixed) == len(parts):
        fixed = {code: share / total_fixed for code, share in fixed.items()}
        rest = 0.0
    else:
        rest = 1.0 - total_fixed
    free = [i for i, code in enumerate(parts) if code not in fixed]
    free_total = sum(shares[i] for i in free) or 1.0
    return tuple(float(fixed[code]) if code in fixed else float(shares[i] / free_total * rest)
                 for i, code in enumerate(parts))


# --------------------------------------------------------------------------------------------------
# Elements drawn on their own


def _root(element: DataElement, shown_by: tuple[Indicator, str | None] | None, texts: Texts, seed: int,
          is_parent: bool) -> Step:
    """A ``Count`` or ``Level`` for an element no indicator draws from a denominator."""
    if element.value_type is ValueType.BOOLEAN:
        rate = level_rate(element, "boolean", shown_by, texts, seed, parent=is_parent)
        return Level(element.code, "boolean", rate, persistent=is_stock(element))
    shape = _level_shape(element)
    if shape is not None and not (is_parent and shape != "percent"):
        return Level(element.code, shape, level_rate(element, shape, shown_by, texts, seed))
    scale = scale_for(element)
    if shown_by is not None and shown_by[1] is not None and shown_by[0].target is not None:
        # "x per 1000 population": the indicator's target fixes the amount per census unit.
        indicator, census_driver = shown_by
        scale = Scale(census_driver, indicator.target / indicator.factor, scale.mode)
    return Count(element.code, scale, element_rate(element, shown_by[0] if shown_by else None, texts))


def _shown_by(pairs: list[Pair], census: set[str]) -> dict[str, tuple[Indicator, str | None]]:
    """For each element, the first indicator whose numerator is exactly it, over a number (None) or one census
    count (its code)."""
    shown: dict[str, tuple[Indicator, str | None]] = {}
    for indicator, numerator, denominator in pairs:
        if len(numerator) != 1 or numerator[0] in shown:
            continue
        expression = parsed_expression(indicator.denominator)
        if not expression.data_elements() and not expression.constants():
            shown[numerator[0]] = (indicator, None)
        elif denominator and len(denominator) == 1 and denominator[0] in census:
            shown[numerator[0]] = (indicator, denominator[0])
    return shown


def _level_shape(element: DataElement) -> Shape | None:
    """The shape of a non-count value, or None for a count."""
    unit = element.unit.lower()
    if element.value_type is ValueType.PERCENTAGE or "%" in unit or "percent" in unit:
        return "percent"
    if element.aggregation_type.over_org_units in _SUMMED:
        return None
    if any(word in unit.split() for word in ("minutes", "minute", "hours", "hour", "days", "day")):
        return "duration"
    return None  # an averaged amount (peak demand in MW) still follows its driver, as a stock


def _link(pairs: list[Pair], roots: dict[str, Step], elements: dict[str, DataElement], texts: Texts, seed: int) -> None:
    """Numerators over a denominator of another shape: drawn as the indicator's rate x that denominator."""
    linked: set[str] = set()
    used: set[str] = set()
    for indicator, numerator, denominator in pairs:
        if denominator and len(numerator) == 1 and numerator[0] in denominator and len(denominator) > 1:
            _size_the_rest(indicator, numerator[0], denominator, roots, elements, texts, seed, linked | used)
            continue
        if not denominator or len(numerator) != 1 or len(denominator) != 1:
            continue
        num, den = numerator[0], denominator[0]
        top, bottom = roots.get(num), roots.get(den)
        if num == den or top is None or bottom is None or num in linked or num in used or den in linked:
            continue
        rate = indicator_rate(indicator, texts, seed)
        if isinstance(top, Count) and isinstance(bottom, Count):
            den_kinds, den_ptype = shape_of(elements[den])
            under = Under(bottom.scale, bottom.rate, PERIOD_DAYS[den_ptype], den_kinds)
            own = replace(top.rate, key=bottom.rate.key)
            roots[num] = Count(num, top.scale, own, under, rate)
        elif (isinstance(top, Level) and isinstance(bottom, Level) and top.shape == bottom.shape == "boolean"
              and top.persistent and bottom.persistent):
            roots[num] = Level(num, "boolean", replace(rate, center=min(rate.center, 0.985)), True, bottom.rate)
        else:
            continue
        linked.add(num)
        used.add(den)


def _size_the_rest(indicator: Indicator, part: str, whole: tuple[str, ...], roots: dict[str, Step],
                   elements: dict[str, DataElement], texts: Texts, seed: int, taken: set[str]) -> None:
    """``a / (a + b)`` (cases disposed over pending plus disposed): size ``b`` so that the rate is near target."""
    top = roots.get(part)
    rate = indicator_rate(indicator, texts, seed)
    if not isinstance(top, Count) or top.under is not None or not rate.proportion:
        return
    others = [code for code in whole if code != part and isinstance(roots.get(code), Count) and code not in taken]
    for code in others:
        bottom = roots[code]
        amount = top.scale.amount * (1 - rate.center) / rate.center / len(others)
        if top.scale.mode == "flow" and bottom.scale.mode != "flow":  # a stock held against a period's flow
            amount *= PERIOD_DAYS[PeriodType(elements[part].period_type)] / 365
        roots[code] = Count(code, Scale(top.scale.driver, amount, bottom.scale.mode),
                            replace(bottom.rate, key=top.rate.key))
        taken.add(code)


# --------------------------------------------------------------------------------------------------
# Families


def _group(elements: dict[str, DataElement], roots: list[Step], splits: list[Split]) -> list[Family]:
    """Families: elements joined by splits, each with its steps in drawing order (parents first)."""
    family_of: dict[str, str] = {code: code for code in elements}

    def find(code: str) -> str:
        while family_of[code] != code:
            family_of[code] = family_of[family_of[code]]
            code = family_of[code]
        return code

    for split in splits:
        anchor = find(split.parents[0])
        for code in split.parents[1:] + split.parts:
            family_of[find(code)] = anchor
    members: dict[str, list[Step]] = {}
    for step in roots:
        members.setdefault(find(step.code), []).append(step)
    done: set[str] = {step.code for step in roots}
    pending = list(splits)
    while pending:  # parents first: a split waits until every parent is drawn
        ready = [s for s in pending if all(p in done for p in s.parents)]
        if not ready:  # _pair refuses cycles, so this would be a bug
            raise RuntimeError(f"cannot order the splits of {[s.parts for s in pending]}")
        for split in ready:
            members.setdefault(find(split.parts[0]), []).append(split)
            done.update(split.parts)
        pending = [s for s in pending if not all(p in done for p in s.parts)]
    families = []
    for anchor, steps in members.items():
        kinds, ptype = shape_of(elements[anchor])
        current = all(is_stock(elements[code]) for step in steps for code in Family.outputs(step))
        families.append(Family(kinds, ptype, current, tuple(steps)))
    return families
