"""Extraction in worker processes, so a hostile page costs one page, not the service.

trafilatura and lxml are C and Python over markup anyone can write: a page
can make them crash the interpreter, loop for minutes or eat gigabytes.
``ExtractionPool`` keeps a few long-lived worker processes and gives each
one page at a time:

- a worker that dies (a segfault, ``os.abort()``) fails its page as
  ``crashed``, with the signal, and is replaced;
- a page that takes longer than ``timeout`` fails as ``timed_out``; its
  worker is killed and replaced;
- each worker's address space is capped (``RLIMIT_AS``: what it uses when
  idle plus ``memory_mb``), so a page that needs more fails as
  ``over_memory`` (Python's ``MemoryError``) instead of swapping the host;
  the worker is replaced;
- a worker is also replaced after ``tasks_per_worker`` pages (leaks).

Workers are started with ``spawn`` (no copy of the service's threads and
sockets). The function run is a module-level function and is a parameter,
so tests can hand in one that crashes on a marked page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from marsad.producers.pages.article import decode_and_extract
from marsad.runtime.processes import SPAWN

log = logging.getLogger(__name__)

_STOP = None  # what the pool sends a worker to make it exit
_READY = "ready"  # what a worker sends once it can take pages
_READY_TIMEOUT = 120.0  # seconds a new worker may take to import its job


@dataclass(frozen=True, slots=True)
class IsolationOptions:
    """How extraction is isolated; built once from settings and passed in."""

    workers: int = 0  # worker processes; 0: extract in a thread of the service (no isolation)
    timeout: float = 30.0  # seconds a page may take
    memory_mb: int = 1024  # address space a page may add to an idle worker; 0: no limit
    tasks_per_worker: int = 500  # pages before a worker is replaced
    job: Callable[..., Any] | None = None  # what workers run (a module-level function); None: decode_and_extract


class IsolatedFailure(Exception):
    """The worker could not finish the page: ``kind`` is crashed, timed_out or over_memory."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@contextlib.asynccontextmanager
async def extraction_pool(options: IsolationOptions) -> AsyncIterator[ExtractionPool | None]:
    """A started pool for ``options``, or None when ``options.workers`` is 0 (extraction stays in a thread)."""
    if options.workers < 1:
        yield None
        return
    async with ExtractionPool(options, job=options.job or decode_and_extract) as pool:
        log.info("extraction isolated in %d worker process(es): %g s and %s a page", options.workers,
                 options.timeout, f"{options.memory_mb} MB" if options.memory_mb else "no memory limit")
        yield pool


class ExtractionPool:
    """A few worker processes running ``job`` (default: decode and extract a page), one page each at a time.

    Use as ``async with ExtractionPool(options) as pool: await pool.run(...)``.
    ``run`` raises what ``job`` raised (e.g. ``ExtractionFailed``), or
    ``IsolatedFailure`` when the worker crashed, timed out or ran out of memory.
    """

    def __init__(self, options: IsolationOptions, *, job: Callable[..., Any] = decode_and_extract) -> None:
        if options.workers < 1:
            raise ValueError("an ExtractionPool needs at least one worker")
        self.options = options
        self.job = job
        self._idle: asyncio.Queue[_Worker | None] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self.replaced = 0  # workers replaced after a crash, a timeout or running out of memory

    async def __aenter__(self) -> ExtractionPool:
        workers = await asyncio.gather(*(asyncio.to_thread(self._start) for _ in range(self.options.workers)))
        for worker in workers:
            self._idle.put_nowait(worker)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.to_thread(self.close)

    def close(self) -> None:
        """Stop every worker (politely, then by force)."""
        for worker in list(self._all):
            worker.stop()
        self._all.clear()

    async def run(self, *args: Any) -> Any:
        """``job(*args)`` in a worker; raises its exception, or ``IsolatedFailure``.

        A slot whose worker had to go holds None until the next page starts
        a fresh worker there, so the pool never shrinks, even when a caller
        is cancelled mid-page.
        """
        worker = await self._idle.get()
        try:
            if worker is None:
                worker = await asyncio.to_thread(self._start)
            status, value = await asyncio.to_thread(worker.call, args, self.options.timeout)
        except BaseException:  # cancelled (shutdown): the thread may still be talking to the worker
            if worker is not None:
                worker.kill()
                self._all.discard(worker)
            self._idle.put_nowait(None)
            raise
        healthy = status in ("ok", "raised")
        if healthy and worker.tasks < self.options.tasks_per_worker:
            self._idle.put_nowait(worker)
        else:
            self.replaced += not healthy
            self._all.discard(worker)
            self._idle.put_nowait(None)
            await asyncio.to_thread(worker.stop)
        if status == "ok":
            return value
        if status == "raised":
            raise value
        log.warning("extraction worker replaced: %s", value)
        raise IsolatedFailure(status, value)

    def _start(self) -> _Worker:
        worker = _Worker.start(self.job, self.options.memory_mb)
        self._all.add(worker)
        return worker


@dataclass(slots=True, eq=False)  # identity, not value: workers live in a set
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: multiprocessing.connection.Connection
    tasks: int = 0

    @classmethod
    def start(cls, job: Callable[..., Any], memory_mb: int) -> _Worker:
        parent, child = SPAWN.Pipe()
        process = SPAWN.Process(target=_serve, args=(child, job, memory_mb), name="marsad-extract", daemon=True)
        process.start()
        child.close()
        worker = cls(process=process, conn=parent)
        # Wait until the worker has imported its job (seconds on a busy host): page deadlines start after that.
        ready = False
        with contextlib.suppress(EOFError, OSError):
            ready = parent.poll(_READY_TIMEOUT) and parent.recv() == _READY
        if not ready:
            worker.kill()
            raise RuntimeError(f"extraction worker did not start ({_exit_description(process.exitcode)})")
        return worker

    def call(self, args: tuple[Any, ...], timeout: float) -> tuple[str, Any]:
        """Blocking: send one task, wait for its answer. Returns (status, value)."""
        self.tasks += 1
        try:
            self.conn.send(args)
            if not self.conn.poll(timeout):
                self.kill()
                return "timed_out", f"extraction timed out after {timeout:g} s"
            status, value = self.conn.recv()
        except (EOFError, OSError):
            self.process.join(timeout=5)
            return "crashed", f"extraction crashed: the worker died ({_exit_description(self.process.exitcode)})"
        return status, value

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(_STOP)
            self.process.join(timeout=2)
        if self.process.is_alive():
            self.kill()
        self.conn.close()


def _serve(conn: multiprocessing.connection.Connection, job: Callable[..., Any], memory_mb: int) -> None:
    """A worker's loop: one task at a time until told to stop; exits after running out of memory."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the service's to handle; it stops us
    if memory_mb > 0:
        limit = _address_space() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    conn.send(_READY)
    while True:
        try:
            args = conn.recv()
        except (EOFError, OSError):
            return
        if args is _STOP:
            return
        try:
            answer: tuple[str, Any] = ("ok", job(*args))
        except MemoryError:
            conn.send(("over_memory", f"extraction over memory: the page needed more than {memory_mb} MB"))
            return
        except Exception as exc:  # the job's own failures (ExtractionFailed, GarbledText...) go back as they are
            answer = ("raised", exc)
        try:
            conn.send(answer)
        except Exception as exc:  # an answer that cannot be pickled
            conn.send(("raised", RuntimeError(f"{type(exc).__name__}: {exc}")))


def _address_space() -> int:
    """This process's virtual size in bytes (Linux /proc; elsewhere the resident peak as an estimate)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _exit_description(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"
