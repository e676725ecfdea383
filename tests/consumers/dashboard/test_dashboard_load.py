"""The dashboard over 10,000 articles: aggregation on the server keeps the page quick.

Figures are printed, not asserted tightly (no test fails on a timing): the
bound below only catches a page that fetches everything or never settles.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.consumers.api.server import Api, start_api
from tests.consumers.dashboard.demo import GRID_PLACES, fill_views, synthetic_events

N = 10_000
SANITY_SECONDS = 10.0


@pytest.fixture(scope="module")
def big_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    url = f"sqlite:///{tmp_path_factory.mktemp('big') / 'views.sqlite'}"
    start = time.monotonic()
    fill_views(url, synthetic_events(N))
    print(f"\n{N:,} articles written to the views in {time.monotonic() - start:.1f} s")
    api = start_api(url, tmp_path_factory.mktemp("api") / "api.log")
    yield api
    api.stop()


def test_interactive_within_a_second_with_10000_articles(big_api: Api, open_page) -> None:
    assert big_api.get("/places")["articles"] == N
    open_page(big_api.base)  # a first visit warms the browser's cache and the database's pages
    p = open_page(big_api.base)
    page = p.page
    ready_ms = page.evaluate("() => performance.getEntriesByName('marsad-ready')[0].startTime")
    base_ms = page.evaluate("() => { const m = performance.getEntriesByName('marsad-base-map')[0]; "
                            "return m.startTime + m.duration; }")
    fetched = page.evaluate("""() => performance.getEntriesByType('resource')
        .filter(e => !e.name.includes('/static/')).map(e => [new URL(e.name).pathname, e.transferSize])""")
    assert len(page.locator("#places button").all()) == len(GRID_PLACES)
    assert not [path for path, _ in fetched if path == "/articles"]  # never the article list
    start = time.monotonic()
    page.locator("#places button").first.click()
    page.locator("#place-list li").first.wait_for()
    click_ms = (time.monotonic() - start) * 1000
    start = time.monotonic()
    page.locator("#filters [name=topic]").select_option("narcotics")
    page.evaluate("() => { document.body.dataset.state = 'loading'; }")
    page.locator("#filters button[type=submit]").click()
    page.wait_for_selector("body[data-state=ready]")
    filter_ms = (time.monotonic() - start) * 1000
    total_kb = sum(size for _, size in fetched) / 1024
    print(f"\n{N:,} articles: page interactive {ready_ms:.0f} ms after navigation start "
          f"({len(fetched)} API requests, {total_kb:.0f} KB), base map drawn at {base_ms:.0f} ms; "
          f"a place's articles in {click_ms:.0f} ms; "
          f"a topic filter applied in {filter_ms:.0f} ms")
    assert ready_ms < SANITY_SECONDS * 1000
    assert p.errors == []
