"""Create and list the catalogue's topics on the cluster (kafka-python admin)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from deploy.kafka.connection import Kafka, kafka_python_options
from schemas.topics import ALERTER_TABLES, CATALOGUE, CHANGELOG_CONFIGS, STREAM_TABLES, Topics


@dataclass
class TopicInfo:
    name: str
    partitions: int
    messages: int  # sum over partitions of (end offset - beginning offset)
    description: str = ""


def create_topics(bootstrap: Kafka, prefix: str, partitions: int, replication: int = 1) -> list[str]:
    """Create every catalogue topic that does not exist yet; return the names created."""
    topics = Topics(prefix)
    admin = KafkaAdminClient(**kafka_python_options(bootstrap), client_id="marsad-admin")
    try:
        existing = set(admin.list_topics())
        new = [NewTopic(name=topics.name(spec.name), num_partitions=spec.partitions or partitions,
                        replication_factor=replication, topic_configs=dict(spec.configs))
               for spec in CATALOGUE if topics.name(spec.name) not in existing]
        new += [NewTopic(name=topics.changelog(table), num_partitions=partitions, replication_factor=replication,
                         topic_configs=dict(CHANGELOG_CONFIGS))
                for table in STREAM_TABLES + ALERTER_TABLES if topics.changelog(table) not in existing]
        if new:
            # another process creating the same topics meanwhile is fine
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(new)
        return [t.name for t in new]
    finally:
        admin.close()


def list_topics(bootstrap: Kafka, prefix: str) -> list[TopicInfo]:
    """The catalogue's topics that exist, with partition and message counts."""
    topics = Topics(prefix)
    consumer = KafkaConsumer(**kafka_python_options(bootstrap), client_id="marsad-admin")
    try:
        existing = consumer.topics()
        out = []
        for spec in CATALOGUE:
            name = topics.name(spec.name)
            if name not in existing:
                continue
            parts = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or ())]
            ends = consumer.end_offsets(parts)
            begins = consumer.beginning_offsets(parts)
            out.append(TopicInfo(name, len(parts), sum(ends[tp] - begins[tp] for tp in parts),
                                 spec.description))
        return out
    finally:
        consumer.close()
