"""A replay's batches made ready to write on other cores: decoded, turned into rows and hashed.

Replaying the log is a batch job, and most of its time is this process's
Python work on each message (decoding it, the article's rows, the matching
form of its text, the hash of its rows), while the database's work is done by
one writer. `Preparer` hands each batch's raw values to worker processes:

- each value comes back as the store will write it: an article as a
  `PreparedArticle` (its rows, and the tally of their hashes in the form the
  target database reads them back, so the replay's content hash needs no
  second read of the article tables), an alert or incident event as itself,
  or the reason it is not a view event (the caller dead-letters it);
- batches come back in the order they went in; the caller keeps a few in
  flight, so the workers decode ahead while the writer writes;
- workers are started with ``spawn`` (no copy of the parent's Kafka client
  threads and sockets), ignore Ctrl-C (the parent stops the replay) and exit
  when the parent is gone (`marsad.runtime.processes`); with
  ``workers`` 0 everything is done in this process, as the live consumer does.
"""

from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import NamedTuple

from marsad.consumers.rows import CHILD_TABLES, PreparedArticle, article_rows
from marsad.consumers.store.hashing import article_tally
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
CHUNK = 250  # values per task: pickling is noise, and every worker gets a share of a batch


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
        rows = article_rows(event)
        return PreparedArticle(rows.article, tuple(rows.children[t] for t in CHILD_TABLES),
                               article_tally(rows, backend))
    return event


def _prepare(values: list[bytes | None], backend: str) -> list[Prepared]:
    return [prepare_value(v, backend) for v in values]


class Preparer:
    """Prepares batches of message values on ``workers`` processes (in this process when 0)."""

    def __init__(self, workers: int, backend: str) -> None:
        self.backend = backend
        self._pool = ProcessPoolExecutor(workers, mp_context=SPAWN, initializer=follow_parent) \
            if workers > 0 else None

    def submit(self, values: list[bytes | None]) -> list[Future[list[Prepared]]]:
        """Start preparing ``values``; the futures' results, concatenated, are theirs in order."""
        if self._pool is None:
            done: Future[list[Prepared]] = Future()
            done.set_result(_prepare(values, self.backend))
            return [done]
        return [self._pool.submit(_prepare, values[i:i + CHUNK], self.backend)
                for i in range(0, len(values), CHUNK)]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Preparer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
