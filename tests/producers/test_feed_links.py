"""Which link an entry is announced under: a real one or none, never one made up from an id."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from marsad.producers.feeds.parse import FeedParseError, parse_feed
from marsad.producers.feeds.registry import Feed
from marsad.producers.http import Fetcher
from marsad.producers.poller import PollOptions, poll_feed
from tests.producers.scripted_server import Reply, ScriptedServer

FEED_URL = "https://feeds.example/ar/rss.xml"


def rss(*items: str) -> str:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://news.example/</link>' \
           f'{"".join(items)}</channel></rss>'


def atom(*entries: str, base: str = "") -> str:
    xml_base = f' xml:base="{base}"' if base else ""
    return f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"{xml_base}>' \
           f'<title>t</title><id>urn:feed:1</id><updated>2025-03-02T08:00:00Z</updated>{"".join(entries)}</feed>'


def item(inner: str) -> str:
    return f"<item><title>خبر</title>{inner}</item>"


def entry(inner: str, attrs: str = "") -> str:
    return f"<entry{attrs}><title>خبر</title><updated>2025-03-02T08:00:00Z</updated>{inner}</entry>"


LINKS = [
    # id, document, the link announced (None: skipped)
    pytest.param(rss(item("<link>https://news.example/a/1.html</link><guid>https://news.example/?p=1</guid>")),
                 "https://news.example/a/1.html", id="rss-link-first"),
    pytest.param(rss(item('<link>javascript:void(0)</link><guid isPermaLink="true">https://news.example/a/2.html</guid>')),
                 "https://news.example/a/2.html", id="rss-unusable-link-permalink-guid"),
    pytest.param(rss(item("<link></link><guid>https://news.example/a/3.html</guid>")),
                 "https://news.example/a/3.html", id="rss-empty-link-default-permalink-guid"),
    pytest.param(rss(item("<link>mailto:desk@news.example</link><guid><![CDATA[https://news.example/a/4.html]]></guid>")),
                 "https://news.example/a/4.html", id="rss-cdata-guid"),
    pytest.param(rss(item('<guid isPermaLink="false">https://news.example/a/5.html</guid>')), None,
                 id="rss-guid-not-a-permalink"),
    pytest.param(rss(item("<guid>12345</guid>")), None, id="rss-relative-guid-never-a-url"),
    pytest.param(rss(item("<link>/ar/a/6.html</link>")), "https://feeds.example/ar/a/6.html", id="rss-relative-link"),
    pytest.param(atom(entry('<id>urn:uuid:7</id><link rel="enclosure" href="/media/7.mp3" type="audio/mpeg"/>')), None,
                 id="atom-enclosure-only"),
    pytest.param(atom(entry("<id>news/8</id>"), base="https://news.example/ar/"), None, id="atom-relative-id"),
    pytest.param(atom(entry("<id>https://news.example/?p=9</id>")), "https://news.example/?p=9", id="atom-url-id"),
    pytest.param(atom(entry('<id>urn:x:10</id><link href="story/10.html"/>'), base="https://news.example/ar/"),
                 "https://news.example/ar/story/10.html", id="atom-relative-link-xml-base"),
    pytest.param(atom(entry('<id>urn:x:11</id><link rel="alternate" href="11.html"/>',
                            attrs=' xml:base="https://other.example/news/"')),
                 "https://other.example/news/11.html", id="atom-entry-xml-base"),
    pytest.param(atom(entry('<id>urn:x:12</id><link href="/ar/12.html"/>')), "https://feeds.example/ar/12.html",
                 id="atom-relative-link-feed-url"),
    pytest.param(atom(entry('<id>urn:x:13</id><link rel="enclosure" href="https://cdn.example/13.jpg"/>'
                            '<link rel="alternate" type="text/html" href="https://news.example/13.html"/>')),
                 "https://news.example/13.html", id="atom-alternate-beside-enclosure"),
]


@pytest.mark.parametrize(("document", "link"), LINKS)
def test_entry_link(document: str, link: str | None) -> None:
    parsed = parse_feed(document, FEED_URL)
    if link is None:
        assert parsed.entries == [] and parsed.skipped == 1
    else:
        assert [e.link for e in parsed.entries] == [link] and parsed.skipped == 0


def json_feed(version: str = "1.1", **extra) -> dict:
    return {
        "version": f"https://jsonfeed.org/version/{version}",
        "title": "أخبار البلدة",
        "home_page_url": "https://news.example/",
        "feed_url": "https://news.example/feed.json",
        "items": [
            {"id": "1", "url": "https://news.example/ar/1.html", "title": "توقيف ثلاثة شبان عند حاجز",
             "summary": "أوقفت دورية ثلاثة شبان", "date_published": "2025-03-02T10:15:00+02:00",
             "authors": [{"name": "مراسل البلدة"}]},
            {"id": "https://news.example/ar/2.html", "title": "الثاني", "content_html": "<p>نص قصير</p>"},
            {"id": 3, "url": "/ar/3.html", "title": "الثالث", "content_text": "فقرة طويلة. " * 60,
             "date_modified": "2025-03-01T09:00:00Z"},
            {"id": "4", "title": "بلا رابط"},
        ],
        **extra,
    }


def test_json_feed_items_become_entries() -> None:
    parsed = parse_feed(json.dumps(json_feed(), ensure_ascii=False), "https://news.example/feed.json")
    assert parsed.version == "json1.1" and parsed.title == "أخبار البلدة" and parsed.skipped == 1
    first, second, third = parsed.entries
    assert (first.link, first.title, first.published) == (
        "https://news.example/ar/1.html", "توقيف ثلاثة شبان عند حاجز", "2025-03-02T08:15:00Z")
    assert first.author == "مراسل البلدة" and first.summary == "أوقفت دورية ثلاثة شبان" and first.guid == "1"
    assert second.link == "https://news.example/ar/2.html" and second.content_text is None  # short: not the article
    assert third.link == "https://news.example/ar/3.html" and third.content_text and third.guid == "3"
    assert third.published == "2025-03-01T09:00:00Z"


def test_json_feed_1_0_author_and_ascii_escapes() -> None:
    document = json_feed("1", items=[{"id": "a", "url": "https://news.example/a", "title": "عاجل",
                                      "author": {"name": "المحرر"}}])
    parsed = parse_feed(json.dumps(document), FEED_URL)  # \\u escapes, as most JSON encoders write
    assert [(e.title, e.author) for e in parsed.entries] == [("عاجل", "المحرر")]


@pytest.mark.parametrize(("document", "words"), [
    pytest.param('{"items": []}', "JSON Feed version", id="json-not-a-json-feed"),
    pytest.param('{"version": "https://jsonfeed.org/version/1.1", "items": 3}', "items list", id="items-not-a-list"),
    pytest.param('{"version": "https://jsonfeed.org/version/1.1", ', "invalid JSON", id="truncated-json"),
])
def test_json_that_is_not_a_usable_feed(document: str, words: str) -> None:
    with pytest.raises(FeedParseError, match=words):
        parse_feed(document, FEED_URL)


@pytest.mark.anyio
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
async def test_json_feed_polled_over_http(server: ScriptedServer, local_options, encoding: str) -> None:
    body = json.dumps(json_feed(), ensure_ascii=False).encode(encoding)
    url = server.route("feed.json", Reply(body=body, headers={"Content-Type": "application/feed+json"}))
    async with Fetcher(local_options()) as fetcher:
        outcome = await poll_feed(Feed(id="j", url=url), None, fetcher, PollOptions(),
                                  now=datetime(2025, 3, 2, tzinfo=UTC))
    assert outcome.status == "ok" and outcome.skipped == 1
    assert [e.url for e in outcome.entries] == [f"https://news.example/ar/{i}.html" for i in (1, 2, 3)]
    assert outcome.entries[0].title == "توقيف ثلاثة شبان عند حاجز"
    assert outcome.entries[2].content_text is not None
