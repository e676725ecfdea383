"""One consumer-group loop for the services that settle records after reading them: read -> work -> commit.

    subscribe to the topic in the group (a static member when given an instance id)
    on assignment: start at the committed offset, and hand again the records the commit's
        metadata names as still owed (`marsad.runtime.offsets.commit_point`); skip the others below it
    until stopped: read at most ``capacity()`` records (the partitions are paused at 0, so the
        membership stays), give the new ones to the work (``take``), which calls `done` for each
        once its outcome is settled, from any thread
    every ``commit_interval`` seconds (0: after every batch) commit each partition's commit point:
        past every record read, the ones still owed named in the metadata
    on revocation: commit the revoked partitions' points, then forget them
    health: ready while partitions are held and, when behind, the work moves; held none for
        ``stall_after`` seconds: leave and join the group again
    close: commit, leave the group (a static member's partitions wait for it until its session ends)

Two services use it: the fetcher (a record is owed until its ArticleFetched
or dead letter is acknowledged by Kafka, minutes for a slow page, many at
once and out of order) and the alert delivery (a record is owed until it is
queued in the ledger's outbox, the whole batch in one transaction).

Why kafka-python for both, and not aiokafka: its heartbeats come from the
client's own thread, so a busy event loop (the fetcher's decoding and
extraction hand-offs, the delivery's SQLite writes and signing) cannot cost
the group membership; its 3.0 rebalance listener can be async, so the
revoked partitions are committed with their metadata and the assigned
partitions' metadata is read back inside the rebalance, before any record of
theirs is read; and it has what the delivery needs (static membership,
read_committed). The rest of marsad's plumbing outside Faust (the publisher,
the readers, the lag probe) is kafka-python too. Blocking calls run in
threads (``asyncio.to_thread``), never on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from kafka import AsyncConsumerRebalanceListener, KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from marsad.runtime import metrics
from marsad.runtime.health import NO_PROGRESS_AFTER, Health, ProgressWatch
from marsad.runtime.kafka.connection import Kafka, kafka_python_options
from marsad.runtime.offsets import Tracker, commit_point, in_flight_of

log = logging.getLogger(__name__)

POLL_MS = 200  # longest wait for records in one read (also how soon a stop request is seen)
LAG_EVERY = 5.0  # seconds between measures of the lag (the gauge, readiness)
LAG_TIMEOUT_MS = 10_000  # longest wait for the end offsets (the loop reads nothing meanwhile)
# A member that dies is replaced in the group after this long (kafka-python's default is 45 s); the heartbeats
# come from the client's own thread, so a busy event loop does not trip it.
SESSION_TIMEOUT_MS = 10_000
OWED = "work"  # the one target each record is owed to (`marsad.runtime.offsets.Tracker`)


@dataclass(frozen=True)
class GroupOptions:
    """Where and how a service reads."""

    topic: str
    group: str
    client_id: str
    max_records: int = 500  # records read at once at most (the work's `capacity` may ask for fewer)
    commit_interval: float = 1.0  # seconds between commits; 0: after every batch
    stall_after: float = NO_PROGRESS_AFTER  # seconds behind without progress (or without partitions): not ready
    instance_id: str | None = None  # static membership: a restart takes its partitions back at once
    isolation_level: str = "read_uncommitted"


Assigned = Callable[[set[TopicPartition], dict[TopicPartition, int]], None]


class GroupReader:
    """The consumer, its offsets and its health (see the module docstring). Build it in a thread: it connects."""

    def __init__(self, bootstrap: Kafka, options: GroupOptions, *, health: Health | None = None,
                 on_assigned: Assigned | None = None) -> None:
        self.options = options
        self.health = health
        self.on_assigned = on_assigned or _log_assigned
        self.consumer = KafkaConsumer(
            **kafka_python_options(bootstrap), group_id=options.group, group_instance_id=options.instance_id,
            client_id=options.client_id, enable_auto_commit=False, auto_offset_reset="earliest",
            max_poll_records=options.max_records, session_timeout_ms=SESSION_TIMEOUT_MS,
            isolation_level=options.isolation_level)
        self.tracker = Tracker()
        self.committed: dict[TopicPartition, tuple[int, str]] = {}  # offset and metadata, as last committed
        # Partitions assigned with records owed: below the committed offset, only those are handed again.
        self.redo: dict[TopicPartition, tuple[int, frozenset[int]]] = {}
        self.read = 0  # records handed to the work
        self.skipped = 0  # read again after a restart but settled before it (below the committed offset)
        self.watch = ProgressWatch(options.stall_after)
        self.lag = 0  # as last measured (`_measure_lag`)
        self.partitions = 0  # of the topic, as last measured
        self.stale_since: float | None = None  # since when partitions are held of a topic listed with none

    async def run(self, take: Callable[[list[ConsumerRecord]], Awaitable[None]], stop: asyncio.Event, *,
                  capacity: Callable[[], int] | None = None, progress: Callable[[], int] | None = None,
                  until_idle: Callable[[], bool] | None = None) -> None:
        """Read and hand records to ``take`` until ``stop`` is set.

        ``capacity``: how many records the work takes now (default: ``max_records``);
        ``progress``: a number that grows as the work settles records (readiness);
        ``until_idle``: also return once every partition is read to its end and this says the work is idle.
        """
        self._subscribe()
        await asyncio.to_thread(self._measure_lag)  # the topic's partitions, before readiness is first judged
        last_commit = last_lag = time.monotonic()
        while not stop.is_set():
            free = capacity() if capacity else self.options.max_records
            self._throttle(free)
            batch = await asyncio.to_thread(self.consumer.poll, timeout_ms=POLL_MS, max_records=max(1, free))
            await self._judge(progress() if progress else self.read)
            records = [r for rs in batch.values() for r in rs if self._owe(r)]
            if records:
                await take(records)
            now = time.monotonic()
            if now - last_commit >= self.options.commit_interval and self.points():
                await asyncio.to_thread(self.commit)
                last_commit = now
            if now - last_lag >= LAG_EVERY:
                await asyncio.to_thread(self._measure_lag)
                last_lag = now
            if until_idle and not batch and until_idle() and await asyncio.to_thread(self._caught_up):
                return

    def done(self, record: ConsumerRecord) -> None:
        """The work settled ``record`` (thread-safe; harmless once its partition is revoked)."""
        self.tracker.done(TopicPartition(record.topic, record.partition), record.offset, OWED)

    async def close(self) -> int:
        """Commit what is settled and leave the group; returns how many records were still owed."""
        await asyncio.to_thread(self.commit)
        pending = self.tracker.pending()  # before leaving the group forgets the partitions
        await asyncio.to_thread(self.consumer.close, autocommit=False)
        return pending

    # -- reading -------------------------------------------------------------------------------------------
    def _subscribe(self) -> None:
        self.consumer.subscribe([self.options.topic], listener=_Rebalance(self))

    def _throttle(self, free: int) -> None:
        """Pause the partitions while the work is full (reads go on, so the group membership stays)."""
        if free <= 0:
            self.consumer.pause(*self.consumer.assignment())
        elif self.consumer.paused():
            self.consumer.resume(*self.consumer.paused())

    def _owe(self, record: ConsumerRecord) -> bool:
        """Should the work get ``record``? (Not when it was settled before a restart.) Owed from now on if so."""
        tp = TopicPartition(record.topic, record.partition)
        if (redo := self.redo.get(tp)) is not None:
            committed, again = redo
            if record.offset >= committed:
                del self.redo[tp]
            elif record.offset not in again:
                self.skipped += 1
                return False
        self.tracker.add(tp, record.offset, (OWED,))
        self.read += 1
        return True

    async def _judge(self, position: int) -> None:
        """Ready while partitions are held and, when behind, the work moves; rejoin the group when left out."""
        if self.health:
            self.health.progress(self.watch, assigned=len(self.consumer.assignment()), partitions=self.partitions,
                                 lag=self.lag, position=position)
        now = time.monotonic()
        if self.partitions or not self.consumer.assignment():
            self.stale_since = None
        elif self.stale_since is None:  # holding partitions of a topic the metadata no longer lists
            self.stale_since = now
        stale_for = 0.0 if self.stale_since is None else now - self.stale_since
        if stale_for > self.options.stall_after:
            # the group's rebalance should have taken them away (it usually does at once): ask for it
            log.warning("holding partitions of %s, which the cluster no longer lists, for %.0fs: rejoining group %s",
                        self.options.topic, stale_for, self.options.group)
            self.stale_since = None
            await asyncio.to_thread(self._rejoin)
        elif self.watch.unassigned_for() > self.options.stall_after:
            log.warning("no partition of %s for %.0fs: rejoining group %s", self.options.topic,
                        self.watch.unassigned_for(), self.options.group)
            self.watch.unassigned_since = None
            await asyncio.to_thread(self._rejoin)

    def _rejoin(self) -> None:
        self.consumer.unsubscribe()
        self._subscribe()

    def _measure_lag(self) -> None:
        """The topic's partitions and this member's lag (the gauge, readiness). A topic gone from the metadata
        has no lag (the group's next rebalance takes its partitions away); end offsets not answered leave the
        lag as it was: a lag not measured is no reason to stop reading."""
        self.partitions = len(self.consumer.partitions_for_topic(self.options.topic) or ())
        assigned = self.consumer.assignment()
        if not assigned or not self.partitions:
            self.lag = 0
            return
        try:
            ends = self.consumer.end_offsets(list(assigned), timeout_ms=LAG_TIMEOUT_MS)
        except KafkaError as exc:
            log.warning("lag of %s not measured: %s", self.options.topic, exc)
            return
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
            log.warning("commit failed (%s): those records will be read again", exc)
            return
        self.committed.update(points)

    def points(self, only: set[TopicPartition] | None = None) -> dict[TopicPartition, tuple[int, str]]:
        """Each partition's offset and metadata to commit, where they changed since the last commit."""
        points = {tp: commit_point(nxt, owed) for tp, (nxt, owed) in self.tracker.in_flight().items()
                  if only is None or tp in only}
        return {tp: point for tp, point in points.items() if self.committed.get(tp) != point}

    def resume_at(self, tp: TopicPartition, committed: OffsetAndMetadata | None) -> int:
        """Take up a partition just assigned: at its committed offset, after the records the commit names
        as owed. Returns how many of those are handed again."""
        if committed is None:  # never committed: the group starts at the earliest offset
            return 0
        self.tracker.start_at(tp, committed.offset)
        self.committed[tp] = (committed.offset, committed.metadata or "")
        again = frozenset(o for o in in_flight_of(committed.metadata) if o < committed.offset)
        if again:
            for offset in again:  # owed until handed again, so a commit before that still names them
                self.tracker.add(tp, offset, (OWED,))
            self.redo[tp] = (committed.offset, again)
            self.consumer.seek(tp, min(again))
        return len(again)


class _Rebalance(AsyncConsumerRebalanceListener):
    """Commit what is settled on partitions being taken away, then forget them; take up assigned partitions
    where their commit says.

    Called inside ``poll``, on kafka-python's network thread, where a blocking
    consumer call would fail ("Cannot block on net.run() from the IO thread"):
    hence the async listener and the coordinator's awaitable commit and
    offset fetch (kafka-python 3.0, pinned in pyproject.toml).
    """

    def __init__(self, reader: GroupReader) -> None:
        self.reader = reader

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        reader = self.reader
        revoked = set(revoked)
        if points := reader.points(revoked):
            offsets = {tp: OffsetAndMetadata(offset, metadata, -1) for tp, (offset, metadata) in points.items()}
            try:
                await reader.consumer._coordinator._commit_offsets_sync_async(offsets)
            except KafkaError as exc:
                log.warning("commit of revoked partitions failed (%s): their records will be read again", exc)
        for tp in revoked:
            reader.tracker.forget(tp)
            reader.committed.pop(tp, None)
            reader.redo.pop(tp, None)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        reader = self.reader
        # Should this fail, the exception ends the run: starting at the bare committed offset would lose
        # the records the commit names as owed.
        committed = await reader.consumer._coordinator.fetch_committed_offsets_async(set(assigned))
        again = {tp: reader.resume_at(tp, committed.get(tp)) for tp in assigned}
        reader.on_assigned(set(assigned), again)


def _log_assigned(assigned: set[TopicPartition], again: dict[TopicPartition, int]) -> None:
    log.info("assigned %s", ", ".join(
        f"{tp.topic}[{tp.partition}]" + (f" ({again[tp]} owed before: handed again)" if again[tp] else "")
        for tp in sorted(assigned)) or "nothing")
