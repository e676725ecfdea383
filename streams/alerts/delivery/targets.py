"""Where alerts go: a signed webhook or a JSON-lines sink; one contract for both.

A target has a ``name`` (its key in the ledger, logs and dead letters),
says whether it ``wants`` an event, and ``send``s one `Delivery` once,
returning an `Outcome`: accepted, or failed with the status or error.
When to try again is not the target's business: the delivery service
keeps failed deliveries in the ledger and follows its `RetrySchedule`.

A webhook's transport errors, time-outs, 408, 429 and 5xx are worth another
try (an `Outcome` that is not ``final``, with the ``Retry-After`` of a 429
or 503, in seconds or as a date, up to an hour); other answers outside 2xx
are final (redirects are not followed). Each try has a total time limit, so a server that trickles
its answer cannot hold a lane.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Protocol

import aiohttp

from marsad.runtime.http import retry_after_seconds
from marsad.schemas.events import AlertRaised, AlertUpdated
from marsad.streams.alerts.delivery.endpoints import Endpoint
from marsad.streams.alerts.delivery.signing import signed_headers

RETRY_STATUS = frozenset({408, 429})
MAX_RETRY_AFTER = 3600.0
MAX_ANSWER = 65536  # bytes of a webhook's answer read (and dropped), so the connection can be reused


@dataclass(frozen=True)
class Delivery:
    """One alert event for one target: the encoded body, its idempotency key and its type."""

    body: bytes
    key: str
    event_type: str  # AlertRaised or AlertUpdated


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    status: int | None = None  # the HTTP status, if any
    error: str = ""  # what went wrong: "HTTP 500", "timed out after 10s", "ConnectError: ..."
    final: bool = False  # refused for good (a 4xx): not worth another try
    retry_after: float = 0.0  # seconds the server asked us to wait (Retry-After of a 429 or 503)


class Taker(Protocol):
    """Anything named that says which alert events it takes (a target, or an `Endpoint` itself)."""

    name: str

    def wants(self, event: AlertRaised | AlertUpdated) -> bool: ...


class Target(Taker, Protocol):
    concurrency: int

    async def send(self, delivery: Delivery) -> Outcome: ...
    async def close(self) -> None: ...


def retryable(status: int) -> bool:
    return status >= 500 or status in RETRY_STATUS


def user_agent() -> str:
    try:
        return f"marsad/{version('marsad')}"
    except PackageNotFoundError:
        return "marsad"


class WebhookTarget:
    """POSTs signed alert events to one endpoint, with its own connection pool (aiohttp: a fraction of httpx's
    CPU per request, which is what bounds deliveries per second); one try per `send`."""

    def __init__(self, endpoint: Endpoint, timeout: float) -> None:
        self.endpoint = endpoint
        self.name = endpoint.name
        self.concurrency = endpoint.concurrency
        self.timeout = endpoint.timeout or timeout
        self._session: aiohttp.ClientSession | None = None  # made in the running loop, at the first send

    def wants(self, event: AlertRaised | AlertUpdated) -> bool:
        return self.endpoint.wants(event)

    async def send(self, d: Delivery) -> Outcome:
        """One signed POST and what came of it (the answer's body is read up to 64 KiB, then dropped)."""
        headers = signed_headers(self.endpoint.secret, d.body, d.key, d.event_type)
        try:
            async with asyncio.timeout(self.timeout):
                async with self._client().post(self.endpoint.url, data=d.body, headers=headers,
                                               allow_redirects=False) as r:
                    await r.content.read(MAX_ANSWER)
                    status, retry_after = r.status, retry_after_seconds(r.headers.get("Retry-After"))
        except TimeoutError:
            return Outcome(False, None, f"timed out after {self.timeout:g}s")
        except aiohttp.ClientError as e:
            return Outcome(False, None, f"{type(e).__name__}: {e}"[:300])
        if 200 <= status < 300:
            return Outcome(True, status)
        if retryable(status):
            return Outcome(False, status, f"HTTP {status}", retry_after=min(retry_after or 0.0, MAX_RETRY_AFTER))
        note = " (redirects are not followed)" if 300 <= status < 400 else ""
        return Outcome(False, status, f"HTTP {status}{note}", final=True)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.concurrency), headers={"User-Agent": user_agent()},
                timeout=aiohttp.ClientTimeout(total=self.timeout), auto_decompress=False)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class JsonlSink:
    """Every alert event as one JSON line, to a file (appended) or stdout, for scripts."""

    concurrency = 1

    def __init__(self, path: str) -> None:
        self.name = "jsonl:-" if path == "-" else f"jsonl:{Path(path).resolve()}"
        self._out: IO[bytes] = sys.stdout.buffer if path == "-" else open(path, "ab")  # noqa: SIM115
        self._owned = path != "-"

    def wants(self, event: AlertRaised | AlertUpdated) -> bool:
        return True

    async def send(self, delivery: Delivery) -> Outcome:
        await asyncio.to_thread(self._write, delivery.body + b"\n")
        return Outcome(True)

    def _write(self, line: bytes) -> None:
        self._out.write(line)
        self._out.flush()

    async def close(self) -> None:
        if self._owned:
            self._out.close()
