"""The dashboard in a real browser (Debian's Chromium through Playwright) against a running `marsad api`.

What the page shows is compared with what the API answers for the same
filter, so the tests check the page end to end: markers, timeline, exports,
the live feed from Kafka, right-to-left Arabic, keyboard reach and the token.
"""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from kafka import KafkaProducer

from marsad.schemas.codec import encode
from marsad.schemas.events import AlertRaised
from marsad.schemas.facts import Evidence, Place, Topic
from tests.consumers.api.server import Api
from tests.consumers.dashboard.conftest import TOKEN, apply_filter, timeline_totals

pytestmark = pytest.mark.kafka


def dom_places(page) -> dict[str, int]:
    return {b.get_attribute("data-place"): int(b.get_attribute("data-articles"))
            for b in page.locator("#places button[data-place]").all()}


def marker_count(page) -> int:
    """Places drawn on the map: single markers plus the places inside each cluster."""
    return page.evaluate("""() => document.querySelectorAll('.leaflet-marker-pane .place-marker').length
        + [...document.querySelectorAll('.leaflet-marker-pane .place-cluster [data-places]')]
            .reduce((s, e) => s + Number(e.dataset.places), 0)""")


def api_timeline(api: Api, **filters: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for r in api.get("/counts", by="topic", per="day", limit="1000", duplicate="original", **filters)["items"]:
        totals[r["key"]] = totals.get(r["key"], 0) + r["articles"]
    return totals


def test_map_shows_a_marker_for_each_place(demo_api: Api, open_page) -> None:
    p = open_page(demo_api.base)
    places = demo_api.get("/places")["items"]
    by_place = demo_api.get("/counts", by="place", limit="1000")["items"]
    assert {r["key"]: r["articles"] for r in by_place} == {r["key"]: r["articles"] for r in places}
    assert len(places) > 20  # the demo names many places in Syria, Iraq and beyond
    assert dom_places(p.page) == {r["key"]: r["articles"] for r in places}
    assert marker_count(p.page) == len(places)
    p.page.wait_for_function("() => document.querySelectorAll('.leaflet-overlay-pane path').length > 100")  # outlines
    p.page.locator(".leaflet-overlay-pane path.admin1").first.wait_for(state="attached")  # governorates, provinces
    # the alert list at load comes from the alert view
    view = {a["alert_id"]: a["severity"] for a in demo_api.get("/alerts")["items"]}
    assert len(view) == 3
    shown = {li.get_attribute("data-alert"): li.get_attribute("data-severity")
             for li in p.page.locator("#alerts li").all()}
    assert view.items() <= shown.items()
    assert p.errors == []


def test_topic_filter_changes_markers_and_timeline(demo_api: Api, open_page) -> None:
    p = open_page(demo_api.base)
    everything = timeline_totals(p.page)
    assert everything == api_timeline(demo_api)
    apply_filter(p.page, topic="narcotics")
    expected = {r["key"]: r["articles"] for r in demo_api.get("/places", topic="narcotics")["items"]}
    assert dom_places(p.page) == expected
    assert marker_count(p.page) == len(expected)
    assert len(expected) < len(demo_api.get("/places")["items"])
    narrowed = timeline_totals(p.page)
    assert narrowed == api_timeline(demo_api, topic="narcotics")
    assert narrowed != everything and narrowed["narcotics"] == everything["narcotics"]
    assert "topic=narcotics" in p.page.url  # the filter is in the address, to share or reload
    assert p.errors == []


def test_place_lists_its_articles_and_opens_one(demo_api: Api, open_page) -> None:
    p = open_page(demo_api.base)
    first = demo_api.get("/places")["items"][0]
    p.page.locator(f"#places button[data-place='{first['key']}']").click()
    items = p.page.locator("#place-list li")
    items.first.wait_for()
    assert items.count() == min(first["articles"], 20)
    expected = demo_api.get(f"/places/{first['key']}/articles")["items"]
    assert [li.get_attribute("data-article") for li in items.all()] == [a["article_id"] for a in expected]
    items.first.locator("button").click()
    dialog = p.page.locator("#article-dialog")
    dialog.locator("a[href^='https://']").wait_for()
    article = demo_api.get(f"/articles/{expected[0]['article_id']}")
    assert dialog.locator("#article-title").inner_text() == article["title"]
    assert dialog.locator("a[href^='https://']").get_attribute("href") == article["url"]
    p.page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert p.errors == []


def test_exports_count_what_the_api_counts(demo_api: Api, open_page, tmp_path: Path) -> None:
    p = open_page(demo_api.base + "/?topic=narcotics")
    articles = demo_api.get("/places", topic="narcotics")["articles"]
    by_source = sum(r["articles"] for r in demo_api.get("/counts", by="source", topic="narcotics")["items"])
    assert articles == by_source > 0
    seizures = sum(r["seizures"] for r in demo_api.get("/seizures/totals", topic="narcotics")["items"])
    assert seizures > 0
    for name, expected in (("articles", articles), ("seizures", seizures)):
        for fmt in ("csv", "geojson"):
            with p.page.expect_download() as info:
                p.page.locator(f"button[data-export='{name}.{fmt}']").click()
            path = tmp_path / info.value.suggested_filename
            info.value.save_as(path)
            assert path.name.startswith(f"marsad-{name}-") and path.suffix == f".{fmt}"
            if fmt == "csv":
                rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
                assert len(rows) == expected
                assert all("narcotics" in r["topics"] for r in rows) if name == "articles" else True
            else:
                doc = json.loads(path.read_text(encoding="utf-8"))
                assert doc["type"] == "FeatureCollection" and len(doc["features"]) == expected
    assert p.errors == []


def test_live_alert_appears_without_reload(demo_api: Api, open_page) -> None:
    p = open_page(demo_api.base)
    page = p.page
    page.wait_for_selector("#live-state[data-state=live]", timeout=30000)
    page.evaluate("window.notReloaded = true")
    alert = AlertRaised(
        alert_id=f"spike-narcotics-{time.time_ns()}", rule_id="narcotics-spike", severity="critical", kind="spike",
        title="ارتفاع مفاجئ في أخبار المخدرات في درعا", scope="topic=narcotics place=درعا",
        window_start=datetime(2024, 11, 12, tzinfo=UTC), window_end=datetime(2024, 11, 13, tzinfo=UTC),
        observed=5, expected=1.2, matched=["5 مقالات خلال 24 ساعة مقابل 1.2 في المعدل"],
        topics=[Topic("narcotics", 0.9, [Evidence("كبتاغون", "الكبتاغون", 10)])],
        places=[Place("درعا", 32.6189, 36.1021, "SY", "city", 170592)], countries=["SY"])
    producer = KafkaProducer(bootstrap_servers=demo_api.bootstrap)
    try:
        start = time.monotonic()
        producer.send(f"{demo_api.prefix}.alerts", key=alert.rule_id.encode(), value=encode(alert)).get(10)
        item = page.locator(f"#alerts li[data-alert='{alert.alert_id}']")
        item.wait_for(timeout=5000)
        print(f"\nlive alert shown {time.monotonic() - start:.2f} s after it was published")
    finally:
        producer.close()
    assert page.evaluate("window.notReloaded") is True
    assert item.get_attribute("data-severity") == "critical"
    assert page.locator(f"#timeline rect.spike[data-alert='{alert.alert_id}']").count() == 1
    item.locator("button").click()
    dialog = page.locator("#alert-dialog")
    assert "5 مقالات خلال 24 ساعة" in dialog.inner_text()
    assert "الكبتاغون" in dialog.inner_text()
    assert p.errors == []


def test_arabic_renders_right_to_left(demo_api: Api, open_page, tmp_path: Path) -> None:
    p = open_page(demo_api.base)
    page = p.page
    assert page.evaluate("[document.documentElement.dir, document.documentElement.lang]") == ["rtl", "ar"]
    page.wait_for_function("() => document.querySelectorAll('.leaflet-overlay-pane path').length > 100")
    page.locator(".leaflet-overlay-pane path.admin1").first.wait_for(state="attached")
    page.screenshot(path=str(tmp_path / "dashboard-overview.png"))
    page.locator("#places button").first.click()
    title = page.locator("#place-list .title bdi").first
    title.wait_for()
    text = title.inner_text()
    assert any("\u0600" <= c <= "\u06ff" for c in text)
    # the first letter is drawn to the right of the last one: laid out right to left, not reversed
    first_x, last_x, direction = title.evaluate("""e => {
        const node = e.firstChild, r = document.createRange();
        r.setStart(node, 0); r.setEnd(node, 1); const a = r.getBoundingClientRect();
        r.setStart(node, node.length - 1); r.setEnd(node, node.length); const b = r.getBoundingClientRect();
        return [a.left, b.left, getComputedStyle(e).direction]; }""")
    assert direction == "rtl" and first_x > last_x
    page.screenshot(path=str(tmp_path / "dashboard-ar.png"), full_page=True)
    print(f"\nscreenshot: {tmp_path / 'dashboard-ar.png'}")

    page.locator("#lang-button").click()  # English interface; content keeps its own direction
    assert page.evaluate("[document.documentElement.dir, document.documentElement.lang]") == ["ltr", "en"]
    assert page.locator("#places-title").inner_text() == "Places"
    assert title.evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.screenshot(path=str(tmp_path / "dashboard-en.png"), full_page=True)
    page.locator("#lang-button").click()
    assert p.errors == []


def test_keyboard_reaches_every_control(demo_api: Api, open_page) -> None:
    p = open_page(demo_api.base)
    page = p.page
    page.locator("#places button").first.click()  # so the place's articles are there too
    page.locator("#place-list button").first.wait_for()
    page.locator("body").focus()
    page.evaluate("window.scrollTo(0, 0); document.activeElement.blur()")
    controls = page.evaluate("""() => [...document.querySelectorAll(
        'main button, main select, main input, #filters button, #filters select, #filters input, header button')]
        .filter(e => e.offsetParent !== null).map(e => e.outerHTML.slice(0, 120))""")
    reached: set[str] = set()
    for _ in range(len(controls) + 120):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.outerHTML.slice(0, 120)"))
        if set(controls) <= reached:
            break
    assert set(controls) - reached == set()
    # a place is chosen with the keyboard alone
    page.locator("#places button").nth(1).focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.closest('#place-list') !== null")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    assert p.errors == []


def test_token_is_required_by_the_page_requests(token_api: Api, open_page) -> None:
    bare = httpx.Client(base_url=token_api.base, timeout=10)
    for path in ("/places", "/seizures/summary", "/export/articles.csv", "/live/alerts", "/dashboard/config"):
        assert bare.get(path).status_code == 401, path
    for path in ("/", "/static/js/main.js", "/static/vendor/leaflet/leaflet.js"):
        assert bare.get(path).status_code == 200, path
    for path in ("/static/vendor/world-atlas/countries-50m.json", "/static/vendor/natural-earth/admin1-lines.json"):
        r = bare.get(path)  # httpx accepts gzip: the map data goes compressed
        assert (r.status_code, r.headers.get("content-encoding"), r.json()["type"]) == (200, "gzip", "Topology"), path
    bare.close()
    p = open_page(token_api.base, wait_ready=False)
    page = p.page
    page.locator("#token-dialog").wait_for()  # the API said 401: the page asks for the token
    page.locator("#token-input").fill(TOKEN)
    sent: list[tuple[str, str | None]] = []
    page.on("request", lambda r: sent.append((r.url, r.headers.get("authorization")))
            if "/static/" not in r.url and r.resource_type in ("fetch", "xhr") else None)
    page.locator("#token-input").press("Enter")
    page.wait_for_selector("body[data-state=ready]")
    assert dom_places(page) == {r["key"]: r["articles"] for r in token_api.get("/places")["items"]}
    assert sent and all(auth == f"Bearer {TOKEN}" for _, auth in sent), sent
    assert page.evaluate("sessionStorage.getItem('marsad.token')") == TOKEN
    # the token may come in the fragment instead; it is removed from the address at once
    p2 = open_page(f"{token_api.base}/#token={TOKEN}")
    assert "token" not in p2.page.url and p2.errors == []
