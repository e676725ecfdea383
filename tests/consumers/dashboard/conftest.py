"""Fixtures of the dashboard tests: the real `marsad api` on 127.0.0.1 over real SQLite views, and
Debian's Chromium driven by Playwright (skipped when /usr/bin/chromium or Playwright is missing).

``demo_api`` serves the sample stories processed by the pipeline, with the
session's Kafka broker behind the live alert feed; ``token_api`` is the
same views behind a token. Every page records its console errors.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from consumers.api.dashboard import STATIC
from deploy.kafka.local import free_port
from runtime.kafka.admin import create_topics
from tests.conftest import ROOT
from tests.consumers.dashboard.demo import demo_alerts, demo_events, fill_views

CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "dashboard-test-token"


@dataclass
class Api:
    """A running `marsad api` process and an HTTP client for it (sending the token when there is one)."""

    base: str
    proc: subprocess.Popen
    client: httpx.Client
    prefix: str = ""
    bootstrap: str = ""
    token: str = ""
    views: str = ""
    log: Path = field(default_factory=Path)

    def get(self, path: str, **params: str) -> dict:
        r = self.client.get(path, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    def stop(self) -> None:
        self.client.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_api(views_url: str, log: Path, *, token: str = "", bootstrap: str = "", prefix: str = "",
              env: dict[str, str] | None = None) -> Api:
    port = free_port()
    env = {**os.environ, "MARSAD_VIEWS_URL": views_url, "MARSAD_API_TOKEN": token, "MARSAD_LOG_LEVEL": "info",
           "MARSAD_TOPIC_PREFIX": prefix or f"dash-{uuid.uuid4().hex[:8]}", **(env or {})}
    if bootstrap:
        env["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
    out = log.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "deploy.cli.main", "api", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=out, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=base, timeout=30,
                          headers={"Authorization": f"Bearer {token}"} if token else {})
    api = Api(base, proc, client, env["MARSAD_TOPIC_PREFIX"], bootstrap, token, views_url, log)
    deadline = time.monotonic() + 30
    while True:
        try:
            if client.get("/health").status_code == 200:
                return api
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            api.stop()
            raise RuntimeError(f"marsad api did not start: {log.read_text()[-2000:]}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def demo_views(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'views.sqlite'}"
    articles = demo_events()
    fill_views(url, [*articles, *demo_alerts(articles)])
    return url


@pytest.fixture(scope="module")
def demo_api(demo_views: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    prefix = f"dash-{uuid.uuid4().hex[:8]}"
    create_topics(kafka_bootstrap, prefix, partitions=2)
    api = start_api(demo_views, tmp_path_factory.mktemp("api") / "api.log", bootstrap=kafka_bootstrap, prefix=prefix)
    yield api
    api.stop()


@pytest.fixture(scope="module")
def token_api(demo_views: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    api = start_api(demo_views, tmp_path_factory.mktemp("api") / "api.log", token=TOKEN)
    yield api
    api.stop()


# Module scope: the sync API runs an event loop in this thread while it is open, which would break
# every later test that calls asyncio.run (they run after the dashboard modules).
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install .[dev])")
    if not (STATIC / "vendor" / "leaflet" / "leaflet.js").exists():
        pytest.fail("the dashboard's libraries are missing: run `make setup` (npm ci + consumers.api.dashboard_assets)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@dataclass
class Page:
    """A browser page with what it logged: console errors and uncaught exceptions."""

    page: object
    errors: list[str]


@pytest.fixture
def open_page(browser) -> Iterator:
    """``open_page(url)``: a fresh context (so sessionStorage is empty) at 1400x1000, loaded until ready."""
    contexts = []

    def open_(url: str, *, wait_ready: bool = True, locale: str = "ar-SY") -> Page:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale, accept_downloads=True)
        contexts.append(ctx)
        page = ctx.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        page.goto(url)
        if wait_ready:
            page.wait_for_selector("body[data-state=ready]", timeout=15000)
        return Page(page, errors)

    yield open_
    for ctx in contexts:
        ctx.close()


def timeline_totals(page) -> dict[str, int]:
    """Counts per series (topic or incident type) over the whole span (the timeline's window set to all of it),
    summed from its stacked bars."""
    page.locator("#timeline-window").select_option("all")
    return page.evaluate("""() => {
        const out = {};
        for (const r of document.querySelectorAll('#timeline svg rect[data-topic]'))
            out[r.dataset.topic] = (out[r.dataset.topic] || 0) + Number(r.dataset.count);
        return out; }""")
