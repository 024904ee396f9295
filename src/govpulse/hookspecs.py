"""Hook specifications: the places where one state's installation differs from another's.

Built-in features register through these same hooks (see ``plugins.py``), so a state-specific connector,
flag rule or notification channel is just another plugin, never an ``if kind == ...`` branch.
"""

from __future__ import annotations

import pluggy

PROJECT = "govpulse"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_connectors() -> list[type]:
    """Return connector classes (each with a unique ``kind`` class attribute) that read data from a source."""


@hookspec
def register_flag_rules() -> list[type]:
    """Return flag-rule classes (each with a unique ``kind``) that the red-flag engine can run."""


@hookspec
def register_notification_channels() -> list[type]:
    """Return notification channel classes (each with a unique ``kind``): email, SMS, WhatsApp, ..."""


@hookspec
def register_panels() -> list[type]:
    """Return dashboard panel classes (each with a unique ``kind``) that pages can show."""
