"""Rebuild the views from the beginning of the log, and swap them in only when caught up.

    fresh = live.fresh()                 # new SQLite file / PostgreSQL schema, migrated
    read articles.processed from offset 0 into it, with the live consumer's code
    (worker processes each read their share of the partitions on their own connection, decode each
    message, turn it into rows and write them; the offsets stored once all are caught up)
    until every partition is at its end offset (re-checked: the log may grow meanwhile)
    hash = fresh.content_hash()          # the article tables' from the workers' tallies
    fresh.promote()                      # atomic: rename of a link / of a schema

A failure or an interrupt before the swap leaves the live view untouched and
deletes the fresh one. A live `marsad views` running meanwhile notices the
swap and continues from the rebuilt view's offsets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from marsad.consumers.consume import BatchReport, DeadLetters, LogReader, ViewConsumer
from marsad.consumers.store import Store

TOTALS_EVERY_S = 2.0
POOL_MIN = 2000  # a shorter log is replayed in this process: starting worker processes would take longer


class ReplayInterrupted(RuntimeError):
    """The replay was stopped before it caught up; the live view is unchanged."""


@dataclass(frozen=True)
class ReplayReport:
    events: int
    seconds: float
    hash: str
    views: str  # where the live views now are


def replay(live: Store, reader: LogReader, dead: DeadLetters, *, batch_ms: int, stop: threading.Event,
           progress: Callable[[int, int], None] | None = None, workers: int = 0) -> ReplayReport:
    """Rebuild ``live`` from the log ``reader`` reads; ``progress(done, total)`` after each batch.

    ``workers``: processes that each read a share of the partitions, decode the messages, build their
    rows and write them (`marsad.consumers.prepare.Writers`); 0, or a log under `POOL_MIN` messages: all
    in this process (read, prepared, then written on a thread while the next batch is read).
    """
    t0 = time.monotonic()
    fresh = live.fresh()
    promoted = False
    try:
        consumer = ViewConsumer(reader, lambda: fresh, dead, batch_ms=batch_ms)
        done, total = reader.totals()
        checked = time.monotonic()
        events = 0

        def on_batch(b: BatchReport) -> None:
            nonlocal done, total, checked, events
            done += b.messages
            events += b.messages
            if time.monotonic() - checked > TOTALS_EVERY_S:
                total = reader.totals()[1]
                checked = time.monotonic()
            if progress:
                progress(done, max(total, done))

        if progress:
            progress(done, total)
        if workers and total >= POOL_MIN:
            consumer.run_spread(stop, workers=workers, on_batch=on_batch)
        else:
            consumer.run_overlapped(stop, on_batch=on_batch)
        if stop.is_set():
            raise ReplayInterrupted("replay interrupted before it caught up; the live views are unchanged")
        digest = fresh.content_hash()
        fresh.promote()
        promoted = True
        return ReplayReport(events, time.monotonic() - t0, digest, live.url)
    finally:
        if not promoted:
            fresh.discard()
