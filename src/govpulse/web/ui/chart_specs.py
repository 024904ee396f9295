"""Chart specs for ``static/govpulse.js``: the server writes every value, label, colour and shape; the browser
only draws. Each function takes numbers already computed by analytics and the reader's language.

Spec shapes (see govpulse.js): ``ranking`` (bars, or dots, in the given order), ``trend`` (lines over periods,
optional target line; ``compact`` for a sparkline), ``strip`` (one marker per area on a value axis),
``map`` (children of an org unit: polygons, points or a grid, see ``maps.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from govpulse.core.enums import Rag
from govpulse.web.ui.display import CHART_SYMBOL, status_colour

TREND_COLOUR = "#0072B2"  # Okabe-Ito blue: never a status colour, so a line is not read as a status
TARGET_COLOUR = "#555555"
NOT_RATED_COLOUR = "#7a8793"  # a value with no status (no target or bands): neutral, never a status colour
# Statuses drawn with a pattern of their symbol on a map, so off-track and needs-attention areas differ by
# shape as well as colour; on-track and no-data areas stay plain, which keeps the map calm.
PATTERNED = frozenset({Rag.RED, Rag.AMBER, Rag.STALE})


@dataclass(frozen=True)
class Mark:
    """One thing drawn: a child on a map, a bar of a ranking. ``display`` is the value as text."""

    key: str
    label: str
    value: float | None
    display: str
    status: Rag | None = None
    url: str | None = None
    note: str = ""
    highlight: bool = False

    def drawn(self) -> dict:
        symbol = CHART_SYMBOL.get(self.status) if self.status else None
        return {"name": self.key, "label": self.label, "value": self.value, "display": self.display,
                "colour": status_colour(self.status) if self.status else NOT_RATED_COLOUR, "symbol": symbol,
                "pattern": symbol if self.status in PATTERNED else None,
                "status": self.status.value if self.status else None, "url": self.url, "note": self.note,
                "highlight": self.highlight}


def map_spec(parent_code: str, marks: Sequence[Mark], *, geojson_url: str) -> dict:
    """The map of ``parent_code``'s children coloured by each child's status, with the status's symbol as a
    pattern (polygons, grid) or marker shape (points). The shapes and the layout come from ``geojson_url``
    (``/maps/{code}.geojson``, see ``maps.py``), which the browser caches across periods and indicators."""
    return {"map": f"govpulse:{parent_code}", "geojson_url": geojson_url, "name_property": "org_unit",
            "areas": [m.drawn() for m in marks]}


def ranking_spec(marks: Sequence[Mark], *, target: float | None = None, target_label: str = "",
                 dots: bool = False) -> dict:
    """Areas in the given order (the server ranks them); ``dots`` draws a dot per area on an axis that starts
    near the lowest value, for values close together where bars from zero would all look alike."""
    spec: dict = {"items": [m.drawn() for m in marks], "dots": dots}
    if target is not None:
        spec["target"] = {"value": target, "label": target_label, "colour": TARGET_COLOUR}
    return spec


@dataclass(frozen=True)
class Line:
    name: str
    values: list[float | None]
    displays: list[str]
    colour: str = TREND_COLOUR


def trend_spec(periods: Sequence[str], lines: Sequence[Line], *, target: float | None = None,
               target_label: str = "") -> dict:
    spec: dict = {"periods": list(periods),
                  "series": [{"name": line.name, "values": line.values, "displays": line.displays,
                              "colour": line.colour} for line in lines]}
    if target is not None:
        spec["target"] = {"value": target, "label": target_label, "colour": TARGET_COLOUR}
    return spec


def strip_spec(marks: Sequence[Mark], *, target: float | None = None, target_label: str = "") -> dict:
    """The distribution of the areas' values: one marker per area along the value axis, in its status's colour
    and shape (areas without a value are left out: they have no place on the axis)."""
    spec: dict = {"items": [m.drawn() for m in marks if m.value is not None]}
    if target is not None:
        spec["target"] = {"value": target, "label": target_label, "colour": TARGET_COLOUR, "axis": "x"}
    return spec
