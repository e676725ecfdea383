"""Reading one source of each kind: what a poll of it finds, before article ids and state.

``read_source`` is what ``marsad.producers.poller.poll_feed`` calls for every kind
of the registry (``rss``, ``sitemap``, ``page``, ``telegram``); each kind
has one reader here, around the pure parser of its own module in
``marsad.producers.feeds``. All of them fetch through the same ``Fetcher`` (SSRF
guard, per-host limits, size caps, timeouts) and raise the same errors
(``FetchError``, ``FeedParseError``, ``GarbledText``), which the poller
turns into a failed poll with a reason, so one broken source never stops
the others.

The source's own address gets the conditional GET; the further documents a
poll reads (an index's child sitemaps, robots.txt, older Telegram pages)
are fetched plainly, so a 304 on the address means nothing changed.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import msgspec

from marsad.producers.feeds.entries import FeedEntry, FeedParseError, ParsedFeed
from marsad.producers.feeds.parse import parse_feed
from marsad.producers.feeds.registry import Feed
from marsad.producers.feeds.section import section_links
from marsad.producers.feeds.sitemap import (
    ChildSitemap,
    Sitemap,
    parse_sitemap,
    recent_children,
    robots_sitemaps,
)
from marsad.producers.feeds.telegram import Post, channel_title, older_page, parse_preview, post_entry
from marsad.producers.http import Fetcher, FetchError, FetchResult, NotModified, Validators
from marsad.producers.pages.article import GarbledText
from marsad.producers.pages.decoding import decode_document
from marsad.producers.urls import article_id, canonical_url

MAX_CHILD_SITEMAPS = 12  # child sitemaps of an index read in one poll (the newest)
MAX_INDEX_DEPTH = 2  # an index may name indexes once; deeper nesting is not followed
# Entries one sitemap poll announces at most, newest first (undated last): a site's full archive in a
# sitemap without dates would otherwise be announced whole on the first poll.
MAX_SITEMAP_ENTRIES = 1000


@dataclass(frozen=True, slots=True)
class SourceRead:
    """What one poll of a source read: its entries, and the response of its own address."""

    response: FetchResult
    parsed: ParsedFeed
    encoding: str | None = None
    validators: Validators | None = None  # what to store for the next conditional GET (default: the response's)
    child_validators: dict[str, Validators] | None = None  # an index's children read, with their validators


@dataclass(frozen=True, slots=True)
class ReadContext:
    """What a reader needs beside the source: the fetcher, the clock, the poll's options."""

    fetcher: Fetcher
    validators: Validators
    now: datetime
    first_poll: bool  # no earlier successful poll is known: read deeper where the kind allows it
    full_content_min_chars: int
    recent_ids: frozenset[str] = frozenset()  # article ids of the source's recent polls (to notice deletions)
    child_validators: Mapping[str, Validators] = field(default_factory=dict)  # of the last poll's children


T = TypeVar("T")
Reader = Callable[[Feed, ReadContext], Awaitable[SourceRead | NotModified]]


async def read_source(feed: Feed, context: ReadContext) -> SourceRead | NotModified:
    """Read ``feed`` with the reader of its kind; raises FetchError, FeedParseError or GarbledText."""
    return await READERS[feed.kind](feed, context)


# -- rss ----------------------------------------------------------------------------------------------------
async def read_rss(feed: Feed, context: ReadContext) -> SourceRead | NotModified:
    """An RSS, Atom, RDF or JSON feed: one document."""
    fetched = await context.fetcher.fetch(feed.url, validators=context.validators, purpose="feed")
    if isinstance(fetched, NotModified):
        return fetched

    def parse() -> tuple[str, ParsedFeed]:  # CPU-bound for large feeds: in a thread
        decoded = decode_document(fetched.content, fetched.charset, is_xml=True)
        parsed = parse_feed(decoded.text, fetched.final_url, full_content_min_chars=context.full_content_min_chars)
        if decoded.garbled:  # parsed first: binary junk is better called "not a feed"
            raise GarbledText(decoded.reason)
        return decoded.encoding, parsed

    encoding, parsed = await _parse_in_thread(fetched, parse)
    return SourceRead(response=fetched, parsed=parsed, encoding=encoding)


# -- sitemap ------------------------------------------------------------------------------------------------
async def read_sitemap(feed: Feed, context: ReadContext) -> SourceRead | NotModified:
    """A sitemap or sitemap index (gzipped or not), or a site's home address whose robots.txt names them.

    Entries dated before ``max_age_days`` are left out and counted; so are
    an index's children last modified before then. Child sitemaps that fail
    are named in the outcome's note; the poll fails only when all of them do.

    The conditional GET goes to each child (its validators kept in the
    state), never to an index: an index that does not change while its
    children do is common, and its 304 would hide their new entries.
    """
    max_age = timedelta(days=feed.max_age_days)
    if is_home_address(feed.url):
        robots_url = _origin(feed.url) + "/robots.txt"
        response = await _plain_fetch(context.fetcher, robots_url)
        text = decode_document(response.content, response.charset, is_xml=False).text
        found = robots_sitemaps(text, response.final_url)
        if not found:
            raise FeedParseError(f"{robots_url} names no sitemap (no 'Sitemap:' line)")
        children = [ChildSitemap(url=url) for url in found]
        read: dict[str, Validators] = {}
        parsed = await _read_children(children, context, max_age, read, depth=1)
        return SourceRead(response=response, parsed=parsed, validators=Validators(), child_validators=read)

    fetched = await context.fetcher.fetch(feed.url, validators=context.validators, purpose="feed")
    if isinstance(fetched, NotModified):
        return fetched
    sitemap = await _parse_in_thread(fetched, parse_sitemap, fetched.content, fetched.final_url, now=context.now,
                                      max_age=max_age)
    if not sitemap.is_index:
        return SourceRead(response=fetched, parsed=_urlset_feed([sitemap]), child_validators={})
    chosen, left_out = recent_children(sitemap.children, now=context.now, max_age=max_age,
                                       limit=MAX_CHILD_SITEMAPS)
    read: dict[str, Validators] = {}
    parsed = await _read_children(chosen, context, max_age, read, depth=1)
    counts = Counter(parsed.counts)
    if left_out:
        counts["old child sitemaps"] += left_out
    return SourceRead(response=fetched, parsed=msgspec.structs.replace(parsed, counts=dict(counts)),
                      validators=Validators(), child_validators=read)


async def _read_children(children: list[ChildSitemap], context: ReadContext, max_age: timedelta,
                         read: dict[str, Validators], *, depth: int) -> ParsedFeed:
    """The entries of several sitemaps read at once; an index among them is followed up to MAX_INDEX_DEPTH.

    Each is fetched with its validators of the last poll: one not modified
    adds nothing (its entries were announced then). ``read`` receives the
    validators of every child answered, for the next poll.
    """
    async def one(child: ChildSitemap) -> list[Sitemap]:
        previous = context.child_validators.get(child.url)
        response = await context.fetcher.fetch(child.url, validators=previous, purpose="feed")
        if isinstance(response, NotModified):
            read[child.url] = previous or Validators()
            return [Sitemap()]
        sitemap = await asyncio.to_thread(parse_sitemap, response.content, response.final_url, now=context.now,
                                          max_age=max_age)
        if not sitemap.is_index:
            read[child.url] = response.validators
            return [sitemap]
        if depth >= MAX_INDEX_DEPTH:
            raise FeedParseError(f"{child.url}: an index nested deeper than {MAX_INDEX_DEPTH} levels")
        chosen, _ = recent_children(sitemap.children, now=context.now, max_age=max_age, limit=MAX_CHILD_SITEMAPS)
        nested = await _read_children(chosen, context, max_age, read, depth=depth + 1)
        return [Sitemap(entries=tuple(nested.entries), too_old=nested.counts.get("too old", 0),
                        skipped=nested.skipped)]

    results = await asyncio.gather(*(one(child) for child in children), return_exceptions=True)
    read: list[Sitemap] = []
    problems: list[str] = []
    for child, result in zip(children, results, strict=True):
        if isinstance(result, FetchError | FeedParseError | GarbledText):
            problems.append(f"{child.url}: {result.reason}")
        elif isinstance(result, BaseException):
            raise result
        else:
            read.extend(result)
    if children and not read:
        raise FeedParseError("no sitemap could be read: " + "; ".join(problems))
    parsed = _urlset_feed(read)
    if problems:
        reason = f"{len(problems)} of {len(children)} sitemap(s) failed: " + "; ".join(problems)
        parsed = msgspec.structs.replace(parsed, bozo=True, bozo_reason=reason)
    return parsed


def _urlset_feed(sitemaps: list[Sitemap]) -> ParsedFeed:
    entries: dict[str, FeedEntry] = {}
    for sitemap in sitemaps:
        for entry in sitemap.entries:
            entries.setdefault(entry.link, entry)
    newest = sorted(entries.values(), key=lambda entry: entry.published or "", reverse=True)  # ISO: sorts as text
    counts = {"too old": sum(sitemap.too_old for sitemap in sitemaps),
              "over the entry cap": max(0, len(newest) - MAX_SITEMAP_ENTRIES)}
    return ParsedFeed(entries=newest[:MAX_SITEMAP_ENTRIES], skipped=sum(sitemap.skipped for sitemap in sitemaps),
                      counts={reason: count for reason, count in counts.items() if count}, version="sitemap")


def is_home_address(url: str) -> bool:
    """A site's home (no path, no query): the sitemaps are then looked up in its robots.txt."""
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


# -- page ---------------------------------------------------------------------------------------------------
async def read_page(feed: Feed, context: ReadContext) -> SourceRead | NotModified:
    """A section page: its links that are articles (``link_pattern``, else the shape of the path)."""
    fetched = await context.fetcher.fetch(feed.url, validators=context.validators, purpose="page")
    if isinstance(fetched, NotModified):
        return fetched

    def parse() -> tuple[str, ParsedFeed]:
        decoded = decode_document(fetched.content, fetched.charset, is_xml=False)
        if decoded.garbled:
            raise GarbledText(decoded.reason)
        entries, left_out = section_links(decoded.text, fetched.final_url, link_pattern=feed.link_pattern)
        counts = {"links not articles": left_out} if left_out else {}
        return decoded.encoding, ParsedFeed(entries=entries, counts=counts, version="page")

    encoding, parsed = await _parse_in_thread(fetched, parse)
    return SourceRead(response=fetched, parsed=parsed, encoding=encoding)


# -- telegram -----------------------------------------------------------------------------------------------
async def read_telegram(feed: Feed, context: ReadContext) -> SourceRead | NotModified:
    """A public channel's web preview: its posts become entries carrying their own text.

    On the first poll, ``pages`` preview pages are read going back with
    ``?before=``; afterwards the latest page only. Posts with less than
    ``min_chars`` of text (a photo without caption, a one-word post) are
    skipped and counted; edited posts are counted and their entries marked
    ``edited`` (the service announces an edit whose text is new as the next
    revision of the same article, ``marsad.producers.revisions``); a post seen by a
    recent poll and now missing from within the page's range was deleted: it
    is counted and named in ``deleted`` (logged by the service, and left out
    of the recent ids so one poll reports it), and what was announced of it
    stays.
    """
    fetched = await context.fetcher.fetch(feed.url, validators=context.validators, purpose="page")
    if isinstance(fetched, NotModified):
        return fetched

    def parse(response: FetchResult) -> tuple[str, list[Post], str]:
        decoded = decode_document(response.content, response.charset, is_xml=False)
        if decoded.garbled:
            raise GarbledText(decoded.reason)
        return decoded.encoding, parse_preview(decoded.text, response.final_url), channel_title(decoded.text)

    encoding, posts, title = await _parse_in_thread(fetched, parse, fetched)
    title = feed.title or title or f"@{feed.url.rstrip('/').rsplit('/', 1)[-1]}"
    counts: Counter[str] = Counter()
    page_url = fetched.final_url
    for _ in range(feed.pages - 1 if context.first_poll else 0):
        older = older_page(page_url, posts)
        if older is None:
            break
        try:
            _, more, _ = await asyncio.to_thread(parse, await _plain_fetch(context.fetcher, older, purpose="page"))
        except (FetchError, FeedParseError, GarbledText):
            counts["older pages failed"] += 1
            break
        known = {post.number for post in posts}
        fresh = [post for post in more if post.number not in known]
        if not fresh:
            break
        posts = fresh + posts
    deleted = deleted_posts(posts, context.recent_ids)
    if deleted:
        counts["deleted"] = len(deleted)
    entries: dict[str, FeedEntry] = {}
    for post in sorted(posts, key=lambda post: post.number, reverse=True):  # newest first, as feeds are
        if post.edited:
            counts["edited"] += 1
        if len(post.text) < feed.min_chars:
            counts["too short"] += 1
            continue
        entries.setdefault(post.url, post_entry(post, channel_title=title))
    parsed = ParsedFeed(entries=list(entries.values()), counts=dict(counts), version="telegram", title=title,
                        deleted=deleted)
    return SourceRead(response=fetched, parsed=parsed, encoding=encoding)


def deleted_posts(posts: list[Post], recent_ids: frozenset[str]) -> list[str]:
    """Addresses of posts within the range of ``posts`` that are missing now but a recent poll had."""
    if not posts or not recent_ids:
        return []
    shown = {post.number for post in posts}
    first = posts[0]
    base = first.url.rsplit("/", 1)[0]
    missing = (f"{base}/{number}" for number in range(min(shown), max(shown)) if number not in shown)
    return [url for url in missing if article_id(canonical_url(url)) in recent_ids]


READERS: dict[str, Reader] = {"rss": read_rss, "sitemap": read_sitemap, "page": read_page,
                              "telegram": read_telegram}


async def _plain_fetch(fetcher: Fetcher, url: str, *, purpose: str = "feed") -> FetchResult:
    fetched = await fetcher.fetch(url, purpose=purpose)  # type: ignore[arg-type]
    if isinstance(fetched, NotModified):  # we sent no validators: a 304 is the server's confusion
        raise FeedParseError(f"{url}: unexpected 304")
    return fetched


async def _parse_in_thread(fetched: FetchResult, parse: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``parse(*args, **kwargs)`` in a thread (parsing is CPU-bound); its FeedParseError names the HTTP status."""
    try:
        return await asyncio.to_thread(parse, *args, **kwargs)
    except FeedParseError as exc:
        raise FeedParseError(exc.reason, status=fetched.status) from None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"

