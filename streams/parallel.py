"""`analyse` on more cores: worker processes each holding the resources, fed in order.

The stages are pure Python and hold the GIL, so one process analyses on one
core. Two callers spread the analysis over processes:

- reprocessing a year of history (`marsad replay --reprocess --workers N`,
  `reprocess_values`): each process gets the duplicate verdicts to keep (by
  article id) once, at start; the parent sends chunks of raw
  ``ArticleFetched`` values and gets back the encoded ``ArticleProcessed``
  (built by `marsad.streams.pipeline.process_fetched`, the worker's code) or
  the reason it could not be made; at most a few chunks per process are in
  flight, so memory does not grow with the log;
- the stream worker (`AnalysisPool`, ``MARSAD_ANALYSE_WORKERS``): its
  process agent hands each batch of raw values over and gets back the drafts
  ready for the band partitions (`drafted_value`: analysed and fingerprinted),
  while its event loop goes on with the Kafka clients and the dedup agent.
  A share comes back as one msgspec-encoded array rather than pickled
  objects: the event loop decodes it in a fraction of the time unpickling
  takes, and the encoded articles pass on as they are (`msgspec.Raw`).

Either way results come back in the order the values went in; each process
loads the resources once, from the same files as the parent
(`Resources.sources`), so every process gives the same output. Processes are
started with ``spawn`` (no copy of the parent's Kafka client threads and
sockets), ignore Ctrl-C (the parent's to handle) and exit when the parent is
gone (a kill -9 leaves no orphan).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import NamedTuple

import msgspec

from marsad.runtime.processes import SPAWN, follow_parent
from marsad.schemas import internal
from marsad.schemas.codec import SchemaError, decode_as, encode
from marsad.schemas.events import ArticleFetched, Duplicate
from marsad.streams.dedup import route
from marsad.streams.dedup.minhash import fingerprint
from marsad.streams.pipeline import Resources, process_fetched

log = logging.getLogger(__name__)

CHUNK = 32  # values per task: large enough that pickling is noise, small enough to keep every worker busy
_IN_FLIGHT_PER_WORKER = 3

# One analysed value: (article id, encoded ArticleProcessed, "") or (None, b"", "reason it was skipped").
Outcome = tuple[str | None, bytes, str]
Verdicts = dict[str, Duplicate]

_resources: Resources | None = None  # the worker process's own, loaded by `_start_process`
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


class Drafted(NamedTuple):
    """One fetched value made ready for the band partitions: its draft and fetch time, or why it could not be
    (``failure`` "schema" or "processing", the dead letter's reason, the traceback of a processing error)."""

    draft: internal.Routed | None
    fetched_at: datetime | None = None
    failure: str = ""
    reason: str = ""
    trace: str = ""


def drafted_value(value: bytes, res: Resources, partitions: int) -> Drafted:
    """Decode, analyse and fingerprint one raw ArticleFetched (what the worker's process agent does to it)."""
    try:
        fetched = decode_as(value, ArticleFetched)
    except SchemaError as e:
        return Drafted(None, failure="schema", reason=str(e))
    try:
        article, facts = process_fetched(fetched, res)
        draft = route.routed(article, fingerprint(facts.norm_text), fetched.occurred_at.timestamp(), partitions)
    except Exception as e:  # a bug or an input no stage foresaw: kept as a dead letter with the reason
        return Drafted(None, failure="processing", reason=f"processing failed: {type(e).__name__}: {e}",
                       trace=f"processing {fetched.article_id} failed\n{traceback.format_exc()}")
    return Drafted(draft, fetched.occurred_at)


_wire_encoder = msgspec.json.Encoder()
_wire_decoder = msgspec.json.Decoder(list[Drafted])


def drafted_values(values: list[bytes], partitions: int) -> bytes:
    """`drafted_value` of each value, in a worker process (its resources loaded by `_start_process`), encoded
    for the trip back (`from_wire`)."""
    assert _resources is not None, "worker started without its resources"
    return _wire_encoder.encode([drafted_value(value, _resources, partitions) for value in values])


def from_wire(encoded: bytes) -> list[Drafted]:
    """The `Drafted` values `drafted_values` encoded."""
    return _wire_decoder.decode(encoded)


def _start_process(sources: tuple[str | None, str | None], verdicts: Verdicts) -> None:
    global _resources, _verdicts
    follow_parent()
    _resources, _verdicts = Resources.load(*sources), verdicts
    gc.freeze()  # the vocabularies live as long as the process: no collection walks them again


def _ready() -> bool:
    return _resources is not None


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
    with ProcessPoolExecutor(workers, mp_context=SPAWN, initializer=_start_process,
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


class AnalysisPool:
    """The stream worker's analysis, in ``workers`` processes (0: in the event loop's thread).

    Use as ``async with AnalysisPool(...) as pool: drafts = await pool.drafts(values)``.
    A batch is split over the processes and comes back in order. A process
    that dies (a segfault, the kernel's OOM killer) breaks the pool: a new one
    is started and the batch analysed again one value at a time, so only a
    value that kills its process again is lost to a dead letter ("the
    analysis process died"), the others go on.
    """

    def __init__(self, workers: int, res: Resources, partitions: int, *,
                 job: Callable[[list[bytes], int], bytes] = drafted_values) -> None:
        self.workers = workers
        self.res = res
        self.partitions = partitions
        self.job = job  # a module-level function (the processes import it): tests hand in one that crashes
        self.replaced = 0  # pools started again after a process died
        self._pool: ProcessPoolExecutor | None = None

    async def __aenter__(self) -> AnalysisPool:
        if self.workers > 0:
            await self._start()
            log.info("articles analysed in %d process(es) beside the event loop", self.workers)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)  # each process ends after its current task
            self._pool = None

    async def drafts(self, values: list[bytes]) -> list[Drafted]:
        """`drafted_value` of each value, in order."""
        if self._pool is None:
            out = []
            for value in values:
                out.append(drafted_value(value, self.res, self.partitions))
                await asyncio.sleep(0)  # let the producer and the other agents move between two articles
            return out
        try:
            return await self._map(values)
        except BrokenProcessPool as e:
            log.warning("an analysis process died (%s): its batch of %d is analysed again one at a time", e,
                        len(values))
            await self._restart()
        out = []
        for value in values:
            try:
                out += await self._map([value])
            except BrokenProcessPool as e:
                log.error("an article killed its analysis process: kept as a dead letter")
                await self._restart()
                out.append(Drafted(None, failure="processing", reason=f"processing failed: the analysis process "
                                   f"died ({e})"))
        return out

    async def _map(self, values: list[bytes]) -> list[Drafted]:
        assert self._pool is not None
        loop = asyncio.get_running_loop()
        size = -(-len(values) // self.workers)  # one share of the batch for each process
        shares = [values[i:i + size] for i in range(0, len(values), size)]
        done = await asyncio.gather(*(loop.run_in_executor(self._pool, self.job, share, self.partitions)
                                      for share in shares))
        return [d for share in done for d in from_wire(share)]

    async def _start(self) -> None:
        """A new pool, once a process has loaded the resources (a pool that cannot start raises)."""
        self._pool = ProcessPoolExecutor(self.workers, mp_context=SPAWN, initializer=_start_process,
                                         initargs=(self.res.sources, {}))
        try:
            await asyncio.get_running_loop().run_in_executor(self._pool, _ready)
        except BrokenProcessPool:
            raise RuntimeError("the analysis processes could not start: see the error above") from None

    async def _restart(self) -> None:
        if self._pool is not None:
            with contextlib.suppress(Exception):
                self._pool.shutdown(wait=False, cancel_futures=True)
        self.replaced += 1
        await self._start()
