"""The kind of source on the dashboard (Debian's Chromium through Playwright, a running `marsad api`):
a badge per article, an "edited" mark on a revised post, and a filter whose result matches the API's."""

from __future__ import annotations

import pytest

from tests.consumers.api.server import Api
from tests.consumers.dashboard.conftest import apply_filter
from tests.consumers.dashboard.test_dashboard import dom_places

pytestmark = pytest.mark.kafka


def test_the_kind_filter_narrows_the_page_as_the_api_does(demo_api: Api, open_page) -> None:
    p = open_page(demo_api.base)
    kinds = p.page.locator("#filters select[name=kind] option")
    offered = {o.get_attribute("value"): o.inner_text() for o in kinds.all()}
    by_kind = {r["key"]: r["articles"] for r in demo_api.get("/counts", by="kind")["items"]}
    assert set(offered) == {"", *by_kind} and offered["telegram"].startswith("تلغرام")

    apply_filter(p.page, kind="telegram")
    expected = {r["key"]: r["articles"] for r in demo_api.get("/places", kind="telegram")["items"]}
    assert dom_places(p.page) == expected and len(expected) < len(demo_api.get("/places")["items"])
    assert "kind=telegram" in p.page.url  # in the address, to share or reload

    place = next(iter(expected))
    p.page.locator(f"#places button[data-place='{place}']").click()
    items = p.page.locator("#place-list li")
    items.first.wait_for()
    listed = demo_api.get(f"/places/{place}/articles", kind="telegram")["items"]
    assert [li.get_attribute("data-article") for li in items.all()] == [a["article_id"] for a in listed]
    assert {li.get_attribute("data-kind") for li in items.all()} == {"telegram"}
    assert items.first.locator(".chip.kind").inner_text() == "تلغرام"
    assert p.errors == []


def test_an_edited_post_is_marked_in_the_list_and_the_article_view(demo_api: Api, open_page) -> None:
    (post,) = [a for a in demo_api.get("/articles", kind="telegram", limit="200")["items"] if a["edited"]]
    assert post["revision"] == 2
    place = post["places"][0]["name"]
    key = next(r["key"] for r in demo_api.get("/places", kind="telegram")["items"] if r["name"] == place)
    p = open_page(demo_api.base + "/?kind=telegram")
    p.page.locator(f"#places button[data-place='{key}']").click()
    item = p.page.locator(f"#place-list li[data-article='{post['article_id']}']")
    item.wait_for()
    edited = item.locator(".chip.edited")
    assert edited.inner_text() == "معدَّل" and "2" in edited.get_attribute("title")

    item.locator("button").click()
    dialog = p.page.locator("#article-dialog")
    dialog.locator(".chip.kind").wait_for()
    assert dialog.locator(".chip.kind").inner_text() == "تلغرام" and dialog.locator(".chip.edited").count() == 1
    p.page.keyboard.press("Escape")
    p.page.locator("#lang-button").click()  # the labels follow the interface language
    assert p.page.locator("#filters select[name=kind] option[value=sitemap]").inner_text().startswith("Sitemap")
    assert item.locator(".chip.kind").inner_text() == "Telegram" and item.locator(".chip.edited").inner_text() == "edited"
    assert p.errors == []
