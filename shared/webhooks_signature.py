"""Signing and verifying Kaleno's webhook deliveries (Stripe's scheme). Standard library only, so a receiver
can copy this file as it is.

Each delivery carries `Kaleno-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
The timestamp is inside the signed text, so it cannot be changed without breaking the signature; a
receiver that also refuses timestamps older than a few minutes cannot be fed a recorded delivery again
later (a replay). Several `v1=` values may appear (a rotation); one matching is enough.

    from shared.webhooks_signature import verify, InvalidSignature
    try:
        verify(secret, request.headers["Kaleno-Signature"], request.get_data())
    except InvalidSignature:
        return 400
    # then deduplicate on the Kaleno-Event-Id header: a delivery may arrive more than once
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime

SIGNATURE_HEADER = "Kaleno-Signature"
EVENT_ID_HEADER = "Kaleno-Event-Id"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


class InvalidSignature(ValueError):
    """The delivery is not Kaleno's, was changed, or is too old (or too far in the future) to accept."""


def sign(secret: str, timestamp: int, body: bytes | str) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" under `secret`."""
    payload = body.encode() if isinstance(body, str) else body
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes | str) -> str:
    return f"t={timestamp},{SCHEME}={sign(secret, timestamp, body)}"


def verify(
    secret: str,
    header: str | None,
    body: bytes | str,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: datetime | float | None = None,
) -> int:
    """Check a delivery's `Kaleno-Signature` header against its raw body; returns its timestamp.

    Raises InvalidSignature if the header is missing or malformed, no v1 signature matches (compared in
    constant time), or the timestamp is more than `tolerance_seconds` away from `now` (default: the clock)."""
    timestamp, signatures = _parsed(header or "")
    current = time.time() if now is None else now.timestamp() if isinstance(now, datetime) else float(now)
    if abs(current - timestamp) > tolerance_seconds:
        raise InvalidSignature("timestamp outside the tolerance: an old (replayed) or mistimed delivery")
    expected = sign(secret, timestamp, body)
    if not any(hmac.compare_digest(expected.encode(), candidate.encode()) for candidate in signatures):
        raise InvalidSignature("no signature matches this body")
    return timestamp


def _parsed(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidSignature(f"malformed {SIGNATURE_HEADER} header: expected t=<seconds>,{SCHEME}=<hex>")
    return timestamp, signatures
