"""Which shipped boundary is the shape of which org unit: an index of a state's polygons by code, by Census 2011
code and by name, asked with an org unit (``shape_of``).

The join goes by what the org unit itself carries (its code, kind, Census 2011 code and name), so it needs no
other table and works for any tree built on LGD codes, the demo's or an installation's own.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from govpulse.geo.files import read_layer
from govpulse.geo.layers import SHIPPED, Layer
from govpulse.geo.names import name_key

__all__ = ["BoundaryIndex", "MapUnit", "state_boundaries"]

Geometry = dict[str, Any]
POLYGONS = ("Polygon", "MultiPolygon")


class MapUnit(Protocol):
    """What the index asks of an org unit (an ``OrgUnit`` row or an ``OrgUnitRecord``)."""

    code: str
    kind: str
    name: str
    census_code: str | None


@dataclass(frozen=True)
class BoundaryIndex:
    """Polygon geometries by org-unit code, by (kind, Census 2011 code) and by (kind, name key)."""

    by_code: Mapping[str, Geometry] = field(default_factory=dict)
    by_census: Mapping[tuple[str, str], Geometry] = field(default_factory=dict)
    by_name: Mapping[tuple[str, str], Geometry] = field(default_factory=dict)

    @classmethod
    def of(cls, layers: Iterable[tuple[Layer, Mapping[str, Any]]]) -> BoundaryIndex:
        """The index of ``(layer, FeatureCollection)`` pairs; the first feature found for a key keeps it."""
        by_code: dict[str, Geometry] = {}
        by_census: dict[tuple[str, str], Geometry] = {}
        by_name: dict[tuple[str, str], Geometry] = {}
        for layer, collection in layers:
            for feature in collection["features"]:
                geometry, props = feature.get("geometry") or {}, feature.get("properties") or {}
                if geometry.get("type") not in POLYGONS:
                    continue
                if (code := layer.unit_code(props)) is not None:
                    by_code.setdefault(code, geometry)
                if layer.census and props.get(layer.census) not in (None, ""):
                    by_census.setdefault((layer.kind, str(props[layer.census])), geometry)
                if layer.name and props.get(layer.name):
                    by_name.setdefault((layer.kind, name_key(str(props[layer.name]))), geometry)
        return cls(by_code, by_census, by_name)

    def shape_of(self, unit: MapUnit) -> Geometry | None:
        """``unit``'s polygon: by its code, else by its kind and Census 2011 code, else by its kind and name."""
        found = self.by_code.get(unit.code)
        if found is None and unit.census_code:
            found = self.by_census.get((unit.kind, unit.census_code))
        if found is None:
            found = self.by_name.get((unit.kind, name_key(unit.name)))
        return found

    def __bool__(self) -> bool:
        return bool(self.by_code or self.by_census or self.by_name)


_LOADING = threading.Lock()


@functools.cache
def _shipped(state_code: str) -> BoundaryIndex:
    return BoundaryIndex.of((layer, read_layer(layer.file)) for layer in SHIPPED.get(state_code, ()))


def state_boundaries(state_code: str) -> BoundaryIndex:
    """The index of the boundaries shipped for the state with LGD code ``state_code`` (empty for a state with
    none); read once per process."""
    with _LOADING:
        return _shipped(state_code)
