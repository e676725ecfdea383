"""What a webhook receives besides the body: timestamp, HMAC-SHA256 signature, idempotency key.

    X-Marsad-Timestamp:  unix seconds when this try was sent
    Idempotency-Key:     alert_id (AlertRaised) or alert_id:revision (AlertUpdated)
    X-Marsad-Signature:  sha256=<hex HMAC-SHA256 of "{timestamp}.{idempotency key}.{body}" with the secret>
    X-Marsad-Event:      AlertRaised or AlertUpdated

The signature covers the timestamp, the idempotency key and the body
together: a receiver that checks it and refuses old timestamps (say, more
than 5 minutes) is safe from a replayed request, and from a captured
request sent again under another key (to slip past its deduplication). The
timestamp is digits and keys are hex ids (with ``:revision``), so the three
parts cannot be shifted into one another. Every retry is signed afresh; the body and the
idempotency key stay the same, so a receiver that saw a key already can
answer 2xx and ignore the copy.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from marsad.schemas.events import AlertRaised, AlertUpdated

TIMESTAMP = "X-Marsad-Timestamp"
SIGNATURE = "X-Marsad-Signature"
IDEMPOTENCY_KEY = "Idempotency-Key"
EVENT = "X-Marsad-Event"
SCHEME = "sha256="


def idempotency_key(event: AlertRaised | AlertUpdated) -> str:
    """One key per alert event that must reach a receiver once."""
    if isinstance(event, AlertUpdated):
        return f"{event.alert_id}:{event.revision}"
    return event.alert_id


def signed_message(timestamp: str, key: str, body: bytes) -> bytes:
    """What is signed: ``{timestamp}.{key}.{body}``."""
    return f"{timestamp}.{key}.".encode() + body


def signature(secret: bytes, timestamp: str, key: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 over ``{timestamp}.{key}.{body}``."""
    return SCHEME + hmac.new(secret, signed_message(timestamp, key, body), hashlib.sha256).hexdigest()


def verify(secret: bytes, timestamp: str, key: str, body: bytes, given: str, *, max_age: float = 300.0,
           now: float | None = None) -> bool:
    """What a receiver does: refuse anything missing or malformed, compare in constant time, and refuse a
    timestamp more than ``max_age`` seconds off."""
    if not (timestamp.isascii() and timestamp.isdigit()) or not key or not given.startswith(SCHEME):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > max_age:
        return False
    return hmac.compare_digest(signature(secret, timestamp, key, body).encode(), given.encode("utf-8", "replace"))


def signed_headers(secret: bytes, body: bytes, key: str, event_type: str, *, now: float | None = None) -> dict[str, str]:
    """The headers of one try, signed at ``now``."""
    ts = str(int(time.time() if now is None else now))
    return {"Content-Type": "application/json", TIMESTAMP: ts, SIGNATURE: signature(secret, ts, key, body),
            IDEMPOTENCY_KEY: key, EVENT: event_type}
