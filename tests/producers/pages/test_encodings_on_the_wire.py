"""Pages and feeds in the encodings real servers get wrong, served from 127.0.0.1: Arabic text or a dead letter.

Every page and feed here is written for these tests. The assertion that
matters is on letters: the published text is Arabic script with no Latin-1
or Cyrillic mojibake in it, or the article is refused as ``garbled``.
"""

from __future__ import annotations

import codecs
from datetime import UTC, datetime

import pytest

from marsad.producers.feeds.registry import Feed
from marsad.producers.http import Fetcher
from marsad.producers.pages.mojibake import count_letters
from marsad.producers.poller import (
    ArticleFailure,
    DiscoveredEntry,
    FetchedArticle,
    PollOptions,
    fetch_article,
    poll_feed,
)
from tests.producers.scripted_server import Reply, ScriptedServer

pytestmark = pytest.mark.anyio

NOW = datetime(2025, 3, 2, 9, 0, tzinfo=UTC)
OPTIONS = PollOptions(retry_base_delay=0.01, retry_max_delay=0.02, max_attempts=1)

PARAGRAPHS = (
    "قال ناشط حقوقي إن دورية تابعة لقوات الأمن أوقفت ثلاثة شبان عند حاجز على مدخل البلدة صباح الثلاثاء، "
    "واقتادتهم إلى جهة مجهولة دون توجيه أي تهمة لهم.",
    "وأضاف أن الأهالي تجمعوا أمام مبنى البلدية للمطالبة بالإفراج عنهم، فيما لم يصدر أي تعليق رسمي حتى "
    "ساعة إعداد هذا الخبر.",
    "وتشهد المنطقة منذ أسابيع حملة تفتيش واسعة تقول السلطات إنها تستهدف شبكات تهريب السلاح والمخدرات عبر "
    "الطرق الزراعية القريبة من الحدود.",
)
TITLE = "توقيف ثلاثة شبان عند حاجز على مدخل البلدة"
NAV = "".join(f'<li class="menu-item"><a href="/section/{i}">قسم {i}</a></li>' for i in range(12))


def page_html(meta: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head>{meta}<title>{TITLE}</title>'
        '<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>'
        '<link rel="stylesheet" href="/assets/site.css"></head>'
        f'<body><header><nav><ul class="main-menu">{NAV}</ul></nav></header>'
        f'<main><article><h1>{TITLE}</h1>{body}</article></main>'
        '<footer><p>جميع الحقوق محفوظة</p></footer></body></html>'
    )


def assert_arabic(text: str) -> None:
    """Arabic script, nothing from a wrong codec: no Latin-1 letters, no Cyrillic, no controls."""
    counts = count_letters(text)
    assert counts.arabic >= 100, text[:200]
    assert counts.latin1 == 0 and counts.cyrillic == 0 and counts.control == 0, text[:200]
    assert PARAGRAPHS[0][:40] in text


def double_encoded(text: str, via: str) -> bytes:
    """UTF-8 read as ``via`` and saved as UTF-8 again (what a misconfigured CMS stores)."""
    return text.encode("utf-8").decode(via, errors="strict").encode("utf-8")


def latin1_mojibake_saved_as_utf8(text: str) -> bytes:
    """windows-1256 read as Latin-1 and saved as UTF-8: the page literally holds ÇáäÇÔØ."""
    return text.encode("cp1256").decode("latin-1").encode("utf-8")


def cp1252_lenient(data: bytes) -> str:
    return "".join(bytes([b]).decode("cp1252", errors="strict") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b)
                   for b in data)


async def fetch_page(server: ScriptedServer, local_options, body: bytes, content_type: str):
    url = server.route("news/story.html", Reply(body=body, headers={"Content-Type": content_type}))
    entry = DiscoveredEntry(feed_id="f", article_id="a1", url=url, link=url)
    async with Fetcher(local_options()) as fetcher:
        return await fetch_article(entry, fetcher, OPTIONS)


READABLE_PAGES = [
    pytest.param(page_html().encode("cp1256"), "text/html; charset=ISO-8859-1", "windows-1256",
                 id="cp1256-behind-latin1-header"),
    pytest.param(page_html('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">').encode("cp1256"),
                 "text/html; charset=ISO-8859-1", "windows-1256", id="cp1256-behind-lying-meta-and-header"),
    pytest.param(page_html('<meta charset="iso-8859-1">').encode("cp1256"), "text/html", "windows-1256",
                 id="cp1256-behind-lying-meta-only"),
    pytest.param(page_html().encode("cp1256"), "text/html; charset=windows-1251", "windows-1256",
                 id="cp1256-behind-cyrillic-header"),
    pytest.param(page_html().encode("cp1256"), "text/html; charset=windows-1252", "windows-1256",
                 id="cp1256-behind-cp1252-header"),
    pytest.param(page_html().encode("iso8859-6"), "text/html; charset=ISO-8859-1", "iso-8859-6",
                 id="iso-8859-6-behind-latin1-header"),
    pytest.param(page_html().encode("utf-8"), "text/html; charset=ISO-8859-1", "utf-8", id="utf8-behind-latin1-header"),
    pytest.param(page_html('<meta charset="utf-8">').encode("utf-8")
                 .decode("latin-1").encode("utf-8"), "text/html; charset=utf-8", "utf-8",
                 id="double-encoded-via-latin1"),
    pytest.param(cp1252_lenient(page_html().encode("utf-8")).encode("utf-8"), "text/html; charset=utf-8", "utf-8",
                 id="double-encoded-via-cp1252"),
    pytest.param(double_encoded(page_html(), "cp1256"), "text/html; charset=utf-8", "utf-8",
                 id="double-encoded-via-cp1256"),
    pytest.param(latin1_mojibake_saved_as_utf8(page_html()), "text/html; charset=utf-8", "utf-8",
                 id="cp1256-read-as-latin1-saved-as-utf8"),
    pytest.param(codecs.BOM_UTF16_LE + page_html().encode("utf-16-le"), "text/html", "utf-16-le", id="utf16le-bom"),
    pytest.param(page_html().encode("utf-16-le"), "text/html", "utf-16-le", id="utf16le-no-bom"),
    pytest.param(page_html().encode("utf-16-be"), "text/html; charset=ISO-8859-1", "utf-16-be",
                 id="utf16be-no-bom-latin1-header"),
    pytest.param(codecs.BOM_UTF32_LE + page_html().encode("utf-32-le"), "text/html", "utf-32-le", id="utf32le-bom"),
    pytest.param(page_html().encode("utf-32-be"), "text/html; charset=utf-8", "utf-32-be", id="utf32be-no-bom"),
]


@pytest.mark.parametrize(("body", "content_type", "encoding"), READABLE_PAGES)
async def test_page_published_as_arabic(server: ScriptedServer, local_options, body, content_type, encoding) -> None:
    outcome = await fetch_page(server, local_options, body, content_type)
    assert isinstance(outcome, FetchedArticle), outcome
    assert outcome.encoding == encoding
    assert outcome.lang == "ar"
    assert_arabic(outcome.text)


def mangled_twice(text: str) -> bytes:
    """Two wrong decodes saved one over the other: beyond a one-step repair."""
    once = text.encode("utf-8").decode("cp1256").encode("utf-8")
    return cp1252_lenient(once).encode("utf-8")


async def test_page_garbled_beyond_repair_is_a_dead_letter(server: ScriptedServer, local_options) -> None:
    outcome = await fetch_page(server, local_options, mangled_twice(page_html()), "text/html; charset=utf-8")
    assert isinstance(outcome, ArticleFailure), outcome
    assert (outcome.failure.stage, outcome.failure.kind) == ("decode", "garbled")
    assert outcome.failure.reason.startswith("garbled text")


async def test_honest_latin1_page_stays_latin1(server: ScriptedServer, local_options) -> None:
    text = ("La réunion s'est tenue à Genève, où les délégués ont présenté un rapport détaillé sur la sécurité "
            "des convois humanitaires et les problèmes d'accès dans les régions frontalières. ") * 3
    body = f"<html lang='fr'><head><title>Réunion à Genève</title></head><body><article><p>{text}</p>" \
           f"<p>{text}</p></article></body></html>"
    outcome = await fetch_page(server, local_options, body.encode("latin-1"), "text/html; charset=ISO-8859-1")
    assert isinstance(outcome, FetchedArticle) and outcome.encoding == "iso-8859-1"
    assert "réunion s'est tenue à Genève" in outcome.text


def rss(declaration: str | None) -> str:
    decl = f'<?xml version="1.0" encoding="{declaration}"?>\n' if declaration else ""
    items = "".join(
        f"<item><title>{TITLE} {i}</title><link>https://news.example/ar/{i}.html</link>"
        f"<description>{PARAGRAPHS[i % 3]}</description><pubDate>Sun, 02 Mar 2025 08:0{i}:00 GMT</pubDate></item>"
        for i in range(3)
    )
    return f'{decl}<rss version="2.0"><channel><title>أخبار البلدة</title><link>https://news.example/</link>{items}</channel></rss>'


FEEDS = [
    pytest.param(codecs.BOM_UTF16_LE + rss("utf-16").encode("utf-16-le"), "application/rss+xml", id="utf16le-bom"),
    pytest.param(codecs.BOM_UTF16_BE + rss("utf-16").encode("utf-16-be"), "application/rss+xml", id="utf16be-bom"),
    pytest.param(rss("utf-16").encode("utf-16-le"), "application/rss+xml", id="utf16le-no-bom"),
    pytest.param(rss(None).encode("utf-16-be"), "text/xml; charset=utf-8", id="utf16be-no-bom-no-decl-lying-header"),
    pytest.param(codecs.BOM_UTF32_LE + rss("utf-32").encode("utf-32-le"), "application/rss+xml", id="utf32le-bom"),
    pytest.param(codecs.BOM_UTF32_BE + rss("utf-32").encode("utf-32-be"), "application/rss+xml", id="utf32be-bom"),
    pytest.param(rss("utf-32").encode("utf-32-le"), "application/rss+xml", id="utf32le-no-bom"),
    pytest.param(rss("windows-1256").encode("utf-32-be"), "application/rss+xml", id="utf32be-copy-of-cp1256-feed"),
    pytest.param(rss(None).encode("cp1256"), "application/rss+xml; charset=ISO-8859-1", id="cp1256-behind-latin1"),
    pytest.param(double_encoded(rss("utf-8"), "cp1256"), "application/rss+xml; charset=utf-8", id="double-encoded"),
]


@pytest.mark.parametrize(("body", "content_type"), FEEDS)
async def test_feed_read_in_any_unicode_form(server: ScriptedServer, local_options, body, content_type) -> None:
    url = server.route("feeds/rss.xml", Reply(body=body, headers={"Content-Type": content_type}))
    async with Fetcher(local_options()) as fetcher:
        outcome = await poll_feed(Feed(id="f", url=url), None, fetcher, OPTIONS, now=NOW)
    assert outcome.status == "ok", outcome.failure
    assert [e.title for e in outcome.entries] == [f"{TITLE} {i}" for i in range(3)]
    assert outcome.entries[0].summary == PARAGRAPHS[0]


async def test_feed_garbled_beyond_repair_fails_the_poll(server: ScriptedServer, local_options) -> None:
    url = server.route("feeds/rss.xml", Reply(body=mangled_twice(rss("utf-8")), headers={"Content-Type": "text/xml"}))
    async with Fetcher(local_options()) as fetcher:
        outcome = await poll_feed(Feed(id="f", url=url), None, fetcher, OPTIONS, now=NOW)
    assert outcome.status == "failed" and outcome.entries == []
    assert (outcome.failure.stage, outcome.failure.kind) == ("decode", "garbled")
