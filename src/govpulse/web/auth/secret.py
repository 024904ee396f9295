"""The installation's secret key (signs CSRF tokens and the OpenID Connect state cookie)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from govpulse.settings import Settings

KEY_FILE = "secret_key"


def secret_key(settings: Settings) -> str:
    """``settings.secret_key``, else the key kept in ``<home>/secret_key`` (created, readable by the owner only,
    on first use), so sessions' CSRF tokens stay valid across restarts."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.home) / KEY_FILE
    if path.is_file():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key
