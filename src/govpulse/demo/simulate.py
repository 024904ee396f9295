"""Simulated daily KPI values for the demo state: a year of true-looking history for every data element.

``simulate(catalog, tree, census, plan)`` yields Arrow tables (``data_element``, ``org_unit``, ``period``,
``value``) of one to a few million rows each; ``Simulation`` does the same and also holds the ``notes`` of what
was injected. Each data element reports at the org units of its ``reported_at`` kinds and at its own frequency:
daily elements every day of the ``plan.days`` days up to ``plan.today`` (inclusive); weekly, monthly,
quarterly and yearly elements every period overlapping that window. The current, unfinished period is left
out for *flows* (SUM/COUNT over time: births, applications; a monthly count is filed when its month closes)
and kept for *stocks* (LAST, AVERAGE...: households, pending cases, a yearly target; known as of today).
Census counts are not simulated: ``census_values`` gives them as values of period "2011".

How values are drawn (``govpulse.demo.simulation``):

- counts follow a census driver of each unit (population, households, children 0-6, Scheduled Tribes, ...
  picked from the element's unit and name) and the period's length; Poisson draws for flows, stable sizes for
  stocks;
- an indicator whose numerator and denominator are data elements of the same shape is drawn as a pair: the
  numerator is ``Binomial(denominator, rate)``, so a percentage never exceeds 100; a shared denominator is drawn
  once. The rate sits near the indicator's target (usually a little on the wrong side), with persistent district
  and taluka effects, a slow trend (most indicators improve), monsoon or school-calendar seasonality and noise.
  A numerator over a denominator of another shape (monthly progress against a yearly target) is drawn from
  that denominator's size and place effects times the rate;
- levels (durations, percentages, yes/no) are drawn around the target of the indicator that shows them;
- values are rounded and kept within each element's min and max.

A few imperfections are injected on purpose (``SimulationNotes``, see ``simulation.anomalies``): villages and
talukas that stop reporting, x10 typos and drops, a district that deteriorates, values frozen for weeks.
Everything comes from numpy Generators seeded with ``plan.seed`` and stable hashes of codes: the same inputs
always give the same values, and adding a data element leaves unrelated elements unchanged (except where the
injected anomalies land).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from govpulse.catalog.io.schema import CatalogFile, DataElement
from govpulse.core.enums import ValueType
from govpulse.core.orgunits import OrgUnitTree
from govpulse.core.periods import PeriodType
from govpulse.demo.simulation.anomalies import (
    Deterioration,
    Jump,
    Repeat,
    SimulationNotes,
    Stop,
    choose_anomalies,
    family_injections,
)
from govpulse.demo.simulation.calendar import PeriodAxis, day_number, period_axis, window_start
from govpulse.demo.simulation.draws import FamilyDraw, FamilyInjections
from govpulse.demo.simulation.places import Places, build_places
from govpulse.demo.simulation.recipes import Family, Level, build_families

__all__ = [
    "SCHEMA",
    "Deterioration",
    "Jump",
    "Repeat",
    "Simulation",
    "SimulationNotes",
    "SimulationPlan",
    "Stop",
    "census_values",
    "estimate_rows",
    "simulate",
]

SCHEMA = pa.schema([("data_element", pa.string()), ("org_unit", pa.string()), ("period", pa.string()),
                    ("value", pa.float64())])
_NEVER = np.iinfo(np.int64).max


@dataclass(frozen=True)
class SimulationPlan:
    """What to simulate: ``days`` days up to and including ``today``, from ``seed``."""

    today: date = field(default_factory=date.today)
    days: int = 400
    seed: int = 42
    chunk_rows: int = 2_000_000
    """Rows per yielded table, roughly (tables hold 1-5 million rows at the default)."""
    anomalies: bool = True
    """Inject the stops, jumps, deterioration and repeats listed in ``SimulationNotes``."""

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"SimulationPlan.days must be at least 1, got {self.days}")
        if self.chunk_rows < 1:
            raise ValueError(f"SimulationPlan.chunk_rows must be at least 1, got {self.chunk_rows}")

    @property
    def first_day(self) -> date:
        return window_start(self.today, self.days)


class Simulation:
    """A prepared simulation: recipes, places, periods and the chosen anomalies; ``chunks()`` draws values."""

    def __init__(self, catalog: CatalogFile, tree: OrgUnitTree, census: pa.Table, plan: SimulationPlan) -> None:
        self.plan = plan
        self.elements: dict[str, DataElement] = {e.code: e for e in catalog.data_elements}
        census_elements = set(pc.unique(census["data_element"]).to_pylist()) if census.num_rows else set()
        self.families = build_families(catalog, census_elements, plan.seed)
        self.places: Places = build_places(tree, census)
        self.axes: dict[tuple[PeriodType, bool], PeriodAxis] = {
            key: period_axis(key[0], plan.today, plan.days, key[1]) for key in {f.axis_key for f in self.families}}
        self.notes = (choose_anomalies(catalog, tree, self.places, self.families, self.axes, plan.first_day,
                                       plan.today, plan.seed)
                      if plan.anomalies else SimulationNotes(plan.first_day, plan.today))
        self._stop_days = _stop_days(self.notes, tree, self.places)
        self._bounds = _bounds(self.elements)

    def row_count(self) -> int:
        """Rows ``chunks()`` yields, not counting those removed by injected stops."""
        return sum(len(self.places.units(f.kinds)) * len(self.axes[f.axis_key]) * len(f.codes)
                   for f in self.families)

    def chunks(self) -> Iterator[pa.Table]:
        """Tables of about ``plan.chunk_rows`` rows (see the module docstring)."""
        buffered: list[pa.Table] = []
        rows = 0
        for family in self.families:
            for table in self._family_tables(family):
                buffered.append(table)
                rows += table.num_rows
                if rows >= self.plan.chunk_rows // 2:
                    yield pa.concat_tables(buffered)
                    buffered, rows = [], 0
        if buffered:
            yield pa.concat_tables(buffered)

    def _family_tables(self, family: Family) -> Iterator[pa.Table]:
        units = self.places.units(family.kinds)
        axis = self.axes[family.axis_key]
        if len(units) == 0 or len(axis) == 0:
            return
        unit_codes = self.places.codes.take(pa.array(units, type=pa.int64()))
        positions = {code: i for i, code in enumerate(unit_codes.to_pylist())} if self._touches(family) else {}
        injections = (family_injections(self.notes, family, self.places, axis, positions) if positions
                      else FamilyInjections())
        draw = FamilyDraw(family, self.places, axis, self.plan.seed, self._bounds, injections,
                          _decimals(self.elements, family))
        last_days = {code: self._last_days(code, units) for code in family.codes}
        for part, values in draw.slices(self.plan.chunk_rows):
            n_units, n_periods = len(units), part.stop - part.start
            unit_index = pa.array(np.repeat(np.arange(n_units), n_periods))
            period_index = pa.array(np.tile(np.arange(part.start, part.stop), n_units))
            org_units, periods = unit_codes.take(unit_index), axis.ids.take(period_index)
            tables = []
            for code, matrix in values.items():
                table = pa.table([_same_text(code, matrix.size), org_units, periods, pa.array(matrix.ravel())],
                                 schema=SCHEMA)
                last_day = last_days[code]
                if last_day is not None:
                    keep = axis.report_day[part][None, :] <= last_day[:, None]
                    table = table.filter(pa.array(keep.ravel()))
                tables.append(table)
            yield pa.concat_tables(tables)

    def _touches(self, family: Family) -> bool:
        codes = set(family.codes)
        notes = self.notes
        return bool(any(codes & set(d.data_elements) for d in notes.deteriorations)
                    or any(codes & set(r.data_elements) for r in notes.repeats)
                    or any(j.data_element in codes for j in notes.jumps))

    def _last_days(self, code: str, units: np.ndarray) -> np.ndarray | None:
        """Last reporting day of each unit for this element, or None when no unit stops."""
        department = self.elements[code].department
        days = self._stop_days.get(department, self._stop_days[None])[units]
        return None if (days == _NEVER).all() else days


def simulate(catalog: CatalogFile, tree: OrgUnitTree, census: pa.Table, plan: SimulationPlan) -> Iterator[pa.Table]:
    """Simulated values of every non-census data element of ``catalog`` (module docstring), in chunks."""
    return Simulation(catalog, tree, census, plan).chunks()


def census_values(census: pa.Table, year: str = "2011") -> pa.Table:
    """The census counts as data values of period ``year``, in the columns ``simulate`` yields."""
    return pa.table([census["data_element"].cast(pa.string()), census["org_unit"].cast(pa.string()),
                     pa.repeat(pa.scalar(year), census.num_rows), census["value"].cast(pa.float64())],
                    schema=SCHEMA)


def estimate_rows(catalog: CatalogFile, tree: OrgUnitTree, plan: SimulationPlan) -> int:
    """Rows ``simulate`` will yield for this plan (before injected stops), for progress bars.

    Counts every data element except census counts (codes starting ``census_``), without drawing anything.
    """
    by_kind = tree.count_by_kind()
    periods: dict[tuple[PeriodType, bool], int] = {}
    total = 0
    for family in build_families(catalog, (), plan.seed):
        if family.axis_key not in periods:
            periods[family.axis_key] = len(period_axis(family.ptype, plan.today, plan.days, family.current))
        units = sum(by_kind.get(kind, 0) for kind in family.kinds)
        total += periods[family.axis_key] * units * len(family.codes)
    return total


# --------------------------------------------------------------------------------------------------


def _same_text(text: str, n: int) -> pa.Array:
    """A string array of ``n`` copies of ``text``, built from raw buffers (much faster than a list)."""
    data = text.encode()
    if len(data) * n >= 2**31 - 1:  # beyond 32-bit offsets; never at the default chunk size
        return pa.repeat(pa.scalar(text, pa.string()), n)
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(len(data))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data * n))


def _bounds(elements: dict[str, DataElement]) -> dict[str, tuple[float | None, float | None]]:
    bounds = {}
    for code, element in elements.items():
        low, high = element.min, element.max
        if element.value_type is ValueType.PERCENTAGE:
            low = 0.0 if low is None else max(low, 0.0)
            high = 100.0 if high is None else min(high, 100.0)
        if element.value_type in (ValueType.INTEGER_ZERO_OR_POSITIVE, ValueType.INTEGER_POSITIVE):
            low = 0.0 if low is None else max(low, 0.0)
        if element.value_type is ValueType.BOOLEAN:
            low, high = 0.0, 1.0
        bounds[code] = (low, high)
    return bounds


def _decimals(elements: dict[str, DataElement], family: Family) -> dict[str, int]:
    """Decimals kept per element: whole numbers, except amounts (2) and non-integer levels (1)."""
    decimals = {}
    for step in family.steps:
        for code in family.outputs(step):
            if elements[code].value_type is ValueType.NUMBER:
                decimals[code] = 1 if isinstance(step, Level) else 2
    return decimals


def _stop_days(notes: SimulationNotes, tree: OrgUnitTree, places: Places) -> dict[str | None, np.ndarray]:
    """Last reporting day per unit: for every department (key None) and per department with its own stops."""
    position = {code: i for i, code in enumerate(places.codes.to_pylist())}
    every = np.full(len(places), _NEVER, dtype=np.int64)
    per_department: dict[str | None, np.ndarray] = {}
    for stop in notes.stops:
        start = position[stop.org_unit]
        end = start + 1 + len(tree.descendants(stop.org_unit))  # depth-first order: the subtree is a run
        target = every if stop.department is None else per_department.setdefault(stop.department, every.copy())
        target[start:end] = np.minimum(target[start:end], day_number(stop.last_day))
    for department, days in per_department.items():  # department stops come on top of the all-data stops
        np.minimum(days, every, out=days)
    per_department[None] = every
    return per_department
