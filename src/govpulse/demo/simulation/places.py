"""Org units as arrays: where each unit sits (district, sub-district) and how many people it serves.

Census counts sit on the leaves that existed in 2011 (villages, towns, ULBs). A unit's count of anything
(population, households, children 0-6, ...) is its own census value when it has one, else the sum over its
children. Units with no census value anywhere in their subtree (wards, schools) get an equal share of their
parent's count: a ward gets its ULB's population divided by the ULB's number of such wards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from govpulse.core.enums import OrgUnitKind
from govpulse.core.orgunits import OrgUnitTree

POPULATION = "census_population"
HOUSEHOLDS = "census_households"
CHILDREN_0_6 = "census_population_0_6"
LITERATES = "census_literates"
PER_UNIT = "unit"
"""A driver of exactly 1 per org unit (a ward has one ward-day a day)."""


@dataclass
class Places:
    """Every unit of a tree, in the tree's depth-first order, as parallel arrays."""

    codes: pa.Array
    """Unit codes (string array), position = unit index."""
    kinds: np.ndarray
    """Kind value of each unit (``"village"``...), as a numpy array of str."""
    district: np.ndarray
    """Index into ``district_codes`` of each unit's district (itself for a district); -1 above districts."""
    area: np.ndarray
    """Index into ``area_codes`` of each unit's sub-district area (taluka or ULB right under the district)."""
    district_codes: list[str]
    area_codes: list[str]
    drivers: dict[str, np.ndarray]
    """Census counts per unit (population and the rest), every unit filled as the module docstring says."""
    district_quality: np.ndarray
    """A persistent "how well run" score per district (mean 0, sd 1): literacy-based where the census has it."""
    _units: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.kinds)

    def units(self, kinds: Iterable[str]) -> np.ndarray:
        """Indices of the units of the given kinds, in tree order."""
        key = tuple(sorted(str(kind) for kind in kinds))
        if key not in self._units:
            self._units[key] = np.flatnonzero(np.isin(self.kinds, np.array(key, dtype=object)))
        return self._units[key]

    def driver(self, name: str) -> np.ndarray:
        """Census count ``name`` per unit (``"unit"``: 1 for every unit); population when the census has none."""
        if name == PER_UNIT:
            return np.ones(len(self.kinds))
        return self.drivers.get(name, self.drivers[POPULATION])

    def codes_of(self, indices: np.ndarray) -> list[str]:
        """Unit codes at ``indices`` (for notes and tests, not for bulk data)."""
        return self.codes.take(pa.array(indices, type=pa.int64())).to_pylist()


def build_places(tree: OrgUnitTree, census: pa.Table) -> Places:
    """Arrays for every unit of ``tree``, with census drivers summed up and shared down (module docstring)."""
    nodes = tree.nodes()
    codes = [node.code for node in nodes]
    position = {code: i for i, code in enumerate(codes)}
    parent = np.array([position.get(node.parent_code, -1) if node.parent_code else -1 for node in nodes],
                      dtype=np.int64)
    level = np.array([node.level for node in nodes], dtype=np.int64)
    kinds = np.array([node.kind.value for node in nodes], dtype=object)
    code_array = pa.array(codes, type=pa.string())

    district_of = _nearest_of_kind(parent, level, kinds == OrgUnitKind.DISTRICT.value)
    district_nodes = np.flatnonzero(kinds == OrgUnitKind.DISTRICT.value)
    district = _renumber(district_of, district_nodes)
    is_area = (parent >= 0) & np.isin(kinds[np.maximum(parent, 0)], [OrgUnitKind.DISTRICT.value]) & (
        kinds != OrgUnitKind.DISTRICT.value)
    area_nodes = np.flatnonzero(is_area)
    area = _renumber(_nearest_of_kind(parent, level, is_area), area_nodes)

    drivers = {name: _fill(own, has, parent, level) for name, (own, has) in _census_columns(census, code_array).items()}
    if POPULATION not in drivers:
        drivers[POPULATION] = np.zeros(len(codes))
    quality = _district_quality(drivers, district_nodes)
    return Places(code_array, kinds, district, area, [codes[i] for i in district_nodes],
                  [codes[i] for i in area_nodes], drivers, quality)


def _nearest_of_kind(parent: np.ndarray, level: np.ndarray, marked: np.ndarray) -> np.ndarray:
    """Node index of the nearest marked unit on each unit's path (itself included), -1 when none."""
    nearest = np.where(marked, np.arange(len(parent)), -1)
    for depth in range(2, int(level.max(initial=1)) + 1):
        at = np.flatnonzero((level == depth) & ~marked & (parent >= 0))
        nearest[at] = nearest[parent[at]]
    return nearest


def _renumber(node_index: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Map node indices to their position in ``chosen`` (-1 stays -1)."""
    lookup = np.full(len(node_index) + 1, -1, dtype=np.int64)
    lookup[chosen] = np.arange(len(chosen))
    return lookup[node_index]  # node_index -1 reads lookup[-1], which is the extra -1 slot


def _census_columns(census: pa.Table, codes: pa.Array) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per census element: (own value per unit, whether the unit has its own value)."""
    columns: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if census.num_rows == 0:
        return columns
    found = pc.index_in(census["org_unit"].cast(pa.string()), value_set=codes)
    where = pc.fill_null(found, -1).to_numpy().astype(np.int64)
    elements = census["data_element"].cast(pa.string()).to_numpy(zero_copy_only=False)
    values = pc.fill_null(census["value"].cast(pa.float64()), np.nan).to_numpy()
    for name in np.unique(elements):
        rows = (elements == name) & (where >= 0) & ~np.isnan(values)
        own = np.zeros(len(codes))
        has = np.zeros(len(codes), dtype=bool)
        own[where[rows]] = values[rows]
        has[where[rows]] = True
        columns[str(name)] = (own, has)
    return columns


def _fill(own: np.ndarray, has: np.ndarray, parent: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Own value, else the sum of the children; units without census below get a share of their parent."""
    total = np.where(has, own, 0.0)
    covered = has.copy()
    deepest = int(level.max(initial=1))
    for depth in range(deepest, 1, -1):  # children before parents
        at = np.flatnonzero((level == depth) & (parent >= 0))
        up = parent[at]
        open_parents = ~has[up]
        np.add.at(total, up[open_parents], total[at][open_parents])
        np.logical_or.at(covered, up, covered[at])
    for depth in range(2, deepest + 1):  # parents before children
        at = np.flatnonzero((level == depth) & (parent >= 0) & ~covered)
        if len(at) == 0:
            continue
        siblings = np.bincount(parent[at], minlength=len(parent))
        total[at] = total[parent[at]] / siblings[parent[at]]
    return total


def _district_quality(drivers: dict[str, np.ndarray], district_nodes: np.ndarray) -> np.ndarray:
    """Standardised literacy rate (literates / population aged 7+) of each district, or zeros."""
    if len(district_nodes) == 0 or LITERATES not in drivers:
        return np.zeros(len(district_nodes))
    population = drivers[POPULATION][district_nodes]
    young = drivers.get(CHILDREN_0_6, np.zeros_like(drivers[POPULATION]))[district_nodes]
    literacy = drivers[LITERATES][district_nodes] / np.maximum(population - young, 1.0)
    spread = literacy.std()
    return (literacy - literacy.mean()) / spread if spread > 0 else np.zeros(len(district_nodes))
