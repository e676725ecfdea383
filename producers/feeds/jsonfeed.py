"""JSON Feed (https://jsonfeed.org/version/1.1, and 1.0) read into the same entries as RSS and Atom.

An item's link is its ``url`` (the permalink), else its ``id`` when that is
an absolute http(s) URL (the spec lets ids be permalinks), else its
``external_url`` (a link blog's target); an item with none is skipped and
counted. Relative URLs are resolved against the feed's own URL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from marsad.producers.feeds.entries import LINK_SCHEMES, FeedEntry, FeedParseError, ParsedFeed, usable_link
from marsad.streams.clean.html import html_to_text

VERSION_PREFIX = "https://jsonfeed.org/version/"


def looks_like_json(text: str) -> bool:
    """A document starting with ``{``: JSON, not XML."""
    return text.lstrip("\ufeff \t\r\n").startswith("{")


def parse_json_feed(text: str, base_url: str, *, full_content_min_chars: int) -> ParsedFeed:
    """Entries of a JSON Feed; ``FeedParseError`` for JSON that is not one."""
    try:
        document = orjson.loads(text.lstrip("\ufeff"))
    except orjson.JSONDecodeError as exc:
        raise FeedParseError(f"not a usable feed: invalid JSON: {exc}") from None
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith(VERSION_PREFIX):
        raise FeedParseError(f"not a usable feed: JSON without a JSON Feed version ({VERSION_PREFIX}...)")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedParseError("not a usable feed: JSON Feed without an items list")
    base = usable_link(base_url, _text(document.get("feed_url"))) or base_url
    entries: list[FeedEntry] = []
    skipped = 0
    for item in items:
        entry = _entry(item, base, full_content_min_chars) if isinstance(item, dict) else None
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    return ParsedFeed(
        entries=entries,
        title=html_to_text(_text(document.get("title")), tidy=True),
        link=usable_link(base, _text(document.get("home_page_url"))),
        version="json" + version.removeprefix(VERSION_PREFIX),
        skipped=skipped,
    )


def _entry(item: dict[str, Any], base_url: str, min_chars: int) -> FeedEntry | None:
    guid = _text(item.get("id")) or None  # the spec: an id that is a number is read as a string
    id_link = guid if guid and guid.startswith(LINK_SCHEMES) else None
    link = (
        usable_link(base_url, _text(item.get("url")))
        or usable_link(base_url, id_link)
        or usable_link(base_url, _text(item.get("external_url")))
    )
    if link is None:
        return None
    html = _text(item.get("content_html"))
    from_html = html_to_text(html, tidy=True)
    plain = _text(item.get("content_text")).strip()
    content_text = from_html if len(from_html) >= len(plain) else plain
    full = len(content_text) >= min_chars
    return FeedEntry(
        link=link,
        title=html_to_text(_text(item.get("title")), tidy=True),
        published=_utc_iso(_text(item.get("date_published")) or _text(item.get("date_modified"))),
        summary=html_to_text(_text(item.get("summary")), tidy=True),
        content_html=(html or None) if full else None,
        content_text=content_text if full else None,
        guid=guid,
        author=_author(item),
    )


def _author(item: dict[str, Any]) -> str | None:
    authors = item.get("authors")
    if not isinstance(authors, list):  # version 1.0: one "author" object
        authors = [item.get("author")]
    names = [_text(a.get("name")).strip() for a in authors if isinstance(a, dict)]
    return ", ".join(n for n in names if n) or None


def _utc_iso(value: str) -> str | None:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""
