"""The analyst's daily view in a real browser (Debian's Chromium through Playwright) against a running `marsad api`.

Views of a few articles written here (two narcotics stories a month apart, one of them copied by a second
outlet; a terrorism story; an arms story two years earlier) and three alerts (a story, an incident, a
terrorism story) check: alert cards lead with headline, place and times; the alert list follows the page's
topic filter; reasons come in the page's language; a mixed Arabic, Latin and number headline keeps its logical
order (the boxes of its runs); the timeline draws its empty days as zeros, defaults to the last 30 days, its
labels never touch, and its range strip sets the page's date filter; the ledger counts originals unless copies
are asked for; an error is said in the page's language and stale data is marked. With
MARSAD_DASHBOARD_SCREENSHOT=1 (or when missing) the README's screenshots are taken over the demo data.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from marsad.schemas.events import AlertRaised, ArticleProcessed, Duplicate
from marsad.schemas.facts import Evidence, Org, Place, Quantity, Topic
from tests.conftest import ROOT
from tests.consumers.api.server import Api, start_api
from tests.consumers.dashboard.conftest import apply_filter
from tests.consumers.dashboard.demo import fill_views

DARAA = Place("درعا", 32.6189, 36.1021, "SY", "city", 170654)
NASIB = Place("معبر نصيب", 32.5475, 36.2039, "SY", "crossing")
DEIR = Place("دير الزور", 35.3359, 40.1408, "SY", "city", 170794)
MIXED = "إحباط تهريب 250 كغ من Captagon عبر معبر نصيب"
OCT1 = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
NOV1 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
SHOTS = {1600: ROOT / "docs" / "dashboard.png", 400: ROOT / "docs" / "dashboard-narrow.png"}


def article(aid: str, at: datetime, title: str, topic: str, place: Place, *, source: str = "وكالة أ",
            pills: float | None = None, copy_of: str | None = None, orgs: list[Org] | None = None) -> ArticleProcessed:
    quantities = [Quantity(pills, "pill", "captagon", f"{pills:,.0f} حبة كبتاغون")] if pills else []
    return ArticleProcessed(
        event_id=f"p-{aid}", occurred_at=at, article_id=aid, url=f"https://example.org/{aid}", source=source,
        title=title, published=at, lang="ar", clean_text=f"{title}. نص تجريبي كتب للاختبار.",
        topics=[Topic(topic, 0.9, [Evidence("تهريب", "تهريب", 6)])], places=[place], countries=[place.country],
        orgs=orgs or [], quantities=quantities,
        duplicate=Duplicate("near", copy_of, 0.93) if copy_of else Duplicate(), taxonomy_version="t1",
        gazetteer_version="g1")


def events() -> list:
    a1 = article("n1", OCT1, MIXED, "narcotics", NASIB, pills=3_000_000)
    copy = article("n1c", OCT1 + timedelta(hours=2), MIXED, "narcotics", NASIB, source="موقع ب", pills=3_000_000,
                   copy_of="n1")
    a2 = article("n2", NOV1, "ضبط شحنة حشيش قرب درعا", "narcotics", DARAA)
    a3 = article("t1", datetime(2026, 10, 15, 12, tzinfo=UTC), "هجوم لخلية على حاجز في دير الزور", "terrorism",
                 DEIR, orgs=[Org("isis", "داعش")])
    old = article("o1", datetime(2024, 11, 5, 10, tzinfo=UTC), "مصادرة أسلحة في درعا", "arms", DARAA)
    story = AlertRaised(
        event_id="al-story", occurred_at=OCT1 + timedelta(hours=2, minutes=5), alert_id="border:n1",
        rule_id="border-smuggling", title="تهريب عبر الحدود", severity="critical", story_id="n1",
        article_ids=["n1", "n1c"], sources=["وكالة أ", "موقع ب"], titles=[MIXED, MIXED],
        urls=["https://example.org/n1", "https://example.org/n1c"], topics=a1.topics, places=[NASIB],
        countries=["SY"], quantities=a1.quantities, window_start=OCT1,
        matched=["topic narcotics (0.90: تهريب)", "quantity 3,000,000 pill captagon >= 1,000,000 pill "
                 "(3,000,000 حبة كبتاغون)", "place معبر نصيب (32.5475, 36.2039) border crossings",
                 "text 'تهريب' (تهريب)", "corroborated by 2 sources (at least 2 within 24 h): وكالة أ, موقع ب"])
    terror = AlertRaised(
        event_id="al-terror", occurred_at=a3.occurred_at + timedelta(minutes=3), alert_id="isis:t1",
        rule_id="isis-activity", title="نشاط لخلايا تنظيم الدولة", severity="warning", story_id="t1",
        article_ids=["t1"], sources=["وكالة أ"], titles=[a3.title], urls=[a3.url], topics=a3.topics, places=[DEIR],
        countries=["SY"], orgs=a3.orgs, window_start=a3.published,
        matched=["organisation isis (داعش)", "topic terrorism (0.90: تهريب)"])
    incident = AlertRaised(
        event_id="al-incident", occurred_at=a3.occurred_at + timedelta(hours=5), alert_id="deadly:inc1",
        rule_id="deadly-attacks", title="هجوم دامٍ", severity="critical", kind="incident", incident_id="inc1",
        incident_type="attack", killed=4, outlets=3, article_ids=["t1"], sources=["وكالة أ", "موقع ب", "قناة ج"],
        titles=[a3.title], urls=[a3.url], places=[DEIR], countries=["SY"], window_start=a3.published,
        matched=["incident attack on 2026-10-15 at دير الزور", "killed 4 >= 3 (reports give 3-5)"])
    return [old, a1, copy, a3, a2, story, terror, incident]


@pytest.fixture(scope="module")
def daily_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    url = f"sqlite:///{tmp_path_factory.mktemp('daily') / 'views.sqlite'}"
    fill_views(url, events())
    api = start_api(url, tmp_path_factory.mktemp("api") / "api.log")
    yield api
    api.stop()


def test_alert_cards_lead_with_headline_place_and_time(daily_api: Api, open_page) -> None:
    p = open_page(daily_api.base)
    story = p.page.locator("#alerts li[data-alert='border:n1'] button")
    # what happened comes first; the rule's title last
    assert story.locator(":scope > *").first.evaluate("e => e.className") == "headline"
    assert story.locator(".headline").inner_text() == MIXED
    assert "معبر نصيب" in story.locator(".fact.place dd").inner_text()
    facts = {dt.inner_text(): dd.inner_text() for dt, dd in zip(story.locator("dt").all(), story.locator("dd").all(),
                                                                 strict=True)}
    assert facts["أول خبر"].startswith("1 تشرين الأول 2026")  # the event: the first report
    assert facts["رُفع التنبيه"].startswith("1 تشرين الأول 2026")
    assert facts["المصادر"] == "مصدران"  # Arabic dual, through Intl.PluralRules
    assert "تهريب عبر الحدود" in story.locator(".rule-line").inner_text()
    incident = p.page.locator("#alerts li[data-alert='deadly:inc1'] button")
    assert incident.locator(".headline").inner_text() == "هجوم في دير الزور"
    assert incident.locator(".toll").inner_text() == "4 قتلى"
    assert incident.locator(".fact.outlets dd").inner_text() == "3 مصادر"
    # the reasons in the page's language, read back from the agent's machine text
    story.click()
    reasons = p.page.locator("#alert-dialog .reasons li")
    assert reasons.count() == 5 and p.page.locator("#alert-dialog .reasons li[data-form=raw]").count() == 0
    text = p.page.locator("#alert-dialog .reasons").inner_text()
    for said in ("الموضوع المخدرات", "كمية 3,000,000 حبة كبتاغون", "المكان معبر نصيب ضمن", "أكّدته مصدران"):
        assert said in text
    assert "quantity" not in text and "corroborated" not in text
    p.page.locator("#alert-dialog [data-close]").click()
    p.page.locator("#lang-button").click()
    story.click()
    assert "quantity 3,000,000 pills Captagon (at least 1,000,000 pills)" in p.page.locator("#alert-dialog .reasons").inner_text()
    assert p.errors == []


def test_alert_list_follows_the_page_filters(daily_api: Api, open_page) -> None:
    p = open_page(daily_api.base)
    shown = lambda: sorted(li.get_attribute("data-alert") for li in p.page.locator("#alerts li").all())  # noqa: E731
    assert shown() == ["border:n1", "deadly:inc1", "isis:t1"]
    apply_filter(p.page, topic="terrorism")
    assert shown() == ["isis:t1"]
    assert "topic=terrorism" in p.page.url
    apply_filter(p.page, topic="", org="isis")
    assert shown() == ["isis:t1"]
    apply_filter(p.page, org="", since="2026-10-10", until="2026-10-31")
    assert shown() == ["deadly:inc1", "isis:t1"]
    assert p.errors == []


def run_order(page, selector: str, runs: list[str]) -> list[float]:
    """The horizontal centre of each run of the element's text, from the boxes the browser laid them out in."""
    return page.locator(selector).evaluate("""(el, runs) => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        const nodes = []; while (walker.nextNode()) nodes.push(walker.currentNode);
        return runs.map((run) => {
            for (const n of nodes) {
                const i = n.data.indexOf(run);
                if (i < 0) continue;
                const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + run.length);
                const b = r.getBoundingClientRect(); return b.left + b.width / 2;
            }
            return null;
        }); }""", runs)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_mixed_arabic_latin_and_numbers_keep_their_logical_order(daily_api: Api, open_page, lang: str) -> None:
    p = open_page(daily_api.base)
    if lang == "en":
        p.page.locator("#lang-button").click()
        assert p.page.evaluate("document.documentElement.dir") == "ltr"
    runs = ["إحباط", "250", "كغ", "Captagon", "نصيب"]
    xs = run_order(p.page, "#alerts li[data-alert='border:n1'] .headline", runs)
    assert None not in xs
    # an Arabic headline reads right to left in either interface: each run lies left of the one before it
    assert xs == sorted(xs, reverse=True), dict(zip(runs, xs, strict=True))
    # a date inside the Arabic card: day, month, year from right to left
    when = run_order(p.page, "#alerts li[data-alert='border:n1'] .fact.when dd", ["1", "2026"])
    if lang == "ar":
        assert when[0] > when[1]
    assert p.errors == []


def bucket_counts(page) -> dict[str, int]:
    return {g.get_attribute("data-bucket"): int(g.get_attribute("data-count"))
            for g in page.locator("#timeline g.bucket").all()}


def test_timeline_zero_buckets_window_labels_and_range(daily_api: Api, open_page) -> None:
    p = open_page(daily_api.base)
    svg = p.page.locator("#timeline svg")
    # the default window: the last 30 days up to the newest article
    assert (svg.get_attribute("data-window-start"), svg.get_attribute("data-window-end")) == ("2026-10-03", "2026-11-01")
    apply_filter(p.page, topic="narcotics")
    p.page.locator("#timeline-window").select_option("90")
    buckets = bucket_counts(p.page)
    month = {k: v for k, v in buckets.items() if "2026-10-01" <= k <= "2026-11-01"}
    assert len(month) == 32  # every day between the two points, drawn
    assert month["2026-10-01"] == 1 and month["2026-11-01"] == 1  # originals: the copy is not counted
    assert sum(month.values()) == 2 and month["2026-10-16"] == 0
    # two years of data: labels for the span that never touch
    apply_filter(p.page, topic="")
    p.page.locator("#timeline-window").select_option("all")
    assert svg.get_attribute("data-window-start") == "2024-11-05"
    for box in ("#timeline svg", "#timeline-overview svg"):
        edges = p.page.locator(box).evaluate("""s => [...s.querySelectorAll('text.tick-label')].map((t) => {
            const b = t.getBoundingClientRect(); return [b.left, b.right]; }).sort((a, b) => a[0] - b[0])""")
        assert len(edges) >= 3, box
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(edges)), edges
    # dragging on the strip picks a period: it becomes the page's date filter
    p.page.locator("#timeline-overview svg").scroll_into_view_if_needed()
    strip = p.page.locator("#timeline-overview svg").bounding_box()
    y = strip["y"] + strip["height"] / 2
    p.page.evaluate("document.body.dataset.state = 'loading'")
    p.page.mouse.move(strip["x"] + strip["width"] * 0.9, y)
    p.page.mouse.down()
    p.page.mouse.move(strip["x"] + strip["width"] * 0.95, y, steps=4)
    p.page.mouse.up()
    p.page.wait_for_selector("body[data-state=ready]")
    since = p.page.locator("#filters [name=since]").input_value()
    until = p.page.locator("#filters [name=until]").input_value()
    assert "2026-01-01" < since < until <= "2026-11-01"
    assert f"since={since}" in p.page.url and f"until={until}" in p.page.url
    assert (svg.get_attribute("data-window-start"), svg.get_attribute("data-window-end")) == (since, until)
    assert p.page.locator("#timeline-window").is_disabled()
    # from the keyboard: the left arrow moves the period back by its own length
    days = (datetime.fromisoformat(until) - datetime.fromisoformat(since)).days + 1
    p.page.evaluate("document.body.dataset.state = 'loading'")
    p.page.locator("#timeline-overview svg").focus()
    p.page.keyboard.press("ArrowLeft")
    p.page.wait_for_selector("body[data-state=ready]")
    moved = datetime.fromisoformat(p.page.locator("#filters [name=since]").input_value())
    assert moved == datetime.fromisoformat(since) - timedelta(days=days)
    p.page.evaluate("document.body.dataset.state = 'loading'")
    p.page.locator("#clear-range").click()
    p.page.wait_for_selector("body[data-state=ready]")
    assert p.page.locator("#filters [name=since]").input_value() == ""
    assert p.errors == []


def ledger_total(page) -> str:
    return page.locator("#ledger-items tbody tr").first.locator("td").nth(1).inner_text()


def test_ledger_counts_originals_unless_copies_are_asked_for(daily_api: Api, open_page) -> None:
    p = open_page(daily_api.base)
    assert p.page.locator("#filters [name=duplicate]").input_value() == "original"
    assert ledger_total(p.page) == "3,000,000 حبة"
    assert "duplicate" not in p.page.url  # the default is not written into the address
    apply_filter(p.page, duplicate="all")
    assert ledger_total(p.page) == "6,000,000 حبة"
    assert "duplicate=all" in p.page.url
    assert p.page.locator("#filters [name=duplicate] option:checked").inner_text() == "مع النسخ المكررة"
    assert p.errors == []


def test_an_error_is_said_in_the_page_language_and_stale_data_marked(daily_api: Api, open_page) -> None:
    p = open_page(daily_api.base)
    assert not p.page.locator("#stale").is_visible()
    p.page.evaluate("document.body.dataset.state = 'loading'")
    p.page.goto(f"{daily_api.base}/?since=2026-11-02&until=2026-10-01")
    p.page.wait_for_selector("body[data-state=ready]")
    error = p.page.locator("#filter-error")
    assert error.is_visible() and error.inner_text().startswith("لم يقبل الخادم هذا الطلب")
    assert "since must be before until" in error.locator("code").text_content()  # the API's words, tucked away
    apply_filter(p.page, since="2026-10-01", until="2026-11-01")
    assert not error.is_visible() and not p.page.locator("#stale").is_visible()
    apply_filter(p.page, since="2026-11-02", until="2026-10-01")  # fails: what is on screen is now stale
    assert p.page.locator("#stale").is_visible() and "قديمة" in p.page.locator("#stale").inner_text()
    assert p.page.evaluate("document.body.hasAttribute('data-stale')")


def test_an_unknown_topic_is_said_in_the_page_language_and_the_numbers_marked_stale(daily_api: Api, open_page) -> None:
    """A topic the taxonomy lacks (say, one of an older taxonomy still in the views' list) is the API's 400
    naming it: the page says so in Arabic, keeps the API's words under the details, and marks what it shows."""
    p = open_page(daily_api.base)
    topic = p.page.locator("#filters [name=topic]")
    topic.evaluate("s => s.append(new Option('nosuch', 'nosuch'))")
    apply_filter(p.page, topic="nosuch")
    error = p.page.locator("#filter-error")
    said = error.locator("span").first.inner_text()
    assert said.startswith("لم يقبل الخادم هذا الطلب: لا يعرف التصنيف الموضوع «") and "nosuch" in said, said
    assert "unknown topic 'nosuch' for topic. Known: " in error.locator("code").text_content()
    assert p.page.locator("#stale").is_visible() and p.page.evaluate("document.body.hasAttribute('data-stale')")
    apply_filter(p.page, topic="narcotics")
    assert not error.is_visible() and not p.page.locator("#stale").is_visible()


@pytest.mark.parametrize("width", sorted(SHOTS))
def test_screenshots_for_the_readme(demo_views: str, browser, tmp_path, width: int) -> None:
    """The README's screenshots over the demo data (rewritten with MARSAD_DASHBOARD_SCREENSHOT=1)."""
    api = start_api(demo_views, tmp_path / "api.log")
    try:
        ctx = browser.new_context(viewport={"width": width, "height": 1300 if width > 800 else 1000}, locale="ar-SY")
        page = ctx.new_page()
        page.goto(api.base)
        page.wait_for_selector("body[data-state=ready]")
        page.wait_for_function("() => document.querySelectorAll('.leaflet-overlay-pane path').length > 100")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing overflows sideways
        shot = SHOTS[width]
        # narrow: the page's first 2,300 px (filters, map, places, alerts, timeline), as a phone scrolls it
        options = {"full_page": True, "clip": {"x": 0, "y": 0, "width": width, "height": 2300}} if width < 800 else {}
        page.screenshot(path=str(tmp_path / shot.name), **options)
        if os.environ.get("MARSAD_DASHBOARD_SCREENSHOT") or not shot.exists():
            page.screenshot(path=str(shot), **options)
        ctx.close()
    finally:
        api.stop()


def test_offline_map_writes_place_names_seats_first(daily_api: Api, open_page) -> None:
    p = open_page(daily_api.base)
    page = p.page
    page.wait_for_selector(".place-label", state="attached")
    labels = daily_api.get("/dashboard/place-labels")["items"]
    seats = {r[0] for r in labels if r[3] <= 1}
    assert {"دمشق", "بغداد", "حلب", "دير الزور"} <= seats
    page.evaluate("() => window.dispatchEvent(new Event('resize'))")

    def written() -> tuple[list[str], list[list[float]]]:
        return page.evaluate("""() => {
            const els = [...document.querySelectorAll('.place-label bdi')];
            return [els.map((e) => e.textContent), els.map((e) => { const b = e.getBoundingClientRect();
                return [b.left, b.top, b.right, b.bottom]; })]; }""")

    def zoom_to(z: int) -> None:
        page.locator("#map").evaluate("(el, z) => el.dispatchEvent(new CustomEvent('marsad-zoom', {detail: z}))", z)
        page.wait_for_timeout(300)

    zoom_to(5)
    names, boxes = written()
    ranks: dict[str, int] = {}
    for r in labels:  # a name may be two places (a town and its district, say): its best rank
        ranks[r[0]] = min(r[3], ranks.get(r[0], 9))
    assert names and all(ranks[n] <= 1 for n in names), [(n, ranks[n]) for n in names]  # far out: capitals and governorate seats only
    zoom_to(9)
    more, boxes = written()
    assert len(more) > len(names) and any(ranks[n] >= 3 for n in more)  # towns as one zooms in
    for i, a in enumerate(boxes):  # names never cover each other
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1), (a, b)
    assert p.errors == []


def test_a_topic_of_ones_own_taxonomy_is_named(tmp_path, open_page) -> None:
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_text("extends: default\ntopics:\n  water_rights:\n    name: حقوق المياه\n"
                        "    terms:\n      strong: [سد مائي]\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'views.sqlite'}"
    fill_views(url, [article("w1", OCT1, "خلاف على سد مائي", "water_rights", DARAA)])
    api = start_api(url, tmp_path / "api.log", env={"MARSAD_TAXONOMY": str(taxonomy)})
    try:
        p = open_page(api.base)
        assert p.page.locator("#filters [name=topic] option[value=water_rights]").inner_text().startswith("حقوق المياه")
        assert p.page.locator("#timeline-legend li[data-topic=water_rights]").inner_text().startswith("حقوق المياه")
        assert p.errors == []
    finally:
        api.stop()


def test_an_id_the_filters_would_refuse_is_not_offered(tmp_path, open_page) -> None:
    """A topic of an older taxonomy still counted in the views: not in the list, since the API refuses it."""
    url = f"sqlite:///{tmp_path / 'views.sqlite'}"
    fill_views(url, [article("r1", OCT1, "خبر قديم", "retired_topic", DARAA),
                     article("r2", NOV1, "ضبط شحنة", "narcotics", DARAA, orgs=[Org("isis", "داعش")])])
    api = start_api(url, tmp_path / "api.log")
    try:
        known = api.get("/dashboard/config")["known"]
        assert "narcotics" in known["topics"] and "retired_topic" not in known["topics"] and "isis" in known["orgs"]
        p = open_page(api.base)
        offered = p.page.locator("#filters [name=topic] option").evaluate_all("os => os.map((o) => o.value)")
        assert "narcotics" in offered and "retired_topic" not in offered
        assert "isis" in p.page.locator("#filters [name=org] option").evaluate_all("os => os.map((o) => o.value)")
        assert p.errors == []
    finally:
        api.stop()
