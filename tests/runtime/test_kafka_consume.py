"""The consumer-group loop (runtime/kafka/consume.py) on the real broker: records settled out of order are
committed past, and only those still owed are handed again to the next member.

The services built on it have their own drills (tests/producers/test_fetch_*.py, test_restart_drill.py,
tests/streams/alerts/delivery/test_deliver*.py, tests/deploy/test_alert_drills.py).
"""

from __future__ import annotations

import asyncio

import pytest
from kafka import KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord

from marsad.runtime.kafka.consume import GroupOptions, GroupReader
from marsad.schemas.topics import Topics

pytestmark = pytest.mark.kafka


def _publish(bootstrap: str, topic: str, values: list[bytes]) -> None:
    with KafkaProducer(bootstrap_servers=bootstrap) as producer:
        for value in values:
            producer.send(topic, value=value, partition=0)
        producer.flush(timeout=30)


async def _take_until(reader: GroupReader, want: int, settle: set[bytes]) -> list[ConsumerRecord]:
    """Run the loop until ``want`` records were handed; settle those whose value is in ``settle``."""
    stop = asyncio.Event()
    got: list[ConsumerRecord] = []

    async def take(records: list[ConsumerRecord]) -> None:
        for record in records:
            got.append(record)
            if record.value in settle:
                reader.done(record)
        if len(got) >= want:
            stop.set()

    async with asyncio.timeout(120):
        await reader.run(take, stop)
    return got


def test_only_what_was_owed_is_handed_again(kafka_bootstrap, kafka_topics):
    topic = Topics(kafka_topics).discovered
    _publish(kafka_bootstrap, topic, [b"r0", b"r1", b"r2", b"r3", b"r4"])
    options = GroupOptions(topic=topic, group=f"{kafka_topics}-g", client_id="test", commit_interval=0)

    async def scenario() -> tuple[list[bytes], int, list[bytes], int]:
        first = await asyncio.to_thread(GroupReader, kafka_bootstrap, options)
        got = await _take_until(first, 5, {b"r0", b"r2", b"r3"})
        owed = await first.close()
        second = await asyncio.to_thread(GroupReader, kafka_bootstrap, options)
        again = await _take_until(second, 2, {b"r1", b"r4"})
        await second.close()
        return [r.value for r in got], owed, [r.value for r in again], second.skipped

    got, owed, again, skipped = asyncio.run(scenario())
    assert got == [b"r0", b"r1", b"r2", b"r3", b"r4"]
    assert owed == 2  # r1 and r4: not settled when the first member left
    assert again == [b"r1", b"r4"]  # the commit moved past r4; its metadata named r1 and r4
    assert skipped == 2  # r2 and r3, settled before, read again and not handed
