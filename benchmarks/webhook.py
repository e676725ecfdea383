"""A webhook receiver for the benchmarks that end at a webhook (bench_delivery, bench_pipeline --alerts).

An aiohttp server on 127.0.0.1, in a thread of this process, so the time an
event was published and the time the webhook got it are read on one clock.
It checks every signature, answers 204, and records when each idempotency
key and each article named by an alert event (``article_ids`` of AlertRaised
and AlertUpdated, and AlertUpdated's ``article_id``) first arrived.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from pathlib import Path

import orjson
from aiohttp import web

from marsad.deploy.kafka.local import free_port
from marsad.streams.alerts.delivery.signing import EVENT, IDEMPOTENCY_KEY, SIGNATURE, TIMESTAMP, verify

SECRET = "bench-secret-0123456789"
SECRET_ENV = "BENCH_SECRET"  # the environment variable the endpoints file names for the secret


class Receiver:
    """The webhook; `received` (key -> first receipt) and `named` (article id -> first receipt) fill as posts come."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: dict[str, float] = {}
        self.named: dict[str, float] = {}
        self.events: Counter[str] = Counter()  # distinct events received, by type
        self.bad_signatures = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)
        self._thread.start()
        self._ready.wait(10)

    async def _serve(self) -> None:
        async def hook(request: web.Request) -> web.Response:
            body = await request.read()
            now = time.perf_counter()
            h = request.headers
            if not verify(SECRET.encode(), h.get(TIMESTAMP, ""), h.get(IDEMPOTENCY_KEY, ""), body, h.get(SIGNATURE, "")):
                self.bad_signatures += 1
            key = h.get(IDEMPOTENCY_KEY, "")
            if key not in self.received:
                self.received[key] = now
                self.events[h.get(EVENT, "")] += 1
                for article in names(body):
                    self.named.setdefault(article, now)
            return web.Response(status=204)

        app = web.Application()
        app.router.add_post("/hook", hook)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self.port).start()
        self._ready.set()
        await asyncio.Event().wait()  # until the process ends (a daemon thread)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def write_endpoints(self, path: Path, concurrency: int = 4) -> Path:
        """An endpoints file (MARSAD_ALERT_WEBHOOKS) naming this webhook; its secret is read from $BENCH_SECRET."""
        path.write_text(f"endpoints:\n  - name: bench\n    url: {self.url}\n    secret_env: {SECRET_ENV}\n"
                        f"    concurrency: {concurrency}\n", encoding="utf-8")
        return path


def names(body: bytes) -> list[str]:
    """The article ids an alert event's body names (none for a body that is not an alert event)."""
    try:
        event = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []
    if not isinstance(event, dict):
        return []
    out = [a for a in event.get("article_ids") or () if isinstance(a, str)]
    if isinstance(event.get("article_id"), str):
        out.append(event["article_id"])
    return out
