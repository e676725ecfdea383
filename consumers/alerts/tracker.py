"""Which offsets may be committed: per partition, up to the oldest message a target still owes.

Each message is added with the names of the targets it goes to; each
target marks it done once it accepted it or dead-lettered it. A partition's
committable offset is its oldest unfinished message (everything before it
is done), or one past the last message seen when nothing is unfinished: the
per-partition low watermark. Pure bookkeeping, no I/O.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

Partition = Hashable  # a TopicPartition


class Tracker:
    """Outstanding deliveries per partition and offset (see the module docstring)."""

    def __init__(self) -> None:
        self._owed: dict[Partition, dict[int, set[str]]] = {}  # offsets in the order added
        self._next: dict[Partition, int] = {}  # one past the last offset added

    def add(self, tp: Partition, offset: int, targets: Iterable[str]) -> None:
        """A message read at ``offset``, owed to ``targets`` (none: done at once)."""
        owed = set(targets)
        if owed:
            self._owed.setdefault(tp, {})[offset] = owed
        self._next[tp] = max(self._next.get(tp, 0), offset + 1)

    def done(self, tp: Partition, offset: int, target: str) -> None:
        """``target`` settled the message at ``offset`` (harmless if already settled or forgotten)."""
        owed = self._owed.get(tp, {}).get(offset)
        if owed is None:
            return
        owed.discard(target)
        if not owed:
            del self._owed[tp][offset]

    def pending(self) -> int:
        """Messages some target still owes, all partitions together."""
        return sum(len(offsets) for offsets in self._owed.values())

    def committable(self) -> dict[Partition, int]:
        """The next offset to commit per partition."""
        out = {}
        for tp, nxt in self._next.items():
            owed = self._owed.get(tp)
            out[tp] = min(owed) if owed else nxt
        return out

    def forget(self, tp: Partition) -> None:
        """Drop a partition (revoked by a rebalance); its late completions are ignored."""
        self._owed.pop(tp, None)
        self._next.pop(tp, None)
