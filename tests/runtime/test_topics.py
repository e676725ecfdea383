"""The topic catalogue on the real broker: created with its configs, twice harmlessly."""

from __future__ import annotations

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from marsad.runtime.kafka.admin import create_topics, list_topics
from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.events import ArticleFetched
from marsad.schemas.topics import ALERTER_TABLES, CATALOGUE, STREAM_TABLES, Topics

pytestmark = pytest.mark.kafka


def test_create_is_idempotent_and_applies_configs(kafka_bootstrap, topic_prefix):
    first = create_topics(kafka_bootstrap, topic_prefix, partitions=3)
    assert len(first) == len(CATALOGUE) + len(STREAM_TABLES) + len(ALERTER_TABLES)
    assert create_topics(kafka_bootstrap, topic_prefix, partitions=3) == []
    infos = {i.name: i for i in list_topics(kafka_bootstrap, topic_prefix)}
    topics = Topics(topic_prefix)
    assert infos[topics.fetched].partitions == 3
    assert infos[topics.deadletter("streams")].partitions == 1
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        result = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topics.fetched)])
        text = repr(result)
    finally:
        admin.close()
    assert "retention.ms" in text and "-1" in text


def test_list_counts_messages(kafka_bootstrap, kafka_topics):
    topics = Topics(kafka_topics)
    with EventPublisher(kafka_bootstrap) as pub:
        for i in range(7):
            pub.publish(topics.fetched, f"a{i}", ArticleFetched(article_id=f"a{i}", text="نص"))
    counts = {i.name: i.messages for i in list_topics(kafka_bootstrap, kafka_topics)}
    assert counts[topics.fetched] == 7
    assert counts[topics.processed] == 0
