"""Reading the public data shipped in ``govpulse/demo/data`` (gzip CSV) and the maps of ``govpulse.geo``, and
polygon centroids.

Every CSV row comes back with the name of its file and its line number, so that an org unit or a census value
can always say where it came from ("census2011_pca_gujarat.csv.gz line 553").
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from govpulse.geo.files import read_layer

DATA_PACKAGE = "govpulse.demo"
DATA_FOLDER = "data"


@dataclass(frozen=True, slots=True)
class Row:
    """One CSV row as text values by column name, with where it was read."""

    values: dict[str, str]
    file: str
    line: int

    def __getitem__(self, column: str) -> str:
        try:
            return self.values[column]
        except KeyError:
            raise KeyError(f"{self.where}: no column {column!r}; columns are {list(self.values)}") from None

    @property
    def where(self) -> str:
        return f"{self.file} line {self.line}"


def _open_bytes(name: str) -> bytes:
    path = resources.files(DATA_PACKAGE).joinpath(DATA_FOLDER, name)
    try:
        return gzip.decompress(path.read_bytes())
    except FileNotFoundError:
        raise FileNotFoundError(f"demo data file {name!r} is missing from {DATA_PACKAGE}/{DATA_FOLDER}") from None


def read_rows(name: str) -> list[Row]:
    """Rows of a shipped gzip CSV file; line numbers count the header as line 1."""
    text = _open_bytes(name).decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    rows = []
    for line, values in enumerate(reader, start=2):
        if len(values) != len(header):
            raise ValueError(f"{name} line {line}: {len(values)} fields where the header has {len(header)}")
        rows.append(Row(dict(zip(header, values, strict=True)), name, line))
    return rows


def read_geojson(name: str) -> dict[str, Any]:
    """A shipped boundary file (gzip GeoJSON FeatureCollection), parsed: the maps live with ``govpulse.geo``."""
    return read_layer(name)


# --- centroids -----------------------------------------------------------------------------------------------

Ring = Sequence[Sequence[float]]


def _ring_moments(ring: Ring) -> tuple[float, float, float]:
    """Signed area and first moments (shoelace formula) of a closed ring of (lon, lat) points."""
    area = cx = cy = 0.0
    for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return area / 2, cx / 6, cy / 6


def _polygons(geometry: dict[str, Any]) -> Iterable[Sequence[Ring]]:
    kind = geometry["type"]
    if kind == "Polygon":
        yield geometry["coordinates"]
    elif kind == "MultiPolygon":
        yield from geometry["coordinates"]
    else:
        raise ValueError(f"cannot take the centroid of a {kind}; expected Polygon or MultiPolygon")


def centroid(geometries: Iterable[dict[str, Any]]) -> tuple[float, float] | None:
    """Area-weighted centroid (latitude, longitude) of one or more polygon geometries, holes subtracted.

    None when the polygons have no area (three Kochi wards are drawn as zero-width slivers).

    Computed in plain lon/lat degrees: for a district or a state the error against an equal-area projection
    is far below what a map marker shows. Rings may wind either way; outer rings add area and holes remove it.
    """
    area = mx = my = 0.0
    for geometry in geometries:
        for polygon in _polygons(geometry):
            for index, ring in enumerate(polygon):
                a, cx, cy = _ring_moments(ring)
                sign = (1.0 if a >= 0 else -1.0) * (1.0 if index == 0 else -1.0)
                area += sign * a
                mx += sign * cx
                my += sign * cy
    if abs(area) < 1e-12:
        return None
    return round(my / area, 5), round(mx / area, 5)
