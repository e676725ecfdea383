"""What a parsed source is, whatever its format (RSS, Atom, RDF, JSON Feed, sitemap, section page, Telegram)."""

from __future__ import annotations

from urllib.parse import urlsplit

import msgspec

from marsad.producers.urls import absolutise

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
    language: str | None = None  # the source's word for this entry (a news sitemap's news:language)
    origin: str | None = None  # where content_text comes from when it is not a feed ("telegram")
    edited: bool = False  # the source marks the entry as changed since it was published (a Telegram edit)


class ParsedFeed(msgspec.Struct, frozen=True):
    entries: list[FeedEntry]
    bozo: bool = False
    bozo_reason: str | None = None
    title: str = ""
    link: str | None = None
    version: str = ""  # feedparser's name for the format (rss20, atom10, ...), or json1/json1.1
    skipped: int = 0  # entries without a usable link
    counts: dict[str, int] = {}  # what else was left out or noticed, by reason ("too old", "edited", ...)
    deleted: list[str] = []  # addresses of entries a recent poll saw that the source has deleted since


class FeedParseError(ValueError):
    """Not a feed, or so broken that no entry could be recovered."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status  # the HTTP status of the document, when the caller knows it


def usable_link(base_url: str, candidate: str | None) -> str | None:
    """``candidate`` made absolute against ``base_url`` if that gives an http(s) URL with a host, else None."""
    if not candidate or not candidate.strip():
        return None
    try:
        link = absolutise(base_url, candidate)
        host = urlsplit(link).hostname
    except ValueError:  # unparsable, e.g. an unclosed IPv6 bracket
        return None
    return link if link.startswith(LINK_SCHEMES) and host else None
