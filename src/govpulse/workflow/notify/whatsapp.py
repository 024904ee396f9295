"""WhatsApp through a provider interface: an HTTP provider in the shape of the WhatsApp Business (Cloud) API's
messages endpoint, and an in-process provider that keeps what it was given, for plugins' and demos' tests."""

from __future__ import annotations

from abc import ABC, abstractmethod

import httpx

from govpulse.catalog.models import User
from govpulse.settings import Settings
from govpulse.workflow.notify.base import Channel, Message
from govpulse.workflow.notify.http_gateway import post_json

__all__ = ["WhatsAppProvider", "HttpWhatsAppProvider", "RecordingWhatsAppProvider", "WhatsAppChannel"]

WHATSAPP_LIMIT = 4096  # the text message limit of the Business API


class WhatsAppProvider(ABC):
    @abstractmethod
    def send_whatsapp(self, to: str, text: str) -> str:
        """Send a text message to the WhatsApp number ``to``; the provider's message id. Raises ``ChannelError``."""


class HttpWhatsAppProvider(WhatsAppProvider):
    """``POST url`` with ``{"messaging_product": "whatsapp", "to": ..., "type": "text", "text": {"body": ...}}``
    and a bearer token; reads the id from ``{"messages": [{"id": ...}]}`` (or ``{"id": ...}``)."""

    def __init__(self, url: str, token: str = "", *, transport: httpx.BaseTransport | None = None) -> None:
        self.url, self.token, self.transport = url, token, transport

    def send_whatsapp(self, to: str, text: str) -> str:
        payload = {"messaging_product": "whatsapp", "to": to.lstrip("+"), "type": "text", "text": {"body": text}}
        answer = post_json(self.url, payload, token=self.token, transport=self.transport)
        messages = answer.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            return str(messages[0].get("id", ""))
        return str(answer.get("id", ""))


class RecordingWhatsAppProvider(WhatsAppProvider):
    """Keeps every message in ``sent`` instead of sending it (no network)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_whatsapp(self, to: str, text: str) -> str:
        self.sent.append((to, text))
        return f"recorded-{len(self.sent)}"


class WhatsAppChannel(Channel):
    kind = "whatsapp"
    description = "WhatsApp through a business messaging provider (whatsapp_provider_url, whatsapp_provider_token)."

    def __init__(self, provider: WhatsAppProvider) -> None:
        self.provider = provider

    @classmethod
    def from_settings(cls, settings: Settings) -> WhatsAppChannel | None:
        if not settings.whatsapp_provider_url:
            return None
        return cls(HttpWhatsAppProvider(settings.whatsapp_provider_url, settings.whatsapp_provider_token))

    def address_of(self, user: User) -> str:
        return user.phone or ""

    def send(self, address: str, message: Message) -> str:
        return self.provider.send_whatsapp(address, message.short(WHATSAPP_LIMIT))
