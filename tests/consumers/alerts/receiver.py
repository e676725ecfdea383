"""A webhook receiver on 127.0.0.1 for the delivery tests: a real HTTP server in a thread.

``answer(key, try_number)`` decides each response: an HTTP status, or None
to hang (the request is held open until the receiver is told to let go or
stops). Every request is recorded with its headers, body and whether its
signature verifies; ``accepted`` lists the idempotency keys answered 2xx.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from consumers.alerts.signing import IDEMPOTENCY_KEY, SIGNATURE, TIMESTAMP, verify

Answer = Callable[[str, int], int | None]


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
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver._handle(self, body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        at = time.time()
        key = handler.headers.get(IDEMPOTENCY_KEY, "")
        signed = verify(self.secret, handler.headers.get(TIMESTAMP, ""), key, body, handler.headers.get(SIGNATURE, ""))
        with self._lock:
            self.tries[key] += 1
            status = self.answer(key, self.tries[key])
            if status is None:
                self.hanging += 1
        if status is None:
            self._release.wait(300)
            with self._lock:
                self.hanging -= 1
            status = 503
            record = Received(key, dict(handler.headers), body, signed, None, at)
        else:
            record = Received(key, dict(handler.headers), body, signed, status, at)
        with self._lock:
            self.requests.append(record)
        try:
            handler.send_response(status)
            handler.send_header("Content-Length", "2")
            handler.end_headers()
            handler.wfile.write(b"{}")
        except OSError:
            pass  # the client gave up on a hung request

    @property
    def accepted(self) -> list[str]:
        with self._lock:
            return [r.key for r in self.requests if r.status is not None and 200 <= r.status < 300]

    def let_go(self) -> None:
        """Answer the hung requests (503) and hang no more."""
        self._release.set()

    def stop(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
