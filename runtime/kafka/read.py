"""Read a topic up to its end: the one loop every reader of the log uses, and `marsad tail` on top of it.

    the end offsets are taken when reading starts: records published meanwhile are not waited for
    each partition is read from its start to its end offset (exclusive) and then paused
    a partition is done when the consumer's position reaches the end (control records of
    transactions and compacted gaps included, so a partition whose last entry is a commit marker ends)
    no record while short of the end for ``Stall.after`` seconds: raise `ReadStalled`, or stop

The stall policy is the caller's, explicitly (`Stall`): reading the log back
before publishing (the producer's recovery) or before a report (the
back-test) must not silently miss a part, so it raises after 30 s; a person
glancing at a topic (`marsad tail`, the demo, the tests' checks) gets what
came within 3 s; reprocessing, which republishes the whole history, waits as
long as the broker takes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

import click
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from marsad.runtime.kafka.connection import Kafka, kafka_python_options
from marsad.schemas.codec import SchemaError, decode, to_dict
from marsad.schemas.events import DeadLetter, Event
from marsad.schemas.topics import BY_NAME, Topics

log = logging.getLogger(__name__)

ALIASES = {"fetched": "articles.fetched", "processed": "articles.processed",
           "discovered": "articles.discovered"}
POLL_MS = 500  # longest wait in one poll (also how often the stall clock is looked at)


class TopicMissing(LookupError):
    """The topic has no partitions on the cluster."""


class ReadStalled(TimeoutError):
    """No record came for the stall policy's time while some partition was short of its end."""


@dataclass(frozen=True)
class Stall:
    """What reading does when no record comes while a partition is short of its end offset."""

    after: float | None  # seconds without a record; None: wait as long as it takes
    then: Literal["raise", "stop"] = "raise"  # raise `ReadStalled`, or stop and keep what was read


RAISE = Stall(30.0, "raise")  # recovery, back-test: a part missed would be a wrong answer
STOP = Stall(3.0, "stop")  # a look at a topic for people and checks
WAIT = Stall(None)  # reprocessing: the whole history, however slow the broker is


def partitions_of(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    """The partitions of ``topic``, in order; `TopicMissing` when it has none."""
    parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
    if not parts:
        raise TopicMissing(f"topic {topic} does not exist: run `marsad topics create`")
    return parts


def read_to_end(consumer: KafkaConsumer, ends: Mapping[TopicPartition, int], *, stall: Stall,
                starts: Mapping[TopicPartition, int] | None = None) -> Iterator[ConsumerRecord]:
    """Every record up to ``ends`` (exclusive) of its partitions, each partition in offset order.

    ``starts``: assign these partitions and seek each to its offset; None:
    read on from the consumer's current assignment and positions. Finished
    partitions are paused while the others are read, and resumed on return.
    """
    if starts is not None:
        consumer.assign(list(starts))
        for tp, offset in starts.items():
            consumer.seek(tp, offset)
    remaining = set(ends)
    done: set[TopicPartition] = set()
    last_record = time.monotonic()
    try:
        while True:
            if finished := {tp for tp in remaining if consumer.position(tp) >= ends[tp]}:
                consumer.pause(*finished)
                done |= finished
                remaining -= finished
            if not remaining:
                return
            batch = consumer.poll(timeout_ms=POLL_MS if stall.after is None else min(POLL_MS, int(stall.after * 1000)))
            for tp, records in batch.items():
                end = ends.get(tp, -1)
                for record in records:
                    if record.offset < end:
                        yield record
            if batch:
                last_record = time.monotonic()
            elif stall.after is not None and time.monotonic() - last_record > stall.after:
                behind = ", ".join(f"{tp.topic}[{tp.partition}]@{consumer.position(tp)}/{ends[tp]}"
                                   for tp in sorted(remaining))
                if stall.then == "raise":
                    raise ReadStalled(f"no record for {stall.after:g} s while reading to the end "
                                      f"(partition@at/end: {behind})")
                log.warning("stopped %g s short of the end (partition@at/end: %s)", stall.after, behind)
                return
    finally:
        if done:
            consumer.resume(*done)


def _decoded(consumer: KafkaConsumer, starts: dict[TopicPartition, int],
             ends: dict[TopicPartition, int]) -> list[Event | SchemaError]:
    """Decode every record from ``starts`` to ``ends`` (exclusive), in partition and offset order."""
    out: list[Event | SchemaError] = []
    for r in sorted(read_to_end(consumer, ends, starts=starts, stall=STOP), key=lambda r: (r.partition, r.offset)):
        try:
            out.append(decode(r.value))
        except SchemaError as e:
            out.append(e)
    return out


def _partitions(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    try:
        return partitions_of(consumer, topic)
    except TopicMissing as e:
        raise click.ClickException(str(e)) from None


def last_events(bootstrap: Kafka, topic: str, last: int) -> list[Event | SchemaError]:
    """The last ``last`` events of each partition of ``topic``."""
    consumer = KafkaConsumer(**kafka_python_options(bootstrap), enable_auto_commit=False, client_id="marsad-tail")
    try:
        parts = _partitions(consumer, topic)
        ends = consumer.end_offsets(parts)
        begins = consumer.beginning_offsets(parts)
        return _decoded(consumer, {tp: max(begins[tp], ends[tp] - last) for tp in parts}, ends)
    finally:
        consumer.close()


def read_all(bootstrap: Kafka, topic: str) -> list[Event | SchemaError]:
    """Every event on ``topic`` up to its current end."""
    consumer = KafkaConsumer(**kafka_python_options(bootstrap), enable_auto_commit=False, client_id="marsad-read")
    try:
        parts = _partitions(consumer, topic)
        return _decoded(consumer, consumer.beginning_offsets(parts), consumer.end_offsets(parts))
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
