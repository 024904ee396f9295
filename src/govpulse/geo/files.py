"""Reading the boundary files shipped in ``govpulse/geo/data``: gzip-compressed GeoJSON FeatureCollections."""

from __future__ import annotations

import gzip
import json
from importlib import resources
from typing import Any

DATA_PACKAGE = "govpulse.geo"
DATA_FOLDER = "data"


def read_layer(name: str) -> dict[str, Any]:
    """The shipped boundary file ``name`` (e.g. ``gujarat_districts.geo.json.gz``), parsed; errors name it."""
    path = resources.files(DATA_PACKAGE).joinpath(DATA_FOLDER, name)
    try:
        collection = json.loads(gzip.decompress(path.read_bytes()))
    except FileNotFoundError:
        raise FileNotFoundError(f"boundary file {name!r} is missing from {DATA_PACKAGE}/{DATA_FOLDER}") from None
    if collection.get("type") != "FeatureCollection":
        raise ValueError(f"{name}: expected a GeoJSON FeatureCollection, found type {collection.get('type')!r}")
    return collection
