"""Source definitions: what a source is, how it is read, when, how it maps, and what freshness it promises.

One YAML file per source (``govpulse sources register FILE.yaml``)::

    code: health_births
    name: Birth registrations (e-Olakh)
    department: HEALTH
    connector: csv_folder              # any registered connector kind, or "push" (data is sent to govpulse)
    settings: {folder: drop/births, pattern: "*.csv", after_read: remember}
    schedule: "30 7 * * *"             # cron, in `timezone` (default Asia/Kolkata); omit for manual/push only
    freshness: daily by 09:00
    mapping: {...}                     # see ingest.mapping

Connector settings are checked by the connector's own settings model, so a typo is reported when the source is
registered, not at 7:30 the next morning. Relative paths in settings are taken relative to the YAML file.
Errors name the file and the YAML path (``mapping.period: give exactly one of column, date_column or value``).

A source may also receive data by push (``POST /api/v1/sources/{code}/values``) with a token made by
``issue_push_token``; only its SHA-256 hash is stored (tokens are 32 random bytes, so a fast hash is enough).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.catalog.models import Department, Source
from govpulse.catalog.scoping import restrict
from govpulse.core.scope import Scope
from govpulse.ingest.connectors.base import Connector
from govpulse.ingest.freshness import FreshnessPromise, parse_promise
from govpulse.ingest.mapping import SourceMapping
from govpulse.plugins import connector_classes

__all__ = [
    "PUSH",
    "SourceDefinition",
    "SourceDefinitionError",
    "connector_for",
    "definition_of",
    "get_source",
    "hash_token",
    "issue_push_token",
    "list_sources",
    "load_source_file",
    "load_sources",
    "register_source",
    "token_matches",
]

PUSH = "push"
"""The connector kind of a source that is never read: its data is pushed to govpulse."""
TOKEN_PREFIX = "gps_"

SourceCode = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class SourceDefinitionError(ValueError):
    """A source definition that cannot be used; the message names the file and every problem's YAML path."""


class SourceDefinition(BaseModel):
    """One source, as written in its YAML file and stored on the catalogue's ``source`` row."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: SourceCode
    name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    department: str | None = Field(None, description="Code of the department that owns the source.")
    description: str = ""
    connector: str = Field(PUSH, description="Connector kind (csv_folder, excel_folder, http_json, sql, dhis2, ...) "
                                             "or 'push'.")
    settings: dict[str, Any] = Field(default_factory=dict, description="The connector's settings.")
    schedule: str | None = Field(None, description="Cron expression (minute hour day month weekday).")
    timezone: str = Field("Asia/Kolkata", description="Time zone of the schedule and the freshness promise.")
    freshness: str | None = Field(None, description="Promise such as 'daily by 09:00' or 'monthly by day 5'.")
    mapping: SourceMapping
    enabled: bool = True

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None and not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a cron expression (five fields: minute hour day month weekday, "
                             "e.g. '30 7 * * *' for 07:30 every day)")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use names like Asia/Kolkata)") from None
        return value

    @field_validator("freshness")
    @classmethod
    def _promise(cls, value: str | None) -> str | None:
        return None if value is None else parse_promise(value).text

    @model_validator(mode="after")
    def _connector_settings(self) -> SourceDefinition:
        if self.connector == PUSH:
            if self.settings:
                raise ValueError("a push source has no connector settings")
            if self.schedule:
                raise ValueError("a push source is not read, so it has no schedule")
            return self
        classes = connector_classes()
        if self.connector not in classes:
            raise ValueError(f"unknown connector {self.connector!r}; known: {', '.join(sorted(classes))}, or push")
        try:
            classes[self.connector].Settings.model_validate(self.settings)
        except ValidationError as error:
            problems = "; ".join(f"settings.{'.'.join(map(str, e['loc']))}: {_message(e)}" for e in error.errors())
            raise ValueError(problems) from None
        return self

    @property
    def promise(self) -> FreshnessPromise | None:
        return None if self.freshness is None else parse_promise(self.freshness)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json", exclude_defaults=True), sort_keys=False,
                              allow_unicode=True)


def _message(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown setting (check its spelling)"
    if error["type"] == "missing":
        return "required setting is missing"
    return error["msg"].removeprefix("Value error, ")


def _problems(error: ValidationError) -> list[str]:
    lines = []
    for issue in error.errors(include_url=False):
        where = ".".join(str(part) for part in issue["loc"] if not str(part).startswith("function-"))
        lines.append(f"{where}: {_message(issue)}" if where else _message(issue))
    return lines


def parse_definition(data: Any, *, where: str = "source", base_dir: Path | None = None) -> SourceDefinition:
    """Check ``data`` (a parsed YAML mapping) as a source definition; relative paths in the connector's
    settings are resolved against ``base_dir``. Raises ``SourceDefinitionError`` naming ``where``."""
    if not isinstance(data, dict):
        raise SourceDefinitionError(f"{where}: a source definition is a mapping of keys such as code, name, "
                                    f"connector, mapping; got {type(data).__name__}")
    if base_dir is not None:
        data = _resolve_paths(data, base_dir)
    try:
        return SourceDefinition.model_validate(data)
    except ValidationError as error:
        lines = "\n".join(f"{where}: {line}" for line in _problems(error))
        raise SourceDefinitionError(f"the source definition has problems:\n{lines}") from None


def _resolve_paths(data: dict, base_dir: Path) -> dict:
    """Make the Path-typed connector settings absolute, relative to ``base_dir``."""
    cls = connector_classes().get(data.get("connector", PUSH))
    settings = data.get("settings")
    if cls is None or not isinstance(settings, dict):
        return data
    resolved = dict(settings)
    for name, info in cls.Settings.model_fields.items():
        if info.annotation is Path and isinstance(resolved.get(name), str) and not Path(resolved[name]).is_absolute():
            resolved[name] = str((base_dir / resolved[name]).resolve())
    return {**data, "settings": resolved}


def load_source_file(path: str | Path, *, base_dir: Path | None = None) -> SourceDefinition:
    """Read one source YAML file (relative settings paths against ``base_dir``, default the file's folder)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise SourceDefinitionError(f"{path}: cannot read the file ({error})") from None
    except yaml.YAMLError as error:
        raise SourceDefinitionError(f"{path}: not valid YAML ({error})") from None
    return parse_definition(data, where=str(path), base_dir=base_dir or path.parent)


def load_sources(path: str | Path, *, base_dir: Path | None = None) -> list[SourceDefinition]:
    """One file, or every ``*.yaml`` / ``*.yml`` in a folder (in name order)."""
    path = Path(path)
    if path.is_dir():
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        return [load_source_file(file, base_dir=base_dir) for file in files]
    return [load_source_file(path, base_dir=base_dir)]


def definition_of(source: Source, department_code: str | None = None) -> SourceDefinition:
    """The definition stored on a catalogue ``source`` row."""
    return SourceDefinition.model_validate({
        "code": source.code, "name": source.name, "department": department_code, "description": source.description,
        "connector": source.connector, "settings": source.settings or {}, "schedule": source.schedule or None,
        "timezone": source.timezone or "Asia/Kolkata", "freshness": source.freshness or None,
        "mapping": source.mapping, "enabled": source.enabled,
    })


def connector_for(definition: SourceDefinition) -> Connector | None:
    """The connector that reads the source (None for a push source)."""
    if definition.connector == PUSH:
        return None
    return connector_classes()[definition.connector](definition.settings, name=definition.code)


def register_source(session: Session, definition: SourceDefinition) -> tuple[Source, bool]:
    """Create the source, or update the one with the same code; returns it and whether it was created.
    The push token (if any) is kept. Raises ``SourceDefinitionError`` for an unknown department."""
    department_id = None
    if definition.department:
        department_id = session.scalar(select(Department.id).where(Department.code == definition.department))
        if department_id is None:
            raise SourceDefinitionError(f"source {definition.code!r}: unknown department {definition.department!r}")
    source = session.scalar(select(Source).where(Source.code == definition.code))
    created = source is None
    if created:
        source = Source(code=definition.code)
        session.add(source)
    source.name = definition.name
    source.department_id = department_id
    source.description = definition.description
    source.connector = definition.connector
    source.settings = definition.settings
    source.mapping = definition.mapping.model_dump(mode="json", exclude_defaults=True)
    source.schedule = definition.schedule or ""
    source.timezone = definition.timezone
    source.freshness = definition.freshness or ""
    source.enabled = definition.enabled
    session.flush()
    return source, created


def _select_sources(scope: Scope):
    return restrict(select(Source, Department.code).outerjoin(Department, Department.id == Source.department_id),
                    scope, department_column=Department.code, source_column=Source.code)


def list_sources(session: Session, scope: Scope) -> list[tuple[Source, str | None]]:
    """Every source the scope may see, with its department's code, ordered by code."""
    return [tuple(row) for row in session.execute(_select_sources(scope).order_by(Source.code)).all()]


def get_source(session: Session, code: str, scope: Scope) -> tuple[Source, str | None] | None:
    """The source with ``code`` and its department's code, or None when absent or out of scope."""
    row = session.execute(_select_sources(scope).where(Source.code == code)).first()
    return None if row is None else tuple(row)


# --- push tokens -----------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_push_token(session: Session, source: Source) -> str:
    """Make a new push token for ``source`` (replacing any earlier one) and return it; only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    source.token_hash = hash_token(token)
    session.flush()
    return token


def token_matches(source: Source, token: str | None) -> bool:
    """Whether ``token`` is the source's push token (constant-time comparison of the hashes)."""
    if not token or not source.token_hash:
        return False
    return hmac.compare_digest(hash_token(token), source.token_hash)
