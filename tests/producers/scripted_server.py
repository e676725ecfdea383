"""A real HTTP server on 127.0.0.1 for the producer tests.

Serves the sample site as static files, plus scripted routes that behave
badly on purpose: custom headers and statuses, conditional GET, delays,
slow bodies (also drips that last until the test says so), redirects, oversized bodies, bytes in one charset labelled as
another. It records every request (path, headers, arrival time) and the
highest number served at once, so tests can check limits and that nothing
was sent where it should not be.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Reply:
    """What a scripted route answers."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    etag: str | None = None  # answer 304 when If-None-Match matches
    last_modified: str | None = None  # answer 304 when If-Modified-Since equals it
    chunk_size: int = 0  # >0: send the body in pieces...
    chunk_delay: float = 0.0  # ...with this pause between them
    send_length: bool = True  # False: no Content-Length, body ends when the connection closes
    reset_after: int | None = None  # send this many body bytes, then reset the connection (TCP RST)
    # Set: before the body, drip a space every ``chunk_delay`` (0.5 s when 0) until the event is set, so the
    # page stays in flight for as long as the test wants (no read timeout trips); sent without Content-Length.
    drip_until: threading.Event | None = None


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival
    query: str = ""  # the query string, without "?" (routes are matched on the path alone)


Route = Reply | Callable[[Request], Reply]


class ScriptedServer:
    def __init__(self, static_root: Path) -> None:
        self.static_root = static_root
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._generation = 0  # bumped by reset(): requests from an earlier test no longer count
        self._lock = threading.Lock()
        handler = partial(_Handler, self, directory=str(static_root))
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def url(self, path: str) -> str:
        return self.base_url + path.lstrip("/")

    def route(self, path: str, reply: Route) -> str:
        """Script ``path`` (without query) and return its full URL."""
        self.routes["/" + path.lstrip("/")] = reply
        return self.url(path)

    def reset(self) -> None:
        with self._lock:
            self.routes.clear()
            self.requests.clear()
            self.in_flight = self.max_in_flight = 0
            self._generation += 1

    def requested(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == "/" + path.lstrip("/")]

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()  # returns within serve_forever's poll interval
        self._httpd.server_close()

    def _enter(self, request: Request) -> int:
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self._generation

    def _leave(self, generation: int) -> None:
        # A handler of an earlier test (a slow body the client abandoned) may finish after
        # reset(); counting it down here would hide this test's concurrency.
        with self._lock:
            if generation == self._generation:
                self.in_flight -= 1


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up mid-body (size caps, timeouts) are what the tests provoke


class _Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, server_state: ScriptedServer, *args, **kwargs) -> None:
        self.state = server_state
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        path, query = urlsplit(self.path).path, urlsplit(self.path).query
        request = Request(path=path, headers={k.lower(): v for k, v in self.headers.items()}, at=time.monotonic(),
                          query=query)
        generation = self.state._enter(request)
        try:
            route = self.state.routes.get(path)
            if route is None:
                super().do_GET()  # static file from the sample site (handles If-Modified-Since itself)
            else:
                self._reply(route(request) if callable(route) else route, request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeouts, size caps): expected
        finally:
            self.state._leave(generation)

    def _reply(self, reply: Reply, request: Request) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        not_modified = (reply.etag is not None and request.headers.get("if-none-match") == reply.etag) or (
            reply.last_modified is not None and request.headers.get("if-modified-since") == reply.last_modified
        )
        status = 304 if not_modified else reply.status
        body = b"" if not_modified or status in (204, 304) else reply.body
        self.send_response(status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.etag:
            self.send_header("ETag", reply.etag)
        if reply.last_modified:
            self.send_header("Last-Modified", reply.last_modified)
        if (reply.send_length and reply.drip_until is None) or status == 304:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if reply.reset_after is not None:
            self.wfile.write(body[: reply.reset_after])
            self.wfile.flush()
            # SO_LINGER with a zero timeout makes close() send RST: the client sees "connection reset".
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if reply.drip_until is not None:
            while not reply.drip_until.wait(reply.chunk_delay or 0.5):
                self.wfile.write(b" ")
                self.wfile.flush()
        if not body:
            return
        if reply.chunk_size <= 0:
            self.wfile.write(body)
            return
        for start in range(0, len(body), reply.chunk_size):
            self.wfile.write(body[start : start + reply.chunk_size])
            self.wfile.flush()
            if reply.chunk_delay:
                time.sleep(reply.chunk_delay)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean
