"""The fetcher against a real server on 127.0.0.1: success, 304, and every failure mode."""

import asyncio
import itertools
import time

import httpx
import pytest

from marsad.producers.http import FailureKind, Fetcher, FetchError, FetchResult, NotModified, Validators
from marsad.producers.samples import SITE_DIR
from tests.producers.scripted_server import Reply, ScriptedServer

pytestmark = pytest.mark.anyio


async def test_fetches_a_static_feed(server: ScriptedServer, local_options) -> None:
    async with Fetcher(local_options(user_agent="marsad-test/1")) as fetcher:
        result = await fetcher.fetch(server.url("al-rafidain/atom.xml"), purpose="feed")
    assert isinstance(result, FetchResult)
    assert result.status == 200 and result.final_url == server.url("al-rafidain/atom.xml")
    assert result.content == (SITE_DIR / "al-rafidain/atom.xml").read_bytes()
    assert result.validators.last_modified  # the static server sends Last-Modified
    sent = server.requested("al-rafidain/atom.xml")[0].headers
    assert sent["user-agent"] == "marsad-test/1" and "application/atom+xml" in sent["accept"]


async def test_conditional_get_with_etag_returns_not_modified(server: ScriptedServer, local_options) -> None:
    url = server.route("etag.xml", Reply(body=b"<rss/>", etag='"v1"', headers={"Content-Type": "application/xml"}))
    async with Fetcher(local_options()) as fetcher:
        first = await fetcher.fetch(url, purpose="feed")
        assert isinstance(first, FetchResult) and first.validators.etag == '"v1"'
        second = await fetcher.fetch(url, validators=first.validators, purpose="feed")
    assert isinstance(second, NotModified) and second.validators.etag == '"v1"'
    assert server.requested("etag.xml")[1].headers["if-none-match"] == '"v1"'


async def test_conditional_get_with_last_modified(server: ScriptedServer, local_options) -> None:
    stamp = "Tue, 12 Nov 2024 07:30:00 GMT"
    url = server.route("lm.xml", Reply(body=b"<rss/>", last_modified=stamp))
    async with Fetcher(local_options()) as fetcher:
        result = await fetcher.fetch(url, validators=Validators(last_modified=stamp), purpose="feed")
    assert isinstance(result, NotModified) and result.validators.last_modified == stamp


async def test_follows_redirects_and_reports_permanent_moves(server: ScriptedServer, local_options) -> None:
    server.route("old.xml", Reply(status=301, headers={"Location": "/moved/new.xml"}))
    server.route("moved/new.xml", Reply(status=308, headers={"Location": "final.xml#frag"}))  # relative
    final = server.route("moved/final.xml", Reply(body=b"<rss/>"))
    async with Fetcher(local_options()) as fetcher:
        result = await fetcher.fetch(server.url("old.xml"))
    assert isinstance(result, FetchResult)
    assert result.final_url == final and result.permanent_redirect
    assert result.redirects == (server.url("old.xml"), server.url("moved/new.xml"))


FAILURES = [
    pytest.param({"slow.xml": Reply(body=b"<rss/>", delay=1.5)}, "slow.xml", {"read_timeout": 0.3},
                 FailureKind.TIMEOUT, "timeout: no data for 0.3 s", True, id="slow-response-read-timeout"),
    pytest.param({"drip.xml": Reply(body=b"x" * 400, chunk_size=10, chunk_delay=0.05)}, "drip.xml",
                 {"read_timeout": 1.0, "total_timeout": 0.5}, FailureKind.TIMEOUT, "within 0.5 s", True,
                 id="dripping-body-total-deadline"),
    pytest.param({"big.html": Reply(body=b"a" * 200_000)}, "big.html", {"max_bytes": 50_000},
                 FailureKind.TOO_LARGE, "too large: > 50000 bytes", False, id="oversized-declared-length"),
    pytest.param({"big-stream.html": Reply(body=b"a" * 200_000, send_length=False, chunk_size=8192)}, "big-stream.html",
                 {"max_bytes": 50_000}, FailureKind.TOO_LARGE, "too large: > 50000 bytes", False,
                 id="oversized-streamed-without-length"),
    pytest.param({"loop/a": Reply(status=302, headers={"Location": "/loop/b"}),
                  "loop/b": Reply(status=302, headers={"Location": "/loop/a"})}, "loop/a", {},
                 FailureKind.REDIRECT_LOOP, "redirect loop", False, id="redirect-loop"),
    pytest.param({f"chain/{i}": Reply(status=302, headers={"Location": f"/chain/{i + 1}"}) for i in range(10)},
                 "chain/0", {"max_redirects": 3}, FailureKind.TOO_MANY_REDIRECTS, "more than 3", False,
                 id="too-many-redirects"),
    pytest.param({}, "missing/page.html", {}, FailureKind.HTTP_STATUS, "HTTP 404", False, id="http-404"),
    pytest.param({"busy.xml": Reply(status=503, headers={"Retry-After": "120"})}, "busy.xml", {},
                 FailureKind.HTTP_STATUS, "HTTP 503", True, id="http-503-retryable"),
    pytest.param({"ftp-hop": Reply(status=302, headers={"Location": "ftp://127.0.0.1/x"})}, "ftp-hop", {},
                 FailureKind.UNSAFE, "scheme 'ftp'", False, id="redirect-to-ftp"),
]


@pytest.mark.parametrize(("routes", "path", "overrides", "kind", "words", "retryable"), FAILURES)
async def test_failures_are_typed_with_a_reason(
    server: ScriptedServer, local_options, routes, path, overrides, kind, words, retryable
) -> None:
    for route, reply in routes.items():
        server.route(route, reply)
    async with Fetcher(local_options(**overrides)) as fetcher:
        with pytest.raises(FetchError) as error:
            await fetcher.fetch(server.url(path))
    assert error.value.kind is kind
    assert words in error.value.reason
    assert error.value.retryable is retryable


async def test_retry_after_is_reported(server: ScriptedServer, local_options) -> None:
    url = server.route("limited", Reply(status=429, headers={"Retry-After": "30"}))
    async with Fetcher(local_options()) as fetcher:
        with pytest.raises(FetchError) as error:
            await fetcher.fetch(url)
    assert error.value.status == 429 and error.value.retry_after == 30.0 and error.value.retryable


async def test_connection_refused(local_options) -> None:
    async with Fetcher(local_options()) as fetcher:
        with pytest.raises(FetchError) as error:
            await fetcher.fetch("http://127.0.0.1:9/feed.xml")  # discard port: nothing listens
    assert error.value.kind is FailureKind.CONNECTION and error.value.retryable


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/feed.xml", "http://[fd00::1]/x"],
    ids=["cloud-metadata", "private-10", "ipv6-unique-local"],
)
async def test_redirect_to_private_address_refused_before_connecting(
    server: ScriptedServer, local_options, target: str
) -> None:
    """The loopback test server is allowed by network; the hop it redirects to is not and is never contacted."""
    url = server.route("innocent.xml", Reply(status=302, headers={"Location": target}))
    sent: list[str] = []

    async def record(request: httpx.Request) -> None:
        sent.append(str(request.url))

    options = local_options(allow_private=False, allowed_networks=("127.0.0.1/32",))
    async with httpx.AsyncClient(event_hooks={"request": [record]}, trust_env=False) as client:
        fetcher = Fetcher(options, client=client)
        with pytest.raises(FetchError) as error:
            await fetcher.fetch(url)
    assert error.value.kind is FailureKind.UNSAFE
    assert error.value.reason.startswith(f"redirect to {target}") or "refused" in error.value.reason
    assert sent == [url]  # only the allowed first hop went out


async def test_loopback_refused_without_allow_private(server: ScriptedServer, local_options) -> None:
    async with Fetcher(local_options(allow_private=False)) as fetcher:
        with pytest.raises(FetchError) as error:
            await fetcher.fetch(server.url("index.html"))
    assert error.value.kind is FailureKind.UNSAFE and "loopback" in error.value.reason
    assert server.requests == []


@pytest.mark.parametrize(("per_host", "overall", "requests", "delay", "in_flight"), [
    (1, 10, 4, 0.08, 1),
    (10, 2, 6, 0.1, 2),
], ids=["per-host", "global"])
async def test_concurrency_limits(server: ScriptedServer, local_options, per_host, overall, requests, delay,
                                  in_flight) -> None:
    for i in range(requests):
        server.route(f"held/{i}", Reply(body=b"ok", delay=delay))
    async with Fetcher(local_options(per_host_connections=per_host, max_connections=overall)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(server.url(f"held/{i}"), purpose="feed") for i in range(requests)))
    assert server.max_in_flight == in_flight


async def test_per_host_interval_spaces_page_requests(server: ScriptedServer, local_options) -> None:
    for i in range(3):
        server.route(f"page/{i}", Reply(body=b"<p>x</p>"))
    sent: list[float] = []

    async def record(request: httpx.Request) -> None:
        sent.append(time.monotonic())  # when the client sends: the server's clock adds thread start-up jitter

    async with (
        httpx.AsyncClient(event_hooks={"request": [record]}, trust_env=False) as client,
        Fetcher(local_options(per_host_interval=0.5, per_host_connections=3), client=client) as fetcher,
    ):
        await asyncio.gather(*(fetcher.fetch(server.url(f"page/{i}"), purpose="page") for i in range(3)))
    gaps = [b - a for a, b in itertools.pairwise(sorted(sent))]
    assert len(gaps) == 2 and all(gap >= 0.45 for gap in gaps), gaps


async def test_feeds_are_not_paced(server: ScriptedServer, local_options) -> None:
    for i in range(3):
        server.route(f"feed/{i}", Reply(body=b"<rss/>"))
    started = time.monotonic()
    async with Fetcher(local_options(per_host_interval=5.0, per_host_connections=3)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(server.url(f"feed/{i}"), purpose="feed") for i in range(3)))
    assert time.monotonic() - started < 5.0  # paced, the three would take 10 s


async def test_time_queued_for_a_slot_does_not_count_against_the_deadline(server: ScriptedServer, local_options) -> None:
    for i in range(3):
        server.route(f"queued/{i}", Reply(body=b"ok", delay=0.3))
    async with Fetcher(local_options(per_host_connections=1, total_timeout=0.8)) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(server.url(f"queued/{i}"), purpose="feed") for i in range(3)))
    assert all(isinstance(r, FetchResult) for r in results)  # 0.9 s in all, each request well under 0.8 s
