"""Parse RSS/Atom with feedparser, tolerating broken-but-usable feeds.

feedparser flags malformed XML as "bozo" but often still recovers every
entry; such feeds are common among small news sites, so a bozo feed is
accepted whenever it yields entries and the reason is kept for logs. Input
is already decoded text (see ``producers.encoding``): it is handed to
feedparser as UTF-8 with a matching declaration, inside a file object so
feedparser never mistakes it for a URL or a path.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import feedparser
import msgspec

from producers.encoding import decode_body, to_utf8_xml
from producers.htmltext import html_to_text
from producers.urls import absolutise

FULL_CONTENT_MIN_CHARS = 500
LINK_SCHEMES = ("http://", "https://")


class FeedEntry(msgspec.Struct, frozen=True, omit_defaults=True):
    link: str  # absolute
    title: str = ""
    published: str | None = None  # UTC, ISO 8601 with "Z"
    summary: str = ""  # plain text
    content_html: str | None = None  # the article itself, when the feed carries it in full
    content_text: str | None = None  # the same as text, paragraphs as lines
    guid: str | None = None
    author: str | None = None


class ParsedFeed(msgspec.Struct, frozen=True):
    entries: list[FeedEntry]
    bozo: bool = False
    bozo_reason: str | None = None
    title: str = ""
    link: str | None = None
    version: str = ""  # feedparser's name for the format: rss20, atom10, ...
    skipped: int = 0  # entries without a usable link


class FeedParseError(ValueError):
    """Not a feed, or so broken that no entry could be recovered."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_feed(
    data: str | bytes, base_url: str, *, full_content_min_chars: int = FULL_CONTENT_MIN_CHARS
) -> ParsedFeed:
    """Entries of an RSS or Atom document, links made absolute against ``base_url``.

    ``data`` is text, or raw bytes that will be decoded here. An entry's
    ``content_html`` is set only when its longest content (``content:encoded``
    or Atom ``<content>``) has at least ``full_content_min_chars``
    characters of text, i.e. when it is plausibly the whole article.
    """
    text = decode_body(data, None, is_xml=True)[0] if isinstance(data, bytes) else data
    result = feedparser.parse(
        io.BytesIO(to_utf8_xml(text)),
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": base_url},
    )
    bozo_reason = _describe(result.get("bozo_exception")) if result.get("bozo") else None
    version = result.get("version") or ""
    raw_entries = result.get("entries") or []
    if not raw_entries and (bozo_reason or not version):
        raise FeedParseError(f"not a usable feed: {bozo_reason or 'no RSS/Atom/RDF root element'}")

    feed_link = result.feed.get("link")
    entries: list[FeedEntry] = []
    skipped = 0
    for raw in raw_entries:
        entry = _entry(raw, base_url, full_content_min_chars)
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    if bozo_reason and not entries:
        raise FeedParseError(f"broken feed, no entry with a link recovered: {bozo_reason}")
    return ParsedFeed(
        entries=entries,
        bozo=bool(result.get("bozo")),
        bozo_reason=bozo_reason,
        title=html_to_text(result.feed.get("title", "")),
        link=absolutise(base_url, feed_link) if feed_link else None,
        version=version,
        skipped=skipped,
    )


def _entry(raw: Any, base_url: str, full_content_min_chars: int) -> FeedEntry | None:
    link = raw.get("link") or _alternate_link(raw) or _guid_link(raw)
    if not link:
        return None
    try:
        link = absolutise(base_url, link)
    except ValueError:  # unparsable, e.g. an unclosed IPv6 bracket
        return None
    if not link.startswith(LINK_SCHEMES):
        return None
    content_html, content_text = _full_content(raw, full_content_min_chars)
    author = (raw.get("author") or "").strip() or None
    return FeedEntry(
        link=link,
        title=html_to_text(raw.get("title", "")),
        published=_utc_iso(raw.get("published_parsed") or raw.get("updated_parsed")),
        summary=html_to_text(raw.get("summary", "")),
        content_html=content_html,
        content_text=content_text,
        guid=raw.get("id") or None,
        author=author,
    )


def _alternate_link(raw: Any) -> str | None:
    for link in raw.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None


def _guid_link(raw: Any) -> str | None:
    """RSS ``<guid isPermaLink="true">`` is the article URL when ``<link>`` is missing."""
    guid = raw.get("id") or ""
    return guid if raw.get("guidislink") and guid.startswith(LINK_SCHEMES) else None


def _full_content(raw: Any, min_chars: int) -> tuple[str | None, str | None]:
    best_html, best_text = None, ""
    for part in raw.get("content", []):
        value = part.get("value") or ""
        text = html_to_text(value)
        if len(text) > len(best_text):
            best_html, best_text = value, text
    if best_html is None or len(best_text) < min_chars:
        return None, None
    return best_html, best_text


def _utc_iso(parsed: Any) -> str | None:
    """feedparser's ``*_parsed`` (a UTC struct_time) as ``YYYY-MM-DDTHH:MM:SSZ``."""
    if not parsed:
        return None
    try:
        moment = datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _describe(exc: Any) -> str:
    if exc is None:
        return "malformed feed"
    message = str(getattr(exc, "getMessage", lambda: exc)())
    return f"{type(exc).__name__}: {message}"
