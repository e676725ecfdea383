"""Every event type through a real topic, with kafka-python and with aiokafka."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka import KafkaConsumer

from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.codec import decode, encode
from marsad.schemas.examples import sample_events
from marsad.schemas.topics import Topics

pytestmark = pytest.mark.kafka


def _key(event) -> str:
    return (getattr(event, "article_id", None) or getattr(event, "alert_id", None)
            or getattr(event, "incident_id", None) or event.key)


def _read_all(bootstrap: str, topic: str, expected: int) -> list:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=f"g-{topic}", auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=15000)
    consumer.subscribe([topic])
    out = []
    for record in consumer:
        out.append((record.key.decode(), decode(record.value)))
        if len(out) == expected:
            break
    consumer.commit()
    consumer.close()
    return out


def test_kafka_python_round_trip(kafka_bootstrap, kafka_topics):
    topic = Topics(kafka_topics).fetched
    events = sample_events()
    with EventPublisher(kafka_bootstrap) as pub:
        for e in events:
            pub.publish(topic, _key(e), e)
    assert pub.delivered == pub.accepted == len(events)
    got = _read_all(kafka_bootstrap, topic, len(events))
    assert sorted(got, key=lambda kv: kv[1].event_id) == sorted(((_key(e), e) for e in events),
                                                                key=lambda kv: kv[1].event_id)


def test_aiokafka_round_trip(kafka_bootstrap, kafka_topics):
    topic = Topics(kafka_topics).processed
    events = sample_events()

    async def run() -> list:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True,
                                    compression_type="lz4")
        await producer.start()
        try:
            for e in events:
                await producer.send_and_wait(topic, encode(e), key=_key(e).encode())
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, group_id="g-aio",
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        got = []
        try:
            while len(got) < len(events):
                batch = await asyncio.wait_for(consumer.getmany(timeout_ms=1000), 20)
                for records in batch.values():
                    got.extend((r.key.decode(), decode(r.value)) for r in records)
            await consumer.commit()
        finally:
            await consumer.stop()
        return got

    got = asyncio.run(run())
    assert sorted(got, key=lambda kv: kv[1].event_id) == sorted(((_key(e), e) for e in events),
                                                                key=lambda kv: kv[1].event_id)


def test_lz4_batches_from_kafka_python_are_read_by_aiokafka(kafka_bootstrap, kafka_topics):
    """faust reads with aiokafka what our producers write with kafka-python."""
    topic = Topics(kafka_topics).discovered
    events = sample_events()[:1] * 20
    with EventPublisher(kafka_bootstrap) as pub:
        for e in events:
            pub.publish(topic, _key(e), e)

    async def run() -> int:
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, group_id="g-lz4",
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        try:
            n = 0
            while n < len(events):
                batch = await asyncio.wait_for(consumer.getmany(timeout_ms=1000), 20)
                n += sum(len(r) for r in batch.values())
            return n
        finally:
            await consumer.stop()

    assert asyncio.run(run()) == len(events)
