"""Source definitions: YAML files, their checks, registering them in the catalogue, push tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from govpulse.catalog.models import Source
from govpulse.ingest.sources import (
    SourceDefinitionError,
    connector_for,
    definition_of,
    get_source,
    issue_push_token,
    list_sources,
    load_source_file,
    load_sources,
    parse_definition,
    register_source,
    token_matches,
)
from govpulse.core.scope import Scope
from tests.ingest.ingest_world import seed_catalog

YAML = """\
code: health_births
name: Birth registrations
department: HEALTH
connector: csv_folder
settings: {folder: drop/births, pattern: "births_*.csv", after_read: remember}
schedule: "30 7 * * *"
freshness: daily  by 09:00
mapping:
  org_unit: village_code
  period: {date_column: Date}
  values: {Births: births, "Within 21 days": births_21}
  rules: ["#{births_21} <= #{births}"]
"""


def write(tmp_path: Path, text: str, name: str = "source.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_yaml_file_gives_a_definition_with_paths_relative_to_it(tmp_path):
    definition = load_source_file(write(tmp_path, YAML))
    assert definition.code == "health_births" and definition.timezone == "Asia/Kolkata"
    assert definition.settings["folder"] == str((tmp_path / "drop" / "births").resolve())
    assert definition.freshness == "daily by 09:00" and definition.promise.at.hour == 9
    assert definition.mapping.org_unit.column == "village_code" and definition.mapping.org_unit.by == "code"
    assert definition.mapping.rules[0].right == "#{births}"
    connector = connector_for(definition)
    assert connector.kind == "csv_folder" and connector.settings.after_read == "remember"


@pytest.mark.parametrize("change, message", [
    (("connector: csv_folder", "connector: ftp"), "unknown connector 'ftp'; known: csv_folder, dhis2, excel_folder"),
    (("after_read: remember", "aftr_read: remember"),
     r"source.yaml: settings.aftr_read: unknown setting \(check its spelling\)"),
    (('"30 7 * * *"', '"30 25 * * *"'), "schedule: .*is not a cron expression"),
    (("daily  by 09:00", "every morning"), "freshness: freshness promise 'every morning' is not understood"),
    (("period: {date_column: Date}", "period: {}"), "mapping.period: .*give exactly one of column, date_column"),
    (("code: health_births", "code: health births"), "code: String should match pattern"),
])
def test_mistakes_are_reported_with_the_file_and_the_yaml_path(tmp_path, change, message):
    path = write(tmp_path, YAML.replace(*change))
    with pytest.raises(SourceDefinitionError, match=message) as caught:
        load_source_file(path)
    assert str(path) in str(caught.value)


def test_a_push_source_has_no_settings_or_schedule():
    base = {"code": "p", "name": "P", "mapping": {"org_unit": "ou", "period": "pe", "values": {"v": "births"}}}
    assert parse_definition(base).connector == "push"
    with pytest.raises(SourceDefinitionError, match="a push source is not read, so it has no schedule"):
        parse_definition({**base, "schedule": "0 8 * * *"})


def test_not_yaml_and_not_a_mapping(tmp_path):
    with pytest.raises(SourceDefinitionError, match="not valid YAML"):
        load_source_file(write(tmp_path, "code: [unclosed"))
    with pytest.raises(SourceDefinitionError, match="a source definition is a mapping"):
        load_source_file(write(tmp_path, "- a list\n"))


def test_a_folder_of_definitions_in_name_order(tmp_path):
    write(tmp_path, YAML.replace("health_births", "b_source"), "b.yaml")
    write(tmp_path, YAML.replace("health_births", "a_source"), "a.yml")
    assert [d.code for d in load_sources(tmp_path)] == ["a_source", "b_source"]


def test_register_creates_then_updates_and_reads_back(session, tmp_path):
    seed_catalog(session)
    definition = load_source_file(write(tmp_path, YAML))
    source, created = register_source(session, definition)
    assert created
    again, created = register_source(session, definition.model_copy(update={"name": "Births (e-Olakh)"}))
    assert not created and again.id == source.id and again.name == "Births (e-Olakh)"
    session.commit()
    stored, department = get_source(session, "health_births", Scope.system())
    assert department == "HEALTH"
    assert definition_of(stored, department).model_dump() == definition.model_copy(
        update={"name": "Births (e-Olakh)"}).model_dump()
    assert [s.code for s, _ in list_sources(session, Scope.for_paths(["/24/"], departments=["ROADS"]))] == []
    with pytest.raises(SourceDefinitionError, match="unknown department 'ROADS'"):
        register_source(session, definition.model_copy(update={"department": "ROADS"}))


def test_push_tokens_are_stored_only_as_a_hash(session, tmp_path):
    seed_catalog(session)
    source, _ = register_source(session, load_source_file(write(tmp_path, YAML)))
    token = issue_push_token(session, source)
    session.commit()
    stored = session.scalar(select(Source).where(Source.code == "health_births"))
    assert token.startswith("gps_") and token not in stored.token_hash and len(stored.token_hash) == 64
    assert token_matches(stored, token)
    assert not token_matches(stored, token + "x") and not token_matches(stored, None)
    second = issue_push_token(session, stored)
    assert token_matches(stored, second) and not token_matches(stored, token)
