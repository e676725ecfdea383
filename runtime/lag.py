"""Consumer lag from Kafka: how many messages a consumer still has to read, per topic.

Two kinds of consumers keep their position in two places:

- a consumer group (the stream workers, the alert services) commits its
  offsets to Kafka: lag = end offset - committed offset, per partition of
  the topics it reads (a partition it never committed counts from the start);
- the views consumer keeps its offsets in the views database, in the same
  transaction as the rows (`marsad.consumers.consume`): lag = end offset - stored.

`marsad ps` and the services' ``marsad_consumer_lag`` gauge both use `LagProbe`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from marsad.runtime.kafka.connection import Kafka, kafka_python_options

Partition = tuple[str, int]  # (topic, partition)


@dataclass(frozen=True)
class GroupProgress:
    """Where a consumer group stands: lag per topic, and per partition its committed offset and lag."""

    lag: dict[str, int]
    committed: dict[Partition, int]
    behind: dict[Partition, int]

    def share(self, mine: Iterable[Partition]) -> tuple[int, int, int]:
        """One member's partitions of ours: how many, their lag, and their committed offsets summed (its progress)."""
        held = [p for p in mine if p in self.behind]
        return len(held), sum(self.behind[p] for p in held), sum(self.committed.get(p, 0) for p in held)


class LagProbe:
    """Kafka clients kept open for repeated lag questions; `close` them when done."""

    def __init__(self, bootstrap: Kafka, *, timeout_ms: int = 5000) -> None:
        self._admin = KafkaAdminClient(**kafka_python_options(bootstrap), client_id="marsad-lag",
                                       request_timeout_ms=timeout_ms)
        self._consumer = KafkaConsumer(**kafka_python_options(bootstrap), client_id="marsad-lag",
                                       request_timeout_ms=timeout_ms + 1000)

    def _partitions(self, topics: Iterable[str]) -> list[TopicPartition]:
        out = []
        for topic in topics:
            out += [TopicPartition(topic, p) for p in sorted(self._consumer.partitions_for_topic(topic) or ())]
        return out

    def group(self, group_id: str, topics: Iterable[str]) -> dict[str, int]:
        """Lag of a consumer group on ``topics`` (their every partition), per topic."""
        return self.group_progress(group_id, topics).lag

    def group_progress(self, group_id: str, topics: Iterable[str]) -> GroupProgress:
        """The group's lag per topic, and per partition its committed offset and lag (for one member's share)."""
        parts = self._partitions(topics)
        committed = self._admin.list_group_offsets({group_id: parts}).get(group_id, {})
        positions = {tp: meta.offset for tp, meta in committed.items() if meta is not None and meta.offset >= 0}
        per_partition = self._behind_each(parts, positions)
        lag: dict[str, int] = {}
        for tp, behind in per_partition.items():
            lag[tp.topic] = lag.get(tp.topic, 0) + behind
        return GroupProgress(lag, {(tp.topic, tp.partition): o for tp, o in positions.items()},
                             {(tp.topic, tp.partition): b for tp, b in per_partition.items()})

    def stored(self, offsets: Mapping[tuple[str, int], int], topics: Iterable[str]) -> dict[str, int]:
        """Lag of a consumer whose next offsets are ``offsets`` ({(topic, partition): next offset})."""
        parts = self._partitions(topics)
        return self._behind(parts, {TopicPartition(t, p): o for (t, p), o in offsets.items()})

    def _behind(self, parts: list[TopicPartition], positions: Mapping[TopicPartition, int]) -> dict[str, int]:
        lag: dict[str, int] = {}
        for tp, behind in self._behind_each(parts, positions).items():
            lag[tp.topic] = lag.get(tp.topic, 0) + behind
        return lag

    def _behind_each(self, parts: list[TopicPartition],
                     positions: Mapping[TopicPartition, int]) -> dict[TopicPartition, int]:
        if not parts:
            return {}
        ends = self._consumer.end_offsets(parts)
        begins = self._consumer.beginning_offsets(parts)
        return {tp: max(0, ends[tp] - max(positions.get(tp, begins[tp]), begins[tp])) for tp in parts}

    def close(self) -> None:
        self._consumer.close()
        self._admin.close()
