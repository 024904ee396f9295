"""Regenerate the files in this folder from the shared public-data folder (see ATTRIBUTION.md).

    python src/govpulse/demo/data/prepare.py /work/shared/data

Keeps only Gujarat and Kerala and the columns govpulse reads, and gzips everything with a zero timestamp so
that a rerun on the same input gives byte-identical files. Not imported by govpulse; a record of how the
shipped files were made.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from pathlib import Path

HERE = Path(__file__).parent
MAPS = HERE.parents[1] / "geo" / "data"  # the boundaries live with govpulse.geo, which the dashboard's maps read
STATE_CODES = {"24", "32"}  # LGD and Census 2011 state codes agree for these two: Gujarat, Kerala
STATE_NAMES = {"GUJARAT", "KERALA"}

CENSUS_KEYS = ["State", "District", "Subdistt", "Town_Village", "Ward", "Level", "Name", "TRU"]
CENSUS_VALUES = [
    "No_HH", "TOT_P", "TOT_M", "TOT_F", "P_06", "M_06", "F_06", "P_SC", "P_ST",
    "P_LIT", "F_LIT", "TOT_WORK_P", "TOT_WORK_F",
]  # fmt: skip

# (source file, shipped file, row filter, {source column: shipped column})
TABLES = [
    (
        "lgd/lgd_states_2022.csv",
        "lgd_states_2022.csv.gz",
        lambda r: r["State Code"] in STATE_CODES,
        {"State Code": "State Code", "State Name": "State Name", "Census 2011 Code": "Census 2011 Code"},
    ),
    (
        "lgd/lgd_districts_2022.csv",
        "lgd_districts_2022.csv.gz",
        lambda r: r["State Code"] in STATE_CODES,
        {c: c for c in ["State Code", "District Code", "District Name", "Census 2011 Code"]},
    ),
    (
        "lgd/lgd_subdistricts_2022.csv",
        "lgd_subdistricts_2022.csv.gz",
        lambda r: r["State Code"] in STATE_CODES,
        {c: c for c in ["State Code", "District Code", "Sub-district Code", "Sub-district Name",
                        "Census 2011 code"]},
    ),
    (
        # The source header names two columns "Block Name" (English, with a trailing space, then local script).
        "lgd/lgd_blocks_2022.csv",
        "lgd_blocks_2022.csv.gz",
        lambda r: r["State Code"] in STATE_CODES,
        {"State Code": "State Code", "District Code": "District Code", "Block Code": "Block Code",
         "Block Name ": "Block Name", "Block Name": "Block Name (local)"},
    ),
    (
        "lgd/lgd_urban_local_bodies_2022.csv",
        "lgd_urban_local_bodies_2022.csv.gz",
        lambda r: r["State Code"] in STATE_CODES,
        {c: c for c in ["State Code", "Local Body Code", "Local Body Name", "Local Body Name (In Local)",
                        "Localbody Type Code", "Census 2011 Code"]},
    ),
    (
        # Only which district each ULB lies in; the village-level coverage rows collapse to one per ULB.
        "lgd/lgd_ulb_coverage_gujarat_kerala_2022.csv",
        "lgd_ulb_districts_2022.csv.gz",
        lambda r: r["State Name"] in STATE_NAMES,
        {c: c for c in ["State Name", "Localbody Code", "Census 2011 Code", "District Code"]},
    ),
    (
        "census2011_pca/gujarat_pca2011_all_levels.csv",
        "census2011_pca_gujarat.csv.gz",
        lambda r: True,
        {c: c for c in CENSUS_KEYS + CENSUS_VALUES},
    ),
    (
        "census2011_pca/kerala_pca2011_all_levels.csv",
        "census2011_pca_kerala.csv.gz",
        lambda r: True,
        {c: c for c in CENSUS_KEYS + CENSUS_VALUES},
    ),
]

GEOJSON = {
    "boundaries/gujarat_districts.geojson": "gujarat_districts.geo.json.gz",
    "boundaries/gujarat_subdistrict_hq_points.geojson": "gujarat_subdistrict_hq_points.geo.json.gz",
    "boundaries/kerala_districts_lgd.geojson": "kerala_districts_lgd.geo.json.gz",
    "boundaries/kerala_subdistricts_lgd.geojson": "kerala_subdistricts_lgd.geo.json.gz",
    "urban_wards/ahmedabad_wards.geojson": "ahmedabad_wards.geo.json.gz",
    "urban_wards/vadodara_wards.geojson": "vadodara_wards.geo.json.gz",
    "urban_wards/kochi_wards.geojson": "kochi_wards.geo.json.gz",
}


def _gzip(data: bytes, target: Path) -> None:
    with open(target, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
            gz.write(data)


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        return next(reader), list(reader)


def prepare_table(shared: Path, source: str, target: str, keep, columns: dict[str, str]) -> int:
    header, rows = _rows(shared / source)
    # Look columns up by position so that the blocks file's two "Block Name" columns stay apart.
    stripped = [h.strip() for h in header]
    positions = {}
    for wanted in columns:
        exact = [i for i, h in enumerate(header) if h == wanted]
        positions[wanted] = exact[0] if exact else stripped.index(wanted.strip())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(columns.values()))
    seen = set()
    for row in rows:
        as_dict = {h: row[i] for i, h in enumerate(header) if i < len(row)}
        as_dict.update({wanted: row[i] for wanted, i in positions.items()})
        if not keep(as_dict):
            continue
        kept = tuple(row[positions[c]] for c in columns)
        if kept in seen:  # only the ULB-district table has repeats (one per covered village)
            continue
        seen.add(kept)
        writer.writerow(kept)
    _gzip(out.getvalue().encode("utf-8"), HERE / target)
    return len(seen)


def main(shared: Path) -> None:
    for source, target, keep, columns in TABLES:
        print(f"{target}: {prepare_table(shared, source, target, keep, columns)} rows")
    for source, target in GEOJSON.items():
        _gzip((shared / source).read_bytes(), MAPS / target)
        print(f"geo/data/{target}: verbatim")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"))
