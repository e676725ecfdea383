"""Failure reasons say what happened: where the connection broke, which redirect led nowhere, which URL."""

from __future__ import annotations

import pytest

from marsad.producers.events import dead_letter_event
from marsad.producers.http import FailureKind, Fetcher, FetchError
from marsad.producers.poller import ArticleFailure, DiscoveredEntry, PollOptions, fetch_article
from marsad.runtime.kafka.read import describe
from marsad.schemas.events import ArticleDiscovered, DeadLetter
from tests.producers.scripted_server import Reply, ScriptedServer

pytestmark = pytest.mark.anyio

OPTIONS = PollOptions(retry_base_delay=0.01, retry_max_delay=0.02)
BODY = b"<html><body>" + b"<p>x</p>" * 5000 + b"</body></html>"


def entry(url: str) -> DiscoveredEntry:
    return DiscoveredEntry(feed_id="f", article_id="a1", url=url, link=url)


async def fetch_error(server: ScriptedServer, local_options, reply: Reply) -> FetchError:
    url = server.route("page.html", reply)
    async with Fetcher(local_options()) as fetcher:
        with pytest.raises(FetchError) as error:
            await fetcher.fetch(url)
    return error.value


async def test_reset_mid_body_says_so(server: ScriptedServer, local_options) -> None:
    error = await fetch_error(server, local_options, Reply(body=BODY, reset_after=1000))
    assert error.kind is FailureKind.CONNECTION and error.retryable
    assert error.reason.startswith("connection lost mid-body after ")
    assert f"of {len(BODY)} bytes" in error.reason and "reset" in error.reason.lower()
    assert not error.reason.rstrip().endswith(":")  # never an empty cause
    assert ": ;" not in error.reason


async def test_body_cut_short_says_so(server: ScriptedServer, local_options) -> None:
    """Content-Length promises more than comes before the server closes (no reset)."""
    cut = Reply(body=BODY, headers={"Content-Length": str(len(BODY) + 5000)}, send_length=False)
    error = await fetch_error(server, local_options, cut)
    assert error.reason.startswith("connection lost mid-body")
    assert "RemoteProtocolError" in error.reason


async def test_redirect_without_location_says_so(server: ScriptedServer, local_options) -> None:
    error = await fetch_error(server, local_options, Reply(status=302))
    assert error.reason == "redirect without a Location header (HTTP 302 Found)"
    assert error.status == 302 and not error.retryable


async def test_dead_letter_after_retries_keeps_the_cause(server: ScriptedServer, local_options) -> None:
    url = server.route("page.html", Reply(body=BODY, reset_after=10))
    async with Fetcher(local_options()) as fetcher:
        outcome = await fetch_article(entry(url), fetcher, OPTIONS)
    assert isinstance(outcome, ArticleFailure)
    letter = dead_letter_event(outcome, cause=ArticleDiscovered(article_id="a1", url=url, feed_id="f", source="s"), source_topic="t")
    assert letter.reason.startswith("fetch: connection lost mid-body after ")
    assert letter.reason.endswith("after 3 attempts") and letter.url == url


def test_tail_line_of_a_dead_letter_shows_url_kind_and_reason() -> None:
    letter = DeadLetter(stage="fetch", reason="fetch: HTTP 404 Not Found", error="http_status", key="a1",
                        url="https://news.example/ar/story/1.html")
    line = describe(letter)
    assert "a1" in line and "https://news.example/ar/story/1.html" in line
    assert "[http_status] fetch: HTTP 404 Not Found" in line
