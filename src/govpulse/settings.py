"""Settings, from environment variables (``GOVPULSE_*``) and an optional ``govpulse.toml``.

Nothing reads settings at import time: entry points build a ``Settings`` and pass it down, so tests can run
several isolated installations side by side.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource


def _default_home() -> Path:
    return Path(os.environ.get("GOVPULSE_HOME", "~/.govpulse")).expanduser()


def _toml_files() -> list[Path]:
    """``govpulse.toml`` in the working directory, then in the home folder (the first one found wins per key)."""
    return [Path("govpulse.toml"), _default_home() / "govpulse.toml"]


class Settings(BaseSettings):
    """Where govpulse keeps its data and how it serves it."""

    model_config = SettingsConfigDict(env_prefix="GOVPULSE_", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Folder for data files (catalogue, warehouse).")
    database_url: str = Field(
        default="",
        description="Catalogue database (SQLAlchemy URL). Default: a SQLite file in the home folder; "
        "production: postgresql+psycopg://user@host/db.",
    )
    warehouse_url: str = Field(
        default="", description="Warehouse location. Default: duckdb:///<home>/warehouse.duckdb."
    )
    host: str = Field(default="127.0.0.1", description="Address `govpulse serve` listens on.")
    port: int = Field(default=8000, description="Port `govpulse serve` listens on.")
    timezone: str = Field(default="Asia/Kolkata", description="Time zone for schedules and 'today'.")
    secret_key: str = Field(default="", description="Key that signs sessions; generated into the home folder if empty.")

    @field_validator("home", mode="after")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    def model_post_init(self, __context: Any) -> None:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.home / 'catalog.sqlite'}"
        if not self.warehouse_url:
            self.warehouse_url = f"duckdb:///{self.home / 'warehouse.duckdb'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Explicit arguments beat environment variables, which beat govpulse.toml.
        toml = TomlConfigSettingsSource(settings_cls, toml_file=[p for p in _toml_files() if p.is_file()])
        return (init_settings, env_settings, toml)
