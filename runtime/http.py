"""What HTTP servers tell their clients, read once for the fetcher and the alert delivery.

``Retry-After`` (RFC 9110, 10.2.3) comes in two forms: a number of seconds
("120") or an HTTP date ("Fri, 04 Dec 2026 22:00:00 GMT"). Both are read
here; the caller caps the wait by its own policy.
"""

from __future__ import annotations

import email.utils
import re
import time
from datetime import UTC

_SECONDS = re.compile(r"\d+(?:\.\d+)?")


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (0 for a date already past); None when absent or unreadable.

    ``now`` (a Unix time, the clock by default) is what an HTTP date is
    counted from. A decimal number of seconds, outside the standard but
    seen, is read as written.
    """
    if not value or not value.strip():
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # asctime's form and "-0000" name no zone: HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
