"""Read what is on the topics, for people: `marsad tail` and the demo's summary."""

from __future__ import annotations

import click
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from runtime.kafka.connection import Kafka, kafka_python_options
from schemas.codec import SchemaError, decode, to_dict
from schemas.events import DeadLetter, Event
from schemas.topics import BY_NAME, Topics

ALIASES = {"fetched": "articles.fetched", "processed": "articles.processed",
           "discovered": "articles.discovered"}


def records_between(consumer: KafkaConsumer, starts: dict[TopicPartition, int],
                    ends: dict[TopicPartition, int]) -> list[ConsumerRecord]:
    """Every record from ``starts`` to ``ends`` (exclusive), in partition and offset order."""
    consumer.assign(list(starts))
    for tp, offset in starts.items():
        consumer.seek(tp, offset)
    left = {tp for tp in starts if ends[tp] > starts[tp]}
    out: list[ConsumerRecord] = []
    while left:
        batch = consumer.poll(timeout_ms=3000)
        if not batch:
            break
        for tp, records in batch.items():
            out.extend(r for r in records if r.offset < ends[tp])
            if records and records[-1].offset >= ends[tp] - 1:
                left.discard(tp)
    return sorted(out, key=lambda r: (r.partition, r.offset))


def _read_range(consumer: KafkaConsumer, starts: dict[TopicPartition, int],
                ends: dict[TopicPartition, int]) -> list[Event | SchemaError]:
    """Decode every record from ``starts`` to ``ends`` (exclusive), in partition and offset order."""
    out: list[Event | SchemaError] = []
    for r in records_between(consumer, starts, ends):
        try:
            out.append(decode(r.value))
        except SchemaError as e:
            out.append(e)
    return out


def _partitions(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
    if not parts:
        raise click.ClickException(f"topic {topic} does not exist: run `marsad topics create`")
    return parts


def last_events(bootstrap: Kafka, topic: str, last: int) -> list[Event | SchemaError]:
    """The last ``last`` events of each partition of ``topic``."""
    consumer = KafkaConsumer(**kafka_python_options(bootstrap), enable_auto_commit=False, client_id="marsad-tail")
    try:
        parts = _partitions(consumer, topic)
        ends = consumer.end_offsets(parts)
        begins = consumer.beginning_offsets(parts)
        return _read_range(consumer, {tp: max(begins[tp], ends[tp] - last) for tp in parts}, ends)
    finally:
        consumer.close()


def read_all(bootstrap: Kafka, topic: str) -> list[Event | SchemaError]:
    """Every event on ``topic`` up to its current end."""
    consumer = KafkaConsumer(**kafka_python_options(bootstrap), enable_auto_commit=False, client_id="marsad-read")
    try:
        parts = _partitions(consumer, topic)
        return _read_range(consumer, consumer.beginning_offsets(parts), consumer.end_offsets(parts))
    finally:
        consumer.close()


def describe(event: Event | SchemaError) -> str:
    """One readable line: type, version, key, then title and text (a dead letter: its URL, kind and reason)."""
    if isinstance(event, SchemaError):
        return f"<malformed: {event}>"
    d = to_dict(event)
    if isinstance(event, DeadLetter):
        where = event.url or event.source_topic
        kind = f"[{event.error}] " if event.error else ""
        stage = "" if event.reason.startswith(f"{event.stage}:") else f"{event.stage}: "
        return f"{d['type']} v{d['version']}  {event.key or ''}  {where}  {kind}{stage}{event.reason[:300]}"
    title = d.get("title") or d.get("reason") or ""
    text = (d.get("clean_text") or d.get("text") or "").replace("\n", " ")
    key = d.get("article_id") or d.get("alert_id") or d.get("key") or ""
    return f"{d['type']} v{d['version']}  {key}  {title[:60]}  {text[:70]}".rstrip()


def tail_topic(bootstrap: Kafka, prefix: str, topic: str, last: int, as_json: bool) -> None:
    short = ALIASES.get(topic, topic)
    if short not in BY_NAME:
        raise click.ClickException(f"unknown topic {topic!r}; one of: {', '.join([*ALIASES, *BY_NAME])}")
    name = Topics(prefix).name(short)
    import orjson
    for event in last_events(bootstrap, name, last):
        if as_json:
            obj = {"error": str(event)} if isinstance(event, SchemaError) else to_dict(event)
            click.echo(orjson.dumps(obj).decode())
        else:
            click.echo(f"{name}  {describe(event)}")
