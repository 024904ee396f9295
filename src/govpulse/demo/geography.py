"""The org-unit tree and Census 2011 counts of a real Indian state (Gujarat or Kerala), from public data.

``load_geography("gujarat")`` reads the files in ``govpulse/demo/data`` (LGD codes, Census 2011 PCA, GeoJSON;
see ATTRIBUTION.md there) and returns the org-unit records, their Census values and the map layers.

How the tree is built (every join below was measured on the shipped files; see the data READMEs):

=========  ===================================  ===============================  ================================
kind       one unit per                         code                             parent
=========  ===================================  ===============================  ================================
state      the state                            LGD state code ("24", "32")      -
district   LGD 2022 district                    LGD district code                state
taluka     Census 2011 sub-district             its LGD sub-district code        the LGD district it is in now
village    Census 2011 village                  Census village code (6 digits)   its taluka
ulb        LGD urban local body                 LGD local body code              district (of its census taluka)
town       Census town that is not an LGD ULB   "T" + Census town code           its taluka
ward       Census ward of a ULB, or municipal   ULB code + "W" + 4-digit number  its ULB
           ward of a city with a ward map
=========  ===================================  ===============================  ================================

Codes cannot collide across kinds: LGD districts have 3 digits, LGD sub-districts 4, Census villages 6
starting with 5 (Gujarat) or 6 (Kerala), LGD ULBs 6 starting with 2, towns start with "T" and wards contain
"W"; ``OrgUnitTree.build`` would report a collision as a ``duplicate_code`` problem all the same.

Census values sit on the leaves only (villages, towns, ULBs), so that adding up a subtree never counts a
person twice: wards carry none (their town does), and LGD sub-districts and ULBs created after 2011 have none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa

from govpulse.core.enums import OrgUnitKind
from govpulse.core.orgunits import OrgUnitRecord, TreeProblem
from govpulse.demo import naming
from govpulse.demo.census_units import CensusState, CensusTown, read_census_state, values_of
from govpulse.demo.geodata import Row, centroid, read_geojson, read_rows
from govpulse.demo.states import STATES, ULB_TYPES, StateSources
from govpulse.geo.layers import ward_code

__all__ = ["CENSUS_DATA_ELEMENTS", "Geography", "load_geography"]

CENSUS_DATA_ELEMENTS: dict[str, tuple[str, str, str]] = {
    "census_population": ("TOT_P", "Population", "Total population, persons (Census 2011)"),
    "census_population_male": ("TOT_M", "Population, male", "Total population, males (Census 2011)"),
    "census_population_female": ("TOT_F", "Population, female", "Total population, females (Census 2011)"),
    "census_households": ("No_HH", "Households", "Number of households (Census 2011)"),
    "census_population_0_6": ("P_06", "Children aged 0-6", "Population aged 0-6, persons (Census 2011)"),
    "census_male_0_6": ("M_06", "Boys aged 0-6", "Population aged 0-6, males (Census 2011)"),
    "census_female_0_6": ("F_06", "Girls aged 0-6", "Population aged 0-6, females (Census 2011)"),
    "census_literates": (
        "P_LIT", "Literates",
        "Literate persons (Census 2011); literacy rate = literates / (population - population aged 0-6)",
    ),
    "census_literates_female": ("F_LIT", "Literates, female", "Literate females (Census 2011)"),
    "census_sc": ("P_SC", "Scheduled Castes population", "Scheduled Castes population, persons (Census 2011)"),
    "census_st": ("P_ST", "Scheduled Tribes population", "Scheduled Tribes population, persons (Census 2011)"),
    "census_workers": ("TOT_WORK_P", "Workers", "Main and marginal workers, persons (Census 2011)"),
    "census_workers_female": ("TOT_WORK_F", "Workers, female", "Main and marginal workers, females (Census 2011)"),
}  # fmt: skip
"""govpulse data element code -> (Census 2011 PCA column, English name, description)."""


@dataclass(frozen=True)
class Geography:
    """A state's org units, their Census 2011 values and map layers, ready to load into govpulse."""

    state: str
    records: list[OrgUnitRecord]
    census: pa.Table
    """Long table ``org_unit`` (str), ``data_element`` (str), ``value`` (float64) on the leaves only."""
    problems: list[TreeProblem]
    """Problems met while joining the sources (a unit that could not be placed); the tree's own checks
    (duplicate codes, unknown parents, ...) come from ``OrgUnitTree.build(records)``."""
    boundaries: dict[str, dict[str, Any]]
    """GeoJSON FeatureCollections by layer: "districts", "talukas" (polygons) or "taluka_hq" (points), and
    "wards/<ULB code>"; each feature that is an org unit has the property ``org_unit`` (its code)."""
    notes: list[str] = field(default_factory=list)
    """Facts about the data worth printing: units left out and why, quirks met."""


def load_geography(state: str = "gujarat") -> Geography:
    """Build the org-unit records, Census values and map layers of ``state`` ("gujarat" or "kerala")."""
    key = state.strip().lower()
    if key not in STATES:
        raise ValueError(f"no demo geography for state {state!r}; available: {', '.join(STATES)}")
    return _Builder(STATES[key]).build(key)


class _Builder:
    """Collects the records of one state step by step; each step adds one kind of unit."""

    def __init__(self, sources: StateSources):
        self.sources = sources
        self.records: list[OrgUnitRecord] = []
        self.values: dict[str, Mapping[str, float]] = {}  # leaf code -> Census column -> value
        self.problems: list[TreeProblem] = []
        self.notes: list[str] = []
        self.boundaries: dict[str, dict[str, Any]] = {}
        self.census: CensusState = read_census_state(read_rows(sources.census_file))
        self.taluka_by_census: dict[str, str] = {}  # 5-digit Census sub-district code -> taluka code
        self.district_of_taluka: dict[str, str] = {}

    def build(self, key: str) -> Geography:
        self.add_state_and_districts()
        self.add_talukas()
        self.add_villages()
        ulbs = self.lgd_rows("lgd_urban_local_bodies_2022.csv.gz")
        self.add_towns_and_ulbs(ulbs)
        mapped = self.add_ward_maps(ulbs)
        self.add_census_wards(skip_ulbs=mapped)
        return Geography(key, self.records, self.census_table(), self.problems, self.boundaries, self.notes)

    def lgd_rows(self, file: str) -> list[Row]:
        return [row for row in read_rows(file) if row["State Code"] == self.sources.lgd_code]

    def add(self, code: str, name: str, kind: OrgUnitKind, parent: str | None, source: str, **more: Any) -> None:
        self.records.append(OrgUnitRecord(code, name, kind, parent, source=source, **more))

    # --- state and districts ----------------------------------------------------------------------------

    def add_state_and_districts(self) -> None:
        src = self.sources
        state = self.lgd_rows("lgd_states_2022.csv.gz")[0]
        districts = self.lgd_rows("lgd_districts_2022.csv.gz")
        shapes = self.district_shapes(districts)
        all_shapes = [geometry for geometries in shapes.values() for geometry in geometries]
        self.add(src.lgd_code, src.name, OrgUnitKind.STATE, None, state.where,
                 census_code=state["Census 2011 Code"], **_point(centroid(all_shapes)))  # fmt: skip
        for row in districts:
            code, census = row["District Code"], row["Census 2011 Code"]
            middle = centroid(shapes[code]) if code in shapes else None
            self.add(code, naming.readable(row["District Name"]), OrgUnitKind.DISTRICT, src.lgd_code, row.where,
                     census_code=census if _present(census) else None, **_point(middle))  # fmt: skip
        if missing := sorted(r["District Name"] for r in districts if r["District Code"] not in shapes):
            self.notes.append(f"{len(missing)} districts have no shape in {src.district_map}: {', '.join(missing)}")

    def district_shapes(self, districts: list[Row]) -> dict[str, list[dict[str, Any]]]:
        """Geometries by LGD district code; tags each feature of the district layer with its ``org_unit``."""
        layer = read_geojson(self.sources.district_map)
        by_census = {r["Census 2011 Code"]: r["District Code"] for r in districts}
        by_census = {census: code for census, code in by_census.items() if _present(census)}
        by_name = {naming.key(r["District Name"]): r["District Code"] for r in districts}
        shapes: dict[str, list[dict[str, Any]]] = {}
        for feature in layer["features"]:
            code = _district_of_feature(feature["properties"], by_census, by_name)
            if code is None:
                self.notes.append(f"{self.sources.district_map}: {feature['properties']} matches no LGD district")
                continue
            feature["properties"]["org_unit"] = code
            shapes.setdefault(code, []).append(feature["geometry"])
        self.boundaries["districts"] = layer
        return shapes

    # --- talukas ------------------------------------------------------------------------------------------

    def add_talukas(self) -> None:
        src = self.sources
        lgd = self.lgd_rows("lgd_subdistricts_2022.csv.gz")
        by_census = {r["Census 2011 code"]: r for r in lgd if _present(r["Census 2011 code"])}
        in_census = [by_census[c] for c in self.census.subdistrict_totals if c in by_census]
        local = naming.local_taluka_names(self.lgd_rows("lgd_blocks_2022.csv.gz"), in_census, src.language)
        points = self.taluka_points(by_census)
        for census_code, census_row in self.census.subdistrict_totals.items():
            row = by_census.get(census_code)
            if row is None:
                self.problems.append(TreeProblem("unknown_parent", census_code, (
                    f"Census sub-district {census_code} ({census_row.where}) has no LGD sub-district with that "
                    "Census 2011 code; it, its villages and its towns are left out")))  # fmt: skip
                continue
            code, district = row["Sub-district Code"], row["District Code"]
            self.taluka_by_census[census_code] = code
            self.district_of_taluka[code] = district
            self.add(code, naming.readable(row["Sub-district Name"]), OrgUnitKind.TALUKA, district,
                     f"{row.where}; {census_row.where}", census_code=census_code, names=local.get(code, {}),
                     **_point(points.get(census_code)))  # fmt: skip
        newer = sorted(naming.readable(r["Sub-district Name"]) for r in lgd if not _present(r["Census 2011 code"]))
        self.notes.append(
            f"{len(newer)} LGD sub-districts of {src.name} were created after 2011 (no Census 2011 code, so no "
            f"census villages) and are not in the tree: {', '.join(newer)}"
        )
        named = sum(1 for code in self.district_of_taluka if code in local)
        self.notes.append(f"{named} of {len(self.district_of_taluka)} talukas have a name in local script, "
                          "from LGD block names")  # fmt: skip

    def taluka_points(self, lgd_by_census: Mapping[str, Row]) -> dict[str, tuple[float, float]]:
        """(lat, lon) by Census sub-district code from the taluka layer, whose features get ``org_unit``."""
        layer = read_geojson(self.sources.taluka_map)
        points = {}
        for feature in layer["features"]:
            props, geometry = feature["properties"], feature["geometry"]
            census_code = str(props.get("SDTCODE11") or props.get("sdtcode11") or "")
            if census_code not in lgd_by_census:
                continue
            props["org_unit"] = lgd_by_census[census_code]["Sub-district Code"]
            if geometry["type"] == "Point":
                lon, lat = geometry["coordinates"][:2]
                points[census_code] = (round(lat, 5), round(lon, 5))
            elif (middle := centroid([geometry])) is not None:
                points[census_code] = middle
        only_points = all(f["geometry"]["type"] == "Point" for f in layer["features"])
        self.boundaries["taluka_hq" if only_points else "talukas"] = layer
        return points

    # --- villages, towns and ULBs -------------------------------------------------------------------------

    def add_villages(self) -> None:
        for row in self.census.villages:
            taluka = self.taluka_by_census.get(row["Subdistt"])
            if taluka is None:
                continue  # already reported with its sub-district
            code = row["Town_Village"]
            self.add(code, naming.readable(row["Name"]), OrgUnitKind.VILLAGE, taluka, row.where, census_code=code)
            self.values[code] = values_of(row)

    def add_towns_and_ulbs(self, ulbs: list[Row]) -> None:
        """Census towns (as ULBs where LGD has a ULB with that town code), then LGD ULBs with no census town."""
        ulb_by_town = {r["Census 2011 Code"]: r for r in ulbs if _present(r["Census 2011 Code"])}
        coverage = read_rows("lgd_ulb_districts_2022.csv.gz")
        listed_district = {r["Localbody Code"]: r["District Code"] for r in coverage}
        for town in self.census.towns.values():
            taluka = self.taluka_by_census.get(town.subdistrict)
            if taluka is None:
                continue  # already reported with its sub-district
            ulb = ulb_by_town.get(town.code)
            if ulb is None:
                self.add_town(f"T{town.code}", town.name, OrgUnitKind.TOWN, taluka, town)
                continue
            district = self.district_of_town(town, taluka)
            listed = listed_district.get(ulb["Local Body Code"])
            if listed and listed != district:
                self.notes.append(
                    f"ULB {ulb['Local Body Code']} ({ulb['Local Body Name']}): LGD lists it in district {listed}, "
                    f"but its Census 2011 town {town.code} lies in taluka {taluka} of district {district}; placed "
                    f"in {district} so that district Census totals add up"
                )
            self.add_ulb(ulb, district, town)
        no_town = [r for r in ulbs if not _present(r["Census 2011 Code"])]
        for ulb in no_town:
            if (district := listed_district.get(ulb["Local Body Code"])) is None:
                self.problems.append(TreeProblem("unknown_parent", ulb["Local Body Code"], (
                    f"ULB {ulb['Local Body Name']} ({ulb.where}) has no Census 2011 town and no district in "
                    "lgd_ulb_districts_2022.csv.gz; left out")))  # fmt: skip
                continue
            self.add_ulb(ulb, district, None)
        if no_town:
            names = ", ".join(sorted(naming.readable(r["Local Body Name"]) for r in no_town))
            self.notes.append(f"{len(no_town)} ULBs have no Census 2011 town code, so no census values: {names}")

    def district_of_town(self, town: CensusTown, taluka: str) -> str:
        """The LGD district of the town's main taluka; a town whose parts lie in other districts is noted."""
        district = self.district_of_taluka[taluka]
        talukas = (self.taluka_by_census.get(s) for s in town.subdistricts)
        others = {self.district_of_taluka[t] for t in talukas if t} - {district}
        if others:
            self.notes.append(f"town {town.code} ({town.name}) also has parts in districts {sorted(others)}; "
                              f"its census values all count in district {district}")  # fmt: skip
        return district

    def add_ulb(self, ulb: Row, district: str, town: CensusTown | None) -> None:
        name = naming.with_type(naming.readable(ulb["Local Body Name"]), ULB_TYPES.get(ulb["Localbody Type Code"]))
        local = naming.in_script(ulb["Local Body Name (In Local)"], self.sources.language)
        if town is None:
            self.add(ulb["Local Body Code"], name, OrgUnitKind.ULB, district, ulb.where, names=local)
        else:
            self.add_town(ulb["Local Body Code"], name, OrgUnitKind.ULB, district, town, local, ulb.where)

    def add_town(self, code: str, name: str, kind: OrgUnitKind, parent: str, town: CensusTown,
                 names: Mapping[str, str] | None = None, lgd_source: str = "") -> None:  # fmt: skip
        """A leaf carrying a census town's values; its source names the LGD row (for a ULB) and census rows."""
        source = "; ".join([lgd_source] * bool(lgd_source) + [row.where for row in town.rows])
        self.add(code, name, kind, parent, source, census_code=town.code, names=dict(names or {}))
        self.values[code] = town.values

    # --- wards --------------------------------------------------------------------------------------------

    def add_ward_maps(self, ulbs: list[Row]) -> set[str]:
        """Wards of the cities that have a ward map; returns the codes of those cities' ULBs."""
        mapped = set()
        for ward_map in self.sources.ward_maps:
            corporations = [r for r in ulbs if r["Localbody Type Code"] == "4"]
            ulb = next((r for r in corporations if r["Local Body Name"] == ward_map.ulb_name), None)
            if ulb is None:
                self.notes.append(f"{ward_map.file}: no Municipal Corporation {ward_map.ulb_name!r} in LGD; unused")
                continue
            code = ulb["Local Body Code"]
            layer = read_geojson(ward_map.file)
            unnumbered, flat = 0, []
            for index, feature in enumerate(layer["features"], start=1):
                props = feature["properties"]
                if (number := ward_map.number(props)) is None:
                    unnumbered += 1
                    continue
                ward = props["org_unit"] = ward_code(code, number)
                middle = centroid([feature["geometry"]])
                if middle is None:
                    flat.append(str(number))
                self.add(ward, ward_map.name(props) or f"Ward {number}", OrgUnitKind.WARD, code,
                         f"{ward_map.file} feature {index}", **_point(middle))  # fmt: skip
            if unnumbered:
                self.notes.append(f"{ward_map.file}: {unnumbered} features have no ward number and are not units")
            if flat:
                self.notes.append(f"{ward_map.file}: wards {', '.join(flat)} are drawn with no area (no map point)")
            self.boundaries[f"wards/{code}"] = layer
            self.place_at(code, centroid(f["geometry"] for f in layer["features"] if "org_unit" in f["properties"]))
            mapped.add(code)
        return mapped

    def place_at(self, code: str, point: tuple[float, float] | None) -> None:
        """Give the record ``code`` a map point (a city gets the centroid of its ward map)."""
        index = next(i for i, record in enumerate(self.records) if record.code == code)
        self.records[index] = replace(self.records[index], **_point(point))

    def add_census_wards(self, skip_ulbs: set[str]) -> None:
        """Census wards of towns that are ULBs (census towns get none), except where a ward map replaces them."""
        ulb_of_town = {r.census_code: r.code for r in self.records if r.kind == OrgUnitKind.ULB and r.census_code}
        replaced: Counter[str] = Counter()
        for ward in self.census.wards:
            if (ulb := ulb_of_town.get(ward.town)) is None:
                continue
            if ulb in skip_ulbs:
                replaced[ulb] += 1
                continue
            number = int(ward.number)
            self.add(f"{ulb}W{number:04d}", f"Ward {number}", OrgUnitKind.WARD, ulb, ward.row.where)
        self.notes.append(f"{self.census.outgrowth_wards} Census WARD rows are outgrowths (OG) of towns, not "
                          "municipal wards, and are not units")  # fmt: skip
        for ulb, count in sorted(replaced.items()):
            self.notes.append(f"ULB {ulb}: its {count} Census 2011 wards are replaced by the wards of its map")

    # --- census values ------------------------------------------------------------------------------------

    def census_table(self) -> pa.Table:
        codes = list(self.values)
        org_units, elements, numbers = [], [], []
        for element, (column, _, _) in CENSUS_DATA_ELEMENTS.items():
            org_units.extend(codes)
            elements.extend([element] * len(codes))
            numbers.extend(self.values[code][column] for code in codes)
        return pa.table({
            "org_unit": pa.array(org_units, pa.string()),
            "data_element": pa.array(elements, pa.string()),
            "value": pa.array(numbers, pa.float64()),
        })  # fmt: skip


def _present(census_code: str) -> bool:
    """False for the blank and all-zero codes LGD uses for "no Census 2011 code"."""
    return bool(census_code.strip("0 "))


def _point(point: tuple[float, float] | None) -> dict[str, float | None]:
    lat, lon = point or (None, None)
    return {"latitude": lat, "longitude": lon}


def _district_of_feature(
    props: Mapping[str, Any], by_census: Mapping[str, str], by_name: Mapping[str, str]
) -> str | None:
    """LGD district code of a district map feature: by LGD code, else Census 2011 code, else name.

    The covid19india maps give districts created after 2011 pseudo codes (7xx) that are not Census codes, so
    those are joined by name (``naming.key`` folds the spelling differences).
    """
    if props.get("Dist_LGD") is not None:
        return str(props["Dist_LGD"])
    if (code := by_census.get(str(props.get("dt_code", "")))) is not None:
        return code
    return by_name.get(naming.key(str(props.get("district", ""))))
