"""HMAC signatures for requests between govpulse and a telephony bridge, both ways.

Header ``X-Govpulse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``. The timestamp
is inside the signed text, so a captured callback cannot be replayed later than the window allows, and the
comparison runs in constant time (``hmac.compare_digest``) so the signature cannot be guessed byte by byte.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from govpulse.workflow.telephony.base import BadSignature

__all__ = ["SIGNATURE_HEADER", "sign", "signature_header", "verify"]

SIGNATURE_HEADER = "X-Govpulse-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, now: datetime) -> str:
    timestamp = int(now.timestamp())
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes, now: datetime, window_seconds: int) -> None:
    """Raise ``BadSignature`` unless ``header`` signs ``body`` with ``secret`` within ``window_seconds`` of
    ``now`` (either way: a clock a little ahead is tolerated as much as one behind)."""
    if not secret:
        raise BadSignature("no telephony secret is configured: callbacks cannot be verified")
    if not header:
        raise BadSignature(f"missing {SIGNATURE_HEADER} header")
    parts = dict(part.strip().partition("=")[::2] for part in header.split(","))
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        raise BadSignature(f"{SIGNATURE_HEADER} has no valid t=<unix seconds>") from None
    given = parts.get("v1", "")
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), given.encode()):
        raise BadSignature("signature does not match the body")
    age = now.timestamp() - timestamp
    if abs(age) > window_seconds:
        raise BadSignature(f"signature timestamp is {age:.0f} s from now, outside the {window_seconds} s window")
