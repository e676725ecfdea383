"""Create and list the catalogue's topics on the cluster (kafka-python admin)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from marsad.runtime.kafka.connection import Kafka, kafka_python_options
from marsad.schemas.topics import ALERTER_TABLES, CATALOGUE, CHANGELOG_CONFIGS, STREAM_TABLES, Topics


@dataclass
class TopicInfo:
    name: str
    partitions: int
    messages: int  # sum over partitions of (end offset - beginning offset)
    description: str = ""


def replication(bootstrap: Kafka, factor: int = 0, min_insync: int = 0, *, admin=None) -> tuple[int, int]:
    """The replication factor and ``min.insync.replicas`` new topics get: ``factor`` (0: as many brokers as
    the cluster has, at most 3) and ``min_insync`` (0: one less than the factor, at least 1). So a three-broker
    cluster gets 3 and 2: a write acknowledged by acks=all is on two brokers at least, and one broker may be
    lost (or restarted) without stopping writes or losing one."""
    if factor <= 0:
        own = admin is None
        admin = admin or KafkaAdminClient(**kafka_python_options(bootstrap), client_id="marsad-admin")
        try:
            factor = max(1, min(3, len(admin.describe_cluster()["brokers"])))
        finally:
            if own:
                admin.close()
    return factor, min_insync if min_insync > 0 else max(1, factor - 1)


def create_topics(bootstrap: Kafka, prefix: str, partitions: int, replication_factor: int = 1,
                  min_insync: int = 0) -> list[str]:
    """Create every catalogue topic that does not exist yet; return the names created.

    ``replication_factor`` and ``min_insync`` as in `replication` (0: from the cluster's size); topics that
    exist keep theirs."""
    topics = Topics(prefix)
    admin = KafkaAdminClient(**kafka_python_options(bootstrap), client_id="marsad-admin")
    try:
        existing = set(admin.list_topics())
        missing = [spec for spec in CATALOGUE if topics.name(spec.name) not in existing]
        tables = [t for t in STREAM_TABLES + ALERTER_TABLES if topics.changelog(t) not in existing]
        if not missing and not tables:
            return []
        factor, isr = replication(bootstrap, replication_factor, min_insync, admin=admin)
        durable = {"min.insync.replicas": str(isr)}
        new = [NewTopic(name=topics.name(spec.name), num_partitions=spec.partitions or partitions,
                        replication_factor=factor, topic_configs={**dict(spec.configs), **durable})
               for spec in missing]
        new += [NewTopic(name=topics.changelog(table), num_partitions=partitions, replication_factor=factor,
                         topic_configs={**dict(CHANGELOG_CONFIGS), **durable})
                for table in tables]
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
