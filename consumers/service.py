"""The consumer services, one function each, in the order they do things.

`run_views` keeps the live views in step with the log until told to stop;
`run_replay` (optionally reprocessing the fetched history first) rebuilds
them. The command line (`marsad.deploy.cli.views`) only turns settings into these
arguments and errors into messages.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from marsad.consumers.consume import BatchReport, DeadLetters, LogReader, ViewConsumer
from marsad.consumers.replay import ReplayReport, replay
from marsad.consumers.reprocess import ReprocessReport, reprocess
from marsad.consumers.store import open_store
from marsad.runtime import metrics
from marsad.runtime.health import NO_PROGRESS_AFTER, Health, ProgressWatch
from marsad.runtime.kafka.connection import Kafka
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.progress import Progress
from marsad.schemas.topics import Topics

if TYPE_CHECKING:
    from marsad.streams.pipeline import Resources

log = logging.getLogger(__name__)

LAG_EVERY = 5.0  # seconds between two lag measurements of the live views


def view_topics(topics: Topics) -> list[str]:
    """What the views are built from: the processed articles, every alert event and every incident record."""
    return [topics.processed, topics.alerts, topics.name("incidents")]


@dataclass
class ViewTotals:
    messages: int = 0
    written: int = 0
    dead: int = 0

    def add(self, b: BatchReport) -> None:
        self.messages += b.messages
        self.written += b.written
        self.dead += b.dead


def run_views(bootstrap: Kafka, topics: Topics, url: str, *, batch_size: int, batch_ms: int,
              stop: threading.Event, status_every: float = 10.0, health: Health | None = None,
              stall_after: float = NO_PROGRESS_AFTER) -> ViewTotals:
    """Apply articles.processed, alerts and incidents to the views at ``url`` until ``stop`` is set.

    1. open the views (migrating them) and read their stored offsets
    2. assign every partition, seek to those offsets
    3. batches: decode, dead-letter poison, write rows + offsets in one transaction
    4. on stop: the batch in hand is committed, then everything is closed

    ``health`` beats at every batch and is ready from step 2 on; the lag is
    measured every few seconds (``marsad_consumer_lag``), and behind without
    progress for ``stall_after`` seconds, the views are not ready.
    """
    totals = ViewTotals()
    shown = measured = time.monotonic()
    watch = ProgressWatch(stall_after)

    def on_batch(b: BatchReport) -> None:
        nonlocal shown, measured
        totals.add(b)
        if health:
            health.beat()
        if time.monotonic() - measured > LAG_EVERY:
            measured = time.monotonic()
            behind = consumer.reader.behind()
            metrics.set_lag(behind)
            if health:  # every partition is assigned to the views: progress is all that can fail
                health.progress(watch, assigned=1, partitions=1, lag=sum(behind.values()), position=totals.messages)
        if b.messages and time.monotonic() - shown > status_every:
            shown = time.monotonic()
            log.info("views: %d messages applied, %d article writes, %d dead letters",
                     totals.messages, totals.written, totals.dead)

    with EventPublisher(bootstrap, client_id="marsad-views") as publisher:
        consumer = ViewConsumer(LogReader(bootstrap, view_topics(topics), batch_size=batch_size),
                                lambda: open_store(url), DeadLetters(publisher, topics.deadletter("consumers")),
                                batch_ms=batch_ms)
        if health:
            health.ready()
        try:
            consumer.run(stop, on_batch=on_batch)
        finally:
            consumer.close()
    return totals


def run_replay(bootstrap: Kafka, topics: Topics, url: str, *, batch_size: int, batch_ms: int,
               stop: threading.Event, resources: Resources | None = None,
               progress: bool | None = None, workers: int = 1) -> tuple[ReprocessReport | None, ReplayReport]:
    """Rebuild the views at ``url`` from the log; with ``resources``, reprocess the fetched history first.

    ``progress``: a bar on stderr for each step (None: only on a terminal).

    1. reprocess (optional): ArticleFetched history -> new ArticleProcessed events, on ``workers`` processes
    2. replay: articles.processed, alerts and incidents from offset 0 into a fresh database, swapped in when caught up
       (decoded and turned into rows on ``workers`` processes when more than one)
    """
    with EventPublisher(bootstrap, client_id="marsad-replay") as publisher:
        reprocessed = None
        if resources is not None:
            with Progress("reprocess", unit=" articles", show=progress) as bar:
                reprocessed = reprocess(bootstrap, topics, resources, publisher, progress=bar.at, workers=workers)
        live = open_store(url)
        bar = Progress("replay", show=progress)
        reader = LogReader(bootstrap, view_topics(topics), batch_size=batch_size, client_id="marsad-replay")
        try:
            live.setup()
            report = replay(live, reader, DeadLetters(publisher, topics.deadletter("consumers")),
                            batch_ms=batch_ms, stop=stop, progress=bar.at,
                            workers=workers if workers > 1 else 0)
        finally:
            bar.close()
            reader.close()
            live.close()
    return reprocessed, report
