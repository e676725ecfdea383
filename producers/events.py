"""Poller results as events: what the producer service publishes, built by pure functions.

``ArticleDiscovered`` announces a feed entry, ``ArticleFetched`` carries its
text with the raw page (cut at a cap, then zlib-compressed, so extraction can
be re-run by replaying the log), and a ``DeadLetter`` says why an article
could not be fetched. The Fetched event or the dead letter names the
Discovered event that caused it (``causation_id``).

``entry_from_discovered`` goes the other way: it rebuilds a fetchable entry
from a Discovered event read back from Kafka, for the fetcher (`marsad
fetch`) and for articles a previous run announced but never finished. The
outcome's event id is derived from the Discovered event's, so fetching an
article again after a crash repeats the same event (and the worker's
ArticleProcessed id, derived from it, too).
"""

from __future__ import annotations

import hashlib
import zlib

from marsad.producers.poller import ArticleFailure, DiscoveredEntry, FetchedArticle
from marsad.schemas.events import ArticleDiscovered, ArticleFetched, DeadLetter, RawPage

FETCH_STAGE = "fetch"  # DeadLetter.stage of the producer's article failures
ZLIB_LEVEL = 6


def discovered_event(entry: DiscoveredEntry) -> ArticleDiscovered:
    """The announcement of a new feed entry (key: its article id)."""
    return ArticleDiscovered(
        article_id=entry.article_id,
        url=entry.url,
        feed_id=entry.feed_id,
        source=entry.source,
        title=entry.title,
        published=entry.published,
        summary=entry.summary,
        lang=entry.lang,
        has_content=entry.has_content,
        link=entry.link if entry.link != entry.url else "",
        content_text=entry.content_text,
        content_origin="telegram" if entry.content_origin == "telegram" else None,
        source_kind=entry.source_kind,
        edited=entry.edited,
        revision=entry.revision,
    )


def raw_page(content: bytes, *, cap: int, content_type: str = "", encoding: str = "") -> RawPage:
    """The page bytes for replay: the first ``cap`` bytes, zlib-compressed.

    ``size`` is the length of what was kept (what ``data`` decompresses to);
    ``truncated`` says the page was longer than the cap.
    """
    kept = content[:cap]
    return RawPage(
        data=zlib.compress(kept, ZLIB_LEVEL),
        compression="zlib",
        content_type=content_type,
        encoding=encoding,
        size=len(kept),
        truncated=len(content) > cap,
    )


def fetched_event(article: FetchedArticle, *, cause: ArticleDiscovered, raw_cap: int) -> ArticleFetched:
    """The article's text (and raw page when it came from one), caused by its Discovered event.

    CPU-bound for large pages (compression): async callers run it in a thread.
    """
    raw = None
    if article.raw is not None:
        raw = raw_page(
            article.raw, cap=raw_cap, content_type=article.content_type or "", encoding=article.encoding or ""
        )
    return ArticleFetched(
        event_id=outcome_event_id(cause, "fetched"),
        causation_id=cause.event_id,
        article_id=article.article_id,
        url=article.url,
        source=article.source,
        feed_id=article.feed_id,
        origin=article.origin,
        title=article.title,
        text=article.text,
        author=article.author,
        published=article.published,
        lang=article.lang,
        raw=raw,
        source_kind=article.source_kind,
        edited=article.edited,
        revision=article.revision,
    )


def outcome_event_id(cause: ArticleDiscovered, kind: str) -> str:
    """The id of a Discovered event's outcome, derived from it: a fetch repeated after a crash
    (the fetcher is at least once) publishes the same event id, and so does everything downstream."""
    return hashlib.blake2b(f"{cause.event_id}:{kind}".encode(), digest_size=16).hexdigest()


def dead_letter_event(failed: ArticleFailure, *, cause: ArticleDiscovered, source_topic: str) -> DeadLetter:
    """Why an announced article got no text: the failure's kind, stage, reason, status and attempts."""
    failure = failed.failure
    details = [f"{failure.stage}: {failure.reason}"]
    if failure.status is not None and failure.status >= 300 and str(failure.status) not in failure.reason:
        details.append(f"HTTP {failure.status}")
    if failure.attempts > 1:
        details.append(f"after {failure.attempts} attempts")
    return DeadLetter(
        event_id=outcome_event_id(cause, "dead letter"),
        causation_id=cause.event_id,
        stage=FETCH_STAGE,
        reason="; ".join(details),
        error=failure.kind,
        key=failed.article_id,
        url=failure.url or failed.url,
        source_topic=source_topic,
    )


def publish_failure_letter(article_id: str, url: str, reason: str, *, cause: ArticleDiscovered) -> DeadLetter:
    """A fetched article Kafka refused (e.g. too large a message): dead-lettered instead of lost."""
    return DeadLetter(
        event_id=outcome_event_id(cause, "dead letter"), causation_id=cause.event_id, stage=FETCH_STAGE,
        reason=reason, error="publish", key=article_id, url=url,
    )


def entry_from_discovered(event: ArticleDiscovered) -> DiscoveredEntry:
    """A fetchable entry for an article announced earlier but never fetched.

    Events written since the fetcher became its own service (`marsad fetch`)
    keep the feed's own link and full text; older ones only the canonical
    URL, where the page is then fetched.
    """
    return DiscoveredEntry(
        feed_id=event.feed_id,
        article_id=event.article_id,
        url=event.url,
        link=event.link or event.url,
        content_text=event.content_text,
        source=event.source,
        title=event.title,
        published=event.published,
        summary=event.summary,
        lang=event.lang,
        content_origin="telegram" if event.content_origin == "telegram" else "feed",
        source_kind=event.source_kind,  # None in events written before the kind was carried
        edited=event.edited,
        revision=event.revision,
        is_new=False,
    )
