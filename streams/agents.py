"""The stream agents: thin shells around `marsad.streams.pipeline` and `marsad.streams.dedup`.

    articles.fetched ──process──► streams.dedup-route ──dedup──► (next band partition) ... home ──► articles.processed

- ``process`` takes the fetched articles in batches (up to `BATCH`, or what
  came within `WITHIN` seconds), has each decoded, analysed and fingerprinted
  (`marsad.streams.parallel`), keeps the drafted articles in the drafts table
  of its partition (home) and sends the batch's claims as one `Trip` record
  to the first band partition they claim in (`marsad.streams.dedup.route`).
- ``dedup`` owns the band state of its partitions: the first article seen
  with each band key, each article's signature, the hour index by which it
  forgets an article ``dedup_days`` after its fetch (`marsad.streams.dedup.expiry`).
  It answers the batch's claims there, article after article, and sends the
  record on to the next partition, home last; at home it decides exact /
  near / original on the waiting drafts, publishes each ArticleProcessed and
  deletes the drafts.

So an article costs one message in (its ArticleFetched), one out (its
ArticleProcessed) and one changelog write of its draft (a record per batch);
the dedup traffic is one small record per batch and partition.
All state is in Faust tables (changelogged, partitioned, restored on start).
A message that cannot be decoded or processed goes to the streams'
dead-letter topic with the reason, and the agent goes on. The previous
release's records still on the internal topics at an upgrade are finished by
`marsad.streams.legacy`.

`register` declares the topics and tables on the app it is given
(`marsad.streams.app.create_app`) and registers the agents there.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
import uuid
import weakref
from collections.abc import Iterator, MutableMapping
from datetime import UTC, datetime

import faust
import faust.streams
import msgspec
from faust.types import EventT

from marsad.runtime import metrics
from marsad.runtime.settings import Settings
from marsad.schemas import internal
from marsad.schemas.codec import encode
from marsad.schemas.events import ArticleProcessed, DeadLetter, Duplicate
from marsad.schemas.topics import BY_NAME, RECORD_BYTES, Topics
from marsad.streams.alerts.notes import Staged
from marsad.streams.dedup import route
from marsad.streams.dedup.band_index import BandMaps, BandView
from marsad.streams.hour_index import DAY, HourIndex
from marsad.streams.parallel import AnalysisPool, Drafted
from marsad.streams.pipeline import Resources

log = logging.getLogger(__name__)

BATCH = 100  # articles analysed before their claims go out together
WITHIN = 0.05  # seconds a batch waits for more articles: the latency it may add
TABLE_WRITES_BUFFERED = 20 * BATCH  # changelog records a batch may leave queued before the streams wait
# drafts whose trip is older than the route topic keeps its records can never be answered: swept, once an hour
DRAFTS_KEPT = int(BY_NAME["streams.dedup-route"].configs["retention.ms"]) / 1000
SWEEP_EVERY = 3600
# the event loop's collector (gc.set_threshold): about a tenth fewer instructions on the dedup path (callgrind)
LOOP_GC_THRESHOLDS = (10_000, 50, 50)


@contextlib.contextmanager
def writing_as(event: EventT) -> Iterator[None]:
    """Table writes within go to the partition ``event`` came from.

    A table write goes to the partition of the current event (its changelog's,
    and its RocksDB store's); Faust fills a `take_events` batch in a task of
    its own, so the task of an agent taking batches has none.
    """
    token = faust.streams._current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        faust.streams._current_event.reset(token)


class WorkerAgents:
    """The worker's topics, tables and vocabularies, declared once on ``app``, and what its agents do."""

    def __init__(self, app: faust.App, settings: Settings, resources: Resources | None = None) -> None:
        self.app = app
        self.settings = settings
        self.topics = topics = Topics(settings.topic_prefix)
        self.resources = resources or Resources.load(settings.taxonomy_file or None, settings.incidents_file or None)

        self.fetched_topic = app.topic(topics.fetched, key_type=bytes, value_type=bytes)
        self.processed_topic = app.topic(topics.processed, key_type=bytes, value_type=bytes)
        self.route_topic = app.topic(topics.name("streams.dedup-route"), key_type=bytes, value_type=bytes)
        self.dead_topic = app.topic(topics.deadletter("streams"), key_type=bytes, value_type=bytes)

        partitions = settings.partitions
        # band key -> id of the first article holding it (partitioned by `partition_of(band)`): written by earlier
        # releases; the bands held now are derived from the signature records (`marsad.streams.dedup.band_index`)
        self.band_table = app.Table("dedup-bands", default=None, key_type=bytes, value_type=bytes,
                                    partitions=partitions)
        # "{article id}@{partition}" -> internal.Holder (signature, fetch time, bands held), in each partition it
        # claims in
        self.signature_table = app.Table("dedup-signatures", default=None, key_type=bytes, value_type=bytes,
                                         partitions=partitions)
        # "clock:{p}", "hour:{p}:{h}" -> the articles of each partition by the hour they were fetched
        # (`marsad.streams.hour_index`)
        self.expiry_table = app.Table("dedup-expiry", default=None, key_type=bytes, value_type=bytes,
                                      partitions=partitions)
        # "{home}/{batch}" -> internal.Drafts: the drafted articles of a batch, while its Trip visits the band
        # partitions (written by the process agent of partition home, deleted by its dedup agent)
        self.drafts_table = app.Table("dedup-drafts", default=None, key_type=bytes, value_type=bytes,
                                      partitions=partitions)
        self.swept: dict[int, float] = {}  # partition -> when its dedup agent last swept its drafts (wall clock)
        self.ttl_s = settings.dedup_days * DAY if settings.dedup_days > 0 else None
        # band key -> holder of each partition this worker owns: derived from `signature_table`, rebuilt after a
        # rebalance
        self.band_maps = BandMaps()

    def bands_of(self, event: EventT) -> BandView:
        """The bands of the partition ``event`` came from, as of its group generation."""
        msg = event.message
        return BandView(self.band_maps.of(msg.partition, msg.generation_id, self.signature_table), self.band_table)

    def expiry_index(self, table: MutableMapping[bytes, bytes], partition: int) -> HourIndex | None:
        """The hour index of ``partition`` over ``table``, or None when dedup keeps articles for ever."""
        return HourIndex(table, partition, self.ttl_s) if self.ttl_s else None

    async def dead_letter(self, event: EventT, reason: str, error: str, *, key: bytes | None = None,
                          payload: bytes | None = None) -> None:
        """Keep what could not be processed on the dead-letter topic, with the reason (the message, or one
        article of it: ``key`` and ``payload``)."""
        msg = event.message
        key = key if key is not None else event.key if isinstance(event.key, bytes) else None
        log.warning("dead letter from %s[%s]@%s: %s", msg.topic, msg.partition, msg.offset, reason)
        value = payload if payload is not None else event.value if isinstance(event.value, bytes) else b""
        metrics.DEAD_LETTERS.labels(stage="streams").inc()
        await self.dead_topic.send(key=key, value=encode(DeadLetter(
            stage="process", reason=reason, error=error, key=key.decode(errors="replace") if key else None,
            source_topic=msg.topic, source_partition=msg.partition, source_offset=msg.offset,
            payload=value[:65536])))

    async def kept(self, event: EventT, drafted: Drafted) -> internal.Routed | None:
        """The draft of one fetched article, or None once it is dead-lettered with the reason."""
        if drafted.failure == "processing":
            log.error("%s", drafted.trace or drafted.reason)
        if drafted.draft is None:
            await self.dead_letter(event, drafted.reason, drafted.failure)
            return None
        if drafted.fetched_at is not None:
            metrics.latency("streams", drafted.fetched_at)
        return drafted.draft

    async def set_out(self, event: EventT, drafts: list[internal.Routed]) -> None:
        """Keep the drafts of a batch at home (the partition of ``event``) and send its claims on their trip."""
        home = event.message.partition
        for chunk in route.chunks(drafts, RECORD_BYTES):
            batch = f"{chunk[0].article_id}+{len(chunk)}~{uuid.uuid4().hex[:12]}"  # unique: a batch analysed again
            record, held = route.trip(batch, home, chunk, time.time())             # is a trip of its own
            with writing_as(event):
                self.drafts_table[internal.drafts_key(home, batch)] = internal.drafts_state.encode(held)
            await self.route_topic.send(key=batch.encode(), value=internal.encode(record), partition=record.parts[0])

    async def travel(self, record: internal.Trip) -> None:
        """Send a trip on to the next partition in its list, or, back home, publish the verdicts."""
        if record.parts:
            await self.route_topic.send(key=record.batch.encode(), value=internal.encode(record),
                                        partition=record.parts[0])
            return
        key = internal.drafts_key(record.home, record.batch)
        stored = self.drafts_table.get(key)
        if stored is None:  # published already (a trip redelivered), or never kept: then its batch is analysed again
            log.info("batch %s is back at partition %d with no drafts waiting: passed over", record.batch,
                     record.home)
            return
        for done in route.verdicts(record, internal.drafts_state.decode(stored), self.settings.dedup_threshold):
            await self.publish_encoded(done.article_id, done.duplicate, done.value)
        del self.drafts_table[key]
        self.sweep(record.home)

    def sweep(self, home: int) -> None:
        """Once an hour, delete the drafts of partition ``home`` whose trip can no longer come back (older than
        the route topic keeps its records: a worker killed between keeping them and sending the trip)."""
        now = time.time()
        if now - self.swept.get(home, 0.0) < SWEEP_EVERY:
            return
        self.swept[home] = now
        for key in route.stale_drafts(list(self.drafts_table.items()), home, now - DRAFTS_KEPT):
            log.warning("drafts %s never saw their trip back: deleted", key.decode(errors="replace"))
            del self.drafts_table[key]

    async def send_route(self, record: internal.Route) -> None:
        """The release before's batches: send one on to the first partition in its list, or publish its verdicts
        if none is left."""
        if record.parts:
            await self.route_topic.send(key=record.batch.encode(), value=internal.encode(record),
                                        partition=record.parts[0])
            return
        for article in record.articles:
            await self.publish(route.verdict(article, self.settings.dedup_threshold))

    async def publish(self, article: ArticleProcessed) -> None:
        await self.publish_encoded(article.article_id, article.duplicate, encode(article))

    async def publish_encoded(self, article_id: str, dup: Duplicate, value: bytes) -> None:
        """Publish an ArticleProcessed (``value``, encoded) with its verdict ``dup``."""
        await self.processed_topic.send(key=article_id.encode(), value=value)
        metrics.article_done("streams", dup.status)
        if dup.status != "original":
            log.info("%s is a %s duplicate of %s (%.2f)", article_id, dup.status, dup.first_id, dup.similarity)

    def forgot(self, partition: int, dropped: int, index: HourIndex | None) -> None:
        """Count and log the articles expiry forgot in ``partition``."""
        if dropped and index is not None:
            metrics.DEDUP_EXPIRED.inc(dropped)
            log.info("dedup partition %d forgot %d article(s) fetched before %s", partition, dropped,
                     datetime.fromtimestamp(index.horizon(), UTC).isoformat(timespec="minutes"))

    # --- the agents ---------------------------------------------------------------------------------------
    async def process(self, stream: faust.StreamT) -> None:
        gc.freeze()  # what start-up built (vocabularies, gazetteer, Faust) lives on: no collection walks it again
        # the young generation is collected every 700 allocations by default: a trip's records (and Faust's,
        # aiokafka's) allocate thousands a batch, almost all freed by their reference counts anyway
        gc.set_threshold(*LOOP_GC_THRESHOLDS)
        # Faust holds table writes in a buffer and stops the streams to drain it past 100 messages, one message
        # at a time; a batch writes a few hundred at once: let them go out as the producer takes them.
        self.app.producer.buffer.max_messages = TABLE_WRITES_BUFFERED
        # the analysis runs in processes of its own: this event loop goes on with the Kafka clients and dedup
        async with AnalysisPool(self.settings.analyse_workers, self.resources, self.settings.partitions) as pool:
            async for events in stream.take_events(BATCH, within=WITHIN):
                drafts = []
                for event, drafted in zip(events, await pool.drafts([e.value for e in events]), strict=True):
                    draft = await self.kept(event, drafted)
                    if draft is not None:
                        drafts.append(draft)
                if drafts:
                    await self.set_out(events[0], drafts)

    async def dedup(self, stream: faust.StreamT) -> None:
        async for event in stream.events():
            try:
                record = internal.decode_route(event.value)
            except msgspec.DecodeError as e:
                await self.dead_letter(event, f"bad dedup route: {e}", "schema")
                continue
            part = event.message.partition
            staged = Staged(self.expiry_table)  # the hour index changes many times a batch: written once at the end
            index = self.expiry_index(staged, part)
            done = route.visit(self.bands_of(event), self.signature_table, record, part, index,
                               self.settings.dedup_threshold)
            for article, e in done.failed:  # never crash the agent: that would skip the message
                log.error("dedup claims of %s failed", article.article_id, exc_info=e)
                await self.dead_letter(event, f"dedup claims failed: {type(e).__name__}: {e}", "processing",
                                       key=article.article_id.encode(), payload=internal.encode(article))
            staged.commit()
            self.forgot(part, done.dropped, index)
            if isinstance(record, internal.Trip):  # goes home even with no article left, to free the drafts
                try:
                    await self.travel(route.onward(record, part, done.answered))
                except ValueError as e:  # drafts that do not read back (a schema or decode error): kept with the reason
                    log.error("the verdicts of batch %s failed", record.batch, exc_info=e)
                    await self.dead_letter(event, f"dedup verdicts failed: {type(e).__name__}: {e}", "processing")
            elif done.answered:
                await self.send_route(route.onward(record, part, done.answered))


def register(app: faust.App, settings: Settings, resources: Resources | None = None) -> WorkerAgents:
    """Declare the worker's topics and tables on ``app`` and register its agents there (``resources``: the
    vocabularies, loaded from the settings when not given)."""
    worker = WorkerAgents(app, settings, resources)
    app.agent(worker.fetched_topic, name=f"{__name__}.process")(worker.process)
    app.agent(worker.route_topic, name=f"{__name__}.dedup")(worker.dedup)
    return worker
