"""Consumer lag from Kafka: how many messages a consumer still has to read, per topic.

Two kinds of consumers keep their position in two places:

- a consumer group (the stream workers, the alert services) commits its
  offsets to Kafka: lag = end offset - committed offset, per partition of
  the topics it reads (a partition it never committed counts from the start);
- the views consumer keeps its offsets in the views database, in the same
  transaction as the rows (`consumers.consume`): lag = end offset - stored.

`marsad ps` and the services' ``marsad_consumer_lag`` gauge both use `LagProbe`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition


class LagProbe:
    """Kafka clients kept open for repeated lag questions; `close` them when done."""

    def __init__(self, bootstrap: str, *, timeout_ms: int = 5000) -> None:
        self._admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="marsad-lag",
                                       request_timeout_ms=timeout_ms)
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="marsad-lag",
                                       request_timeout_ms=timeout_ms + 1000)

    def _partitions(self, topics: Iterable[str]) -> list[TopicPartition]:
        out = []
        for topic in topics:
            out += [TopicPartition(topic, p) for p in sorted(self._consumer.partitions_for_topic(topic) or ())]
        return out

    def group(self, group_id: str, topics: Iterable[str]) -> dict[str, int]:
        """Lag of a consumer group on ``topics`` (their every partition), per topic."""
        parts = self._partitions(topics)
        committed = self._admin.list_group_offsets({group_id: parts}).get(group_id, {})
        positions = {tp: meta.offset for tp, meta in committed.items() if meta is not None and meta.offset >= 0}
        return self._behind(parts, positions)

    def stored(self, offsets: Mapping[tuple[str, int], int], topics: Iterable[str]) -> dict[str, int]:
        """Lag of a consumer whose next offsets are ``offsets`` ({(topic, partition): next offset})."""
        parts = self._partitions(topics)
        return self._behind(parts, {TopicPartition(t, p): o for (t, p), o in offsets.items()})

    def _behind(self, parts: list[TopicPartition], positions: Mapping[TopicPartition, int]) -> dict[str, int]:
        if not parts:
            return {}
        ends = self._consumer.end_offsets(parts)
        begins = self._consumer.beginning_offsets(parts)
        lag: dict[str, int] = {}
        for tp in parts:
            start = max(positions.get(tp, begins[tp]), begins[tp])
            lag[tp.topic] = lag.get(tp.topic, 0) + max(0, ends[tp] - start)
        return lag

    def close(self) -> None:
        self._consumer.close()
        self._admin.close()
