"""The built-in connectors reach the rest of govpulse through the register_connectors hook, like any plugin."""

from __future__ import annotations

import pytest

from govpulse.ingest.connectors import Connector, ConnectorSettings, ConnectorSettingsError
from govpulse.plugins import connector_classes

MINIMAL_SETTINGS = {
    "csv_folder": {"folder": "/data/drop/births"},
    "excel_folder": {"folder": "/data/drop/schools", "sheet": "Data"},
    "http_json": {"url": "https://rts.example.gov.in/api/applications"},
    "sql": {"url": "sqlite://", "query": "select 1 as one"},
    "dhis2": {"base_url": "https://hmis.example.gov.in", "username": "u", "password": "p"},
}


def test_every_builtin_kind_is_registered_through_the_hook():
    classes = connector_classes()
    assert set(MINIMAL_SETTINGS) <= set(classes)
    for kind in MINIMAL_SETTINGS:
        assert classes[kind].kind == kind
        assert issubclass(classes[kind], Connector) and issubclass(classes[kind].Settings, ConnectorSettings)


@pytest.mark.parametrize("kind", sorted(MINIMAL_SETTINGS))
def test_each_kind_builds_from_yaml_style_settings_and_describes_itself(kind):
    connector = connector_classes()[kind](MINIMAL_SETTINGS[kind], name=f"my-{kind}")
    assert connector.name == f"my-{kind}"
    line = connector.describe()
    assert line and "\n" not in line
    assert f"'my-{kind}'" in repr(connector)


@pytest.mark.parametrize("kind", sorted(MINIMAL_SETTINGS))
def test_each_kind_rejects_unknown_settings_naming_itself(kind):
    with pytest.raises(ConnectorSettingsError, match=rf"{kind} connector 'src': setting 'colour': unknown setting"):
        connector_classes()[kind](MINIMAL_SETTINGS[kind] | {"colour": "blue"}, name="src")


def test_settings_objects_are_accepted_as_they_are():
    cls = connector_classes()["sql"]
    settings = cls.Settings(url="sqlite://", query="select 1")
    assert cls(settings).settings is settings
    with pytest.raises(ConnectorSettingsError, match="expected SqlSettings"):
        cls(connector_classes()["csv_folder"].Settings(folder="/x"))


def test_a_sql_source_found_by_kind_reads_records():
    (chunk,) = connector_classes()["sql"]({"url": "sqlite://", "query": "select 1 as one, 'x' as two"}).read()
    assert chunk.table.to_pylist() == [{"one": "1", "two": "x", "_source_file": "sqlite://", "_source_row": 1}]
