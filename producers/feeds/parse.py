"""Parse RSS/Atom with feedparser (JSON Feed with ``marsad.producers.feeds.jsonfeed``), tolerating broken feeds.

feedparser flags malformed XML as "bozo" but often still recovers every
entry; such feeds are common among small news sites, so a bozo feed is
accepted whenever it yields entries and the reason is kept for logs. Input
is already decoded text (see ``marsad.producers.pages.decoding``): it is handed to
feedparser as UTF-8 with a matching declaration, inside a file object so
feedparser never mistakes it for a URL or a path.
"""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime
from typing import Any

import feedparser

from marsad.producers.feeds.entries import (
    FULL_CONTENT_MIN_CHARS,
    LINK_SCHEMES,
    FeedEntry,
    FeedParseError,
    ParsedFeed,
    usable_link,
)
from marsad.producers.feeds.jsonfeed import looks_like_json, parse_json_feed
from marsad.producers.pages.decoding import decode_body, to_utf8_xml
from marsad.streams.clean.html import html_to_text

__all__ = ["FULL_CONTENT_MIN_CHARS", "FeedEntry", "FeedParseError", "ParsedFeed", "parse_feed"]

# <guid>/<id> elements as written (feedparser resolves relative ids against the feed URL, which invents links).
_ID_ELEMENTS = re.compile(r"<((?:[\w.-]+:)?(?:guid|id))\b([^>]*)>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_NOT_PERMALINK = re.compile(r"""isPermaLink\s*=\s*["']?\s*false""", re.IGNORECASE)
_CDATA = re.compile(r"^\s*<!\[CDATA\[(.*?)\]\]>\s*$", re.DOTALL)
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})


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
    if looks_like_json(text):
        return parse_json_feed(text, base_url, full_content_min_chars=full_content_min_chars)
    result = feedparser.parse(
        io.BytesIO(to_utf8_xml(text)),
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": base_url},
    )
    bozo_reason = _describe(result.get("bozo_exception")) if result.get("bozo") else None
    version = result.get("version") or ""
    raw_entries = result.get("entries") or []
    if not raw_entries and (bozo_reason or not version):
        raise FeedParseError(f"not a usable feed: {bozo_reason or 'no RSS/Atom/RDF root element, not a JSON Feed'}")

    feed_link = result.feed.get("link")
    entries: list[FeedEntry] = []
    skipped = 0
    permalinks = written_permalinks(text)
    for raw in raw_entries:
        entry = _entry(raw, base_url, full_content_min_chars, permalinks)
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
        title=html_to_text(result.feed.get("title", ""), tidy=True),
        link=usable_link(base_url, feed_link),
        version=version,
        skipped=skipped,
    )


def _entry(raw: Any, base_url: str, full_content_min_chars: int, permalinks: frozenset[str]) -> FeedEntry | None:
    link = entry_link(raw, base_url, permalinks)
    if link is None:
        return None
    content_html, content_text = _full_content(raw, full_content_min_chars)
    author = (raw.get("author") or "").strip() or None
    return FeedEntry(
        link=link,
        title=html_to_text(raw.get("title", ""), tidy=True),
        published=_utc_iso(raw.get("published_parsed") or raw.get("updated_parsed")),
        summary=html_to_text(raw.get("summary", ""), tidy=True),
        content_html=content_html,
        content_text=content_text,
        guid=raw.get("id") or None,
        author=author,
    )


def entry_link(raw: Any, base_url: str, permalinks: frozenset[str]) -> str | None:
    """The first usable link of a feedparser entry, or None (the entry is then skipped and counted).

    In order: its alternate ``<link>`` elements (made absolute per
    ``xml:base`` and the feed URL by feedparser), its ``link``, then its
    guid/id if the feed wrote it as an absolute http(s) URL and did not say
    ``isPermaLink="false"`` (``permalinks``). A link feedparser made up
    from a relative id, and an enclosure, are never used.
    """
    guid = raw.get("id") or ""
    candidates = [
        link.get("href")
        for link in raw.get("links", [])
        if link.get("rel", "alternate") == "alternate" and link.get("type", "text/html") in _PAGE_TYPES
    ]
    if raw.get("link") and raw.get("link") != guid:  # feedparser copies the guid into link when there is none
        candidates.append(raw["link"])
    if guid in permalinks:
        candidates.append(guid)
    for candidate in candidates:
        link = usable_link(base_url, candidate)
        if link is not None:
            return link
    return None


def written_permalinks(text: str) -> frozenset[str]:
    """guid/id values written in the document as absolute http(s) URLs, except ``isPermaLink="false"`` ones."""
    found = set()
    for match in _ID_ELEMENTS.finditer(text):
        if _NOT_PERMALINK.search(match.group(2)):
            continue
        value = match.group(3)
        cdata = _CDATA.match(value)
        value = html.unescape(cdata.group(1) if cdata else value).strip()
        if value.startswith(LINK_SCHEMES):
            found.add(value)
    return frozenset(found)


def _full_content(raw: Any, min_chars: int) -> tuple[str | None, str | None]:
    best_html, best_text = None, ""
    for part in raw.get("content", []):
        value = part.get("value") or ""
        text = html_to_text(value, tidy=True)
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
