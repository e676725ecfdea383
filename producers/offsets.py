"""Which offsets the fetcher may commit: only past records whose outcome Kafka acknowledged.

The fetcher works on many discovered events at once and they finish in any
order (a slow page, a fast one). Committing the offset after a record says
"everything before it is done", so the commit point of a partition is its
lowest offset still pending, or one past the highest started when none is
pending. Anything pending when the process dies is read again by the next
owner of the partition (at least once).

Thread-safe: the Kafka client's thread marks records done (on acknowledgement)
and the rebalance listener forgets partitions from the consumer's thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from kafka import TopicPartition


@dataclass
class _Partition:
    pending: set[int] = field(default_factory=set)
    next_offset: int = -1  # one past the highest offset started
    committed: int = -1  # the last commit point handed out


class OffsetTracker:
    def __init__(self) -> None:
        self._parts: dict[TopicPartition, _Partition] = {}
        self._lock = threading.Lock()

    def started(self, tp: TopicPartition, offset: int) -> None:
        """A record read from the log: pending until ``done``."""
        with self._lock:
            part = self._parts.setdefault(tp, _Partition())
            part.pending.add(offset)
            part.next_offset = max(part.next_offset, offset + 1)

    def done(self, tp: TopicPartition, offset: int) -> None:
        """The record's outcome is acknowledged; a partition forgotten meanwhile is ignored."""
        with self._lock:
            if (part := self._parts.get(tp)) is not None:
                part.pending.discard(offset)

    def pending(self) -> int:
        with self._lock:
            return sum(len(part.pending) for part in self._parts.values())

    def commit_points(self, only: set[TopicPartition] | None = None) -> dict[TopicPartition, int]:
        """The partitions whose commit point moved since the last call, with the offset to commit."""
        out: dict[TopicPartition, int] = {}
        with self._lock:
            for tp, part in self._parts.items():
                if only is not None and tp not in only:
                    continue
                point = min(part.pending) if part.pending else part.next_offset
                if point > part.committed:
                    out[tp] = point
        return out

    def committed(self, points: dict[TopicPartition, int]) -> None:
        """Record that ``points`` (from ``commit_points``) were committed."""
        with self._lock:
            for tp, point in points.items():
                if (part := self._parts.get(tp)) is not None:
                    part.committed = max(part.committed, point)

    def forget(self, tps: set[TopicPartition]) -> None:
        """Partitions this fetcher no longer owns (rebalance): their in-flight outcomes commit nothing."""
        with self._lock:
            for tp in tps:
                self._parts.pop(tp, None)

    def positions(self) -> dict[TopicPartition, int]:
        """The commit point of every partition known (committed or not): for the lag gauge."""
        with self._lock:
            return {tp: min(p.pending) if p.pending else p.next_offset for tp, p in self._parts.items()}
