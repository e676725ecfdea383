"""The README's webhook receiver, run as printed: a real delivery gets 204, anything else 401 (or 400), never 500.

The code block is taken from README.md (the Python block defining ``class
Hook``), executed, and served by a real HTTP server on 127.0.0.1; marsad's
own `WebhookTarget` posts a signed alert to it, and raw requests probe what
a careless receiver would crash on.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import httpx
import pytest

from marsad.schemas.codec import encode
from marsad.streams.alerts.delivery.endpoints import Endpoint
from marsad.streams.alerts.delivery.signing import signed_headers
from marsad.streams.alerts.delivery.targets import Delivery, WebhookTarget
from tests.conftest import ROOT
from tests.streams.alerts.events import raised

SECRET = "readme-secret-0123456789"
BODY = encode(raised(1))


def readme_receiver() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "class Hook(" in b]
    assert len(blocks) == 1, "README: expected one Python block with the webhook receiver (class Hook)"
    return blocks[0]


@pytest.fixture(scope="module")
def hook_url(monkeypatch_module) -> Iterator[str]:
    monkeypatch_module.setenv("MARSAD_HOOK_OPS", SECRET)
    namespace: dict = {"__name__": "readme_receiver"}
    exec(compile(readme_receiver(), "README.md", "exec"), namespace)  # our own README's example
    errors: list[BaseException] = []

    class Hook(namespace["Hook"]):
        def log_message(self, *args: object) -> None:
            pass

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except Exception as e:  # what would be a 500 (or a dropped connection) in a real server
                errors.append(e)
                raise

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
    assert not errors, errors


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_a_delivery_signed_by_marsad_is_taken(hook_url):
    async def send():
        target = WebhookTarget(Endpoint("readme", hook_url, SECRET.encode()), 5.0)
        try:
            return await target.send(Delivery(BODY, "al0001", "AlertRaised"))
        finally:
            await target.close()
    outcome = asyncio.run(send())
    assert outcome.accepted and outcome.status == 204


def good(**change: str | bytes) -> dict:
    headers: dict = signed_headers(SECRET.encode(), BODY, "al0001", "AlertRaised")
    for name, value in change.items():
        name = name.replace("_", "-")
        if value is None:
            headers.pop(name)
        else:
            headers[name] = value
    return headers


@pytest.mark.parametrize("make_headers", [  # made when the test runs: the timestamps are fresh then
    pytest.param(lambda: {"Content-Type": "application/json"}, id="no-headers"),
    pytest.param(lambda: good(X_Marsad_Signature=None), id="no-signature"),
    pytest.param(lambda: good(X_Marsad_Timestamp=None), id="no-timestamp"),
    pytest.param(lambda: good(Idempotency_Key=None), id="no-idempotency-key"),
    pytest.param(lambda: good(X_Marsad_Timestamp="yesterday"), id="malformed-timestamp"),
    pytest.param(lambda: good(X_Marsad_Timestamp="-1"), id="negative-timestamp"),
    pytest.param(lambda: good(X_Marsad_Timestamp=str(int(time.time()) - 3600)), id="old-timestamp"),
    pytest.param(lambda: good(X_Marsad_Signature="md5=abc"), id="other-scheme"),
    pytest.param(lambda: good(X_Marsad_Signature=b"sha256=\xe9\xe9"), id="non-ascii-signature"),
    pytest.param(lambda: good(Idempotency_Key="al0002"), id="other-idempotency-key"),
])
def test_a_missing_or_malformed_header_is_answered_401(hook_url, make_headers):
    assert httpx.post(hook_url, content=BODY, headers=make_headers()).status_code == 401


def test_a_changed_body_is_answered_401(hook_url):
    assert httpx.post(hook_url, content=BODY + b" ", headers=good()).status_code == 401


def test_a_malformed_content_length_is_answered_400_not_500(hook_url):
    host, port = hook_url.split("/")[2].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n")
        assert s.recv(100).split(b"\r\n")[0].endswith(b"400 Bad Request")
