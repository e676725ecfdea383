"""The view consumer: a thin shell from Kafka records to `Store.write_batch`.

    assign every partition of articles.processed, alerts and incidents by hand
    seek each to the offset stored in the view database (the beginning when none)
    loop: collect a batch (up to N messages or T ms)
          decode; poison messages -> deadletter.consumers (flushed before the commit)
          store.write_batch(records)   # rows + offsets, one transaction
          a replay swapped the view in?  reopen it, seek to its offsets, go on

Kafka's own group offsets are not used: the view database is the one place
that says how far the view got, so a crash anywhere (kill -9 included)
resumes exactly after the last committed batch, and a message delivered
twice is skipped by the offsets check inside the transaction.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from marsad.consumers.prepare import Prepared, Rejected, Rejection, Writers, prepare_value, view_event
from marsad.consumers.rows import PreparedArticle
from marsad.consumers.store import Offsets, Record, Store, ViewReplaced
from marsad.consumers.store.sqlstore import SqlStore
from marsad.runtime import metrics
from marsad.runtime.kafka.connection import Kafka, kafka_python_options
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.kafka.read import Stall, read_to_end
from marsad.schemas.codec import SchemaError
from marsad.schemas.events import ArticleProcessed, DeadLetter

log = logging.getLogger(__name__)

MAX_MESSAGE = 8 * 1024 * 1024
METADATA_WAIT_S = 30.0
PROGRESS_S = 0.5  # a replay's worker processes' progress reported this often


class ConsumeError(RuntimeError):
    """The log cannot be read (topic missing, broker gone) or a dead letter was not delivered."""


@dataclass(frozen=True)
class BatchReport:
    """What one batch did: messages read, articles written, messages dead-lettered."""

    messages: int
    written: int
    dead: int


class LogReader:
    """One or more topics, every partition assigned by hand, positioned from stored offsets."""

    def __init__(self, bootstrap: Kafka, topics: str | Sequence[str], *, batch_size: int,
                 client_id: str = "marsad-views") -> None:
        self.topics = (topics,) if isinstance(topics, str) else tuple(topics)
        self.batch_size = batch_size
        self._again = functools.partial(LogReader, bootstrap, self.topics, batch_size=batch_size, client_id=client_id)
        self._consumer = KafkaConsumer(
            **kafka_python_options(bootstrap), client_id=client_id, group_id=None, enable_auto_commit=False,
            auto_offset_reset="earliest", isolation_level="read_committed", max_poll_records=batch_size,
            max_partition_fetch_bytes=MAX_MESSAGE, fetch_max_bytes=64 * 1024 * 1024)
        self.partitions: list[TopicPartition] = []

    def assign_from(self, offsets: Offsets, *, only: Callable[[int], bool] | None = None) -> None:
        """Read every partition (``only``: those whose number it accepts) from its stored next offset, or
        from the beginning."""
        self.partitions = [tp for tp in self._partitions() if only is None or only(tp.partition)]
        self._consumer.assign(self.partitions)
        for tp in self.partitions:
            stored = offsets.get((tp.topic, tp.partition))
            if stored is None:
                self._consumer.seek_to_beginning(tp)
            else:
                self._consumer.seek(tp, stored)

    def _partitions(self) -> list[TopicPartition]:
        return [tp for topic in self.topics for tp in self._partitions_of(topic)]

    def _partitions_of(self, topic: str) -> list[TopicPartition]:
        deadline = time.monotonic() + METADATA_WAIT_S
        while True:
            parts = self._consumer.partitions_for_topic(topic)
            if parts:
                return [TopicPartition(topic, p) for p in sorted(parts)]
            if time.monotonic() > deadline:
                raise ConsumeError(f"topic {topic} does not exist: run `marsad topics create`")
            time.sleep(0.5)

    def again(self) -> Callable[[], LogReader]:
        """A picklable maker of another reader of the same topics on its own connection (a worker process's)."""
        return self._again

    def collect(self, max_wait_ms: int) -> list[ConsumerRecord]:
        """Up to ``batch_size`` records, returning once full or ``max_wait_ms`` after the first poll."""
        out: list[ConsumerRecord] = []
        deadline = time.monotonic() + max_wait_ms / 1000
        while len(out) < self.batch_size:
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0:
                break
            got = self._consumer.poll(timeout_ms=left, max_records=self.batch_size - len(out))
            for records in got.values():
                out.extend(records)
        return out

    def totals(self) -> tuple[int, int]:
        """(messages before the current positions, messages in the log): progress of a read from offset 0."""
        begin = self._consumer.beginning_offsets(self.partitions)
        end = self._consumer.end_offsets(self.partitions)
        done = sum(self._consumer.position(tp) - begin[tp] for tp in self.partitions)
        return done, sum(end[tp] - begin[tp] for tp in self.partitions)

    def ends(self) -> dict[TopicPartition, int]:
        """The end offset of every partition, as of now (asks the broker)."""
        return self._consumer.end_offsets(self.partitions)

    def read_to_end(self, stall: Stall) -> Iterator[ConsumerRecord]:
        """Every record from the current positions up to the end offsets as of the first one read."""
        yield from read_to_end(self._consumer, self.ends(), stall=stall)

    def reached(self, ends: dict[TopicPartition, int]) -> bool:
        """Is every partition read up to these offsets?"""
        return all(self._consumer.position(tp) >= ends[tp] for tp in self.partitions)

    def behind(self) -> dict[str, int]:
        """Messages between the current positions and the end of the log, per topic (asks the broker)."""
        lag: dict[str, int] = {}
        for tp, end in self.ends().items():
            lag[tp.topic] = lag.get(tp.topic, 0) + max(0, end - self._consumer.position(tp))
        return lag

    def caught_up(self) -> bool:
        """Is every partition read up to its end offset as of now?"""
        return self.reached(self.ends())

    def close(self) -> None:
        self._consumer.close()


class DeadLetters:
    """Poison messages to ``deadletter.consumers``, with a deterministic event id per source offset."""

    def __init__(self, publisher: EventPublisher, topic: str) -> None:
        self._publisher = publisher
        self._topic = topic
        self.pending = 0

    def send(self, msg: ConsumerRecord | Rejection, error: SchemaError) -> None:
        """Queue a dead letter for ``msg`` (delivered by `flush`, before the batch commits)."""
        where = f"{msg.topic}:{msg.partition}:{msg.offset}"
        log.warning("dead letter %s: %s", where, error)
        key = msg.key.decode(errors="replace") if msg.key else None
        self._publisher.publish(self._topic, key, DeadLetter(
            event_id=hashlib.blake2b(f"views:{where}".encode(), digest_size=16).hexdigest(),
            stage="views", reason=str(error), error="schema", key=key, source_topic=msg.topic,
            source_partition=msg.partition, source_offset=msg.offset, payload=(msg.value or b"")[:65536]))
        self.pending += 1

    def flush(self) -> None:
        """Wait until every dead letter is on the log; raise if one was lost (the batch is not committed)."""
        if not self.pending:
            return
        failed = self._publisher.failed
        self._publisher.flush(timeout=60)
        if self._publisher.failed != failed or self._publisher.delivered != self._publisher.accepted:
            raise ConsumeError("dead letters could not be delivered; the batch is not committed")
        self.pending = 0


def to_record(msg: ConsumerRecord, dead: DeadLetters) -> Record:
    """The store's view of one message; a poison message is dead-lettered and becomes a bare offset."""
    try:
        event = view_event(msg.value)
    except SchemaError as e:
        dead.send(msg, e)
        return Record(msg.topic, msg.partition, msg.offset, None)
    return Record(msg.topic, msg.partition, msg.offset, event)


def prepared_record(msg: ConsumerRecord, prepared: Prepared, dead: DeadLetters) -> Record:
    """`to_record` for a value a `Preparer` prepared: a poison message is dead-lettered and becomes a bare offset."""
    if isinstance(prepared, Rejected):
        dead.send(msg, SchemaError(prepared.problem, prepared.message))
        return Record(msg.topic, msg.partition, msg.offset, None)
    return Record(msg.topic, msg.partition, msg.offset, prepared)


def observe_batch(records: Sequence[Record], dead: int) -> None:
    """The metrics of a committed batch: articles written, their latency since processing, dead letters."""
    articles = [r.event for r in records if isinstance(r.event, ArticleProcessed | PreparedArticle)]
    metrics.latencies("views", (event.occurred_at for event in articles))
    metrics.ARTICLES_PROCESSED.labels(stage="views").inc(len(articles))
    if dead:
        metrics.DEAD_LETTERS.labels(stage="views").inc(dead)
    metrics.event_seen()


def observe_written(occurred: Sequence[str], dead: int) -> None:
    """`observe_batch` for a share a replay's worker process wrote: its articles' `occurred_at` texts."""
    metrics.latencies("views", (datetime.fromisoformat(t) for t in occurred))
    metrics.ARTICLES_PROCESSED.labels(stage="views").inc(len(occurred))
    if dead:
        metrics.DEAD_LETTERS.labels(stage="views").inc(dead)
    metrics.event_seen()


class ViewConsumer:
    """Keeps one store in step with the log (see the module docstring)."""

    def __init__(self, reader: LogReader, open_store: Callable[[], Store], dead: DeadLetters,
                 *, batch_ms: int) -> None:
        self.reader = reader
        self._open = open_store
        self.dead = dead
        self.batch_ms = batch_ms
        self.store = self._open()
        try:
            self.store.setup()
            self.reader.assign_from(self.store.offsets())
        except BaseException:
            self.store.close()
            raise

    def step(self) -> BatchReport:
        """Read and apply one batch (possibly empty)."""
        msgs = self.reader.collect(self.batch_ms)
        if not msgs:
            return BatchReport(0, 0, 0)
        records = [to_record(m, self.dead) for m in msgs]
        dead = self.dead.pending
        self.dead.flush()
        try:
            written = self.store.write_batch(records)
        except ViewReplaced as e:
            log.info("%s: continuing on the rebuilt view from its offsets", e)
            self.store.close()
            self.store = self._open()
            self.store.setup()
            self.reader.assign_from(self.store.offsets())
            return BatchReport(0, 0, 0)
        observe_batch(records, dead)
        return BatchReport(len(msgs), written, dead)

    def run_overlapped(self, stop: threading.Event, *,
                       on_batch: Callable[[BatchReport], None] | None = None) -> None:
        """`run` until caught up, for a store no one else writes (a replay's fresh one), in this process.

        Two things overlap: this thread reads a batch from the log, decodes it and builds its rows
        (`marsad.consumers.prepare.prepare_value`) while a writer thread writes the previous one
        (SQLite's C code, a PostgreSQL server). Batches are written one at a time, in log order,
        each with its offsets in its own transaction. (`run_spread`: on worker processes.)
        """
        pending: Future[BatchReport] | None = None

        def written() -> None:  # wait for the batch being written, if any
            nonlocal pending
            if pending is not None:
                report, pending = pending.result(), None
                if on_batch:
                    on_batch(report)

        backend = self.store.backend
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="views-writer") as writer:
            try:
                while not stop.is_set():
                    msgs = self.reader.collect(self.batch_ms)
                    if msgs:
                        records = [prepared_record(m, prepare_value(m.value, backend), self.dead) for m in msgs]
                        dead = self.dead.pending
                        self.dead.flush()
                        written()
                        pending = writer.submit(self._write, records, dead)
                    else:
                        written()
                        if self.reader.caught_up():
                            return
            finally:
                written()  # finished (or its error raised) before the caller goes on

    def run_spread(self, stop: threading.Event, *, workers: int,
                   on_batch: Callable[[BatchReport], None] | None = None) -> None:
        """`run_overlapped` for a replay's fresh SQL store, with ``workers`` processes that read and write.

        Each worker process reads its share of the partitions on a connection of its own, decodes each
        message, builds its rows and writes them into the fresh store (`marsad.consumers.prepare.Writers`);
        this thread reports their progress every `PROGRESS_S` and stops them when ``stop`` is set. Once
        every process has read to the end of the log, the values they rejected are dead-lettered here
        (a replay is promoted only after they are on the log) and the offsets the messages end at are
        stored.
        """
        store = self.store
        assert isinstance(store, SqlStore), "worker processes write SQL stores"
        offsets = store.offsets()
        with Writers(workers, store.writer(), take_turns=store.backend == "sqlite") as writers:
            running = [writers.read(w, self.reader.again(), offsets, self.batch_ms) for w in range(workers)]
            reported = (0, 0)
            while True:
                waiting = wait(running, timeout=PROGRESS_S, return_when=FIRST_EXCEPTION).not_done
                if stop.is_set():
                    writers.stop.set()
                now = writers.progress()
                if on_batch and now[0] > reported[0] and waiting:
                    on_batch(BatchReport(now[0] - reported[0], now[1] - reported[1], 0))
                    reported = now
                if not waiting or any(f.done() and f.exception() for f in running):
                    break
            try:
                done = [f.result() for f in running]
            except BrokenProcessPool as e:
                raise ConsumeError(f"a worker process of the replay died: {e}") from None
            if stop.is_set():
                return
            for share in done:
                for r in share.rejected:
                    self.dead.send(r, SchemaError(r.problem, r.message))
            dead = self.dead.pending
            self.dead.flush()
            observe_written([t for share in done for t in share.occurred], dead)
            if on_batch:
                on_batch(BatchReport(sum(d.messages for d in done) - reported[0],
                                     sum(d.written for d in done) - reported[1], dead))
            for sums in writers.finish():
                store.add_tallies(sums)
            store.write_offsets({tp: end for share in done for tp, end in share.ends.items()})

    def _write(self, records: list[Record], dead: int) -> BatchReport:
        written = self.store.write_batch(records)
        observe_batch(records, dead)
        return BatchReport(len(records), written, dead)

    def run(self, stop: threading.Event, *, until_caught_up: bool = False,
            on_batch: Callable[[BatchReport], None] | None = None) -> None:
        """Apply batches until ``stop`` is set (a batch in hand is finished and committed first).

        With ``until_caught_up``, return once the log's end (as of then) is in the view.
        """
        while not stop.is_set():
            report = self.step()
            if on_batch:
                on_batch(report)
            if until_caught_up and report.messages == 0 and self.reader.caught_up():
                return

    def close(self) -> None:
        try:
            self.store.flush()
        finally:
            self.store.close()
            self.reader.close()
