"""The signature on every delivery, and the check a receiver makes (tests make it too).

``X-Tracker-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``. Signing
the timestamp with the body lets a receiver refuse a replayed request: it checks the HMAC,
then that ``t`` is recent (five minutes is usual). The body is signed as the exact bytes sent,
so a receiver must verify before parsing the JSON. ``v1`` names the scheme: a later scheme can
be added beside it without breaking receivers that know only this one.
"""
from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Tracker-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, value: str, body: bytes, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does: a v1 signature that matches, on a timestamp that is recent."""
    parts = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, timestamp, body))
