"""The warehouse: leaf values, rollups over the org-unit tree and time, and scoped reads (see ``base.py``).

``connect(url)`` picks the backend from the URL scheme:

    duckdb:///abs/path/wh.duckdb          a DuckDB file (created if missing)
    duckdb:///:memory:                    an in-memory DuckDB (tests, scratch work)

Query parameters tune the backend: ``threads=2``, ``memory_limit=6GB``, and ``period_types=Monthly,Quarterly``
(the coarser period types to keep rollups for; default: all). Backends register with ``register_backend``;
``backends()`` lists them (the contract tests run against each).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from govpulse.core.periods import PeriodType
from govpulse.warehouse.base import (
    FRESHNESS_SCHEMA,
    HISTORY_SCHEMA,
    INDICATOR_SCHEMA,
    LINEAGE_BATCHES_SCHEMA,
    LINEAGE_ROWS_SCHEMA,
    VALUE_SCHEMA,
    CanCompact,
    HasLineage,
    Lineage,
    RollupResult,
    Warehouse,
    WriteResult,
)
from govpulse.warehouse.errors import UnsupportedUrl

__all__ = [
    "connect",
    "register_backend",
    "backends",
    "Warehouse",
    "HasLineage",
    "CanCompact",
    "WriteResult",
    "RollupResult",
    "Lineage",
    "VALUE_SCHEMA",
    "INDICATOR_SCHEMA",
    "FRESHNESS_SCHEMA",
    "HISTORY_SCHEMA",
    "LINEAGE_BATCHES_SCHEMA",
    "LINEAGE_ROWS_SCHEMA",
]

Factory = Callable[[str, dict[str, str]], Warehouse]
_BACKENDS: dict[str, Factory] = {}


def register_backend(scheme: str, factory: Factory) -> None:
    """Make ``connect`` understand ``scheme://...``: ``factory(location, options)`` opens the warehouse."""
    _BACKENDS[scheme] = factory


def backends() -> tuple[str, ...]:
    """URL schemes of the registered backends."""
    return tuple(sorted(_BACKENDS))


def connect(url: str) -> Warehouse:
    """Open the warehouse at ``url`` (see the module docstring)."""
    parts = urlsplit(url)
    if parts.scheme not in _BACKENDS:
        known = ", ".join(f"{s}://" for s in backends())
        raise UnsupportedUrl(f"no warehouse backend for {url!r}; known: {known}")
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    location = unquote(parts.path)
    if parts.netloc:
        location = f"{parts.netloc}{location}"
    return _BACKENDS[parts.scheme](location, options)


def _open_duckdb(location: str, options: dict[str, str]) -> Warehouse:
    from govpulse.warehouse.duckdb import DuckDBWarehouse

    if location in ("/:memory:", ":memory:", ""):
        location = ":memory:"
    unknown = set(options) - {"threads", "memory_limit", "period_types"}
    if unknown:
        raise UnsupportedUrl(f"unknown duckdb option(s): {', '.join(sorted(unknown))}")
    period_types = None
    if "period_types" in options:
        try:
            period_types = frozenset(PeriodType(p.strip()) for p in options["period_types"].split(",") if p.strip())
        except ValueError as error:
            raise UnsupportedUrl(f"period_types: {error}") from None
    return DuckDBWarehouse(
        location,
        threads=int(options["threads"]) if "threads" in options else None,
        memory_limit=options.get("memory_limit"),
        period_types=period_types,
    )


register_backend("duckdb", _open_duckdb)
