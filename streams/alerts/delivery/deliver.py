"""`marsad alerts deliver`: alert events from Kafka to webhooks and sinks, durably, each target at its own pace.

    start one `Sender` per target first: what the ledger's outbox still owes goes out at once
    read the alerts topic as consumer group "{prefix}-alerts-deliver" (AlertRaised and AlertUpdated)
    each batch: decode (poison -> deadletter.consumers); each event, for each target that wants it and has
        neither settled nor queued its idempotency key: a row in the outbox; all in one transaction
    then commit the batch's offsets, and wake the senders
    each sender: due rows, one try each; accepted / retried on schedule / dead-lettered (see `sender`)
    SIGTERM: stop reading; deliveries in flight get the grace period; what is still owed stays in the outbox

The reading, the offsets and the group are `marsad.runtime.kafka.consume`'s loop
(the fetcher's too): a record is owed until its batch is in the outbox, and
the loop commits after every batch.

Why the outbox (the ledger's SQLite file) and not the Kafka offsets: an
endpoint may be down for hours, and offsets held back for it would hold back
every other endpoint too (the partition is read once for all), or make
everything read since the outage be read, and filtered, again after each
restart. Once a batch is in the outbox (``synchronous=FULL``), Kafka has
nothing more to keep for us: the offsets move on, and a kill -9 loses
nothing but the answer to a post in flight (that post is sent again: at
least once, with the same idempotency key).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import signal
from collections.abc import Sequence
from dataclasses import dataclass, field

from kafka import TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from marsad.runtime import metrics
from marsad.runtime.health import NO_PROGRESS_AFTER, Health
from marsad.runtime.kafka.connection import Kafka
from marsad.runtime.kafka.consume import GroupOptions, GroupReader
from marsad.runtime.kafka.publish import EventPublisher, PublishError
from marsad.schemas.codec import SchemaError, decode, encode
from marsad.schemas.events import AlertRaised, AlertUpdated, DeadLetter
from marsad.schemas.topics import Topics
from marsad.streams.alerts.delivery.ledger import Due, Ledger, Owed
from marsad.streams.alerts.delivery.schedule import RetrySchedule
from marsad.streams.alerts.delivery.sender import Sender, SendTotals
from marsad.streams.alerts.delivery.signing import idempotency_key
from marsad.streams.alerts.delivery.targets import Taker, Target

log = logging.getLogger("marsad.streams.alerts.delivery")

STAGE = "deliver"
MAX_PAYLOAD = 65536


@dataclass
class DeliverTotals:
    """What a run did, counted per target delivery (a message to two endpoints counts twice)."""

    messages: int = 0
    queued: int = 0
    skipped: int = 0  # settled or queued before (read again), not queued again
    poison: int = 0
    sent: SendTotals = field(default_factory=SendTotals)

    @property
    def delivered(self) -> int:
        return self.sent.delivered

    @property
    def dead(self) -> int:
        return self.sent.dead

    @property
    def by_target(self) -> dict[str, int]:
        return self.sent.by_target

    def summary(self) -> str:
        return (f"{self.messages} messages read, {self.queued} deliveries queued, {self.sent.delivered} accepted, "
                f"{self.sent.retried} tries failed and rescheduled, {self.sent.dead} dead-lettered, "
                f"{self.skipped} skipped (settled or queued before), {self.poison} poison")


@dataclass(frozen=True)
class DeliverConfig:
    group: str
    grace: float = 10.0  # seconds the deliveries in flight get on stop
    schedule: RetrySchedule = field(default_factory=RetrySchedule)
    poll: float = 1.0  # seconds between looks at the outbox when nothing wakes a sender
    instance_id: str | None = None  # static group membership: a restart takes its partitions back at once
    stall_after: float = NO_PROGRESS_AFTER  # seconds behind without progress (or without partitions): not ready


class Deliverer:
    """The service (see the module docstring); `run` until ``stop`` is set."""

    def __init__(self, bootstrap: Kafka, topics: Topics, targets: Sequence[Target], ledger: Ledger,
                 config: DeliverConfig, health: Health | None = None) -> None:
        self.topics = topics
        self.health = health
        self.targets = list(targets)
        self.ledger = ledger
        self.config = config
        self.totals = DeliverTotals()
        self.senders = [Sender(t, ledger, config.schedule, self._dead_letter, self.totals.sent, poll=config.poll)
                        for t in self.targets]
        self._bootstrap = bootstrap
        self._reader: GroupReader | None = None  # opened by `run` (it connects)
        self._publisher: EventPublisher | None = None  # the dead letters' (`marsad.runtime.kafka.publish`), opened by `run`

    async def run(self, stop: asyncio.Event) -> DeliverTotals:
        """1. the senders (owed work first)  2. read, queue, commit until stop  3. drain the senders, close."""
        self.ledger.claim()
        self._publisher = await asyncio.to_thread(EventPublisher, self._bootstrap, client_id="marsad-alerts-deliver")
        tasks = [asyncio.create_task(s.run(), name=f"sender {s.target.name}") for s in self.senders]
        tasks.append(asyncio.create_task(self._report(), name="queue report"))
        try:
            self._reader = await asyncio.to_thread(
                GroupReader, self._bootstrap, GroupOptions(
                    topic=self.topics.alerts, group=self.config.group, client_id="marsad-alerts-deliver",
                    max_records=500, commit_interval=0, stall_after=self.config.stall_after,
                    instance_id=self.config.instance_id, isolation_level="read_committed"),
                health=self.health, on_assigned=_log_reading)
            log.info("delivering %s to %s (group %s); failed deliveries are retried: %s", self.topics.alerts,
                     ", ".join(t.name for t in self.targets), self.config.group, self.config.schedule.describe())
            await self._reader.run(self._take, stop, progress=lambda: self.totals.messages)
            cut = sum(await asyncio.gather(*(s.drain(self.config.grace) for s in self.senders)))
            if cut:
                log.warning("deliver: %d deliveries in flight cut off after the grace period; they stay queued", cut)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self._reader is not None:
                await self._reader.close()
            await asyncio.to_thread(self._publisher.close)
            for t in self.targets:
                await t.close()
        owed = {t.name: n for t in self.targets if (n := await asyncio.to_thread(self.ledger.owed, t.name))}
        if owed:
            log.info("deliver: still owed, kept in %s for the next start: %s", self.ledger.path,
                     ", ".join(f"{name} {n}" for name, n in owed.items()))
        log.info("deliver: stopped: %s", self.totals.summary())
        return self.totals

    async def _report(self, every: float = 5.0) -> None:
        """The queue per endpoint as metrics; and a warning, once, for rows owed to endpoints no longer
        configured (kept: put the endpoint back, or `marsad alerts deliveries` shows them)."""
        names = {t.name for t in self.targets}
        warned = False
        while True:
            try:
                status = await asyncio.to_thread(self.ledger.queued)
            except Exception:  # metrics only; the senders report real trouble
                status = {}
            for name in names:
                s = status.get(name)
                metrics.ALERT_DELIVERIES_QUEUED.labels(endpoint=name, state="pending").set(s.pending if s else 0)
                metrics.ALERT_DELIVERIES_QUEUED.labels(endpoint=name, state="retrying").set(s.retrying if s else 0)
            orphans = {n: s.pending + s.retrying for n, s in status.items() if n not in names and s.pending + s.retrying}
            if orphans and not warned:
                log.warning("deliver: %s holds deliveries for endpoints not configured now: %s (kept until they are)",
                            self.ledger.path, ", ".join(f"{n} {c}" for n, c in orphans.items()))
                warned = True
            await asyncio.sleep(every)

    async def _take(self, records: list[ConsumerRecord]) -> None:
        """Queue a batch in the outbox (one transaction): then it is settled (the loop commits it); wake the
        senders. Read again after a crash before the commit, the ledger queues nothing twice."""
        assert self._reader is not None
        rows: list[Owed] = []
        for msg in records:
            rows += await self._rows(msg)
        queued = await self.ledger.aenqueue(rows)
        self.totals.queued += queued
        self.totals.skipped += len(rows) - queued
        for msg in records:
            self._reader.done(msg)
        wanted = {r.target for r in rows}
        for s in self.senders:
            if s.target.name in wanted:
                s.woken.set()

    async def _rows(self, msg: ConsumerRecord) -> list[Owed]:
        """The outbox rows of one message (one per target that wants it); poison goes to the dead letters."""
        self.totals.messages += 1
        try:
            event = decode(msg.value)
            if not isinstance(event, AlertRaised | AlertUpdated):
                raise SchemaError("unknown_type", f"expected AlertRaised or AlertUpdated, got {type(event).__name__}")
        except SchemaError as e:
            log.warning("dead letter %s:%d:%d: %s", msg.topic, msg.partition, msg.offset, e)
            await self._publish_dead(DeadLetter(
                event_id=_dead_id("poison", msg.topic, msg.partition, msg.offset), stage=STAGE, reason=str(e),
                error="schema", key=_text(msg.key), source_topic=msg.topic, source_partition=msg.partition,
                source_offset=msg.offset, payload=(msg.value or b"")[:MAX_PAYLOAD]))
            self.totals.poison += 1
            return []
        return owed_rows(event, [t for t in self.targets if t.wants(event)], msg.topic, msg.partition, msg.offset,
                         _text(msg.key))

    async def _dead_letter(self, target: Target, row: Due, reason: str, error: str) -> None:
        o = row.owed
        url = getattr(getattr(target, "endpoint", None), "safe_url", "")
        await self._publish_dead(DeadLetter(
            event_id=_dead_id(f"{target.name}:{row.seq}", o.topic, o.partition, o.offset), stage=STAGE,
            reason=reason, error=error, key=o.msg_key, url=url, source_topic=o.topic, source_partition=o.partition,
            source_offset=o.offset, payload=o.body[:MAX_PAYLOAD]))

    async def _publish_dead(self, letter: DeadLetter) -> None:
        """Put a dead letter on the log, trying until the broker has it (or the service is stopped)."""
        assert self._publisher is not None
        delay = 0.5
        while True:
            try:
                await self._publisher.publish_and_wait(self.topics.deadletter("consumers"), letter.key, letter)
                return
            except PublishError as e:
                log.error("cannot publish a dead letter (%s); again in %.1fs", e, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)


def owed_rows(event: AlertRaised | AlertUpdated, targets: Sequence[Taker], topic: str, partition: int, offset: int,
              msg_key: str | None) -> list[Owed]:
    """``event`` as one outbox row per target (the live reader and `marsad alerts redeliver` alike)."""
    body, key, kind = encode(event), idempotency_key(event), type(event).type_name()
    return [Owed(t.name, key, event.alert_id, kind, body, msg_key, topic, partition, offset) for t in targets]


def _log_reading(assigned: set[TopicPartition], _again: dict[TopicPartition, int]) -> None:
    """Nothing is owed per partition across a rebalance (a batch is queued and committed before the next is
    read): only log."""
    log.info("deliver: reading %s", ", ".join(f"{tp.topic}[{tp.partition}]" for tp in sorted(assigned)))


def _dead_id(target: str, topic: str, partition: int, offset: int) -> str:
    """Deterministic, so a dead letter published again after a restart is recognisably the same one."""
    return hashlib.blake2b(f"deliver:{target}:{topic}:{partition}:{offset}".encode(), digest_size=16).hexdigest()


def _text(key: bytes | None) -> str | None:
    return key.decode(errors="replace") if key else None


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT set ``stop`` (call inside the running loop)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)


async def run_deliver(bootstrap: Kafka, topics: Topics, targets: Sequence[Target], ledger: Ledger,
                      config: DeliverConfig, stop: asyncio.Event, health: Health | None = None) -> DeliverTotals:
    """Deliver alert events until ``stop`` is set; return what was done. ``health``, when given, is
    ready only while the delivery holds partitions and makes progress (`marsad.runtime.health`)."""
    return await Deliverer(bootstrap, topics, targets, ledger, config, health).run(stop)
