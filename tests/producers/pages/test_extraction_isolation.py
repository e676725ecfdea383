"""Extraction in worker processes: a crash, a hang or a memory blow-up costs one page, and the fetcher goes on."""

from __future__ import annotations

import asyncio

import pytest

from marsad.producers.http import Fetcher
from marsad.producers.pages.isolation import ExtractionPool, IsolatedFailure, IsolationOptions
from marsad.producers.pages.reader import ExtractOptions
from marsad.producers.poller import (
    ArticleFailure,
    DiscoveredEntry,
    FetchedArticle,
    PollOptions,
    fetch_article,
)
from tests.producers.hostile_jobs import ABORT, HANG, HOG, decode_and_extract_or_misbehave
from tests.producers.scripted_server import Reply, ScriptedServer

pytestmark = pytest.mark.anyio

OPTIONS = IsolationOptions(workers=2, timeout=3.0, memory_mb=256)
PARAGRAPHS = (
    "أعلنت بلدية المدينة إغلاق الطريق الرئيسي المؤدي إلى السوق القديم لمدة أسبوع، لإجراء أعمال صيانة في شبكة "
    "الصرف الصحي بعد الأمطار الغزيرة التي شهدتها المنطقة.",
    "وقال مسؤول في البلدية إن الورشات ستعمل ليلاً ونهاراً لتقليل الإزعاج على التجار، داعياً السائقين إلى استخدام "
    "الطرق الفرعية خلال هذه الفترة.",
)


def page(marker: bytes = b"") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = f"<html lang='ar'><head><title>إغلاق طريق السوق</title></head><body><article>{body}</article></body></html>"
    return html.encode() + marker


def args(content: bytes) -> tuple:
    return (content, "utf-8", "https://news.example/ar/road.html", ExtractOptions())


@pytest.fixture
async def pool():
    async with ExtractionPool(OPTIONS, job=decode_and_extract_or_misbehave) as started:
        yield started


@pytest.mark.parametrize(("marker", "kind", "words"), [
    pytest.param(ABORT, "crashed", "extraction crashed: the worker died (signal SIGABRT)", id="abort"),
    pytest.param(HANG, "timed_out", "extraction timed out after 3 s", id="hang"),
    pytest.param(HOG, "over_memory", "extraction over memory", id="memory"),
])
async def test_a_hostile_page_costs_that_page_only(pool: ExtractionPool, marker: bytes, kind: str, words: str) -> None:
    results = await asyncio.gather(
        pool.run(*args(page())), pool.run(*args(page(marker))), pool.run(*args(page())), return_exceptions=True
    )
    good, bad, after = results
    assert isinstance(bad, IsolatedFailure) and bad.kind == kind and bad.reason.startswith(words)
    for result in (good, after):
        encoding, extracted = result
        assert encoding == "utf-8" and PARAGRAPHS[0] in extracted.text
    assert pool.replaced == 1
    again = await asyncio.gather(*(pool.run(*args(page())) for _ in range(4)))  # the pool is whole again
    assert all(PARAGRAPHS[1] in extracted.text for _, extracted in again)


async def test_the_jobs_own_failures_come_back_as_they_are(pool: ExtractionPool) -> None:
    from marsad.producers.pages.reader import ExtractionFailed

    with pytest.raises(ExtractionFailed, match="too little text"):
        await pool.run(*args(b"<html><body><p>\xd9\x82\xd8\xb5\xd9\x8a\xd8\xb1</p></body></html>"))
    assert pool.replaced == 0


async def test_fetcher_goes_on_after_a_crashing_page(server: ScriptedServer, local_options, pool) -> None:
    """Over HTTP, through fetch_article: the aborting page is a dead letter with the reason, the others are articles."""
    urls = {name: server.route(f"{name}.html", Reply(body=body, headers={"Content-Type": "text/html; charset=utf-8"}))
            for name, body in (("one", page()), ("boom", page(ABORT)), ("two", page()))}
    entries = [DiscoveredEntry(feed_id="f", article_id=name, url=url, link=url) for name, url in urls.items()]
    async with Fetcher(local_options()) as fetcher:
        outcomes = await asyncio.gather(
            *(fetch_article(e, fetcher, PollOptions(max_attempts=1), pool=pool) for e in entries))
    one, boom, two = outcomes
    assert isinstance(one, FetchedArticle) and isinstance(two, FetchedArticle)
    assert isinstance(boom, ArticleFailure)
    assert (boom.failure.stage, boom.failure.kind) == ("extract", "crashed")
    assert "SIGABRT" in boom.failure.reason


async def test_a_feed_text_survives_a_crashing_page(server: ScriptedServer, local_options, pool) -> None:
    url = server.route("boom.html", Reply(body=page(ABORT), headers={"Content-Type": "text/html"}))
    entry = DiscoveredEntry(feed_id="f", article_id="b", url=url, link=url, content_text="نص المقال من الخلاصة")
    async with Fetcher(local_options()) as fetcher:
        outcome = await fetch_article(entry, fetcher, PollOptions(max_attempts=1, always_fetch_page=True), pool=pool)
    assert isinstance(outcome, FetchedArticle) and outcome.origin == "feed"
