"""The live alert feed on the real broker: from the end of the alerts topic, no consumer group, fanned out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from aiokafka import AIOKafkaProducer

from marsad.consumers.api.live import AlertFeed
from marsad.schemas.codec import encode
from marsad.schemas.events import AlertRaised, AlertUpdated, ArticleProcessed

pytestmark = pytest.mark.kafka


def run(main: Callable[[], Awaitable[None]]) -> None:
    """``asyncio.run`` in a thread of its own (Playwright's sync API may hold this thread's event loop)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, main()).result()


async def next_event(q: asyncio.Queue, name: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        item = await asyncio.wait_for(q.get(), max(0.1, deadline - time.monotonic()))
        assert item is not None, "the feed closed the stream"
        if item[0] == name and (name != "status" or item[1]["state"] == "live"):
            return item[1]


def test_feed_reads_new_alerts_from_the_end(kafka_bootstrap: str, kafka_topics: str) -> None:
    topic = f"{kafka_topics}.alerts"

    async def main() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        old = AlertRaised(alert_id="old", rule_id="r", title="قديم", severity="info")
        await producer.send_and_wait(topic, encode(old), key=b"r")
        feed = AlertFeed(lambda: kafka_bootstrap, topic, keep=2)
        try:
            first, second = feed.subscribe(), feed.subscribe()
            await next_event(first, "status")  # positioned at the end: what follows is seen
            raised = AlertRaised(alert_id="a1", rule_id="r", title="تنبيه جديد", severity="critical",
                                 article_ids=["x1"], sources=["عنب بلدي"])
            await producer.send_and_wait(topic, encode(raised), key=b"r")
            await producer.send_and_wait(topic, b"not json", key=b"r")  # skipped with a log line
            await producer.send_and_wait(topic, encode(ArticleProcessed(article_id="p", clean_text="")), key=b"r")
            update = AlertUpdated(alert_id="a1", rule_id="r", severity="critical", revision=1, article_id="x2",
                                  article_ids=["x1", "x2"], sources=["عنب بلدي", "تلفزيون سوريا"])
            await producer.send_and_wait(topic, encode(update), key=b"r")
            for q in (first, second):
                got = await next_event(q, "alert")
                assert (got["type"], got["alert_id"], got["title"]) == ("AlertRaised", "a1", "تنبيه جديد")
                got = await next_event(q, "alert")
                assert (got["type"], got["revision"], got["article_ids"]) == ("AlertUpdated", 1, ["x1", "x2"])
            assert [e["alert_id"] for e in feed.recent] == ["a1", "a1"]  # "old" was before the end
            feed.unsubscribe(second)
            assert feed.status()["state"] == "live"
        finally:
            await feed.stop()
            await producer.stop()

    run(main)


def test_feed_without_a_broker_says_offline() -> None:
    async def main() -> None:
        feed = AlertFeed(lambda: "127.0.0.1:9", "nowhere.alerts")
        q = feed.subscribe()
        try:
            while True:
                name, data = await asyncio.wait_for(q.get(), 30)
                if name == "status" and data["state"] == "offline":
                    assert "Kafka unavailable" in data["reason"]
                    return
        finally:
            await feed.stop()

    run(main)
