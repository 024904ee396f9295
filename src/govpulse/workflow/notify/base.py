"""The notification channel interface: one class per way of reaching a person, keyed by ``kind``.

Channels are registered through the ``register_notification_channels`` hook (the built-in e-mail, SMS and
WhatsApp channels too, in ``workflow.builtin_channels``), so a state's own gateway is just another plugin.
A channel says where it reaches a user (``address_of``: an e-mail address, a phone number) and sends one
message there; ``from_settings`` builds it from the installation's settings, or gives None when the
installation has not configured it. Recording what was sent is the ``Notifier``'s job, not the channel's.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from govpulse.catalog.models import User
from govpulse.settings import Settings

__all__ = ["Channel", "ChannelError", "Message"]


class ChannelError(Exception):
    """A message the channel could not deliver (the gateway refused it, the server was down, ...)."""


@dataclass(frozen=True)
class Message:
    """What one person is told: a subject line (used as the first line where a channel has no subject) and a
    body in plain text."""

    subject: str
    body: str

    def short(self, limit: int) -> str:
        """Subject and body in at most ``limit`` characters, for channels that charge by length (SMS)."""
        text = f"{self.subject}\n{self.body}".strip()
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Channel(ABC):
    kind: str = ""
    description: str = ""

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> Channel | None:
        """The channel as ``settings`` configure it, or None when it is not configured."""

    @abstractmethod
    def address_of(self, user: User) -> str:
        """Where this channel reaches ``user`` ("" when the account has no such address)."""

    @abstractmethod
    def send(self, address: str, message: Message) -> str:
        """Deliver ``message`` to ``address``; returns the provider's message id ("" if it gives none).
        Raises ``ChannelError`` when delivery fails."""
