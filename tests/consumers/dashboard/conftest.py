"""Fixtures of the dashboard tests: the real `marsad api` on 127.0.0.1 over real SQLite views, and
Debian's Chromium driven by Playwright (skipped when /usr/bin/chromium or Playwright is missing).

``demo_api`` serves the sample stories processed by the pipeline, with the
session's Kafka broker behind the live alert feed; ``token_api`` is the
same views behind a token. Every page records its console errors.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from marsad.consumers.api.dashboard import STATIC
from marsad.runtime.kafka.admin import create_topics
from tests.consumers.api.server import Api, start_api
from tests.consumers.dashboard.demo import demo_alerts, demo_events, fill_views

CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "dashboard-test-token"


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
        pytest.fail("the dashboard's libraries are missing: run `make setup` (npm ci + marsad.consumers.api.dashboard_assets)")
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


def apply_filter(page, **values: str) -> None:
    """Fill the filter form's fields (selects chosen, inputs typed), submit it, and wait for the new data."""
    for name, value in values.items():
        field = page.locator(f"#filters [name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.evaluate("document.body.dataset.state = 'loading'")
    page.locator("#filters button[type=submit]").click()
    page.wait_for_selector("body[data-state=ready]")


def timeline_totals(page) -> dict[str, int]:
    """Counts per series (topic or incident type) over the whole span (the timeline's window set to all of it),
    summed from its stacked bars."""
    page.locator("#timeline-window").select_option("all")
    return page.evaluate("""() => {
        const out = {};
        for (const r of document.querySelectorAll('#timeline svg rect[data-topic]'))
            out[r.dataset.topic] = (out[r.dataset.topic] || 0) + Number(r.dataset.count);
        return out; }""")
