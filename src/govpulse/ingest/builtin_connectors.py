"""The built-in connectors, registered through the ``register_connectors`` hook exactly as a plugin's would be."""

from __future__ import annotations

from govpulse.hookspecs import hookimpl
from govpulse.ingest.connectors.dhis2 import Dhis2Connector
from govpulse.ingest.connectors.files import CsvFolderConnector, ExcelFolderConnector
from govpulse.ingest.connectors.http_json import HttpJsonConnector
from govpulse.ingest.connectors.sql import SqlConnector


@hookimpl
def register_connectors() -> list[type]:
    """csv_folder, excel_folder, http_json, sql and dhis2."""
    return [CsvFolderConnector, ExcelFolderConnector, HttpJsonConnector, SqlConnector, Dhis2Connector]
