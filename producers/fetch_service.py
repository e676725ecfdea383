"""The fetcher service (`marsad fetch`): ArticleDiscovered in, ArticleFetched or a DeadLetter out.

A consumer of ``articles.discovered`` in its own group (``{prefix}-fetcher``;
several fetchers share the partitions), around the same Kafka-free core as
`marsad produce` (``producers.poller.fetch_article``, ``producers.events``),
with the same HTTP limits, attempts and dead-letter reasons.

Rules it keeps:

- at least once, without waiting on one slow page: each partition's commit
  moves past every record read, and its metadata (the string Kafka stores
  with a committed offset) names the records whose outcome Kafka has not
  acknowledged yet (``runtime.offsets.commit_point``). When a
  partition is assigned, the fetcher reads that metadata back, starts at the
  oldest offset it names and fetches again only those records, skipping the
  ones below the committed offset that were done. A kill -9 or a SIGTERM
  that cuts a 3-minute page re-fetches that page (and, after a kill -9, what
  finished since the last commit), not everything read after it;
- a re-fetch repeats the same event: the outcome's event id is derived from
  the Discovered event's (``producers.events.outcome_event_id``), and the
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
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from kafka import AsyncConsumerRebalanceListener, KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from producers.events import FETCH_STAGE, dead_letter_event, entry_from_discovered, fetched_event
from producers.events import publish_failure_letter as publish_failure
from producers.http import Fetcher, FetchOptions
from producers.isolation import ExtractionPool, IsolationOptions, extraction_pool
from producers.poller import DiscoveredEntry, FetchedArticle, PollOptions, fetch_article
from producers.shutdown import StopRequest, StopSignals, finish_or_cancel
from runtime import metrics
from runtime.health import NO_PROGRESS_AFTER, Health, ProgressWatch
from runtime.kafka.connection import Kafka, kafka_python_options
from runtime.kafka.publish import EventPublisher, PublishError
from runtime.offsets import Tracker, commit_point, in_flight_of
from schemas.codec import SchemaError, decode_as
from schemas.events import ArticleDiscovered, DeadLetter, Event
from schemas.topics import Topics

log = logging.getLogger(__name__)

POLL_MS = 200  # longest wait for records in one read (also how soon a stop request is seen)
LAG_EVERY = 5.0  # seconds between updates of the consumer-lag gauge
# A fetcher that dies is replaced in the group after this long (kafka-python's default is 45 s); the
# heartbeats come from the client's own thread, so a busy event loop does not trip it.
SESSION_TIMEOUT_MS = 10_000
MAX_PAYLOAD = 64 * 1024  # bytes of an undecodable record kept in its dead letter
FETCH = "fetch"  # the one target each record is owed to (runtime.offsets.Tracker)


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
    consumer: KafkaConsumer | None = None
    service: _Fetcher | None = None
    try:
        await asyncio.to_thread(publisher.prepare, [topics.fetched, topics.deadletter("producers")])
        consumer = await asyncio.to_thread(_consumer, config)
        async with Fetcher(config.fetch) as http, extraction_pool(config.isolation) as pool:
            service = _Fetcher(config, topics, consumer, publisher, http, health, pool)
            with StopSignals(service.request_stop, enabled=handle_signals):
                await service.run(once=once)
    finally:
        if health:
            health.not_ready("stopping")
        await asyncio.to_thread(publisher.close)
        if consumer is not None:
            if service is not None:
                await asyncio.to_thread(service.commit)
                service.left_pending = service.tracker.pending()  # before leaving the group forgets the partitions
            await asyncio.to_thread(consumer.close, autocommit=False)
        if beating:
            beating.cancel()
    report = service.report() if service else FetcherReport()
    if report.undelivered:
        log.error("%d event(s) accepted but not acknowledged by Kafka", report.undelivered)
    log.info("%s", report.summary())
    return report


def _consumer(config: FetcherConfig) -> KafkaConsumer:
    return KafkaConsumer(
        **kafka_python_options(config.bootstrap), group_id=config.group, client_id="marsad-fetcher",
        enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=config.fetch_workers,
        session_timeout_ms=SESSION_TIMEOUT_MS)


class _Fetcher:
    """The running service's state: one instance per ``run_fetcher`` call."""

    def __init__(self, config: FetcherConfig, topics: Topics, consumer: KafkaConsumer, publisher: EventPublisher,
                 http: Fetcher, health: Health | None, pool: ExtractionPool | None = None) -> None:
        self.config = config
        self.topics = topics
        self.consumer = consumer
        self.publisher = publisher
        self.http = http
        self.pool = pool
        self.health = health
        self.tracker = Tracker()  # each record is owed to one target, FETCH
        self.committed: dict[TopicPartition, tuple[int, str]] = {}  # offset and metadata, as last committed
        # Partitions assigned with records in flight: below the committed offset, only those are fetched.
        self.redo: dict[TopicPartition, tuple[int, frozenset[int]]] = {}
        self.skipped = 0
        self.left_pending = 0  # as the run ended
        self.tasks: set[asyncio.Task[None]] = set()
        self.request_stop = StopRequest(config.shutdown_grace)  # what SIGTERM/SIGINT call
        self.stop, self.hurry = self.request_stop.stop, self.request_stop.hurry
        self.read = 0
        self.delivered: Counter[str] = Counter()  # incremented by the Kafka client's thread only
        self.watch = ProgressWatch(config.stall_after)
        self.lag = 0  # as last measured (`_report_lag`)
        self.partitions = 0  # of the topic read, as last measured

    # -- the loop ------------------------------------------------------------------------------------------
    async def run(self, *, once: bool) -> None:
        self.consumer.subscribe([self.topics.discovered], listener=_Rebalance(self))
        log.info("fetching what %s announces (group %s, %d at once)", self.topics.discovered,
                 self.config.group, self.config.fetch_workers)
        await asyncio.to_thread(self._report_lag)  # the topic's partitions, before readiness is first judged
        last_commit = last_lag = time.monotonic()
        try:
            while not self.stop.is_set():
                free = self.config.fetch_workers - len(self.tasks)
                self._throttle(free)
                batch = await asyncio.to_thread(self.consumer.poll, timeout_ms=POLL_MS, max_records=max(1, free))
                await self._judge()
                for records in batch.values():
                    for record in records:
                        self._start(record)
                now = time.monotonic()
                if now - last_commit >= self.config.commit_interval:
                    await asyncio.to_thread(self.commit)
                    last_commit = now
                if now - last_lag >= LAG_EVERY:
                    await asyncio.to_thread(self._report_lag)
                    last_lag = now
                if once and not batch and not self.tasks and await asyncio.to_thread(self._caught_up):
                    break
        finally:
            await self._finish_in_flight()

    async def _judge(self) -> None:
        """Ready while partitions are held and, when behind, reading moves; rejoin the group when left out."""
        if self.health:
            self.health.progress(self.watch, assigned=len(self.consumer.assignment()), partitions=self.partitions,
                                 lag=self.lag, position=self.read + sum(self.delivered.values()))
        if self.watch.unassigned_for() > self.config.stall_after:
            log.warning("no partition of %s for %.0fs: rejoining group %s", self.topics.discovered,
                        self.watch.unassigned_for(), self.config.group)
            self.watch.unassigned_since = None
            await asyncio.to_thread(self._rejoin)

    def _rejoin(self) -> None:
        self.consumer.unsubscribe()
        self.consumer.subscribe([self.topics.discovered], listener=_Rebalance(self))

    def _throttle(self, free: int) -> None:
        """Pause the partitions while every slot is busy (reads go on, so the group membership stays)."""
        if free <= 0:
            self.consumer.pause(*self.consumer.assignment())
        elif self.consumer.paused():
            self.consumer.resume(*self.consumer.paused())

    def _start(self, record: ConsumerRecord) -> None:
        tp = TopicPartition(record.topic, record.partition)
        if (redo := self.redo.get(tp)) is not None:
            committed, again = redo
            if record.offset >= committed:
                del self.redo[tp]
            elif record.offset not in again:  # done before the restart
                self.skipped += 1
                return
        self.tracker.add(tp, record.offset, (FETCH,))
        self.read += 1
        task = asyncio.create_task(self._handle(tp, record))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _handle(self, tp: TopicPartition, record: ConsumerRecord) -> None:
        def done() -> None:  # in the Kafka client's thread, once the outcome is acknowledged
            self.tracker.done(tp, record.offset, FETCH)

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

    # -- offsets -------------------------------------------------------------------------------------------
    def commit(self, only: set[TopicPartition] | None = None) -> None:
        """Commit the partitions' commit points that moved (blocking: the consumer's thread)."""
        points = self.points(only)
        if not points:
            return
        try:
            self.consumer.commit({tp: OffsetAndMetadata(offset, metadata, -1)
                                  for tp, (offset, metadata) in points.items()})
        except KafkaError as exc:  # e.g. a rebalance took the partitions: their records are read again
            log.warning("commit failed (%s): those records will be fetched again", exc)
            return
        self.committed.update(points)

    def points(self, only: set[TopicPartition] | None = None) -> dict[TopicPartition, tuple[int, str]]:
        """Each partition's offset and metadata to commit, where they changed since the last commit."""
        points = {tp: commit_point(nxt, owed) for tp, (nxt, owed) in self.tracker.in_flight().items()
                  if only is None or tp in only}
        return {tp: point for tp, point in points.items() if self.committed.get(tp) != point}

    def resume_at(self, tp: TopicPartition, committed: OffsetAndMetadata | None) -> int:
        """Take up a partition just assigned: at its committed offset, after the records the commit names
        as in flight. Returns how many of those are fetched again."""
        if committed is None:  # never committed: the group starts at the earliest offset
            return 0
        self.tracker.start_at(tp, committed.offset)
        self.committed[tp] = (committed.offset, committed.metadata or "")
        again = frozenset(o for o in in_flight_of(committed.metadata) if o < committed.offset)
        if again:
            for offset in again:  # owed until fetched again, so a commit before that still names them
                self.tracker.add(tp, offset, (FETCH,))
            self.redo[tp] = (committed.offset, again)
            self.consumer.seek(tp, min(again))
        return len(again)

    def _report_lag(self) -> None:
        self.partitions = len(self.consumer.partitions_for_topic(self.topics.discovered) or ())
        assigned = self.consumer.assignment()
        if not assigned:
            self.lag = 0
            return
        ends = self.consumer.end_offsets(list(assigned))
        at = {tp: offset for tp, (offset, _) in self.committed.items()}
        lag: dict[str, int] = {}
        for tp in assigned:
            position = at.get(tp)
            if position is None:
                position = self.consumer.position(tp)
            lag[tp.topic] = lag.get(tp.topic, 0) + max(0, ends[tp] - position)
        metrics.set_lag(lag)
        self.lag = sum(lag.values())

    def _caught_up(self) -> bool:
        assigned = self.consumer.assignment()
        if not assigned:
            return False
        ends = self.consumer.end_offsets(list(assigned))
        return all(self.consumer.position(tp) >= ends[tp] for tp in assigned)

    # -- stopping ------------------------------------------------------------------------------------------
    async def _finish_in_flight(self) -> None:
        busy = set(self.tasks)
        if busy:
            log.info("waiting for %d in-flight fetch(es)", len(busy))
            await finish_or_cancel(busy, grace=self.config.shutdown_grace, cut=self.hurry)
        await asyncio.to_thread(self.publisher.flush)

    def report(self) -> FetcherReport:
        """Call after the publisher is closed: the delivered counts are final then."""
        return FetcherReport(read=self.read, fetched=self.delivered["fetched"],
                             dead_letters=self.delivered["dead letters"], undelivered=self.publisher.failed,
                             left_pending=self.left_pending, skipped=self.skipped,
                             stopped_by=self.request_stop.by)


class _Rebalance(AsyncConsumerRebalanceListener):
    """Commit what is done on partitions being taken away, then forget them; take up assigned partitions
    where their commit says.

    Called inside ``poll``, on kafka-python's network thread, where a blocking
    consumer call would fail ("Cannot block on net.run() from the IO thread"):
    hence the async listener and the coordinator's awaitable commit and
    offset fetch (kafka-python 3.0, pinned in pyproject.toml).
    """

    def __init__(self, service: _Fetcher) -> None:
        self.service = service

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        service = self.service
        revoked = set(revoked)
        if points := service.points(revoked):
            offsets = {tp: OffsetAndMetadata(offset, metadata, -1) for tp, (offset, metadata) in points.items()}
            try:
                await service.consumer._coordinator._commit_offsets_sync_async(offsets)
            except KafkaError as exc:
                log.warning("commit of revoked partitions failed (%s): their records will be fetched again", exc)
        for tp in revoked:
            service.tracker.forget(tp)
            service.committed.pop(tp, None)
            service.redo.pop(tp, None)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        service = self.service
        # Should this fail, the exception ends the run: starting at the bare committed offset would lose
        # the records the commit names as in flight.
        committed = await service.consumer._coordinator.fetch_committed_offsets_async(set(assigned))
        again = {tp: service.resume_at(tp, committed.get(tp)) for tp in assigned}
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
