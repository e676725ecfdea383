"""A replay's messages made ready to write, and written, on other cores.

Replaying the log is a batch job, and most of its time is Python work on
each message (decoding it, the article's rows, the matching form of its
text, the hash of its rows) and the database's work on the rows.

- `prepare_value` turns one message value into what the store writes: an
  article as a `PreparedArticle` (its rows, and the tally of their hashes in
  the form the target database reads them back, so the replay's content hash
  needs no second read of the article tables), an alert or incident event as
  itself, or the reason it is not a view event (the caller dead-letters it);
- `Writers` runs that in worker processes, each of which also writes what it
  prepared into the fresh store itself, so rows never cross between processes;
- workers are started with ``spawn`` (no copy of the parent's Kafka client
  threads and sockets), ignore Ctrl-C (the parent stops the replay) and exit
  when the parent is gone (`marsad.runtime.processes`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from types import TracebackType
from typing import NamedTuple

from marsad.consumers.rows import CHILD_TABLES, PreparedArticle, article_rows
from marsad.consumers.store.base import Record, StoreError
from marsad.consumers.store.hashing import article_tally
from marsad.consumers.store.sqlstore import SqlStore
from marsad.runtime.processes import SPAWN, follow_parent
from marsad.schemas.codec import SchemaError, decode
from marsad.schemas.events import (
    AlertRaised,
    AlertUpdated,
    ArticleProcessed,
    Event,
    IncidentRecorded,
    IncidentUpdated,
)

VIEW_EVENTS = (ArticleProcessed, AlertRaised, AlertUpdated, IncidentRecorded, IncidentUpdated)


class Rejected(NamedTuple):
    """A value that is not a view event: the `SchemaError` it raised, to dead-letter."""

    problem: str
    message: str


Prepared = PreparedArticle | Event | Rejected  # one prepared value


def view_event(value: bytes | None) -> Event:
    """The view event a message value holds; `SchemaError` when it is malformed or not one the views take."""
    event = decode(value)  # type: ignore[arg-type]  # None is refused by decode as not JSON
    if not isinstance(event, VIEW_EVENTS):
        raise SchemaError("unknown_type", f"the views take {', '.join(c.__name__ for c in VIEW_EVENTS)}, "
                                          f"not {type(event).__name__}")
    return event


def prepare_value(value: bytes | None, backend: str) -> Prepared:
    """One message value as the store writes it (see the module docstring)."""
    try:
        event = view_event(value)
    except SchemaError as e:
        return Rejected(e.problem, str(e))
    if isinstance(event, ArticleProcessed):
        rows = article_rows(event, value)
        return PreparedArticle(rows.article, tuple(rows.children[t] for t in CHILD_TABLES),
                               article_tally(rows, backend))
    return event


Message = tuple[str, int, int, bytes | None]  # topic, partition, offset, value


class Written(NamedTuple):
    """What a worker process wrote of one share: messages, view rows written, the values it rejected
    (their index in the share, problem and message: the parent dead-letters them), and the
    `occurred_at` text of each article event (the parent's metrics)."""

    messages: int
    written: int
    rejected: list[tuple[int, str, str]]
    occurred: list[str]


class Writers:
    """``workers`` processes that prepare a replay's messages and write them into the fresh store.

    The parent reads the log and hands each message to the process of its partition
    (``partition % workers``): an entity's events (an article's revisions, an alert's, an
    incident's) share a partition, so each is applied in log order by one process, and no two
    processes write the same rows. Each process opens the fresh store once (`SqlStore.writer`),
    writes each share in pieces of `PIECE` messages, a transaction each, without offsets (the parent
    stores the final offsets once every share is written) and keeps its articles' tallies, added up
    by `finish`. Rows never cross
    between processes, only the raw values going in. SQLite's writes take turns on a lock (one
    writer at a time, no busy waiting); PostgreSQL's run side by side, a server process each.
    """

    def __init__(self, workers: int, opener: Callable[[], SqlStore], *, take_turns: bool) -> None:
        lock = SPAWN.Lock() if take_turns else None
        self.workers = workers
        self._pools: list[ProcessPoolExecutor] = []
        try:
            for _ in range(workers):  # a pool of one each: a process's shares are written in the order given
                self._pools.append(ProcessPoolExecutor(1, mp_context=SPAWN, initializer=_open_writer,
                                                       initargs=(opener, lock)))
        except BaseException:
            self.close()
            raise

    def submit(self, worker: int, share: list[Message]) -> Future[Written]:
        """Prepare and write ``share`` (messages of partitions of this worker, in log order)."""
        return self._pools[worker].submit(_write_share, share)

    def finish(self) -> list[tuple[int, ...] | None]:
        """Once every share is written: each process's tally sums (`SqlStore.tally_sums`); closes its store."""
        return [f.result() for f in [pool.submit(_close_writer) for pool in self._pools]]

    def close(self) -> None:
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Writers:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


# In a worker process of `Writers`: its handle on the fresh store, the thread that writes with it, and the
# lock its writes take turns on.
_store: SqlStore | None = None
_writer: ThreadPoolExecutor | None = None
_turn: contextlib.AbstractContextManager = contextlib.nullcontext()
_failed: StoreError | None = None  # the store could not be opened
PIECE = 250  # messages a worker prepares while its previous piece is written


def _open_writer(opener: Callable[[], SqlStore], lock: threading.Lock | None) -> None:
    global _store, _writer, _turn, _failed
    follow_parent()
    try:
        _store = opener()
    except StoreError as e:  # raised by the first share, to the parent: an initializer's error breaks the pool
        _failed = e
        return
    _store._count_tallies()
    _writer = ThreadPoolExecutor(1, thread_name_prefix="views-writer")
    if lock is not None:
        _turn = lock


def _write_share(share: list[Message]) -> Written:
    """Prepare ``share`` piece by piece, each piece written (one transaction) while the next is prepared:
    the database (SQLite's C code, a PostgreSQL server process) works while this process does."""
    if _failed is not None:
        raise _failed
    assert _store is not None and _writer is not None, "worker started without its store"
    rejected: list[tuple[int, str, str]] = []
    occurred: list[str] = []
    written = 0
    pending: Future[int] | None = None
    for start in range(0, len(share), PIECE):
        records: list[Record] = []
        for i in range(start, min(start + PIECE, len(share))):
            topic, partition, offset, value = share[i]
            prepared = prepare_value(value, _store.backend)
            if isinstance(prepared, Rejected):
                rejected.append((i, prepared.problem, prepared.message))
                records.append(Record(topic, partition, offset, None))
                continue
            if isinstance(prepared, PreparedArticle):
                occurred.append(prepared.article[2])
            records.append(Record(topic, partition, offset, prepared))
        if pending is not None:
            written += pending.result()
        pending = _writer.submit(_write, _store, records)
    if pending is not None:
        written += pending.result()
    return Written(len(share), written, rejected, occurred)


def _write(store: SqlStore, records: list[Record]) -> int:
    with _turn:
        return store.write_batch(records, offsets=False)


def _close_writer() -> tuple[int, ...] | None:
    if _failed is not None:
        raise _failed
    assert _store is not None and _writer is not None, "worker started without its store"
    _writer.shutdown()
    sums = _store.tally_sums()
    _store.close()
    return sums
