"""A web site of a test's own on 127.0.0.1: each path answered by ``answer``, 404 where it gives None."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

HTML = "text/html; charset=utf-8"


def article_page(title: str, paragraphs: Iterable[str], nav: str) -> bytes:
    """An Arabic news page as outlets write it: navigation, the article (title, paragraphs), a footer."""
    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    return (f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{escape(title)}'
            f"</title></head><body><nav>{nav}</nav><article><h1>{escape(title)}</h1>{body}</article>"
            f"<footer>جميع الحقوق محفوظة</footer></body></html>").encode()


class LocalSite:
    """Serves in a thread from construction to `close`; subclasses say what each path holds."""

    def __init__(self) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> None:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def answer(self, path: str) -> tuple[bytes | None, str]:
        """The body at ``path`` (None: 404) and its content type."""
        raise NotImplementedError

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body, ctype = site.answer(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
