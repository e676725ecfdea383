"""The poller service (`marsad poll`, and `marsad produce` with the fetch built in): feeds in, events out.

`marsad poll` publishes ArticleDiscovered only (``fetch_inline=False``): the
fetcher service (``marsad.producers.fetch_service``, `marsad fetch`) consumes them.
`marsad produce` is the single-process convenience: the same loop also
fetches each new article in-process and publishes ArticleFetched or a
DeadLetter, with the same functions the fetcher uses.

A thin shell around the Kafka-free core (``marsad.producers.poller``): it decides
when to poll, remembers what was announced, and publishes. ``run_producer``
is the one orchestrating function; its docstring gives the order.

Rules it keeps:

- an article id is *seen* once its ArticleDiscovered is accepted by the
  publisher, and the seen set is rebuilt from Kafka at every start
  (``marsad.producers.recovery``), so a restart, even without the local state
  file, announces nothing twice; the state file only schedules polls;
- an entry the source marks as edited (a Telegram post) whose text was not
  announced before is announced again under the same article id as its next
  revision (``marsad.producers.revisions``), so downstream updates the article;
- every announced article ends with an ArticleFetched or a fetch dead
  letter; articles a previous run announced but did not finish are fetched
  by the next run (from a poll that finds the entry again, which supplies
  the feed's own link and text, else from the Discovered event's URL);
- one slow feed does not hold the others: feeds are polled concurrently,
  each within ``feed_deadline`` seconds; a feed past it fails with that
  reason and is backed off like any failure, and each feed's entries are
  announced as soon as its own poll ends;
- a feed that fails is logged, recorded in the state (last error, backoff,
  shown by `marsad feeds list`) and retried later; it gets no dead letter:
  it is not an article, and a feed that is down for a day would otherwise
  letter every poll;
- on SIGTERM/SIGINT nothing new starts, in-flight fetches get a grace
  period, and the publisher is closed (flushed) before exit; the summary
  counts only events the cluster acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from marsad.producers.events import discovered_event, entry_from_discovered
from marsad.producers.feeds.registry import Feed, enabled_feeds, load_registry
from marsad.producers.feeds.state import FeedState, FeedStateFile, apply_resets, is_due
from marsad.producers.fetch_service import fetch_and_publish
from marsad.producers.http import Fetcher, FetchOptions
from marsad.producers.pages.isolation import ExtractionPool, IsolationOptions, extraction_pool
from marsad.producers.poll_log import log_cycle, log_poll
from marsad.producers.poller import (
    DiscoveredEntry,
    PollOptions,
    PollOutcome,
    past_deadline,
    poll_feed,
)
from marsad.producers.recovery import Recovered, recover
from marsad.producers.shutdown import StopRequest, StopSignals, finish_or_cancel
from marsad.runtime import metrics
from marsad.runtime.health import Health
from marsad.runtime.kafka.connection import Kafka
from marsad.runtime.kafka.publish import EventPublisher, PublishError
from marsad.schemas.events import ArticleDiscovered, Event
from marsad.schemas.topics import Topics

log = logging.getLogger(__name__)

MIN_SLEEP = 1.0  # seconds between cycles at least, whatever the schedule says
MAX_SLEEP = 300.0  # and at most (a registry of slow feeds still shows a pulse in the log)
RESET_CHECK = 2.0  # seconds between two looks for a `marsad feeds reset` while sleeping
KINDS = {"ArticleDiscovered": "discovered", "ArticleFetched": "fetched", "DeadLetter": "dead letters"}

Job = tuple[DiscoveredEntry, ArticleDiscovered]  # what to fetch, and the event that announced it


@dataclass(frozen=True)
class ProducerConfig:
    """Everything the service needs, built once from the settings by the command line."""

    bootstrap: Kafka
    topic_prefix: str
    feeds_file: Path
    data_dir: Path  # where the feed state file lives
    feeds_base_url: str | None = None  # for relative URLs in the registry
    fetch: FetchOptions = field(default_factory=FetchOptions)
    poll: PollOptions = field(default_factory=PollOptions)
    raw_page_cap: int = 2 * 1024 * 1024
    fetch_workers: int = 20  # articles fetched at once (HTTP is further limited by the fetcher)
    shutdown_grace: float = 10.0
    resume_window: float = 7 * 24 * 3600.0  # seconds: see marsad.producers.recovery
    fetch_inline: bool = True  # False: announce only (`marsad poll`); `marsad fetch` fetches
    isolation: IsolationOptions = field(default_factory=IsolationOptions)  # extraction in worker processes
    poll_now: bool = False  # the first cycle polls every enabled feed, whatever its schedule or backoff
    feed_deadline: float = 30.0  # seconds one feed's poll may take (fetch and parse) before it fails


@dataclass
class ProducerReport:
    """What the cluster acknowledged, per kind, and how the run ended."""

    discovered: int = 0
    fetched: int = 0
    dead_letters: int = 0
    undelivered: int = 0  # accepted by the client but never acknowledged (should be 0)
    left_unfinished: int = 0  # announced but not fetched when the run stopped: the next run fetches them
    cycles: int = 0
    stopped_by: str | None = None  # the signal's name, when one ended the run

    def summary(self) -> str:
        return f"published {self.discovered} discovered, {self.fetched} fetched, {self.dead_letters} dead letters"


async def run_producer(config: ProducerConfig, *, once: bool, handle_signals: bool = True,
                       health: Health | None = None) -> ProducerReport:
    """Poll the registry's feeds and publish what they hold, until stopped (or one pass, with ``once``).

    Order:
    1. load the feed registry and the per-feed state (scheduling only:
       validators, backoff);
    2. recover from Kafka the article ids already announced, and the
       articles announced but never fetched (``marsad.producers.recovery``);
    3. open the fetcher and the publisher, start the fetch workers, and let
       SIGTERM/SIGINT ask for a stop;
    4. each cycle: poll the due feeds concurrently, each within
       ``feed_deadline`` seconds (one past it fails and is backed off); for each entry not seen
       before (or an edited one whose text is new), publish ArticleDiscovered, mark it seen, queue it for
       fetching; save the state after each poll; after the first cycle,
       queue the unfinished articles no poll found again;
    5. meanwhile the workers fetch and extract queued articles and publish
       ArticleFetched, or a DeadLetter with the reason;
    6. ``once``: stop when the queue is drained; otherwise sleep until the
       next feed is due (or a `marsad feeds reset` comes), and go on;
    7. stop: start nothing new, give in-flight fetches ``shutdown_grace``
       seconds, close the publisher (it flushes), save the state, log the
       summary of what Kafka acknowledged.

    ``health`` (the service's liveness and readiness) beats from the event loop
    and is ready from step 3 on.
    """
    beating = asyncio.create_task(health.beat_while_running()) if health else None
    feeds = enabled_feeds(await asyncio.to_thread(load_registry, config.feeds_file, base_url=config.feeds_base_url))
    store = FeedStateFile(config.data_dir)
    states = await store.aload()
    log.info("%d enabled feed(s) from %s; state of %d in %s", len(feeds), config.feeds_file, len(states), store.path)

    topics = Topics(config.topic_prefix)
    recovered = await asyncio.to_thread(recover, config.bootstrap, topics, window_seconds=config.resume_window,
                                        with_unfinished=config.fetch_inline)
    log.info(
        "recovered from Kafka in %.1f s: %d article(s) announced before, %d of them never fetched%s",
        recovered.elapsed, len(recovered.seen), len(recovered.unfinished),
        f" ({recovered.malformed} malformed message(s) skipped)" if recovered.malformed else "",
    )

    client_id = "marsad-producer" if config.fetch_inline else "marsad-poller"
    publisher = await asyncio.to_thread(EventPublisher, config.bootstrap, client_id=client_id)
    try:
        await asyncio.to_thread(publisher.prepare, [topics.discovered, topics.fetched, topics.deadletter("producers")])
        isolation = config.isolation if config.fetch_inline else IsolationOptions()  # polling extracts nothing
        async with Fetcher(config.fetch) as fetcher, extraction_pool(isolation) as pool:
            service = _Service(config, topics, feeds, states, store, recovered, publisher, fetcher, pool)
            if health:
                health.ready()
            with StopSignals(service.request_stop, enabled=handle_signals):
                await service.run(once=once)
    finally:
        if health:
            health.not_ready("stopping")
        await asyncio.to_thread(publisher.close)
        await store.asave(states)
        if beating:
            beating.cancel()
    report = service.report()
    if report.left_unfinished:
        log.info("%d announced article(s) not fetched yet: the next run fetches them", report.left_unfinished)
    if report.undelivered:
        log.error("%d event(s) accepted but not acknowledged by Kafka", report.undelivered)
    log.info("%s", report.summary())
    return report


class _Service:
    """The running service's state: one instance per ``run_producer`` call, never shared."""

    def __init__(
        self,
        config: ProducerConfig,
        topics: Topics,
        feeds: list[Feed],
        states: dict[str, FeedState],
        store: FeedStateFile,
        recovered: Recovered,
        publisher: EventPublisher,
        fetcher: Fetcher,
        pool: ExtractionPool | None = None,
    ) -> None:
        self.config = config
        self.topics = topics
        self.feeds = feeds
        self.states = states
        self.saver = _StateSaver(store, states)
        self.seen = recovered.seen
        self.revisions = recovered.revisions
        self.unfinished = dict(recovered.unfinished)
        self.publisher = publisher
        self.fetcher = fetcher
        self.pool = pool
        self.queue: asyncio.Queue[Job] = asyncio.Queue()
        self.request_stop = StopRequest(config.shutdown_grace)  # what SIGTERM/SIGINT call
        self.stop, self.hurry = self.request_stop.stop, self.request_stop.hurry
        self.accepted: Counter[str] = Counter()
        self.delivered: Counter[str] = Counter()  # incremented by the Kafka client's thread only
        self.cycles = 0
        self.open_jobs = 0  # queued or in flight: announced, no Fetched or dead letter accepted yet
        self._idle: set[asyncio.Task[None]] = set()

    # -- the loop ------------------------------------------------------------------------------------------
    async def run(self, *, once: bool) -> None:
        count = self.config.fetch_workers if self.config.fetch_inline else 0
        workers = [asyncio.create_task(self._fetch_worker()) for _ in range(count)]
        first = True
        try:
            while not self.stop.is_set():
                await self._take_resets()
                now = datetime.now(UTC)
                due = [feed for feed in self.feeds if (first and self.config.poll_now)
                       or is_due(self.states.get(feed.id), now)]
                first = False
                if due:  # polls in flight when a stop comes get the grace period, like fetches
                    await self._unless_stopped(self._cycle(due), grace=True)
                elif once:
                    log.info("no feed is due yet (`marsad feeds list` shows when each one is)")
                if self.unfinished:
                    self._resume_unfinished()
                if once:  # queued articles not started when a stop comes are left for the next run
                    await self._unless_stopped(self.queue.join(), grace=False)
                    break
                await self._sleep_until_due()
        finally:
            await self._stop_workers(workers)

    async def _cycle(self, due: list[Feed]) -> None:
        started = time.monotonic()
        self.cycles += 1
        outcomes = await asyncio.gather(*(self._poll(feed) for feed in due))
        log_cycle(
            self.cycles, time.monotonic() - started, Counter(outcome.status for outcome, _, _ in outcomes),
            sum(new for _, new, _ in outcomes), sum(known for _, _, known in outcomes), self.queue.qsize(),
            self.accepted,
        )

    async def _poll(self, feed: Feed) -> tuple[PollOutcome, int, int]:
        state, deadline = self.states.get(feed.id), self.config.feed_deadline
        try:
            async with asyncio.timeout(deadline):  # a poll never raises TimeoutError itself: only the deadline does
                outcome = await poll_feed(feed, state, self.fetcher, self.config.poll)
        except TimeoutError:
            outcome = past_deadline(feed, state, deadline, self.config.poll)
        self.states[feed.id] = outcome.state
        metrics.FEEDS_POLLED.inc()
        if outcome.status == "failed":
            metrics.FEEDS_FAILED.inc()
        new, known, resumed, revised = self._announce(outcome.entries)
        log_poll(feed, outcome, new, known, resumed, revised)
        await self.saver.save()
        return outcome, new, known

    def _announce(self, entries: list[DiscoveredEntry]) -> tuple[int, int, int, int]:
        """Publish ArticleDiscovered for unseen entries, and for edited ones whose text is new, and queue
        them; returns (new, known, resumed, revised)."""
        new = known = resumed = revised = 0
        for entry in entries:
            earlier = self.unfinished.pop(entry.article_id, None)
            if earlier is not None:  # announced by an earlier run, never fetched: fetch it from this entry
                if entry.edited:  # its text now is what gets fetched: not to be announced again
                    self.revisions.record(entry.article_id, entry.content_text or "", earlier.revision)
                self._queue(entry, earlier)
                resumed += 1
            elif entry.article_id not in self.seen:
                new += self._announce_one(entry)
            elif entry.edited and (revision := self.revisions.next_revision(
                    entry.article_id, entry.content_text or "")) is not None:
                revised += self._announce_one(msgspec.structs.replace(entry, revision=revision))
            else:
                known += 1
        return new, known, resumed, revised

    def _announce_one(self, entry: DiscoveredEntry) -> bool:
        """Publish the entry's ArticleDiscovered, mark it seen (its text too, when edited) and queue it."""
        event = discovered_event(entry)
        try:
            self._publish(self.topics.discovered, entry.article_id, event)
        except PublishError as exc:  # not seen, so the next poll tries again
            log.error("article %s (%s): not announced: %s", entry.article_id, entry.url, exc)
            return False
        self.seen.add(entry.article_id)
        if entry.edited:
            self.revisions.record(entry.article_id, entry.content_text or "", entry.revision)
        if entry.revision > 1:
            log.info("article %s (%s): edited at the source, announced again as revision %d",
                     entry.article_id, entry.url, entry.revision)
        self._queue(entry, event)
        return True

    def _resume_unfinished(self) -> None:
        log.info("fetching %d article(s) announced by an earlier run but never fetched", len(self.unfinished))
        for event in self.unfinished.values():
            self._queue(entry_from_discovered(event), event)
        self.unfinished.clear()

    def _queue(self, entry: DiscoveredEntry, cause: ArticleDiscovered) -> None:
        if not self.config.fetch_inline:  # the fetcher service reads the Discovered event from Kafka
            return
        self.open_jobs += 1
        self.queue.put_nowait((entry, cause))

    async def _take_resets(self) -> bool:
        """Apply a `marsad feeds reset` asked for since the last look; True when one was."""
        ids = await asyncio.to_thread(self.saver.store.take_resets)
        if not ids:
            return False
        cleared = apply_resets(self.states, ids)
        log.info("feeds reset: %s cleared of errors and backoff, due now", ", ".join(cleared) or "none known")
        await self.saver.save()
        return True

    async def _sleep_until_due(self) -> None:
        """Sleep until the next feed is due, a stop, or a reset request (looked for every few seconds)."""
        now = datetime.now(UTC)
        upcoming = [s.next_poll if (s := self.states.get(f.id)) and s.next_poll else now for f in self.feeds]
        delay = min(((t - now).total_seconds() for t in upcoming), default=MAX_SLEEP)
        deadline = time.monotonic() + min(MAX_SLEEP, max(MIN_SLEEP, delay))
        if not self.feeds:
            log.warning("no enabled feed in %s: nothing to poll", self.config.feeds_file)
        while (left := deadline - time.monotonic()) > 0 and not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=min(left, RESET_CHECK))
            if await asyncio.to_thread(self.saver.store.reset_path.exists):
                return  # the loop takes the reset and polls the cleared feeds

    # -- fetching ------------------------------------------------------------------------------------------
    async def _fetch_worker(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        while not self.stop.is_set():
            self._idle.add(task)
            try:
                job = await self.queue.get()
            finally:
                self._idle.discard(task)
            try:
                await self._fetch(*job)
            except Exception:  # a bug costs one article (left unfinished for the next run), not the worker
                log.exception("article %s: fetch failed unexpectedly", job[0].article_id)
            finally:
                self.queue.task_done()

    async def _fetch(self, entry: DiscoveredEntry, cause: ArticleDiscovered) -> None:
        if await fetch_and_publish(entry, cause, self.fetcher, self.config.poll, self.config.raw_page_cap,
                                   self.topics, self._publish, pool=self.pool):
            self.open_jobs -= 1

    def _publish(self, topic: str, key: str, event: Event) -> None:
        kind = KINDS[type(event).__name__]

        def delivered(_event: Event) -> None:  # in the Kafka client's thread
            self.delivered.update((kind,))
            metrics.produced(type(event).__name__)

        self.publisher.publish(topic, key, event, on_delivered=delivered)
        self.accepted[kind] += 1

    # -- stopping ------------------------------------------------------------------------------------------
    async def _unless_stopped(self, work: Awaitable[object], *, grace: bool) -> None:
        """Await ``work``; on a stop request cancel it, after the grace period when ``grace``."""
        task = asyncio.ensure_future(work)
        stopped = asyncio.create_task(self.stop.wait())
        try:
            await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
        if not task.done():
            if grace:
                await finish_or_cancel({task}, grace=self.config.shutdown_grace, cut=self.hurry)
            else:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        elif not task.cancelled() and (error := task.exception()) is not None:
            raise error

    async def _stop_workers(self, workers: list[asyncio.Task[None]]) -> None:
        self.stop.set()
        idle = set(self._idle)
        for task in idle:
            task.cancel()
        busy = {task for task in workers if task not in idle and not task.done()}
        if busy:
            log.info("waiting for %d in-flight fetch(es)", len(busy))
            await finish_or_cancel(busy, grace=self.config.shutdown_grace, cut=self.hurry)
        await asyncio.gather(*workers, return_exceptions=True)

    def report(self) -> ProducerReport:
        """Call after the publisher is closed: the delivered counts are final then."""
        return ProducerReport(
            discovered=self.delivered["discovered"],
            fetched=self.delivered["fetched"],
            dead_letters=self.delivered["dead letters"],
            undelivered=self.publisher.failed,
            left_unfinished=self.open_jobs + len(self.unfinished),
            cycles=self.cycles,
            stopped_by=self.request_stop.by,
        )


class _StateSaver:
    """Saves the feed state after each poll, coalescing saves asked for while one is being written."""

    def __init__(self, store: FeedStateFile, states: dict[str, FeedState]) -> None:
        self.store = store
        self.states = states
        self._dirty = False
        self._lock = asyncio.Lock()

    async def save(self) -> None:
        self._dirty = True
        if self._lock.locked():
            return  # the save in progress writes again once it is done, with this poll's state
        async with self._lock:
            while self._dirty:
                self._dirty = False
                await self.store.asave(self.states)
