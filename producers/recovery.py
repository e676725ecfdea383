"""What earlier runs published, read back from Kafka itself (not from a local file).

At start-up the producer reads, with a plain consumer (assign + seek, no
group, nothing committed):

1. the ``articles.discovered`` topic from the beginning to its current end
   offsets: every key is an article already announced, never to be
   announced again (the *seen* set);
2. ``articles.fetched`` and ``deadletter.producers`` (stage ``fetch``) from
   the start of the resume window to their end offsets: the articles whose
   story is finished;
3. the Discovered events inside the window that are not finished are the
   *unfinished* ones: a run died between announcing and fetching them, and
   this run fetches them.

An edited post announced again (``marsad.producers.revisions``) shares its article
id with its first version: its events are told apart by their revision
(``work_key``), and the edited versions already announced are rebuilt from
the discovered topic (only the events marked edited are decoded for that).

Why a window for step 2: the fetched topic carries raw pages and grows by
megabytes a day; reading it all at every start would not scale, and an
article's Fetched event is always published after its Discovered event
(same process, later timestamp), so reading from the window's start finds
every Fetched event of every Discovered event in the window. An article
announced before the window and never fetched is not resumed.

Everything here blocks (kafka-python): the async service calls ``recover``
through ``asyncio.to_thread``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from marsad.producers.events import FETCH_STAGE
from marsad.producers.revisions import EDITED_MARK, REVISION_MARK, Revisions, work_key
from marsad.runtime.kafka.connection import Kafka, kafka_python_options
from marsad.runtime.kafka.read import RAISE, ReadStalled, TopicMissing, partitions_of, read_to_end
from marsad.schemas.codec import SchemaError, decode, decode_as
from marsad.schemas.events import ArticleDiscovered, ArticleFetched, DeadLetter
from marsad.schemas.topics import Topics


class RecoveryError(RuntimeError):
    """The topics could not be read back; starting anyway could publish duplicates."""


@dataclass
class Recovered:
    seen: set[str] = field(default_factory=set)  # every article id on the discovered topic
    # in the window, no outcome yet; keyed by `work_key` (the article id, with its revision from 2 on)
    unfinished: dict[str, ArticleDiscovered] = field(default_factory=dict)
    revisions: Revisions = field(default_factory=Revisions)  # the edited versions announced
    discovered_read: int = 0  # messages read from the discovered topic
    finished_read: int = 0  # Fetched events and fetch dead letters read in the window
    malformed: int = 0  # messages that did not decode (skipped; their keys still count as seen)
    elapsed: float = 0.0


def recover(bootstrap: Kafka, topics: Topics, *, window_seconds: float, now: float | None = None,
            with_unfinished: bool = True) -> Recovered:
    """Read back what was published (see the module docstring); blocking.

    ``with_unfinished=False`` (the poller alone, `marsad poll`): step 1 only;
    the fetcher service finishes announced articles from its consumer group.
    """
    started = time.monotonic()
    window_start_ms = int(((time.time() if now is None else now) - window_seconds) * 1000)
    result = Recovered()
    announced: dict[str, ArticleDiscovered] = {}
    finished: set[str] = set()
    consumer = KafkaConsumer(
        **kafka_python_options(bootstrap),
        client_id="marsad-producer-recovery",
        group_id=None,
        enable_auto_commit=False,
        max_poll_records=5000,
    )
    try:
        for record in _read_back(consumer, topics.discovered):
            key = _key(record)
            if key is None:
                continue
            result.discovered_read += 1
            result.seen.add(key)
            in_window, edited = record.timestamp >= window_start_ms, EDITED_MARK in record.value
            if in_window or edited:
                try:
                    event = decode_as(record.value, ArticleDiscovered)
                except SchemaError:
                    result.malformed += 1
                    continue
                if event.edited:
                    result.revisions.record(key, event.content_text or "", event.revision)
                if in_window:
                    announced[work_key(key, event.revision)] = event
        if not with_unfinished:
            result.elapsed = time.monotonic() - started
            return result
        for record in _read_back(consumer, topics.fetched, start_ms=window_start_ms):
            if (key := _key(record)) is not None:
                finished.add(_fetched_work_key(key, record.value))
                result.finished_read += 1
        for record in _read_back(consumer, topics.deadletter("producers"), start_ms=window_start_ms):
            try:
                letter = decode(record.value)
            except SchemaError:
                result.malformed += 1
                continue
            if isinstance(letter, DeadLetter) and letter.stage == FETCH_STAGE and letter.key:
                finished.add(letter.key)
                result.finished_read += 1
    finally:
        consumer.close()
    result.unfinished = unfinished(announced, finished)
    result.elapsed = time.monotonic() - started
    return result


def unfinished(announced: dict[str, ArticleDiscovered], finished: set[str]) -> dict[str, ArticleDiscovered]:
    """The announced articles with neither a Fetched event nor a fetch dead letter."""
    return {key: event for key, event in announced.items() if key not in finished}


def _fetched_work_key(key: str, value: bytes) -> str:
    """The work key a Fetched event finishes: its article id, with its revision from 2 on (decoded only
    then: the topic carries raw pages, and almost no event is a revision)."""
    if REVISION_MARK not in value:
        return key
    try:
        return work_key(key, decode_as(value, ArticleFetched).revision)
    except SchemaError:
        return key


def _read_back(
    consumer: KafkaConsumer, topic: str, *, start_ms: int | None = None
) -> Iterator[ConsumerRecord]:
    """Every record of ``topic`` from the beginning (or from ``start_ms``) up to the end offsets of now
    (`marsad.runtime.kafka.read.read_to_end`: records published while reading are not waited for; 30 s
    without a record short of the end is a `RecoveryError`)."""
    try:
        parts = partitions_of(consumer, topic)
        ends = consumer.end_offsets(parts)
        yield from read_to_end(consumer, ends, starts=_start_offsets(consumer, parts, ends, start_ms), stall=RAISE)
    except TopicMissing as e:
        raise RecoveryError(str(e)) from e
    except ReadStalled as e:
        raise RecoveryError(f"reading {topic} back: {e}") from e


def _start_offsets(
    consumer: KafkaConsumer, parts: list[TopicPartition], ends: dict[TopicPartition, int], start_ms: int | None
) -> dict[TopicPartition, int]:
    begins = consumer.beginning_offsets(parts)
    if start_ms is None or start_ms <= 0:
        return begins
    found = consumer.offsets_for_times(dict.fromkeys(parts, start_ms))
    # None: no record at or after start_ms in that partition, so nothing to read there.
    return {tp: max(begins[tp], found[tp].offset) if found.get(tp) else ends[tp] for tp in parts}


def _key(record: ConsumerRecord) -> str | None:
    return record.key.decode("utf-8", "replace") if record.key else None
