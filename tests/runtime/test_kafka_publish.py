"""The one publisher (runtime/kafka/publish.py) on the real broker: counted, acknowledged, and awaited from async code."""

from __future__ import annotations

import asyncio

import pytest

from marsad.runtime.kafka.publish import EventPublisher, PublishError
from marsad.runtime.kafka.read import read_all
from marsad.schemas.events import ArticleFetched, DeadLetter
from marsad.schemas.topics import Topics

pytestmark = pytest.mark.kafka


def test_what_was_accepted_is_delivered_and_on_the_log(kafka_bootstrap, kafka_topics):
    topic = Topics(kafka_topics).fetched
    seen: list[str] = []
    with EventPublisher(kafka_bootstrap) as pub:
        for i in range(5):
            pub.publish(topic, f"a{i}", ArticleFetched(article_id=f"a{i}", text=f"نص {i}"),
                        on_delivered=lambda e: seen.append(e.article_id))
    assert (pub.accepted, pub.delivered, pub.failed) == (5, 5, 0)
    assert sorted(seen) == [f"a{i}" for i in range(5)]
    assert sorted(e.article_id for e in read_all(kafka_bootstrap, topic)) == sorted(seen)


def test_publish_and_wait_returns_once_acknowledged(kafka_bootstrap, kafka_topics):
    topic = Topics(kafka_topics).deadletter("consumers")
    letter = DeadLetter(stage="deliver", reason="endpoint refused", error="http_status", key="k1")

    async def send() -> None:
        async with asyncio.timeout(120):
            await pub.publish_and_wait(topic, "k1", letter)

    with EventPublisher(kafka_bootstrap) as pub:
        asyncio.run(send())
        assert pub.delivered == 1  # acknowledged before the wait returned, not at close
    assert [e.reason for e in read_all(kafka_bootstrap, topic)] == ["endpoint refused"]


def test_publish_and_wait_says_when_kafka_refuses(kafka_bootstrap, kafka_topics):
    """A record above the producer's size limit is refused: one `PublishError`, counted as not delivered."""
    topic = Topics(kafka_topics).deadletter("consumers")
    big = DeadLetter(stage="deliver", reason="x", error="schema", key="k2", payload=b"\0" * 300_000)

    async def send(pub: EventPublisher) -> None:
        await pub.publish_and_wait(topic, "k2", big)

    with EventPublisher(kafka_bootstrap, max_request_size=100_000, compression=None) as pub:
        with pytest.raises(PublishError, match=topic):
            asyncio.run(send(pub))
        assert pub.delivered == 0
