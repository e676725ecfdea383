"""The live alert feed: alert events from Kafka to the dashboard as server-sent events.

One `AlertFeed` per API process. Its aiokafka consumer starts on the first
client of ``GET /live/alerts`` (an API that nobody watches live never talks
to Kafka), belongs to no consumer group and commits nothing: it assigns
itself every partition of the alerts topic and starts from the end, so it
only ever shows what happens while it runs. The list of earlier alerts comes
from the alert view (``GET /alerts``); the feed keeps the last few events it
saw, so a client that reconnects misses nothing of the meantime.

Each client gets its own bounded queue: a client too slow to drain it is
disconnected (its browser reconnects) rather than holding memory or the
other clients back. Messages that are not alert events are logged with
their position and skipped; the alert consumers dead-letter them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

import orjson
from aiohttp import web
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from marsad.runtime.kafka.connection import Kafka, aiokafka_options
from marsad.schemas.codec import SchemaError, decode, to_dict
from marsad.schemas.events import AlertRaised, AlertUpdated

log = logging.getLogger(__name__)

KEEP = 200  # recent events replayed to a (re)connecting client
QUEUE = 1000  # events a client may lag behind before it is dropped
KEEPALIVE = 15.0  # seconds between comments on an idle stream (proxies close silent connections)
RETRY = 3.0  # seconds before reconnecting to Kafka or looking again for the topic (doubled up to MAX_RETRY)
MAX_RETRY = 60.0


class AlertFeed:
    """Fans the alert topic out to server-sent-event clients (see the module docstring)."""

    def __init__(self, bootstrap: Callable[[], Kafka], topic: str, *, keep: int = KEEP) -> None:
        """``bootstrap`` is called when the consumer starts (it may name a broker not yet running)."""
        self._bootstrap = bootstrap
        self.topic = topic
        self.recent: deque[dict[str, Any]] = deque(maxlen=keep)
        self.state = "starting"  # starting | live | offline
        self.reason = ""
        self._clients: set[asyncio.Queue[tuple[str, dict[str, Any]] | None]] = set()
        self._task: asyncio.Task[None] | None = None

    def subscribe(self) -> asyncio.Queue[tuple[str, dict[str, Any]] | None]:
        """A queue of (event name, data) for one client; starts the consumer on first use."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="alert-feed")
        q: asyncio.Queue[tuple[str, dict[str, Any]] | None] = asyncio.Queue(QUEUE)
        self._clients.add(q)
        return q

    def unsubscribe(self, q: asyncio.Queue[tuple[str, dict[str, Any]] | None]) -> None:
        self._clients.discard(q)

    def status(self) -> dict[str, Any]:
        return {"state": self.state, "topic": self.topic, "reason": self.reason}

    async def stop(self) -> None:
        """Stop the consumer (the API is shutting down)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for q in list(self._clients):
            self._push(q, None)

    def _broadcast(self, name: str, data: dict[str, Any]) -> None:
        for q in list(self._clients):
            self._push(q, (name, data))

    def _push(self, q: asyncio.Queue[tuple[str, dict[str, Any]] | None], item: Any) -> None:
        try:
            q.put_nowait(item)
        except asyncio.QueueFull:
            log.warning("live alert client %d events behind: disconnecting it", q.qsize())
            self._clients.discard(q)
            with contextlib.suppress(asyncio.QueueEmpty):
                q.get_nowait()  # make room for the end marker
            q.put_nowait(None)

    def _set_state(self, state: str, reason: str = "") -> None:
        if (state, reason) != (self.state, self.reason):
            self.state, self.reason = state, reason
            self._broadcast("status", self.status())

    async def _run(self) -> None:
        delay = RETRY
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as e:
                if self.state == "live":
                    delay = RETRY  # it worked until now: retry soon, and back off from there
                self._failed(e, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY)

    def _failed(self, e: Exception, delay: float) -> None:
        if isinstance(e, KafkaError | OSError):
            if self.state != "offline":  # logged once per outage, not at every retry
                log.warning("live alert feed: Kafka unavailable (%s); retrying, up to every %.0fs", e, MAX_RETRY)
            self._set_state("offline", f"Kafka unavailable: {e}")
        else:  # keep the feed alive whatever happens; it is logged
            log.error("live alert feed failed; restarting it in %.0fs", delay, exc_info=e)
            self._set_state("offline", f"feed error: {type(e).__name__}")

    async def _consume(self) -> None:
        # Subscribed without a group, the consumer assigns itself every partition of the topic (and
        # any added later); nothing is committed. Positions start at the end ("latest").
        consumer = AIOKafkaConsumer(self.topic, **aiokafka_options(self._bootstrap()), group_id=None,
                                    enable_auto_commit=False, auto_offset_reset="latest",
                                    client_id="marsad-api-live")
        try:
            await consumer.start()
            waited = 0.0
            while not consumer.assignment():
                if waited >= RETRY:
                    self._set_state("offline", f"topic {self.topic} does not exist yet")
                await asyncio.sleep(0.1)
                waited += 0.1
            tps = sorted(consumer.assignment())
            await consumer.seek_to_end(*tps)
            for tp in tps:
                await consumer.position(tp)  # resolved now: anything published from here on is seen
            self._set_state("live")
            log.info("live alert feed reading %s from its end (%d partitions)", self.topic, len(tps))
            async for msg in consumer:
                event = self._event(msg.value, f"{msg.topic}[{msg.partition}]@{msg.offset}")
                if event is not None:
                    self.recent.append(event)
                    self._broadcast("alert", event)
        finally:
            await consumer.stop()

    @staticmethod
    def _event(value: bytes | None, where: str) -> dict[str, Any] | None:
        try:
            event = decode(value or b"")
        except SchemaError as e:
            log.warning("live alert feed: skipping %s: %s", where, e)
            return None
        if not isinstance(event, AlertRaised | AlertUpdated):
            log.warning("live alert feed: skipping %s: %s is not an alert event", where, type(event).__name__)
            return None
        return to_dict(event)


def _sse(name: str, data: dict[str, Any]) -> bytes:
    """One server-sent event (JSON data has no raw newlines, so it is one ``data:`` line)."""
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


async def stream_alerts(request: web.Request, feed: AlertFeed) -> web.StreamResponse:
    """``GET /live/alerts``: the feed's status, its recent events, then each new one as it comes."""
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                       "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    q = feed.subscribe()
    try:
        await resp.prepare(request)
        await resp.write(b"retry: 2000\n\n" + _sse("status", feed.status())
                         + b"".join(_sse("alert", e) for e in list(feed.recent)))
        while True:
            try:
                item = await asyncio.wait_for(q.get(), KEEPALIVE)
            except TimeoutError:
                await resp.write(b": keepalive\n\n")
                continue
            if item is None:
                break
            await resp.write(_sse(*item))
    except ConnectionResetError:
        pass  # the client went away
    finally:
        feed.unsubscribe(q)
    return resp
