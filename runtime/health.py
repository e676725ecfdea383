"""Liveness, readiness and metrics over HTTP for the services that have no web server of their own.

    GET /health/live    200 while the service's loop turns (it beats); 503 once it stalled
    GET /health/ready   200 once the service does its job (connected, recovered); 503 before
    GET /metrics        Prometheus exposition of `marsad.runtime.metrics`

The server runs in a daemon thread, so it answers whatever the service's own
loop is doing; that is why liveness is a heartbeat the loop gives, not the
fact that the server answers. The producer and the views consumer use it; the
stream workers serve the same paths from Faust's web server
(`marsad.runtime.faust_web`), the query API from its own application.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson

from marsad.runtime.metrics import render
from marsad.runtime.preflight import OperatorError

log = logging.getLogger(__name__)

STALL_AFTER = 120.0  # seconds without a beat before the service is not live
NO_PROGRESS_AFTER = 120.0  # default seconds a consumer with lag may make no progress and still be ready


class ProgressWatch:
    """Readiness that means progress, for a consumer: it holds partitions, and when behind, it moves.

    ``observe`` is given what the consumer knows now: the partitions it is
    assigned, how many the topics it reads have, its lag, and a position
    that grows as it works (records read or committed). Not ready when it
    holds no partition of topics that have some, or when it has lag and its
    position has not moved for ``stall_after`` seconds. Pure: the clock is given.
    """

    def __init__(self, stall_after: float = NO_PROGRESS_AFTER, clock: Callable[[], float] = time.monotonic) -> None:
        self.stall_after = stall_after
        self._clock = clock
        self._position: int | None = None
        self._moved = clock()
        self.unassigned_since: float | None = None

    def observe(self, *, assigned: int, partitions: int, lag: int, position: int) -> tuple[bool, str]:
        now = self._clock()
        if position != self._position or lag <= 0:
            self._position, self._moved = position, now
        if partitions > 0 and assigned == 0:
            self.unassigned_since = self.unassigned_since if self.unassigned_since is not None else now
            return False, f"no partition assigned (of {partitions})"
        self.unassigned_since = None
        still = now - self._moved
        if lag > 0 and still > self.stall_after:
            return False, f"{lag} message(s) behind and no progress for {still:.0f}s"
        return True, "ok"

    def unassigned_for(self) -> float:
        """Seconds the consumer has held no partition (0 while it holds some)."""
        return 0.0 if self.unassigned_since is None else self._clock() - self.unassigned_since


class Health:
    """What a service says about itself: alive (it beats), ready (it said so), and why not."""

    def __init__(self, service: str, stall_after: float = STALL_AFTER) -> None:
        self.service = service
        self.stall_after = stall_after
        self._beat = time.monotonic()
        self._ready = False
        self._reason = "starting"

    def beat(self) -> None:
        self._beat = time.monotonic()

    def ready(self, reason: str = "ok") -> None:
        self._ready, self._reason = True, reason

    def not_ready(self, reason: str) -> None:
        self._ready, self._reason = False, reason

    def live(self) -> tuple[bool, str]:
        quiet = time.monotonic() - self._beat
        if quiet > self.stall_after:
            return False, f"no heartbeat for {quiet:.0f}s"
        return True, "ok"

    def readiness(self) -> tuple[bool, str]:
        return self._ready, self._reason

    def progress(self, watch: ProgressWatch, *, assigned: int, partitions: int, lag: int, position: int) -> None:
        """Ready or not as ``watch`` judges what the consumer reports (see `ProgressWatch`)."""
        ok, reason = watch.observe(assigned=assigned, partitions=partitions, lag=lag, position=position)
        if ok:
            self.ready()
        else:
            if self._ready or reason.split(" ")[0] != self._reason.split(" ")[0]:
                log.warning("%s not ready: %s", self.service, reason)
            self.not_ready(reason)

    async def beat_while_running(self, every: float = 5.0) -> None:
        """Beat from the running event loop until cancelled: a blocked loop stops the beats."""
        while True:
            self.beat()
            await asyncio.sleep(every)


def _handler(health: Health) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/metrics":
                body, ctype = render()
                self._send(200, body, ctype)
            elif self.path in ("/health/live", "/health/ready"):
                ok, reason = health.live() if self.path == "/health/live" else health.readiness()
                body = orjson.dumps({"service": health.service, "status": "ok" if ok else "unavailable",
                                     "reason": reason})
                self._send(200 if ok else 503, body, "application/json")
            else:
                self._send(404, b'{"error": "not_found", "message": "try /health/live, /health/ready, /metrics"}',
                           "application/json")

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # scraped every few seconds: not worth a log line

    return Handler


class HealthServer:
    """The HTTP server of one service; `close` stops it."""

    def __init__(self, health: Health, host: str, port: int) -> None:
        self._httpd = ThreadingHTTPServer((host, port), _handler(health))
        self._httpd.daemon_threads = True
        self.address = f"http://{host}:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="health", daemon=True)
        self._thread.start()
        log.info("health and metrics on %s (/health/live, /health/ready, /metrics)", self.address)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class HealthError(OperatorError):
    """The health server cannot listen where it was told to (an operator error); the message names the setting."""


def serve_health(health: Health, host: str, port: int, *, setting: str) -> HealthServer | None:
    """Start the server on ``host:port`` (port 0: none).

    Raises HealthError, an operator error naming ``setting``, when it cannot listen there.
    """
    if not port:
        return None
    try:
        return HealthServer(health, host, port)
    except OSError as e:
        raise HealthError(f"cannot serve health and metrics on {host}:{port}: {e.strerror}; "
                          f"set {setting} to a free port (0: no server)") from None
