"""Read what is on the topics, for people: `marsad tail` and the demo's summary."""

from __future__ import annotations

import click
from kafka import KafkaConsumer, TopicPartition

from schemas.codec import SchemaError, decode, to_dict
from schemas.events import Event
from schemas.topics import BY_NAME, Topics

ALIASES = {"fetched": "articles.fetched", "processed": "articles.processed",
           "discovered": "articles.discovered"}


def last_events(bootstrap: str, topic: str, last: int) -> list[tuple[int, int, Event | SchemaError]]:
    """The last ``last`` events of each partition of ``topic``, as (partition, offset, event)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=3000, client_id="marsad-tail")
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not parts:
            raise click.ClickException(f"topic {topic} does not exist: run `marsad topics create`")
        consumer.assign(parts)
        ends = consumer.end_offsets(parts)
        begins = consumer.beginning_offsets(parts)
        wanted = 0
        for tp in parts:
            start = max(begins[tp], ends[tp] - last)
            consumer.seek(tp, start)
            wanted += ends[tp] - start
        out: list[tuple[int, int, Event | SchemaError]] = []
        while len(out) < wanted:
            batch = consumer.poll(timeout_ms=3000)
            if not batch:
                break
            for tp, records in batch.items():
                for r in records:
                    if r.offset < ends[tp]:
                        try:
                            out.append((tp.partition, r.offset, decode(r.value)))
                        except SchemaError as e:
                            out.append((tp.partition, r.offset, e))
        return sorted(out, key=lambda x: (x[0], x[1]))
    finally:
        consumer.close()


def read_all(bootstrap: str, topic: str) -> list[Event | SchemaError]:
    """Every event on ``topic`` up to its current end, in partition and offset order."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="marsad-read",
                             consumer_timeout_ms=3000)
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        left = {tp: ends[tp] for tp in parts if ends[tp] > 0}
        out: list[tuple[int, int, Event | SchemaError]] = []
        while left:
            batch = consumer.poll(timeout_ms=3000)
            if not batch:
                break
            for tp, records in batch.items():
                for r in records:
                    if r.offset < ends[tp]:
                        try:
                            out.append((tp.partition, r.offset, decode(r.value)))
                        except SchemaError as e:
                            out.append((tp.partition, r.offset, e))
                if records and records[-1].offset >= ends[tp] - 1:
                    left.pop(tp, None)
        return [e for _, _, e in sorted(out, key=lambda x: (x[0], x[1]))]
    finally:
        consumer.close()


def describe(event: Event | SchemaError) -> str:
    if isinstance(event, SchemaError):
        return f"<malformed: {event}>"
    d = to_dict(event)
    title = d.get("title") or d.get("reason") or ""
    text = (d.get("clean_text") or d.get("text") or "").replace("\n", " ")
    key = d.get("article_id") or d.get("alert_id") or d.get("key") or ""
    return f"{d['type']} v{d['version']}  {key}  {title[:60]}  {text[:70]}".rstrip()


def tail_topic(bootstrap: str, prefix: str, topic: str, last: int, as_json: bool) -> None:
    short = ALIASES.get(topic, topic)
    if short not in BY_NAME:
        raise click.ClickException(f"unknown topic {topic!r}; one of: {', '.join([*ALIASES, *BY_NAME])}")
    name = Topics(prefix).name(short)
    import orjson
    for partition, offset, event in last_events(bootstrap, name, last):
        if as_json:
            obj = {"error": str(event)} if isinstance(event, SchemaError) else to_dict(event)
            click.echo(orjson.dumps({"partition": partition, "offset": offset, **obj}).decode())
        else:
            click.echo(f"{name}[{partition}]@{offset}  {describe(event)}")
