"""Maps of an org unit's children, from the GeoJSON shipped with the project: no tiles, no CDN.

For the children of an org unit the map is, in order of preference:

``polygons``  the children's own boundaries, where a layer has them (districts of the state; wards of
              Ahmedabad, Vadodara and Kochi; Kerala's talukas);
``points``    the parent's outline with a marker per child at its map point (Gujarat's taluka headquarters
              inside their district), where the children have points and the parent has an outline;
``grid``      a tile-free grid of equal squares, one per child in name order (villages of a taluka, wards of
              towns without a ward map): every child can still be seen, compared and clicked.

The boundaries are those shipped with govpulse for the tree's state (``govpulse.geo``), joined to the children by
their codes, Census 2011 codes or names. Each feature carries ``org_unit`` (its code) and ``label`` (its name),
and the page registers the collection with ``echarts.registerMap``. Children the chosen layout cannot draw are listed in ``missing`` so the page can
say so; the table beside the map always lists every child.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from govpulse.catalog.models import OrgUnit
from govpulse.geo.boundaries import state_boundaries

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
    index = state_boundaries(state_code_of(parent))
    shapes = {c.code: shape for c in children if (shape := index.shape_of(c)) is not None}
    if shapes:
        features = [_feature(c.code, c.name, shapes[c.code]) for c in children if c.code in shapes]
        missing = tuple(c.code for c in children if c.code not in shapes)
        return ChildrenMap(parent.code, "polygons", _collection(features), missing=missing)
    located = {c.code: (c.longitude, c.latitude) for c in children
               if c.latitude is not None and c.longitude is not None}
    border = index.shape_of(parent)
    if located and border is not None:
        outline = _collection([_feature(parent.code, parent.name, border)])
        missing = tuple(c.code for c in children if c.code not in located)
        return ChildrenMap(parent.code, "points", outline, points=located, missing=missing)
    ordered = sorted(children, key=lambda c: (c.name.casefold(), c.code))
    features = [_feature(c.code, c.name, grid_geometry(i, len(ordered))) for i, c in enumerate(ordered)]
    return ChildrenMap(parent.code, "grid", _collection(features))
