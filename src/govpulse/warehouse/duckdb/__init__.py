"""The DuckDB warehouse (the embedded default): ``DuckDBWarehouse``."""

from govpulse.warehouse.duckdb.backend import DuckDBWarehouse

__all__ = ["DuckDBWarehouse"]
