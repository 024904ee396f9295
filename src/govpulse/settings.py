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

    # Sign-in and sessions
    session_hours: float = Field(default=12, gt=0, description="How long a browser session lasts after sign-in.")
    session_cookie_secure: bool = Field(
        default=True, description="Send the session cookie over HTTPS only (browsers treat localhost as secure)."
    )
    login_max_failures: int = Field(default=5, ge=1, description="Failed sign-ins that lock an account.")
    login_lockout_minutes: float = Field(
        default=15, gt=0, description="Window for counting failures, and how long the lock-out lasts."
    )
    # OpenID Connect (optional): on when an issuer and a client id are set
    oidc_issuer: str = Field(default="", description="OpenID Connect issuer URL (its discovery document is read).")
    oidc_client_id: str = Field(default="", description="Client id registered at the identity provider.")
    oidc_client_secret: str = Field(default="", description="Client secret registered at the identity provider.")
    oidc_scopes: str = Field(default="openid profile email", description="Scopes asked of the identity provider.")
    oidc_username_claim: str = Field(
        default="preferred_username", description="ID-token claim matched to a local user name on first sign-in."
    )
    # The API
    token_rate_limit_per_minute: int = Field(
        default=600, ge=0, description="Requests a minute per API token (token bucket; 0 = no limit)."
    )
    max_request_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest request body accepted (bytes)."
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed to call the API from a browser (CORS); empty = off."
    )
    # Actions: escalation, attachments, notifications, telephony
    public_url: str = Field(
        default="", description="Address people reach the web app at (links in e-mail and SMS); empty = relative."
    )
    escalation_rules_file: Path | None = Field(
        default=None, description="YAML file of due dates and escalation ladders; default: the shipped ladder."
    )
    attachment_max_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, description="Largest file attached to an action-taken report (bytes)."
    )
    smtp_host: str = Field(default="", description="SMTP server for e-mail notifications; empty = no e-mail.")
    smtp_port: int = Field(default=25, description="SMTP server port.")
    smtp_from: str = Field(default="govpulse@localhost", description="Sender address of e-mail notifications.")
    smtp_username: str = Field(default="", description="SMTP user name (empty: no login).")
    smtp_password: str = Field(default="", description="SMTP password.")
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS.")
    sms_provider_url: str = Field(default="", description="SMS gateway endpoint (HTTP JSON); empty = no SMS.")
    sms_provider_token: str = Field(default="", description="Bearer token for the SMS gateway.")
    whatsapp_provider_url: str = Field(
        default="", description="WhatsApp business API messages endpoint (HTTP JSON); empty = no WhatsApp."
    )
    whatsapp_provider_token: str = Field(default="", description="Bearer token for the WhatsApp provider.")
    telephony_bridge_url: str = Field(
        default="", description="Click-to-call bridge base URL (generic HTTP bridge); empty = log calls by hand."
    )
    telephony_secret: str = Field(default="", description="Shared secret that signs bridge requests and callbacks.")
    telephony_callback_url: str = Field(
        default="", description="URL the bridge calls back with a call's outcome (.../api/v1/telephony/callback)."
    )
    telephony_callback_window_seconds: int = Field(
        default=300, ge=10, description="How old (or early) a signed callback may be before it is refused."
    )

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
