"""The boundary files shipped for each state, and how their features name org units.

A feature is the shape of the org unit whose code is in its property ``code`` (or, for a map with no LGD codes,
whose code ``lgd_by_census`` gives for its Census 2011 code); failing that, of the unit of
``kind`` whose Census 2011 code is in ``census``; failing that, of the unit of ``kind`` whose name is in ``name``
(compared with ``names.name_key``). Ward maps name no unit: ``number`` holds the ward's number, and the ward is
the city's (``city``, an LGD local body code) ward of that number (``ward_code``), as the tree names the wards of
a city with a ward map.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SHIPPED", "Layer", "ward_code"]


def ward_code(city: str, number: int) -> str:
    """The code of ward ``number`` of the city (ULB) with code ``city``: "251096W0012"."""
    return f"{city}W{number:04d}"


@dataclass(frozen=True)
class Layer:
    """One shipped boundary file and how its features name org units (see the module docstring)."""

    file: str
    kind: str
    code: str | None = None
    census: str | None = None
    name: str | None = None
    city: str | None = None
    number: str | None = None
    number_first_word: bool = False
    """The number is the first word of the property ("12 Naranpura"), not the whole of it."""
    lgd_by_census: Mapping[str, str] = field(default_factory=dict)
    """For a map that carries no LGD code: the LGD code of a feature by the value of its ``census`` property."""

    def ward_number(self, props: Mapping[str, Any]) -> int | None:
        """The ward number a feature's properties give, or None (not a numbered ward)."""
        text = str(props.get(self.number or "", ""))
        if self.number_first_word:
            text = text.split(" ", 1)[0]
        return int(text) if text.isdigit() else None

    def unit_code(self, props: Mapping[str, Any]) -> str | None:
        """The org-unit code a feature names outright: its ``code`` property, or its ward code."""
        if self.city is not None:
            number = self.ward_number(props)
            return None if number is None else ward_code(self.city, number)
        value = props.get(self.code) if self.code else None
        if value in (None, "") and self.census:
            value = self.lgd_by_census.get(str(props.get(self.census, "")))
        return None if value in (None, "") else str(value)


# The Gujarat district map names districts by Census 2011 code (``dt_code``; 725-731 are the map's own codes for
# the seven districts made after 2011), the LGD district codes are these (LGD 2022 district list, joined on its
# Census 2011 code and, for the seven, on the name; the demo joins the same list and a test compares the two).
GUJARAT_DISTRICT_CODES = {
    "468": "449", "469": "441", "470": "455", "471": "451", "472": "458", "473": "446", "474": "438", "475": "460",
    "476": "457", "477": "447", "478": "456", "479": "448", "480": "439", "481": "443", "482": "440", "483": "450",
    "484": "454", "485": "445", "486": "461", "487": "452", "488": "442", "489": "444", "490": "453", "491": "462",
    "492": "459", "493": "641", "725": "672", "726": "676", "727": "673", "728": "674", "729": "675", "730": "669",
    "731": "668",
}
GUJARAT_DISTRICTS = Layer("gujarat_districts.geo.json.gz", "district", census="dt_code", name="district",
                          lgd_by_census=GUJARAT_DISTRICT_CODES)
GUJARAT_TALUKA_HQ = Layer("gujarat_subdistrict_hq_points.geo.json.gz", "taluka", census="SDTCODE11")
AHMEDABAD_WARDS = Layer("ahmedabad_wards.geo.json.gz", "ward", city="251096", number="Name", number_first_word=True)
"""Wards of Ahmadabad Municipal Corporation (LGD local body 251096)."""
VADODARA_WARDS = Layer("vadodara_wards.geo.json.gz", "ward", city="251209", number="ward_no")
"""Wards of Vadodara Municipal Corporation (LGD local body 251209)."""
KERALA_DISTRICTS = Layer("kerala_districts_lgd.geo.json.gz", "district", code="Dist_LGD", census="dtcode11")
KERALA_TALUKAS = Layer("kerala_subdistricts_lgd.geo.json.gz", "taluka", code="Subdt_LGD", census="sdtcode11")
KOCHI_WARDS = Layer("kochi_wards.geo.json.gz", "ward", city="252220", number="Ward_No")
"""Wards of Kochi Municipal Corporation (LGD local body 252220)."""

SHIPPED: dict[str, tuple[Layer, ...]] = {
    "24": (GUJARAT_DISTRICTS, GUJARAT_TALUKA_HQ, AHMEDABAD_WARDS, VADODARA_WARDS),
    "32": (KERALA_DISTRICTS, KERALA_TALUKAS, KOCHI_WARDS),
}
"""The layers of each state, by the state's LGD code."""
