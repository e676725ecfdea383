"""Which offsets may be committed by a consumer that finishes messages out of order.

Per partition, up to the oldest message a target still owes. Each message
is added with the names of the targets it goes to (the fetcher's one
"fetch"); each target marks it done once its
outcome is settled (accepted, dead-lettered, acknowledged by Kafka). A
partition's committable offset is its oldest unfinished message (everything
before it is done), or one past the last message seen when nothing is
unfinished: the per-partition low watermark. Pure bookkeeping, no I/O;
thread-safe, since a Kafka client's thread may mark messages done.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable

Partition = Hashable  # a TopicPartition

IN_FLIGHT = "in-flight:"  # how marsad's commit metadata starts: "in-flight:1204,1311"
# Characters of metadata at most (brokers refuse more than offset.metadata.max.bytes, 4096 by default).
METADATA_LIMIT = 1000


def commit_point(next_offset: int, in_flight: Iterable[int], *, limit: int = METADATA_LIMIT) -> tuple[int, str]:
    """The offset to commit and the metadata to store with it, for a partition read up to ``next_offset``
    (exclusive) with ``in_flight`` still owed below it.

    The offset moves past done work; the metadata names each owed offset
    below it. When they do not all fit in ``limit`` characters, the offset
    stops at the first one left out (it and what follows are read again).
    """
    named: list[str] = []
    size = len(IN_FLIGHT)
    for offset in sorted(in_flight):
        size += len(str(offset)) + (1 if named else 0)
        if size > limit:
            return offset, _metadata(named)
        named.append(str(offset))
    return next_offset, _metadata(named)


def in_flight_of(metadata: str | None) -> frozenset[int]:
    """The offsets a commit's metadata names as in flight (none for any other metadata, e.g. an older commit's "")."""
    if not metadata or not metadata.startswith(IN_FLIGHT):
        return frozenset()
    return frozenset(int(part) for part in metadata[len(IN_FLIGHT):].split(",") if part.strip().isdigit())


def _metadata(offsets: list[str]) -> str:
    return IN_FLIGHT + ",".join(offsets) if offsets else ""


class Tracker:
    """Outstanding messages per partition and offset (see the module docstring)."""

    def __init__(self) -> None:
        self._owed: dict[Partition, dict[int, set[str]]] = {}  # offsets in the order added
        self._next: dict[Partition, int] = {}  # one past the last offset added
        self._lock = threading.Lock()

    def add(self, tp: Partition, offset: int, targets: Iterable[str]) -> None:
        """A message read at ``offset``, owed to ``targets`` (none: done at once)."""
        owed = set(targets)
        with self._lock:
            if owed:
                self._owed.setdefault(tp, {})[offset] = owed
            self._next[tp] = max(self._next.get(tp, 0), offset + 1)

    def done(self, tp: Partition, offset: int, target: str) -> None:
        """``target`` settled the message at ``offset`` (harmless if already settled or forgotten)."""
        with self._lock:
            owed = self._owed.get(tp, {}).get(offset)
            if owed is None:
                return
            owed.discard(target)
            if not owed:
                del self._owed[tp][offset]

    def pending(self) -> int:
        """Messages some target still owes, all partitions together."""
        with self._lock:
            return sum(len(offsets) for offsets in self._owed.values())

    def committable(self) -> dict[Partition, int]:
        """The next offset to commit per partition."""
        with self._lock:
            return {tp: min(owed) if (owed := self._owed.get(tp)) else nxt for tp, nxt in self._next.items()}

    def in_flight(self) -> dict[Partition, tuple[int, list[int]]]:
        """Per partition: one past the last offset added, and the offsets still owed, oldest first."""
        with self._lock:
            return {tp: (nxt, sorted(self._owed.get(tp, ()))) for tp, nxt in self._next.items()}

    def start_at(self, tp: Partition, offset: int) -> None:
        """The partition was assigned at ``offset`` (its committed position): nothing below it is unread."""
        with self._lock:
            self._next[tp] = max(self._next.get(tp, 0), offset)

    def forget(self, tp: Partition) -> None:
        """Drop a partition (revoked by a rebalance); its late completions are ignored."""
        with self._lock:
            self._owed.pop(tp, None)
            self._next.pop(tp, None)
