"""What a webhook receives besides the body: timestamp, HMAC-SHA256 signature, idempotency key.

    X-Marsad-Timestamp:  unix seconds when this try was sent
    X-Marsad-Signature:  sha256=<hex HMAC-SHA256 of "{timestamp}.{body}" with the endpoint's secret>
    Idempotency-Key:     alert_id (AlertRaised) or alert_id:revision (AlertUpdated)
    X-Marsad-Event:      AlertRaised or AlertUpdated

The timestamp is signed with the body, so a receiver that checks the
signature and refuses old timestamps (say, more than 5 minutes) is safe from
a replayed request. Every retry is signed afresh; the body and the
idempotency key stay the same, so a receiver that saw a key already can
answer 2xx and ignore the copy.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from schemas.events import AlertRaised, AlertUpdated

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


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 over ``{timestamp}.{body}``."""
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
    return SCHEME + mac.hexdigest()


def verify(secret: bytes, timestamp: str, body: bytes, given: str, *, max_age: float = 300.0,
           now: float | None = None) -> bool:
    """What a receiver does: constant-time compare, and refuse a timestamp older than ``max_age`` seconds."""
    try:
        age = (time.time() if now is None else now) - int(timestamp)
    except ValueError:
        return False
    return abs(age) <= max_age and hmac.compare_digest(signature(secret, timestamp, body), given)


def signed_headers(secret: bytes, body: bytes, key: str, event_type: str, *, now: float | None = None) -> dict[str, str]:
    """The headers of one try, signed at ``now``."""
    ts = str(int(time.time() if now is None else now))
    return {"Content-Type": "application/json", TIMESTAMP: ts, SIGNATURE: signature(secret, ts, body),
            IDEMPOTENCY_KEY: key, EVENT: event_type}
