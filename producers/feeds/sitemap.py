"""Sitemaps as a source: a sitemap index, a urlset, Google News extensions, robots.txt discovery.

Many outlets of the region publish no feed but keep a news sitemap (the
articles of the last two days, with ``news:publication_date`` and
``news:title``) or a dated urlset. These functions are pure: they take the
bytes of one document and return what it lists; fetching the children of an
index is the poller's business (``marsad.producers.sources``).

The XML is parsed with lxml without entity resolution, DTD loading or
network access, so a hostile sitemap cannot read files or reach hosts
(XXE), and with ``huge_tree`` off, so it cannot exhaust memory through deep
nesting. A ``.xml.gz`` body is recognised by its magic bytes and inflated
up to a cap (a gzip bomb is refused, not expanded).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lxml import etree

from marsad.producers.feeds.entries import FeedEntry, FeedParseError, usable_link
from marsad.streams.clean.html import html_to_text

GZIP_MAGIC = b"\x1f\x8b"
MAX_INFLATED = 50_000_000  # bytes a gzipped sitemap may inflate to (the protocol's own limit is 50 MB)
_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class ChildSitemap:
    """A sitemap named by an index (or by robots.txt)."""

    url: str
    lastmod: datetime | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    """One parsed sitemap document: an index (``children``) or a urlset (``entries``)."""

    children: tuple[ChildSitemap, ...] = ()
    entries: tuple[FeedEntry, ...] = ()
    too_old: int = 0  # urlset entries dated before the cut-off
    skipped: int = 0  # entries without a usable address

    @property
    def is_index(self) -> bool:
        return bool(self.children)


def inflate(content: bytes, *, cap: int = MAX_INFLATED) -> bytes:
    """``content`` unzipped when it is gzip (``.xml.gz``), else as it is; more than ``cap`` bytes is refused."""
    if not content.startswith(GZIP_MAGIC):
        return content
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(content, cap + 1)
    except zlib.error as exc:
        raise FeedParseError(f"broken gzip: {exc}") from None
    if len(data) > cap:
        raise FeedParseError(f"gzipped sitemap inflates past {cap} bytes")
    if not inflater.eof:
        raise FeedParseError("broken gzip: the compressed data ends early")
    return data


def parse_sitemap(content: bytes, base_url: str, *, now: datetime, max_age: timedelta) -> Sitemap:
    """What one sitemap document lists; entries older than ``now - max_age`` are counted, not kept.

    An entry's date is its ``news:publication_date``, else its ``lastmod``;
    an entry with neither is kept (the poller's seen set stops repeats).
    Raises ``FeedParseError`` for what is not well-formed XML or not a sitemap.
    """
    root = _root(inflate(content))
    name = etree.QName(root).localname
    if name == "sitemapindex":
        children = []
        for item in _children(root, "sitemap"):
            link = usable_link(base_url, _text(item, "loc"))
            if link is not None:
                children.append(ChildSitemap(url=link, lastmod=parse_w3c_date(_text(item, "lastmod"))))
        return Sitemap(children=tuple(children))
    if name != "urlset":
        raise FeedParseError(f"not a sitemap: the root element is <{name}>, not <urlset> or <sitemapindex>")
    cutoff = now - max_age
    entries: list[FeedEntry] = []
    too_old = skipped = 0
    for item in _children(root, "url"):
        link = usable_link(base_url, _text(item, "loc"))
        if link is None:
            skipped += 1
            continue
        news = _first(item, "news")
        published = parse_w3c_date(_text(news, "publication_date")) if news is not None else None
        dated = published or parse_w3c_date(_text(item, "lastmod"))
        if dated is not None and dated < cutoff:
            too_old += 1
            continue
        title = html_to_text(_text(news, "title") or "", tidy=True)
        language = _text(_first(news, "publication"), "language") if news is not None else None
        entries.append(FeedEntry(
            link=link,
            title=title,
            published=_iso(published or dated),
            language=(language or "").strip().lower() or None,
        ))
    return Sitemap(entries=tuple(entries), too_old=too_old, skipped=skipped)


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    """The ``Sitemap:`` addresses a robots.txt names, absolute, in order, without repeats."""
    found = (usable_link(base_url, match.group(1)) for match in _SITEMAP_LINE.finditer(text))
    return list(dict.fromkeys(link for link in found if link))


def recent_children(children: tuple[ChildSitemap, ...], *, now: datetime, max_age: timedelta,
                    limit: int) -> tuple[list[ChildSitemap], int]:
    """The children of an index worth reading: not last modified before the cut-off, newest first,
    at most ``limit`` (undated ones after the dated); returns them and how many were left out."""
    cutoff = now - max_age
    fresh = [child for child in children if child.lastmod is None or child.lastmod >= cutoff]
    fresh.sort(key=lambda child: (child.lastmod is not None, child.lastmod or now), reverse=True)
    chosen = fresh[:limit]
    return chosen, len(children) - len(chosen)


def parse_w3c_date(value: str | None) -> datetime | None:
    """A sitemap date (W3C datetime: a day, or a time with an offset) as aware UTC, or None."""
    if not value or not value.strip():
        return None
    text = value.strip().replace("z", "Z")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _root(content: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FeedParseError(f"not well-formed XML: {exc}") from None
    if root is None:
        raise FeedParseError("an empty document, not a sitemap")
    return root


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and etree.QName(child).localname == name]


def _first(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    found = _children(element, name)
    return found[0] if found else None


def _text(element: etree._Element | None, name: str) -> str | None:
    child = _first(element, name)
    if child is None:
        return None
    return "".join(child.itertext()).strip() or None


def _iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
