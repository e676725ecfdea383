"""The fetcher service (`marsad fetch`): ArticleDiscovered in, ArticleFetched or a DeadLetter out.

A consumer of ``articles.discovered`` in its own group (``{prefix}-fetcher``;
several fetchers share the partitions), around the same Kafka-free core as
`marsad produce` (``marsad.producers.poller.fetch_article``, ``marsad.producers.events``),
with the same HTTP limits, attempts and dead-letter reasons.

The reading, the offsets and the group are `marsad.runtime.kafka.consume`'s loop
(the alert delivery's too); this module is the work: one task per record.

Rules it keeps:

- at least once, without waiting on one slow page: each partition's commit
  moves past every record read, and its metadata (the string Kafka stores
  with a committed offset) names the records whose outcome Kafka has not
  acknowledged yet (``marsad.runtime.offsets.commit_point``). When a
  partition is assigned, the fetcher reads that metadata back, starts at the
  oldest offset it names and fetches again only those records, skipping the
  ones below the committed offset that were done. A kill -9 or a SIGTERM
  that cuts a 3-minute page re-fetches that page (and, after a kill -9, what
  finished since the last commit), not everything read after it;
- a re-fetch repeats the same event: the outcome's event id is derived from
  the Discovered event's (``marsad.producers.events.outcome_event_id``), and the
  article id is the Discovered event's key, so downstream (keyed by article
  id) sees a repeat, not a new article;
- a record that does not decode goes to ``deadletter.producers`` with the
  reason, and is committed past like any other;
- why the metadata and not a retry topic for slow pages: one service and
  one consumer group keep the order of a partition's work and the lag
  `marsad ps` shows, and nothing new has to be deployed; a retry topic would
  add a second consumer, a second lag and a hand-off that can itself fail.
  The metadata is bounded (``METADATA_LIMIT``): were more records in flight
  than fit, the commit stops at the first one left out;
- a page's attempts are bounded together (``PollOptions.page_deadline``), so
  no page stays in flight for much longer than that;
- on SIGTERM/SIGINT nothing new is read, in-flight fetches get
  ``shutdown_grace`` seconds, the publisher is flushed, what is done is
  committed and the group is left (its partitions go to the other fetchers).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from kafka import TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from marsad.producers.events import FETCH_STAGE, dead_letter_event, entry_from_discovered, fetched_event
from marsad.producers.events import publish_failure_letter as publish_failure
from marsad.producers.http import Fetcher, FetchOptions
from marsad.producers.pages.isolation import ExtractionPool, IsolationOptions, extraction_pool
from marsad.producers.poller import DiscoveredEntry, FetchedArticle, PollOptions, fetch_article
from marsad.producers.shutdown import StopRequest, StopSignals, finish_or_cancel
from marsad.runtime import metrics
from marsad.runtime.health import NO_PROGRESS_AFTER, Health
from marsad.runtime.kafka.connection import Kafka
from marsad.runtime.kafka.consume import GroupOptions, GroupReader
from marsad.runtime.kafka.publish import EventPublisher, PublishError
from marsad.schemas.codec import SchemaError, decode_as
from marsad.schemas.events import ArticleDiscovered, DeadLetter, Event
from marsad.schemas.topics import Topics

log = logging.getLogger(__name__)

MAX_PAYLOAD = 64 * 1024  # bytes of an undecodable record kept in its dead letter


@dataclass(frozen=True)
class FetcherConfig:
    """Everything the fetcher needs, built once from the settings by the command line."""

    bootstrap: Kafka
    topic_prefix: str
    fetch: FetchOptions = field(default_factory=FetchOptions)
    poll: PollOptions = field(default_factory=PollOptions)
    raw_page_cap: int = 2 * 1024 * 1024
    fetch_workers: int = 20  # articles in flight at once (HTTP is further limited per host)
    shutdown_grace: float = 10.0
    commit_interval: float = 1.0  # seconds between offset commits
    isolation: IsolationOptions = field(default_factory=IsolationOptions)  # extraction in worker processes
    stall_after: float = NO_PROGRESS_AFTER  # seconds behind without progress (or without partitions): not ready

    @property
    def group(self) -> str:
        return fetcher_group(self.topic_prefix)

    def group_options(self) -> GroupOptions:
        """How the fetcher reads ``articles.discovered``: as many records at once as it has slots."""
        return GroupOptions(topic=Topics(self.topic_prefix).discovered, group=self.group, client_id="marsad-fetcher",
                            max_records=self.fetch_workers, commit_interval=self.commit_interval,
                            stall_after=self.stall_after)


def fetcher_group(prefix: str) -> str:
    """The fetchers' consumer group (`marsad ps` reads its lag)."""
    return f"{prefix}-fetcher"


@dataclass
class FetcherReport:
    """What the cluster acknowledged, and how the run ended."""

    read: int = 0
    fetched: int = 0
    dead_letters: int = 0
    undelivered: int = 0  # accepted by the client but never acknowledged (should be 0)
    left_pending: int = 0  # read but not finished when the run stopped: the group's next reader fetches them
    skipped: int = 0  # read again after a restart but done before it (below the committed offset): not fetched
    stopped_by: str | None = None

    def summary(self) -> str:
        return (f"read {self.read} discovered, published {self.fetched} fetched, {self.dead_letters} dead letters"
                + (f"; {self.skipped} done before the restart skipped" if self.skipped else "")
                + (f"; {self.left_pending} left for the next run" if self.left_pending else ""))


async def run_fetcher(config: FetcherConfig, *, once: bool = False, handle_signals: bool = True,
                      health: Health | None = None) -> FetcherReport:
    """Fetch the articles announced on ``articles.discovered`` until stopped (or caught up, with ``once``).

    Order:
    1. open the publisher, the HTTP fetcher and the consumer (group
       ``{prefix}-fetcher``, a new group starts from the earliest offset);
    2. read at most as many records as there are free slots (the partitions
       are paused while every slot is busy); each record becomes a task:
       decode, fetch and extract, publish ArticleFetched or a DeadLetter;
       the record is done when Kafka acknowledges that outcome;
    3. every ``commit_interval`` commit each partition's commit point (past
       what is read, the records in flight named in the metadata); on a
       rebalance, commit the revoked partitions' points first; on an
       assignment, fetch again the records the committed metadata names;
    4. ``once``: stop when every assigned partition is read to its end and
       nothing is in flight;
    5. stop: read nothing new, give in-flight fetches ``shutdown_grace``
       seconds, flush the publisher, commit, leave the group.
    """
    topics = Topics(config.topic_prefix)
    beating = asyncio.create_task(health.beat_while_running()) if health else None
    publisher = await asyncio.to_thread(EventPublisher, config.bootstrap, client_id="marsad-fetcher")
    reader: GroupReader | None = None
    service: _Fetcher | None = None
    try:
        await asyncio.to_thread(publisher.prepare, [topics.fetched, topics.deadletter("producers")])
        reader = await asyncio.to_thread(GroupReader, config.bootstrap, config.group_options(), health=health,
                                         on_assigned=_log_assigned)
        async with Fetcher(config.fetch) as http, extraction_pool(config.isolation) as pool:
            service = _Fetcher(config, topics, reader, publisher, http, pool)
            with StopSignals(service.request_stop, enabled=handle_signals):
                await service.run(once=once)
    finally:
        if health:
            health.not_ready("stopping")
        await asyncio.to_thread(publisher.close)
        if reader is not None:
            left = await reader.close()
            if service is not None:
                service.left_pending = left
        if beating:
            beating.cancel()
    report = service.report() if service else FetcherReport()
    if report.undelivered:
        log.error("%d event(s) accepted but not acknowledged by Kafka", report.undelivered)
    log.info("%s", report.summary())
    return report


class _Fetcher:
    """The running service's state: one instance per ``run_fetcher`` call."""

    def __init__(self, config: FetcherConfig, topics: Topics, reader: GroupReader, publisher: EventPublisher,
                 http: Fetcher, pool: ExtractionPool | None = None) -> None:
        self.config = config
        self.topics = topics
        self.reader = reader
        self.publisher = publisher
        self.http = http
        self.pool = pool
        self.left_pending = 0  # as the run ended
        self.tasks: set[asyncio.Task[None]] = set()
        self.request_stop = StopRequest(config.shutdown_grace)  # what SIGTERM/SIGINT call
        self.stop, self.hurry = self.request_stop.stop, self.request_stop.hurry
        self.delivered: Counter[str] = Counter()  # incremented by the Kafka client's thread only

    async def run(self, *, once: bool) -> None:
        log.info("fetching what %s announces (group %s, %d at once)", self.topics.discovered,
                 self.config.group, self.config.fetch_workers)
        try:
            await self.reader.run(self._take, self.stop, capacity=lambda: self.config.fetch_workers - len(self.tasks),
                                  progress=lambda: self.reader.read + sum(self.delivered.values()),
                                  until_idle=(lambda: not self.tasks) if once else None)
        finally:
            await self._finish_in_flight()

    async def _take(self, records: list[ConsumerRecord]) -> None:
        for record in records:
            task = asyncio.create_task(self._handle(record))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _handle(self, record: ConsumerRecord) -> None:
        def done() -> None:  # in the Kafka client's thread, once the outcome is acknowledged
            self.reader.done(record)

        try:
            cause = decode_as(record.value, ArticleDiscovered)
        except SchemaError as exc:
            log.warning("dead letter %s:%d:%d: %s", record.topic, record.partition, record.offset, exc)
            try:
                self._publish(self.topics.deadletter("producers"), _key(record), _poison(record, str(exc)), done)
            except PublishError as error:  # left uncommitted: read again by the next run
                log.error("dead letter %s:%d:%d not published: %s", record.topic, record.partition, record.offset,
                          error)
            return
        try:
            await self._fetch(cause, done)
        except Exception:  # a bug costs one article (left uncommitted, re-read by the next run), not the service
            log.exception("article %s: fetch failed unexpectedly", cause.article_id)

    async def _fetch(self, cause: ArticleDiscovered, done: Callable[[], None]) -> None:
        await fetch_and_publish(entry_from_discovered(cause), cause, self.http, self.config.poll,
                                self.config.raw_page_cap, self.topics,
                                lambda topic, key, event: self._publish(topic, key, event, done), pool=self.pool)

    def _publish(self, topic: str, key: str | None, event: Event, done: Callable[[], None]) -> None:
        kind = "fetched" if topic == self.topics.fetched else "dead letters"

        def delivered(_event: Event) -> None:  # in the Kafka client's thread
            self.delivered.update((kind,))
            metrics.produced(type(event).__name__)
            done()

        self.publisher.publish(topic, key, event, on_delivered=delivered)

    async def _finish_in_flight(self) -> None:
        busy = set(self.tasks)
        if busy:
            log.info("waiting for %d in-flight fetch(es)", len(busy))
            await finish_or_cancel(busy, grace=self.config.shutdown_grace, cut=self.hurry)
        await asyncio.to_thread(self.publisher.flush)

    def report(self) -> FetcherReport:
        """Call after the publisher is closed: the delivered counts are final then."""
        return FetcherReport(read=self.reader.read, fetched=self.delivered["fetched"],
                             dead_letters=self.delivered["dead letters"], undelivered=self.publisher.failed,
                             left_pending=self.left_pending, skipped=self.reader.skipped,
                             stopped_by=self.request_stop.by)


def _log_assigned(assigned: set[TopicPartition], again: dict[TopicPartition, int]) -> None:
    log.info("assigned %s", ", ".join(
        f"{tp.topic}[{tp.partition}]" + (f" ({again[tp]} in flight before: fetched again)" if again[tp] else "")
        for tp in sorted(assigned)) or "nothing")


async def fetch_and_publish(entry: DiscoveredEntry, cause: ArticleDiscovered, http: Fetcher, options: PollOptions,
                            raw_cap: int, topics: Topics, publish: Callable[[str, str, Event], None], *,
                            pool: ExtractionPool | None = None) -> bool:
    """Fetch one discovered article and publish its outcome: the ArticleFetched, else a dead letter
    with the reason (also when the ArticleFetched itself cannot be published).

    The fetcher's step, and `marsad produce`'s when it fetches inline. ``publish``
    raises `PublishError` when Kafka refuses; returns whether an outcome was
    published (False: left for the next run to try again).
    """
    outcome = await fetch_article(entry, http, options, pool=pool)
    (metrics.PAGES_FETCHED if isinstance(outcome, FetchedArticle) else metrics.PAGES_FAILED).inc()
    if isinstance(outcome, FetchedArticle):
        event = await asyncio.to_thread(fetched_event, outcome, cause=cause, raw_cap=raw_cap)
        try:
            publish(topics.fetched, entry.article_id, event)
            log.debug("article %s: fetched from the %s (%d chars)", entry.article_id, outcome.origin,
                      len(outcome.text))
            return True
        except PublishError as exc:
            letter = publish_failure(entry.article_id, entry.url, f"publish: {exc}", cause=cause)
    else:
        letter = dead_letter_event(outcome, cause=cause, source_topic=topics.discovered)
    log.warning("article %s (%s): dead letter: %s", entry.article_id, entry.url, letter.reason)
    try:
        publish(topics.deadletter("producers"), entry.article_id, letter)
        return True
    except PublishError as exc:  # left unfinished: the next run tries the article again
        log.error("article %s: dead letter not published either: %s", entry.article_id, exc)
        return False


def _poison(record: ConsumerRecord, reason: str) -> DeadLetter:
    where = f"{record.topic}:{record.partition}:{record.offset}"
    return DeadLetter(
        event_id=hashlib.blake2b(f"poison:{where}".encode(), digest_size=16).hexdigest(),
        stage=FETCH_STAGE, reason=reason, error="schema", key=_key(record), source_topic=record.topic,
        source_partition=record.partition, source_offset=record.offset, payload=(record.value or b"")[:MAX_PAYLOAD])


def _key(record: ConsumerRecord) -> str | None:
    return record.key.decode("utf-8", "replace") if record.key else None
