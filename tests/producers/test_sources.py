"""Sources beyond RSS through ``poll_feed``, against the real test server: sitemaps, section pages, Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from marsad.producers.events import discovered_event, entry_from_discovered, fetched_event
from marsad.producers.feeds.registry import Feed
from marsad.producers.feeds.state import FeedState
from marsad.producers.http import Fetcher
from marsad.producers.poller import FetchedArticle, PollOptions, fetch_article, poll_feed
from marsad.producers.urls import article_id
from marsad.schemas.codec import decode, encode
from tests.producers.scripted_server import Reply, Request, ScriptedServer
from tests.producers.scripted_sources import (
    XML,
    ChannelPost,
    gzipped,
    news_sitemap,
    robots_txt,
    section_page,
    sitemap_index,
    telegram_preview,
    urlset,
)

pytestmark = pytest.mark.anyio

NOW = datetime(2024, 11, 16, 12, 0, tzinfo=UTC)
OPTIONS = PollOptions(retry_base_delay=0.01, retry_max_delay=0.05)
HOUR = timedelta(hours=1)


async def poll(feed: Feed, local_options, state: FeedState | None = None, **options):
    async with Fetcher(local_options()) as fetcher:
        return await poll_feed(feed, state, fetcher, PollOptions(**options) if options else OPTIONS, now=NOW)


# -- sitemaps --------------------------------------------------------------------------------------------------
def serve_enab_sitemaps(server: ScriptedServer) -> dict[str, str]:
    """An index naming a news sitemap (gzip by Content-Encoding), a gzipped monthly urlset and an old one."""
    site = server.url("enab/")
    news = news_sitemap([
        (site + "2024/11/16/daraa-checkpoints", "حواجز جديدة على طريق درعا", NOW - 2 * HOUR),
        (site + "2024/11/15/deir-ezzor-clashes", "اشتباكات في ريف دير الزور", NOW - 20 * HOUR),
        (site + "2024/11/10/old-news", "خبر قديم", NOW - 6 * 24 * HOUR),
    ])
    server.route("enab/news-sitemap.xml", Reply(body=gzipped(news), etag='"news-1"',
                                                headers={"Content-Type": XML, "Content-Encoding": "gzip"}))
    monthly = urlset([
        (site + "2024/11/16/daraa-checkpoints", NOW - 2 * HOUR),  # also in the news sitemap
        (site + "2024/11/16/idlib-displacement", NOW - 3 * HOUR),
        (site + "about-the-camps", None),  # undated: kept
        (site + "2024/11/01/early-november", NOW - 15 * 24 * HOUR),
    ])
    server.route("enab/posts-2024-11.xml.gz", Reply(body=gzipped(monthly), last_modified="Sat, 16 Nov 2024 09:00:00 GMT",
                                                    headers={"Content-Type": "application/gzip"}))
    server.route("enab/posts-2019-01.xml.gz", Reply(body=gzipped(urlset([(site + "2019/01/05/x", None)]))))
    index = sitemap_index([
        (server.url("enab/news-sitemap.xml"), NOW - HOUR),
        (server.url("enab/posts-2024-11.xml.gz"), NOW - 3 * HOUR),
        (server.url("enab/posts-2019-01.xml.gz"), datetime(2019, 1, 31, tzinfo=UTC)),
    ])
    return {"index": server.route("enab/sitemap_index.xml", Reply(body=index, headers={"Content-Type": XML},
                                                                  etag='"idx-1"')), "site": site}


async def test_sitemap_index_reads_gzipped_and_news_children_and_skips_what_is_old(server, local_options) -> None:
    urls = serve_enab_sitemaps(server)
    feed = Feed(id="enab", url=urls["index"], kind="sitemap", title="عنب بلدي")

    outcome = await poll(feed, local_options)

    assert outcome.status == "ok", outcome.failure
    site = urls["site"]
    found = {entry.url: entry for entry in outcome.entries}
    assert set(found) == {site + "2024/11/16/daraa-checkpoints", site + "2024/11/15/deir-ezzor-clashes",
                          site + "2024/11/16/idlib-displacement", site + "about-the-camps"}
    news = found[site + "2024/11/16/daraa-checkpoints"]
    assert news.title == "حواجز جديدة على طريق درعا" and news.lang == "ar" and news.published == NOW - 2 * HOUR
    assert news.article_id == article_id(news.url) and news.source == "عنب بلدي" and not news.has_content
    assert outcome.counts == {"too old": 2, "old child sitemaps": 1}
    assert not server.requested("enab/posts-2019-01.xml.gz")  # an old child is not even fetched

    again = await poll(feed, local_options, outcome.state)  # the index is read again, its children answer 304
    assert again.status == "ok" and again.entries == [] and again.counts == {"old child sitemaps": 1}
    assert [r.headers.get("if-none-match") for r in server.requested("enab/sitemap_index.xml")] == [None, None]
    assert server.requested("enab/news-sitemap.xml")[1].headers["if-none-match"] == '"news-1"'
    assert server.requested("enab/posts-2024-11.xml.gz")[1].headers["if-modified-since"].startswith("Sat, 16 Nov")


async def test_a_failing_child_sitemap_is_named_and_the_others_still_count(server, local_options) -> None:
    urls = serve_enab_sitemaps(server)
    server.route("enab/posts-2024-11.xml.gz", Reply(body=b"<urlset><url><loc>broken"))
    outcome = await poll(Feed(id="enab", url=urls["index"], kind="sitemap"), local_options)
    assert outcome.status == "ok" and len(outcome.entries) == 2  # the news sitemap's fresh entries
    assert outcome.bozo_reason is not None and "1 of 2 sitemap(s) failed" in outcome.bozo_reason
    assert "posts-2024-11.xml.gz: not well-formed XML" in outcome.bozo_reason


async def test_one_poll_announces_at_most_the_newest_entries_of_the_cap(server, local_options, monkeypatch) -> None:
    monkeypatch.setattr("marsad.producers.sources.MAX_SITEMAP_ENTRIES", 2)
    site = server.url("archive/")
    body = urlset([(site + "undated-one", None), (site + "2024/11/16/a", NOW - 5 * HOUR),
                   (site + "undated-two", None), (site + "2024/11/16/b", NOW - HOUR)])
    url = server.route("archive/sitemap.xml", Reply(body=body, headers={"Content-Type": XML}))
    outcome = await poll(Feed(id="archive", url=url, kind="sitemap"), local_options)
    assert [entry.url for entry in outcome.entries] == [site + "2024/11/16/b", site + "2024/11/16/a"]
    assert outcome.counts == {"over the entry cap": 2}


async def test_a_home_address_finds_its_sitemaps_in_robots_txt(server, local_options) -> None:
    urls = serve_enab_sitemaps(server)
    server.route("robots.txt", Reply(body=robots_txt([server.url("enab/news-sitemap.xml"),
                                                      server.url("enab/missing-sitemap.xml")])))
    outcome = await poll(Feed(id="enab-home", url=server.base_url, kind="sitemap"), local_options)
    assert outcome.status == "ok", outcome.failure
    assert {entry.url for entry in outcome.entries} == {urls["site"] + "2024/11/16/daraa-checkpoints",
                                                        urls["site"] + "2024/11/15/deir-ezzor-clashes"}
    assert "missing-sitemap.xml: HTTP 404" in (outcome.bozo_reason or "")
    assert outcome.state.etag is None  # robots.txt's validators would hide a changed sitemap


async def test_robots_txt_without_sitemaps_is_a_clear_failure(server, local_options) -> None:
    server.route("robots.txt", Reply(body=b"User-agent: *\nDisallow:\n"))
    outcome = await poll(Feed(id="bare", url=server.base_url, kind="sitemap"), local_options)
    assert outcome.status == "failed" and outcome.failure.kind == "not_a_sitemap"
    assert "names no sitemap" in outcome.failure.reason and "names no sitemap" in outcome.state.last_error


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://127.0.0.1/a/&secret;</loc></url>
<url><loc>http://127.0.0.1/2024/11/16/plain-article</loc></url></urlset>"""

MALFORMED = [
    pytest.param("sitemap", b"<urlset><url><loc>http://x/1</loc></url>", "not_a_sitemap", "not well-formed XML",
                 id="sitemap-unclosed"),
    pytest.param("sitemap", b"<rss version='2.0'><channel/></rss>", "not_a_sitemap", "the root element is <rss>",
                 id="sitemap-wrong-root"),
    pytest.param("sitemap", b"\x1f\x8b\x08\x00broken", "not_a_sitemap", "broken gzip", id="sitemap-bad-gzip"),
    pytest.param("page", b"   ", "not_a_page", "not an HTML page", id="page-empty"),
    pytest.param("telegram", b"<html><body><p>Channel not found</p></body></html>", "not_a_channel",
                 "not a Telegram channel preview", id="telegram-not-a-preview"),
]


@pytest.mark.parametrize(("kind", "body", "failure_kind", "reason"), MALFORMED)
async def test_a_malformed_source_fails_with_its_reason(server, local_options, kind, body, failure_kind,
                                                        reason) -> None:
    url = server.route("s/broken_channel" if kind == "telegram" else "broken/source", Reply(body=body))
    outcome = await poll(Feed(id="broken", url=url, kind=kind), local_options)
    assert outcome.status == "failed" and outcome.failure.kind == failure_kind
    assert reason in outcome.failure.reason and outcome.state.consecutive_failures == 1
    assert outcome.failure.status == outcome.http_status == 200  # the document came, it was not what it should be


async def test_sitemap_entities_are_never_resolved(server, local_options) -> None:
    url = server.route("xxe/sitemap.xml", Reply(body=XXE, headers={"Content-Type": XML}))
    outcome = await poll(Feed(id="xxe", url=url, kind="sitemap"), local_options)
    assert outcome.status == "ok"
    assert all("root:" not in entry.url for entry in outcome.entries)
    assert "http://127.0.0.1/2024/11/16/plain-article" in {entry.url for entry in outcome.entries}


# -- section pages ---------------------------------------------------------------------------------------------
def serve_section(server: ScriptedServer) -> str:
    articles = [
        ("/2024/11/16/قصف-مدفعي-على-ريف-إدلب-الجنوبي/", "قصف مدفعي على ريف إدلب الجنوبي"),
        ("/news/2024-11-15-hasakah-water-station/", "محطة مياه علوك تتوقف مجددا"),
        ("/syria/arrests-in-daraa-countryside-after-attack-on-checkpoint", "اعتقالات في ريف درعا بعد هجوم"),
        ("/article/348812", "وفد حكومي يزور القامشلي"),
        (server.url("2024/11/14/absolute-link-same-site"), "رابط مطلق في الموقع نفسه"),
    ]
    other = [("/", "الرئيسية"), ("/category/syria/", "سوريا"), ("/tag/daraa/", "درعا"),
             ("/author/someone-with-a-very-long-name-here/", "كاتب"), ("/page/2/", "التالي"),
             ("https://elsewhere.example/2024/11/16/someone-elses-article", "موقع آخر"),
             ("/wp-content/uploads/2024/11/photo.jpg", "صورة"), ("mailto:news@example.org", "راسلنا")]
    return server.route("category/syria/", Reply(body=section_page(articles, other_links=other),
                                                 headers={"Content-Type": "text/html; charset=utf-8"}))


async def test_a_section_page_announces_the_links_that_look_like_articles(server, local_options) -> None:
    outcome = await poll(Feed(id="section", url=serve_section(server), kind="page"), local_options)
    assert outcome.status == "ok", outcome.failure
    titles = {entry.title for entry in outcome.entries}
    assert titles == {"قصف مدفعي على ريف إدلب الجنوبي", "محطة مياه علوك تتوقف مجددا",
                      "اعتقالات في ريف درعا بعد هجوم", "وفد حكومي يزور القامشلي", "رابط مطلق في الموقع نفسه"}
    assert all(entry.url.startswith(server.base_url) and "#" not in entry.url for entry in outcome.entries)
    assert outcome.counts["links not articles"] >= 6


async def test_a_link_pattern_decides_which_links_are_articles(server, local_options) -> None:
    feed = Feed(id="section", url=serve_section(server), kind="page", link_pattern=r"/20\d\d/\d\d/\d\d/")
    outcome = await poll(feed, local_options)
    assert {entry.title for entry in outcome.entries} == {"قصف مدفعي على ريف إدلب الجنوبي",
                                                         "رابط مطلق في الموقع نفسه"}


# -- Telegram --------------------------------------------------------------------------------------------------
CHANNEL = "deirezzor_news"
PAGE_SIZE = 5


def channel_posts(*, edited_text: str | None = None) -> list[ChannelPost]:
    """Twelve posts: 101 to 112, among them a forward, an edit, a photo alone and a two-word flash."""
    posts = [
        ChannelPost(number, f"دير الزور: خبر محلي رقم {number} عن انتشار دوريات في الريف الشرقي قرب الميادين",
                    NOW - (120 - number) * HOUR)
        for number in range(101, 113)
    ]
    posts[111 - 101] = ChannelPost(111, "عاجل الآن", NOW - 9 * HOUR)  # too short
    posts[110 - 101] = ChannelPost(110, "", NOW - 10 * HOUR)  # a photo without caption
    posts[109 - 101] = ChannelPost(109, "نقلا عن مراسلنا: اشتباكات بين مجموعتين مسلحتين في بلدة ذيبان\nولا إصابات",
                                   NOW - 11 * HOUR, forwarded_from="شبكة الخابور",
                                   link="https://example.org/2024/11/16/dhiban-clashes")
    posts[112 - 101] = ChannelPost(112, edited_text or "تحديث: إعادة فتح معبر البوكمال أمام حركة الشاحنات التجارية",
                                   NOW - HOUR, edited=edited_text is not None, views="15.3K")
    return posts


def serve_channel(server: ScriptedServer, posts: list[ChannelPost]) -> str:
    def page(request: Request) -> Reply:
        before = dict(part.split("=", 1) for part in request.query.split("&") if "=" in part).get("before")
        shown = sorted((p for p in posts if before is None or p.number < int(before)), key=lambda p: p.number)
        body = telegram_preview(CHANNEL, "دير الزور الآن", shown[-PAGE_SIZE:], host="t.me")
        return Reply(body=body, headers={"Content-Type": "text/html; charset=utf-8"})

    return server.route(f"s/{CHANNEL}", page)


async def test_a_telegram_channel_reads_back_pages_on_its_first_poll_only(server, local_options) -> None:
    url = serve_channel(server, channel_posts())
    feed = Feed(id="dez", url=url, kind="telegram", title="دير الزور الآن", pages=3, min_chars=20)

    first = await poll(feed, local_options)

    assert first.status == "ok", first.failure
    assert [r.query for r in server.requested(f"s/{CHANNEL}")] == ["", "before=108", "before=103"]
    numbers = [int(entry.url.rsplit("/", 1)[1]) for entry in first.entries]
    assert numbers == [112, 109, 108, 107, 106, 105, 104, 103, 102, 101]  # newest first; 110 and 111 skipped
    assert first.counts == {"too short": 2}
    forward = next(entry for entry in first.entries if entry.url.endswith("/109"))
    assert forward.url == server.url(f"{CHANNEL}/109") and forward.content_origin == "telegram"
    assert forward.content_text == ("نقلا عن مراسلنا: اشتباكات بين مجموعتين مسلحتين في بلدة ذيبان\nولا إصابات")
    assert forward.author == "شبكة الخابور" and forward.summary == "https://example.org/2024/11/16/dhiban-clashes"
    assert forward.published == NOW - 11 * HOUR and forward.title.startswith("نقلا عن مراسلنا")
    assert next(e for e in first.entries if e.url.endswith("/112")).author == "دير الزور الآن"

    server.requests.clear()
    serve_channel(server, channel_posts(edited_text="تحديث: معبر البوكمال مفتوح أمام الشاحنات منذ الصباح"))
    second = await poll(feed, local_options, first.state)
    assert [r.query for r in server.requested(f"s/{CHANNEL}")] == [""]  # the latest page only
    edited = next(entry for entry in second.entries if entry.url.endswith("/112"))
    assert edited.article_id == next(e for e in first.entries if e.url.endswith("/112")).article_id
    assert not edited.is_new and second.counts == {"too short": 2, "edited": 1}
    assert edited.edited and edited.revision == 1  # marked; which revision it is, the service decides
    assert edited.source_kind == "telegram" and not any(e.edited for e in second.entries if e is not edited)

    serve_channel(server, [post for post in channel_posts() if post.number != 109])  # the forward is deleted
    third = await poll(feed, local_options, second.state)
    assert third.counts == {"too short": 2, "deleted": 1}
    assert third.deleted == [server.url(f"{CHANNEL}/109")]
    assert server.url(f"{CHANNEL}/109") not in {entry.url for entry in third.entries}
    fourth = await poll(feed, local_options, third.state)
    assert fourth.deleted == [] and "deleted" not in fourth.counts  # a deletion is reported by one poll


async def test_a_telegram_post_is_its_own_article_and_no_page_is_fetched(server, local_options) -> None:
    url = serve_channel(server, channel_posts())
    outcome = await poll(Feed(id="dez", url=url, kind="telegram", pages=1, min_chars=20), local_options)
    entry = outcome.entries[0]
    assert entry.source == entry.author == "دير الزور الآن"  # the channel's own name: no title in the registry
    server.requests.clear()
    async with Fetcher(local_options()) as fetcher:
        article = await fetch_article(entry, fetcher, PollOptions(always_fetch_page=True))
    assert isinstance(article, FetchedArticle) and article.origin == "telegram" and article.raw is None
    assert article.text == entry.content_text and article.lang == "ar"
    assert server.requests == []


async def test_the_separate_fetcher_keeps_a_posts_origin_through_kafka(server, local_options) -> None:
    url = serve_channel(server, channel_posts())
    outcome = await poll(Feed(id="dez", url=url, kind="telegram", pages=1, min_chars=20), local_options)
    event = decode(encode(discovered_event(outcome.entries[0])))  # as `marsad fetch` reads it
    assert event.content_origin == "telegram" and event.has_content
    async with Fetcher(local_options()) as fetcher:
        article = await fetch_article(entry_from_discovered(event), fetcher, OPTIONS)
    assert isinstance(article, FetchedArticle) and article.origin == "telegram"
    assert article.text == outcome.entries[0].content_text


async def test_the_separate_fetcher_keeps_a_posts_kind_and_revision_through_kafka(server, local_options) -> None:
    url = serve_channel(server, channel_posts(edited_text="تحديث: معبر البوكمال مفتوح أمام الشاحنات منذ الصباح"))
    outcome = await poll(Feed(id="dez", url=url, kind="telegram", pages=1, min_chars=20), local_options)
    edited = next(entry for entry in outcome.entries if entry.edited)
    event = decode(encode(discovered_event(msgspec.structs.replace(edited, revision=2))))
    assert (event.source_kind, event.edited, event.revision) == ("telegram", True, 2)
    async with Fetcher(local_options()) as fetcher:
        article = await fetch_article(entry_from_discovered(event), fetcher, OPTIONS)
    fetched = fetched_event(article, cause=event, raw_cap=1024)
    assert (fetched.source_kind, fetched.edited, fetched.revision, fetched.url) == ("telegram", True, 2, edited.url)
