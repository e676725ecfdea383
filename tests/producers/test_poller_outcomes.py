"""poll_feed and fetch_article end to end against the real test server; nothing may raise."""

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from marsad.producers.feeds.registry import Feed, load_registry
from marsad.producers.feeds.state import BackoffPolicy, FeedState
from marsad.producers.http import Fetcher
from marsad.producers.poller import (
    ArticleFailure,
    DiscoveredEntry,
    FetchedArticle,
    PollOptions,
    PollOutcome,
    fetch_article,
    parse_utc,
    poll_feed,
    retry_delay,
)
from marsad.producers.samples import FEEDS_YAML, SITE_DIR
from marsad.producers.urls import article_id
from tests.producers.scripted_server import Reply, ScriptedServer

pytestmark = pytest.mark.anyio

NOW = datetime(2024, 11, 16, 12, 0, tzinfo=UTC)
OPTIONS = PollOptions(backoff=BackoffPolicy(factor=2.0, cap=3600), retry_base_delay=0.01, retry_max_delay=0.05)

ARABIC_TITLE = "ضبط 3 ملايين حبة كبتاغون في ريف درعا الشرقي قرب الحدود الأردنية"


def sample_feeds(server: ScriptedServer) -> dict[str, Feed]:
    return {f.id: f for f in load_registry(FEEDS_YAML, base_url=server.base_url) if f.enabled}


SAMPLE_POLLS = [
    # feed id, entries, encoding, bozo, entries carrying full text
    pytest.param("horan-today", 6, "windows-1256", False, 0, id="rss-windows-1256"),
    pytest.param("sawt-alfurat", 6, "utf-8", False, 6, id="rss-content-encoded"),
    pytest.param("al-rafidain", 5, "utf-8", False, 0, id="atom"),
    pytest.param("al-mashriq", 6, "utf-8", False, 0, id="rss-utm-links"),
    pytest.param("levant-monitor", 4, "utf-8", True, 0, id="rss-bozo"),
]


@pytest.mark.parametrize(("feed_id", "count", "encoding", "bozo", "full"), SAMPLE_POLLS)
async def test_poll_sample_feeds(server: ScriptedServer, local_options, feed_id, count, encoding, bozo, full) -> None:
    feed = sample_feeds(server)[feed_id]
    async with Fetcher(local_options()) as fetcher:
        outcome = await poll_feed(feed, None, fetcher, OPTIONS, now=NOW)
    assert outcome.status == "ok" and outcome.failure is None
    assert len(outcome.entries) == count and all(e.is_new for e in outcome.entries)
    assert outcome.encoding == encoding and (outcome.bozo_reason is not None) is bozo
    assert sum(e.content_text is not None for e in outcome.entries) == full
    for entry in outcome.entries:
        assert entry.url.startswith(server.base_url) and "utm_" not in entry.url
        assert entry.article_id == article_id(entry.link) and entry.feed_id == feed_id
        assert entry.published.tzinfo is UTC and entry.source == feed.title and entry.lang == feed.language
    assert outcome.state.consecutive_failures == 0 and outcome.state.next_poll == NOW + timedelta(seconds=feed.interval)


async def test_second_poll_is_not_modified(server: ScriptedServer, local_options) -> None:
    feed = sample_feeds(server)["al-rafidain"]
    async with Fetcher(local_options()) as fetcher:
        first = await poll_feed(feed, None, fetcher, OPTIONS, now=NOW)
        second = await poll_feed(feed, first.state, fetcher, OPTIONS, now=NOW + timedelta(minutes=1))
    assert first.state.last_modified and second.status == "not_modified" and second.entries == []
    assert server.requested("al-rafidain/atom.xml")[1].headers["if-modified-since"] == first.state.last_modified


async def test_repeated_entries_are_marked_not_new(server: ScriptedServer, local_options) -> None:
    feed = sample_feeds(server)["al-mashriq"]
    async with Fetcher(local_options()) as fetcher:
        first = await poll_feed(feed, None, fetcher, OPTIONS, now=NOW)
        stale = FeedState(feed_id=feed.id, recent_ids=first.state.recent_ids)  # no validators: full refetch
        second = await poll_feed(feed, stale, fetcher, OPTIONS, now=NOW)
    assert second.status == "ok" and not any(e.is_new for e in second.entries)


def cp1256_rss() -> bytes:
    return (SITE_DIR / "horan-today/rss.xml").read_bytes()


def without_declaration(data: bytes) -> bytes:
    return data.split(b"?>", 1)[1]


ENCODING_CASES = [
    pytest.param(Reply(body=cp1256_rss(), headers={"Content-Type": "text/xml; charset=utf-8"}), "windows-1256",
                 id="cp1256-with-lying-utf8-header"),
    pytest.param(Reply(body=without_declaration(cp1256_rss()), headers={"Content-Type": "application/rss+xml; charset=utf-8"}),
                 "windows-1256", id="cp1256-no-declaration-lying-header"),
    pytest.param(Reply(body=without_declaration(cp1256_rss()).decode("cp1256").encode("iso8859-6"),
                       headers={"Content-Type": "text/xml; charset=windows-1256"}), "iso-8859-6",
                 id="iso-8859-6-labelled-windows-1256"),
    pytest.param(Reply(body=b"\xef\xbb\xbf" + without_declaration(cp1256_rss()).decode("cp1256").encode("utf-8"),
                       headers={"Content-Type": "text/xml; charset=iso-8859-1"}), "utf-8", id="utf8-bom-latin1-header"),
]


@pytest.mark.parametrize(("reply", "encoding"), ENCODING_CASES)
async def test_feed_decoded_correctly_when_the_header_lies(server: ScriptedServer, local_options, reply, encoding) -> None:
    url = server.route("lying/rss.xml", reply)
    async with Fetcher(local_options()) as fetcher:
        outcome = await poll_feed(Feed(id="lying", url=url), None, fetcher, OPTIONS, now=NOW)
    assert outcome.status == "ok" and outcome.encoding == encoding
    assert ARABIC_TITLE in [e.title for e in outcome.entries]


FAILED_POLLS = [
    pytest.param(Reply(body=b"<rss/>", delay=1.0), {"read_timeout": 0.2}, "fetch", "timeout", id="slow-feed-timeout"),
    pytest.param(Reply(status=500), {}, "fetch", "http_status", id="server-error"),
    pytest.param(Reply(body=b"x" * 100_000), {"max_bytes": 10_000}, "fetch", "too_large", id="oversized-feed"),
    pytest.param(Reply(body=(SITE_DIR / "al-rafidain/news/anbar-captagon-seizure.html").read_bytes(),
                       headers={"Content-Type": "text/html"}), {}, "parse", "not_a_feed", id="html-instead-of-feed"),
    pytest.param(Reply(body=b"\x89PNG\r\n\x1a\n\x00\x00"), {}, "parse", "not_a_feed", id="binary"),
    pytest.param(Reply(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
                 {"allow_private": False, "allowed_networks": ("127.0.0.1/32",)}, "fetch", "unsafe_address",
                 id="redirect-to-metadata-address"),
    pytest.param(Reply(status=302, headers={"Location": "/bad/feed.xml"}), {}, "fetch", "redirect_loop", id="redirect-loop"),
]


@pytest.mark.parametrize(("reply", "overrides", "stage", "kind"), FAILED_POLLS)
async def test_failed_polls_return_outcomes_and_back_off(
    server: ScriptedServer, local_options, reply, overrides, stage, kind
) -> None:
    url = server.route("bad/feed.xml", reply)
    feed = Feed(id="bad", url=url, interval=300)
    earlier = FeedState(feed_id="bad", consecutive_failures=1)
    async with Fetcher(local_options(**overrides)) as fetcher:
        outcome = await poll_feed(feed, earlier, fetcher, OPTIONS, now=NOW)
    assert outcome.status == "failed" and outcome.entries == []
    assert (outcome.failure.stage, outcome.failure.kind) == (stage, kind)
    assert outcome.failure.reason and outcome.state.last_error.startswith(stage)
    assert outcome.state.consecutive_failures == 2
    assert outcome.state.next_poll == NOW + timedelta(seconds=1200)  # 300 * 2**2


async def test_poll_never_raises_on_a_broken_fetcher(local_options) -> None:
    class Exploding(Fetcher):
        async def fetch(self, *args, **kwargs):
            raise RuntimeError("boom")

    async with Exploding(local_options()) as fetcher:
        outcome = await poll_feed(Feed(id="x", url="http://127.0.0.1:9/"), None, fetcher, OPTIONS, now=NOW)
    assert outcome.status == "failed" and outcome.failure.kind == "internal" and "boom" in outcome.failure.reason


async def test_all_sample_articles_come_through(server: ScriptedServer, local_options) -> None:
    """The demo path: every sample feed polled, every article fetched (27 pages, one failure-free run)."""
    articles: list[FetchedArticle] = []
    async with Fetcher(local_options()) as fetcher:
        for feed in sample_feeds(server).values():
            outcome = await poll_feed(feed, None, fetcher, OPTIONS, now=NOW)
            for entry in outcome.entries:
                result = await fetch_article(entry, fetcher, OPTIONS)
                assert isinstance(result, FetchedArticle), result
                articles.append(result)
    assert len(articles) == 27 and len({a.article_id for a in articles}) == 27
    by_origin = {o: sum(a.origin == o for a in articles) for o in ("feed", "page")}
    assert by_origin == {"feed": 6, "page": 21}
    assert all(len(a.text) > 300 and a.published for a in articles)
    assert {a.lang for a in articles} == {"ar", "en"}
    assert {a.source for a in articles} == {"حوران اليوم", "صوت الفرات", "الرافدين نيوز", "المشرق 24", "Levant Monitor"}


def entry_for(url: str, **fields) -> DiscoveredEntry:
    return DiscoveredEntry(feed_id="f", article_id=article_id(url), url=url, link=url, **fields)


async def test_article_from_a_windows_1256_page_keeps_raw_bytes(server: ScriptedServer, local_options) -> None:
    path = "horan-today/article/20241112-daraa-captagon-nassib.html"
    async with Fetcher(local_options()) as fetcher:
        result = await fetch_article(entry_for(server.url(path)), fetcher, OPTIONS)
    assert isinstance(result, FetchedArticle) and result.origin == "page"
    assert result.raw == (SITE_DIR / path).read_bytes() and result.encoding == "windows-1256"
    assert "بصرى الشام" in result.text and result.title == ARABIC_TITLE and result.lang == "ar"
    assert result.published == datetime(2024, 11, 12, tzinfo=UTC) and result.attempts == 1


async def test_page_with_lying_header_is_decoded(server: ScriptedServer, local_options) -> None:
    body = (SITE_DIR / "horan-today/article/20241112-daraa-captagon-nassib.html").read_bytes()
    body = body.replace(b"charset=windows-1256", b"charset=utf-8")  # the page lies too
    url = server.route("lying/page.html", Reply(body=body, headers={"Content-Type": "text/html; charset=utf-8"}))
    async with Fetcher(local_options()) as fetcher:
        result = await fetch_article(entry_for(url), fetcher, OPTIONS)
    assert isinstance(result, FetchedArticle) and result.encoding == "windows-1256" and "بصرى الشام" in result.text


async def test_feed_content_used_without_fetching(server: ScriptedServer, local_options) -> None:
    url = server.url("never/fetched.html")
    async with Fetcher(local_options()) as fetcher:
        result = await fetch_article(entry_for(url, title="t", content_text="نص كامل\n" * 80), fetcher, OPTIONS)
    assert isinstance(result, FetchedArticle) and result.origin == "feed" and result.raw is None
    assert server.requests == []


async def test_transient_errors_are_retried(server: ScriptedServer, local_options) -> None:
    page = (SITE_DIR / "al-rafidain/news/anbar-captagon-seizure.html").read_bytes()
    replies = iter([Reply(status=503), Reply(status=502), Reply(body=page, headers={"Content-Type": "text/html"})])
    url = server.route("flaky.html", lambda request: next(replies))
    async with Fetcher(local_options()) as fetcher:
        result = await fetch_article(entry_for(url), fetcher, OPTIONS)
    assert isinstance(result, FetchedArticle) and result.attempts == 3


ARTICLE_FAILURES = [
    pytest.param(Reply(status=404), {}, "fetch", "http_status", 1, id="not-found-not-retried"),
    pytest.param(Reply(status=503), {}, "fetch", "http_status", 3, id="unavailable-retried-then-dead-lettered"),
    pytest.param(Reply(body=b"<p>x</p>" * 50_000, headers={"Content-Type": "text/html"}), {"max_bytes": 100_000},
                 "fetch", "too_large", 1, id="oversized-page"),
    pytest.param(Reply(body=b"%PDF-1.7", headers={"Content-Type": "application/pdf"}), {}, "fetch", "unsupported_content",
                 1, id="pdf"),
    pytest.param(Reply(body=b"<html><body><nav>menu</nav></body></html>", headers={"Content-Type": "text/html"}), {},
                 "extract", "no_text", 1, id="no-article-text"),
    pytest.param(Reply(body=b"<p>late</p>", delay=1.0), {"read_timeout": 0.2}, "fetch", "timeout", 3, id="timeout-retried"),
]


@pytest.mark.parametrize(("reply", "overrides", "stage", "kind", "attempts"), ARTICLE_FAILURES)
async def test_article_failures_are_dead_letter_ready(
    server: ScriptedServer, local_options, reply, overrides, stage, kind, attempts
) -> None:
    url = server.route("bad/article.html", reply)
    async with Fetcher(local_options(**overrides)) as fetcher:
        result = await fetch_article(entry_for(url), fetcher, OPTIONS)
    assert isinstance(result, ArticleFailure)
    assert (result.failure.stage, result.failure.kind, result.failure.attempts) == (stage, kind, attempts)
    assert result.failure.reason and result.article_id == article_id(url)


def test_retry_delay_doubles_and_honours_retry_after() -> None:
    options = PollOptions(retry_base_delay=1.0, retry_max_delay=10.0)
    assert [retry_delay(n, options) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 8.0, 10.0]
    assert retry_delay(1, options, retry_after=6.0) == 6.0 and retry_delay(1, options, retry_after=600) == 10.0


async def test_permanently_moved_feed_reports_its_new_url(server: ScriptedServer, local_options) -> None:
    server.route("old/rss.xml", Reply(status=301, headers={"Location": "/al-mashriq/rss.xml"}))
    async with Fetcher(local_options()) as fetcher:
        outcome = await poll_feed(Feed(id="m", url=server.url("old/rss.xml")), None, fetcher, OPTIONS, now=NOW)
    assert outcome.status == "ok" and outcome.moved_to == server.url("al-mashriq/rss.xml")


async def test_feed_text_is_the_fallback_when_the_page_fails(server: ScriptedServer, local_options) -> None:
    url = server.route("gone.html", Reply(status=410))
    options = PollOptions(always_fetch_page=True)
    async with Fetcher(local_options()) as fetcher:
        result = await fetch_article(entry_for(url, content_text="نص كامل من الخلاصة\n" * 40), fetcher, options)
    assert isinstance(result, FetchedArticle) and result.origin == "feed"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-11-12T07:30:00Z", datetime(2024, 11, 12, 7, 30, tzinfo=UTC)),
        ("2024-11-12T10:30:00+03:00", datetime(2024, 11, 12, 7, 30, tzinfo=UTC)),
        ("2024-11-12", datetime(2024, 11, 12, tzinfo=UTC)),
        ("12 Nov 2024", None),
        (None, None),
    ],
    ids=["utc", "offset", "date-only", "not-iso", "missing"],
)
def test_parse_utc(value: str | None, expected: datetime | None) -> None:
    assert parse_utc(value) == expected


async def test_outcomes_encode_to_json(server: ScriptedServer, local_options) -> None:
    """Outcomes are plain records: they can be logged or written as they are."""
    feed = sample_feeds(server)["horan-today"]
    async with Fetcher(local_options()) as fetcher:
        outcome = await poll_feed(feed, None, fetcher, OPTIONS, now=NOW)
        article = await fetch_article(outcome.entries[0], fetcher, OPTIONS)
    decoded = msgspec.json.decode(msgspec.json.encode(outcome), type=PollOutcome)
    assert decoded == outcome
    assert msgspec.json.decode(msgspec.json.encode(article), type=FetchedArticle) == article
