"""`analyse` on several cores: worker processes each holding the resources, fed in order.

The stages are pure Python and hold the GIL, so one process analyses on one
core. Reprocessing a year of history (`marsad replay --reprocess --workers
N`) spreads the fetched events over ``N`` processes instead:

- each worker loads the resources once, from the same files as the parent
  (`Resources.sources`), so every process gives the same output;
- each worker gets the duplicate verdicts to keep (by article id) once, at
  start; the parent sends chunks of raw ``ArticleFetched`` values and gets
  back the encoded
  ``ArticleProcessed`` (built by `marsad.streams.pipeline.process_fetched`, the
  worker's code) or the reason it could not be made;
- results come back in the order the values went in, and at most a few
  chunks per worker are in flight, so memory does not grow with the log.

Workers are started with ``spawn`` (no copy of the parent's Kafka client
threads and sockets).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import msgspec

from marsad.schemas.codec import SchemaError, decode_as, encode
from marsad.schemas.events import ArticleFetched, Duplicate
from marsad.streams.pipeline import Resources, process_fetched

CHUNK = 32  # values per task: large enough that pickling is noise, small enough to keep every worker busy
_IN_FLIGHT_PER_WORKER = 3

# One analysed value: (article id, encoded ArticleProcessed, "") or (None, b"", "reason it was skipped").
Outcome = tuple[str | None, bytes, str]
Verdicts = dict[str, Duplicate]

_resources: Resources | None = None  # the worker process's own, loaded by `_start`
_verdicts: Verdicts = {}


def reprocessed_value(value: bytes, res: Resources, verdicts: Verdicts) -> Outcome:
    """The encoded ArticleProcessed the resources give for one raw ArticleFetched, keeping its verdict."""
    try:
        fetched = decode_as(value, ArticleFetched)
    except SchemaError as e:  # already dead-lettered by the worker
        return None, b"", str(e)
    try:
        article, _ = process_fetched(fetched, res)
    except Exception as e:  # an input no stage foresaw: the worker dead-letters it too
        return None, b"", f"{type(e).__name__}: {e}"
    return fetched.article_id, encode(msgspec.structs.replace(
        article, duplicate=verdicts.get(fetched.article_id) or Duplicate())), ""


def _start(sources: tuple[str | None, str | None], verdicts: Verdicts) -> None:
    global _resources, _verdicts
    _resources, _verdicts = Resources.load(*sources), verdicts


def _run(chunk: list[bytes]) -> list[Outcome]:
    assert _resources is not None, "worker started without its resources"
    return [reprocessed_value(value, _resources, _verdicts) for value in chunk]


def reprocess_values(values: Iterable[bytes], res: Resources, verdicts: Verdicts,
                     workers: int = 1) -> Iterator[Outcome]:
    """The outcome of each raw ArticleFetched, in order; on ``workers`` processes when more than one."""
    if workers <= 1:
        for value in values:
            yield reprocessed_value(value, res, verdicts)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start,
                             initargs=(res.sources, verdicts)) as pool:
        pending: deque[Future[list[Outcome]]] = deque()
        for chunk in _chunks(values, CHUNK):
            pending.append(pool.submit(_run, chunk))
            if len(pending) >= workers * _IN_FLIGHT_PER_WORKER:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _chunks(values: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    chunk: list[bytes] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
