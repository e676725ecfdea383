"""Poller results as events, and OPML merges: the service's pure parts, without Kafka or HTTP."""

import zlib

import msgspec
import pytest

from marsad.producers.events import (
    dead_letter_event,
    discovered_event,
    entry_from_discovered,
    fetched_event,
    raw_page,
)
from marsad.producers.feeds.merge import merge_feeds, registry_with
from marsad.producers.feeds.registry import Feed, parse_registry
from marsad.producers.poller import ArticleFailure, DiscoveredEntry, Failure, FetchedArticle

PAGE = "<html><body><p>ضبط شحنة كبتاغون قرب الحدود</p></body></html>".encode("cp1256")
ENTRY = DiscoveredEntry(feed_id="f", article_id="a1", url="https://news.example/a", link="https://news.example/a?utm_source=x",
                        source="Outlet", title="عنوان", lang="ar")


@pytest.mark.parametrize(
    ("cap", "kept", "truncated"),
    [pytest.param(10_000, len(PAGE), False, id="under-cap"), pytest.param(len(PAGE), len(PAGE), False, id="at-cap"),
     pytest.param(20, 20, True, id="over-cap-cut-then-compressed")],
)
def test_raw_page_is_cut_at_the_cap_then_compressed(cap: int, kept: int, truncated: bool) -> None:
    raw = raw_page(PAGE, cap=cap, content_type="text/html", encoding="windows-1256")
    assert zlib.decompress(raw.data) == PAGE[:kept] and raw.size == kept and raw.truncated is truncated
    assert raw.compression == "zlib" and raw.encoding == "windows-1256"


def test_fetched_event_names_its_discovered_event() -> None:
    cause = discovered_event(ENTRY)
    article = FetchedArticle(feed_id="f", article_id="a1", url=ENTRY.url, origin="page", text="نص", raw=PAGE,
                             content_type="text/html", encoding="windows-1256")
    event = fetched_event(article, cause=cause, raw_cap=1024)
    assert event.causation_id == cause.event_id and event.article_id == "a1" and event.raw.size == len(PAGE)
    assert fetched_event(FetchedArticle(feed_id="f", article_id="a1", url=ENTRY.url, origin="feed", text="نص"),
                         cause=cause, raw_cap=1024).raw is None


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        pytest.param(Failure(stage="fetch", kind="http_status", reason="HTTP 404 Not Found", url="u", status=404),
                     "fetch: HTTP 404 Not Found", id="status-already-in-reason"),
        pytest.param(Failure(stage="fetch", kind="timeout", reason="timeout: no data for 20 s", url="u", attempts=3),
                     "fetch: timeout: no data for 20 s; after 3 attempts", id="retried"),
        pytest.param(Failure(stage="extract", kind="no_text", reason="no main text found", url="u", status=200),
                     "extract: no main text found", id="ok-status-left-out"),
    ],
)
def test_dead_letter_says_why(failure: Failure, reason: str) -> None:
    cause = discovered_event(ENTRY)
    letter = dead_letter_event(ArticleFailure(feed_id="f", article_id="a1", url=ENTRY.url, failure=failure),
                               cause=cause, source_topic="t.articles.discovered")
    assert (letter.stage, letter.error, letter.key, letter.reason) == ("fetch", failure.kind, "a1", reason)
    assert letter.causation_id == cause.event_id


def test_entry_rebuilt_from_a_discovered_event_keeps_the_feeds_link_and_text() -> None:
    full = msgspec.structs.replace(ENTRY, content_text="النص الكامل")
    entry = entry_from_discovered(discovered_event(full))
    assert (entry.article_id, entry.link, entry.title, entry.content_text) == ("a1", ENTRY.link, "عنوان", "النص الكامل")


def test_entry_rebuilt_from_an_older_discovered_event_fetches_the_canonical_url() -> None:
    older = msgspec.structs.replace(discovered_event(ENTRY), link="", content_text=None)  # before `marsad fetch`
    entry = entry_from_discovered(older)
    assert (entry.article_id, entry.link, entry.content_text) == ("a1", ENTRY.url, None)


def test_a_repeated_outcome_has_the_same_event_id() -> None:
    cause = discovered_event(ENTRY)
    article = FetchedArticle(feed_id="f", article_id="a1", url=ENTRY.url, origin="feed", text="نص")
    first, again = (fetched_event(article, cause=cause, raw_cap=100) for _ in range(2))
    assert first.event_id == again.event_id != fetched_event(article, cause=discovered_event(ENTRY),
                                                             raw_cap=100).event_id


def test_merge_skips_known_urls_and_renames_taken_ids() -> None:
    existing = [Feed(id="a", url="https://A.example/rss?utm_source=x")]
    incoming = [Feed(id="x", url="https://a.example/rss"), Feed(id="a", url="https://b.example/rss")]
    merge = merge_feeds(existing, incoming)
    assert [f.id for f in merge.already_there] == ["x"] and [f.id for f in merge.added] == ["a-2"]
    assert merge.renamed == {"a": "a-2"}


def test_registry_text_keeps_comments_and_relative_urls() -> None:
    text = "# hand-written\nfeeds:\n  - id: local   # relative\n    url: site/rss.xml\n"
    updated = registry_with(text, [Feed(id="new", url="https://n.example/rss", interval=600)], base_url="http://h/")
    assert updated.startswith(text.rstrip("\n")) and "url: site/rss.xml" in updated
    assert [f.id for f in parse_registry(updated, base_url="http://h/")] == ["local", "new"]
    assert [f.id for f in parse_registry(registry_with(None, [Feed(id="n", url="https://n.example/")]))] == ["n"]
