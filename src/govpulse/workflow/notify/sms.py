"""SMS through a provider interface: an HTTP JSON gateway (most Indian SMS gateways take one POST per message),
and an in-process provider that keeps what it was given, for plugins' and demos' tests.

An SMS is short: the channel sends the subject and as much of the body as fits in ``SMS_LIMIT`` characters
(three concatenated Unicode parts, enough for Gujarati or Hindi text).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import httpx

from govpulse.catalog.models import User
from govpulse.settings import Settings
from govpulse.workflow.notify.base import Channel, Message
from govpulse.workflow.notify.http_gateway import post_json

__all__ = ["SmsProvider", "HttpSmsProvider", "RecordingSmsProvider", "SmsChannel", "SMS_LIMIT"]

SMS_LIMIT = 201  # 3 x 67 characters: three concatenated UCS-2 parts


class SmsProvider(ABC):
    @abstractmethod
    def send_sms(self, to: str, text: str) -> str:
        """Send ``text`` to the phone number ``to``; the provider's message id. Raises ``ChannelError``."""


class HttpSmsProvider(SmsProvider):
    """``POST url`` with ``{"to": "+91...", "text": "..."}`` and a bearer token; reads ``{"id": ...}``."""

    def __init__(self, url: str, token: str = "", *, transport: httpx.BaseTransport | None = None) -> None:
        self.url, self.token, self.transport = url, token, transport

    def send_sms(self, to: str, text: str) -> str:
        answer = post_json(self.url, {"to": to, "text": text}, token=self.token, transport=self.transport)
        return str(answer.get("id", ""))


class RecordingSmsProvider(SmsProvider):
    """Keeps every message in ``sent`` instead of sending it (no network)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_sms(self, to: str, text: str) -> str:
        self.sent.append((to, text))
        return f"recorded-{len(self.sent)}"


class SmsChannel(Channel):
    kind = "sms"
    description = "SMS through a gateway (sms_provider_url, sms_provider_token)."

    def __init__(self, provider: SmsProvider) -> None:
        self.provider = provider

    @classmethod
    def from_settings(cls, settings: Settings) -> SmsChannel | None:
        if not settings.sms_provider_url:
            return None
        return cls(HttpSmsProvider(settings.sms_provider_url, settings.sms_provider_token))

    def address_of(self, user: User) -> str:
        return user.phone or ""

    def send(self, address: str, message: Message) -> str:
        return self.provider.send_sms(address, message.short(SMS_LIMIT))
