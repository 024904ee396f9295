"""The demo catalogue: about 26 departments of a Gujarat-like state, one YAML file each, with the indicators a
Chief Minister's office watches and the data elements behind them. ``scale.scale_catalog`` resizes it."""

from __future__ import annotations

from pathlib import Path

from govpulse.catalog.io.schema import CatalogFile, load_catalog_dir

DEMO_CATALOG_DIR = Path(__file__).parent


def load_demo_catalog() -> CatalogFile:
    """The shipped demo catalogue, read and validated from ``DEMO_CATALOG_DIR``."""
    return load_catalog_dir(DEMO_CATALOG_DIR)
