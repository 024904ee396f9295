"""Maps of an org unit's children, from the GeoJSON shipped with the project: no tiles, no CDN.

For the children of an org unit the map is, in order of preference:

``polygons``  the children's own boundaries, where a layer has them (districts of the state; wards of
              Ahmedabad, Vadodara and Kochi; Kerala's talukas);
``points``    the parent's outline with a marker per child at its map point (Gujarat's taluka headquarters
              inside their district), where the children have points and the parent has an outline;
``grid``      a tile-free grid of equal squares, one per child in name order (villages of a taluka, wards of
              towns without a ward map): every child can still be seen, compared and clicked.

Each feature carries ``org_unit`` (its code) and ``label`` (its name), and the page registers the collection
with ``echarts.registerMap``. Children the chosen layout cannot draw are listed in ``missing`` so the page can
say so; the table beside the map always lists every child.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from govpulse.catalog.models import OrgUnit

Layout = Literal["polygons", "points", "grid"]

GRID_ASPECT = 1.6  # grids are laid out wider than tall, as screens are
GRID_GAP = 0.12  # gap between squares, as a share of a square's side


@dataclass(frozen=True)
class ChildrenMap:
    """How the children of ``parent`` are drawn; ``geojson`` is what the page registers (``registerMap``)."""

    parent: str
    layout: Layout
    geojson: dict[str, Any]
    points: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Child code -> (longitude, latitude), for the ``points`` layout."""
    missing: tuple[str, ...] = ()
    """Children the layout could not draw (no boundary, or no map point)."""


# --- the shipped boundaries ----------------------------------------------------------------------------

_LOADING = threading.Lock()


@functools.cache
def _shapes_of_state(state_code: str) -> dict[str, dict[str, Any]]:
    """Geometry by org-unit code, from every boundary layer of the demo state with LGD code ``state_code``
    (empty for an installation that is not a demo state)."""
    from govpulse.demo.geography import load_geography
    from govpulse.demo.states import STATES

    key = next((name for name, sources in STATES.items() if sources.lgd_code == state_code), None)
    if key is None:
        return {}
    shapes: dict[str, dict[str, Any]] = {}
    for layer in load_geography(key).boundaries.values():
        for feature in layer["features"]:
            code = feature["properties"].get("org_unit")
            geometry = feature.get("geometry") or {}
            if code and geometry.get("type") in ("Polygon", "MultiPolygon"):
                shapes.setdefault(str(code), geometry)
    return shapes


def boundaries(state_code: str) -> dict[str, dict[str, Any]]:
    """Polygon geometry by org-unit code for the state (read once per process, 0.4 s for Gujarat)."""
    with _LOADING:
        return _shapes_of_state(state_code)


def state_code_of(unit: OrgUnit) -> str:
    """The code of the root of ``unit``'s tree (its path starts with it)."""
    return unit.path.strip("/").split("/")[0]


# --- layouts --------------------------------------------------------------------------------------------


def _feature(code: str, label: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"org_unit": code, "label": label}, "geometry": geometry}


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def grid_geometry(index: int, count: int) -> dict[str, Any]:
    """The square of the ``index``-th of ``count`` cells, row by row from the top left, in a plane whose
    units ECharts draws like degrees near the equator (so squares stay square)."""
    columns = max(1, math.ceil(math.sqrt(count * GRID_ASPECT)))
    row, column = divmod(index, columns)
    x0, y0 = float(column), -float(row)
    side = 1.0 - GRID_GAP
    ring = [[x0, y0], [x0 + side, y0], [x0 + side, y0 - side], [x0, y0 - side], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def children_map(parent: OrgUnit, children: Sequence[OrgUnit]) -> ChildrenMap:
    """The map of ``children`` (already limited to the reader's scope) under ``parent``."""
    shapes = boundaries(state_code_of(parent))
    drawn = [c for c in children if c.code in shapes]
    if drawn:
        features = [_feature(c.code, c.name, shapes[c.code]) for c in drawn]
        missing = tuple(c.code for c in children if c.code not in shapes)
        return ChildrenMap(parent.code, "polygons", _collection(features), missing=missing)
    located = {c.code: (c.longitude, c.latitude) for c in children
               if c.latitude is not None and c.longitude is not None}
    if located and parent.code in shapes:
        outline = _collection([_feature(parent.code, parent.name, shapes[parent.code])])
        missing = tuple(c.code for c in children if c.code not in located)
        return ChildrenMap(parent.code, "points", outline, points=located, missing=missing)
    ordered = sorted(children, key=lambda c: (c.name.casefold(), c.code))
    features = [_feature(c.code, c.name, grid_geometry(i, len(ordered))) for i, c in enumerate(ordered)]
    return ChildrenMap(parent.code, "grid", _collection(features))
