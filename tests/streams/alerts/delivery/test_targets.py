"""A webhook target against a real server on 127.0.0.1: the ``Retry-After`` of a 429, in seconds or as a date."""

from __future__ import annotations

import asyncio
import email.utils
import time

import pytest
from aiohttp import web

from marsad.streams.alerts.delivery.endpoints import Endpoint
from marsad.streams.alerts.delivery.targets import MAX_RETRY_AFTER, Delivery, Outcome, WebhookTarget


def _date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


async def _send_to(retry_after: str | None) -> Outcome:
    async def busy(_request: web.Request) -> web.Response:
        return web.Response(status=429, headers={"Retry-After": retry_after} if retry_after is not None else {})

    app = web.Application()
    app.router.add_post("/hook", busy)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    target = WebhookTarget(Endpoint("hook", f"http://127.0.0.1:{port}/hook", b"secret"), 5.0)
    try:
        return await target.send(Delivery(b"{}", "key-1", "AlertRaised"))
    finally:
        await target.close()
        await runner.cleanup()


@pytest.mark.parametrize(("header", "low", "high"), [
    pytest.param("120", 120.0, 120.0, id="seconds"),
    pytest.param(None, 0.0, 0.0, id="absent"),
    pytest.param("soon", 0.0, 0.0, id="unreadable"),
    pytest.param(-60, 0.0, 0.0, id="date-past"),
    pytest.param(600, 1.0, 600.0, id="date-ahead"),
    pytest.param(7200, MAX_RETRY_AFTER, MAX_RETRY_AFTER, id="date-capped"),
])
def test_a_429_reports_its_retry_after(header: str | int | None, low: float, high: float) -> None:
    """A number parameter is a date that many seconds from now, written when the test runs (not collected)."""
    outcome = asyncio.run(_send_to(_date(header) if isinstance(header, int) else header))
    assert not outcome.accepted and not outcome.final and outcome.status == 429
    assert low <= outcome.retry_after <= high
