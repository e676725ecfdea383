"""The producer's core, without Kafka: poll a feed, fetch an article.

The service loop (written by the lead) decides *when* to call these and
publishes what they return: ``ArticleDiscovered`` for each entry of a
``PollOutcome``, ``ArticleFetched`` for a ``FetchedArticle``, a dead letter
for an ``ArticleFailure``. Neither function raises on bad input — a broken
feed, a hostile redirect or an empty page come back as a ``Failure`` with a
reason — so one bad source never stops the poller.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlsplit

import msgspec

from marsad.producers.feeds.parse import FULL_CONTENT_MIN_CHARS, FeedEntry, FeedParseError
from marsad.producers.feeds.registry import Feed
from marsad.producers.feeds.state import (
    BackoffPolicy,
    FeedState,
    new_ids,
    record_failure,
    record_not_modified,
    record_success,
)
from marsad.producers.http import Budget, Fetcher, FetchError, FetchResult, NotModified
from marsad.producers.pages.article import GarbledText, decode_and_extract
from marsad.producers.pages.isolation import ExtractionPool, IsolatedFailure
from marsad.producers.pages.reader import ExtractionFailed, ExtractOptions
from marsad.producers.sources import ReadContext, read_source
from marsad.producers.urls import InvalidURL, article_id, canonical_url
from marsad.schemas.wire import SourceKind
from marsad.streams.text.lang import detect_lang

PAGE_CONTENT_TYPES = frozenset({"", "text/html", "application/xhtml+xml"})
# A poll's failure kind when the source's document cannot be read as what its kind says it is.
_NOT_READABLE = {"rss": "not_a_feed", "sitemap": "not_a_sitemap", "page": "not_a_page", "telegram": "not_a_channel"}


@dataclass(frozen=True, slots=True)
class PollOptions:
    """How polling and article fetching behave; built once from settings and passed in."""

    backoff: BackoffPolicy = field(default_factory=BackoffPolicy)
    full_content_min_chars: int = FULL_CONTENT_MIN_CHARS  # feed content this long is taken as the article
    always_fetch_page: bool = False  # fetch the page even when the feed has the full text (to keep raw bytes)
    max_attempts: int = 3  # page fetch attempts, first one included
    retry_base_delay: float = 2.0  # seconds before the second attempt, doubled for each further one
    retry_max_delay: float = 30.0
    page_deadline: float | None = 120.0  # seconds for a page's attempts and waits together (None: no bound)
    extract: ExtractOptions = field(default_factory=ExtractOptions)


class Failure(msgspec.Struct, frozen=True, omit_defaults=True):
    """Why a poll or an article fetch produced nothing; what a dead letter carries."""

    stage: str  # fetch, decode, parse, extract, internal
    kind: str  # a marsad.producers.http.FailureKind value, or not_a_feed (not_a_sitemap, not_a_page, not_a_channel
    # for the other kinds of source), garbled, unsupported_content, no_text,
    # crashed, timed_out, over_memory (an isolated extraction), internal
    reason: str
    url: str
    status: int | None = None  # HTTP status, when there was one
    retryable: bool = False
    attempts: int = 1


class DiscoveredEntry(msgspec.Struct, frozen=True, omit_defaults=True):
    """A feed entry ready to be announced (fields named as in ``ArticleDiscovered``)."""

    feed_id: str
    article_id: str
    url: str  # canonical
    link: str  # as the feed gave it, made absolute: what gets fetched
    source: str = ""  # the outlet: the feed's title in the registry, else its host
    title: str = ""
    published: datetime | None = None  # UTC
    summary: str = ""
    content_text: str | None = None  # the full article when the feed carries it
    guid: str | None = None
    author: str = ""
    lang: str = ""  # the registry's language hint, else the source's own (a news sitemap's)
    content_origin: Literal["feed", "telegram"] = "feed"  # where content_text comes from
    source_kind: SourceKind | None = None  # the registry kind of the source that listed it (None: not known)
    edited: bool = False  # the source marks the entry as changed since it was published
    revision: int = 1  # 2, 3...: a changed entry announced again (decided by the service, which knows Kafka)
    is_new: bool = True  # not in this feed's recent polls (a hint; Kafka decides)

    @property
    def has_content(self) -> bool:
        return self.content_text is not None


class PollOutcome(msgspec.Struct, frozen=True, omit_defaults=True):
    feed_id: str
    status: Literal["ok", "not_modified", "failed"]
    state: FeedState  # the updated state, to be saved by the caller
    entries: list[DiscoveredEntry] = []
    failure: Failure | None = None
    http_status: int | None = None
    final_url: str | None = None
    moved_to: str | None = None  # set when the feed URL redirected permanently
    encoding: str | None = None
    bozo_reason: str | None = None  # the feed was malformed but entries were recovered
    skipped: int = 0  # entries without a usable link
    counts: dict[str, int] = {}  # what else the source left out or showed, by reason ("too old", "edited")
    deleted: list[str] = []  # addresses of posts deleted at the source since a recent poll saw them
    elapsed: float = 0.0


class FetchedArticle(msgspec.Struct, frozen=True, omit_defaults=True):
    """An article's text (fields named as in ``ArticleFetched``; ``raw`` is the uncompressed page)."""

    feed_id: str
    article_id: str
    url: str  # canonical
    origin: Literal["feed", "page", "telegram"]  # where the text came from
    text: str  # paragraphs as lines
    source_kind: SourceKind | None = None  # the registry kind of the source that listed it (None: not known)
    edited: bool = False
    revision: int = 1
    source: str = ""  # the outlet
    title: str = ""
    author: str = ""
    published: datetime | None = None  # UTC: the feed's timestamp, else the page's date at midnight
    lang: str = ""
    final_url: str | None = None  # after redirects (page fetches only)
    raw: bytes | None = None  # the page as fetched (page fetches only); the caller caps/compresses it
    content_type: str | None = None
    encoding: str | None = None  # the charset the page was decoded with
    http_status: int | None = None
    attempts: int = 0  # page fetch attempts made (0 when the feed had the text)
    elapsed: float = 0.0


class ArticleFailure(msgspec.Struct, frozen=True, omit_defaults=True):
    feed_id: str
    article_id: str
    url: str
    failure: Failure


FetchOutcome = FetchedArticle | ArticleFailure


async def poll_feed(
    feed: Feed,
    state: FeedState | None,
    fetcher: Fetcher,
    options: PollOptions,
    *,
    now: datetime | None = None,
) -> PollOutcome:
    """Poll one source (a feed, a sitemap, a section page, a Telegram channel); never raises (except on
    cancellation).

    Stages, in order (1 to 4 by the reader of the source's kind, ``marsad.producers.sources``):
    1. fetch the source's URL with a conditional GET (validators from ``state``);
    2. on 304, stop: nothing new, the source is healthy;
    3. decode the bytes (BOM, zero-byte pattern, XML declaration, HTTP
       charset, detection); a document no encoding reads cleanly fails as ``garbled``;
    4. parse it as its kind says (feedparser, accepting a bozo feed that still
       yields entries; a sitemap and the children of an index; a section page's
       article links; a channel's posts), CPU-bound parts in a thread;
    5. canonicalise each entry's link, derive its article id, drop repeats;
    6. update the state: validators and recent ids on success, failure count
       and backoff on any failure.
    """
    now = now or datetime.now(UTC)
    state = state or FeedState(feed_id=feed.id)
    context = ReadContext(fetcher=fetcher, validators=state.validators, now=now,
                          first_poll=state.last_success is None,
                          full_content_min_chars=options.full_content_min_chars,
                          recent_ids=frozenset(state.recent_ids), child_validators=state.child_validators)
    try:
        read = await read_source(feed, context)
    except FetchError as exc:
        failure = _fetch_failure(exc, attempts=1)
        return _failed(feed, state, failure, now, options, retry_after=exc.retry_after)
    except FeedParseError as exc:
        failure = Failure(stage="parse", kind=_NOT_READABLE[feed.kind], reason=exc.reason, url=feed.url,
                          status=exc.status)
        return _failed(feed, state, failure, now, options)
    except GarbledText as exc:
        failure = Failure(stage="decode", kind="garbled", reason=exc.reason, url=feed.url)
        return _failed(feed, state, failure, now, options)
    except Exception as exc:  # a bug must cost one poll, not the poller
        return _failed(feed, state, _internal(feed.url, exc), now, options)

    if isinstance(read, NotModified):
        return PollOutcome(
            feed_id=feed.id,
            status="not_modified",
            state=record_not_modified(state, now=now, interval=feed.interval, validators=read.validators),
            http_status=304,
            final_url=read.final_url,
            elapsed=read.elapsed,
        )

    try:
        source = outlet_name(feed, read.parsed.title if feed.kind == "telegram" else "")
        entries, skipped = _discovered(feed, read.parsed.entries, state, source)
    except Exception as exc:
        return _failed(feed, state, _internal(feed.url, exc), now, options)
    fetched, parsed, encoding = read.response, read.parsed, read.encoding

    return PollOutcome(
        feed_id=feed.id,
        status="ok",
        state=record_success(
            state,
            now=now,
            interval=feed.interval,
            validators=read.validators if read.validators is not None else fetched.validators,
            article_ids=[entry.article_id for entry in entries],
            child_validators=read.child_validators,
            forget_ids=[article_id(canonical_url(url)) for url in read.parsed.deleted],
        ),
        entries=entries,
        http_status=fetched.status,
        final_url=fetched.final_url,
        moved_to=fetched.final_url if fetched.permanent_redirect and fetched.url == feed.url else None,
        encoding=encoding,
        bozo_reason=parsed.bozo_reason,
        skipped=skipped + parsed.skipped,
        counts=parsed.counts,
        deleted=parsed.deleted,
        elapsed=fetched.elapsed,
    )


def past_deadline(
    feed: Feed, state: FeedState | None, deadline: float, options: PollOptions, *, now: datetime | None = None
) -> PollOutcome:
    """The outcome of a poll cut at its ``deadline`` (seconds): failed with that reason, backed off."""
    failure = Failure(stage="fetch", kind="timeout", reason=f"feed deadline: no complete poll within {deadline:g} s",
                      url=feed.url, retryable=True)
    return _failed(feed, state or FeedState(feed_id=feed.id), failure, now or datetime.now(UTC), options)


async def fetch_article(
    entry: DiscoveredEntry, fetcher: Fetcher, options: PollOptions, *, pool: ExtractionPool | None = None
) -> FetchOutcome:
    """The article's text for one discovered entry; never raises (except on cancellation).

    Stages, in order:
    1. if the feed carried the full text, use it (unless ``always_fetch_page``,
       in which case the feed text is the fallback when the page fails);
    2. fetch the page, retrying timeouts, dropped connections, 429 and 5xx
       with doubling delays (``Retry-After`` respected), up to ``max_attempts``
       and within ``page_deadline`` seconds for all attempts and waits;
    3. refuse what is not HTML;
    4. decode (``<meta charset>``, HTTP charset, detection, each judged on
       the letters it yields); text no encoding reads cleanly is refused as
       ``garbled``;
    5. extract the main text and metadata with trafilatura, and refuse it
       too if it shows mojibake (4 and 5 are CPU-bound: in a worker process
       of ``pool`` when given, where a crash, a hang or a memory blow-up
       costs this page only, else in a thread);
    6. return the article with the raw page bytes, or the failure with the
       stage, the kind and a reason for the dead-letter topic.
    """
    if entry.content_text and (entry.content_origin == "telegram" or not options.always_fetch_page):
        return _from_feed(entry)  # a Telegram post is its own article: its address is not a page to read
    try:
        return await _from_page(entry, fetcher, options, pool)
    except Exception as exc:
        return _article_failure(entry, _internal(entry.link, exc))


def _discovered(
    feed: Feed, entries: list[FeedEntry], state: FeedState, source: str
) -> tuple[list[DiscoveredEntry], int]:
    found: dict[str, DiscoveredEntry] = {}
    skipped = 0
    for entry in entries:
        try:
            url = canonical_url(entry.link)
        except InvalidURL:
            skipped += 1
            continue
        identifier = article_id(url)
        if identifier in found:
            continue
        found[identifier] = DiscoveredEntry(
            feed_id=feed.id,
            article_id=identifier,
            url=url,
            link=entry.link,
            title=entry.title,
            source=source,
            published=parse_utc(entry.published),
            summary=entry.summary,
            content_text=entry.content_text,
            guid=entry.guid,
            author=entry.author or "",
            lang=feed.language or entry.language or "",
            content_origin="telegram" if entry.origin == "telegram" else "feed",
            source_kind=feed.kind,
            edited=entry.edited,
        )
    fresh = set(new_ids(state, found))
    return [msgspec.structs.replace(e, is_new=e.article_id in fresh) for e in found.values()], skipped


def _from_feed(entry: DiscoveredEntry) -> FetchedArticle:
    text = entry.content_text or ""
    return FetchedArticle(
        feed_id=entry.feed_id,
        article_id=entry.article_id,
        url=entry.url,
        origin=entry.content_origin,
        text=text,
        source_kind=entry.source_kind,
        edited=entry.edited,
        revision=entry.revision,
        source=entry.source,
        title=entry.title,
        author=entry.author,
        published=entry.published,
        lang=entry.lang or detect_lang(text),
    )


async def _from_page(
    entry: DiscoveredEntry, fetcher: Fetcher, options: PollOptions, pool: ExtractionPool | None
) -> FetchOutcome:
    fetched, attempts = await _fetch_with_retries(entry.link, fetcher, options)
    if not isinstance(fetched, FetchResult):
        return _from_feed(entry) if entry.content_text else _article_failure(entry, fetched)

    if fetched.content_type not in PAGE_CONTENT_TYPES:
        return _article_failure(
            entry,
            Failure(
                stage="fetch",
                kind="unsupported_content",
                reason=f"not an HTML page: {fetched.content_type}",
                url=entry.link,
                status=fetched.status,
                attempts=attempts,
            ),
        )

    page = (fetched.content, fetched.charset, fetched.final_url, options.extract)
    try:
        if pool is None:
            encoding, extracted = await asyncio.to_thread(decode_and_extract, *page)
        else:
            encoding, extracted = await pool.run(*page)
    except (ExtractionFailed, GarbledText, IsolatedFailure) as exc:
        if entry.content_text:  # the page let us down but the feed had the article
            return _from_feed(entry)
        stage, kind = _stage_and_kind(exc)
        failure = Failure(
            stage=stage, kind=kind, reason=exc.reason, url=entry.link, status=fetched.status, attempts=attempts
        )
        return _article_failure(entry, failure)

    return FetchedArticle(
        feed_id=entry.feed_id,
        article_id=entry.article_id,
        url=entry.url,
        origin="page",
        text=extracted.text,
        source_kind=entry.source_kind,
        edited=entry.edited,
        revision=entry.revision,
        source=entry.source,
        title=entry.title or extracted.title or "",
        author=extracted.author or entry.author,
        published=entry.published or parse_utc(extracted.date),
        lang=extracted.language or entry.lang,
        final_url=fetched.final_url,
        raw=fetched.content,
        content_type=fetched.content_type or None,
        encoding=encoding,
        http_status=fetched.status,
        attempts=attempts,
        elapsed=fetched.elapsed,
    )


def _stage_and_kind(exc: ExtractionFailed | GarbledText | IsolatedFailure) -> tuple[str, str]:
    """Where a page that yielded no article failed, and how (a dead letter's stage and kind)."""
    if isinstance(exc, IsolatedFailure):
        return "extract", exc.kind  # crashed, timed_out, over_memory
    if isinstance(exc, GarbledText):
        return "decode", "garbled"
    return "extract", "no_text"


async def _fetch_with_retries(
    url: str, fetcher: Fetcher, options: PollOptions
) -> tuple[FetchResult | Failure, int]:
    attempts = max(1, options.max_attempts)
    budget = Budget(options.page_deadline) if options.page_deadline else None
    for attempt in range(1, attempts + 1):
        try:
            fetched = await fetcher.fetch(url, purpose="page", budget=budget)
        except FetchError as exc:
            if not exc.retryable or attempt == attempts:
                return _fetch_failure(exc, attempts=attempt), attempt
            delay = retry_delay(attempt, options, retry_after=exc.retry_after)
            if budget is not None and budget.left() <= delay:  # the next attempt could not even start in time
                failure = _fetch_failure(exc, attempts=attempt)
                if budget.left() > 0:  # this attempt failed on its own: say why no other came
                    failure = msgspec.structs.replace(failure, reason=f"{failure.reason}; no attempt {attempt + 1}: "
                                                      f"the page deadline of {budget.seconds:g} s would pass")
                return failure, attempt
            await asyncio.sleep(delay)
            if budget is not None:
                budget.spend(delay)
            continue
        if isinstance(fetched, NotModified):  # we sent no validators; a 304 here is the server's confusion
            return Failure(stage="fetch", kind="http_status", reason="unexpected 304", url=url, status=304), attempt
        return fetched, attempt
    raise AssertionError("unreachable")


def outlet_name(feed: Feed, found: str = "") -> str:
    """What ``source`` says about a feed's articles: its registry title, else the name the source gave
    itself (``found``: a Telegram channel's, since every channel shares one host), else its host."""
    return feed.title or found or urlsplit(feed.url).hostname or feed.id


def parse_utc(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp or date as an aware UTC datetime (naive values are taken as UTC)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def retry_delay(attempt: int, options: PollOptions, *, retry_after: float | None = None) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based): doubling, capped."""
    delay = min(options.retry_max_delay, options.retry_base_delay * 2 ** (attempt - 1))
    if retry_after is not None:
        delay = max(delay, min(retry_after, options.retry_max_delay))
    return delay


def _failed(
    feed: Feed,
    state: FeedState,
    failure: Failure,
    now: datetime,
    options: PollOptions,
    *,
    retry_after: float | None = None,
) -> PollOutcome:
    return PollOutcome(
        feed_id=feed.id,
        status="failed",
        state=record_failure(
            state,
            now=now,
            interval=feed.interval,
            reason=f"{failure.stage}: {failure.reason}",
            policy=options.backoff,
            retry_after=retry_after,
        ),
        failure=failure,
        http_status=failure.status,
    )


def _fetch_failure(exc: FetchError, *, attempts: int) -> Failure:
    return Failure(
        stage="fetch",
        kind=exc.kind.value,
        reason=exc.reason,
        url=exc.url,
        status=exc.status,
        retryable=exc.retryable,
        attempts=attempts,
    )


def _internal(url: str, exc: Exception) -> Failure:
    return Failure(stage="internal", kind="internal", reason=f"{type(exc).__name__}: {exc}", url=url)


def _article_failure(entry: DiscoveredEntry, failure: Failure) -> ArticleFailure:
    return ArticleFailure(feed_id=entry.feed_id, article_id=entry.article_id, url=entry.url, failure=failure)
