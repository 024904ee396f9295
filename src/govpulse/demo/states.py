"""Which shipped files describe each demo state, and how their map features name org units (the maps and their
ward numbers are ``govpulse.geo``'s, which the dashboard reads too)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from govpulse.demo import naming
from govpulse.geo import layers as maps

__all__ = ["STATES", "ULB_TYPES", "StateSources", "WardMap"]

# LGD "Localbody Type Code" -> readable type. The LGD lookup labels 8 "Municipal Council", but every type-8
# body in Gujarat and Kerala (Ahmadabad Cantonment, Cannanore) is a Cantonment Board.
ULB_TYPES = {
    "4": "Municipal Corporation",
    "5": "Municipality",
    "6": "Notified Area Council",
    "7": "Town Panchayat",
    "8": "Cantonment Board",
}


@dataclass(frozen=True)
class WardMap:
    """Municipal ward polygons of one city, used instead of its Census 2011 wards."""

    ulb_name: str
    """LGD local body name of the Municipal Corporation (type 4) the wards belong to."""
    file: str
    number: Callable[[Mapping[str, Any]], int | None]
    name: Callable[[Mapping[str, Any]], str | None]


@dataclass(frozen=True)
class StateSources:
    """Which shipped files describe a state, and how their features name units."""

    name: str
    lgd_code: str
    language: str
    """ISO 639-1 code of the state's language, for names in its script."""
    census_file: str
    district_map: str
    taluka_map: str
    ward_maps: tuple[WardMap, ...] = ()


def _ahmedabad_name(props: Mapping[str, Any]) -> str | None:
    parts = str(props.get("Name", "")).split(" ", 1)
    return naming.readable(parts[1]) if len(parts) == 2 else None


def _text(key: str) -> Callable[[Mapping[str, Any]], str | None]:
    return lambda props: naming.readable(str(props[key])) if props.get(key) else None


STATES: dict[str, StateSources] = {
    "gujarat": StateSources(
        name="Gujarat",
        lgd_code="24",
        language="gu",
        census_file="census2011_pca_gujarat.csv.gz",
        district_map=maps.GUJARAT_DISTRICTS.file,
        taluka_map=maps.GUJARAT_TALUKA_HQ.file,
        ward_maps=(
            WardMap("Ahmadabad", maps.AHMEDABAD_WARDS.file, maps.AHMEDABAD_WARDS.ward_number, _ahmedabad_name),
            WardMap("Vadodara", maps.VADODARA_WARDS.file, maps.VADODARA_WARDS.ward_number, _text("ward_name")),
        ),
    ),
    "kerala": StateSources(
        name="Kerala",
        lgd_code="32",
        language="ml",
        census_file="census2011_pca_kerala.csv.gz",
        district_map=maps.KERALA_DISTRICTS.file,
        taluka_map=maps.KERALA_TALUKAS.file,
        ward_maps=(WardMap("Kochi", maps.KOCHI_WARDS.file, maps.KOCHI_WARDS.ward_number, _text("Ward_Name")),),
    ),
}
