"""A webhook receiver on 127.0.0.1 for the delivery tests: a real HTTP server (aiohttp) in a thread of its own.

``answer(key, try_number)`` decides each response: an HTTP status, or None
to hang (the request is held open until the receiver is told to let go or
stops). Every request is recorded with its headers, body, arrival time and
whether its signature verifies; ``accepted`` lists the idempotency keys
answered 2xx. (aiohttp rather than http.server: the drills post thousands
of requests, and a thread per connection fighting over the GIL made the
receiver, not the delivery, the bottleneck.)
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from marsad.streams.alerts.delivery.signing import IDEMPOTENCY_KEY, SIGNATURE, TIMESTAMP, verify

Answer = Callable[[str, int], int | None]
HANG_LIMIT = 300.0  # seconds a hung request is held at most


@dataclass(frozen=True)
class Received:
    key: str
    headers: dict[str, str]
    body: bytes
    signed: bool  # the signature verifies with the endpoint's secret
    status: int | None  # None: hung
    at: float  # time.time() when the request arrived


class Receiver:
    def __init__(self, secret: bytes, answer: Answer) -> None:
        self.secret = secret
        self.answer = answer
        self.requests: list[Received] = []
        self.tries: Counter[str] = Counter()
        self.hanging = 0  # requests held open right now
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="test-webhook")
        self._thread.start()
        self._release = asyncio.run_coroutine_threadsafe(self._make_event(), self._loop).result(10)
        self._runner, port = asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(30)
        self.url = f"http://127.0.0.1:{port}/hook"

    async def _make_event(self) -> asyncio.Event:
        return asyncio.Event()

    async def _serve(self) -> tuple[web.AppRunner, int]:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return runner, runner.addresses[0][1]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        at = time.time()
        h = request.headers
        key = h.get(IDEMPOTENCY_KEY, "")
        signed = verify(self.secret, h.get(TIMESTAMP, ""), key, body, h.get(SIGNATURE, ""))
        with self._lock:
            self.tries[key] += 1
            status = self.answer(key, self.tries[key])
            if status is None:
                self.hanging += 1
        if status is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), HANG_LIMIT)
            with self._lock:
                self.hanging -= 1
        with self._lock:
            self.requests.append(Received(key, dict(h), body, signed, status, at))
        return web.Response(status=status or 503, body=b"{}")

    @property
    def accepted(self) -> list[str]:
        with self._lock:
            return [r.key for r in self.requests if r.status is not None and 200 <= r.status < 300]

    def let_go(self) -> None:
        """Answer the hung requests (503) and hang no more."""
        self._loop.call_soon_threadsafe(self._release.set)

    def stop(self) -> None:
        self.let_go()
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
