"""`marsad alerts deliver`: alert events from Kafka to webhooks and sinks, at least once.

    read the alerts topic as consumer group "{prefix}-alerts-deliver" (AlertRaised and AlertUpdated)
    each message: decode (poison -> deadletter.consumers); the targets that want it get it
        on one of their lanes, chosen by alert id (one alert's events stay in order per target)
    each lane: skip what the ledger says is settled; send (with retries);
        accepted -> ledger; failed -> DeadLetter with the endpoint and last status on
        deadletter.consumers, then ledger
    every second: commit, per partition, the oldest offset some target still owes
    too many messages owed (a dead endpoint): stop fetching until they drain
    SIGTERM: stop reading; what is queued or in flight gets the grace period; commit what is done

Each target has its own lanes, connection pool and retries, so a slow or
dead endpoint only ever holds up itself. Offsets wait for every target, so
nothing is lost; the ledger keeps a restart from posting again what was
accepted before the offsets caught up.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import signal
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError

from consumers.alerts.ledger import Ledger
from consumers.alerts.signing import idempotency_key
from consumers.alerts.targets import Delivery, Outcome, Target
from deploy.services import metrics
from deploy.services.offsets import Tracker
from schemas.codec import SchemaError, decode, encode
from schemas.events import AlertRaised, AlertUpdated, DeadLetter
from schemas.topics import Topics

log = logging.getLogger("consumers.alerts")

STAGE = "deliver"
MAX_PAYLOAD = 65536


@dataclass(frozen=True)
class Job:
    tp: TopicPartition
    offset: int
    msg_key: bytes | None
    delivery: Delivery


@dataclass
class DeliverTotals:
    """What a run did, counted per target delivery (a message to two endpoints counts twice)."""

    messages: int = 0
    delivered: int = 0
    skipped: int = 0  # settled before (the ledger), not posted again
    dead: int = 0
    poison: int = 0
    by_target: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (f"{self.messages} messages read, {self.delivered} deliveries accepted, {self.skipped} skipped "
                f"(delivered before), {self.dead} dead-lettered, {self.poison} poison")


@dataclass(frozen=True)
class DeliverConfig:
    group: str
    grace: float = 10.0  # seconds queued and in-flight deliveries get on stop
    max_pending: int = 1000  # messages owed before fetching pauses
    commit_every: float = 1.0


class Deliverer:
    """The service (see the module docstring); `run` until ``stop`` is set."""

    def __init__(self, bootstrap: str, topics: Topics, targets: Sequence[Target], ledger: Ledger,
                 config: DeliverConfig) -> None:
        self.bootstrap = bootstrap
        self.topics = topics
        self.targets = list(targets)
        self.ledger = ledger
        self.config = config
        self.tracker = Tracker()
        self.totals = DeliverTotals()
        self._committed: dict[TopicPartition, int] = {}
        self._progress = asyncio.Event()
        self._lanes = {t.name: [asyncio.Queue[Job]() for _ in range(t.concurrency)] for t in self.targets}
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=config.group, client_id="marsad-alerts-deliver",
            enable_auto_commit=False, auto_offset_reset="earliest", isolation_level="read_committed")
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap, client_id="marsad-alerts-deliver",
                                          acks="all", enable_idempotence=True)

    async def run(self, stop: asyncio.Event) -> DeliverTotals:
        """1. start the clients and lanes  2. read and dispatch until stop  3. drain, commit, close."""
        await self._producer.start()
        workers: list[asyncio.Task] = []
        try:
            await self._consumer.start()
            self._consumer.subscribe([self.topics.alerts], listener=_Rebalance(self))
            workers = [asyncio.create_task(self._lane(t, q), name=f"lane {t.name}")
                       for t in self.targets for q in self._lanes[t.name]]
            workers.append(asyncio.create_task(self._commit_loop(), name="commit"))
            log.info("delivering %s to %s (group %s)", self.topics.alerts,
                     ", ".join(t.name for t in self.targets), self.config.group)
            while not stop.is_set():
                self._throttle()
                batch = await self._consumer.getmany(timeout_ms=200, max_records=500)
                for records in batch.values():
                    for msg in records:
                        await self._dispatch(msg)
            await self._drain()
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            with contextlib.suppress(KafkaError):
                await self._commit()
            await self._consumer.stop()
            await self._producer.stop()
            for t in self.targets:
                await t.close()
        log.info("deliver: stopped: %s", self.totals.summary())
        return self.totals

    # -- reading -----------------------------------------------------------------
    def _throttle(self) -> None:
        """Pause fetching while too much is owed (a dead endpoint); resume once half of it drained."""
        owed = self.tracker.pending()
        if owed >= self.config.max_pending:
            if not self._consumer.paused():
                log.warning("deliver: %d messages owed to endpoints; pausing reads until they drain", owed)
            self._consumer.pause(*self._consumer.assignment())
        elif self._consumer.paused() and owed < self.config.max_pending // 2:
            self._consumer.resume(*self._consumer.paused())

    async def _dispatch(self, msg) -> None:
        self.totals.messages += 1
        tp = TopicPartition(msg.topic, msg.partition)
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
            self.tracker.add(tp, msg.offset, ())
            return
        delivery = Delivery(event, encode(event), idempotency_key(event))
        targets = [t for t in self.targets if t.wants(event)]
        self.tracker.add(tp, msg.offset, [t.name for t in targets])
        lane = zlib.crc32(event.alert_id.encode())
        for t in targets:
            queues = self._lanes[t.name]
            queues[lane % len(queues)].put_nowait(Job(tp, msg.offset, msg.key, delivery))

    # -- delivering ----------------------------------------------------------------
    async def _lane(self, target: Target, queue: asyncio.Queue[Job]) -> None:
        while True:
            job = await queue.get()
            try:
                await self._deliver(target, job)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug, not an endpoint's failure: keep it owed (retried after a restart)
                log.exception("%s: delivering %s failed; it stays uncommitted", target.name, job.delivery.key)

    async def _deliver(self, target: Target, job: Job) -> None:
        d = job.delivery
        if (target.name, d.key) in self.ledger:
            log.info("%s: %s %s was delivered before; not posted again", target.name, d.event_type, d.key)
            self.totals.skipped += 1
        else:
            outcome = await target.send(d)
            if outcome.accepted:
                await self.ledger.record(target.name, d.key, "accepted")
                log.info("%s: delivered %s %s (%s, try %d)", target.name, d.event_type, d.key,
                         f"HTTP {outcome.status}" if outcome.status else "written", outcome.attempts)
                self.totals.delivered += 1
                metrics.ALERTS_DELIVERED.labels(endpoint=target.name).inc()
                metrics.event_seen()
                self.totals.by_target[target.name] = self.totals.by_target.get(target.name, 0) + 1
            else:
                await self._dead_letter(target, job, outcome)
                await self.ledger.record(target.name, d.key, "dead")
                self.totals.dead += 1
                metrics.ALERTS_FAILED.labels(endpoint=target.name).inc()
        self.tracker.done(job.tp, job.offset, target.name)
        self._progress.set()

    async def _dead_letter(self, target: Target, job: Job, outcome: Outcome) -> None:
        d = job.delivery
        how = "refused" if outcome.final else f"failed {outcome.attempts} tries"
        reason = f"endpoint {target.name}: {how}; last: {outcome.error}"
        log.error("%s: %s %s dead-lettered: %s", target.name, d.event_type, d.key, reason)
        url = getattr(getattr(target, "endpoint", None), "safe_url", "")
        await self._publish_dead(DeadLetter(
            event_id=_dead_id(target.name, job.tp.topic, job.tp.partition, job.offset), stage=STAGE,
            reason=reason, error=f"http_{outcome.status}" if outcome.status else "unreachable",
            key=_text(job.msg_key), url=url, source_topic=job.tp.topic, source_partition=job.tp.partition,
            source_offset=job.offset, payload=d.body[:MAX_PAYLOAD]))

    async def _publish_dead(self, letter: DeadLetter) -> None:
        """Put a dead letter on the log, trying until the broker has it (or the service is stopped)."""
        delay = 0.5
        while True:
            try:
                await self._producer.send_and_wait(self.topics.deadletter("consumers"), encode(letter),
                                                   key=letter.key.encode() if letter.key else None)
                return
            except KafkaError as e:
                log.error("cannot publish a dead letter (%s); again in %.1fs", e, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    # -- committing and stopping ----------------------------------------------------
    async def _commit_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.commit_every)
            try:
                await self._commit()
            except KafkaError as e:  # e.g. during a rebalance: the next round commits
                log.warning("deliver: commit failed (%s); trying again", e)

    async def _commit(self, only: set[TopicPartition] | None = None) -> None:
        offsets = {tp: o for tp, o in self.tracker.committable().items()
                   if self._committed.get(tp) != o and (only is None or tp in only)}
        if offsets:
            await self._consumer.commit(offsets)
            self._committed.update(offsets)

    async def _drain(self) -> None:
        """Give queued and in-flight deliveries the grace period, then leave the rest uncommitted."""
        owed = self.tracker.pending()
        if not owed:
            return
        log.info("deliver: stopping; %d messages still owed get %.0fs", owed, self.config.grace)
        try:
            async with asyncio.timeout(self.config.grace):
                while self.tracker.pending():
                    self._progress.clear()
                    await self._progress.wait()
        except TimeoutError:
            log.warning("deliver: %d messages not settled in the grace period; they stay uncommitted and are "
                        "delivered after the next start", self.tracker.pending())


class _Rebalance(ConsumerRebalanceListener):
    """Commit what is settled on partitions taken away; forget their outstanding messages."""

    def __init__(self, deliverer: Deliverer) -> None:
        self.d = deliverer

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        with contextlib.suppress(KafkaError):
            await self.d._commit(only=set(revoked))
        for tp in revoked:
            self.d.tracker.forget(tp)
            self.d._committed.pop(tp, None)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
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


async def run_deliver(bootstrap: str, topics: Topics, targets: Sequence[Target], ledger: Ledger,
                      config: DeliverConfig, stop: asyncio.Event) -> DeliverTotals:
    """Deliver alert events until ``stop`` is set; return what was done."""
    return await Deliverer(bootstrap, topics, targets, ledger, config).run(stop)
