"""The few imperfections injected on purpose, so that red flags have something true to find.

Chosen from the seed, the catalogue, the tree and its census counts before any value is drawn, and listed in
``SimulationNotes``:

- *stops*: a few villages stop reporting altogether, and one or two talukas stop reporting one department's
  data (the taluka and everything under it), some weeks before today: no rows for periods ending after the
  last day they reported;
- *jumps*: single values that jump: a x10 typo on a count (a zero becomes 10) or a drop to a tenth of a
  numerator, on one day (or month) at one unit;
- *deterioration*: one district whose health indicators (proportions) slowly worsen over the last 90 days;
- *repeats*: a daily data element (with the elements drawn from it) whose values freeze at a few units: the
  same numbers every day for the last weeks, as when an operator copies yesterday's report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from govpulse.catalog.io.schema import CatalogFile
from govpulse.core.enums import OrgUnitKind, ValueType
from govpulse.core.orgunits import OrgUnitTree
from govpulse.core.periods import PeriodType
from govpulse.demo.simulation.calendar import PeriodAxis, day_number
from govpulse.demo.simulation.draws import FamilyInjections
from govpulse.demo.simulation.places import POPULATION, Places
from govpulse.demo.simulation.recipes import Count, Family, Split, stable_hash

VILLAGE_STOPS = 5
TALUKA_STOPS = 2
TYPOS = 3
DROPS = 3
WORSENING_DAYS = 90
WORSENING_SHIFT = 1.6  # on the logit scale: 88 % falls to about 60 % by today (before seasons and trends)
WORSENED_INDICATORS = 4
REPEAT_DAYS = 40
REPEAT_UNITS = 3


@dataclass(frozen=True)
class Stop:
    org_unit: str
    kind: str
    last_day: date
    """The last day with data: no rows for this unit and its subtree for periods reported after it (a period
    is reported on its last day, or today for the current period of a stock)."""
    department: str | None
    """Only this department's data elements stop; None: every department."""


@dataclass(frozen=True)
class Jump:
    data_element: str
    org_unit: str
    period: str
    factor: float
    """10: a typo (value x 10, a zero becomes 10); 0.1: a drop (value x 0.1, rounded down)."""


@dataclass(frozen=True)
class Deterioration:
    district: str
    indicators: tuple[str, ...]
    data_elements: tuple[str, ...]
    """The numerators drawn with the worsening rate."""
    first_day: date
    shift: float


@dataclass(frozen=True)
class Repeat:
    data_elements: tuple[str, ...]
    org_units: tuple[str, ...]
    first_day: date
    """From this day to today, these units report the values they reported on this day."""


@dataclass(frozen=True)
class SimulationNotes:
    """What was injected where: the things a flag engine should find, and nothing else on purpose."""

    first_day: date
    today: date
    stops: tuple[Stop, ...] = ()
    jumps: tuple[Jump, ...] = ()
    deteriorations: tuple[Deterioration, ...] = ()
    repeats: tuple[Repeat, ...] = ()

    def lines(self) -> list[str]:
        """One sentence per injected anomaly, for logs and the demo's closing note."""
        said = [f"simulated {self.first_day} to {self.today}"]
        for stop in self.stops:
            what = f"no {stop.department} data" if stop.department else "nothing"
            said.append(f"stop: {stop.kind} {stop.org_unit} (and the units under it) reports {what} "
                        f"after {stop.last_day}")
        for jump in self.jumps:
            how = "x10 typo" if jump.factor > 1 else "drop to a tenth"
            said.append(f"jump: {jump.data_element} at {jump.org_unit} in {jump.period} ({how})")
        for worse in self.deteriorations:
            said.append(f"deterioration: district {worse.district} worsens on {', '.join(worse.indicators)} "
                        f"from {worse.first_day} (logit shift {worse.shift} by today)")
        for repeat in self.repeats:
            said.append(f"repeat: {', '.join(repeat.data_elements)} frozen at {', '.join(repeat.org_units)} "
                        f"from {repeat.first_day}")
        return said


def _whole_numbers(catalog: CatalogFile) -> set[str]:
    """Elements whose values are counts larger than one (a jump on a yes/no would not show)."""
    return {e.code for e in catalog.data_elements
            if e.value_type in (ValueType.INTEGER, ValueType.INTEGER_POSITIVE, ValueType.INTEGER_ZERO_OR_POSITIVE)}


def choose_anomalies(catalog: CatalogFile, tree: OrgUnitTree, places: Places, families: list[Family],
                     axes: dict[tuple[PeriodType, bool], PeriodAxis], first_day: date, today: date,
                     seed: int) -> SimulationNotes:
    """Pick the anomalies (module docstring) deterministically from ``seed``."""
    rng = np.random.default_rng([seed, stable_hash("anomalies")])
    live = [f for f in families if len(places.units(f.kinds)) and len(axes[f.axis_key])]
    stops = _stops(catalog, places, live, today, rng)
    # Jumps and repeats go elsewhere: a unit that stops reporting would hide them.
    stopped = {stop.org_unit for stop in stops} | {
        node.code for stop in stops for node in tree.descendants(stop.org_unit)}
    return SimulationNotes(
        first_day, today, stops, _jumps(places, live, axes, stopped, _whole_numbers(catalog), today, rng),
        _deteriorations(catalog, places, live, today, rng), _repeats(places, live, stopped, today, rng))


def _recent_day(today: date, earliest: int, latest: int, rng: np.random.Generator) -> date:
    return today - timedelta(days=int(rng.integers(latest, earliest + 1)))


def _stops(catalog: CatalogFile, places: Places, families: list[Family], today: date,
           rng: np.random.Generator) -> tuple[Stop, ...]:
    stops: list[Stop] = []
    villages = places.units([OrgUnitKind.VILLAGE.value])
    populous = villages[places.drivers[POPULATION][villages] >= 1000]
    pool = populous if len(populous) >= VILLAGE_STOPS else villages
    for unit in np.sort(rng.choice(pool, size=min(VILLAGE_STOPS, len(pool)), replace=False)):
        stops.append(Stop(places.codes_of([unit])[0], "village", _recent_day(today, 100, 20, rng), None))
    talukas = places.units([OrgUnitKind.TALUKA.value])
    reported = sorted({e.department for e in catalog.data_elements
                       if {k.value for k in e.reported_at} & {"taluka", "village"}})
    if len(talukas) and reported:
        for unit in np.sort(rng.choice(talukas, size=min(TALUKA_STOPS, len(talukas)), replace=False)):
            department = reported[int(rng.integers(len(reported)))]
            stops.append(Stop(places.codes_of([unit])[0], "taluka", _recent_day(today, 75, 15, rng), department))
    return tuple(stops)


def _jumps(places: Places, families: list[Family], axes: dict[tuple[PeriodType, bool], PeriodAxis], stopped: set[str],
           whole: set[str], today: date, rng: np.random.Generator) -> tuple[Jump, ...]:
    """Typos on counts and drops on numerators, at large units (so the jump shows), on recent periods."""
    counts = [(f, s.code) for f in families for s in f.steps
              if isinstance(s, Count) and s.scale.mode == "flow" and s.under is None and s.code in whole]
    numerators = [(f, s.parts[0]) for f in families for s in f.steps
                  if isinstance(s, Split) and s.kind == "binomial" and s.parts[0] in whole]
    jumps: list[Jump] = []
    for candidates, how_many, factor in ((counts, TYPOS, 10.0), (numerators, DROPS, 0.1)):
        for family, code in _pick_daily_first(candidates, how_many, rng):
            units = places.units(family.kinds)
            by_size = units[np.argsort(-places.drivers[POPULATION][units], kind="stable")]
            codes = [c for c in places.codes_of(by_size[:50]) if c not in stopped]
            if not codes:
                continue
            axis = axes[family.axis_key]
            recent = np.flatnonzero(axis.end_day >= day_number(today) - 60) if len(axis) > 3 else np.arange(len(axis))
            recent = recent if len(recent) else np.arange(len(axis))
            period = axis.periods[int(recent[int(rng.integers(len(recent)))])]
            jumps.append(Jump(code, codes[int(rng.integers(min(len(codes), 10)))], period.id, factor))
    return tuple(jumps)


def _pick_daily_first(candidates: list[tuple[Family, str]], how_many: int,
                      rng: np.random.Generator) -> list[tuple[Family, str]]:
    """Up to ``how_many`` candidates at random, daily elements first (a jump on one day is the classic)."""
    picked: list[tuple[Family, str]] = []
    for daily in (True, False):
        pool = [c for c in candidates if (c[0].ptype is PeriodType.DAILY) == daily]
        wanted = min(how_many - len(picked), len(pool))
        picked += [pool[int(i)] for i in rng.choice(len(pool), size=wanted, replace=False)] if wanted > 0 else []
    return picked


def _deteriorations(catalog: CatalogFile, places: Places, families: list[Family], today: date,
                    rng: np.random.Generator) -> tuple[Deterioration, ...]:
    """One district, up to four health proportions drawn below district level, worsening for 90 days."""
    below = {OrgUnitKind.TALUKA.value, OrgUnitKind.VILLAGE.value, OrgUnitKind.ULB.value, OrgUnitKind.WARD.value,
             OrgUnitKind.TOWN.value, OrgUnitKind.SCHOOL.value, OrgUnitKind.FACILITY.value}
    splits = [s for f in families if set(f.kinds) & below for s in f.steps
              if isinstance(s, Split) and s.kind == "binomial" and s.rate.direction]
    chosen = [s for s in splits if s.rate.health] or splits
    chosen = sorted(chosen, key=lambda s: s.rate.key)[:WORSENED_INDICATORS]
    if not chosen or not places.district_codes:
        return ()
    # A middling district: the best and worst already stand out, a decline in the middle is the news.
    middle = np.argsort(places.district_quality, kind="stable")[len(places.district_codes) // 4:][: max(
        len(places.district_codes) // 2, 1)]
    district = places.district_codes[int(rng.choice(middle))]
    first_day = today - timedelta(days=WORSENING_DAYS)
    return (Deterioration(district, tuple(s.rate.key for s in chosen), tuple(s.parts[0] for s in chosen),
                          first_day, WORSENING_SHIFT),)


def _repeats(places: Places, families: list[Family], stopped: set[str], today: date,
             rng: np.random.Generator) -> tuple[Repeat, ...]:
    """A daily family (preferably one with a numerator) frozen at a few units for the last 40 days."""
    daily = [f for f in families if f.ptype is PeriodType.DAILY and not f.current]
    with_split = [f for f in daily if any(isinstance(s, Split) for s in f.steps)]
    local = [f for f in with_split if {"village", "ward"} & set(f.kinds)]  # where copied reports happen
    pool = local or with_split or daily
    if not pool:
        return ()
    family = pool[int(rng.integers(len(pool)))]
    units = places.units(family.kinds)
    open_units = np.array([u for u, code in zip(units, places.codes_of(units), strict=True) if code not in stopped],
                          dtype=np.int64)
    sized = open_units[places.drivers[POPULATION][open_units] >= 500]
    sized = sized if len(sized) >= REPEAT_UNITS else open_units
    codes = places.codes_of(np.sort(rng.choice(sized, size=min(REPEAT_UNITS, len(sized)), replace=False)))
    return (Repeat(family.codes, tuple(codes), today - timedelta(days=REPEAT_DAYS - 1)),)


def family_injections(notes: SimulationNotes, family: Family, places: Places, axis: PeriodAxis,
                      positions: dict[str, int]) -> FamilyInjections:
    """The notes' anomalies that touch ``family``, in its own unit positions and period indices.

    ``positions`` maps unit codes of the family's units to their row in the family's matrices.
    """
    codes = set(family.codes)
    keys = {step.rate.key for step in family.steps if isinstance(step, Split)}
    worsen = {}
    for worse in notes.deteriorations:
        district = places.district_codes.index(worse.district)
        for key in keys & set(worse.indicators):
            worsen[key] = (district, day_number(worse.first_day), day_number(notes.today), worse.shift)
    repeat = None
    for frozen in notes.repeats:
        if codes & set(frozen.data_elements):
            rows = np.array([positions[c] for c in frozen.org_units if c in positions], dtype=np.int64)
            repeat = (rows, day_number(frozen.first_day)) if len(rows) else None
    period_index = {p.id: i for i, p in enumerate(axis.periods)}
    jumps = tuple((j.data_element, positions[j.org_unit], period_index[j.period], j.factor)
                  for j in notes.jumps
                  if j.data_element in codes and j.org_unit in positions and j.period in period_index)
    return FamilyInjections(worsen, repeat, jumps)
