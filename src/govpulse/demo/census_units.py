"""Census 2011 Primary Census Abstract rows of one state, sorted into the units a tree can hold.

The PCA state file mixes levels (DISTRICT, SUB-DISTRICT, TOWN, VILLAGE, WARD) and has two quirks that decide
how towns are counted (measured on the Gujarat and Kerala files):

* A town code can have two rows in one sub-district: "Bhuj (M)" and "Bhuj (M + OG)", the town with its
  outgrowths. Villages plus the "+ OG" row (or the only row) of each town sum exactly to the SUB-DISTRICT
  Total, so the "+ OG" row is the one that counts.
* A city can span sub-districts, with one "(Part)" row (or pair of rows) in each: Ahmadabad and Surat in
  Gujarat; Kochi, Kollam and Thiruvananthapuram in Kerala. Each part is counted as above and the parts are
  added up, so one unit per town code carries the whole town.

With these two rules villages + towns equal the SUB-DISTRICT Totals in every sub-district of both states.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from govpulse.demo.geodata import Row

# The Census columns kept, in the order of govpulse's census data elements.
CENSUS_COLUMNS = (
    "TOT_P", "TOT_M", "TOT_F", "No_HH", "P_06", "M_06", "F_06", "P_LIT", "F_LIT", "P_SC", "P_ST",
    "TOT_WORK_P", "TOT_WORK_F",
)  # fmt: skip

_WITH_OUTGROWTHS = re.compile(r"\s*\+\s*OG\b")
_PART = re.compile(r"\s*\(Part\)\s*$")


@dataclass(frozen=True, slots=True)
class CensusTown:
    """One census town (all its parts), with values from its "+ OG" rows where it has them."""

    code: str
    name: str
    subdistrict: str
    """The sub-district of the largest part: where a town that is not a ULB is placed."""
    subdistricts: tuple[str, ...]
    values: Mapping[str, float]
    rows: tuple[Row, ...]
    """The rows whose values were added up."""


@dataclass(frozen=True, slots=True)
class CensusWard:
    town: str
    number: str
    """4-digit ward number as in the Census file."""
    row: Row


@dataclass(frozen=True, slots=True)
class CensusState:
    """The rows of one state's PCA file, by level."""

    subdistrict_totals: dict[str, Row]
    """SUB-DISTRICT Total row by 5-digit sub-district code."""
    district_totals: dict[str, Row]
    villages: list[Row]
    towns: dict[str, CensusTown]
    wards: list[CensusWard]
    outgrowth_wards: int
    """WARD rows that are outgrowths ("(OG) WARD NO.-0015 (Rural MDDS CODE:...)"), not municipal wards."""


def values_of(row: Row) -> dict[str, float]:
    """The kept Census columns of ``row`` as numbers; a blank or non-numeric cell is an error naming it."""
    values = {}
    for column in CENSUS_COLUMNS:
        text = row[column]
        try:
            values[column] = float(text)
        except ValueError:
            raise ValueError(f"{row.where}: column {column} is {text!r}, not a number") from None
    return values


def read_census_state(rows: Iterable[Row]) -> CensusState:
    """Sort a state's PCA rows by level and combine each town's rows into one ``CensusTown``."""
    subdistricts: dict[str, Row] = {}
    districts: dict[str, Row] = {}
    villages: list[Row] = []
    town_rows: dict[str, list[Row]] = defaultdict(list)
    wards: list[CensusWard] = []
    outgrowth_wards = 0
    for row in rows:
        level, tru = row["Level"], row["TRU"]
        if level == "SUB-DISTRICT" and tru == "Total":
            subdistricts[row["Subdistt"]] = row
        elif level == "DISTRICT" and tru == "Total":
            districts[row["District"]] = row
        elif level == "VILLAGE":
            villages.append(row)
        elif level == "TOWN":
            town_rows[row["Town_Village"]].append(row)
        elif level == "WARD":
            if "(OG)" in row["Name"]:
                outgrowth_wards += 1
            else:
                wards.append(CensusWard(row["Town_Village"], row["Ward"], row))
    towns = {code: _combine_town(code, parts) for code, parts in town_rows.items()}
    return CensusState(subdistricts, districts, villages, towns, wards, outgrowth_wards)


def _combine_town(code: str, rows: list[Row]) -> CensusTown:
    by_subdistrict: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_subdistrict[row["Subdistt"]].append(row)
    counted: list[Row] = []
    for subdistrict, candidates in by_subdistrict.items():
        with_og = [r for r in candidates if _WITH_OUTGROWTHS.search(r["Name"])]
        chosen = with_og or candidates
        if len(chosen) != 1:
            where = ", ".join(r.where for r in chosen)
            raise ValueError(f"town {code} has {len(chosen)} rows to count in sub-district {subdistrict}: {where}")
        counted.append(chosen[0])
    totals = dict.fromkeys(CENSUS_COLUMNS, 0.0)
    for row in counted:
        for column, value in values_of(row).items():
            totals[column] += value
    largest = max(counted, key=lambda r: float(r["TOT_P"]))
    plain = [r for r in rows if not _WITH_OUTGROWTHS.search(r["Name"])] or rows
    name = _PART.sub("", _WITH_OUTGROWTHS.sub("", plain[0]["Name"])).strip()
    return CensusTown(
        code=code,
        name=name,
        subdistrict=largest["Subdistt"],
        subdistricts=tuple(by_subdistrict),
        values=totals,
        rows=tuple(counted),
    )
