"""Connectors: classes keyed by ``kind`` that read a source into ``RecordChunk`` tables of strings.

The built-in ones register through the ``register_connectors`` hook (``govpulse.ingest.builtin_connectors``),
like any plugin's; look them up with ``govpulse.plugins.connector_classes()``, never by importing a class here.
"""

from govpulse.ingest.connectors.base import (
    LINEAGE_COLUMNS,
    SOURCE_FILE,
    SOURCE_ROW,
    Connector,
    ConnectorError,
    ConnectorSettings,
    ConnectorSettingsError,
    RecordChunk,
    RowProblem,
    SourceDataError,
)

__all__ = [
    "LINEAGE_COLUMNS",
    "SOURCE_FILE",
    "SOURCE_ROW",
    "Connector",
    "ConnectorError",
    "ConnectorSettings",
    "ConnectorSettingsError",
    "RecordChunk",
    "RowProblem",
    "SourceDataError",
]
