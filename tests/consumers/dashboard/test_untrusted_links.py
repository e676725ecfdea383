"""An imported article whose URL is ``javascript:...`` is shown as text in the dashboard, never as a link that runs.

Real views (the sample stories, each given a hostile URL), the real `marsad
api`, Debian's Chromium: the article view is opened and its source clicked.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest

from tests.consumers.api.server import Api, start_api
from tests.consumers.dashboard.demo import demo_events, fill_views

HOSTILE = "javascript:window.__pwned=1;void(0)"


@pytest.fixture(scope="module")
def hostile_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    folder = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{folder / 'views.sqlite'}"
    fill_views(url, [msgspec.structs.replace(e, url=HOSTILE) for e in demo_events()[:6]])
    api = start_api(url, folder / "api.log")
    yield api
    api.stop()


def test_a_javascript_url_is_text_and_clicking_it_runs_nothing(hostile_api: Api, open_page) -> None:
    p = open_page(hostile_api.base)
    first = hostile_api.get("/places")["items"][0]
    p.page.locator(f"#places button[data-place='{first['key']}']").click()
    p.page.locator("#place-list li button").first.click()
    dialog = p.page.locator("#article-dialog")
    dialog.get_by_text(HOSTILE).wait_for()

    assert p.page.locator("a[href^='javascript:' i]").count() == 0
    assert dialog.locator("a").evaluate_all("links => links.map(a => a.protocol)") in ([], ["http:"], ["https:"])
    dialog.get_by_text(HOSTILE).click()
    p.page.wait_for_timeout(300)
    assert p.page.evaluate("() => window.__pwned") is None
    assert p.page.url.startswith(hostile_api.base)


def test_h_refuses_a_javascript_href_whoever_builds_the_link(hostile_api: Api, open_page) -> None:
    p = open_page(hostile_api.base)
    hrefs = p.page.evaluate("""async () => {
        const { h } = await import('/static/js/dom.js');
        return ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' data:text/html,x', 'https://example.org/a',
                'blob:' + location.origin + '/x']
          .map((href) => h('a', { href }).getAttribute('href'));
    }""")
    assert hrefs == [None, None, None, "https://example.org/a", f"blob:{hostile_api.base}/x"]
