"""A generic HTTP click-to-call bridge with signed requests and callbacks.

Placing a call: ``POST <bridge>/calls`` with JSON ``{"reference", "from", "to", "callback_url"}`` signed with
the shared secret (``signing.py``); the bridge answers ``{"call_id": ..., "status": "queued"}``.
Callback: the bridge POSTs JSON ``{"call_id", "status", "started_at", "ended_at", "duration"}`` to
``callback_url`` with the same signature header. Statuses map to outcomes: completed/answered -> answered,
no-answer -> no_answer, busy -> busy, failed/canceled -> failed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

import httpx

from govpulse.workflow.telephony.base import (
    CallReport,
    CallRequest,
    PlacedCall,
    TelephonyError,
    TelephonyProvider,
)
from govpulse.workflow.telephony.signing import SIGNATURE_HEADER, signature_header, verify

__all__ = ["HttpBridgeProvider"]

_OUTCOMES = {"completed": "answered", "answered": "answered", "no-answer": "no_answer", "no_answer": "no_answer",
             "busy": "busy", "failed": "failed", "canceled": "failed", "cancelled": "failed"}


class HttpBridgeProvider(TelephonyProvider):
    kind = "http_bridge"

    def __init__(self, base_url: str, secret: str, *, callback_url: str = "", window_seconds: int = 300,
                 timeout: float = 10.0, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url, self.secret, self.callback_url = base_url.rstrip("/"), secret, callback_url
        self.window_seconds, self.timeout, self.transport = window_seconds, timeout, transport

    def place_call(self, request: CallRequest) -> PlacedCall:
        body = json.dumps({"reference": request.reference, "from": request.caller_phone,
                           "to": request.callee_phone,
                           "callback_url": request.callback_url or self.callback_url}).encode()
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: signature_header(self.secret, body, datetime.now(UTC))}
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(f"{self.base_url}/calls", content=body, headers=headers)
        except httpx.HTTPError as error:
            raise TelephonyError(f"bridge {self.base_url} unreachable: {error}") from error
        if response.status_code >= 300:
            raise TelephonyError(f"bridge {self.base_url} refused the call: {response.status_code} "
                                 f"{response.text[:200]}")
        try:
            answer = response.json()
            return PlacedCall(provider_call_id=str(answer["call_id"]), status=str(answer.get("status", "queued")))
        except (ValueError, KeyError, TypeError):
            raise TelephonyError(f"bridge {self.base_url} answered without a call_id: {response.text[:200]}") from None

    def parse_callback(self, headers: Mapping[str, str], body: bytes, now: datetime) -> CallReport:
        header = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), None)
        verify(self.secret, header, body, now, self.window_seconds)
        try:
            data = json.loads(body)
            call_id, status = str(data["call_id"]), str(data["status"]).lower()
        except (ValueError, KeyError, TypeError):
            raise ValueError("callback body must be JSON with call_id and status") from None
        if status not in _OUTCOMES:
            raise ValueError(f"unknown call status {status!r}; known: {', '.join(sorted(_OUTCOMES))}")
        duration = data.get("duration")
        return CallReport(provider_call_id=call_id, outcome=_OUTCOMES[status], reference=str(data.get("reference", "")),
                          started_at=_time(data.get("started_at")), ended_at=_time(data.get("ended_at")),
                          duration_seconds=int(duration) if isinstance(duration, int | float) else None)


def _time(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

