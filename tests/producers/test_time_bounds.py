"""Time bounds: a page's attempts within its deadline, a feed's poll within its own, the others on time."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from marsad.producers.feeds.registry import Feed
from marsad.producers.feeds.state import FeedStateFile
from marsad.producers.http import Fetcher
from marsad.producers.poller import ArticleFailure, DiscoveredEntry, PollOptions, fetch_article
from marsad.producers.service import run_producer
from tests.producers.scripted_feeds import HTML, article_page, serve_articles, serve_feed
from tests.producers.scripted_server import Reply, ScriptedServer
from tests.producers.test_service import config, counts, on_topics, registry


@pytest.fixture
def never() -> Iterator[threading.Event]:
    """A drip that lasts the whole test (released at its end, so the server's thread ends too)."""
    release = threading.Event()
    yield release
    release.set()


def entry(url: str) -> DiscoveredEntry:
    return DiscoveredEntry(feed_id="f", article_id="a1", url=url, link=url)


@pytest.mark.anyio
async def test_a_dripping_page_is_cut_at_its_deadline(server: ScriptedServer, local_options, never) -> None:
    url = server.route("drip.html", Reply(body=article_page(1), headers={"Content-Type": HTML}, drip_until=never,
                                          chunk_delay=0.2))
    options = PollOptions(max_attempts=3, retry_base_delay=0.01, retry_max_delay=0.02, page_deadline=1.0)
    async with Fetcher(local_options(read_timeout=5.0, total_timeout=30.0)) as fetcher:
        outcome = await fetch_article(entry(url), fetcher, options)
    assert isinstance(outcome, ArticleFailure) and outcome.failure.kind == "timeout"
    assert outcome.failure.reason == "timeout: page deadline of 1 s reached"
    assert len(server.requested("drip.html")) == 1  # nothing left of the deadline for a second attempt


@pytest.mark.anyio
async def test_no_retry_starts_when_its_wait_would_pass_the_deadline(server: ScriptedServer, local_options) -> None:
    url = server.route("busy.html", Reply(status=503))
    options = PollOptions(max_attempts=10, retry_base_delay=0.4, retry_max_delay=5.0, page_deadline=1.0)
    async with Fetcher(local_options()) as fetcher:
        outcome = await fetch_article(entry(url), fetcher, options)
    assert isinstance(outcome, ArticleFailure)
    attempts = outcome.failure.attempts
    assert attempts < 10 and len(server.requested("busy.html")) == attempts
    assert outcome.failure.reason == (f"HTTP 503 Service Unavailable; no attempt {attempts + 1}: "
                                      "the page deadline of 1 s would pass")


@pytest.mark.anyio
async def test_without_a_deadline_every_attempt_is_made(server: ScriptedServer, local_options) -> None:
    url = server.route("busy.html", Reply(status=503))
    options = PollOptions(max_attempts=4, retry_base_delay=0.01, retry_max_delay=0.02, page_deadline=None)
    async with Fetcher(local_options()) as fetcher:
        outcome = await fetch_article(entry(url), fetcher, options)
    assert isinstance(outcome, ArticleFailure) and outcome.failure.attempts == 4


@pytest.mark.kafka
def test_a_slow_feed_fails_at_its_deadline_and_the_others_are_announced(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path, never: threading.Event
) -> None:
    fast = Feed(id="fast", url=serve_feed(server, "fast/rss.xml", serve_articles(server, "fast", range(3))))
    slow = Feed(id="slow", url=serve_feed(server, "slow/rss.xml", serve_articles(server, "slow", range(2)),
                                          drip_until=never, chunk_delay=0.2))
    cfg = replace(config(kafka_bootstrap, kafka_topics, registry(tmp_path / "feeds.yaml", [fast, slow]), tmp_path,
                         read_timeout=5.0, total_timeout=30.0), fetch_inline=False, feed_deadline=1.0)

    report = asyncio.run(run_producer(cfg, once=True, handle_signals=False))

    assert report.discovered == 3 and counts(on_topics(kafka_bootstrap, kafka_topics)) == (3, 0, 0)
    state = FeedStateFile(tmp_path).load()["slow"]
    assert state.last_error == "fetch: feed deadline: no complete poll within 1 s"
    assert state.consecutive_failures == 1 and state.next_poll is not None and state.next_poll > datetime.now(UTC)
    assert FeedStateFile(tmp_path).load()["fast"].last_error is None
