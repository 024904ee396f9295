"""Access: role assignments, browser sessions, API tokens, sign-in attempts, external identities, the audit log.

Secrets are never stored in clear: passwords as argon2 hashes (on ``user_account``), session and API tokens as
SHA-256 hashes (they are long random strings, so a fast hash is enough). Assignments name their org unit by
code, not by id, so reloading the org-unit tree (which replaces every row) leaves them valid.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govpulse.catalog.models.base import Base, utcnow


class RoleAssignment(Base):
    """A role held at an org unit (by code), optionally limited to departments and (for operators) sources.
    Empty lists mean "no limit"."""

    __tablename__ = "role_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    org_unit_code: Mapped[str | None] = mapped_column(String(64), index=True)
    departments: Mapped[list[str]] = mapped_column(default=list)
    sources: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is kept here."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    via: Mapped[str] = mapped_column(String(16), default="password")
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")


class ApiToken(Base):
    """A bearer token for a program. ``prefix`` (the first characters) lets a person tell tokens apart."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class LoginAttempt(Base):
    """One sign-in attempt by username (known or not), for lock-out after repeated failures."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool]
    ip: Mapped[str] = mapped_column(String(64), default="")
    via: Mapped[str] = mapped_column(String(16), default="password")

    __table_args__ = (Index("ix_login_attempt_username_at", "username", "at"),)


class ExternalIdentity(Base):
    """An account at an OpenID Connect provider (issuer + subject) linked to a local user."""

    __tablename__ = "external_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_external_identity_issuer_subject", "issuer", "subject", unique=True),)


class AuditEntry(Base):
    """Who did what, when, to which entity, with the entity's JSON before and after. Append-only: no route or
    repository updates or deletes these rows, and the session refuses to flush a change to one."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128), index=True)
    actor_id: Mapped[int | None]
    via: Mapped[str] = mapped_column(String(16), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(64))
    entity_code: Mapped[str] = mapped_column(String(255), default="")
    before: Mapped[dict | None]
    after: Mapped[dict | None]
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_audit_log_entity_code", "entity", "entity_code"),)
