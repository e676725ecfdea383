"""When a failed webhook delivery is tried again, and when it is given up (pure, no I/O).

The schedule is a list of waits: ``first`` seconds after the first failed
try, doubled after each further failure, capped at ``cap``, until the waits
add up to ``span`` seconds. With the defaults (2 s, 30 min, 24 h) that is
2, 4, 8, ... 1024 s, then 30 min 47 times: 58 tries over 24 h 4 min. Each
wait is stretched by a random 0 to ``jitter`` of itself (never shortened, so
the schedule spans at least ``span``), so the retries of many alerts queued
for one endpoint do not arrive together.

``max_tries`` (MARSAD_ALERT_DELIVER_ATTEMPTS) caps the tries when set.
The schedule counts failed tries, not wall-clock time: a delivery service
that was itself stopped for a day does not wake to find every queued alert
out of time; each still gets its full list of tries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetrySchedule:
    first: float = 2.0  # seconds before the first retry
    cap: float = 1800.0  # the longest wait between two tries
    span: float = 86400.0  # the waits add up to at least this; then the delivery is dead-lettered
    jitter: float = 0.25  # each wait is stretched by up to this fraction of itself
    max_tries: int = 0  # a cap on the tries (0: none; the span decides)

    def waits(self) -> list[float]:
        """The nominal waits between tries (before jitter): len + 1 tries in all."""
        waits: list[float] = []
        wait, total = max(self.first, 0.001), 0.0
        while total < self.span and not (self.max_tries and len(waits) + 1 >= self.max_tries):
            waits.append(min(wait, self.cap))
            total += waits[-1]
            wait *= 2
        return waits

    @property
    def tries(self) -> int:
        return len(self.waits()) + 1

    def next_wait(self, failed: int, rng: random.Random | None = None) -> float | None:
        """Seconds to wait after the ``failed``-th failed try; None: the schedule is spent (dead-letter it)."""
        waits = self.waits()
        if failed > len(waits):
            return None
        wait = waits[failed - 1]
        return wait * (1.0 + self.jitter * (rng or random).random())

    def describe(self) -> str:
        """One line for logs and --help: ``58 tries over 24h4m (2s doubling, capped at 30m, +25% jitter)``."""
        return (f"{self.tries} tries over {_duration(sum(self.waits()))} ({_duration(self.first)} doubling, "
                f"capped at {_duration(self.cap)}, +{self.jitter:.0%} jitter)")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:g}s"
    m, s = divmod(round(seconds), 60)
    h, m = divmod(m, 60)
    return (f"{h}h" if h else "") + (f"{m}m" if m else "") + (f"{s}s" if s and not h else "")
