"""The telephony provider interface: place a bridged call, and read the provider's signed callback.

Providers of this kind (Exotel, Knowlarity, Twilio and the like) take one HTTP request to ring the caller and
connect them to the callee, then POST the outcome to a URL we gave them. The callback is the only request the
app accepts without a signed-in user, so its authority is its signature: ``parse_callback`` must refuse (raise
``BadSignature``) anything not signed with the shared secret within the time window, before reading it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx

from govpulse.settings import Settings

__all__ = ["TelephonyProvider", "CallRequest", "PlacedCall", "CallReport", "TelephonyError", "BadSignature",
           "provider_from_settings", "OUTCOMES"]

OUTCOMES = ("answered", "no_answer", "busy", "failed")
"""Final outcomes of a call; a placed call is ``pending`` until its callback arrives."""


class TelephonyError(Exception):
    """The provider could not place the call (answered 502 Bad Gateway)."""


class BadSignature(Exception):
    """A callback that is unsigned, wrongly signed, or signed outside the time window (answered 401)."""


@dataclass(frozen=True)
class CallRequest:
    reference: str
    caller_phone: str
    callee_phone: str
    callback_url: str


@dataclass(frozen=True)
class PlacedCall:
    provider_call_id: str
    status: str


@dataclass(frozen=True)
class CallReport:
    """A call's outcome as the provider reports it."""

    provider_call_id: str
    outcome: str
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int | None = None
    reference: str = ""


class TelephonyProvider(ABC):
    kind: str = ""

    @abstractmethod
    def place_call(self, request: CallRequest) -> PlacedCall:
        """Ask the provider to ring ``caller_phone`` and bridge it to ``callee_phone``. Raises TelephonyError."""

    @abstractmethod
    def parse_callback(self, headers: Mapping[str, str], body: bytes, now: datetime) -> CallReport:
        """The outcome in a callback, after checking its signature (raises BadSignature, or ValueError for a
        well-signed body that says nothing usable)."""


def provider_from_settings(settings: Settings, *, transport: httpx.BaseTransport | None = None
                           ) -> TelephonyProvider | None:
    """The generic HTTP bridge when ``telephony_bridge_url`` and ``telephony_secret`` are set, else None."""
    if not (settings.telephony_bridge_url and settings.telephony_secret):
        return None
    from govpulse.workflow.telephony.http_bridge import HttpBridgeProvider

    return HttpBridgeProvider(settings.telephony_bridge_url, settings.telephony_secret,
                              callback_url=settings.telephony_callback_url,
                              window_seconds=settings.telephony_callback_window_seconds, transport=transport)
