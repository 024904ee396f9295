"""One JSON POST to a message gateway, shared by the SMS and WhatsApp providers: errors become ``ChannelError``
naming the gateway and what it answered."""

from __future__ import annotations

import httpx

from govpulse.workflow.notify.base import ChannelError

__all__ = ["post_json"]


def post_json(url: str, payload: dict, *, token: str = "", timeout: float = 10.0,
              transport: httpx.BaseTransport | None = None) -> dict:
    """POST ``payload`` as JSON (with a bearer token when given); the gateway's JSON answer, or {}."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with httpx.Client(timeout=timeout, transport=transport) as client:
            response = client.post(url, json=payload, headers=headers)
    except httpx.HTTPError as error:
        raise ChannelError(f"gateway {url} unreachable: {error}") from error
    if response.status_code >= 300:
        raise ChannelError(f"gateway {url} answered {response.status_code}: {response.text[:200]}")
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
