"""A replay's messages made ready to write, and written, on other cores.

Replaying the log is a batch job, and most of its time is Python work on
each message (decoding it, the article's rows, the matching form of its
text, the hash of its rows) and the database's work on the rows.

- `prepare_value` turns one message value into what the store writes: an
  article as a `PreparedArticle` (its rows, and the tally of their hashes in
  the form the target database reads them back, so the replay's content hash
  needs no second read of the article tables), an alert or incident event as
  itself, or the reason it is not a view event (the caller dead-letters it);
- `Writers` runs that in worker processes, each of which reads its share of
  the partitions itself and writes what it prepared into the fresh store, so
  neither messages nor rows cross between processes, only their totals;
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
from typing import Any, NamedTuple, Protocol

from marsad.consumers.rows import CHILD_TABLES, PreparedArticle, article_rows
from marsad.consumers.store.base import Offsets, Record, StoreError
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


Message = tuple[str, int, int, bytes | None, bytes | None]  # topic, partition, offset, key, value


class Rejection(NamedTuple):
    """A message a worker process could not take as a view event: the parent dead-letters it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    problem: str
    message: str


class Written(NamedTuple):
    """What a worker process wrote: messages, view rows written, the messages it rejected, the
    `occurred_at` text of each article event (the parent's metrics) and, for each partition it read,
    the offset after its last message."""

    messages: int
    written: int
    rejected: list[Rejection]
    occurred: list[str]
    ends: dict[tuple[str, int], int]


class Reader(Protocol):
    """What a worker process needs of a log reader (`marsad.consumers.consume.LogReader`)."""

    partitions: list

    def assign_from(self, offsets: Offsets, *, only: Callable[[int], bool] | None = None) -> None: ...

    def collect(self, max_wait_ms: int) -> list: ...

    def caught_up(self) -> bool: ...

    def close(self) -> None: ...


class Writers:
    """``workers`` processes that read a replay's messages, prepare them and write them into the fresh store.

    Each process reads the partitions whose number modulo ``workers`` is its own (`read`), on a
    connection of its own: an entity's events (an article's revisions, an alert's, an incident's)
    share a partition, so each is applied in log order by one process, and no two processes write the
    same rows; no message and no row crosses between processes, only each process's totals. Each
    process opens the fresh store once (`SqlStore.writer`), writes in pieces of `PIECE` messages, a
    transaction each, without offsets (the parent stores the final offsets once every process is
    done) and keeps its articles' tallies, added up by `finish`. SQLite's writes take turns on a lock
    (one writer at a time, no busy waiting) and run in the thread that prepares them (its C code needs
    the process's interpreter lock for every row it binds: a writer thread beside the preparing one
    only traded that lock back and forth); PostgreSQL's run side by side, a server process each, on a
    thread of the process while it prepares the next piece.
    """

    def __init__(self, workers: int, opener: Callable[[], SqlStore], *, take_turns: bool) -> None:
        lock = SPAWN.Lock() if take_turns else None
        self.workers = workers
        self.stop = SPAWN.Event()  # set: each process ends after the piece in hand
        self._done = SPAWN.Array("q", 2 * workers, lock=False)  # messages and rows each process has written
        self._pools: list[ProcessPoolExecutor] = []
        try:
            for index in range(workers):  # a pool of one each: a process's shares are written in the order given
                self._pools.append(ProcessPoolExecutor(1, mp_context=SPAWN, initializer=_open_writer,
                                                       initargs=(opener, lock, self.stop, self._done, index)))
        except BaseException:
            self.close()
            raise

    def read(self, worker: int, reader_of: Callable[[], Reader], offsets: Offsets, batch_ms: int) -> Future[Written]:
        """Read the partitions of ``worker`` from ``offsets`` (the beginning when absent) to the end of the
        log, with a reader ``reader_of`` makes, preparing and writing as it goes; the end is checked again
        when reached, so a log that grew meanwhile is read to its new end."""
        return self._pools[worker].submit(_read_share, reader_of, self.workers, offsets, batch_ms)

    def submit(self, worker: int, share: list[Message]) -> Future[Written]:
        """Prepare and write ``share`` (messages of partitions of this worker, in log order)."""
        return self._pools[worker].submit(_write_share, share)

    def progress(self) -> tuple[int, int]:
        """Messages and view rows written so far, by all the processes."""
        done = self._done[:]
        return sum(done[0::2]), sum(done[1::2])

    def finish(self) -> list[tuple[int, ...] | None]:
        """Once every share is written: each process's tally sums (`SqlStore.tally_sums`); closes its store."""
        return [f.result() for f in [pool.submit(_close_writer) for pool in self._pools]]

    def close(self) -> None:
        self.stop.set()
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Writers:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


# In a worker process of `Writers`: its handle on the fresh store, the thread that writes with it (PostgreSQL),
# the lock its writes take turns on (SQLite), the parent's stop and its slots of the parent's progress.
_store: SqlStore | None = None
_writer: ThreadPoolExecutor | None = None
_turn: contextlib.AbstractContextManager = contextlib.nullcontext()
_failed: StoreError | None = None  # the store could not be opened
_stop: threading.Event | None = None
_done: Any = None
_index = 0
PIECE = 250  # messages a worker prepares at once (a transaction; PostgreSQL's written while the next is prepared)


def _open_writer(opener: Callable[[], SqlStore], lock: threading.Lock | None, stop: threading.Event,
                 done: Any, index: int) -> None:
    global _store, _writer, _turn, _failed, _stop, _done, _index
    follow_parent()
    _stop, _done, _index = stop, done, index
    try:
        _store = opener()
    except StoreError as e:  # raised by the first share, to the parent: an initializer's error breaks the pool
        _failed = e
        return
    _store._count_tallies()
    if lock is None:
        _writer = ThreadPoolExecutor(1, thread_name_prefix="views-writer")
    else:
        _turn = lock


class _Share:
    """What one worker process prepares and writes, piece by piece, and what it reports."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.messages = self.written = 0
        self.rejected: list[Rejection] = []
        self.occurred: list[str] = []
        self.ends: dict[tuple[str, int], int] = {}
        self._pending: Future[int] | None = None

    def take(self, messages: list[Message]) -> None:
        for start in range(0, len(messages), PIECE):
            records: list[Record] = []
            for topic, partition, offset, key, value in messages[start:start + PIECE]:
                self.ends[(topic, partition)] = offset + 1
                prepared = prepare_value(value, self.store.backend)
                if isinstance(prepared, Rejected):
                    self.rejected.append(Rejection(topic, partition, offset, key, value, *prepared))
                    records.append(Record(topic, partition, offset, None))
                    continue
                if isinstance(prepared, PreparedArticle):
                    self.occurred.append(prepared.article[2])
                records.append(Record(topic, partition, offset, prepared))
            self.messages += len(records)
            self._write(records)

    def _write(self, records: list[Record]) -> None:
        if _writer is None:  # SQLite: here, in turn
            self._count(_write(self.store, records))
            return
        if self._pending is not None:
            self._count(self._pending.result())
        self._pending = _writer.submit(_write, self.store, records)

    def _count(self, written: int) -> None:
        self.written += written
        if _done is not None:  # this process's slots of the parent's progress
            _done[2 * _index], _done[2 * _index + 1] = self.messages, self.written

    def result(self) -> Written:
        self._count(self._pending.result() if self._pending is not None else 0)
        self._pending = None
        return Written(self.messages, self.written, self.rejected, self.occurred, self.ends)


def _ready() -> SqlStore:
    if _failed is not None:
        raise _failed
    assert _store is not None, "worker started without its store"
    return _store


def _read_share(reader_of: Callable[[], Reader], workers: int, offsets: Offsets, batch_ms: int) -> Written:
    """Read this process's partitions to the end of the log, preparing and writing each batch."""
    share = _Share(_ready())
    reader = reader_of()
    try:
        reader.assign_from(offsets, only=lambda partition: partition % workers == _index)
        while reader.partitions and not (_stop is not None and _stop.is_set()):
            msgs = reader.collect(batch_ms)
            if msgs:
                share.take([(m.topic, m.partition, m.offset, m.key, m.value) for m in msgs])
            elif reader.caught_up():
                break
    finally:
        reader.close()
    return share.result()


def _write_share(messages: list[Message]) -> Written:
    """Prepare and write ``messages`` (given by the parent) piece by piece."""
    share = _Share(_ready())
    share.take(messages)
    return share.result()


def _write(store: SqlStore, records: list[Record]) -> int:
    with _turn:
        return store.write_batch(records, offsets=False)


def _close_writer() -> tuple[int, ...] | None:
    store = _ready()
    if _writer is not None:
        _writer.shutdown()
    sums = store.tally_sums()
    store.close()
    return sums
