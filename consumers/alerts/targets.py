"""Where alerts go: a signed webhook (with retries) or a JSON-lines sink; one contract for both.

A target has a ``name`` (its key in the ledger, logs and dead letters),
says whether it ``wants`` an event, and ``send``s one `Delivery`,
returning an `Outcome`: accepted, or failed with the last status or error.

Webhook retries follow `RetryPolicy`: transport errors, time-outs, 408, 429
and 5xx are tried again after ``backoff`` seconds, doubled each time (a
``Retry-After`` of a 429 or 503 is honoured up to a minute); other answers
outside 2xx are final (redirects are not followed). Each try has a total
time limit, so a server that trickles its answer cannot hold a lane.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Protocol

import httpx

from consumers.alerts.endpoints import Endpoint
from consumers.alerts.signing import signed_headers
from schemas.events import AlertRaised, AlertUpdated

log = logging.getLogger("consumers.alerts")

RETRY_STATUS = frozenset({408, 429})
MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True)
class Delivery:
    """One alert event for one target: the encoded body and its idempotency key."""

    event: AlertRaised | AlertUpdated
    body: bytes
    key: str

    @property
    def event_type(self) -> str:
        return type(self.event).type_name()


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    attempts: int
    status: int | None = None  # the last HTTP status, if any
    error: str = ""  # what went wrong last: "HTTP 500", "timed out after 10s", "ConnectError: ..."
    final: bool = False  # refused for good (a 4xx), not worn out by retries


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int
    timeout: float  # seconds per try, all of it
    backoff: float  # seconds before the first retry, doubled after each


class Target(Protocol):
    name: str
    concurrency: int

    def wants(self, event: AlertRaised | AlertUpdated) -> bool: ...
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
    """POSTs signed alert events to one endpoint, with its own connection pool and retries."""

    def __init__(self, endpoint: Endpoint, policy: RetryPolicy) -> None:
        self.endpoint = endpoint
        self.name = endpoint.name
        self.concurrency = endpoint.concurrency
        self.policy = RetryPolicy(policy.attempts, endpoint.timeout or policy.timeout, policy.backoff)
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(self.policy.timeout), follow_redirects=False, headers={"User-Agent": user_agent()},
            limits=httpx.Limits(max_connections=endpoint.concurrency, max_keepalive_connections=endpoint.concurrency))

    def wants(self, event: AlertRaised | AlertUpdated) -> bool:
        return self.endpoint.wants(event)

    async def send(self, delivery: Delivery) -> Outcome:
        """Try until accepted, refused for good, or out of attempts."""
        p = self.policy
        delay = p.backoff
        last = Outcome(False, 0)
        for attempt in range(1, p.attempts + 1):
            last, wait = await self._try(delivery, attempt)
            if last.accepted or last.final:
                return last
            if attempt < p.attempts:
                pause = max(delay, wait)
                log.warning("%s: %s try %d/%d failed (%s); again in %.2fs", self.name, delivery.key, attempt,
                            p.attempts, last.error, pause)
                await asyncio.sleep(pause)
                delay *= 2
        return last

    async def _try(self, d: Delivery, attempt: int) -> tuple[Outcome, float]:
        """One POST: its outcome, and how long the server asked us to wait (Retry-After)."""
        headers = signed_headers(self.endpoint.secret, d.body, d.key, d.event_type)
        try:
            async with asyncio.timeout(self.policy.timeout):
                r = await self._client.post(self.endpoint.url, content=d.body, headers=headers)
        except (TimeoutError, httpx.TimeoutException):
            return Outcome(False, attempt, None, f"timed out after {self.policy.timeout:g}s"), 0.0
        except httpx.HTTPError as e:
            return Outcome(False, attempt, None, f"{type(e).__name__}: {e}"[:300]), 0.0
        status = r.status_code
        if 200 <= status < 300:
            return Outcome(True, attempt, status), 0.0
        if retryable(status):
            return Outcome(False, attempt, status, f"HTTP {status}"), _retry_after(r)
        note = " (redirects are not followed)" if 300 <= status < 400 else ""
        return Outcome(False, attempt, status, f"HTTP {status}{note}", final=True), 0.0

    async def close(self) -> None:
        await self._client.aclose()


def _retry_after(r: httpx.Response) -> float:
    try:
        return min(max(float(r.headers.get("Retry-After", "0")), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return 0.0  # an HTTP date: use our own backoff


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
        return Outcome(True, 1)

    def _write(self, line: bytes) -> None:
        self._out.write(line)
        self._out.flush()

    async def close(self) -> None:
        if self._owned:
            self._out.close()
